"""A period keeps each call as a compact record: its row, its facts, its configuration's fingerprints.
What the timeline counts and what list_calls filters are read from it, and it survives a cache."""

from __future__ import annotations

import json

from calls_support import CALLS, attempt, call

from revox_mcp.domain.call_cleaning import clean_call
from revox_mcp.domain.evidence import facts_of
from revox_mcp.domain.redaction import Redactor
from revox_mcp.domain.timeline.observation import METRIC_PATTERNS
from revox_mcp.domain.timeline.record import ATTEMPT_FILTERS, record_from_json, record_json, record_of


def record(raw: dict[str, object]):  # type: ignore[no-untyped-def]
    item = clean_call(json.loads(json.dumps(raw)), Redactor(), "mask", search=True)
    assert item is not None
    return record_of(item.value)


def test_every_fixture_call_survives_the_cache_unchanged():
    for raw in CALLS:
        made = record(raw)
        assert record_from_json(json.loads(json.dumps(record_json(made)))) == made


def test_a_tool_output_is_kept_as_long_as_a_finding_can_quote_it():
    raw = call("c1", attempt(tools=[("book", True, "HTTP 500 " + "x" * 5_000)]))
    [result] = record(raw).facts.attempts[0].tools
    assert len(result.output) <= 100
    assert result.output.startswith("HTTP 500")


def test_the_observation_counts_what_the_attempts_did():
    raw = call(
        "c2",
        attempt(result=None, seconds=None, dial_error="no_answer", start=0),
        attempt(tools=[("book", True, "500"), ("book", False, "{}")], end_reason="user_rejected", start=100),
        created="2026-02-10T09:00:00.123Z",
    )
    made = record(raw)
    observation = made.observation
    assert observation is not None
    assert (observation.attempts, observation.dial_errors, observation.end_reasons) == (
        2,
        ("no_answer",),
        ("tool_end_call", "user_rejected"),
    )
    assert (observation.tool_results, observation.tool_errors) == (("book", "book"), ("book",))
    assert observation.reached_person
    assert not METRIC_PATTERNS["voicemail"](observation)
    assert observation.at.microsecond == 123_000
    assert made.created == observation.at.timestamp()
    assert ATTEMPT_FILTERS["end_reason"](made.facts) == {"tool_end_call", "user_rejected"}
    assert ATTEMPT_FILTERS["tool_error"](made.facts) == {"book"}


def test_a_call_without_a_creation_time_has_no_observation():
    raw = call("c3", attempt())
    raw["created_at"] = "not a date"
    assert record(raw).observation is None
    assert facts_of(raw).created is None
