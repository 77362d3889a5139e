"""The first seconds of a call: an agent that never speaks, people who hang up after its opening. Pure."""

from __future__ import annotations

from revox_mcp.domain.evidence.context import Context, Tally, answered_attempts, enough, finding
from revox_mcp.domain.facts import number, text
from revox_mcp.domain.findings import Evidence

QUICK_HANGUP_SECONDS = 20


def _silent_fix(ctx: Context) -> tuple[str, str, str]:
    mode = text(ctx.config, "first_sentence_mode")
    delay = number(ctx.config, "first_sentence_delay_ms")
    if mode == "none":
        change = "Set first_sentence_mode to static (with a first_sentence) or generated, so the agent opens the call."
        return "first_sentence_mode", ctx.shown("first_sentence_mode"), change
    if mode == "static" and not text(ctx.config, "first_sentence"):
        change = "Write the opening line in first_sentence (mode static: said verbatim)."
        return "first_sentence", ctx.shown("first_sentence"), change
    if delay is not None and delay > 2_000:
        change = "Lower first_sentence_delay_ms to 400-1000 so the agent speaks before people hang up."
        return "first_sentence_delay_ms", ctx.shown("first_sentence_delay_ms"), change
    change = "Make the agent open the call: first_sentence_mode static with a first_sentence."
    return "first_sentence_mode", ctx.shown("first_sentence_mode"), change


def check_openings(ctx: Context) -> list[Evidence]:
    answered = answered_attempts(ctx)
    silent = Tally()
    quick = Tally()
    for call, attempt in answered:
        if not attempt.agent_spoke and (attempt.ended_by == "user" or attempt.end_reason == "user_inactive"):
            silent.add(call.id)
        elif (
            attempt.agent_spoke
            and attempt.ended_by == "user"
            and attempt.agent_turns <= 1
            and (attempt.duration is None or attempt.duration <= QUICK_HANGUP_SECONDS)
        ):
            quick.add(call.id)
    found: list[Evidence] = []
    if enough(silent, len(answered)):
        where, value, change = _silent_fix(ctx)
        what = "answered attempts: the agent never spoke before the person hung up"
        found.append(finding("calls.silent_opening", silent, len(answered), what, where, value, change))
    if enough(quick, len(answered), 0.2):
        generated = text(ctx.config, "first_sentence_mode") == "generated"
        found.append(
            finding(
                "calls.hangup_after_opening",
                quick,
                len(answered),
                f"answered attempts: the person hung up after the agent's first turn (≤ {QUICK_HANGUP_SECONDS} s)",
                "first_sentence",
                ctx.shown("first_sentence"),
                "Rewrite first_sentence: who calls and why in one sentence, then a question"
                + (" (mode generated: in the prompt too)." if generated else "."),
            )
        )
    return found
