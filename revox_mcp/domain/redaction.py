"""Secret redaction, run once over everything that arrives from Revox. Pure, no I/O.

Assistants (and the calls, phone numbers and campaigns that embed them) carry third-party
credentials anywhere: the custom LLM's ``api_key``, tool headers and query parameters, tokens in
URLs, JSON and form bodies inside strings, prompts, fields a future API release adds, even object
keys. ``Redactor.value`` copies a whole JSON value, cleaning every key and every string, before
anything else reads it; ``Redactor.text`` cleans one free text. Secrets are recognised:

1. by value: the server's own secrets (``known_secrets``, 8+ characters) anywhere, verbatim,
   URL-encoded or base64-encoded;
2. by name (``facts.is_credential_name``: ``api_key``, ``authKey``, ``X-Auth``, ``session``...):
   the value under a credential-named object key, ``{key|name, value}`` pair (also serialised in a
   string, or as a ``[name, value]`` list in a header container), header map entry, JSON / form /
   YAML / XML field inside a string, header line, query parameter or ``--flag``;
3. by structure: URL user info (``scheme://``, ``sip:``, ``curl -u``), query values and fragments
   that are not plain, token-like path segments and webhook-host paths, ``Bearer``/``Basic``
   credentials, private key blocks, percent-encoded text that decodes to a secret, and:

   * **every header value**, whatever its name, in a headers container (a key whose last word is
     ``header(s)``: ``custom_tools[].headers``, ``webhook_headers``, a prompt flow node's or an
     integration's headers; as ``{key|name, value}`` pairs, a map, ``[name, value]`` lists, a JSON
     string or ``Name: value`` lines), and under an ``X-`` name anywhere: a ``{key, value}`` pair's
     name, an object key, a name in free text (``X-Shop: v``, ``"X-Shop": "v"``) or in a serialised
     pair. (A pair named like another header outside a headers container, ``Shop-Domain``, keeps the
     parameter rule below.) Custom headers carry keys and tenant secrets far
     more often than not. Only a few harmless headers show their values (``Content-Type``,
     ``Accept``, ``Accept-Charset``, ``Accept-Encoding``, ``Accept-Language``,
     ``Content-Language``, ``Cache-Control``, ``Pragma``, ``User-Agent``), and only values that fit
     the header's grammar; a pair with two names (a repeated JSON key) is judged by the stricter;
   * **query parameters keep a name-based rule** (in URLs and in ``query_params``/``params``/``env``
     lists): a credential-named parameter's value is masked, another's only when it is not plain (a
     word, number, date, UUID, version, email): query strings carry filters, pages and languages far
     more often than keys, and a diagnosis needs them; any other ``{key, value}`` pair's value is
     masked when it looks like a token (``stt_context`` vocabulary stays readable);
4. by format: the provider key formats of ``secret_patterns`` (``sk-``, ``AIza``, ``xoxb-``, JWTs...);
5. by context: a token with letters and digits a few words after a credential word ("my key is
   9f8e..."); a run of 32+ characters mixing upper case, lower case and digits; a whole value that is
   one random-looking token (16+ characters) unless its field is named like an id (or holds ids:
   ``assistants_used``).

The *shape* stays: names, hosts, paths, ``{{variable}}`` placeholders, empty strings and non-string
scalars under credential names (numbers, booleans, null); each secret becomes ``[REDACTED]``, and a
key that redacts to an existing key gets ``#2``, ``#3``. Redacting twice changes nothing more. What
cannot be recognised is a secret with no name, no format and no context: a short or word-like value
nothing names, a random-looking value in a field named like an id, a number.

Every pass is linear on hostile input (no catastrophic backtracking), sits behind a cheap check that
skips it when it cannot match, and results for short strings are memoised per ``Redactor``.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import SplitResult, quote, quote_plus, unquote, unquote_plus, urlsplit, urlunsplit

from revox_mcp.domain.facts import ANY_PLACEHOLDER, is_credential_name, name_words
from revox_mcp.domain.secret_patterns import (
    KEY_FORMAT,
    PRIVATE_KEY_BEGIN,
    PRIVATE_KEY_END,
    PUTTY_KEY,
    TELEGRAM_BOT_TOKEN,
    WEBHOOK_HOST_SUFFIXES,
    WEBHOOK_HOSTS,
)
from revox_mcp.domain.text import INVISIBLE, REDACTED, strip_invisible

# A known secret shorter than this is ignored: masking "abc" everywhere would wreck every text.
MIN_KNOWN_SECRET_LENGTH: Final = 8
# Results for strings up to this length are memoised per Redactor (ids, enums, names recur).
_MEMO_MAX_LENGTH = 256
_MEMO_SIZE = 16_384
# Containers nested deeper than this (ingest caps depth at 64 well before) are replaced whole.
_MAX_DEPTH = 10_000


# --- what a token looks like ---------------------------------------------------------------------

_TOKEN_RUN_CHARS = r"A-Za-z0-9_\-+/=.~"  # noqa: S105 - a character class, not a password
_TOKEN = re.compile(rf"[{_TOKEN_RUN_CHARS}]+")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_DIGIT_OR_CAPITAL = re.compile(r"[0-9A-Z]")
_WORDLIKE = re.compile(r"[a-z]+|[A-Z][a-z]+|[A-Z]{1,5}|[0-9]+")
_WORD_PIECE = re.compile(r"[A-Z][a-z]{2,}|[a-z]{3,}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Strings that only a known secret can hide in: identifiers and enum values in lower case (no key
# format, pair, URL or context pattern can match them), numbers and phone numbers, UUIDs, ISO timestamps.
_NOTHING_TO_SCAN = re.compile(
    r"[a-z_]{1,64}|[0-9+\-. ]{1,40}"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?:Z|[+\-][0-9]{2}:?[0-9]{2})?)?"
)
# Cheap pre-checks: no key format is shorter than 12 token characters in a row.
_RUN12 = re.compile(r"[A-Za-z0-9_\-+/=.]{12}")

# Values harmless enough to keep in a header list, a query string or a fragment: words and enum
# values (no digits), numbers, dates, times, phone numbers, UUIDs, versions ("gpt-4.1", "v2").
_PLAIN = re.compile(
    r"[A-Za-z][A-Za-z _.,;/()\-]{0,59}"
    r"|[+\-]?[0-9][0-9 .,:/+\-]{0,39}"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]{2,15}(?:Z|[+\-][0-9]{2}:?[0-9]{2})?"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[A-Za-z][A-Za-z\-_]{0,20}[0-9]{1,4}(?:\.[0-9]{1,4}){0,3}[a-z]?"
    r"|[^\s@]{1,64}@[A-Za-z0-9.\-]{1,253}"
)

# --- headers ----------------------------------------------------------------------------------------
# A header's value is a credential far more often than not: custom headers (X-Shop, X-Tenant,
# X-Flow) carry API keys, shop tokens and tenant secrets under names no rule can recognise. So every
# header value is masked, its name kept, except those of the harmless headers below. These are the
# request headers a tool or webhook sets for content negotiation (what is sent, what is accepted, in
# which language and encoding), caching and the client's name: the HTTP standards give each a small
# grammar (media types, language tags, codings, directives, product tokens) with no room for a
# credential, no provider puts one there, and a diagnosis needs them ("the tool sends XML to a JSON
# API"). Even there a value is shown only if it fits its header's grammar and holds no random-looking
# run, so a secret under a harmless name (a duplicate JSON key, a mistake) is masked all the same.
# Host, Origin, Referer and Connection are left out: rarely set by hand, and their values are hosts
# and URLs, which the URL rules judge better.
_Q = r"(?:[ \t]*;[ \t]*q=[01](?:\.[0-9]{0,3})?)?"
_HEADER_TOKEN = r"[A-Za-z0-9!#$%&'*+.^_`|~\-]"  # noqa: S105 - RFC 9110's token characters
_MEDIA = rf"(?:application|text|image|audio|video|multipart|message|font|model|\*)/{_HEADER_TOKEN}{{1,64}}"
_MEDIA_PARAM = r"(?:[ \t]*;[ \t]*[A-Za-z0-9_.\-]{1,32}=(?:[A-Za-z0-9_.\-]{1,64}|\"[A-Za-z0-9_. \-]{0,64}\"))*"
_CODING = (
    r"(?:\*|gzip|x-gzip|deflate|br|zstd|compress|x-compress|identity"
    r"|utf-8|utf-16|utf-32|us-ascii|iso-8859-[0-9]{1,2}|windows-125[0-9])" + _Q
)
_LANGUAGE = r"(?:\*|[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4})" + _Q
_DIRECTIVE = (
    r"(?:no-cache|no-store|no-transform|only-if-cached|must-revalidate|proxy-revalidate|must-understand"
    r"|public|private|immutable|max-stale|(?:max-age|s-maxage|max-stale|min-fresh|stale-while-revalidate"
    r"|stale-if-error)=[0-9]{1,10})"
)
# Product tokens carry a version ("curl/8.4.0", "Mozilla/5.0 (X11; Linux x86_64)"): a bare word is no agent.
_PRODUCT = r"[A-Za-z][A-Za-z0-9_.\-]{0,63}/[0-9][A-Za-z0-9_.\-]{0,31}"


def _list_of(item: str) -> re.Pattern[str]:
    return re.compile(rf"{item}(?:[ \t]*,[ \t]*{item}){{0,19}}", re.IGNORECASE)


_HARMLESS_HEADERS: Final[Mapping[str, re.Pattern[str]]] = {
    "content-type": re.compile(_MEDIA + _MEDIA_PARAM, re.IGNORECASE),
    "accept": _list_of(_MEDIA + _MEDIA_PARAM),
    "accept-charset": _list_of(_CODING),
    "accept-encoding": _list_of(_CODING),
    "accept-language": _list_of(_LANGUAGE),
    "content-language": _list_of(_LANGUAGE),
    "cache-control": _list_of(_DIRECTIVE),
    "pragma": _list_of(_DIRECTIVE),
    "user-agent": re.compile(rf"{_PRODUCT}(?:[ \t]+(?:{_PRODUCT}|\([^()]{{0,200}}\))){{0,19}}"),
}
# A name shaped like a header's: ``X-Shop``, ``Shop-Domain`` (outside a headers container, its value is
# masked unless plain; an ``X-`` name's always).
_HEADER_LIKE_NAME = re.compile(r"[Xx]-[A-Za-z0-9\-_]+|[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+")
# An object key or a name in text that is a header's wherever it appears: the X- convention.
_X_HEADER_NAME = re.compile(r"[Xx]-[A-Za-z0-9][A-Za-z0-9\-_]*")
# "X-Shop: v", "X-Shop": "v" (also escaped) in free text: the name, then where its value starts.
_X_HEADER_FIELD = re.compile(
    r"(?<![A-Za-z0-9_\-])(?P<q>\\{0,3}[\"']?)(?P<name>[Xx]-[A-Za-z0-9][A-Za-z0-9_\-]{0,62})(?P=q)[ \t]*:[ \t]*"
)
_HEADER_LINE = re.compile(r"[ \t]*(?P<name>[A-Za-z0-9!#$%&'*+.^_`|~\-]{1,64})[ \t]*:[ \t]*(?P<value>.*)", re.DOTALL)
# Keys whose values are lists or maps of headers (their last word): every value masked but a harmless header's.
_HEADER_CONTAINER_WORDS = frozenset({"header", "headers"})
# Keys whose values are lists or maps of parameters or variables: values are presumed secret unless
# plain (query parameters keep the name-based rule: see the module docstring).
_PAIR_CONTAINER_WORDS = frozenset(
    {"param", "params", "parameter", "parameters", "query", "queries", "qs", "env", "environment"}
)
# Keys that name an identifier: a value that is one opaque token is an id there, not a secret.
_ID_WORDS = frozenset({"id", "ids", "uuid", "uuids", "guid", "guids", "voice", "voices"})
# Fields that hold ids though no word of their name says so (a call attempt's assistant node ids).
_ID_FIELDS = frozenset({"assistants_used"})
_PAIR_NAME_KEYS = ("key", "name", "Key", "Name", "header", "param", "parameter", "field", "label")
_PAIR_VALUE_KEYS = frozenset({"value", "Value", "val", "default"})
_AUTH_SCHEMES = frozenset({"bearer", "basic", "token", "digest", "apikey", "api-key", "sso-key", "ssws", "bot"})


def _is_wordlike(chunk: str) -> bool:
    """A word, a number, or a CamelCase name: 70% of it in runs of 3+ letters (``SendEmailV2``,
    ``iPhone15ProMax``). Random keys rarely hold three lower-case letters in a row, hex or upper-case
    keys never do."""
    if _WORDLIKE.fullmatch(chunk) is not None:
        return True
    return len(chunk) >= 6 and sum(map(len, _WORD_PIECE.findall(chunk))) * 10 >= len(chunk) * 7


def is_opaque_token(value: str) -> bool:
    """Whether ``value`` is one token that looks random: 16+ characters, mostly not words or numbers.

    UUIDs, model names (``meta-llama/Llama-3.3-70B-Instruct-Turbo``), versions, timestamps and
    dictionary words are not opaque; ``9f8e7d6c5b4a3928...``, base64 blobs and ElevenLabs voice
    ids (``21m00Tcm4TlvDq8ikWAM``) are, which is why fields named like ids are exempted by the caller.
    """
    if not 16 <= len(value) <= 16_384 or _TOKEN.fullmatch(value) is None or _UUID.fullmatch(value):
        return False
    return _DIGIT_OR_CAPITAL.search(value) is not None and _random_part(value) >= 12


def _random_part(value: str) -> int:
    """How many characters of ``value`` are in random-looking chunks (0 when words dominate)."""
    chunks = [chunk for chunk in _NON_ALNUM.split(value) if chunk]
    total = sum(len(chunk) for chunk in chunks)
    random_chunks = [chunk for chunk in chunks if not _is_wordlike(chunk)]
    rest = sum(len(chunk) for chunk in random_chunks)
    if rest * 2 <= total:
        return 0
    joined = "".join(random_chunks)
    digits = any(c.isdigit() for c in joined)
    upper = any(c.isupper() for c in joined)
    lower = any(c.islower() for c in joined)
    if digits and (upper or lower):
        return rest
    return rest if upper and lower and rest >= 20 else 0


def _is_random_in_prose(run: str) -> bool:
    """A 32+ character run in free text that mixes upper case, lower case and digits like a key does."""
    if _UUID.fullmatch(run) or _random_part(run) < 24:
        return False
    return any(c.isupper() for c in run) and any(c.islower() for c in run) and any(c.isdigit() for c in run)


def _is_plain(value: str) -> bool:
    return len(value) <= 7 or _PLAIN.fullmatch(value) is not None


def _harmless_header(name: str) -> bool:
    return name.strip().lower() in _HARMLESS_HEADERS


def _harmless_value(name: str | None, value: str) -> bool:
    """Whether ``value`` may be shown under header ``name``: a harmless header's, fitting its grammar,
    with no random-looking run (``text/plain; boundary=9f8e7d6c5b4a`` is masked)."""
    grammar = _HARMLESS_HEADERS.get(name.strip().lower()) if name else None
    if grammar is None or len(value) > 1_000 or grammar.fullmatch(value.strip()) is None:
        return False
    return all(len(chunk) < 8 or _is_wordlike(chunk) for chunk in _NON_ALNUM.split(value))


# The name rules look at a name's first 200 characters: cache on those, so a huge key costs no memory.
def _credential(name: str) -> bool:
    return _credential_prefix(name[:200])


def _id_name(name: str) -> bool:
    return _id_name_prefix(name[:200])


def _container(name: str) -> int:
    return _container_prefix(name[:200])


@functools.lru_cache(maxsize=4096)
def _credential_prefix(name: str) -> bool:
    return is_credential_name(name)


@functools.lru_cache(maxsize=4096)
def _id_name_prefix(name: str) -> bool:
    if name in _ID_FIELDS:
        return True
    return any(word in _ID_WORDS for word in name_words(name)) and not is_credential_name(name)


@functools.lru_cache(maxsize=4096)
def _container_prefix(name: str) -> int:
    """The mode of a key's value by the container it names: headers, parameters, or neither."""
    words = name_words(name)
    if words and words[-1] in _HEADER_CONTAINER_WORDS:  # webhook_headers, not header_image
        return _HEADERS
    return _PAIRS if any(word in _PAIR_CONTAINER_WORDS for word in words) else _NORMAL


def _placeholder_or_scheme(value: str) -> bool:
    """A value filled at call time: only placeholders, possibly after an auth scheme (``Bearer {{t}}``)."""
    if "{{" not in value:
        return False
    rest = ANY_PLACEHOLDER.sub("", value).strip()
    return rest == "" or rest.lower() in _AUTH_SCHEMES


def _mask(value: str) -> str:
    """A value under a credential name: gone, unless empty, already masked or filled at call time."""
    if not value or value == REDACTED or _placeholder_or_scheme(value):
        return strip_invisible(value)
    return REDACTED


def _known_variants(secret: str) -> set[str]:
    """A known secret as it may appear: verbatim, URL-encoded (both hex cases, + or %20 for spaces), and
    base64-encoded at any alignment (``Basic base64("user:" + key)`` holds the middle of one of these)."""
    variants = {secret, quote(secret, safe=""), quote(secret, safe="/")}
    variants |= {quote_plus(secret), quote_plus(secret, safe="/")}
    variants |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), v) for v in variants}
    raw = secret.encode()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw).decode()
        # the characters that depend on the secret's bytes alone, whatever comes before or after
        core = encoded[-(-8 * offset // 6) : 8 * (offset + len(raw)) // 6]
        if len(core) >= MIN_KNOWN_SECRET_LENGTH:
            variants |= {core, core.replace("+", "-").replace("/", "_")}
    return variants


# --- free-text patterns --------------------------------------------------------------------------

_URL = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{0,30}://[^\s\"'<>`\\]*")
_URL_TRAILING = ".,;:!?'\")]}"
_MASK_STAND_IN = "\ue000"  # a private-use character: stands for [REDACTED] while a URL is parsed
# "Bearer <token>", "Basic <base64>"...: the scheme stays, a token-looking credential goes.
_AUTH_SCHEME = re.compile(
    r"(?i)(?<![A-Za-z0-9_\-])(bearer|basic|token|digest|apikey|api-key|sso-key|ssws)([ \t]+)"
    r"([A-Za-z0-9._~+/=\-]{6,})"
)
# name <sep> value, for JSON ("key": "v"), form data (a=b&key=v), YAML (key: v), header lines
# (X-Auth: v), env files (KEY=v), assignments (key := v, "key" => v). A hint word in the lower-cased
# text marks where a credential name may be (every word and part of facts' credential vocabulary
# contains one); a separator must follow within the name; the whole name is then matched backwards on
# the reversed text (one anchored attempt) and judged by facts.is_credential_name; the value is read by
# hand. The pass costs one step per hint, not per character.
_NAME_HINT_WORDS = (
    r"key|token|secret|pass|pwd|pw|pswd|auth|cred|sig|session|cookie|otp|pin|hmac|jwt|bearer|psk|pat|mnemonic"
    r"|kennwort|contrasena|senha"
)
_NAME_HINT = re.compile(_NAME_HINT_WORDS)
_NAME_HINT_ANY_CASE = re.compile(_NAME_HINT_WORDS, re.IGNORECASE)
_SEPARATOR_AFTER_NAME = re.compile(r"[A-Za-z0-9_.\-$@]{0,64}(?:\\{0,3}[\"'])?[ \t]{0,8}(?P<sep>=>|:=|[:=])[ \t]{0,8}")
_NAME_BEFORE_REVERSED = re.compile(
    r"[ \t]{0,8}(?P<q>[\"']?\\{0,3})(?P<name>[A-Za-z0-9_.\-$@]{0,63}[A-Za-z_$@])(?P=q)(?![A-Za-z0-9_$@])"
)
# A flat JSON object inside a string (a {key, value} pair serialised), at any escaping level.
_PAIR_OBJECT = re.compile(r"\{[^{}]{1,2048}\}")
_PAIR_NAME_FIELD = re.compile(
    r'(?P<q>\\{0,7}")(?:key|name|Key|Name|header|param|parameter|field|label)(?P=q)[ \t]*:[ \t]*(?P=q)'
    r'(?P<name>[^"\\]{1,200})(?P=q)'
)
_VALUE_FIELD = re.compile(r'(?P<q>\\{0,7}")(?:value|Value|val|default)(?P=q)[ \t]*:[ \t]*')
# A JSON pair whose value is one token: checked like a field value (opaque tokens masked, ids kept).
_JSON_TOKEN_PAIR = re.compile(r'"(?P<name>[^"\\\n]{1,64})"[ \t]*:[ \t]*"(?P<value>[A-Za-z0-9_\-+/=.~]{16,4096})"')
_XML_PAIR = re.compile(r"<([A-Za-z_][A-Za-z0-9_.\-]{0,63})>([^<]{1,4096})</\1>")
_CLI_FLAG = re.compile(r"(?<![A-Za-z0-9_\-])--([A-Za-z][A-Za-z0-9_\-]{0,40})[ \t]+([^\s\"'`]+)")
# curl's -u/--user user:password
_CLI_USER = re.compile(r"(?<![A-Za-z0-9_\-])(?:-u|--user)[ \t]*([\"']?)([^\s\"'`]+)")
# user:password@host outside a scheme://URL (SIP URIs, FTP-style logins in prose): the password goes.
_USER_PASSWORD_AT = re.compile(
    r"(?<![^\s:@/\"'<>])(?!(?:sips?|mailto|tel|https?|ftp|wss?):)[^\s:@/\"'<>]{1,128}:(?P<pw>[^\s:@\"'<>]{1,256})@"
    r"(?=[A-Za-z0-9\-]{1,63}\.|\[)"
)
_JSON_LITERAL = re.compile(r"-?[0-9][0-9.eE+\-]*|true|false|null")
_UNQUOTED_EQ_VALUE = re.compile(r"[^\s&;,\"'<>(){}\[\]\\|]*")
_UNQUOTED_JSON_VALUE = re.compile(r"[^\s,}\]\"]*")
_REST_OF_LINE = re.compile(r"[^\n\r\"]*")
_YAML_BLOCK_INDICATORS = frozenset({"|", ">", "|-", ">-", "|+", ">+"})
_YAML_BLOCK = re.compile(r"(?:\r?\n[ \t]+[^\n]*)+")
_JSON_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"(?P<key>\s*:)?")
# Token characters after a credential word, passwords' punctuation included; no "=" inside (that is a
# pair, read by _pairs), only as padding.
_CONTEXT_CHARS = r"A-Za-z0-9_\-+/.~!*#$%^&@?"
# A credential word, up to four short words, then a token with letters and digits (or 24+ characters):
# "my key is 9f8e...", "token for the CRM: x1y2...", "mot de passe : Az3...".
_CONTEXT = re.compile(
    r"(?i)(?<![A-Za-z0-9])(?:api[\s_\-]?keys?|keys?|tokens?|secrets?|passw(?:or)?ds?|pwd|passphrase|passcode|pass"
    r"|credentials?|creds?|auth(?:orization)?|bearer|signatures?|sig|sessions?(?:[\s_\-]?ids?)?|cookies?|hmac|jwt"
    r"|otp|pin|mot[\s_\-]de[\s_\-]passe|cl[eé]s?|passwort|contrase[ñn]a|senha)(?![A-Za-z0-9])"
    r"(?:[^\w\n]{1,5}\w{1,12}){0,4}?[^\w\n]{1,5}"
    rf"(?P<tok>(?![0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})(?=[{_CONTEXT_CHARS}]{{0,511}}?[0-9])"
    rf"(?=[{_CONTEXT_CHARS}]{{0,511}}?[A-Za-z])[{_CONTEXT_CHARS}]{{8,}}={{0,3}}|[{_CONTEXT_CHARS}]{{24,}}={{0,3}})"
)
# Where a credential word of _AUTH_SCHEME or _CONTEXT may start, in the lower-cased text: the
# patterns are tried only there, instead of at every position.
_HINT = re.compile(
    r"(?<![a-z0-9])(?:key|token|secret|pass|pwd|cred|auth|bearer|basic|digest|ssws|sso|api|sig|session|cookie|hmac"
    r"|jwt|otp|pin|mot|cle|clé|senha|contrase)"
)
# A run of 12+ token characters; only those with a digit or a capital are searched for key formats:
# every format has one (a random key body of 16+ characters without either is vanishingly unlikely).
_TOKEN_RUN12 = re.compile(rf"(?<![{_TOKEN_RUN_CHARS}])[{_TOKEN_RUN_CHARS}]{{12,}}")
# What a _CONTEXT token needs within reach of its credential word: a digit, or a 24-character run.
_CONTEXT_TOKEN_NEARBY = re.compile(rf"[0-9]|[{_CONTEXT_CHARS}]{{24}}")
_CONTEXT_REACH = 160  # a word, four short words and their separators: at most about 80 characters
_SCHEME_WORDS = ("bearer", "basic", "token", "digest", "apikey", "api-key", "sso-key", "ssws")
_PERCENT_RUN = re.compile(rf"(?<![{_TOKEN_RUN_CHARS}%])[{_TOKEN_RUN_CHARS}]*%[0-9A-Fa-f]{{2}}[{_TOKEN_RUN_CHARS}%]*")


def _trim_url(url: str) -> tuple[str, str]:
    """Split trailing sentence punctuation off a URL found in prose; keep balanced brackets."""
    openers = {")": url.count("("), "]": url.count("["), "}": url.count("{")}
    closers = {")": url.count(")"), "]": url.count("]"), "}": url.count("}")}
    end = len(url)
    while end and url[end - 1] in _URL_TRAILING:
        char = url[end - 1]
        if char in closers:
            if openers[char] >= closers[char]:
                break  # "(...)" belongs to the URL
            closers[char] -= 1
        end -= 1
    return url[:end], url[end:]


def _closing_quote(text: str, start: int, quote_char: str, escapes: int) -> int:
    """Index of the quote closing a value opened with ``escapes`` backslashes, or -1."""
    index = start
    while True:
        index = text.find(quote_char, index)
        if index < 0:
            return -1
        backslashes = 0
        while backslashes < 8 and index - backslashes > start and text[index - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes <= escapes:
            return index - backslashes
        index += 1


def _balanced_end(text: str, start: int) -> int:
    """End of the JSON object or array starting at ``start`` (brackets in strings ignored); unclosed, at
    most 64 KB further (masking that much of a credential's structure beats rescanning it)."""
    depth = 0
    index = start
    in_string = False
    limit = min(len(text), start + 65_536)
    while index < limit:
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return limit


def _mask_json_strings(fragment: str) -> str:
    """Mask the string values (not the keys) of a JSON fragment, keeping it valid JSON."""

    def replace(match: re.Match[str]) -> str:
        literal = match.group(0)
        if match.group("key") is not None or _placeholder_or_scheme(literal[1:-1]) or literal == '""':
            return literal
        return f'"{REDACTED}"'

    return _JSON_STRING.sub(replace, fragment)


def _mask_private_keys(text: str) -> str:
    """Replace the body of every PEM/OpenSSH/PGP private key block; with no END marker, everything after."""
    out: list[str] = []
    position = 0
    while (begin := PRIVATE_KEY_BEGIN.search(text, position)) is not None:
        end = PRIVATE_KEY_END.search(text, begin.end())
        out.append(text[position : begin.end()])
        out.append(REDACTED)
        if end is None:
            return "".join(out)
        out.append(text[end.start() : end.end()])
        position = end.end()
    out.append(text[position:])
    text = "".join(out)
    putty = text.find(PUTTY_KEY)
    if putty >= 0:
        line_end = text.find("\n", putty)
        text = text[: line_end if line_end >= 0 else len(text)] + ("\n" + REDACTED if line_end >= 0 else "")
    return text


class Redactor:
    """Masks secrets in Revox data: known values, credential names, structures, key formats, context.

    ``known_secrets`` are the server's own (its Revox API key, its HTTP auth token, in multi-user mode
    the caller's key): masked verbatim anywhere, including inside longer strings and URL-encoded.
    Values shorter than ``MIN_KNOWN_SECRET_LENGTH`` (8) characters are ignored. Thread-safe; results for
    short strings are memoised per instance, so keep one instance per set of known secrets.
    """

    def __init__(self, known_secrets: Iterable[str] = ()) -> None:
        variants: set[str] = set()
        for secret in known_secrets:
            if isinstance(secret, str) and len(secret.strip()) >= MIN_KNOWN_SECRET_LENGTH:
                variants |= _known_variants(secret.strip())
        self._known = tuple(sorted(variants, key=len, reverse=True))
        self._known_re = re.compile("|".join(map(re.escape, self._known))) if self._known else None
        # Memos of short strings by content (ids, enums, names and keys recur across assistants). Plain
        # dicts emptied when full: bounded, cheaper than an LRU on this hot path, safe to share by threads.
        self._texts: dict[str, str] = {}
        self._id_texts: dict[str, str] = {}
        self._keys: dict[str, tuple[str, int]] = {}

    # --- public interface ---------------------------------------------------------------------------

    def text(self, text: str) -> str:
        """``text`` (a prompt, URL, body, name...) with every recognised secret replaced by ``[REDACTED]``."""
        if not isinstance(text, str):
            text = str(text)
        return self._scan(text, ident=False, layers=2)

    def value(self, value: Any) -> Any:
        """A redacted deep copy of a JSON value: keys and strings cleaned, structure and other scalars kept.

        Never raises on JSON-like input (non-string keys, tuples, huge strings) and never recurses:
        containers are filled from an explicit stack.
        """
        return self._walk(value, _NORMAL)

    def _walk(self, value: Any, mode: int) -> Any:
        stack: list[tuple[Any, Any, str | None, int, int]] = []
        root = self._copy(value, None, mode, 0, stack)
        while stack:
            source, target, key, mode, depth = stack.pop()
            if isinstance(target, dict):
                self._fill_object(source, target, mode, depth, stack)
            elif mode in (_PAIRS, _HEADERS) and len(source) == 2 and isinstance(source[0], str):  # ["X-Shop", "..."]
                name = source[0]
                target.extend(
                    [
                        self._string(name, None, _NORMAL),
                        self._copy(source[1], name, _pair_mode(name, mode), depth, stack),
                    ]
                )
            else:
                copy = self._copy
                target.extend([copy(item, key, mode, depth, stack) for item in source])
        return root

    # --- JSON values --------------------------------------------------------------------------------

    def _copy(self, item: Any, key: str | None, mode: int, depth: int, stack: list[Any]) -> Any:
        """A leaf's redacted value, or an empty container queued on ``stack`` to be filled."""
        kind = type(item)
        if kind is str:
            return self._string(item, key, mode)
        if kind is dict or kind is list:
            if depth >= _MAX_DEPTH:
                return REDACTED
            container: Any = {} if kind is dict else []
            stack.append((item, container, key, mode, depth + 1))
            return container
        if item is None or kind is bool or kind is int or kind is float:
            return item
        if isinstance(item, str):
            return self._string(str.__str__(item), key, mode)
        if isinstance(item, bool | int | float):
            return item
        if isinstance(item, Mapping | list | tuple):
            if depth >= _MAX_DEPTH:
                return REDACTED
            container = {} if isinstance(item, Mapping) else []
            stack.append((item, container, key, mode, depth + 1))
            return container
        return self._string(_safe_str(item), key, mode)

    def _fill_object(
        self, source: Mapping[Any, Any], out: dict[str, Any], mode: int, depth: int, stack: list[Any]
    ) -> None:
        pair = _pair_of(source) if mode != _MASKED and not _PAIR_VALUE_KEYS.isdisjoint(source) else None
        special = mode in (_MASKED, _PAIRS, _HEADERS) or pair is not None
        keys = self._keys
        texts = self._texts
        for raw_key, child in source.items():
            info = keys.get(raw_key) if type(raw_key) is str else None
            name = raw_key if type(raw_key) is str else _safe_str(raw_key)
            shown, child_mode = info if info is not None else self._key_info(name)
            if shown in out:
                shown = _deduplicated(shown, out)
            if special:
                child_key = name
                if mode == _MASKED:
                    child_mode = _MASKED
                elif pair is not None:
                    if pair[0] and raw_key == pair[0]:  # the pair's name: shown, never masked as a "key"
                        out[shown] = self._string(pair[1], None, _NORMAL)
                        continue
                    if raw_key in _PAIR_VALUE_KEYS:
                        nameless = not pair[0]  # {"key": null, "value": ...}: whose value is it? mask it
                        child_mode = _MASKED if nameless else _pair_value_mode(source, pair[1], mode)
                        child_key = pair[1]
                else:  # {"Authorization": "...", "X-Shop": "..."} in a container: a map of pairs
                    child_mode = _pair_mode(name, mode)
                out[shown] = self._copy(child, child_key, child_mode, depth, stack)
                continue
            kind = type(child)
            if kind is str and child_mode == _NORMAL:  # the common case, inlined
                text = texts.get(child)
                out[shown] = text if text is not None else self._field(child, False)
            elif child is None or kind is bool or kind is int or kind is float:
                out[shown] = child
            else:
                out[shown] = self._copy(child, name, child_mode, depth, stack)

    def _key_info(self, name: str) -> tuple[str, int]:
        if len(name) > _MEMO_MAX_LENGTH:
            return self._classify_key(name)
        if len(self._keys) >= _MEMO_SIZE:
            self._keys.clear()
        info = self._keys[name] = self._classify_key(name)
        return info

    def _field(self, value: str, ident: bool) -> str:
        """``_field_text``, memoised for short strings."""
        if len(value) > _MEMO_MAX_LENGTH:
            return self._field_text(value, ident)
        memo = self._id_texts if ident else self._texts
        text = memo.get(value)
        if text is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            text = memo[value] = self._field_text(value, ident)
        return text

    def _classify_key(self, name: str) -> tuple[str, int]:
        """An object key as shown (a key may itself be a secret) and the mode of the value under it."""
        shown = self._field_text(name, False)
        if _credential(name):
            return shown, _MASKED
        container = _container(name)
        if container != _NORMAL:
            return shown, container
        if _X_HEADER_NAME.fullmatch(name):  # {"X-Shop": "..."} anywhere: a header
            return shown, _HARMLESS if _harmless_header(name) else _MASKED
        if _id_name(name):
            return shown, _NORMAL_ID
        return shown, _NORMAL

    def _string(self, value: str, key: str | None, mode: int) -> str:
        if mode in (_NORMAL, _PAIRS):
            return self._field(value, False)
        if mode == _NORMAL_ID:
            return self._field(value, True)
        if mode == _MASKED:
            return _mask(value)
        if mode == _HEADERS:
            return self._header_text(value)
        # a {key, value} pair's value, or a header map's entry, whose name is not a credential's
        if _placeholder_or_scheme(value):
            return strip_invisible(value)
        cleaned = self._field(value, False)
        if mode == _HARMLESS:
            return cleaned if not cleaned or _harmless_value(key, cleaned) else REDACTED
        if cleaned != strip_invisible(value) or not value or REDACTED in cleaned:
            return cleaned  # something in it was recognised and masked: the rest is its visible shape
        if mode == _PAIR_STRICT:
            return cleaned if _is_plain(cleaned) else REDACTED
        looks_like_token = (
            not any(c.isspace() for c in cleaned)
            and len(cleaned) >= 8
            and not _is_plain(cleaned)
            and any(c.isdigit() for c in cleaned)
            and any(c.isalpha() for c in cleaned)
        )
        return REDACTED if looks_like_token or is_opaque_token(cleaned) else cleaned

    def _header_text(self, value: str) -> str:
        """A string where headers are expected: JSON (redacted as a header container) or header lines
        (each value masked but a harmless header's); any other line as free text."""
        if not value or _placeholder_or_scheme(value):
            return strip_invisible(value)
        stripped = value.strip()
        if stripped[:1] in ("{", "[") and len(stripped) <= 65_536:
            try:
                parsed = json.loads(stripped)
            except ValueError:  # RecursionError included: not JSON we can read, so lines
                parsed = None
            if isinstance(parsed, dict | list):  # every key and string in it is judged on the way
                redacted = self._walk(parsed, _HEADERS)
                return strip_invisible(value) if redacted == parsed else json.dumps(redacted, ensure_ascii=False)
        lines = []
        for line in strip_invisible(value).splitlines(keepends=True):
            body = line.rstrip("\r\n")
            match = _HEADER_LINE.fullmatch(body)
            if match is None or match.group("value").startswith("//"):  # not "https://..."
                lines.append(self._field(body, False) + line[len(body) :])
                continue
            name = match.group("name")
            shown = self._string(match.group("value"), name, _pair_mode(name, _HEADERS))
            lines.append(body[: match.start("value")] + shown + line[len(body) :])
        return "".join(lines)

    def _field_text(self, value: str, ident: bool) -> str:
        """A whole field value: free-text redaction, then an opaque token is masked unless ``ident``."""
        cleaned = self._scan(value, ident=ident, layers=2)
        if ident or len(value) < 16 or cleaned != value:
            return cleaned
        return REDACTED if is_opaque_token(value) else cleaned

    # --- free text ----------------------------------------------------------------------------------

    def _scan(self, text: str, *, ident: bool, layers: int) -> str:
        """Every text pass, each behind a cheap check that skips it when it cannot match."""
        if not text.isascii():
            text = INVISIBLE.sub("", text)
        if len(text) < 4:
            return text
        if self._known_re is not None and self._has_known(text):
            text = self._known_re.sub(REDACTED, text)
        if len(text) <= 96 and _NOTHING_TO_SCAN.fullmatch(text) is not None:
            return text
        if "BEGIN" in text or PUTTY_KEY in text:
            text = _mask_private_keys(text)
        if "://" in text:
            text = _URL.sub(self._url_match, text)
        if layers and "%" in text:  # a percent-encoded secret is judged decoded, before the format pass cuts it
            text = _PERCENT_RUN.sub(lambda match: self._percent_match(match, layers - 1), text)
        if len(text) >= 12 and _RUN12.search(text) is not None:
            text = _TOKEN_RUN12.sub(_run_match_ident if ident else _run_match, text)
            if ":" in text:
                text = TELEGRAM_BOT_TOKEN.sub(REDACTED, text)
        if ":" in text or "=" in text:
            if "alue" in text:  # "value" / "Value"
                text = _PAIR_OBJECT.sub(_pair_object_match, text)
            text = self._pairs(text)
            if '"' in text:
                text = _JSON_TOKEN_PAIR.sub(_json_token_match, text)
            if ":" in text and ("X-" in text or "x-" in text):
                text = _x_headers(text)
        if "</" in text:
            text = _XML_PAIR.sub(_xml_match, text)
        if "-" in text:
            if "--" in text:
                text = _CLI_FLAG.sub(_cli_match, text)
            if "-u" in text or "--user" in text:
                text = _CLI_USER.sub(_cli_user_match, text)
        if "@" in text and ":" in text:
            text = _USER_PASSWORD_AT.sub(_user_password_match, text)
        if len(text) >= 12:
            text = _credential_words(text)
        return text

    def _percent_match(self, match: re.Match[str], layers: int) -> str:
        run = match.group(0)
        decoded = unquote_plus(run)
        if decoded == run:
            return run
        if self._scan(decoded, ident=False, layers=layers) != decoded or is_opaque_token(decoded):
            return REDACTED
        return run

    def _pairs(self, text: str) -> str:
        """Mask the values of credential-named pairs, trying only separators that follow a hint word."""
        lower = text.lower()
        hints = _NAME_HINT.finditer(lower) if len(lower) == len(text) else _NAME_HINT_ANY_CASE.finditer(text)
        edits: list[tuple[int, int, str]] = []
        done = 0
        last_separator = -1
        length = len(text)
        reversed_text = ""
        for hint in hints:
            separator = _SEPARATOR_AFTER_NAME.match(text, hint.end())
            if separator is None:
                continue
            index = separator.start("sep")
            if index <= last_separator or index < done:
                continue
            last_separator = index
            reversed_text = reversed_text or text[::-1]
            name_match = _NAME_BEFORE_REVERSED.match(reversed_text, length - index)
            if name_match is None or length - name_match.end() < done:
                continue
            name = name_match.group("name")[::-1]
            if not _credential(name):
                continue
            start = separator.end()
            span = _value_span(text, start, separator.group("sep")[0], bool(name_match.group("q")))
            if span is None:
                continue
            value_start, value_end, kind = span
            if name in _PAIR_NAME_KEYS and kind == "quoted" and _in_pair_object(text, value_start, value_end):
                continue  # {"key": "X-Shop", "value": ...}: "key" names the pair here, its value is shown
            replacement = _pair_value(text[value_start:value_end], kind, bool(name_match.group("q")))
            if replacement is None:
                continue
            edits.append((value_start, value_end, replacement))
            done = value_end
        return _splice(text, edits)

    # --- URLs ---------------------------------------------------------------------------------------

    def _url_match(self, match: re.Match[str]) -> str:
        url, trailing = _trim_url(match.group(0))
        return self._url(url) + trailing

    def _url(self, url: str) -> str:
        """A URL with user info, credential and token-like query values, token path segments and fragments masked."""
        if REDACTED in url:  # already masked parts: brackets would read as an IPv6 host, so set them aside
            return self._url(url.replace(REDACTED, _MASK_STAND_IN)).replace(_MASK_STAND_IN, REDACTED)
        try:
            parts = urlsplit(url)
        except ValueError:
            return REDACTED
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, host_port = netloc.rpartition("@")
            user, colon, password = userinfo.partition(":")
            shown_user = user if not user or _placeholder_or_scheme(user) else REDACTED
            shown_password = password if not password or _placeholder_or_scheme(password) else REDACTED
            netloc = f"{shown_user}{colon}{shown_password}@{host_port}"
            host = host_port
        else:
            host = netloc
        host = host.rsplit(":", 1)[0].lower()
        webhook = host in WEBHOOK_HOSTS or host.endswith(WEBHOOK_HOST_SUFFIXES)
        segments = parts.path.split("/")
        path = "/".join(self._segment(segment, webhook and index > 1) for index, segment in enumerate(segments))
        query = "&".join(self._query_pair(pair) for pair in parts.query.split("&")) if parts.query else ""
        fragment = self._fragment(parts.fragment)
        return urlunsplit(SplitResult(parts.scheme, netloc, path, query, fragment))

    def _segment(self, segment: str, webhook: bool) -> str:
        if not segment or segment == REDACTED or _placeholder_or_scheme(segment):
            return segment
        decoded = unquote(segment) if "%" in segment else segment
        if webhook and (len(decoded) >= 20 or any(c.isdigit() for c in decoded) or _random_part(decoded)):
            return REDACTED
        if (
            is_opaque_token(decoded)
            or KEY_FORMAT.search(decoded)
            or TELEGRAM_BOT_TOKEN.search(decoded)
            or self._has_known(decoded)
        ):
            return REDACTED
        if decoded != segment and self._scan(decoded, ident=False, layers=1) != decoded:
            return REDACTED
        return segment

    def _query_pair(self, pair: str) -> str:
        name, equals, value = pair.partition("=")
        if not equals:
            decoded = unquote_plus(pair)
            return pair if not pair or _placeholder_or_scheme(decoded) or _is_plain(decoded) else REDACTED
        decoded = unquote_plus(value)
        if not value or value == REDACTED or _placeholder_or_scheme(decoded):
            return pair
        if _credential(unquote_plus(name)):
            return f"{name}={REDACTED}"
        if _is_plain(decoded) and not self._has_known(decoded):
            return pair
        return f"{name}={REDACTED}"

    def _fragment(self, fragment: str) -> str:
        if not fragment:
            return fragment
        if "=" in fragment:  # "#access_token=...&state=..." (OAuth implicit flow)
            return "&".join(self._query_pair(pair) for pair in fragment.split("&"))
        decoded = unquote(fragment)
        return fragment if _placeholder_or_scheme(decoded) or _is_plain(decoded) else REDACTED

    def _has_known(self, text: str) -> bool:
        if self._known_re is None:
            return False
        if len(text) <= 64:  # one regex call beats a loop of substring searches on short strings
            return self._known_re.search(text) is not None
        return any(secret in text for secret in self._known)  # C-speed substring searches beat it on long ones


# --- value modes ---------------------------------------------------------------------------------------

_NORMAL = 0  # an ordinary field: free-text redaction, opaque tokens masked unless the field names an id
_MASKED = 1  # under a credential name, or a header's value: every string masked
_PAIRS = 2  # a params / query / env container: its objects are pairs or maps of pairs
_PAIR_STRICT = 3  # the value of a params container's pair: masked unless plain
_PAIR_LOOSE = 4  # the value of another {key, value} pair: masked if it looks like a token
_NORMAL_ID = 5  # a field named like an id: as _NORMAL, but a random-looking id stays
_HEADERS = 6  # a headers container: pairs, [name, value] lists, maps or header lines
_HARMLESS = 7  # a harmless header's value (Content-Type, Accept...): shown if it fits the header's grammar


def _pair_of(obj: Mapping[Any, Any]) -> tuple[str, str] | None:
    """``(name key, name)`` when ``obj`` is a ``{key|name|..., value}`` pair; ``("", "")`` when it has a
    value but no usable name (its value is then masked); None when it is not a pair."""
    if _PAIR_VALUE_KEYS.isdisjoint(obj):
        return None
    for name_key in _PAIR_NAME_KEYS:
        name = obj.get(name_key)
        if isinstance(name, str):
            return name_key, name
    return ("", "") if any(key in obj for key in _PAIR_NAME_KEYS) else None


def _deduplicated(shown: str, out: Mapping[str, Any]) -> str:
    """``shown#2``, ``shown#3``...: two keys that redact to the same text both stay visible."""
    index = 2
    while f"{shown}#{index}" in out:
        index += 1
    return f"{shown}#{index}"


def _pair_mode(name: str, container: int) -> int:
    """The mode of a pair's value by its name and its container: a credential's is masked; a header's
    (in a headers container, or an X- header's anywhere) masked but a harmless header's; a parameter's,
    or one named like a header elsewhere (Shop-Domain), masked unless plain; any other pair's masked if
    it looks like a token."""
    return _pair_mode_prefix(name[:200], container)


@functools.lru_cache(maxsize=4096)
def _pair_mode_prefix(name: str, container: int) -> int:
    if _credential(name):
        return _MASKED
    if container == _HEADERS or (container != _PAIRS and _X_HEADER_NAME.fullmatch(name)):
        return _HARMLESS if _harmless_header(name) else _MASKED
    return _PAIR_STRICT if container == _PAIRS or _HEADER_LIKE_NAME.fullmatch(name) else _PAIR_LOOSE


# Which of two pair modes shows less: a pair named twice ({"key": "X-Shop", "name": "Accept"}) takes it.
_STRICTNESS = {_MASKED: 4, _PAIR_STRICT: 3, _HARMLESS: 2, _PAIR_LOOSE: 1}


def _pair_value_mode(pair: Mapping[Any, Any], name: str, container: int) -> int:
    """``_pair_mode`` of a pair's value; a pair with several name fields gets the strictest of their modes."""
    mode = _pair_mode(name, container)
    if len(pair) <= 2:  # {name, value}: one name
        return mode
    for name_key in _PAIR_NAME_KEYS:
        other = pair.get(name_key)
        if isinstance(other, str) and other != name:
            mode = max(mode, _pair_mode(other, container), key=_STRICTNESS.__getitem__)
    return mode


def _safe_str(value: Any) -> str:
    """``str(value)`` for a non-string key or leaf; a value that cannot be shown (e.g. a 5,000-digit int) is masked."""
    try:
        return str(value)
    except Exception:  # any __str__ may raise; this is data, not control flow
        return REDACTED


def _value_span(text: str, start: int, sep: str, quoted_name: bool) -> tuple[int, int, str] | None:
    """Where the value after ``name<sep>`` lies: (start, end, kind), kind in quoted/structure/bare/line."""
    if start >= len(text):
        return None
    char = text[start]
    escapes = 0
    while char == "\\" and escapes < 3 and start + escapes + 1 < len(text):
        escapes += 1
        char = text[start + escapes]
    if char in "\"'":
        value_start = start + escapes + 1
        close = _closing_quote(text, value_start, char, escapes)
        if close >= 0:
            return value_start, close, "quoted"
        line = _REST_OF_LINE.match(text, value_start)
        return value_start, line.end() if line else len(text), "quoted"
    if escapes:
        return None
    if char in "{[" and not text.startswith("{{", start):
        return start, _balanced_end(text, start), "structure"
    pattern = _UNQUOTED_JSON_VALUE if quoted_name else _REST_OF_LINE if sep == ":" else _UNQUOTED_EQ_VALUE
    match = pattern.match(text, start)
    if match is None:
        return None
    if pattern is _REST_OF_LINE and match.group(0).strip() in _YAML_BLOCK_INDICATORS:
        block = _YAML_BLOCK.match(text, match.end())  # "key: |" then indented lines: all of them
        return start, block.end() if block else match.end(), "line"
    return start, match.end(), "line" if pattern is _REST_OF_LINE else "bare"


def _pair_value(value: str, kind: str, quoted_name: bool) -> str | None:
    """The masked value of a credential-named pair, or None to leave it."""
    if not value or value.startswith("[REDACTED") or _placeholder_or_scheme(value):
        return None
    if kind == "structure":
        return _mask_json_strings(value)
    if kind == "bare" and quoted_name and _JSON_LITERAL.fullmatch(value):
        return None  # "pin": 1234 in a JSON body: numbers stay, as they do in value()
    scheme, _, rest = value.partition(" ")
    if rest and scheme.lower() in _AUTH_SCHEMES:
        return None if _placeholder_or_scheme(rest) or rest.startswith(REDACTED) else f"{scheme} {REDACTED}"
    return REDACTED


def _in_pair_object(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` sits in a flat JSON object that also has a "value" (a pair's name)."""
    opening = text.rfind("{", max(0, start - 1024), start)
    closing = text.find("}", end, end + 1024)
    if opening < 0 or closing < 0 or "}" in text[opening:start] or "{" in text[end:closing]:
        return False
    return _VALUE_FIELD.search(text, opening, closing) is not None


def _pair_object_match(match: re.Match[str]) -> str:
    """A ``{"key"|"name": <credential or header name>, "value": "..."}`` object inside a string: its value
    goes (a harmless header's stays if it fits the header); a pair named twice is judged by its strictest name."""
    body = match.group(0)
    names = [found.group("name") for found in _PAIR_NAME_FIELD.finditer(body)]
    modes = [_pair_mode(name, _NORMAL) for name in names]
    if not names or all(mode in (_PAIR_LOOSE, _PAIR_STRICT) for mode in modes):
        return body
    value = _VALUE_FIELD.search(body)
    if value is None:
        return body
    escapes = len(value.group("q")) - 1
    if body[value.end() : value.end() + escapes + 1] != value.group("q"):
        return body  # not a string (a number, null, an object...): left to the other passes
    start = value.end() + escapes + 1
    close = _closing_quote(body, start, '"', escapes)
    if close < 0 or _placeholder_or_scheme(body[start:close]) or body[start:close] in ("", REDACTED):
        return body
    if all(mode == _HARMLESS for mode in modes) and all(_harmless_value(name, body[start:close]) for name in names):
        return body
    return body[:start] + REDACTED + body[close:]


def _x_headers(text: str) -> str:
    """``X-Shop: v``, ``"X-Shop": "v"`` in free text: the value of an ``X-`` header goes, its name stays."""
    edits: list[tuple[int, int, str]] = []
    done = 0
    for match in _X_HEADER_FIELD.finditer(text):
        if match.start() < done:
            continue
        name = match.group("name")
        quoted = bool(match.group("q"))
        span = _value_span(text, match.end(), ":", quoted)
        if span is None:
            continue
        start, end, kind = span
        value = text[start:end]
        if _credential(name) or (_harmless_header(name) and _harmless_value(name, value)):
            continue  # a credential's is _pairs' job; a harmless header's stays
        replacement = _pair_value(value, kind, quoted)
        if replacement is None:
            continue
        edits.append((start, end, replacement))
        done = end
    return _splice(text, edits)


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, replacement)`` span replaced (in order, not overlapping)."""
    if not edits:
        return text
    out: list[str] = []
    done = 0
    for start, end, replacement in edits:
        out.append(text[done:start])
        out.append(replacement)
        done = end
    out.append(text[done:])
    return "".join(out)


def _json_token_match(match: re.Match[str]) -> str:
    """``"name": "<one opaque token>"`` in a JSON body: masked unless the name is an id's (as in value())."""
    name, value = match.group("name"), match.group("value")
    if _id_name(name) or not is_opaque_token(value):
        return match.group(0)
    return match.group(0)[: match.start("value") - match.start(0)] + REDACTED + '"'


def _xml_match(match: re.Match[str]) -> str:
    name, value = match.group(1), match.group(2)
    if not _credential(name) or _placeholder_or_scheme(value) or value.startswith("[REDACTED"):
        return match.group(0)
    return f"<{name}>{REDACTED}</{name}>"


def _cli_match(match: re.Match[str]) -> str:
    name, value = match.group(1), match.group(2)
    if not _credential(name) or _placeholder_or_scheme(value) or value.startswith("[REDACTED"):
        return match.group(0)
    return match.group(0)[: match.start(2) - match.start(0)] + REDACTED


def _cli_user_match(match: re.Match[str]) -> str:
    credentials = match.group(2)
    if credentials.startswith("[REDACTED") or _placeholder_or_scheme(credentials):
        return match.group(0)
    return match.group(0)[: match.start(2) - match.start(0)] + REDACTED


def _user_password_match(match: re.Match[str]) -> str:
    password = match.group("pw")
    if password == REDACTED or _placeholder_or_scheme(password):
        return match.group(0)
    return match.group(0)[: match.start("pw") - match.start(0)] + REDACTED + "@"


def _scheme_match(match: re.Match[str]) -> str:
    credential = match.group(3)
    if _WORDLIKE.fullmatch(credential):
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{REDACTED}"


def _credential_words(text: str) -> str:
    """Mask what follows an auth scheme (``Bearer x``) or a credential word ("my key is x"), trying the
    patterns only where the lower-cased text has a hint word."""
    lower = text.lower()
    if len(lower) != len(text):  # lower() changed the length (rare non-ASCII): no offsets to share
        return _CONTEXT.sub(_context_match, _AUTH_SCHEME.sub(_scheme_match, text))
    edits: list[tuple[int, int, str]] = []
    done = 0
    nearby = -1  # where the next digit or 24-character run starts (what a _CONTEXT token needs)
    for hint in _HINT.finditer(lower):
        start = hint.start()
        if start < done:
            continue
        match = _AUTH_SCHEME.match(text, start) if lower.startswith(_SCHEME_WORDS, start) else None
        if match is not None and (replacement := _scheme_match(match)) != match.group(0):
            edits.append((start, match.end(), replacement))
            done = match.end()
            continue
        if nearby < start:
            found = _CONTEXT_TOKEN_NEARBY.search(text, start)
            nearby = found.start() if found else len(text) + _CONTEXT_REACH
        if nearby - start > _CONTEXT_REACH:
            continue  # no token _CONTEXT could take within reach of this word
        match = _CONTEXT.match(text, start)
        if match is not None and (replacement := _context_match(match)) != match.group(0):
            edits.append((start, match.end(), replacement))
            done = match.end()
    return _splice(text, edits)


def _context_match(match: re.Match[str]) -> str:
    token = match.group("tok")
    before = match.group(0)[: match.start("tok") - match.start(0)]
    if REDACTED in before or before.endswith(("{{", "{{ ")) or _WORDLIKE.fullmatch(token):
        return match.group(0)  # its credential is already masked, or the "token" is a {{variable}} name
    return before + REDACTED


def _run_match(match: re.Match[str]) -> str:
    """A run of 12+ token characters: key formats inside it, or the whole run if it looks random."""
    run = match.group(0)
    if _DIGIT_OR_CAPITAL.search(run) is None:
        return run
    cleaned = KEY_FORMAT.sub(REDACTED, run)
    if cleaned == run and len(run) >= 32 and _is_random_in_prose(run):
        return REDACTED
    return cleaned


def _run_match_ident(match: re.Match[str]) -> str:
    """The same in a field named like an id: formats only, a random-looking id stays."""
    run = match.group(0)
    return run if _DIGIT_OR_CAPITAL.search(run) is None else KEY_FORMAT.sub(REDACTED, run)


# --- module-level conveniences -------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _redactor(known_secrets: tuple[str, ...]) -> Redactor:
    return Redactor(known_secrets)


def redact(value: Any, known_secrets: Iterable[str] = ()) -> Any:
    """A redacted deep copy of a JSON value (see ``Redactor.value``)."""
    return _redactor(tuple(known_secrets)).value(value)


def redact_text(text: str, known_secrets: Iterable[str] = ()) -> str:
    """``text`` with its secrets masked (see ``Redactor.text``)."""
    return _redactor(tuple(known_secrets)).text(text)


def redacted(value: str, limit: int) -> str:
    """Free text quoted in a message or an error (a caller's argument, a name Revox sent): redacted,
    then cut to ``limit`` characters."""
    return redact_text(value)[:limit]


def redact_url(url: str) -> str:
    """One URL with user info, credential query values, token path segments and fragments masked."""
    return _redactor(()).text(url)
