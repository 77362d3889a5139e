"""What list_calls and get_call show of a call: its row, its summary, an attempt's turns, its JSON or the
fields asked for. Pure, no I/O.

Built from a cleaned call through the lenient readers of ``call_fields``: a view never raises, and
each text it carries from the call is bounded (the rest is one ``get_call`` away).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from revox_mcp.domain.call_fields import (
    ATTEMPT_FIELDS,
    CALL_FIELDS,
    agent_turns,
    attempts,
    duration_seconds,
    enum,
    handled_by,
    is_empty,
    last_attempt,
    latency,
    message_counts,
    name_of,
    one_line,
    seconds_of,
    structured_output,
    tool_results,
    transcript_of,
    when_text,
)
from revox_mcp.domain.facts import child, flag, number, text
from revox_mcp.domain.output import Out
from revox_mcp.errors import InputError

# Tool outputs and turns are quoted, never whole: the rest is one get_call away.
MAX_TOOL_OUTPUT = 160
MAX_TURN_CHARS = 3_000


class CallRow(Out):
    """One call in a list: about 200 bytes of text."""

    id: str
    when: str | None = Field(None, description="created, UTC")
    direction: str | None = None
    status: str | None = None
    attempts: int | None = None
    result: str | None = Field(None, description="last attempt's")
    end_reason: str | None = None
    ended_by: str | None = None
    dial_error: str | None = None
    duration_s: int | None = None
    outcome: str | None = None
    assistant_id: str | None = None
    assistant: str | None = None
    campaign: str | None = None


def row_of(call: Mapping[str, Any]) -> CallRow:
    last = last_attempt(call)
    assistant = child(call, "assistant")
    campaign = child(call, "campaign")
    count = number(call, "calls_count")
    duration = duration_seconds(last) if last is not None else None
    return CallRow(
        id=str(call.get("id")),
        when=when_text(seconds_of(call.get("created_at"))),
        direction=enum(call, "direction"),
        status=enum(call, "status"),
        attempts=int(count) if count is not None and 0 <= count < 1e6 else len(attempts(call)) or None,
        result=enum(last, "result"),
        end_reason=enum(last, "end_reason"),
        ended_by=enum(last, "ended_by"),
        dial_error=enum(last, "dial_error"),
        duration_s=round(duration) if duration is not None else None,
        outcome=enum(call, "outcome"),
        assistant_id=name_of(text(assistant, "id")),
        assistant=name_of(text(assistant, "name")),
        campaign=name_of(text(campaign, "name")),
    )


class AttemptView(Out):
    n: int = Field(description="1 = first attempt")
    status: str | None = None
    started: str | None = None
    result: str | None = None
    end_reason: str | None = None
    ended_by: str | None = None
    dial_error: str | None = None
    duration_s: int | None = None
    handled_by: str | None = None


class ToolUse(Out):
    name: str
    ok: bool
    output: str | None = Field(None, description="quoted call data, short")


class CallSummary(Out):
    status: str | None = None
    direction: str | None = None
    created: str | None = None
    outcome: str | None = None
    outcome_summary: str | None = Field(None, description="quoted call data")
    assistant_id: str | None = None
    assistant: str | None = None
    campaign: str | None = None
    attempts: list[AttemptView] = Field(description="timeline, oldest first")
    attempt: int | None = Field(None, description="the attempt the rest describes")
    tool_calls: list[ToolUse] | None = None
    latency_ms: dict[str, int] | None = Field(None, description="p50/p95")
    agent_turns: int | None = None
    interrupted: int | None = Field(None, description="agent turns cut by the caller")
    sms: dict[str, int] | None = Field(None, description="sent, by type")
    emails: int | None = None
    structured_output: list[str] | None = Field(None, description="keys; (empty) marks empty values")
    prompt_variables: list[str] | None = Field(None, description="keys")
    recording: bool | None = None


def _attempt_view(n: int, attempt: Mapping[str, Any]) -> AttemptView:
    duration = duration_seconds(attempt)
    return AttemptView(
        n=n,
        status=enum(attempt, "status"),
        started=when_text(seconds_of(attempt.get("started_at"))),
        result=enum(attempt, "result"),
        end_reason=enum(attempt, "end_reason"),
        ended_by=enum(attempt, "ended_by"),
        dial_error=enum(attempt, "dial_error"),
        duration_s=round(duration) if duration is not None else None,
        handled_by=handled_by(attempt),
    )


_MAX_TIMELINE = 20
_MAX_TOOL_CALLS = 20
_MAX_KEYS = 40
_SUMMARY_TEXT = 600


def choose_attempt(call: Mapping[str, Any], wanted: int | None) -> tuple[int, Mapping[str, Any] | None]:
    """(1-based number, attempt): the one asked for, or the last; InputError past the end."""
    chronological = attempts(call)
    if wanted is None:
        return len(chronological), (chronological[-1] if chronological else None)
    if not 1 <= wanted <= len(chronological):
        raise InputError(
            f"attempt {wanted} does not exist: this call has {len(chronological)} attempt(s), numbered from 1 (oldest)."
        )
    return wanted, chronological[wanted - 1]


def summary_of(call: Mapping[str, Any], wanted: int | None = None) -> CallSummary:
    chronological = attempts(call)
    number_, attempt = choose_attempt(call, wanted)
    shown = list(enumerate(chronological, start=1))
    if len(shown) > _MAX_TIMELINE:  # the first and the latest ones
        shown = shown[:5] + shown[-(_MAX_TIMELINE - 5) :]
    assistant = child(call, "assistant")
    summary = text(call, "outcome_summary")
    view = CallSummary(
        status=enum(call, "status"),
        direction=enum(call, "direction"),
        created=when_text(seconds_of(call.get("created_at"))),
        outcome=enum(call, "outcome"),
        outcome_summary=clip_text(summary, _SUMMARY_TEXT) if summary else None,
        assistant_id=name_of(text(assistant, "id")),
        assistant=name_of(text(assistant, "name")),
        campaign=name_of(text(child(call, "campaign"), "name")),
        attempts=[_attempt_view(n, a) for n, a in shown],
        attempt=number_ or None,
    )
    variables = child(call, "prompt_variables")
    if variables:
        view.prompt_variables = [str(k) for k in list(variables)[:_MAX_KEYS]]
    if attempt is None:
        return view
    results = tool_results(attempt)
    if results:
        view.tool_calls = [
            ToolUse(name=r.name, ok=not r.error, output=one_line(r.output, MAX_TOOL_OUTPUT) or None)
            for r in results[:_MAX_TOOL_CALLS]
        ]
    view.latency_ms = latency(attempt) or None
    turns, cut = agent_turns(attempt)
    if turns:
        view.agent_turns, view.interrupted = turns, cut
    sms, emails = message_counts(attempt)
    view.sms = sms or None
    view.emails = emails or None
    output = structured_output(attempt)
    if output is not None:
        keys = list(output.items())[:_MAX_KEYS]
        view.structured_output = [f"{k} (empty)" if is_empty(v) else str(k) for k, v in keys]
    url = attempt.get("recording_url")
    view.recording = True if isinstance(url, str) and url else None
    return view


def clip_text(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[:limit] + f"…[cut: {len(value) - limit} more characters]"


class Turn(Out):
    role: str
    text: str
    tool: str | None = None
    error: bool | None = None


def turns_of(attempt: Mapping[str, Any] | None) -> list[Turn]:
    """The attempt's transcript, role-tagged, each turn bounded (the live one, else the post-call one)."""
    if attempt is None:
        return []
    found: list[Turn] = []
    for entry in transcript_of(attempt):
        role = enum(entry, "role") or "unknown"
        if role == "tool":
            content = text(entry, "tool_output") or text(entry, "content") or ""
            found.append(
                Turn(
                    role=role,
                    text=clip_text(content, MAX_TURN_CHARS),
                    tool=name_of(entry.get("tool_name")),
                    error=flag(entry, "tool_is_error"),
                )
            )
            continue
        content = text(entry, "content") or ""
        tool = name_of(entry.get("tool_name"))
        if not content and tool is None:
            continue
        found.append(Turn(role=role, text=clip_text(content, MAX_TURN_CHARS), tool=tool))
    return found


# --- get_call's JSON: the call, or the fields asked for -----------------------------------------------

_SYSTEM_PROMPT = "llm_system_prompt"
_ATTEMPT_KEYS = frozenset(
    {
        "transcript",
        "post_call_transcript",
        "speech_events",
        "sms_log",
        "email_log",
        "structured_output",
        "recording_url",
        _SYSTEM_PROMPT,
    }
)


def _without_system_prompts(value: dict[str, Any]) -> dict[str, Any]:
    """The call with each speech event's llm_system_prompt replaced by its size (it is the whole prompt)."""

    def strip(attempt: Any) -> Any:
        if not isinstance(attempt, dict) or not isinstance(attempt.get("speech_events"), list):
            return attempt
        events = []
        for event in attempt["speech_events"]:
            if isinstance(event, dict) and isinstance(event.get(_SYSTEM_PROMPT), str):
                event = {**event, _SYSTEM_PROMPT: f"[{len(event[_SYSTEM_PROMPT])} characters]"}
            events.append(event)
        return {**attempt, "speech_events": events}

    out = dict(value)
    if isinstance(out.get("call_attempts"), list):
        out["call_attempts"] = [strip(a) for a in out["call_attempts"]]
    if isinstance(out.get("last_call_attempt"), dict):
        out["last_call_attempt"] = strip(out["last_call_attempt"])
    return out


def select_call_fields(
    call: Mapping[str, Any], attempt: Mapping[str, Any] | None, number: int, wanted: list[str]
) -> dict[str, Any]:
    """The fields of a call asked for (get_call's ``fields``): call keys as they are, attempt keys from the
    chosen attempt (numbered ``number``), ``llm_system_prompt`` as the attempt's prompts by turn. A field
    SDK 0.5.0 documents (``CALL_FIELDS``, ``ATTEMPT_FIELDS``) that this call lacks is answered as null;
    InputError listing the valid fields for a name that is neither documented nor in this call."""
    selected: dict[str, Any] = {}
    unknown: list[str] = []
    for name in wanted:
        if name == _SYSTEM_PROMPT:
            events = attempt.get("speech_events") if attempt is not None else None
            selected[name] = [
                {"turn": i, "prompt": e[_SYSTEM_PROMPT]}
                for i, e in enumerate(events if isinstance(events, list) else [])
                if isinstance(e, dict) and isinstance(e.get(_SYSTEM_PROMPT), str)
            ]
        elif name in _ATTEMPT_KEYS or _from_attempt(name, call, attempt):
            value = attempt.get(name) if attempt is not None else None
            if name == "speech_events" and isinstance(value, list):
                value = _without_system_prompts({"last_call_attempt": {"speech_events": value}})["last_call_attempt"][
                    "speech_events"
                ]
            selected[name] = value
        elif name in call:
            value = call[name]
            selected[name] = _without_system_prompts({name: value})[name] if name == "call_attempts" else value
        elif name in CALL_FIELDS:
            selected[name] = None  # documented, absent from this call
        else:
            unknown.append(name)
    if unknown:
        known = sorted(
            {*CALL_FIELDS, *ATTEMPT_FIELDS, *call.keys(), *(attempt.keys() if attempt else ()), _SYSTEM_PROMPT}
        )
        shown = ", ".join(one_line(u, 40) for u in unknown[:5])
        raise InputError(
            f"Unknown field(s) {shown}. Fields of a call (documented, or in this one): {', '.join(known)[:1500]}."
        )
    if any(name in _ATTEMPT_KEYS or name == _SYSTEM_PROMPT for name in wanted):
        selected = {"attempt": number, **selected}
    return selected


def _from_attempt(name: str, call: Mapping[str, Any], attempt: Mapping[str, Any] | None) -> bool:
    """Whether ``name`` is read from the chosen attempt: a key of it the call itself lacks, or a field
    only attempts document."""
    if name in call:
        return False
    return (attempt is not None and name in attempt) or (name in ATTEMPT_FIELDS and name not in CALL_FIELDS)


def whole_call(call: Mapping[str, Any]) -> dict[str, Any]:
    """The call as JSON, each speech event's ``llm_system_prompt`` replaced by its size (it is the whole
    prompt, every turn): what get_call shows of a call when no field is asked for."""
    return _without_system_prompts(dict(call))
