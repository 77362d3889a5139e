"""Secret redaction. Pure functions, no I/O.

Assistants embed third-party credentials: the custom LLM's ``api_key``, custom tool header and
query-parameter values, tokens inside URLs and JSON body templates, and whatever a future API
release adds. Redaction keeps the *shape* visible (a header's name stays, a URL keeps its host and
path, ``{{variable}}`` placeholders stay) and replaces each secret value with ``REDACTED``.

Three layers, applied to every JSON value that leaves the server:
1. by key name: any object key that looks like a credential (``api_key``, ``token``, ``secret``...);
2. by structure: ``headers``/``query_params`` lists of ``{key, value}`` pairs mask every value that
   is not a pure placeholder or a well-known harmless header;
3. by content: every string is scanned for URLs (query values, user info, token-like path
   segments), ``Bearer``/``Basic`` credentials, ``name=value`` credentials and well-known key formats.

Before all three, ``strip_invisible`` removes invisible and bidirectional-control characters: text
from a payload is data, and these can hide instructions from a human reviewer or split a secret so
that the patterns above miss it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

REDACTED = "[REDACTED]"

_PLACEHOLDER = re.compile(r"\{\{\s*[\w.\-]+\s*\}\}")
# A key names a credential when, lower-cased with separators removed, it contains one of these.
_SECRET_KEY_PARTS = (
    "apikey",
    "token",
    "secret",
    "password",
    "passwd",
    "authorization",
    "credential",
    "privatekey",
    "accesskey",
    "bearer",
    "cookie",
    "signature",
    "sessionid",
)
_SECRET_KEY_EXACT = frozenset({"key", "auth", "pwd", "pass", "sig", "jwt", "otp", "pin"})
# Header names whose values are protocol details, never credentials.
_SAFE_HEADER_NAMES = frozenset(
    {"content-type", "accept", "accept-language", "accept-encoding", "user-agent", "cache-control"}
)
_SAFE_QUERY_VALUE = re.compile(r"^(?:[A-Za-z][A-Za-z_\-]{0,19}|\d{1,6}|)$")

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s\"'<>`]+")
_AUTH_SCHEME = re.compile(r"\b(Bearer|Basic|Token|Digest)(\s+)([A-Za-z0-9._~+/=:\-]{6,})", re.IGNORECASE)
_NAMED_CREDENTIAL = re.compile(
    # Bounded name parts keep this linear: an unbounded [\w-]* rescans long words from every position.
    r"(?i)(?<![\w\-])([\w\-]{0,30}?(?:api[_\-]?key|apikey|token|secret|passw(?:or)?d|authorization|credential"
    r"|access[_\-]?key|private[_\-]?key)[\w\-]{0,30})"
    r"([\"']?\s*[:=]\s*[\"']?(?:(?:Bearer|Basic|Token)\s+)?)"
    r"(?!(?:Bearer|Basic|Token)\b)([^\s\"'&,;{}<>]+)"
)
_KNOWN_TOKEN = re.compile(
    r"\b(?:"
    r"sk[-_](?:live|test|proj|ant)?[-_]?[A-Za-z0-9_\-]{12,}"  # OpenAI, Stripe, Anthropic...
    r"|rk_(?:live|test)_[A-Za-z0-9]{12,}"
    r"|xox[abprs]-[A-Za-z0-9\-]{10,}"  # Slack
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|glpat-[A-Za-z0-9_\-]{20,}"
    r"|AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|AIza[0-9A-Za-z_\-]{35}"  # Google API key
    r"|tgp_v1_[A-Za-z0-9_\-]{10,}"  # Together
    r"|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"  # JWT
    r")"
)
# A URL path segment that looks like an embedded token (Slack/Zapier-style webhook paths).
_TOKEN_SEGMENT = re.compile(r"^(?:(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-.~+=]{20,}|[A-Za-z0-9_\-.~+=]{32,})$")


# Unicode "Cf" (format) characters: zero-width spaces and joiners, bidi embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069), the BOM, the soft hyphen, tag characters (U+E0000-U+E007F)
# and the rest of the category as of Unicode 15; plus lone surrogates (U+D800-U+DFFF), which a JSON
# body may smuggle in as "\ud800" escapes and which cannot be encoded as UTF-8.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f]+"
)


def strip_invisible(text: str) -> str:
    """``text`` without invisible, bidirectional-control or tag characters, nor lone surrogates."""
    if text.isascii():  # the common case, and none of those characters is ASCII
        return text
    return _INVISIBLE.sub("", text)


def is_secret_key(name: str) -> bool:
    """Whether an object key or parameter name looks like it holds a credential."""
    norm = name.lower().replace("_", "").replace("-", "").replace(" ", "")
    return name.lower() in _SECRET_KEY_EXACT or any(part in norm for part in _SECRET_KEY_PARTS)


def is_placeholder_only(value: str) -> bool:
    """Whether a value is made only of ``{{variable}}`` placeholders (and spaces)."""
    return _PLACEHOLDER.sub("", value).strip() == "" and "{{" in value


def _mask(value: str) -> str:
    if value == "" or is_placeholder_only(value):
        return value
    return REDACTED


def redact_url(url: str) -> str:
    """Mask user info, query values, fragments and token-like path segments of a URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    path = "/".join(
        REDACTED if _TOKEN_SEGMENT.match(seg) and not _PLACEHOLDER.search(seg) else seg for seg in parts.path.split("/")
    )
    query = "&".join(_redact_query_pair(pair) for pair in parts.query.split("&")) if parts.query else ""
    fragment = _mask(parts.fragment) if parts.fragment else ""
    return urlunsplit(SplitResult(parts.scheme, netloc, path, query, fragment))


def _redact_query_pair(pair: str) -> str:
    name, sep, value = pair.partition("=")
    if not sep:
        return pair if _SAFE_QUERY_VALUE.match(pair) or is_placeholder_only(pair) else REDACTED
    if value == "" or is_placeholder_only(value):
        return pair
    if not is_secret_key(name) and _SAFE_QUERY_VALUE.match(value):
        return pair
    return f"{name}={REDACTED}"


def redact_text(text: str) -> str:
    """Return ``text`` with credentials (URL secrets, auth headers, named and well-known keys) masked."""
    if not text:
        return text
    text = strip_invisible(text)
    text = _URL.sub(lambda m: redact_url(m.group(0)), text)
    text = _AUTH_SCHEME.sub(
        lambda m: m.group(0) if is_placeholder_only(m.group(3)) else f"{m.group(1)}{m.group(2)}{REDACTED}",
        text,
    )
    text = _NAMED_CREDENTIAL.sub(
        lambda m: (
            m.group(0)
            if m.group(3) == REDACTED or m.group(3).startswith("[REDACTED") or is_placeholder_only(m.group(3))
            else f"{m.group(1)}{m.group(2)}{REDACTED}"
        ),
        text,
    )
    return _KNOWN_TOKEN.sub(REDACTED, text)


def redact(value: Any) -> Any:
    """Return a redacted deep copy of a JSON value (dicts, lists, strings, numbers, bools, None)."""
    return _redact(value, pair_list=False)


def _redact(value: Any, *, pair_list: bool) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, Mapping):
        return _redact_object(value, pair_list=pair_list)
    if isinstance(value, list | tuple):
        return [_redact(item, pair_list=pair_list) for item in value]
    return redact_text(str(value))


def _redact_object(obj: Mapping[Any, Any], *, pair_list: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    pair_name = obj.get("key") if isinstance(obj.get("key"), str) else None
    if pair_list and pair_name is None and "value" not in obj:
        # headers/query_params sent as a {name: value} map instead of a list of pairs: same rules.
        return {strip_invisible(str(k)): _redact_pair_value(str(k), v, strict=True) for k, v in obj.items()}
    for raw_key, item in obj.items():
        key = strip_invisible(str(raw_key))
        if key == "value" and (pair_name is not None or pair_list):
            out[key] = _redact_pair_value(pair_name or "", item, strict=pair_list)
        elif key == "key" and pair_name is not None:
            out[key] = redact_text(pair_name)
        elif is_secret_key(key):
            out[key] = _redact_all(item)
        else:
            out[key] = _redact(item, pair_list=key in ("headers", "query_params"))
    return out


def _redact_pair_value(name: str, value: Any, *, strict: bool) -> Any:
    """A ``{key, value}`` pair: strict lists (headers, query params) mask all but harmless values."""
    if not isinstance(value, str):
        return _redact_all(value) if strict or is_secret_key(name) else _redact(value, pair_list=False)
    if strict and name.lower() not in _SAFE_HEADER_NAMES:
        return _mask(value)
    if is_secret_key(name):
        return _mask(value)
    return redact_text(value)


def _redact_all(value: Any) -> Any:
    """Everything under a credential-named key: mask every string, keep the structure."""
    if isinstance(value, str):
        return _mask(value)
    if isinstance(value, Mapping):
        return {strip_invisible(str(k)): _redact_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_all(v) for v in value]
    return value
