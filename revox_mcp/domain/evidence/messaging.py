"""Messages left or sent: voicemail without a message, after-call SMS never sent. Pure."""

from __future__ import annotations

from revox_mcp.domain.evidence.context import MIN_COUNT, Context, Tally, connected_attempts, enough, finding
from revox_mcp.domain.facts import strings, text
from revox_mcp.domain.findings import Evidence


def check_voicemail(ctx: Context) -> list[Evidence]:
    if ctx.config is not None and text(ctx.config, "voicemail_message"):
        return []
    connected = connected_attempts(ctx)
    tally = Tally.of(connected, lambda attempt: attempt.result == "voicemail" or attempt.end_reason == "voicemail")
    if not enough(tally, len(connected)):
        return []
    return [
        finding(
            "calls.voicemail_no_message",
            tally,
            len(connected),
            "connected attempts reached voicemail, where the agent hangs up without a word",
            "voicemail_message",
            ctx.shown("voicemail_message"),
            "Set voicemail_message (who calls, why, how to call back).",
        )
    ]


def check_after_call_sms(ctx: Context) -> list[Evidence]:
    if ctx.config is None or not text(ctx.config, "after_call_sms_prompt"):
        return []
    outcomes = strings(ctx.config, "after_call_sms_outcomes")
    eligible = [c for c in ctx.calls if c.outcome and (not outcomes or c.outcome in outcomes)]
    tally = Tally()
    for call in eligible:
        if not any(kind == "after_call" for a in call.attempts for kind, _n in a.sms):
            tally.add(call.id)
    if tally.count < MIN_COUNT or tally.count < 0.8 * len(eligible):
        return []
    if not outcomes:
        return [
            finding(
                "calls.after_call_sms_missing",
                tally,
                len(eligible),
                "calls with an outcome got no after-call SMS (after_call_sms_prompt is set)",
                "after_call_sms_outcomes",
                ctx.shown("after_call_sms_outcomes"),
                'Set after_call_sms_outcomes, e.g. ["completed","interested"]: empty means no after-call SMS.',
            )
        ]
    return [
        finding(
            "calls.after_call_sms_missing",
            tally,
            len(eligible),
            "calls with an outcome in after_call_sms_outcomes got no after-call SMS",
            "after_call_sms_prompt",
            ctx.shown("after_call_sms_prompt"),
            "Check that the callees' numbers accept SMS from the sending number; simplify after_call_sms_prompt "
            "if it asks for data calls lack.",
        )
    ]
