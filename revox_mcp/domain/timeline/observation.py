"""What the time axis needs to know about one call: the caller reads it from a cleaned call. Pure."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from revox_mcp.domain.timeline.period import Period, stamp


@dataclass(frozen=True, slots=True)
class CallObservation:
    """One call (a call order with its attempts), reduced to the facts counted over time.

    ``prompt``, ``model`` and ``config`` are opaque: a fingerprint of the prompt the call used (the
    caller decides what it hashes), the model that answered, and a fingerprint of the rest of the
    configuration it ran with. None means unknown, never "changed".
    """

    at: datetime  # when the call was made (aware; naive is read as UTC)
    call_id: str
    attempts: int = 1
    outcome: str | None = None
    end_reasons: tuple[str, ...] = ()  # of its attempts, in order
    dial_errors: tuple[str, ...] = ()  # of its attempts, in order
    tool_results: tuple[str, ...] = ()  # the tool's name, once per result
    tool_errors: tuple[str, ...] = ()  # the tool's name, once per result that was an error
    reached_person: bool = False
    voicemail: bool = False
    talk_s: float | None = None
    llm_ttft_ms: tuple[float, ...] = ()  # per agent turn
    tts_ttfb_ms: tuple[float, ...] = ()  # per agent turn
    prompt: str | None = None
    model: str | None = None
    config: str | None = None


def call_median(values: tuple[float, ...]) -> float | None:
    """One call's typical latency: the median of its turns (turns of one call are not independent)."""
    if len(values) < 2:
        return values[0] if values else None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def in_period(period: Period, observations: Iterable[CallObservation]) -> list[CallObservation]:
    """The calls made within the period, oldest first (ties by call id): the order every count uses."""
    stamped = [(seconds, call.call_id, call) for call in observations if period.holds(seconds := stamp(call.at))]
    stamped.sort(key=lambda item: (item[0], item[1]))
    return [call for _seconds, _id, call in stamped]


def measured(values: tuple[float, ...]) -> bool:
    """Whether a call has a latency to count (a finite median of its turns)."""
    median = call_median(values)
    return median is not None and math.isfinite(median)


# The timeline's metrics that no list_calls filter names, by name: whether a call shows each (a rate's
# hit, or a latency measured). A change point's drill-down names them as a pattern.
METRIC_PATTERNS: Mapping[str, Callable[[CallObservation], bool]] = {
    "voicemail": lambda call: call.voicemail,
    "reached_person": lambda call: call.reached_person,
    "tool_errors": lambda call: bool(call.tool_errors),
    "llm_ttft_ms": lambda call: measured(call.llm_ttft_ms),
    "tts_ttfb_ms": lambda call: measured(call.tts_ttfb_ms),
}
