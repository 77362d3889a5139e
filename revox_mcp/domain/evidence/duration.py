"""Calls cut by the max-duration limit. Pure."""

from __future__ import annotations

import math

from revox_mcp.domain.call_fields import percentile
from revox_mcp.domain.evidence.context import Context, Tally, enough, finding
from revox_mcp.domain.facts import number, text
from revox_mcp.domain.findings import Evidence
from revox_mcp.domain.rules import Severity


def check_max_duration(ctx: Context) -> list[Evidence]:
    limit = number(ctx.config, "max_call_duration_secs")
    answered = [(c, a) for c in ctx.calls for a in c.attempts if a.duration is not None or a.result == "human"]
    tally = Tally()
    uncut: list[float] = []
    for call, attempt in answered:
        by_limit = attempt.end_reason == "max_duration" or (
            attempt.ended_by == "system"
            and limit is not None
            and attempt.duration is not None
            and attempt.duration >= limit - 2
        )
        if by_limit:
            tally.add(call.id)
        elif attempt.duration is not None:
            uncut.append(attempt.duration)
    if not enough(tally, len(answered)):
        return []
    longest = percentile(uncut, 0.9) or 0
    target = max(300, int(math.ceil(max(longest * 1.5, (limit or 0) * 2) / 60) * 60))
    announced = text(ctx.config, "max_duration_end_message")
    ending = "" if announced else " and set max_duration_end_message"
    severity: Severity = "error" if tally.count / len(answered) >= 0.25 else "warning"
    shown_limit = f" ({limit:g} s)" if limit is not None else ""
    return [
        finding(
            "calls.max_duration",
            tally,
            len(answered),
            f"answered attempts ended by the max-duration limit{shown_limit}",
            "max_call_duration_secs",
            ctx.shown("max_call_duration_secs"),
            f"Raise max_call_duration_secs to {target}{ending}.",
            severity,
        )
    ]
