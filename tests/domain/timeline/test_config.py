"""Prompt and model changes are dated from the calls: between the last old call and the first new one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from revox_mcp.domain.output import dump
from revox_mcp.domain.timeline.config import MAX_CHANGES, changes_in_calls
from revox_mcp.domain.timeline.observation import CallObservation

START = datetime(2026, 2, 1, tzinfo=timezone.utc)


def sequence(*values: tuple[str | None, str | None]) -> list[CallObservation]:
    """One call an hour, with (prompt fingerprint, model)."""
    return [
        CallObservation(at=START + timedelta(hours=i), call_id=f"c{i}", prompt=prompt, model=model)
        for i, (prompt, model) in enumerate(values)
    ]


def test_a_prompt_change_is_dated_by_the_first_call_that_used_it() -> None:
    made = sequence(("p1", "m"), ("p1", "m"), ("p2", "m"), ("p2", "m"))
    assert [dump(change) for change in changes_in_calls(made)] == [
        {
            "at": "2026-02-01T02:00:00Z",
            "source": "calls",
            "kind": "prompt",
            "fields": ["prompt"],
            "summary": "prompt changed",
            "first_call": "c2",
            "last_before": "2026-02-01T01:00:00Z",
            "last_call_before": "c1",
        }
    ]


def test_a_model_change_names_both_models() -> None:
    made = sequence(("p", "gpt-4o"), ("p", "gpt-4.1"))
    (change,) = changes_in_calls(made)
    assert (change.kind, change.summary, change.first_call) == (
        "model",
        "the model that answered changed: gpt-4o → gpt-4.1",
        "c1",
    )


def test_unknown_values_are_not_changes() -> None:
    made = sequence(("p1", "m1"), (None, None), ("p1", "m1"), (None, "m1"))
    assert changes_in_calls(made) == []


def test_a_change_across_calls_of_unknown_value_lies_between_the_known_ones() -> None:
    (change,) = changes_in_calls(sequence(("p1", None), (None, None), ("p2", None)))
    assert (change.last_call_before, change.first_call) == ("c0", "c2")


def test_prompt_and_model_changes_come_in_time_order() -> None:
    made = sequence(("p1", "m1"), ("p1", "m2"), ("p2", "m2"), ("p3", "m2"))
    assert [(c.kind, c.first_call) for c in changes_in_calls(made)] == [
        ("model", "c1"),
        ("prompt", "c2"),
        ("prompt", "c3"),
    ]


def test_a_revert_is_a_change_back() -> None:
    made = sequence(("p1", "m"), ("p2", "m"), ("p1", "m"))
    assert [(c.first_call, c.alternating) for c in changes_in_calls(made)] == [("c1", False), ("c2", False)]


def test_values_switching_back_and_forth_are_one_alternating_record() -> None:
    made = sequence(*[("p", "fast" if i % 2 else "slow") for i in range(12)])
    (change,) = changes_in_calls(made)
    assert change.alternating
    assert change.summary == "model alternates: 11 switches between 2 models: slow, fast"
    assert change.first_call == "c1"


def test_many_real_edits_keep_the_most_recent() -> None:
    made = sequence(*[(f"p{i}", "m") for i in range(MAX_CHANGES + 5)])
    changes = changes_in_calls(made)
    assert len(changes) == MAX_CHANGES
    assert changes[-1].first_call == f"c{MAX_CHANGES + 4}"
    assert not any(change.alternating for change in changes)


def test_another_configuration_change_is_dated_apart_from_the_prompt() -> None:
    made = [
        CallObservation(at=START + timedelta(hours=i), call_id=f"c{i}", prompt="p", config=config)
        for i, config in enumerate(["c1", "c1", "c2", "c2"])
    ]
    (change,) = changes_in_calls(made)
    assert (change.kind, change.summary, change.fields, change.first_call) == (
        "config",
        "configuration changed (not the prompt)",
        [],
        "c2",
    )
