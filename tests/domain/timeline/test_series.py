"""The series has a row per bucket, empty ones too, with bounded categories and latency percentiles."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta, timezone

from domain.timeline.planted import calls
from hypothesis import given, settings
from hypothesis import strategies as st
from support import examples

from revox_mcp.domain.output import dump
from revox_mcp.domain.timeline.observation import CallObservation, in_period
from revox_mcp.domain.timeline.period import parse_period
from revox_mcp.domain.timeline.series import build_series, top_counts, with_categories

UTC = timezone.utc
NOW = datetime(2026, 2, 6, tzinfo=UTC)
PERIOD = parse_period("2026-02-03", "2026-02-05", now=NOW)


def call(day: int, hour: int = 12, **facts: object) -> CallObservation:
    return CallObservation(at=datetime(2026, 2, day, hour, tzinfo=UTC), call_id=f"c{day}-{hour}", **facts)  # type: ignore[arg-type]


def test_a_row_counts_calls_and_summarises_their_latency() -> None:
    day = [
        call(3, 9, attempts=2, outcome="interested", end_reasons=("user_rejected",), dial_errors=("busy",),
             reached_person=True, talk_s=40, llm_ttft_ms=(700.0, 900.0), tts_ttfb_ms=(300.0,),
             tool_results=("Book-Slot", "Book-Slot"), tool_errors=("Book-Slot",)),
        call(3, 10, end_reasons=("voicemail",), voicemail=True, talk_s=10, llm_ttft_ms=(1_400.0,)),
        call(3, 11, dial_errors=("no_answer", "no_answer")),
    ]  # fmt: skip
    first = dump(build_series(PERIOD, day)[0])
    assert first == {
        "start": "2026-02-03T00:00:00Z",
        "calls": 3,
        "attempts": 4,
        "reached_person": 1,
        "voicemail": 1,
        "tool_errors": 1,
        "tool_results": 2,
        "outcomes": {"interested": 1},
        "end_reasons": {"user_rejected": 1, "voicemail": 1},
        "dial_errors": {"busy": 1, "no_answer": 1},  # calls, not attempts: the call with two no_answer counts once
        "talk_p50_s": 10,
        "llm_ttft_p50_ms": 900,
        "llm_ttft_p95_ms": 1_400,
        "tts_ttfb_p50_ms": 300,
    }


def test_buckets_without_calls_are_rows_too() -> None:
    rows = build_series(PERIOD, [call(5, end_reasons=("transfer",))])
    assert [dump(row) for row in rows] == [
        {"start": "2026-02-03T00:00:00Z", "calls": 0},
        {"start": "2026-02-04T00:00:00Z", "calls": 0},
        {"start": "2026-02-05T00:00:00Z", "calls": 1, "attempts": 1, "end_reasons": {"transfer": 1}},
    ]


def test_calls_outside_the_period_are_left_out() -> None:
    outside = [call(2, 23), call(6, 0)]
    assert sum(row.calls for row in build_series(PERIOD, outside)) == 0
    assert in_period(PERIOD, outside) == []


def test_a_row_keeps_the_top_categories_and_sums_the_rest_as_other() -> None:
    counts = {"a": 5, "b": 5, "c": 4, "d": 1, "e": 1, "f": 1}
    assert top_counts(counts, 3) == {"a": 5, "b": 5, "c": 4, "other": 3}
    assert top_counts({"other": 2, "x": 9, "y": 1}, 1) == {"x": 9, "other": 3}
    reasons = [call(4, hour, end_reasons=(f"reason_{hour:02d}",)) for hour in range(12)]
    assert len(build_series(PERIOD, reasons)[1].end_reasons) == 6  # five and "other"


def test_hourly_rows_for_a_short_period() -> None:
    period = parse_period(last_days=1, now=datetime(2026, 2, 4, 12, 30, tzinfo=UTC))
    rows = build_series(period, [call(4, 3), call(4, 3), call(4, 12)])
    assert len(rows) == 25
    assert [(row.start.hour, row.calls) for row in rows if row.calls] == [(3, 2), (12, 1)]


@settings(max_examples=examples(100), deadline=None)
@given(st.integers(0, 10_000))
def test_the_same_calls_in_any_order_give_the_same_rows(seed: int) -> None:
    period = parse_period(last_days=14, now=datetime(2026, 2, 15, tzinfo=UTC))
    made = calls(seed, per_day=8)
    shuffled = made[:]
    random.Random(seed).shuffle(shuffled)
    rows = build_series(period, made)
    assert [dump(row) for row in build_series(period, shuffled)] == [dump(row) for row in rows]
    assert in_period(period, shuffled) == made
    assert sum(row.calls for row in rows) == len(made)
    assert all(row.start + timedelta(days=1) == after.start for row, after in itertools.pairwise(rows))


def test_a_series_cut_to_fit_keeps_the_same_top_categories_in_every_row() -> None:
    start = datetime(2026, 2, 1, tzinfo=UTC)
    period = parse_period(last_days=3, now=start + timedelta(days=3))
    made = [
        CallObservation(at=start + timedelta(hours=h), call_id=f"c{h}", end_reasons=(reason,))
        for h, reason in enumerate(["a", "a", "a", "b", "b", "c"] * 6)
    ]
    rows = with_categories(build_series(period, made), 1)
    assert all(set(row.end_reasons) <= {"a", "other"} for row in rows)
    assert sum(row.end_reasons.get("a", 0) for row in rows) == 18
    assert sum(row.end_reasons.get("other", 0) for row in rows) == 18
    assert all(row.end_reasons == {} for row in with_categories(rows, 0))


def test_cut_categories_keep_the_ones_named_beside_the_top_ones() -> None:
    """A change point's category ("end_reason=c") stays in a series cut to fit, so a chart can still draw it."""
    period = parse_period("2026-02-03T00:00:00Z", "2026-02-03T05:59:59Z", now=NOW)
    made = [call(3, h % 6, end_reasons=(reason,)) for h, reason in enumerate(["a", "a", "a", "b", "b", "c"] * 6)]
    series = build_series(period, made)
    rows = with_categories(series, 1, {"end_reasons": {"c"}})
    assert {name for row in rows for name in row.end_reasons} == {"a", "c", "other"}
    assert sum(row.end_reasons.get("c", 0) for row in rows) == 6
    bare = with_categories(series, 0, {"end_reasons": {"c"}})
    assert {name for row in bare for name in row.end_reasons} == {"c"}
    assert all(row.outcomes == {} for row in bare)
