"""list_calls over a period and with the filters Revox cannot apply, and the drill-down property:
every finding of every rule, and every change point, names list_calls arguments that return exactly
the calls it counted. Over the one fake Revox in process, "now" set by the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from calls_support import attempt, call
from domain.test_evidence import CONFIG, PERSON_ASKS, VARIABLES, events, fine
from domain.timeline.planted import START
from mcp import Client
from period_support import ASSISTANT_ID, clock_at, period_server, planted
from service.test_call_analysis import NOW, page_through, story
from support import assert_ok, text_of

from revox_mcp.domain.evidence import RULES, facts_of, findings

pytestmark = pytest.mark.anyio

# --------------------------------------------------------------------------- every rule's drill-down

Made = list[list[dict[str, Any]]]  # the attempts of each call


def _menu() -> Made:
    return [[attempt(result="IVR", end_reason="ivr_no_navigate", start=i)] for i in range(3)] + fine(3)


def _dial(error: str) -> Callable[[], Made]:
    return lambda: (
        [[attempt(result=None, seconds=None, dial_error=error, phone="+447700900123", start=i)] for i in range(3)]
        + fine(3)
    )


def _asks(n: int) -> Made:
    return [[attempt(turns=[("assistant", "Hi"), ("user", PERSON_ASKS["en"])], start=i)] for i in range(n)]


def _quick() -> Made:
    turns = [("assistant", "Hi, automated call about..."), ("user", "No thanks")]
    return [
        [attempt(turns=turns, seconds=8, ended_by="user", end_reason="client_initiated", start=i)] for i in range(3)
    ] + fine(3)


def _silent() -> Made:
    turns = [("user", "Hello?"), ("user", "Hello??")]
    return [[attempt(turns=turns, seconds=9, ended_by="user", start=i)] for i in range(2)] + fine(4)


# rule -> (configuration changes, the attempts of each call, call options)
SCENARIOS: dict[str, tuple[dict[str, Any], Callable[[], Made], dict[str, Any]]] = {
    "calls.max_duration": (
        {},
        lambda: (
            [[attempt(seconds=45, end_reason="max_duration", ended_by="system", start=i)] for i in range(3)] + fine(3)
        ),
        {},
    ),
    "calls.ivr_stuck": ({}, _menu, {}),
    "calls.voicemail_no_message": (
        {},
        lambda: [[attempt(result="voicemail", end_reason="voicemail", seconds=5, start=i)] for i in range(2)] + fine(4),
        {},
    ),
    "calls.human_asked_no_transfer": ({}, lambda: _asks(2) + fine(4), {}),
    "calls.transfer_not_made": (
        {"transfer_destinations": [{"label": "Front desk", "phone_number": "+33100000000"}]},
        lambda: _asks(3) + fine(3),
        {},
    ),
    "calls.tool_failing": (
        {},
        lambda: (
            [[attempt(tools=[("book", True, "HTTP 500")], start=i)] for i in range(3)]
            + [[attempt(tools=[("book", False, "{}")])]]
        ),
        {},
    ),
    "calls.dial_international": ({}, _dial("no_international_permission"), {}),
    "calls.dial_non_attributed": ({}, _dial("number_non_attributed"), {}),
    "calls.dial_too_many": ({}, _dial("too_many_calls"), {}),
    "calls.unreachable": (
        {},
        lambda: [[attempt(result=None, seconds=None, dial_error="no_answer", start=i)] for i in range(4)] + fine(4),
        {},
    ),
    "calls.hangup_after_opening": ({}, _quick, {}),
    "calls.silent_opening": ({"first_sentence": None}, _silent, {}),
    "calls.slow_llm": ({}, lambda: [[attempt(events=events(4, llm_ttft_ms=2500), start=i)] for i in range(4)], {}),
    "calls.slow_tts": ({}, lambda: [[attempt(events=events(4, tts_ttfb_ms=2500), start=i)] for i in range(4)], {}),
    "calls.interrupted": (
        {},
        lambda: [[attempt(events=events(3, was_cut=True) + events(2, was_cut=False), start=i)] for i in range(5)],
        {},
    ),
    "calls.after_call_sms_missing": (
        {"after_call_sms_prompt": "Confirm by SMS."},
        lambda: fine(4),
        {"outcome": "completed"},
    ),
    "calls.structured_output_empty": ({}, lambda: fine(4, structured={"status": ""}), {}),
    "calls.missing_variables": ({}, lambda: fine(5), {"variables": {}, "status": "errored"}),
}


def scenario(index: int, rule: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One assistant (its configuration) and its calls, newest first, an hour apart on 2026-02-10."""
    changes, made, options = SCENARIOS[rule]
    ident = f"0000{index:04d}-aaaa-4bbb-8ccc-{index:012d}"
    config = {**CONFIG, **changes, "id": ident, "name": rule}
    options = {"variables": VARIABLES, **options}
    calls = []
    for number, attempts in enumerate(made()):
        created = f"2026-02-10T{number:02d}:00:00.000Z"
        made_call = call(f"{rule}-{number}", *attempts, created=created, **options)
        made_call["assistant"] = {"id": ident, "name": rule}
        calls.append(made_call)
    return config, list(reversed(calls))


def test_every_rule_has_a_scenario():
    assert set(SCENARIOS) == set(RULES)


async def test_every_finding_of_every_rule_drills_down_to_exactly_the_calls_it_counted():
    made = [scenario(index, rule) for index, rule in enumerate(SCENARIOS)]
    served = [call for _config, calls in made for call in calls]
    server, _upstream = period_server(served, NOW, assistants=[config for config, _calls in made])
    seen: set[str] = set()
    async with Client(server) as client:
        for config, calls in made:
            expected = {
                (f.rule, (f.drill_down or {}).get("pattern")): set(f.calls)
                for f in findings([facts_of(c) for c in calls], config)
            }
            result = await client.call_tool(
                "analyze_calls", {"assistant_id": config["id"], "since": "2026-02-10", "until": "2026-02-10"}
            )
            assert_ok(result)
            assert result.structured_content is not None
            shown = result.structured_content["findings"]
            assert {(f["rule"], f["drill_down"].get("pattern")) for f in shown} == set(expected)
            for finding in shown:
                listed = await page_through(client, finding["drill_down"])
                assert len(listed) == len(set(listed))
                assert set(listed) == expected[finding["rule"], finding["drill_down"].get("pattern")], finding
                seen.add(finding["rule"])
    assert seen == set(RULES)


async def test_the_drill_downs_of_the_last_calls_name_their_span():
    config, calls = scenario(0, "calls.max_duration")
    server, _upstream = period_server(calls, NOW, assistants=[config])
    async with Client(server) as client:
        result = await client.call_tool("analyze_calls", {"assistant_id": config["id"]})
        assert result.structured_content is not None
        [finding] = result.structured_content["findings"]
        # The oldest and newest calls analysed, exactly (a midnight is named by its date).
        assert (finding["drill_down"]["since"], finding["drill_down"]["until"]) == (
            "2026-02-10",
            "2026-02-10T05:00:00Z",
        )
        assert len(await page_through(client, finding["drill_down"])) == finding["count"]


async def test_the_drill_down_of_the_last_calls_of_a_quiet_assistant_spans_their_dates_however_far():
    """A quiet assistant's last calls can span more than the quarter a period analysis allows: its
    drill-down is still a list_calls that answers (a list has no rows per day to bound)."""
    config, calls = scenario(0, "calls.max_duration")
    calls[-1] = {**calls[-1], "created_at": "2025-03-01T08:00:00.000Z"}  # the oldest, almost a year before
    server, _upstream = period_server(calls, NOW, assistants=[config])
    async with Client(server) as client:
        result = await client.call_tool("analyze_calls", {"assistant_id": config["id"]})
        assert result.structured_content is not None
        [finding] = result.structured_content["findings"]
        assert finding["drill_down"]["since"] == "2025-03-01T08:00:00Z"
        assert len(await page_through(client, finding["drill_down"])) == finding["count"]
        span = {"since": finding["drill_down"]["since"], "until": finding["drill_down"]["until"]}
        refused = await client.call_tool("analyze_calls", {"assistant_id": config["id"], **span})
    assert refused.is_error  # an analysis over a period still stops at a quarter, and says so
    assert "at most 92" in text_of(refused)


# --------------------------------------------------------------------------- filters Revox cannot apply


async def test_attempt_filters_return_the_calls_whose_attempts_match():
    made, served = planted(11, regime=story, per_day=20)
    server, upstream = period_server(served, NOW)
    in_period = [c for c in made if c.at >= NOW - timedelta(days=14)]
    async with Client(server) as client:
        rejected = await page_through(client, {"assistant_id": ASSISTANT_ID, "days": 14, "end_reason": "user_rejected"})
        no_answer = await page_through(client, {"days": 14, "dial_error": "no_answer"})
        failing = await page_through(client, {"days": 14, "tool_error": "Book-Slot"})
        by_user = await page_through(client, {"days": 14, "ended_by": "user"})
    assert set(rejected) == {c.call_id for c in in_period if "user_rejected" in c.end_reasons}
    assert set(no_answer) == {c.call_id for c in in_period if "no_answer" in c.dial_errors}
    assert set(failing) == {c.call_id for c in in_period if c.tool_errors}
    assert set(by_user) == set(rejected)  # the planted calls end by the user only when they reject
    assert rejected
    assert all(body["assistant_ids"] in ([ASSISTANT_ID], []) for body in upstream.searches())


async def test_filters_revox_applies_still_go_to_revox_over_a_period():
    _made, served = planted(11, per_day=20)
    server, upstream = period_server(served, NOW)
    async with Client(server) as client:
        result = await client.call_tool("list_calls", {"days": 3, "outcome": "interested", "limit": 5})
    assert_ok(result)
    assert all(body["outcomes"] == ["interested"] for body in upstream.searches())
    assert result.structured_content is not None
    assert result.structured_content["period"]["bucket"] == "day"
    assert "created 2026-02-12 00:00Z to 2026-02-15 00:00Z" in text_of(result)


async def test_a_period_cursor_keeps_its_period_when_now_moves():
    _made, served = planted(11, per_day=20)
    clock = clock_at(NOW)
    server, _upstream = period_server(served, NOW, clock=clock)
    async with Client(server) as client:
        first = await client.call_tool("list_calls", {"days": 1, "limit": 5})
        assert first.structured_content is not None
        total = first.structured_content["total"]
        clock.advance(6 * 3600)  # six hours later, "the last day" is another day
        second = await client.call_tool(
            "list_calls", {"days": 1, "limit": 5, "cursor": first.structured_content["next_cursor"]}
        )
        assert second.structured_content is not None
    assert second.structured_content["total"] == total
    assert second.structured_content["period"] == first.structured_content["period"] | {"calls": total}
    ids = [row["id"] for row in first.structured_content["calls"] + second.structured_content["calls"]]
    assert len(set(ids)) == 10


async def test_an_unknown_pattern_or_a_rule_without_its_assistant_is_a_clear_error():
    _made, served = planted(11, per_day=2)
    server, _upstream = period_server(served, NOW)
    async with Client(server) as client:
        unknown = await client.call_tool("list_calls", {"pattern": "calls.nope"})
        alone = await client.call_tool("list_calls", {"pattern": "calls.slow_llm"})
        metric = await client.call_tool("list_calls", {"pattern": "voicemail", "days": 2})
    assert unknown.is_error
    assert "drill_down" in text_of(unknown)
    assert alone.is_error
    assert "assistant_id" in text_of(alone)
    assert_ok(metric)


def test_scenario_calls_are_dated_inside_their_day():
    _config, calls = scenario(3, "calls.tool_failing")
    assert all(c["created_at"].startswith("2026-02-10") for c in calls)
    assert START < NOW
