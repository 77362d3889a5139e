"""Calls with known answers over time, as Revox sends them: the planted observations of
``domain/timeline/planted.py`` (a regime per moment: prompt, model, shares, latencies) written as
call orders that embed the assistant they ran with. Seeded: every run sees the same calls.

Served by the one fake Revox (``server_over``), with "now" set by the injected clock, so a test asks
"the last 14 days" of planted data and knows what must come back.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import anyio.lowlevel
import httpx
from domain.timeline.planted import START, STEADY, Regime, calls
from support import API_KEY, FakeClock, make_server

from revox_mcp.api.fake import Account, FakeApi, Organisation, SearchRules
from revox_mcp.api.fake.transport import fake_transport
from revox_mcp.domain.timeline.observation import CallObservation

ASSISTANT_ID = "7e1f0c2d-3b4a-4c5d-8e9f-0a1b2c3d4e5f"
PROMPTS = {
    "prompt-a": "You are Lucy from the clinic.\nConfirm the appointment politely.\nIf they say no, thank them.",
    # An edit that also pasted a secret: the diff of the cause must show it redacted (every secret holds FAKE).
    "prompt-b": "You are Lucy from the clinic.\nPush hard for a yes; never accept a no.\nIf they say no, call back."
    "\nBook with key sk_live_FAKE51Hx9aQ2mZ7pR4tW8yB3.",
}
BASE_ASSISTANT: dict[str, Any] = {
    "id": ASSISTANT_ID,
    "name": "Clinic reminders",
    "prompt": PROMPTS["prompt-a"],
    "first_sentence_mode": "static",
    "first_sentence": "Hi, this is the clinic.",
    "max_call_duration_secs": 600,
    "voicemail_message": "Please call us back.",
    "transfer_destinations": [{"label": "Front desk", "phone_number": "+33100000000"}],
    "custom_tools": [
        {
            "name": "Book-Slot",
            "method": "POST",
            "url": "https://cal.example/book",
            "headers": [{"key": "Authorization", "value": "Bearer FAKE-tool-token-7f3a9c"}],
        }
    ],
    "call_retry_config": {"max_retry_attempts": 3},
    "llm_model": {"type": "dedicated-instance", "name": "gpt-4o"},
    "voice": {"id": "v1", "provider": "cartesia", "model": "sonic-3"},
    "updated_at": "2026-01-10T09:00:00.000Z",
}


def assistant_for(regime: Regime) -> dict[str, Any]:
    """The assistant as it was configured while ``regime`` held."""
    made = copy.deepcopy(BASE_ASSISTANT)
    made["prompt"] = PROMPTS.get(regime.prompt, regime.prompt)
    made["llm_model"] = {"type": "dedicated-instance", "name": regime.model}
    return made


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def as_revox(observation: CallObservation, regime: Regime, assistant: dict[str, Any] | None = None) -> dict[str, Any]:
    """One planted call as Revox sends it: one attempt, its transcript (tool results), its speech events;
    ``assistant``: the configuration it embeds (default: ``assistant_for(regime)``)."""
    at = observation.at
    answered = at + timedelta(seconds=5)
    attempt: dict[str, Any] = {
        "id": f"att-{observation.call_id}",
        "status": "completed",
        "phone_number": "+33612345678",
        "started_at": stamp(at),
        "result": None,
        "end_reason": observation.end_reasons[0] if observation.end_reasons else None,
        "ended_by": "user" if observation.end_reasons[:1] == ("user_rejected",) else "agent",
        "dial_error": observation.dial_errors[0] if observation.dial_errors else None,
        "transcript": [],
        "speech_events": [],
    }
    if observation.dial_errors:
        attempt.update(status="error", ended_by=None)
    elif observation.talk_s is not None:
        attempt["answered_at"] = stamp(answered)
        attempt["ended_at"] = stamp(answered + timedelta(seconds=observation.talk_s))
        attempt["result"] = "voicemail" if observation.voicemail else "human"
    tools = [
        {
            "role": "tool",
            "content": "",
            "tool_name": name,
            "tool_is_error": index < len(observation.tool_errors),
            "tool_output": "HTTP 500" if index < len(observation.tool_errors) else "{}",
        }
        for index, name in enumerate(observation.tool_results)
    ]
    if observation.reached_person:
        attempt["transcript"] = [{"role": "assistant", "content": "Hi"}, {"role": "user", "content": "Yes?"}, *tools]
    events: list[dict[str, Any]] = []
    for index, (ttft, ttfb) in enumerate(zip(observation.llm_ttft_ms, observation.tts_ttfb_ms, strict=True)):
        events.append({"speaker": "user", "started_speaking_at_ms": index * 4000, "is_real_turn": True})
        events.append(
            {
                "speaker": "agent",
                "started_speaking_at_ms": index * 4000 + 2000,
                "is_real_turn": True,
                "llm_ttft_ms": ttft,
                "tts_ttfb_ms": ttfb,
                "llm_winner_model": regime.model,
            }
        )
    attempt["speech_events"] = events
    return {
        "id": observation.call_id,
        "status": "completed",
        "direction": "outbound",
        "created_at": stamp(at),
        "outcome": observation.outcome,
        "assistant": assistant if assistant is not None else assistant_for(regime),
        "call_attempts": [attempt],
    }


def planted(
    seed: int,
    *,
    regime: Callable[[datetime], Regime] = lambda _moment: STEADY,
    days: float = 14,
    per_day: float = 60,
    start: datetime = START,
) -> tuple[list[CallObservation], list[dict[str, Any]]]:
    """The planted observations (oldest first) and the same calls as Revox lists them (newest first).
    Times are kept to the millisecond, as Revox sends them."""
    made = [
        replace(observation, at=observation.at.replace(microsecond=observation.at.microsecond // 1000 * 1000))
        for observation in calls(seed, days=days, per_day=per_day, regime=regime, start=start)
    ]
    # One configuration object per regime, shared by its calls (read only: the fake serialises them).
    configs: dict[Regime, dict[str, Any]] = {}
    served = []
    for observation in reversed(made):
        now = regime(observation.at)
        config = configs.get(now)
        if config is None:
            config = configs[now] = assistant_for(now)
        served.append(as_revox(observation, now, config))
    return made, served


def clock_at(moment: datetime) -> FakeClock:
    """A clock whose wall time is ``moment``: "the last 14 days" end there."""
    return FakeClock(start=moment.timestamp())


class Upstream(httpx.AsyncBaseTransport):
    """The one fake Revox in process, counted: every request, and the most in flight at once.

    Each request yields to the event loop a few times before it is answered, so that requests sent
    together are in flight together (no sleep: the count does not depend on time)."""

    def __init__(self, api: FakeApi, *, latency: float = 0.0) -> None:
        self.inner = fake_transport(api)
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.most = 0
        self.latency = latency  # seconds each answer takes (benchmarks: a network's round trip; tests: none)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            for _ in range(3):
                await anyio.lowlevel.checkpoint()
            if self.latency:
                await anyio.sleep(self.latency)
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1

    def searches(self) -> list[dict[str, Any]]:
        """The bodies of the POST /call/search requests, in order."""
        return [json.loads(r.content) for r in self.requests if r.url.path.endswith("/call/search")]


def period_server(
    served: list[dict[str, Any]],
    now: datetime,
    *,
    assistants: list[dict[str, Any]] | None = None,
    rules: SearchRules | None = None,
    clock: FakeClock | None = None,
    latency: float = 0.0,
    **options: Any,
) -> tuple[Any, Upstream]:
    """The server over the fake Revox in process, with "now" at ``now``: these calls, and these
    assistants (default: the planted one as it is now, its latest call's configuration)."""
    current = served[0]["assistant"] if served else BASE_ASSISTANT
    chosen = assistants if assistants is not None else [current]
    organisation = Organisation(chosen, {str(a["id"]) for a in chosen}, Account(served))
    upstream = Upstream(FakeApi({API_KEY: organisation}, rules), latency=latency)
    server = make_server(transport=upstream, clock=clock or clock_at(now), **options)
    return server, upstream
