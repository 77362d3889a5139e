"""The whole time axis in one answer: the README's story, from planted calls and a stored version."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import timedelta

from domain.timeline.planted import START, STEADY, calls
from hypothesis import given, settings
from hypothesis import strategies as st
from support import examples

from revox_mcp.domain.output import dump
from revox_mcp.domain.timeline.analysis import analyze_timeline
from revox_mcp.domain.timeline.config import ConfigChange
from revox_mcp.domain.timeline.period import parse_period

PERIOD = parse_period(last_days=14, now=START + timedelta(days=14))
EDIT = START + timedelta(days=6, hours=14, minutes=2)  # a prompt edit that made calls worse
SWITCH = START + timedelta(days=10, hours=9, minutes=30)  # a model switch that made them slower


def story(at):  # type: ignore[no-untyped-def]
    regime = STEADY
    if at >= EDIT:
        regime = replace(regime, rejected=0.4, prompt="prompt-b")
    if at >= SWITCH:
        regime = replace(regime, ttft_ms=1_300.0, model="gpt-4.1")
    return regime


MADE = calls(11, regime=story)
STORED = ConfigChange(at=EDIT, source="stored", kind="version", fields=["prompt"], summary="version 7: prompt edited")


def test_the_edit_and_the_switch_are_found_with_their_causes() -> None:
    timeline = analyze_timeline(PERIOD, MADE, stored=[STORED])
    kinds = [(c.source, c.kind) for c in timeline.config_changes]
    assert kinds == [("stored", "version"), ("calls", "prompt"), ("calls", "model")]
    by_metric = {point.metric: point for point in timeline.change_points}
    rejected, slower = by_metric["end_reason=user_rejected"], by_metric["llm_ttft_ms"]
    assert rejected.cause is not None
    assert rejected.cause.at == EDIT
    assert rejected.cause.source == "stored"
    assert rejected.at >= EDIT
    assert rejected.at - EDIT < timedelta(hours=2)
    assert slower.cause is not None
    assert slower.cause.kind == "model"
    assert "gpt-4o → gpt-4.1" in slower.cause.summary
    assert "llm_ttft_ms" in timeline.metrics
    assert timeline.note is None


def test_the_answer_follows_the_contract_and_stays_small() -> None:
    shown = dump(analyze_timeline(PERIOD, MADE, stored=[STORED]))
    assert set(shown) == {"series", "config_changes", "change_points", "metrics"}
    assert len(shown["series"]) == 15
    assert shown["series"][0]["start"] == "2026-02-01T00:00:00Z"
    point = next(p for p in shown["change_points"] if p["metric"] == "end_reason=user_rejected")
    assert set(point) == {
        "metric",
        "kind",
        "at",
        "before",
        "after",
        "p_value",
        "significance",
        "test",
        "cause",
        "drill_down",
    }
    assert set(point["before"]) == {"count", "of", "value"}
    assert point["at"].endswith("Z")
    assert "T" in point["at"]
    assert point["drill_down"]["since"].startswith(point["at"][:-1])  # the same instant, to the microsecond
    assert len(json.dumps(shown, separators=(",", ":"))) < 12_000


def test_a_month_of_three_thousand_calls_stays_small() -> None:
    month = parse_period(last_days=30, now=START + timedelta(days=30))
    shown = dump(analyze_timeline(month, calls(3, days=30, per_day=100, regime=story), stored=[STORED]))
    assert len(json.dumps(shown, separators=(",", ":"))) < 16_000  # the budget of analyze_calls over a period


@settings(max_examples=examples(30), deadline=None)
@given(st.integers(0, 10_000))
def test_the_same_calls_in_any_order_give_the_same_answer(seed: int) -> None:
    made = calls(seed, per_day=20, regime=story)
    shuffled = made[:]
    random.Random(seed).shuffle(shuffled)
    assert analyze_timeline(PERIOD, shuffled) == analyze_timeline(PERIOD, made)


def test_stored_versions_outside_the_period_are_left_out() -> None:
    before_the_period = STORED.model_copy(update={"at": START - timedelta(days=3)})
    changes = analyze_timeline(PERIOD, MADE, stored=[before_the_period, STORED]).config_changes
    assert [change.source for change in changes] == ["stored", "calls", "calls"]
    assert changes[0].at == EDIT
