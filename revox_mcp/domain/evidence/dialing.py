"""Reaching someone: phone menus, dial errors against the sending number, callees never reached. Pure."""

from __future__ import annotations

import re
from collections import Counter

from revox_mcp.domain.evidence.context import (
    MIN_COUNT,
    NOT_READ,
    Context,
    Tally,
    connected_attempts,
    enough,
    finding,
    short_json,
)
from revox_mcp.domain.facts import child, flag, items, number
from revox_mcp.domain.findings import Evidence


def check_ivr(ctx: Context) -> list[Evidence]:
    connected = connected_attempts(ctx)
    tally = Tally.of(connected, lambda attempt: attempt.result == "IVR" or attempt.end_reason == "ivr_no_navigate")
    if not enough(tally, len(connected)):
        return []
    if flag(ctx.config, "ivr_navigation_enabled") is True:
        return [
            finding(
                "calls.ivr_stuck",
                tally,
                len(connected),
                "connected attempts stuck in a phone menu although ivr_navigation_enabled is true",
                "prompt",
                ctx.shown("prompt"),
                "Say in the prompt which menu options lead to the person to reach (e.g. 'press 2 for accounts').",
                "info",
            )
        ]
    return [
        finding(
            "calls.ivr_stuck",
            tally,
            len(connected),
            "connected attempts stuck in a phone menu (result IVR or ivr_no_navigate)",
            "ivr_navigation_enabled",
            ctx.shown("ivr_navigation_enabled"),
            "Set ivr_navigation_enabled to true.",
        )
    ]


def check_dial(ctx: Context) -> list[Evidence]:
    attempts = [(c, a) for c in ctx.calls for a in c.attempts]
    found: list[Evidence] = []
    by_error: dict[str, Tally] = {}
    destinations: dict[str, Counter[str]] = {}
    for call, attempt in attempts:
        if attempt.dial_error:
            by_error.setdefault(attempt.dial_error, Tally()).add(call.id)
            code = re.match(r"\+(\d{1,3})", attempt.destination or "")
            destinations.setdefault(attempt.dial_error, Counter())[f"+{code.group(1)}" if code else "?"] += 1
    sender = ctx.shown("from_phone_number")
    unset = ctx.config is not None and ctx.get("from_phone_number") is None
    origin = "from the organisation's default number (from_phone_number null)" if unset else f"from {sender}"
    tally = by_error.get("no_international_permission")
    if tally is not None and tally.count >= MIN_COUNT:
        countries = ", ".join(code for code, _n in destinations["no_international_permission"].most_common(4))
        found.append(
            finding(
                "calls.dial_international",
                tally,
                len(attempts),
                f"attempts failed with no_international_permission (to {countries}) {origin}",
                "from_phone_number",
                sender,
                "Allow those countries on the carrier account of from_phone_number, or call from a local number.",
                drill={"dial_error": "no_international_permission"},
            )
        )
    tally = by_error.get("number_non_attributed")
    if tally is not None and tally.count >= MIN_COUNT:
        found.append(
            finding(
                "calls.dial_non_attributed",
                tally,
                len(attempts),
                f"attempts failed with number_non_attributed {origin}",
                "from_phone_number",
                sender,
                "Set from_phone_number to an owned number; check that callee numbers are valid E.164.",
                drill={"dial_error": "number_non_attributed"},
            )
        )
    tally = by_error.get("too_many_calls")
    if tally is not None and enough(tally, len(attempts)):
        retry = child(ctx.config, "call_retry_config")
        windows = items(retry, "calling_windows")
        delay = number(windows[0], "retry_delay_seconds") if windows else None
        fewer = "Start fewer calls at once" if ctx.campaigns == [] else "Lower the campaigns' max_concurrent_calls"
        found.append(
            finding(
                "calls.dial_too_many",
                tally,
                len(attempts),
                "attempts refused for too many simultaneous calls (too_many_calls)",
                "call_retry_config.calling_windows[0].retry_delay_seconds",
                short_json(delay) if ctx.config is not None else NOT_READ,
                f"{fewer}; space retries (retry_delay_seconds ≥ 3600).",
                drill={"dial_error": "too_many_calls"},
            )
        )
    return found


def check_unreachable(ctx: Context) -> list[Evidence]:
    retry = child(ctx.config, "call_retry_config")
    retries = number(retry, "max_retry_attempts")
    if ctx.config is not None and (retry is None or (retries is not None and retries >= 3)):
        return []  # null: Revox's defaults (3 attempts) apply
    outbound = [c for c in ctx.calls if c.direction != "inbound" and c.attempts and c.status == "completed"]
    tally = Tally()
    for call in outbound:
        if not call.reached_human:
            tally.add(call.id)
    if not enough(tally, len(outbound), 0.3) or tally.count < 3:
        return []
    return [
        finding(
            "calls.unreachable",
            tally,
            len(outbound),
            "completed outbound calls never reached a person",
            "call_retry_config.max_retry_attempts",
            short_json(retries) if ctx.config is not None else NOT_READ,
            "Raise max_retry_attempts to 3-5 and spread retries over more calling_windows and allowed_days.",
        )
    ]
