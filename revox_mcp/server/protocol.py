"""Protocol niceties of the current revision: cache hints (SEP-2549) and the server's icon."""

from __future__ import annotations

from urllib.parse import quote

from mcp.server import CacheHint
from mcp.server.caching import CacheableMethod
from mcp.types import Icon

# Lists and reads are Revox data seen through our TTL cache: a client may reuse them as long as we
# would, and only for the same credentials ("private": the answer depends on the API key).
CACHED_METHODS: tuple[CacheableMethod, ...] = (
    "tools/list",
    "prompts/list",
    "resources/list",
    "resources/templates/list",
    "resources/read",
)


def cache_hints(ttl_seconds: float | None) -> dict[CacheableMethod, CacheHint] | None:
    """``ttlMs`` from our cache TTL and ``cacheScope: "private"`` on every list and read result."""
    if ttl_seconds is None:
        return None
    hint = CacheHint(ttl_ms=max(0, round(ttl_seconds * 1000)), scope="private")
    return dict.fromkeys(CACHED_METHODS, hint)


# A sound wave on a rounded square, inline (no URL to fetch, nothing to host) and tiny: on 2026-07-28
# the SDK stamps serverInfo, icons included, into every result's _meta. Tools stay icon-less.
_ICON_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><rect width='16' height='16' rx='4' fill='#4f46e5'/>"
    "<path d='M3 8h2l1-3 2 7 2-8 1 4h2' fill='none' stroke='#fff' stroke-width='1.5'/></svg>"
)
ICONS = [Icon(src="data:image/svg+xml," + quote(_ICON_SVG, safe="/:='"), mime_type="image/svg+xml")]
