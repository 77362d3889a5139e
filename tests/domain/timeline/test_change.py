"""Change points on planted data with known answers: found where planted, not found where none was."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from domain.timeline.planted import START, STEADY, calls, from_time
from support import examples

from revox_mcp.domain.timeline.change import ALPHA, MIN_SEGMENT, TOO_FEW, ChangePoint, detect_changes, metrics_of
from revox_mcp.domain.timeline.config import changes_in_calls
from revox_mcp.domain.timeline.observation import CallObservation
from revox_mcp.domain.timeline.period import Period, parse_period

DAYS = 14
PERIOD = parse_period(last_days=DAYS, now=START + timedelta(days=DAYS))
PLANTED = START + timedelta(days=9, hours=14, minutes=5)  # mid-afternoon: no bucket boundary near
WORSE = replace(STEADY, rejected=0.4)
SEEDS = range(examples(60, quick=20))  # quick: 20, so that "at most ALPHA of them" allows one


def detect(made: list[CallObservation], period: Period = PERIOD) -> list[ChangePoint]:
    return detect_changes(made, period, changes_in_calls(made)).points


def of(points: list[ChangePoint], metric: str) -> list[ChangePoint]:
    return [point for point in points if point.metric == metric]


def strongest(points: list[ChangePoint]) -> ChangePoint:
    return min(points, key=lambda point: point.p_value if point.p_value is not None else 2.0)


def test_a_clear_shift_is_found_within_a_day_of_where_it_was_planted() -> None:
    """In every seed the shift is found, within a day. A second change in the same metric (each side
    is searched again, at ALPHA / M) would be a false alarm: in at most ALPHA of the seeds."""
    extra = 0
    for seed in SEEDS:
        found = of(detect(calls(seed, regime=from_time(STEADY, PLANTED, WORSE))), "end_reason=user_rejected")
        point = strongest(found)
        assert abs(point.at - PLANTED) <= timedelta(days=1)
        assert point.kind == "rate"
        assert point.before.value < 0.12
        assert point.after.value > 0.25  # planted: 0.08 and 0.4 of the calls that reached no voicemail (85%)
        assert point.p_value is not None
        assert point.p_value < 0.001
        assert point.significance == "p < 0.001"
        assert point.drill_down["end_reason"] == "user_rejected"
        extra += len(found) - 1
    assert extra <= ALPHA * len(SEEDS)


def test_a_shift_at_a_prompt_change_is_placed_exactly_there() -> None:
    for seed in SEEDS:
        made = calls(seed, regime=from_time(STEADY, PLANTED, replace(WORSE, prompt="prompt-b")))
        point = strongest(of(detect(made), "end_reason=user_rejected"))
        first_after = min(call.at for call in made if call.at >= PLANTED and call.end_reasons)
        assert abs(point.at - first_after) < timedelta(milliseconds=1)  # the first call after the edit
        assert point.cause is None  # causes are attributed by analyze_timeline (test_analysis)


def test_the_counts_are_those_of_the_calls_either_side() -> None:
    made = calls(1, regime=from_time(STEADY, PLANTED, replace(WORSE, prompt="prompt-b")))
    (point,) = of(detect(made), "end_reason=user_rejected")
    ended = [call for call in made if call.end_reasons]
    before = [call for call in ended if call.at < PLANTED]
    after = [call for call in ended if call.at >= PLANTED]
    assert (point.before.of, point.after.of) == (len(before), len(after))
    assert point.before.count == sum("user_rejected" in call.end_reasons for call in before)
    assert point.after.count == sum("user_rejected" in call.end_reasons for call in after)
    assert point.before.value == round(point.before.count / point.before.of, 3)


def test_a_steady_assistant_reports_no_change() -> None:
    assert detect(calls(7)) == []


@pytest.mark.parametrize(
    ("days", "per_day"),
    [(14, 30), (2, 40), (7, 5)],  # days, hours (many split points), and few calls (Fisher's test, too few)
)
def test_false_alarms_on_steady_assistants_stay_under_alpha(days: int, per_day: int) -> None:
    """Whatever is reported on an assistant that never changed is a false alarm: anything at all,
    any metric, "too few calls to tell" included. The share of seeds with one stays at most ALPHA."""
    period = parse_period(last_days=days, now=START + timedelta(days=days))
    runs = examples(200, quick=40)
    alarms = sum(bool(detect(calls(seed, days=days, per_day=per_day), period)) for seed in range(1_000, 1_000 + runs))
    assert alarms / runs <= ALPHA


def test_a_shift_in_latency_only_is_found_by_the_rank_test_and_no_rate_moves() -> None:
    """In every seed the latency shift is found, within a day, by the rank test. A rate change, or a
    second latency one, would be a false alarm: each in at most ALPHA of the seeds."""
    slower = replace(STEADY, ttft_ms=1_100.0)
    rate_alarms = extra = 0
    for seed in SEEDS:
        points = detect(calls(seed, regime=from_time(STEADY, PLANTED, slower)))
        found = of(points, "llm_ttft_ms")
        point = strongest(found)
        assert point.kind == "latency"
        assert point.test.startswith("Mann-Whitney U test")
        assert abs(point.at - PLANTED) <= timedelta(days=1)
        assert point.before.count is None
        assert 750 < point.before.value < 900
        assert point.after.value > 1_000
        assert point.drill_down.keys() == {"pattern", "since", "until"}
        assert point.drill_down["pattern"] == "llm_ttft_ms"  # the calls measured after the shift
        assert of(points, "tts_ttfb_ms") == []
        rate_alarms += any(point.kind == "rate" for point in points)
        extra += len(found) - 1
    assert rate_alarms <= ALPHA * len(SEEDS)
    assert extra <= ALPHA * len(SEEDS)


def test_two_changes_in_one_metric_are_both_found() -> None:
    """Worse from day 4, back to normal from day 10: two changes, each within a day; a third, spurious
    one (binary segmentation tests each part again) is rare."""
    rise, fall = START + timedelta(days=4, hours=10), START + timedelta(days=10, hours=16)
    seeds = range(examples(30, quick=6))
    extra = 0
    for seed in seeds:
        made = calls(seed, days=15, per_day=60, regime=lambda at: WORSE if rise <= at < fall else STEADY)
        points = of(
            detect(made, parse_period(last_days=15, now=START + timedelta(days=15))), "end_reason=user_rejected"
        )
        up = [p for p in points if abs(p.at - rise) <= timedelta(days=1) and p.after.value > p.before.value]
        down = [p for p in points if abs(p.at - fall) <= timedelta(days=1) and p.after.value < p.before.value]
        assert (len(up), len(down)) == (1, 1), points
        assert up[0].after == down[0].before  # the counts are those of the segment between
        extra += len(points) - 2
    assert extra <= max(1, len(seeds) // 10)


def a_day(outcomes: list[str]) -> list[CallObservation]:
    """One call an hour on 2026-02-10, each ending as given."""
    day = datetime(2026, 2, 10, tzinfo=timezone.utc)
    return [
        CallObservation(at=day + timedelta(hours=hour, minutes=10), call_id=f"c{hour:02d}", end_reasons=(reason,))
        for hour, reason in enumerate(outcomes)
    ]


DAY = parse_period("2026-02-10", "2026-02-10", now=datetime(2026, 2, 11, tzinfo=timezone.utc))


def test_a_stark_shift_over_twelve_calls_is_too_few_calls_to_tell() -> None:
    made = a_day(["client_initiated"] * 6 + ["user_rejected"] * 6)
    detection = detect_changes(made, DAY)
    (point,) = of(detection.points, "end_reason=user_rejected")
    assert point.significance == TOO_FEW
    assert point.p_value is None
    assert (point.before.count, point.before.of, point.after.count, point.after.of) == (0, 6, 6, 6)
    assert point.at == made[6].at
    assert f"fewer than {MIN_SEGMENT}" in point.test
    assert detection.note is not None
    assert TOO_FEW in detection.note


def test_a_wobble_over_twelve_calls_is_not_a_change() -> None:
    made = a_day(
        ["user_rejected", *["client_initiated"] * 4, "user_rejected"] + ["user_rejected", "client_initiated"] * 3
    )
    assert detect_changes(made, DAY).points == []


def test_the_calls_since_a_recent_prompt_edit_are_too_few_calls_to_tell() -> None:
    """Two weeks of steady calls, then a prompt edit and 12 calls since, all rejected: a real
    difference, placed at the edit, but too few calls after it to call it a change yet."""
    edit = START + timedelta(days=13, hours=12)
    steady = [call for call in calls(3, days=14, per_day=30) if call.at < edit]
    since = [
        CallObservation(
            at=edit + timedelta(minutes=20 * i), call_id=f"new-{i}", end_reasons=("user_rejected",), prompt="prompt-b"
        )
        for i in range(12)
    ]
    (point,) = of(detect(steady + since), "end_reason=user_rejected")
    assert point.significance == TOO_FEW
    assert point.p_value is None
    assert (point.after.count, point.after.of) == (12, 12)
    assert point.at == edit
    assert "12 calls after the split" in point.test


@pytest.mark.parametrize(
    "made",
    [
        [],
        [CallObservation(at=PLANTED, call_id="only", end_reasons=("user_rejected",), llm_ttft_ms=(800.0,))],
        # all equal: every call the same, nothing can differ
        [CallObservation(at=START + timedelta(hours=i), call_id=f"c{i}", end_reasons=("transfer",),
                         llm_ttft_ms=(800.0,) * 3) for i in range(300)],
    ],
    ids=["no calls", "one call", "all equal"],
)  # fmt: skip
def test_nothing_to_compare_reports_nothing(made: list[CallObservation]) -> None:
    detection = detect_changes(made, PERIOD)
    assert detection.points == []


def test_tied_latencies_are_ranked_fairly() -> None:
    """Latencies in whole tens of ms (many ties): a steady series stays quiet, a step is found."""
    made = calls(5)
    rounded = [replace(c, llm_ttft_ms=tuple(round(v, -2) for v in c.llm_ttft_ms)) for c in made]
    assert detect(rounded) == []
    stepped = [
        replace(c, llm_ttft_ms=tuple(v + (300 if c.at >= PLANTED else 0) for v in c.llm_ttft_ms)) for c in rounded
    ]
    (point,) = detect(stepped)
    assert point.metric == "llm_ttft_ms"


def test_too_few_calls_overall_says_so() -> None:
    detection = detect_changes(calls(2, days=DAYS, per_day=2), PERIOD)
    assert detection.note == f"28 calls: a change needs {MIN_SEGMENT} calls on each side; {TOO_FEW} if anything changed"


def test_the_metrics_tried_are_the_frequent_categories_and_the_fixed_rates() -> None:
    names = [metric.name for metric in metrics_of(calls(1))]
    assert names == [
        "end_reason=user_inactive",
        "end_reason=client_initiated",
        "end_reason=tool_end_call",
        "end_reason=voicemail",
        "end_reason=user_rejected",
        "dial_error=no_answer",
        "outcome=not_interested",
        "outcome=interested",
        "voicemail",
        "reached_person",
        "tool_errors",
        "tool_error=Book-Slot",
        "llm_ttft_ms",
        "tts_ttfb_ms",
    ]


def test_calls_in_any_order_and_outside_the_period_change_nothing() -> None:
    made = calls(4, regime=from_time(STEADY, PLANTED, WORSE))
    outside = [replace(call, at=call.at - timedelta(days=DAYS), call_id=f"old-{call.call_id}") for call in made[:200]]
    mixed = made[::-1] + outside
    assert detect_changes(mixed, PERIOD).points == detect_changes(made, PERIOD).points


def test_a_period_where_nothing_varies_is_not_too_few_calls() -> None:
    same = [
        CallObservation(at=START + timedelta(minutes=20 * i), call_id=f"c{i}", end_reasons=("transfer",))
        for i in range(500)
    ]
    detection = detect_changes(same, PERIOD)
    assert detection.points == []
    assert detection.note is None
