"""The demo account (revox_mcp.api.demo): Trial Follow-up's two weeks tell the story issue 17 asks
for, its calls carry the assistant as it was when they were made, and the demo's present and versions
are there for the time axis and the history."""

from __future__ import annotations

import functools
import itertools
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from revox_mcp.api.demo import DEMO_API_KEY, DEMO_NOW, demo_assistants, demo_organisation, demo_versions
from revox_mcp.api.fake import FakeApi
from revox_mcp.api.search import REQUIRED_ARRAYS
from revox_mcp.domain.timeline.analysis import Timeline, analyze_timeline
from revox_mcp.domain.timeline.change import ChangePoint
from revox_mcp.domain.timeline.config import ConfigChange
from revox_mcp.domain.timeline.observation import CallObservation
from revox_mcp.domain.timeline.period import parse_period

TRIALS = "9d0e8f7a-6b5c-4d4e-8f3a-2b1c0d9e8f70"
UTC = timezone.utc
CREATED = datetime(2026, 2, 2, 9, 12, 44, 120_000, tzinfo=UTC)
VOICEMAIL_EDIT = datetime(2026, 2, 17, 10, 15, tzinfo=UTC)  # reworded: changes nothing the calls measure
PROMPT_EDIT = datetime(2026, 2, 19, 14, 2, tzinfo=UTC)  # pushier: people hang up after the opening
MODEL_SWITCH = datetime(2026, 2, 24, 11, 47, tzinfo=UTC)  # openai/gpt-4.1 → openai/gpt-5: slower
LAST_14_DAYS = parse_period(last_days=14, now=DEMO_NOW)
AUTH = f"Bearer {DEMO_API_KEY}"


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@functools.cache
def trial_calls() -> tuple[dict[str, Any], ...]:
    """Trial Follow-up's calls, newest first, as the demo's Revox answers a search for them, page by page."""
    api = FakeApi({DEMO_API_KEY: demo_organisation()})
    body: dict[str, Any] = {name: [] for name in REQUIRED_ARRAYS} | {"assistant_ids": [TRIALS], "page_size": 100}
    body |= {"sort_by": "created_at", "sort_direction": "desc"}
    calls: list[dict[str, Any]] = []
    for page in range(100):
        answer = api.answer("POST", "/call/search", AUTH, json.dumps(body | {"page": page}).encode())
        found = json.loads(answer.body)
        calls += found["calls"]
        if len(calls) >= found["total_count"]:
            return tuple(calls)
    raise AssertionError("the pages never ended")


def observed(call: dict[str, Any]) -> CallObservation:
    """What the time axis counts of one served call (the prompt: the system message the LLM got)."""
    attempts = call["call_attempts"]
    agent = [event for a in attempts for event in a["speech_events"] if event["speaker"] == "agent"]
    tools = [entry for a in attempts for entry in a["transcript"] if entry["role"] == "tool"]
    talk = [(moment(a["ended_at"]) - moment(a["answered_at"])).total_seconds() for a in attempts if a["answered_at"]]
    return CallObservation(
        at=moment(call["created_at"]),
        call_id=call["id"],
        attempts=len(attempts),
        outcome=call["outcome"],
        end_reasons=tuple(a["end_reason"] for a in reversed(attempts) if a["end_reason"]),
        dial_errors=tuple(a["dial_error"] for a in reversed(attempts) if a["dial_error"]),
        tool_results=tuple(entry["tool_name"] for entry in tools),
        tool_errors=tuple(entry["tool_name"] for entry in tools if entry["tool_is_error"]),
        reached_person=any(a["result"] == "human" for a in attempts),
        voicemail=any(a["result"] == "voicemail" for a in attempts),
        talk_s=sum(talk) if talk else None,
        llm_ttft_ms=tuple(event["llm_ttft_ms"] for event in agent),
        tts_ttfb_ms=tuple(event["tts_ttfb_ms"] for event in agent),
        prompt=json.loads(agent[0]["llm_system_prompt"])[0]["content"] if agent else None,
        model=agent[0]["llm_winner_model"] if agent else None,
    )


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name in after if name != "updated_at" and before.get(name) != after[name])


def trial_versions() -> list[tuple[datetime, dict[str, Any]]]:
    return [(version.at, dict(version.config)) for version in demo_versions() if version.assistant_id == TRIALS]


def edits() -> list[tuple[datetime, list[str]]]:
    """When each version after the first was made, and the fields it changed."""
    return [(at, changed(old, new)) for (_at, old), (at, new) in itertools.pairwise(trial_versions())]


def stored_changes() -> list[ConfigChange]:
    """The edits as the server's history gives them to the time axis: each version with its fields."""
    return [ConfigChange(at=at, source="stored", kind="version", fields=f, summary="version") for at, f in edits()]


@functools.cache
def timeline(with_history: bool = True) -> Timeline:
    observations = [observed(call) for call in trial_calls()]
    return analyze_timeline(LAST_14_DAYS, observations, stored=stored_changes() if with_history else ())


def first_call_after(edit: datetime, counted: Any) -> datetime:
    """When the first call after ``edit`` was made, among the calls a metric counts."""
    return min(o.at for o in map(observed, trial_calls()) if o.at >= edit and counted(o))


def point(metric: str, with_history: bool = True) -> ChangePoint:
    return next(p for p in timeline(with_history).change_points if p.metric == metric)


# --------------------------------------------------------------------------- the story


def test_trial_follow_up_was_edited_three_times_and_is_served_as_it_is_now() -> None:
    versions = trial_versions()
    assert edits() == [
        (VOICEMAIL_EDIT, ["voicemail_message"]),
        (PROMPT_EDIT, ["prompt"]),
        (MODEL_SWITCH, ["llm_model"]),
    ]
    assert versions[0][0] == CREATED
    assert [moment(config["updated_at"]) for _at, config in versions] == [at for at, _config in versions]
    assert "ask whether now is a good time" in versions[1][1]["prompt"]
    assert "Do not ask whether it is a good time" in versions[2][1]["prompt"]
    assert [config["llm_model"]["openrouter_model_id"] for _at, config in versions[2:]] == [
        "openai/gpt-4.1",
        "openai/gpt-5",
    ]
    api = FakeApi({DEMO_API_KEY: demo_organisation()})
    assert json.loads(api.answer("GET", f"/assistants/{TRIALS}", AUTH).body) == versions[-1][1]


def test_the_prompt_edit_is_found_at_the_first_call_after_it_and_given_as_the_cause() -> None:
    rejected = point("end_reason=user_rejected")
    assert rejected.at == first_call_after(PROMPT_EDIT, lambda o: o.end_reasons)
    assert rejected.p_value is not None
    assert rejected.p_value < 0.001
    assert rejected.before.value < 0.1 < 0.35 < rejected.after.value
    assert rejected.before.of >= 100
    assert rejected.after.of >= 100
    assert rejected.cause is not None
    assert (rejected.cause.at, rejected.cause.source, rejected.cause.fields) == (PROMPT_EDIT, "stored", ["prompt"])


def test_the_model_switch_is_found_at_the_first_call_after_it_in_latency_only() -> None:
    slower = point("llm_ttft_ms")
    assert slower.at == first_call_after(MODEL_SWITCH, lambda o: o.llm_ttft_ms)
    assert 600 < slower.before.value < 800
    assert 1_300 < slower.after.value < 1_500
    assert slower.p_value is not None
    assert slower.p_value < 0.001
    assert slower.cause is not None
    assert (slower.cause.at, slower.cause.fields) == (MODEL_SWITCH, ["llm_model"])
    assert [p.metric for p in timeline().change_points if p.at >= MODEL_SWITCH] == ["llm_ttft_ms"]


def test_nothing_else_changes_every_change_point_lies_at_an_edit_that_explains_it() -> None:
    points = timeline().change_points
    after_edit = first_call_after(PROMPT_EDIT, lambda o: True)
    assert {p.metric for p in points if p.at != after_edit} == {"llm_ttft_ms"}
    assert {p.metric for p in points if p.at == after_edit} >= {"end_reason=user_rejected", "outcome=interested"}
    assert all(p.cause is not None and p.cause.at in (PROMPT_EDIT, MODEL_SWITCH) for p in points)
    assert timeline().note is None


def test_the_calls_alone_date_both_changes_and_find_the_same_shifts() -> None:
    """A fresh server, with no history stored, sees the edits in the prompts and models the calls used."""
    seen = timeline(with_history=False)
    prompt, model = [(c.kind, c.last_before, c.at) for c in seen.config_changes]
    assert prompt[0] == "prompt"
    assert prompt[1] is not None
    assert prompt[1] < PROMPT_EDIT <= prompt[2]
    assert model[0] == "model"
    assert model[1] is not None
    assert model[1] < MODEL_SWITCH <= model[2]
    assert [(p.metric, p.at) for p in seen.change_points] == [(p.metric, p.at) for p in timeline().change_points]
    assert point("end_reason=user_rejected", with_history=False).cause.kind == "prompt"  # type: ignore[union-attr]
    assert "openai/gpt-4.1 → openai/gpt-5" in point("llm_ttft_ms", with_history=False).cause.summary  # type: ignore[union-attr]


def test_every_weekday_has_its_share_of_calls_voicemail_and_dial_errors() -> None:
    rows = [row for row in timeline().series if row.calls]
    assert [row.start.date().isoformat() for row in rows] == [
        f"2026-02-{day}" for day in (16, 17, 18, 19, 20, 23, 24, 25, 26, 27)
    ]
    assert all(30 <= row.calls <= 60 and row.voicemail and row.dial_errors for row in rows)
    assert sum(row.calls for row in rows) == len(trial_calls())


# --------------------------------------------------------------------------- calls as they were


def test_each_call_embeds_its_assistant_as_it_was_when_the_call_was_made() -> None:
    versions = trial_versions()
    for call in trial_calls():
        made = moment(call["created_at"])
        in_use = max((v for v in versions if v[0] <= made), key=lambda v: v[0])[1]
        assert call["assistant"] == in_use, call["id"]
        assert call["llm_model"] == in_use["llm_model"]
        for event in (e for a in call["call_attempts"] for e in a["speech_events"] if e["speaker"] == "agent"):
            assert json.loads(event["llm_system_prompt"])[0] == {"role": "system", "content": in_use["prompt"]}
            assert event["llm_winner_model"] == in_use["llm_model"]["openrouter_model_id"]


def test_calls_of_assistants_without_a_history_embed_them_as_they_are_now() -> None:
    assistants, _listed = demo_assistants()
    now = {a["id"]: a for a in assistants}
    account = demo_organisation().account
    assert account is not None
    others = [call for call in account.calls or () if call["assistant"]["id"] != TRIALS]
    assert len(others) == 80
    assert all(call["assistant"] == now[call["assistant"]["id"]] for call in others)


# --------------------------------------------------------------------------- for the time axis and history


def test_demo_now_is_a_little_after_the_newest_demo_call() -> None:
    account = demo_organisation().account
    assert account is not None
    newest = max(moment(call["created_at"]) for call in account.calls or ())
    assert newest < DEMO_NOW < newest + timedelta(hours=6)
    assert LAST_14_DAYS.since < min(moment(call["created_at"]) for call in trial_calls())


def test_demo_versions_hold_every_version_of_every_assistant_oldest_first() -> None:
    assistants, _listed = demo_assistants()
    versions = demo_versions()
    assert [v.at for v in versions] == sorted(v.at for v in versions)
    assert {v.assistant_id for v in versions} == {a["id"] for a in assistants}
    assert len(versions) == len(assistants) + 3
    assert all(v.config["id"] == v.assistant_id for v in versions)
