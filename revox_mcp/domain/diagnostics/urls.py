"""URLs: http(s) only (V23, V32, V40), https preferred and no credential inside (X25); the precall lookup (V40).

URLs are quoted as scheme and host only: query strings and user info may hold secrets.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, urlsplit

from revox_mcp.domain.diagnostics.context import Context, Problems, is_credential_name, is_filled, is_literal, quote
from revox_mcp.domain.diagnostics.reference import CACHED_TEXT_MAX
from revox_mcp.domain.facts import placeholders
from revox_mcp.domain.text import REDACTED

# Ingest replaces each secret with the redaction marker; read the marker as the literal it stands for
# (its brackets in user info would otherwise make urlsplit look for an IPv6 address).
_MARKER_STAND_IN = "redacted"


def check_url(ctx: Context, url: str, path: str) -> None:
    """An http(s) URL, preferably https, with no credential in it (X25)."""
    problems = _url_problems(url) if len(url) <= CACHED_TEXT_MAX else _url_problems.__wrapped__(url)
    if problems:
        ctx.add_all(problems, path)


@functools.lru_cache(maxsize=1024)  # webhook and tool URLs recur across assistants
def _url_problems(url: str) -> Problems:
    templated = url.lstrip().startswith("{{")  # a base URL filled from a variable: scheme unknown
    try:
        parts = urlsplit(url.replace(REDACTED, _MARKER_STAND_IN) if REDACTED in url else url)
        hostname, user_info = parts.hostname or "", parts.username or parts.password
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return (("url.invalid", {}),)
    scheme = parts.scheme.lower()
    if not templated and (scheme not in ("http", "https") or not parts.netloc):
        return (("url.invalid", {}),)
    problems: list[tuple[str, dict[str, str]]] = []
    if scheme == "http":
        problems.append(("security.insecure_url", {"host": quote(f"http://{hostname}")}))
    if user_info:  # a user name alone is a credential too (https://TOKEN@host, https://sk_live_...:@host)
        problems.append(("security.credential_in_url", {"what": "a user name or password"}))
    if parts.query:
        names = sorted(
            {
                name
                for name, value in parse_qsl(parts.query[:10_000], keep_blank_values=True)
                if is_credential_name(name) and is_literal(value)
            }
        )
        if names:
            shown = ", ".join(quote(name) for name in names[:3])
            problems.append(("security.credential_in_url", {"what": f"a credential in its query string ({shown})"}))
    return tuple(problems)


def check_urls(ctx: Context) -> None:
    """The assistant's own URLs: the webhook and the precall lookup (tool and LLM URLs are checked with them)."""
    webhook = ctx.get("webhook_url")
    if is_filled(webhook):
        check_url(ctx, webhook, "webhook_url")
    lookup = ctx.get("precall_lookup_url")
    if is_filled(lookup):
        check_url(ctx, lookup, "precall_lookup_url")
        if "phone" not in placeholders(lookup):
            ctx.add("precall.missing_phone_placeholder", "precall_lookup_url")
