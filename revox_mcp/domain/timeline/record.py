"""One call as a period keeps it: a compact record, not the whole call. Pure.

A period may hold thousands of calls. Each is cleaned once on arrival (``call_cleaning``), then
reduced here to what any answer over the period reads: its row (``list_calls``), its evidence facts
(``analyze_calls``' findings, tool outputs cut to what a finding quotes), and the fingerprints of
the configuration it ran with. The timeline's ``CallObservation`` is read from the record, and the
filters of ``list_calls`` that Revox cannot apply are answered from it.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from revox_mcp.domain.call_cleaning import CONFIG_FINGERPRINT, PROMPT_FINGERPRINT
from revox_mcp.domain.call_views import CallRow, row_of
from revox_mcp.domain.evidence.call_facts import CallFacts, compact_facts, facts_from_json, facts_json, facts_of
from revox_mcp.domain.facts import child, text
from revox_mcp.domain.timeline.observation import CallObservation


@dataclass(frozen=True)
class CallRecord:
    """A call reduced to its row, its facts and its configuration's fingerprints. ``created``: epoch
    seconds, to the microsecond (the instant a drill-down names exactly), None when unreadable."""

    id: str
    created: float | None
    row: CallRow
    facts: CallFacts
    prompt: str | None = None
    config: str | None = None

    @functools.cached_property
    def observation(self) -> CallObservation | None:
        """The call as the timeline counts it (None without a creation time); read once per record."""
        if self.created is None:
            return None
        return observation_of(self.facts, _moment(self.created), self.prompt, self.config)


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _exact(seconds: float | None) -> float | None:
    """The instant to the microsecond, as a date-time names it (so an argument read back compares equal)."""
    if seconds is None:
        return None
    try:
        return _moment(seconds).timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def record_of(call: Mapping[str, Any]) -> CallRecord:
    """The record of one cleaned call (a search result: its assistant slimmed, with fingerprints)."""
    facts = compact_facts(facts_of(call))
    assistant = child(call, "assistant")
    return CallRecord(
        id=facts.id,
        created=_exact(facts.created),
        row=row_of(call),
        facts=facts,
        prompt=text(assistant, PROMPT_FINGERPRINT),
        config=text(assistant, CONFIG_FINGERPRINT),
    )


def observation_of(facts: CallFacts, at: datetime, prompt: str | None, config: str | None) -> CallObservation:
    """What the timeline counts of one call: its attempts' endings, tools, reach, talk time and
    latencies, the model that answered most of its turns, and its configuration's fingerprints."""
    attempts = facts.attempts
    talk = [attempt.duration for attempt in attempts if attempt.duration is not None]
    models = Counter(model for attempt in attempts for model in attempt.winner_models)
    tools = [result for attempt in attempts for result in attempt.tools]
    return CallObservation(
        at=at,
        call_id=facts.id,
        attempts=len(attempts),
        outcome=facts.outcome,
        end_reasons=tuple(a.end_reason for a in attempts if a.end_reason),
        dial_errors=tuple(a.dial_error for a in attempts if a.dial_error),
        tool_results=tuple(result.name for result in tools),
        tool_errors=tuple(result.name for result in tools if result.error),
        reached_person=facts.reached_human,
        voicemail=any(a.result == "voicemail" or a.end_reason == "voicemail" for a in attempts),
        talk_s=sum(talk) if talk else None,
        llm_ttft_ms=tuple(value for attempt in attempts for value in attempt.ttft),
        tts_ttfb_ms=tuple(value for attempt in attempts for value in attempt.ttfb),
        prompt=prompt,
        model=models.most_common(1)[0][0] if models else None,
        config=config,
    )


# --- what list_calls filters on, that Revox cannot ---------------------------------------------------

# Per attempt: a call matches when any of its attempts does.
ATTEMPT_FILTERS: Mapping[str, Callable[[CallFacts], set[str]]] = {
    "end_reason": lambda facts: {a.end_reason for a in facts.attempts if a.end_reason},
    "ended_by": lambda facts: {a.ended_by for a in facts.attempts if a.ended_by},
    "dial_error": lambda facts: {a.dial_error for a in facts.attempts if a.dial_error},
    "tool_error": lambda facts: {t.name for a in facts.attempts for t in a.tools if t.error},
}


# --- as a cache keeps them -----------------------------------------------------------------------------


def record_json(record: CallRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "created": record.created,
        "row": record.row.model_dump(mode="json", exclude_none=True),
        "facts": facts_json(record.facts),
        "prompt": record.prompt,
        "config": record.config,
    }


def record_from_json(data: Mapping[str, Any]) -> CallRecord:
    return CallRecord(
        id=data["id"],
        created=data["created"],
        row=CallRow.model_validate(data["row"]),
        facts=facts_from_json(data["facts"]),
        prompt=data["prompt"],
        config=data["config"],
    )
