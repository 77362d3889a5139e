"""analyze_calls over a period, on planted calls with known answers (``period_support``): a prompt
edit that made calls worse, a model switch that made them slower, a steady assistant, too few calls.
Through the official client in memory, over the one fake Revox in process, "now" set by the clock.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from domain.timeline.planted import START, STEADY, Regime
from mcp import Client
from mcp.types import CallToolResult
from period_support import ASSISTANT_ID, Upstream, clock_at, period_server, planted
from support import API_KEY, BASE_URL, assert_ok, no_sleep, text_of, wire_bytes

from revox_mcp.api.client import RevoxApi
from revox_mcp.api.fake import Account, FakeApi, Organisation
from revox_mcp.cache.backend import MemoryBackend
from revox_mcp.cache.store import Cache
from revox_mcp.credential import Credential
from revox_mcp.domain.timeline.config import ConfigChange
from revox_mcp.domain.timeline.observation import METRIC_PATTERNS, CallObservation
from revox_mcp.domain.timeline.period import iso, parse_period
from revox_mcp.server.app import build_server
from revox_mcp.service.assistants import AssistantService
from revox_mcp.service.call_review import CallService
from revox_mcp.service.data import DataSettings, RevoxData
from revox_mcp.settings import DEMO_NOW, Settings

pytestmark = pytest.mark.anyio

NOW = START + timedelta(days=14)
EDIT = START + timedelta(days=6, hours=14, minutes=2)  # a prompt edit that made calls worse
SWITCH = START + timedelta(days=10, hours=9, minutes=30)  # a model switch that made them slower


def edited(at: datetime) -> Regime:
    return replace(STEADY, rejected=0.4, prompt="prompt-b") if at >= EDIT else STEADY


def switched(at: datetime) -> Regime:
    return replace(STEADY, ttft_ms=1_300.0, model="gpt-4.1") if at >= SWITCH else STEADY


def story(at: datetime) -> Regime:
    return replace(edited(at), ttft_ms=1_300.0, model="gpt-4.1") if at >= SWITCH else edited(at)


async def analyze(served: list[dict[str, Any]], now: datetime = NOW, **arguments: Any) -> CallToolResult:
    server, _upstream = period_server(served, now)
    async with Client(server) as client:
        result = await client.call_tool("analyze_calls", {"assistant_id": ASSISTANT_ID, **arguments})
    assert_ok(result)
    return result


def points_of(result: CallToolResult) -> dict[str, dict[str, Any]]:
    assert result.structured_content is not None
    return {point["metric"]: point for point in result.structured_content["change_points"]}


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --------------------------------------------------------------------------- what is found


async def test_a_prompt_edit_that_made_calls_worse_is_found_within_a_day_with_its_cause_and_diff():
    _made, served = planted(11, regime=edited)
    result = await analyze(served, days=14)
    rejected = points_of(result)["end_reason=user_rejected"]
    at = moment(rejected["at"])
    assert EDIT <= at < EDIT + timedelta(days=1)
    before, after = rejected["before"], rejected["after"]
    assert before["count"] / before["of"] < 0.12 < 0.3 < after["count"] / after["of"]
    assert rejected["significance"] == "p < 0.001"
    cause = rejected["cause"]
    assert (cause["kind"], cause["source"], cause["fields"]) == ("prompt", "calls", ["prompt"])
    assert EDIT <= moment(cause["at"]) <= at
    assert moment(cause["last_before"]) < EDIT
    [edit] = [c for c in result.structured_content["config_changes"] if (c["at"], c["kind"]) == (cause["at"], "prompt")]
    assert edit["last_call_before"] == cause["calls"][0]
    [diff] = edit["diff"]
    assert diff["path"] == "prompt"
    assert "+Push hard for a yes; never accept a no." in diff["diff"]
    assert "+Book with key [REDACTED]." in diff["diff"]  # cleaned at ingest: the pasted key never shows
    text = text_of(result)
    assert f"`end_reason=user_rejected` went from {before['count']} of {before['of']} (" in text
    assert f"to {after['count']} of {after['of']} (" in text
    assert ": prompt changed at " in text
    assert "diff: prompt (+" in text
    assert "p < 0.001" in text


async def test_a_model_switch_that_slowed_replies_is_a_latency_change_and_no_rate_moves():
    _made, served = planted(5, regime=switched)
    result = await analyze(served, days=14)
    points = points_of(result)
    slower = points["llm_ttft_ms"]
    assert slower["kind"] == "latency"
    assert SWITCH <= moment(slower["at"]) < SWITCH + timedelta(days=1)
    assert slower["before"]["value"] < 900 < 1_100 < slower["after"]["value"]
    assert slower["test"].startswith("Mann-Whitney U test")
    assert slower["cause"]["kind"] in ("model", "config")
    assert [point for point in points.values() if point["kind"] == "rate"] == []
    assert "(median per call) went from" in text_of(result)


async def test_a_steady_assistant_reports_no_change():
    _made, served = planted(21)
    result = await analyze(served, days=14)
    assert result.structured_content is not None
    assert result.structured_content["change_points"] == []
    assert result.structured_content["config_changes"] == []
    assert "Change points: none" in text_of(result)


async def test_a_shift_over_too_few_calls_is_not_reported_as_a_change():
    _made, served = planted(2, regime=edited, per_day=1.2)  # 17 calls in 14 days
    result = await analyze(served, days=14)
    assert result.structured_content is not None
    assert all(point["p_value"] is None for point in result.structured_content["change_points"])
    assert "too few calls to tell" in text_of(result)


# --------------------------------------------------------------------------- the contract


async def test_the_period_answer_follows_the_contract():
    _made, served = planted(11, regime=story)
    result = await analyze(served, since="2026-02-03", until="2026-02-12")
    content = result.structured_content
    assert content is not None
    assert content["period"] == {
        "since": "2026-02-03T00:00:00Z",
        "until": "2026-02-12T23:59:59Z",
        "bucket": "day",
        "calls": content["calls"],
        "complete": True,
    }
    assert [row["start"][:10] for row in content["series"]] == [f"2026-02-{day:02d}" for day in range(3, 13)]
    assert sum(row["calls"] for row in content["series"]) == content["calls"]
    assert {"calls", "attempts", "reached_person", "voicemail", "outcomes", "end_reasons"} <= set(content["series"][0])
    assert {change["kind"] for change in content["config_changes"]} >= {"prompt", "model"}
    for point in content["change_points"]:
        assert point["drill_down"]["assistant_id"] == ASSISTANT_ID
        assert "T" in point["at"]
        assert set(point["before"]) >= {"of", "value"}
    for finding in content["findings"]:
        assert finding["drill_down"]["since"] == "2026-02-03"
        assert finding["drill_down"]["until"] == "2026-02-12"


async def test_a_month_of_calls_fits_16_kb_as_sent_and_says_what_it_cut():
    regime = lambda at: story(at - timedelta(days=10))  # noqa: E731 - the story, later in the month
    _made, served = planted(3, regime=regime, days=30, per_day=40, start=START)
    result = await analyze(served, START + timedelta(days=30), days=30)
    assert wire_bytes(result) <= 16_000
    content = result.structured_content
    assert content is not None
    assert len(content["series"]) == 31  # a day each, none dropped
    assert content["cut"]
    assert "Cut to fit 16 kB: " in text_of(result)


async def test_the_last_calls_and_a_period_cannot_be_asked_together():
    _made, served = planted(1, per_day=2)
    server, _upstream = period_server(served, NOW)
    async with Client(server) as client:
        both = await client.call_tool("analyze_calls", {"assistant_id": ASSISTANT_ID, "last": 20, "days": 3})
        backwards = await client.call_tool(
            "analyze_calls", {"assistant_id": ASSISTANT_ID, "since": "2026-02-10", "until": "2026-02-03"}
        )
        too_long = await client.call_tool("analyze_calls", {"assistant_id": ASSISTANT_ID, "days": 93})
    assert both.is_error
    assert "not both" in text_of(both)
    assert backwards.is_error
    assert "since" in text_of(backwards)
    assert too_long.is_error


async def test_demo_now_is_the_end_of_the_last_days():
    _made, served = planted(11, regime=edited)
    server, _upstream = period_server(served, datetime(2030, 1, 1, tzinfo=timezone.utc), demo_now=NOW)
    async with Client(server) as client:
        result = await client.call_tool("analyze_calls", {"assistant_id": ASSISTANT_ID, "days": 7})
    assert result.structured_content is not None
    assert result.structured_content["period"]["until"] == "2026-02-15T00:00:00Z"
    assert result.structured_content["calls"] > 300


TRIAL_FOLLOW_UP = "9d0e8f7a-6b5c-4d4e-8f3a-2b1c0d9e8f70"  # the demo's assistant with two weeks of history


async def test_the_demo_tells_its_story_over_its_own_last_two_weeks_whatever_the_date():
    """`revox-mcp --demo`: "the last 14 days" end at the demo data's present, and its two weeks show the
    prompt edit that made calls worse and the model switch that made them slower, each as the cause."""
    async with Client(build_server(Settings(api_key=None, demo=True))) as client:
        result = await client.call_tool("analyze_calls", {"assistant_id": TRIAL_FOLLOW_UP, "days": 14})
    assert_ok(result)
    assert result.structured_content is not None
    assert result.structured_content["period"]["until"] == iso(DEMO_NOW)
    points = points_of(result)
    rejected = points["end_reason=user_rejected"]
    before, after = rejected["before"], rejected["after"]
    assert after["count"] / after["of"] > 3 * before["count"] / before["of"]
    assert rejected["cause"]["kind"] == "prompt"
    assert rejected["cause"]["fields"] == ["prompt"]
    slower = points["llm_ttft_ms"]
    assert slower["after"]["value"] > 1.5 * slower["before"]["value"]
    assert slower["cause"]["fields"] == ["llm_model"]
    assert moment(slower["at"]) > moment(rejected["at"])
    assert "prompt changed" in text_of(result)


# --------------------------------------------------------------------------- drill-down: the calls behind


async def page_through(client: Client, arguments: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    cursor = None
    for _ in range(100):
        result = await client.call_tool(
            "list_calls", {**arguments, "limit": 100, **({"cursor": cursor} if cursor else {})}
        )
        assert_ok(result)
        assert result.structured_content is not None
        ids += [row["id"] for row in result.structured_content["calls"]]
        cursor = result.structured_content.get("next_cursor")
        if cursor is None:
            return ids
    raise AssertionError("no last page")


def behind(made: list[CallObservation], point: dict[str, Any]) -> set[str]:
    """The planted calls a change point's "after" side counts: from its time to the end of its segment,
    those that show its metric (a rate's hits) or are measured (a latency)."""
    drill = point["drill_down"]
    period = parse_period(drill["since"], drill["until"], now=NOW)
    metric, _sep, value = point["metric"].partition("=")
    shows = {
        "end_reason": lambda call: value in call.end_reasons,
        "dial_error": lambda call: value in call.dial_errors,
        "outcome": lambda call: call.outcome == value,
        "tool_error": lambda call: value in call.tool_errors,
    }.get(metric) or METRIC_PATTERNS[metric]
    return {call.call_id for call in made if period.contains(call.at) and shows(call)}


async def test_every_change_point_drills_down_to_exactly_the_calls_it_counted():
    made, served = planted(11, regime=story)
    server, _upstream = period_server(served, NOW)
    async with Client(server) as client:
        result = await client.call_tool("analyze_calls", {"assistant_id": ASSISTANT_ID, "days": 14})
        assert result.structured_content is not None
        points = result.structured_content["change_points"]
        assert {"end_reason=user_rejected", "llm_ttft_ms"} <= {point["metric"] for point in points}
        for point in points:
            listed = await page_through(client, point["drill_down"])
            assert len(listed) == len(set(listed))
            counted = point["after"]["count"] if point["kind"] == "rate" else point["after"]["of"]
            assert len(listed) == counted, point["metric"]
            assert set(listed) == behind(made, point), point["metric"]


def test_the_planted_calls_are_what_revox_would_send():
    made, served = planted(11, regime=story, per_day=5)
    assert [call["id"] for call in reversed(served)] == [call.call_id for call in made]
    assert json.dumps(served)  # plain JSON, as the fake serves it


# --------------------------------------------------------------------------- versions the server stored


async def test_a_version_the_server_stored_is_the_cause_once_a_history_is_wired_in():
    """The seam a history store plugs into (``CallService(stored=...)``): its versions are dated by the
    assistant's own edit time, and one that lies between the last old call and the first new one is
    that edit, with its fields."""
    _made, served = planted(11, regime=edited)
    stored = ConfigChange(
        at=EDIT, source="stored", kind="version", fields=["prompt"], summary="version 7: prompt edited"
    )

    async def history(_cred: Credential, assistant_id: str) -> list[ConfigChange]:
        return [stored] if assistant_id == ASSISTANT_ID else []

    upstream = Upstream(FakeApi({API_KEY: Organisation([served[0]["assistant"]], None, Account(served))}))
    clock = clock_at(NOW)
    api = RevoxApi(base_url=BASE_URL, sleep=no_sleep, transport=upstream)
    async with api, Cache(MemoryBackend(clock=clock), wall=clock, monotonic=clock) as cache:
        data = RevoxData(api, cache, DataSettings(), wall=clock)
        service = CallService(data, AssistantService(data, memo_entries=100), memo_entries=100, stored=history)
        answer = await service.analyze_calls(Credential(API_KEY), ASSISTANT_ID, days=14)
    content = answer.structured
    assert [c["source"] for c in content["config_changes"]] == ["stored", "calls"]
    [point] = [p for p in content["change_points"] if p["metric"] == "end_reason=user_rejected"]
    assert point["cause"] == {
        "at": "2026-02-07T14:02:00Z",
        "source": "stored",
        "kind": "version",
        "fields": ["prompt"],
        "summary": "version 7: prompt edited",
    }
    assert "a version the server stored at 14:02Z" in answer.text
