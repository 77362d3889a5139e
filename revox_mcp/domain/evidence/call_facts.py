"""The few facts the call rules read from one cleaned call (memoised by the service, by content). Pure."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from revox_mcp.domain.call_fields import (
    ToolResult,
    agent_turns,
    attempts,
    duration_seconds,
    enum,
    is_empty,
    message_counts,
    numbers,
    one_line,
    seconds_of,
    structured_output,
    tool_results,
    transcript_of,
)
from revox_mcp.domain.facts import child, flag, items, text


@functools.cache  # compiled on first use: a server that never analyses calls never pays for it
def _human_request() -> re.Pattern[str]:
    """Someone asking for a person, in the languages Revox voices speak (en, fr, es, de, it, pt)."""
    return re.compile(
        r"(?i)\b(?:"
        r"(?:speak|talk)\s+(?:to|with)\s+(?:a|an|some|the|your|a\s+real)?\s*"
        r"(?:human|person|agent|someone|somebody|manager|representative|operator|receptionist|real\s+person)"
        r"|real\s+person|human\s+being|customer\s+service\s+rep"
        r"|parler\s+(?:à|a|avec)\s+(?:un|une|le|la|quelqu'un|quelqu’un|un\s+vrai)?\s*"
        r"(?:humain|personne|conseill\w*|quelqu|responsable|opérat\w*|agent|vrai)"
        r"|hablar\s+con\s+(?:un|una|el|la|alguien)?\s*(?:humano|persona|agente|alguien|operador\w*|encargad\w*)"
        r"|mit\s+(?:einem|einer|jemandem)\s*(?:echten\s+)?(?:menschen|mitarbeiter\w*|person|berater\w*)?\s*sprechen"
        r"|echten\s+menschen"
        r"|parlare\s+con\s+(?:un|una|qualcuno|l'|un\s+vero)?\s*(?:operatore|operatrice|persona|umano|qualcuno)"
        r"|falar\s+com\s+(?:um|uma|alguém)?\s*(?:atendente|pessoa|humano|alguém)"
        r")"
    )


@dataclass(frozen=True)
class AttemptFacts:
    status: str | None
    result: str | None
    end_reason: str | None
    ended_by: str | None
    dial_error: str | None
    destination: str | None  # the number called, as shown (masked in mask mode)
    duration: float | None
    agent_turns: int
    cut_turns: int
    user_turns: int
    agent_spoke: bool
    human_asked: bool
    transferred: bool
    ttft: tuple[float, ...]
    ttfb: tuple[float, ...]
    stt: tuple[float, ...]
    winner_models: tuple[str, ...]
    tools: tuple[ToolResult, ...]
    sms: tuple[tuple[str, int], ...]
    structured: tuple[tuple[str, bool], ...] | None  # (key, empty?) when structured output was extracted

    @property
    def connected(self) -> bool:
        return self.result is not None or self.duration is not None

    @property
    def answered_by_human(self) -> bool:
        return self.result == "human" or (self.result is None and self.duration is not None and self.agent_spoke)


@dataclass(frozen=True)
class CallFacts:
    id: str
    status: str | None
    outcome: str | None
    direction: str | None
    created: float | None
    attempts: tuple[AttemptFacts, ...]
    variables: frozenset[str] | None  # the prompt_variables keys the call was given (None: none at all)

    @property
    def last(self) -> AttemptFacts | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def reached_human(self) -> bool:
        return any(attempt.answered_by_human for attempt in self.attempts)


def _attempt_facts(attempt: Mapping[str, Any]) -> AttemptFacts:
    transcript = transcript_of(attempt)
    events = items(attempt, "speech_events")
    user_texts = [text(entry, "content") or "" for entry in transcript if entry.get("role") == "user"]
    user_texts += [text(e, "transcript") or "" for e in events if e.get("speaker") == "user" and not transcript]
    turns, cut = agent_turns(attempt)
    agent_lines = sum(1 for entry in transcript if entry.get("role") == "assistant" and text(entry, "content"))
    human_lines = any(entry.get("role") == "human_agent" for entry in transcript)
    structured = structured_output(attempt)
    sms, _emails = message_counts(attempt)
    return AttemptFacts(
        status=enum(attempt, "status"),
        result=enum(attempt, "result"),
        end_reason=enum(attempt, "end_reason"),
        ended_by=enum(attempt, "ended_by"),
        dial_error=enum(attempt, "dial_error"),
        destination=enum(attempt, "phone_number"),
        duration=duration_seconds(attempt),
        agent_turns=max(turns, agent_lines),
        cut_turns=cut,
        user_turns=len([t for t in user_texts if t.strip()]),
        agent_spoke=turns > 0 or agent_lines > 0,
        human_asked=any(_human_request().search(t) for t in user_texts),
        transferred=(
            enum(attempt, "end_reason") == "transfer" or flag(attempt, "handled_by_human") is True or human_lines
        ),
        ttft=tuple(numbers(events, "llm_ttft_ms", "agent")),
        ttfb=tuple(numbers(events, "tts_ttfb_ms", "agent")),
        stt=tuple(numbers(events, "stt_transcription_delay_ms", "user")),
        winner_models=tuple(m for e in events if (m := enum(e, "llm_winner_model"))),
        tools=tuple(tool_results(attempt)),
        sms=tuple(sorted(sms.items())),
        structured=tuple((str(k), is_empty(v)) for k, v in structured.items()) if structured is not None else None,
    )


def facts_of(call: Mapping[str, Any]) -> CallFacts:
    """The facts the rules read from one cleaned call. Never raises."""
    variables = child(call, "prompt_variables")
    return CallFacts(
        id=str(call.get("id")),
        status=enum(call, "status"),
        outcome=enum(call, "outcome"),
        direction=enum(call, "direction"),
        created=seconds_of(call.get("created_at")),
        attempts=tuple(_attempt_facts(attempt) for attempt in attempts(call)),
        variables=frozenset(str(k) for k in variables) if variables is not None else None,
    )


# --- as a cache keeps them (a period's calls are kept as these facts, not as whole calls) -------------

# A tool's output is only ever quoted (``context.quote``: 90 characters): this much of it is kept.
KEPT_OUTPUT = 100


def compact_facts(facts: CallFacts) -> CallFacts:
    """The same facts with each tool output cut to what a finding can quote: what a period keeps."""
    attempts = tuple(
        replace(attempt, tools=tuple(replace(t, output=one_line(t.output, KEPT_OUTPUT)) for t in attempt.tools))
        for attempt in facts.attempts
    )
    return replace(facts, attempts=attempts)


def facts_json(facts: CallFacts) -> dict[str, Any]:
    """JSON-ready facts (``facts_from_json`` reads them back equal)."""
    out = asdict(facts)
    out["variables"] = sorted(facts.variables) if facts.variables is not None else None
    return out


def facts_from_json(data: Mapping[str, Any]) -> CallFacts:
    attempts = tuple(_attempt_from_json(attempt) for attempt in data["attempts"])
    variables = data["variables"]
    return CallFacts(
        id=data["id"],
        status=data["status"],
        outcome=data["outcome"],
        direction=data["direction"],
        created=data["created"],
        attempts=attempts,
        variables=frozenset(variables) if variables is not None else None,
    )


def _attempt_from_json(data: Mapping[str, Any]) -> AttemptFacts:
    values = dict(data)
    for name in ("ttft", "ttfb", "stt", "winner_models"):
        values[name] = tuple(values[name])
    values["tools"] = tuple(ToolResult(**tool) for tool in values["tools"])
    values["sms"] = tuple((kind, count) for kind, count in values["sms"])
    structured = values["structured"]
    values["structured"] = tuple((key, empty) for key, empty in structured) if structured is not None else None
    return AttemptFacts(**values)
