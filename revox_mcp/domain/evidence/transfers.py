"""Callers asking for a person: no transfer configured, or a transfer that does not happen. Pure."""

from __future__ import annotations

from revox_mcp.domain.evidence.call_facts import AttemptFacts, CallFacts
from revox_mcp.domain.evidence.context import MIN_COUNT, Context, Tally, finding
from revox_mcp.domain.facts import items, text
from revox_mcp.domain.findings import Evidence


def _human_requests(ctx: Context) -> tuple[list[tuple[CallFacts, AttemptFacts]], int]:
    """(attempts where the caller asked for a person, attempts where the caller spoke)."""
    talked = [(c, a) for c in ctx.calls for a in c.attempts if a.user_turns > 0]
    return [(c, a) for c, a in talked if a.human_asked], len(talked)


def check_transfers(ctx: Context) -> list[Evidence]:
    asked, talked = _human_requests(ctx)
    destinations = items(ctx.config, "transfer_destinations")
    if ctx.config is not None and not destinations:
        tally = Tally.of(asked, lambda _attempt: True)
        if tally.count < MIN_COUNT:
            return []
        return [
            finding(
                "calls.human_asked_no_transfer",
                tally,
                talked,
                "attempts where the caller spoke: they asked for a person; no transfer is configured",
                "transfer_destinations",
                ctx.shown("transfer_destinations"),
                "Add transfer_destinations and a human_transfer_mode, or say in the prompt how to reach a person.",
            )
        ]
    if not destinations:
        return []
    missed = Tally.of(asked, lambda attempt: not attempt.transferred)
    if missed.count < MIN_COUNT or missed.count * 2 < len(asked):
        return []
    labels = ", ".join(str(d.get("label")) for d in destinations if d.get("label"))[:80]
    mode = text(ctx.config, "human_transfer_mode")
    cold = " With human_transfer_mode cold, the SIP trunk must allow REFER." if mode == "cold" else ""
    return [
        finding(
            "calls.transfer_not_made",
            missed,
            len(asked),
            "attempts where the caller asked for a person ended without a transfer",
            "prompt",
            ctx.shown("prompt"),
            "Say in the prompt when to transfer and to which label of transfer_destinations ("
            + (labels or "…")
            + ")."
            + cold,
        )
    ]
