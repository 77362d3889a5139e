"""What a call is made of, and how to read it: SDK 0.5.0's enums, filter parsing, id validation and
lenient readers over a cleaned call order. Pure, no I/O.

A call order (``POST /call/search``, ``GET /call/{id}``) is one contact reached over one or more
attempts. It is kept as the (cleaned) JSON Revox sent and read through functions that never raise:
any field may be missing, null, of the wrong type or carry an enum value this module has never
seen (an unknown value is shown as it came, bounded; it never breaks a row).

The enums below are SDK 0.5.0's. They validate *filters* the caller sends; values *from* Revox are
only bounded, never checked against them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from revox_mcp.domain.facts import MAX_ID_LENGTH, child, flag, items, number, text
from revox_mcp.domain.text import strip_invisible
from revox_mcp.errors import InputError

# --- the enums of SDK 0.5.0 ------------------------------------------------------------------------

CALL_STATUSES = (
    "initializing",
    "queued_for_calling",
    "calling",
    "post_processing",
    "not_launched",
    "scheduled",
    "paused",
    "completed",
    "cancelled",
    "errored",
)
OUTCOMES = ("not_interested", "interested", "completed", "requested_callback_later", "none")
RESULTS = ("IVR", "voicemail", "human", "unknown", "ios-screening-filter", "none")
DIRECTIONS = ("inbound", "outbound")
# A call in one of these states changes no more: it may be cached for longer.
FINISHED_STATUSES = frozenset({"completed", "cancelled", "errored", "not_launched"})
# analyze_calls looks at calls that were made (or failed to be): not the queued or scheduled ones.
ANALYZED_STATUSES = ("completed", "errored", "not_launched", "post_processing")

# Every key SDK 0.5.0 documents for a call order (``Call`` in ``revox/types/call_retrieve_response.py``
# and ``call_search_response.py``) and for one of its attempts (``CallCallAttempt``). A documented key
# is a valid field to ask for even when one call lacks it (many are optional): it is answered as null.
CALL_FIELDS = frozenset(
    {
        "id",
        "assignee",
        "assistant",
        "call_attempts",
        "call_retry_config",
        "calls_count",
        "campaign",
        "contact",
        "created_at",
        "direction",
        "first_sentence_delay_ms",
        "follow_up_emails",
        "from_phone_number",
        "is_cancelled",
        "is_completed",
        "last_call_attempt",
        "llm_model",
        "metadata",
        "organization_id",
        "outcome",
        "outcome_summary",
        "prompt_variables",
        "scheduled_at",
        "slack_channel_ids",
        "status",
        "to_phone_number",
        "updated_at",
    }
)
ATTEMPT_FIELDS = frozenset(
    {
        "id",
        "answered_at",
        "assistants_used",
        "dial_error",
        "email_log",
        "end_reason",
        "ended_at",
        "ended_by",
        "handled_by_ai",
        "handled_by_human",
        "handled_by_user",
        "phone_number",
        "post_call_transcript",
        "recording_url",
        "result",
        "sms_log",
        "speech_events",
        "started_at",
        "status",
        "structured_output",
        "transcript",
    }
)

# Where each list_calls filter goes in the POST /call/search body, and its valid values.
FILTERS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "status": ("statuses", CALL_STATUSES),
    "outcome": ("outcomes", OUTCOMES),
    "result": ("results", RESULTS),
    "direction": ("directions", DIRECTIONS),
}

_MAX_ENUM = 40
_MAX_NAME = 80
_MAX_FILTER_VALUES = 10


def parse_filter(value: str | Sequence[str] | None, name: str) -> list[str]:
    """A filter's values (one, or several comma-separated), canonical; InputError listing the valid ones."""
    if value is None:
        return []
    raw = value.split(",", 100) if isinstance(value, str) else list(value)[:100]
    _array, valid = FILTERS[name]
    by_fold = {option.casefold(): option for option in valid}
    chosen: list[str] = []
    for part in raw:
        if not isinstance(part, str):
            raise InputError(f"{name} must be text: one of {', '.join(valid)}.")
        wanted = part.strip()
        if not wanted:
            continue
        option = by_fold.get(wanted.casefold())
        if option is None:
            shown = strip_invisible(wanted)[:40]
            raise InputError(f"{name} {shown!r} is not one of: {', '.join(valid)}.")
        if option not in chosen:
            chosen.append(option)
        if len(chosen) > _MAX_FILTER_VALUES:
            raise InputError(f"{name}: at most {_MAX_FILTER_VALUES} values.")
    return chosen


def validate_call_id(value: Any) -> str:
    """A usable call id, or InputError saying what is wrong and where ids come from."""
    where = "call list_calls to find call ids."
    if not isinstance(value, str):
        raise InputError(f"call_id must be a string; {where}")
    candidate = value.strip()
    if not candidate:
        raise InputError(f"call_id is empty; {where}")
    if len(candidate) > MAX_ID_LENGTH:
        raise InputError(f"call_id is {len(candidate)} characters long (at most {MAX_ID_LENGTH}); {where}")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in candidate):
        raise InputError(f"call_id contains control or invisible characters; {where}")
    return candidate


# --- lenient readers -------------------------------------------------------------------------------


def enum(obj: Mapping[str, Any] | None, key: str) -> str | None:
    """An enum-like field as it came (bounded, one line), or None: an unknown value never breaks anything."""
    value = text(obj, key)
    if not value:
        return None
    value = " ".join(value.split())
    return value if len(value) <= _MAX_ENUM else value[: _MAX_ENUM - 1] + "…"


def name_of(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    flat = " ".join(value.split())
    return flat if len(flat) <= _MAX_NAME else flat[: _MAX_NAME - 1] + "…"


def seconds_of(value: Any) -> float | None:
    """A timestamp as epoch seconds: ISO 8601 text, or a number (epoch seconds, or milliseconds when huge)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        return value / 1000 if abs(value) > 1e11 else float(value)
    if not isinstance(value, str) or not value or len(value) > 40:
        return None
    candidate = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    candidate = re.sub(r"\.(\d{1,6})\d*", lambda m: "." + m.group(1).ljust(6, "0"), candidate, count=1)
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def when_text(seconds: float | None) -> str | None:
    """A moment as people read it in a row: ``2026-02-12 09:41Z`` (UTC)."""
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d %H:%MZ")
    except (OverflowError, OSError, ValueError):
        return None


def attempts(call: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The call's attempts, oldest first (Revox lists them newest first; start times decide when known)."""
    found = items(call, "call_attempts")
    if not found:
        last = child(call, "last_call_attempt")
        return [last] if last is not None else []
    starts = [seconds_of(attempt.get("started_at")) for attempt in found]
    if all(start is not None for start in starts):
        order = sorted(range(len(found)), key=lambda i: (starts[i], -i))
        return [found[i] for i in order]
    return list(reversed(found))


def last_attempt(call: Mapping[str, Any]) -> Mapping[str, Any] | None:
    chronological = attempts(call)
    return chronological[-1] if chronological else None


def duration_seconds(attempt: Mapping[str, Any]) -> float | None:
    """Talk time: answered to ended (None when the attempt was not answered or times are missing)."""
    answered = seconds_of(attempt.get("answered_at"))
    ended = seconds_of(attempt.get("ended_at"))
    if answered is None or ended is None or ended < answered:
        return None
    return ended - answered


def transcript_of(attempt: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The live transcript, or the post-call one when the live one is empty."""
    return items(attempt, "transcript") or items(attempt, "post_call_transcript")


def handled_by(attempt: Mapping[str, Any]) -> str | None:
    parts = [who for who, key in (("ai", "handled_by_ai"), ("human", "handled_by_human")) if flag(attempt, key)]
    member = child(attempt, "handled_by_user")
    if member is not None:
        names = " ".join(n for n in (text(member, "first_name"), text(member, "last_name")) if n)
        parts.append(f"member {name_of(names) or '?'}")
    return "+".join(parts) or None


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[min(rank, len(ordered)) - 1]


def numbers(events: Iterable[Mapping[str, Any]], key: str, speaker: str | None = None) -> list[float]:
    out: list[float] = []
    for event in events:
        if speaker is not None and event.get("speaker") != speaker:
            continue
        value = number(event, key)
        if value is not None and math.isfinite(value) and value >= 0:
            out.append(float(value))
    return out


@dataclass(frozen=True)
class ToolResult:
    name: str
    error: bool
    output: str


def tool_results(attempt: Mapping[str, Any]) -> list[ToolResult]:
    """What the tools answered during an attempt (transcript entries with role "tool")."""
    found: list[ToolResult] = []
    for entry in transcript_of(attempt):
        if entry.get("role") != "tool":
            continue
        output = text(entry, "tool_output") or text(entry, "content") or ""
        name = name_of(entry.get("tool_name")) or "(unnamed tool)"
        found.append(ToolResult(name, flag(entry, "tool_is_error") is True, output))
    return found


def one_line(value: str, limit: int) -> str:
    """Free text on one line, at most ``limit`` characters (for short quotes)."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def latency(attempt: Mapping[str, Any]) -> dict[str, int]:
    """p50/p95 of LLM time to first token, TTS first byte and STT delay (ms); absent when not measured."""
    events = items(attempt, "speech_events")
    out: dict[str, int] = {}
    for label, key, speaker in (
        ("llm_ttft", "llm_ttft_ms", "agent"),
        ("tts_ttfb", "tts_ttfb_ms", "agent"),
        ("stt_delay", "stt_transcription_delay_ms", "user"),
    ):
        values = numbers(events, key, speaker)
        for share, suffix in ((0.5, "p50"), (0.95, "p95")):
            value = percentile(values, share)
            if value is not None:
                out[f"{label}_{suffix}"] = round(value)
    return out


def agent_turns(attempt: Mapping[str, Any]) -> tuple[int, int]:
    """(agent turns, agent turns cut by the other party) from the speech events."""
    turns = cut = 0
    for event in items(attempt, "speech_events"):
        if event.get("speaker") != "agent" or event.get("is_real_turn") is False:
            continue
        turns += 1
        cut += flag(event, "was_cut") is True
    return turns, cut


def message_counts(attempt: Mapping[str, Any]) -> tuple[dict[str, int], int]:
    """SMS sent by type, and the number of emails."""
    sms: dict[str, int] = {}
    for entry in items(attempt, "sms_log"):
        kind = enum(entry, "type") or "unknown"
        sms[kind] = sms.get(kind, 0) + 1
    return sms, len(items(attempt, "email_log"))


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or (isinstance(value, str) and not value.strip())


def structured_output(attempt: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return child(attempt, "structured_output")
