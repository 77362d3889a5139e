"""How Revox is asked for calls: ``POST /call/search``'s body, its page base, its sort and its page-size cap.

The SDK (0.5.0) says what the body holds. Revox documents none of the rest, so each is learnt per
key from Revox's own answers and remembered in bounded maps:

* the page base: the removed ``GET /call`` counted pages from 0. The first page is asked as page 0
  and, when Revox refuses that (400/422), as page 1. No later page is asked before the base is
  known: a 1-based Revox would serve "page 1" as its first page without complaint.
* the order: ``sort_by``'s values are undocumented; ``created_at`` (newest first) is asked, and
  dropped when Revox refuses it, which the page says.
* the page-size cap: fewer calls than asked while more exist after them means Revox caps the page.

Nothing here reads a call: the raw list goes back to the caller, which cleans it.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from revox_mcp.cache.memo import LRU
from revox_mcp.credential import fingerprint_of
from revox_mcp.errors import RevoxResponseError, RevoxStatusError

if TYPE_CHECKING:
    from revox_mcp.api.payload import Reply

# The arrays the SDK marks required: always sent, empty meaning "no filter".
REQUIRED_ARRAYS = (
    "assignee_ids",
    "assistant_ids",
    "campaign_ids",
    "directions",
    "from_phone_numbers",
    "outcomes",
    "results",
    "statuses",
)
# sort_by's values are undocumented: this one is a guess, dropped when Revox refuses it.
SORT_BY = "created_at"
# What Revox answers to a body it does not accept (a page it does not count from, an unknown sort).
_REFUSED = (400, 422)


@dataclass(frozen=True)
class CallQuery:
    """One page of a call search: filters by array name (``{"statuses": ["completed"]}``), free text,
    the page counted from 0 whatever Revox's base, and the page size asked."""

    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    text: str | None = None
    page: int = 0
    page_size: int = 20

    def __post_init__(self) -> None:
        unknown = sorted(set(self.filters) - set(REQUIRED_ARRAYS))
        if unknown:
            raise ValueError(f"not a call search array: {', '.join(unknown)}")
        if self.page < 0 or self.page_size < 1:
            raise ValueError("page counts from 0 and page_size from 1")

    def first(self) -> CallQuery:
        return CallQuery(self.filters, self.text, 0, self.page_size)

    def body(self, *, base: int, sort: bool) -> dict[str, Any]:
        """The request body: every required array (empty: no filter), the page in Revox's count, the order."""
        body: dict[str, Any] = {name: list(self.filters.get(name, ())) for name in REQUIRED_ARRAYS}
        body["page"] = base + self.page
        body["page_size"] = self.page_size
        if self.text:
            body["query"] = self.text
        if sort:
            body["sort_by"] = SORT_BY
            body["sort_direction"] = "desc"
        return body


@dataclass(frozen=True)
class SearchPage:
    """One page as Revox sent it: the raw calls (to be cleaned), ``total_count`` (None when absent or
    unusable), how many calls came, whether they are newest first, and the page-size cap learnt for
    the key so far (None: none seen). ``size`` and ``dropped``: the body's bytes and the entries
    dropped while parsing it."""

    calls: list[Any]
    total: int | None
    received: int
    sorted: bool
    cap: int | None
    size: int = 0
    dropped: int = 0


@dataclass(frozen=True)
class _Style:
    """How a key's Revox pages: the number of its first page, and whether it accepts the sort."""

    base: int
    sort: bool


# Tried in this order until Revox accepts one: sorted first, 0-based first.
_STYLES = (_Style(0, True), _Style(1, True), _Style(0, False), _Style(1, False))

Post = Callable[[str, Mapping[str, Any]], Awaitable["Reply"]]


class CallSearch:
    """``POST /call/search`` for any key: the body, the page base, the sort and the cap, learnt for
    each of the last ``max_keys`` keys used."""

    def __init__(self, post: Post, max_keys: int) -> None:
        self._post = post
        self._styles: LRU[str, _Style] = LRU(max_keys)
        self._caps: LRU[str, int] = LRU(max_keys)

    def cap(self, key: str) -> int | None:
        """The most calls Revox returned per page for this key, once it returned fewer than asked."""
        return self._caps.get(fingerprint_of(key))

    async def page(self, key: str, query: CallQuery) -> SearchPage:
        fingerprint = fingerprint_of(key)
        style = self._styles.get(fingerprint)
        if style is None:
            style, first = await self._learn(key, fingerprint, query.first())
            if query.page == 0:
                return first
        reply = await self._post(key, query.body(base=style.base, sort=style.sort))
        return self._read(fingerprint, query, reply, style.sort)

    async def _learn(self, key: str, fingerprint: str, query: CallQuery) -> tuple[_Style, SearchPage]:
        """Ask the first page in each style until Revox accepts one; remember that style."""
        refused: RevoxStatusError | None = None
        for style in _STYLES:
            try:
                reply = await self._post(key, query.body(base=style.base, sort=style.sort))
            except RevoxStatusError as exc:
                if exc.status not in _REFUSED:
                    raise
                refused = exc
                continue
            self._styles.put(fingerprint, style)
            return style, self._read(fingerprint, query, reply, style.sort)
        assert refused is not None
        raise refused

    def _read(self, fingerprint: str, query: CallQuery, reply: Reply, sort: bool) -> SearchPage:
        value = reply.value
        if not isinstance(value, Mapping) or not isinstance(value.get("calls"), list):
            raise RevoxResponseError('expected an object with a "calls" list')
        calls: list[Any] = value["calls"]
        total = _count(value.get("total_count"))
        received = len(calls)
        cap = self._caps.get(fingerprint)
        if 0 < received < query.page_size and total is not None and query.page * query.page_size + received < total:
            # Fewer than asked while more exist after them: Revox caps the page size.
            cap = self._caps.put(fingerprint, min(received, cap or received))
        return SearchPage(calls, total, received, sort, cap, reply.size, reply.dropped)


def _count(value: Any) -> int | None:
    """``total_count`` when it is a usable count (a finite number, 0 or more), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if math.isfinite(value) and value >= 0 else None
