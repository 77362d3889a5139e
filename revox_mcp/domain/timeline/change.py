"""When a rate or a latency shifted over a period, with an honest significance. Pure.

A metric is a sequence over the calls it applies to, oldest first: 0/1 for a rate (did the call end
with ``user_rejected``? among calls that ended at all), a number for a latency (the call's median
LLM first-token time). A change point splits it into a before and an after that differ.

How a split is found, and why it can be believed:
- **Where a split may fall.** Only at bucket boundaries (the hours or days of the series) and at
  the times of known configuration changes; a shift that starts at a prompt edit is placed exactly
  there. Both sides need ``MIN_SEGMENT`` calls (see below).
- **The test at each split.** Two proportions: the pooled z-test, or Fisher's exact test when an
  expected count is under 5. Latency: the Mann-Whitney U rank test (exact for small untied
  samples), which needs no assumption about the shape of latencies and shrugs off outliers.
- **Placing it.** A change found at a bucket boundary is then placed where the test statistic
  peaks over all the calls of its segment (its significance stays the boundary's), or at a
  configuration change within a bucket of that peak whose own split passes the same test. A shift
  in the middle of a day is one change at its call, not two steps at two midnights.
- **The search is paid for.** A metric tried at K splits reports K times the smallest p (Bonferroni: valid
  whatever the correlation between neighbouring splits), and the M metrics are corrected with
  Holm's step-down method. On an assistant that did not change, the chance that anything at all is
  reported is at most ``ALPHA``, whatever the number of metrics and splits looked at.
- **More than one change.** Binary segmentation: once a metric's first split is significant, each
  side is searched again (at level ALPHA / M), most significant first, up to ``MAX_CHANGES``.
  Each change is then re-tested between its neighbours (the counts shown are those of the
  adjacent segments), and one that no longer passes is dropped.
- **Too few calls to tell.** A change needs ``MIN_SEGMENT`` = 20 calls on each side: below that a
  share's standard error can exceed 11 points, so "before" and "after" would not mean much, and a
  burst of a dozen odd calls cannot become a segment of its own (a wobble over 12 calls is not a
  change). Splits with ``FLOOR`` = 5 to 19 calls on a side are tried too, under the same
  correction; when such a split is the most significant and passes, it is reported as "too few
  calls to tell" (its counts, no p-value: the calls since a prompt edit an hour ago, say), and the
  search goes on in its longer side. With fewer than 5 on a side no test could pass after
  correction, so none is tried.
"""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from pydantic import Field

from revox_mcp.domain.output import Out
from revox_mcp.domain.timeline.config import ConfigChange, Source
from revox_mcp.domain.timeline.observation import METRIC_PATTERNS, CallObservation, call_median, in_period
from revox_mcp.domain.timeline.period import Moment, Period, argument, iso, stamp
from revox_mcp.domain.timeline.stats import TestResult, holm, mann_whitney_p, midranks, proportions, significance

Kind = Literal["rate", "latency"]

ALPHA = 0.05
MIN_SEGMENT = 20
FLOOR = 5
MAX_CHANGES = 3  # per metric
MAX_POINTS = 12  # per answer: the most significant
TOP_CATEGORIES = 5  # per kind of category (end reason, dial error, outcome, tool)
MIN_EVENTS = 5  # a category seen fewer times in the period is not tried: it cannot shift visibly
TOO_FEW = "too few calls to tell"


class Side(Out):
    """One side of a change: ``count`` of ``of`` calls for a rate (value: the share), or ``of`` calls
    and their median latency in ms (value) for a latency."""

    count: int | None = None
    of: int
    value: float


class Cause(Out):
    """The configuration change a change point is attributed to (its entry in ``config_changes``, at the
    same time and of the same kind, carries what changed). From calls: the last call with the old
    configuration and the first with the new one."""

    at: Moment
    source: Source
    kind: str
    fields: list[str]
    summary: str
    last_before: Moment | None = None
    calls: list[str] | None = Field(None, description="last call before, first call after")


class ChangePoint(Out):
    """A shift in one metric: from the first call after the split on, the metric differs."""

    metric: str  # "end_reason=user_rejected", "voicemail", "llm_ttft_ms", ...
    kind: Kind
    at: Moment
    before: Side
    after: Side
    p_value: float | None = None  # corrected for every split and metric tried; None: too few calls
    significance: str
    test: str
    cause: Cause | None = None
    # list_calls arguments for the calls behind "after" (the caller adds assistant_id and status): for a
    # rate those that show it (count), for a latency those measured (of)
    drill_down: dict[str, str] = Field(default_factory=dict)


# --- metrics ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One sequence tested for a shift, over the calls it applies to, oldest first."""

    name: str
    kind: Kind
    times: list[float]  # epoch seconds
    values: list[float]  # 0/1 for a rate, milliseconds for a latency
    drill: dict[str, str]  # the list_calls filter that names the calls counted


def _frequent(groups: Iterable[tuple[str, ...]]) -> list[str]:
    """The categories worth a metric: the most frequent, each seen in at least MIN_EVENTS calls."""
    counts: dict[str, int] = {}
    for names in groups:
        for name in names if len(names) < 2 else set(names):
            counts[name] = counts.get(name, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [name for name, count in ranked[:TOP_CATEGORIES] if count >= MIN_EVENTS]


def _categories(label: str, shown: list[tuple[str, ...]], times: list[float]) -> list[Metric]:
    """A rate per frequent category: does the call show it? (One pass over the calls.)"""
    chosen = _frequent(shown)
    columns = {name: [0.0] * len(shown) for name in chosen}
    for index, names in enumerate(shown):
        for name in names:
            column = columns.get(name)
            if column is not None:
                column[index] = 1.0
    return [Metric(f"{label}={name}", "rate", times, columns[name], {label: name}) for name in chosen]


def _rate(name: str, hits: list[bool], times: list[float], drill: dict[str, str] | None = None) -> Metric:
    return Metric(name, "rate", times, [1.0 if hit else 0.0 for hit in hits], drill or {"pattern": name})


def _latency(
    name: str, calls: Sequence[CallObservation], values: list[tuple[float, ...]], times: list[float]
) -> Metric:
    shows = METRIC_PATTERNS[name]
    kept = [index for index, call in enumerate(calls) if shows(call)]
    medians = [call_median(values[i]) or 0.0 for i in kept]
    return Metric(name, "latency", [times[i] for i in kept], medians, {"pattern": name})


def metrics_of(calls: Sequence[CallObservation]) -> list[Metric]:
    """Every metric tried over calls given oldest first (``in_period``). A category is tried when it is among the
    most frequent over the whole period: a choice blind to order, so it cannot favour any split.

    Rates are shares of the calls they can apply to: end reasons of calls that ended, dial errors,
    voicemail and reaching a person of calls dialled, tool errors of calls that used a tool (that
    tool, for one tool's errors), outcomes of all calls. Latencies are per call (the median of its
    turns): turns of one call are not independent, calls are.
    """
    times = [stamp(call.at) for call in calls]
    ended = [call for call in calls if call.end_reasons]
    dialled = [call for call in calls if call.attempts > 0]
    used_tools = [call for call in calls if call.tool_results]
    ended_times = [time for call, time in zip(calls, times, strict=True) if call.end_reasons]
    dialled_times = [time for call, time in zip(calls, times, strict=True) if call.attempts > 0]
    tool_times = [time for call, time in zip(calls, times, strict=True) if call.tool_results]
    found = _categories("end_reason", [call.end_reasons for call in ended], ended_times)
    found += _categories("dial_error", [call.dial_errors for call in dialled], dialled_times)
    found += _categories("outcome", [(call.outcome,) if call.outcome else () for call in calls], times)
    for name in ("voicemail", "reached_person"):
        found.append(_rate(name, [METRIC_PATTERNS[name](call) for call in dialled], dialled_times))
    found.append(_rate("tool_errors", [METRIC_PATTERNS["tool_errors"](call) for call in used_tools], tool_times))
    for tool in _frequent(call.tool_errors for call in used_tools):
        using = [index for index, call in enumerate(used_tools) if tool in call.tool_results]
        hits = [tool in used_tools[index].tool_errors for index in using]
        found.append(_rate(f"tool_error={tool}", hits, [tool_times[index] for index in using], {"tool_error": tool}))
    found.append(_latency("llm_ttft_ms", calls, [call.llm_ttft_ms for call in calls], times))
    found.append(_latency("tts_ttfb_ms", calls, [call.tts_ttfb_ms for call in calls], times))
    return found


# --- one segment's tests ----------------------------------------------------------------------------


class _Segment:
    """The calls lo..hi-1 of a metric, ready to test any split (before: lo..split-1, after: split..hi-1)."""

    def __init__(self, metric: Metric, lo: int, hi: int, values_prefix: list[float]) -> None:
        self.metric, self.lo, self.hi = metric, lo, hi
        self.tie_term = 0.0
        if metric.kind == "rate":
            self.prefix = values_prefix  # shared by every segment of the metric
            return
        # The rank test compares the two parts of this segment: ranks within it.
        ranked = midranks(metric.values[lo:hi])
        self.prefix = [0.0] * (lo + 1)
        self.prefix += itertools.accumulate(ranked.ranks)
        self.tie_term = ranked.tie_term

    def test(self, split: int) -> TestResult:
        n1, n2 = split - self.lo, self.hi - split
        first = self.prefix[split] - self.prefix[self.lo]
        if self.metric.kind == "rate":
            return proportions(round(first), n1, round(self.prefix[self.hi] - self.prefix[split]), n2)
        return mann_whitney_p(first - n1 * (n1 + 1) / 2, n1, n2, self.tie_term)

    def peak(self, first: int, last: int) -> int:
        """The split from ``first`` to ``last`` where the standardised difference is largest (ties:
        the earliest): the z of the two-proportion test, or of the rank sum. One pass, no p-values."""
        lo, hi, prefix = self.lo, self.hi, self.prefix
        size, total = hi - lo, prefix[hi] - prefix[lo]
        if self.metric.kind == "rate":
            # The pooled share is the segment's whatever the split: |difference of shares| / sqrt(1/n1 + 1/n2).
            scores = [
                abs((total - (prefix[s] - prefix[lo])) / (hi - s) - (prefix[s] - prefix[lo]) / (s - lo))
                / math.sqrt(1 / (s - lo) + 1 / (hi - s))
                for s in range(first, last + 1)
            ]
        else:
            # |U - n1*n2/2| / sqrt(n1*n2): the tie term is the segment's whatever the split.
            scores = [
                abs(prefix[s] - prefix[lo] - (s - lo) * (s - lo + 1) / 2 - (s - lo) * (hi - s) / 2)
                / math.sqrt((s - lo) * (hi - s) * (size + 1))
                for s in range(first, last + 1)
            ]
        return first + scores.index(max(scores))


def _side(metric: Metric, start: int, end: int) -> Side:
    values = metric.values[start:end]
    if metric.kind == "rate":
        hits = round(sum(values))
        return Side(count=hits, of=len(values), value=round(hits / len(values), 3))
    return Side(of=len(values), value=round(statistics.median(values)))


@dataclass(frozen=True)
class _Best:
    split: int
    result: TestResult

    @property
    def key(self) -> tuple[float, float, int]:
        """Smallest p first; |z| orders p-values that underflowed to 0; then the earlier split."""
        return (self.result.p_value, -self.result.strength, self.split)


@dataclass(frozen=True)
class _Scan:
    """A segment searched: how many splits were tried, and the best with at least MIN_SEGMENT calls
    on each side (main) and the best with fewer on one side (small)."""

    segment: _Segment
    tried: int
    main: _Best | None
    small: _Best | None

    def corrected(self, best: _Best | None) -> float:
        """Bonferroni over the splits tried in this segment."""
        return min(1.0, best.result.p_value * self.tried) if best is not None else 1.0


def _scan(segment: _Segment, positions: Sequence[int]) -> _Scan:
    first = bisect.bisect_left(positions, segment.lo + FLOOR)
    last = bisect.bisect_right(positions, segment.hi - FLOOR)
    main: _Best | None = None
    small: _Best | None = None
    for split in positions[first:last]:
        best = _Best(split, segment.test(split))
        if min(split - segment.lo, segment.hi - split) >= MIN_SEGMENT:
            main = best if main is None or best.key < main.key else main
        else:
            small = best if small is None or best.key < small.key else small
    return _Scan(segment, last - first, main, small)


# --- one metric's changes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Correction:
    """What a split's p-value is multiplied by: the splits tried where it was found, and the metrics."""

    splits: int
    factor: int  # for the metrics: Holm's multiplier at a metric's first search, M further down
    method: str  # "Holm" for a metric's first search, "Bonferroni" for the searches of its parts

    def apply(self, p_value: float) -> float:
        return min(1.0, p_value * self.splits * self.factor)


@dataclass(frozen=True)
class _Found:
    split: int  # where the change is placed
    lo: int
    hi: int
    result: TestResult  # at ``tested``, between the neighbours (a change) or within its segment (too few)
    correction: _Correction
    tested: int  # the split tried on the grid, which the p-value is about
    too_few: bool = False

    @property
    def p_value(self) -> float:
        return self.correction.apply(self.result.p_value)


@dataclass(frozen=True)
class _Accepted:
    tested: int
    correction: _Correction
    result: TestResult  # where it was found


class _Search:
    """Binary segmentation of one metric, once its first search passed Holm's step for it. A change
    at a configuration change's split stays there; one at a bucket boundary is placed (``place``)."""

    def __init__(
        self, metric: Metric, positions: list[int], pinned: frozenset[int], top: _Scan, factors: tuple[int, int]
    ) -> None:
        self.metric, self.positions, self.pinned = metric, positions, pinned
        self.whole = (0, len(metric.values))
        self.holm_factor, self.metrics = factors
        self.scans: dict[tuple[int, int], _Scan] = {self.whole: top}
        self.segments: dict[tuple[int, int], _Segment] = {self.whole: top.segment}

    def segment(self, lo: int, hi: int) -> _Segment:
        if (lo, hi) not in self.segments:
            self.segments[lo, hi] = _Segment(self.metric, lo, hi, self.segments[self.whole].prefix)
        return self.segments[lo, hi]

    def scan(self, lo: int, hi: int) -> _Scan:
        if (lo, hi) not in self.scans:
            self.scans[lo, hi] = _scan(self.segment(lo, hi), self.positions)
        return self.scans[lo, hi]

    def correction(self, scan: _Scan) -> _Correction:
        if (scan.segment.lo, scan.segment.hi) == self.whole:
            return _Correction(scan.tried, self.holm_factor, "Holm")
        return _Correction(scan.tried, self.metrics, "Bonferroni")

    def passes(self, scan: _Scan, best: _Best | None, alpha: float) -> bool:
        return best is not None and self.correction(scan).apply(best.result.p_value) < alpha

    def place(self, scan: _Scan, split: int, step: float, alpha: float) -> int:
        """Where a change found at ``split`` lies: where the statistic peaks over the segment (both
        sides kept large enough), or at a configuration change within a bucket of that peak whose
        own split passes the same test (the known edit explains the data as well)."""
        segment = scan.segment
        first, last = segment.lo + MIN_SEGMENT, segment.hi - MIN_SEGMENT
        if split in self.pinned or first > last:
            return split
        peak = segment.peak(first, last)
        times = self.metric.times
        near = [edit for edit in self.pinned if first <= edit <= last and abs(times[edit] - times[peak]) <= step]
        edits = [best for best in (_Best(edit, segment.test(edit)) for edit in near) if self.passes(scan, best, alpha)]
        return min(edits, key=lambda best: best.key).split if edits else peak

    def run(self, alpha: float, step: float) -> list[_Found]:
        """Split where the data says so, most significant first. A split with a short side (too few
        calls to tell) is kept as an edge, and its short side is not searched again."""
        bounds = list(self.whole)
        changes: dict[int, _Accepted] = {}
        few: dict[int, _Accepted] = {}
        closed: set[tuple[int, int]] = set()
        while len(changes) < MAX_CHANGES and len(few) < MAX_CHANGES:
            options: list[tuple[float, tuple[float, float, int], _Scan, _Best]] = []
            for lo, hi in itertools.pairwise(bounds):
                scan = self.scan(lo, hi)
                tried = [best for best in (scan.main, scan.small) if best is not None]
                if (lo, hi) in closed or not tried:
                    continue
                best = min(tried, key=lambda best: best.key)
                if self.passes(scan, best, alpha):
                    options.append((self.correction(scan).apply(best.result.p_value), best.key, scan, best))
            if not options:
                break
            _p, _key, scan, best = min(options, key=lambda option: option[:2])
            lo, hi = scan.segment.lo, scan.segment.hi
            if best is scan.main:
                split = self.place(scan, best.split, step, alpha)
                changes[split] = _Accepted(best.split, self.correction(scan), best.result)
            else:
                split = best.split
                few[split] = _Accepted(split, self.correction(scan), best.result)
                closed.add((lo, split) if split - lo < hi - split else (split, hi))
            bisect.insort(bounds, split)
        return self._refit(changes, few, alpha)

    def _refit(self, changes: dict[int, _Accepted], few: dict[int, _Accepted], alpha: float) -> list[_Found]:
        """Each change re-tested between its neighbours; the weakest failing one dropped, until all
        pass. A "too few" split keeps the test that found it; its counts are its neighbours'."""
        splits = sorted(changes)
        while True:
            edges = [0, *sorted([*splits, *few]), len(self.metric.values)]
            found: list[_Found] = []
            for lo, split, hi in zip(edges, edges[1:], edges[2:], strict=False):
                if split in few:
                    found.append(_Found(split, lo, hi, few[split].result, few[split].correction, split, too_few=True))
                    continue
                tested = changes[split].tested
                if not lo + FLOOR <= tested <= hi - FLOOR:  # a neighbour came between: test where it lies
                    tested = split
                result = self.segment(lo, hi).test(tested)
                found.append(_Found(split, lo, hi, result, changes[split].correction, tested))
            failing = [f for f in found if not f.too_few and f.p_value >= alpha]
            if not failing:
                return found
            splits.remove(max(failing, key=lambda f: f.p_value).split)


# --- every metric -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """The change points found (time order, causes not yet attributed), the metrics tested, and a
    note when the calls were too few to test any metric."""

    points: list[ChangePoint]
    metrics: list[str]
    note: str | None = None


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _point(metric: Metric, found: _Found, metrics: int) -> ChangePoint:
    at = metric.times[found.split]
    # The calls behind "after": from the first call after the split to the last one of its segment,
    # both exact (until is inclusive): list_calls returns the calls counted, no neighbour's.
    drill = {
        **metric.drill,
        "since": argument(_moment(at)),
        "until": argument(_moment(metric.times[found.hi - 1]), end=True),
    }
    p_value: float | None = None
    if found.too_few:
        sizes = {"before": found.split - found.lo, "after": found.hi - found.split}
        where = min(sizes, key=sizes.__getitem__)
        words = TOO_FEW
        test = f"{found.result.test} not relied on: {sizes[where]} calls {where} the split, fewer than {MIN_SEGMENT}"
    else:
        splits, method = found.correction.splits, found.correction.method
        p_value = float(f"{found.p_value:.2g}")
        words = significance(found.p_value)
        test = f"{found.result.test}, Bonferroni over {splits} splits, {method} over {metrics} metrics"
        if found.tested != found.split:
            tested = iso(_moment(metric.times[found.tested]))
            test += f"; tested at the split before {tested}, placed where the statistic peaks"
    return ChangePoint(
        metric=metric.name,
        kind=metric.kind,
        at=_moment(at),
        before=_side(metric, found.lo, found.split),
        after=_side(metric, found.split, found.hi),
        p_value=p_value,
        significance=words,
        test=test,
        drill_down=drill,
    )


def _prefix(metric: Metric) -> list[float]:
    return [0.0, *itertools.accumulate(metric.values)] if metric.kind == "rate" else []


def detect_changes(
    calls: Sequence[CallObservation],
    period: Period,
    config_changes: Sequence[ConfigChange] = (),
    *,
    alpha: float = ALPHA,
) -> Detection:
    """The change points of every metric over the calls made in the period (given in any order).

    Splits are tried at the period's bucket boundaries and at the configuration changes' times;
    at most ``MAX_POINTS`` are kept, the most significant. See the module's docstring for the method.
    """
    edits = [stamp(change.at) for change in config_changes if not change.alternating]
    grid = [start.timestamp() for start in period.bucket_starts()[1:]] + edits
    calls = in_period(period, calls)
    metrics = metrics_of(calls)
    searched: list[tuple[Metric, list[int], _Scan]] = []
    for metric in metrics:
        if len(metric.values) < 2 * FLOOR or min(metric.values) == max(metric.values):
            continue  # nothing to split, or nothing that could differ
        positions = sorted({bisect.bisect_left(metric.times, moment) for moment in grid})
        top = _scan(_Segment(metric, 0, len(metric.values), _prefix(metric)), positions)
        if top.tried:
            searched.append((metric, positions, top))
    first = [min(top.corrected(top.main), top.corrected(top.small)) for _m, _p, top in searched]
    adjusted = holm(first)
    rank = {index: position for position, index in enumerate(sorted(range(len(first)), key=first.__getitem__))}
    points: list[tuple[float, ChangePoint]] = []
    for index, (metric, positions, top) in enumerate(searched):
        if adjusted[index] >= alpha:
            continue
        pinned = frozenset(bisect.bisect_left(metric.times, moment) for moment in edits)
        search = _Search(metric, positions, pinned, top, (len(searched) - rank[index], len(searched)))
        found = search.run(alpha, period.step.total_seconds())
        points += [(f.p_value if not f.too_few else 2.0, _point(metric, f, len(searched))) for f in found]
    kept = [point for _p, point in sorted(points, key=lambda pair: (pair[0], pair[1].metric, pair[1].at))[:MAX_POINTS]]
    kept.sort(key=lambda point: (point.at, point.metric))
    note = None
    if not any(len(metric.values) >= 2 * MIN_SEGMENT for metric in metrics):
        note = f"{len(calls)} calls: a change needs {MIN_SEGMENT} calls on each side; {TOO_FEW} if anything changed"
    return Detection(kept, [metric.name for metric, _p, _t in searched], note)
