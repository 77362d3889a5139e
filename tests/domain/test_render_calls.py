"""The text of analyze_calls over a period: a change point reads as counts (k of n) from a date-time,
with the change just before it and what it changed; a series as one sparkline per measure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from revox_mcp.domain.compare import Change
from revox_mcp.domain.render.calls import change_point_line, config_change_line, drill_text, sparkline
from revox_mcp.domain.timeline.change import Cause, ChangePoint, Side
from revox_mcp.domain.timeline.config import ConfigChange

AT = datetime(2026, 2, 16, 14, 5, 9, tzinfo=timezone.utc)
EDIT = datetime(2026, 2, 16, 14, 2, tzinfo=timezone.utc)


def rejected(cause: Cause | None = None) -> ChangePoint:
    return ChangePoint(
        metric="end_reason=user_rejected",
        kind="rate",
        at=AT,
        before=Side(count=21, of=262, value=0.08),
        after=Side(count=37, of=90, value=0.411),
        p_value=1e-9,
        significance="p < 0.001",
        test="two-proportion z-test",
        cause=cause,
    )


def test_a_change_point_reads_as_counts_from_a_date_time_after_its_cause():
    cause = Cause(at=EDIT, source="calls", kind="prompt", fields=["prompt"], summary="prompt changed")
    assert change_point_line(rejected(cause), {(EDIT, "prompt"): "C2"}) == (
        "`end_reason=user_rejected` went from 21 of 262 (8%) to 37 of 90 (41%) from 2026-02-16 14:05Z, "
        "the first call after C2: prompt changed at 14:02Z; p < 0.001 (two-proportion z-test, corrected)"
    )
    stored = cause.model_copy(update={"source": "stored", "summary": "version 7"})
    assert "the first call after version 7 (a version the server stored at 14:02Z);" in change_point_line(
        rejected(stored)
    )


def test_a_configuration_change_shows_what_it_changed():
    diff = [Change(path="prompt", kind="changed", a="[9 chars]", b="[12 chars]", diff="--- A\n+++ B\n-Be kind\n+Push")]
    change = ConfigChange(
        at=EDIT,
        source="calls",
        kind="prompt",
        fields=["prompt"],
        summary="prompt changed",
        first_call="c8",
        last_before=EDIT - timedelta(minutes=40),
        diff=diff,
    )
    assert config_change_line(change, "C2") == (
        "C2 2026-02-16 14:02Z prompt changed (seen in calls; first call c8, the last before at 13:22Z); "
        "diff: prompt (+1 −1 lines: -Be kind; +Push)"
    )


def test_a_latency_change_reads_as_medians_with_their_calls():
    point = rejected().model_copy(
        update={
            "metric": "llm_ttft_ms",
            "kind": "latency",
            "before": Side(of=400, value=812),
            "after": Side(of=90, value=1310),
        }
    )
    assert change_point_line(point).startswith(
        "`llm_ttft_ms` (median per call) went from 812 ms (400 calls) to 1310 ms (90 calls) from 2026-02-16 14:05Z;"
    )


def test_a_sparkline_has_a_character_per_bucket_low_to_high_and_a_gap_where_there_is_none():
    assert sparkline([0, 7, None, 3.5, 7]) == "▁█ ▅█"
    assert sparkline([5, 5]) == "▁▁"
    assert sparkline([None]) == ""


def test_a_drill_down_is_shown_without_the_arguments_every_one_shares():
    base = {"assistant_id": "a1", "status": "completed"}
    drill = {**base, "end_reason": "user_rejected", "since": "2026-02-16T14:05:09Z"}
    assert drill_text(drill, base) == "list_calls(end_reason=user_rejected, since=2026-02-16T14:05:09Z)"
