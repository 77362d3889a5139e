"""Every call of a period, read from Revox, which has no date filter: newest first, page by page.

``POST /call/search`` filters by assistant, status, outcome, result and direction, never by date.
A period is therefore read from the newest call down, sorted by ``created_at`` when Revox accepts
the sort (``api.search``): the scan stops at the first page older than ``since``. When Revox
refuses the sort, the order is Revox's, so every page up to the cap is read, and the answer says
so. Either way the scan stops at ``period_max_calls`` calls, and says what that left out.

Pages are read ``period_concurrency`` at a time per key (a limiter shared by every caller of the
key), each through the cache: one cache entry per page, so the cache's per-key back-off and
request budget (``REVOX_MCP_KEY_RATE_LIMIT``) hold for every page. A page keeps compact records
(``domain.timeline.record``), not whole calls. The newest page is kept as long as a search; the
others are named after it (its content's digest) and kept longer: while the newest page is the
same, so are the pages behind it, and a repeated question reads nothing from Revox.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import anyio

from revox_mcp.cache.memo import LRU
from revox_mcp.cache.store import Cached
from revox_mcp.credential import Credential
from revox_mcp.domain.timeline.period import MAX_DAYS, Period, iso, parse_period
from revox_mcp.domain.timeline.record import CallRecord
from revox_mcp.service.data import RecordPage, RevoxData

# Revox's largest page is unknown: this much is asked, less is read when Revox caps it.
PAGE_SIZE = 100


@dataclass(frozen=True, eq=False)
class Scan:
    """The calls a scan read (newest first: by creation time, then id), and how far it got.

    ``complete``: every call it was asked for was read (down to ``since``, or the ``want`` newest,
    or the whole list); else the cap stopped it at ``reached`` (the oldest call read). ``pages``:
    the pages read (from the cache or from Revox); ``cached``: the stalest of them, for freshness.
    """

    records: list[CallRecord]
    version: str  # names the content of every page read: the same version, the same records
    sorted: bool
    complete: bool
    reached: float | None
    total: int | None
    pages: int
    cap: int
    cached: Cached[RecordPage]

    def slice(self, period: Period) -> tuple[int, int]:
        """Where the period's calls are in ``records`` (newest first, those without a time last): one slice."""
        created = self.created
        end = bisect.bisect_right(created, -period.since.timestamp())
        first = bisect.bisect_left(created, -period.until.timestamp(), 0, end)
        return first, end

    @functools.cached_property
    def created(self) -> list[float]:
        """The records' creation times, negated (ascending, as bisect wants); none for those without."""
        return [-(r.created) for r in self.records if r.created is not None]

    def in_period(self, period: Period) -> list[CallRecord]:
        first, end = self.slice(period)
        return self.records[first:end]

    def note(self, period: Period | None = None) -> str | None:
        """What the scan could not do, in a sentence (None: nothing to say)."""
        notes: list[str] = []
        if not self.sorted:
            notes.append(
                "Revox refused sort_by=created_at, so the calls came in its own order: "
                + ("every page was read" if self.complete else f"the first {self.cap} were read")
            )
        if not self.complete:
            where = f" back to {iso_of(self.reached)}" if self.reached is not None and self.sorted else ""
            since = f"; calls from {iso(period.since)} to then were not read" if period and self.sorted else ""
            notes.append(
                f"stopped at the cap of {self.cap} calls read (Revox has no date filter: a period is read "
                f"newest first){where}{since}; narrow the period"
            )
        return "; ".join(notes) or None


def iso_of(seconds: float | None) -> str:
    return iso(datetime.fromtimestamp(seconds, tz=timezone.utc)) if seconds is not None else "?"


class PeriodScans:
    """Period scans for any credential, over ``RevoxData``'s record pages."""

    def __init__(self, data: RevoxData) -> None:
        self.data = data
        # The records of a scan's pages, newest first, by the pages' content: a repeat sorts nothing.
        self._sorted: LRU[str, list[CallRecord]] = LRU(16)

    def period(self, since: str | None, until: str | None, days: int | None, *, max_days: int = MAX_DAYS) -> Period:
        """The period the arguments name, against the data's now (InputError with the fix when unusable)."""
        return parse_period(
            since, until, days, now=self.data.now(), default_days=self.data.settings.period_days, max_days=max_days
        )

    async def scan(
        self,
        cred: Credential,
        filters: Mapping[str, Sequence[str]],
        query: str | None = None,
        *,
        since: float | None = None,
        want: int | None = None,
        size: int = PAGE_SIZE,
    ) -> Scan:
        """The calls matching ``filters`` (and free text ``query``), newest first, down to ``since``
        (epoch seconds) or until ``want`` calls are read, at most ``period_max_calls``."""
        data = self.data
        limiter = data.page_limiter(cred)
        size = min(size, data.page_cap(cred) or size)
        cap = data.settings.period_max_calls if want is None else min(want, data.settings.period_max_calls)
        async with limiter:
            first = await data.record_page(cred, filters, query, 0, size)
        page = first.value
        if 0 < page.received < size and page.total is not None and page.received < page.total:
            size = page.received  # Revox caps its pages: the next ones are asked in its size
        last = max(math.ceil(cap / size), 1) - 1
        if page.total is not None:
            last = min(last, max(math.ceil(page.total / size), 1) - 1)
        pages: dict[int, Cached[RecordPage]] = {0: first}
        generation = page.generation
        stop = 0 if self._ends(page, size, since, want, page.received) else None
        failure: list[BaseException] = []

        async def fetch(number: int) -> None:
            async with limiter:
                try:
                    pages[number] = await data.record_page(cred, filters, query, number, size, generation)
                except Exception as exc:  # the first failure ends the scan; raised below, typed
                    failure.append(exc)

        # In waves of at most `period_concurrency` pages, no further than the calls read so far say
        # the period reaches: a wave never asks many pages the period does not need.
        following = 1
        while stop is None and following <= last:
            ahead = _ahead(pages, since, want, size, following, page.sorted)
            at_once = max(data.settings.period_concurrency, 1)
            wave = range(following, min(following + at_once, following + ahead, last + 1))
            async with anyio.create_task_group() as group:
                for number in wave:
                    group.start_soon(fetch, number)
            if failure:
                raise failure[0]
            stop = next((n for n in wave if self._ends(pages[n].value, size, since, want, (n + 1) * size)), None)
            following = wave[-1] + 1
        stop = last if stop is None else stop
        read = [pages[number] for number in sorted(pages) if number <= stop]
        version = _digest([cached.value.generation for cached in read])
        records = self._sorted.get(version)
        if records is None:
            records = self._sorted.put(version, _newest_first(read))
        reached = min((r.created for r in records if r.created is not None), default=None)
        ended = self._ends(read[-1].value, size, since, want, len(read) * size)
        complete = ended or (page.total is not None and len(read) * size >= page.total)
        if want is not None and len(records) >= want:
            complete = True
        stalest = max(read, key=lambda cached: (cached.stale, cached.age))
        return Scan(records, version, page.sorted, complete, reached, page.total, len(read), cap, stalest)

    @staticmethod
    def _ends(page: RecordPage, size: int, since: float | None, want: int | None, read: int) -> bool:
        """Whether nothing after this page is wanted: the list ends here, or (newest first) the page
        reaches back before ``since``, or ``want`` calls have been read by its end."""
        if page.received < size:
            return True
        if want is not None and read >= want:
            return True
        oldest = page.oldest
        return page.sorted and since is not None and oldest is not None and oldest < since


def _ahead(
    pages: Mapping[int, Cached[RecordPage]],
    since: float | None,
    want: int | None,
    size: int,
    following: int,
    sorted_: bool,
) -> int:
    """How many more pages the scan seems to need (at least 1): to read ``want`` calls, or (newest first)
    to reach ``since`` at the pace of the calls read so far. Unknown: as many as may be asked at once."""
    if want is not None:
        return max(math.ceil(want / size) - following, 1)
    oldest = min((p.value.oldest for p in pages.values() if p.value.oldest is not None), default=None)
    newest = max((p.value.newest for p in pages.values() if p.value.newest is not None), default=None)
    if not sorted_ or since is None or oldest is None or newest is None:
        return 1_000_000
    per_page = (newest - oldest) / following
    if per_page <= 0:
        return 1_000_000
    return max(math.ceil((newest - since) / per_page) - following, 1)


def _digest(parts: Sequence[str]) -> str:
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def _newest_first(pages: Sequence[Cached[RecordPage]]) -> list[CallRecord]:
    """The records of the pages, each call once (its first place), newest first (ties by id; calls
    without a creation time last, in the order read)."""
    seen: set[str] = set()
    unique: list[CallRecord] = []
    for cached in pages:
        for record in cached.value.records:
            if record.id not in seen:
                seen.add(record.id)
                unique.append(record)
    timed = sorted((r for r in unique if r.created is not None), key=lambda r: (-(r.created or 0.0), r.id))
    return timed + [r for r in unique if r.created is None]
