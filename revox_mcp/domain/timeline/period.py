"""The period a question is about, and its buckets. Pure: ``now`` is passed in.

A period is given as absolute ``since``/``until`` (ISO dates or date-times; both ends inclusive, a
date as ``until`` to the end of its day; a time without an offset is UTC) or as the last N days
before ``now``. It lasts at most ``MAX_DAYS``. Its buckets are hours when it lasts ``HOURLY_UP_TO``
or less (at most 49 rows), days (UTC midnights) otherwise (at most 93 rows): short questions get
detail, a month stays one row a day.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Literal

from pydantic import PlainSerializer

from revox_mcp.domain.output import Out
from revox_mcp.errors import InputError

Bucket = Literal["hour", "day"]

MAX_DAYS = 92  # a quarter: day rows stay under a hundred
# A list of calls has no rows per day: its since/until may span longer (a drill-down over the last N
# calls of a quiet assistant spans their dates, whatever they are); the scan's cap still bounds it.
MAX_LIST_DAYS = 3_660
HOURLY_UP_TO = timedelta(hours=48)
DEFAULT_DAYS = 7
_STEP: dict[Bucket, timedelta] = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
_FORMS = "an ISO date (2026-02-03) or date-time (2026-02-03T14:00:00Z; UTC when no offset is given)"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{3}(?:\d{3})?)?)?(?:[Zz]|[+-]\d{2}:\d{2})?")


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive date-time is read as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def stamp(moment: datetime) -> float:
    """Epoch seconds of a date-time; a naive one is read as UTC."""
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)).timestamp()


def iso(moment: datetime) -> str:
    """A date-time as ``2026-02-03T14:05:09Z`` (UTC, to the second)."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def argument(moment: datetime, *, end: bool = False) -> str:
    """A moment as ``parse_period`` reads it back to the same instant: a date for a day's first
    (``end``: last) microsecond, else ISO UTC to the second or, when it has a fraction, the microsecond.
    Drill-downs name their periods so: the calls they return are exactly the ones counted."""
    moment = as_utc(moment)
    edge = datetime.max.time() if end else datetime.min.time()
    if moment.time() == edge:
        return moment.date().isoformat()
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return iso(moment)


# A date-time in structured content: ISO, UTC, to the second.
Moment = Annotated[datetime, PlainSerializer(iso, return_type=str, when_used="json")]


class PeriodView(Out):
    """The period analysed, as structured content."""

    since: Moment
    until: Moment
    bucket: Bucket
    calls: int
    complete: bool  # always shown: whether every call of the period was read
    note: str | None = None


@dataclass(frozen=True)
class Period:
    """From ``since`` to ``until``, both inclusive (UTC), cut into ``bucket``-long buckets."""

    since: datetime
    until: datetime
    bucket: Bucket

    @property
    def step(self) -> timedelta:
        return _STEP[self.bucket]

    @functools.cached_property
    def origin(self) -> datetime:
        """The start of the first bucket: ``since`` rounded down to the hour or to midnight."""
        floor = self.since.replace(minute=0, second=0, microsecond=0)
        return floor.replace(hour=0) if self.bucket == "day" else floor

    @functools.cached_property
    def _seconds(self) -> tuple[float, float, float, float]:
        """since, until, origin and step in epoch seconds: one call's bucket is then one division."""
        return (self.since.timestamp(), self.until.timestamp(), self.origin.timestamp(), self.step.total_seconds())

    def contains(self, moment: datetime) -> bool:
        return self.holds(stamp(moment))

    def holds(self, seconds: float) -> bool:
        """Whether an instant given in epoch seconds lies in the period."""
        since, until, _origin, _step = self._seconds
        return since <= seconds <= until

    def bucket_starts(self) -> list[datetime]:
        """Every bucket's start, first to last: the buckets cover the period even where no call fell."""
        count = self.bucket_of(self.until.timestamp()) + 1
        return [self.origin + i * self.step for i in range(count)]

    def bucket_index(self, moment: datetime) -> int:
        """The position of the bucket holding ``moment`` (which should lie in the period)."""
        return self.bucket_of(stamp(moment))

    def bucket_of(self, seconds: float) -> int:
        """The position of the bucket holding an instant in epoch seconds (which should lie in the period)."""
        _since, _until, origin, step = self._seconds
        return math.floor((seconds - origin) / step)

    def view(self, calls: int, *, complete: bool = True, note: str | None = None) -> PeriodView:
        """As structured content: with how many calls were analysed, whether that was all, and why not."""
        return PeriodView(
            since=self.since, until=self.until, bucket=self.bucket, calls=calls, complete=complete, note=note
        )


def _moment(argument: str, given: str, *, end: bool) -> datetime:
    """One end of a period; a date as the end means the last microsecond of that day."""
    value = given.strip()
    try:
        if _DATE.fullmatch(value):
            day = datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=timezone.utc)
            return day + timedelta(days=1, microseconds=-1) if end else day
        if _DATE_TIME.fullmatch(value):
            # Python 3.10's fromisoformat knows no "Z"; the pattern above has already fixed the form.
            return as_utc(datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", value)))
    except ValueError:  # a well-formed but impossible date (2026-02-30) or offset
        pass
    raise InputError(f"{argument}: {given[:40]!r} is not {_FORMS}")


def _bucket(length: timedelta) -> Bucket:
    return "hour" if length <= HOURLY_UP_TO else "day"


def parse_period(
    since: str | None = None,
    until: str | None = None,
    last_days: int | None = None,
    *,
    now: datetime,
    default_days: int = DEFAULT_DAYS,
    max_days: int = MAX_DAYS,
) -> Period:
    """The period the arguments name, checked; raises ``InputError`` with a one-line fix.

    ``last_days`` counts back from ``now``, to the microsecond. ``since`` alone runs to ``now``;
    ``until`` alone starts ``default_days`` before it; nothing at all is the last ``default_days``.
    An ``until`` after ``now`` ends the period at ``now`` (no call lies ahead; the view shows the end).
    ``since``/``until`` span at most ``max_days`` (``last_days`` at most ``MAX_DAYS``).
    """
    now = as_utc(now)
    if last_days is not None:
        if since is not None or until is not None:
            raise InputError("days: give either days (the last N days) or since/until, not both")
        if not 1 <= last_days <= MAX_DAYS:
            raise InputError(f"days: give a whole number of days from 1 to {MAX_DAYS}")
        start = now - timedelta(days=last_days)
        return Period(start, now, _bucket(now - start))
    end = _moment("until", until, end=True) if until is not None else now
    start = _moment("since", since, end=False) if since is not None else end - timedelta(days=default_days)
    if start > now:
        raise InputError(f"since: {iso(start)} is in the future (now is {iso(now)}); give {_FORMS}")
    end = min(end, now)
    if start > end:
        raise InputError(f"since ({iso(start)}) is after until ({iso(end)}); give since <= until")
    if end - start > timedelta(days=max_days):
        days = math.ceil((end - start) / timedelta(days=1))
        raise InputError(f"since/until: the period spans {days} days; at most {max_days} (move since or until)")
    return Period(start, end, _bucket(end - start))
