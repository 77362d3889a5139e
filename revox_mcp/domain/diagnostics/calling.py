"""How a call starts, when calls are retried and how long they last: first sentence (V14, X5-X7), retry
windows (V15-V20, X12, X13) and call duration (V6, V46).

Heuristics of ours: a call limit under 60 s is too short; a window ending at midnight ("00:00",
"12am") ends at 24:00.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping
from typing import Any

from revox_mcp.domain.diagnostics import reference
from revox_mcp.domain.diagnostics.context import Context, check_enum_list, is_filled, quote
from revox_mcp.domain.diagnostics.reference import DAYS, END_MESSAGE_MAX, MIN_CALL_SECS
from revox_mcp.domain.facts import child, quantity, text

_TIME_24H = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_TIME_12H = re.compile(r"(1[0-2]|0?[1-9])(?::([0-5]\d))?\s?(am|pm)", re.IGNORECASE)
_TZ_SHAPE = re.compile(r"(?:[A-Z][A-Za-z0-9_+\-]*/)+[A-Za-z0-9_+\-]+|UTC|GMT")  # without a tz database


def check_first_sentence(ctx: Context) -> None:
    delay = quantity(ctx.raw, "first_sentence_delay_ms")
    if delay is not None and delay < 0:
        ctx.add("first_sentence_delay.negative", "first_sentence_delay_ms", value=quote(delay))
    mode = ctx.get("first_sentence_mode")
    has_text = is_filled(ctx.get("first_sentence"))
    if mode == "static" and not has_text:
        ctx.add("first_sentence.static_empty", "first_sentence")
    elif mode == "generated" and not has_text:
        ctx.add("first_sentence.generated_empty", "first_sentence")
    elif mode == "none" and has_text:
        ctx.add("first_sentence.ignored", "first_sentence")


def check_duration(ctx: Context) -> None:
    duration = quantity(ctx.raw, "max_call_duration_secs")
    if duration is not None and duration < MIN_CALL_SECS:
        rule = "range.max_call_duration_secs" if duration <= 0 else "max_duration.too_short"
        ctx.add(rule, "max_call_duration_secs", value=quote(duration))
    end_message = text(ctx.raw, "max_duration_end_message")
    if end_message is not None and len(end_message) > END_MESSAGE_MAX:
        ctx.add("length.max_duration_end_message", "max_duration_end_message", count=str(len(end_message)))


def _parse_time(value: Any) -> int | None:
    """Minutes since midnight for 'HH:mm' or 'H:mma', else None."""
    return _parse_short_time(value) if isinstance(value, str) and len(value) <= 16 else None


@functools.lru_cache(maxsize=512)  # a handful of distinct times recur across every assistant
def _parse_short_time(value: str) -> int | None:
    if match := _TIME_24H.fullmatch(value):
        return int(match[1]) * 60 + int(match[2])
    if match := _TIME_12H.fullmatch(value):
        hour = int(match[1]) % 12 + (12 if match[3].lower() == "pm" else 0)
        return hour * 60 + int(match[2] or 0)
    return None


def _check_window(ctx: Context, window: Mapping[Any, Any], path: str) -> tuple[int, int] | None:
    """Check one calling window; return its (start, end) minutes when both parse and are ordered."""
    start_raw = window.get("calling_window_start_time")
    end_raw = window.get("calling_window_end_time")
    start, end = _parse_time(start_raw), _parse_time(end_raw)
    if start is None or end is None:
        bad = [
            f"{label} {'missing' if raw is None else quote(raw)}"
            for label, raw, parsed in (("start", start_raw, start), ("end", end_raw, end))
            if parsed is None
        ]
        ctx.add("retry.window.time_format", path, bad=" and ".join(bad))
    delay = quantity(window, "retry_delay_seconds")
    if delay is not None and delay < 0:
        ctx.add("range.retry_delay_seconds", f"{path}.retry_delay_seconds", value=quote(delay))
    elif delay == 0:
        ctx.add("retry.delay.zero", f"{path}.retry_delay_seconds")
    if start is None or end is None:
        return None
    end = end or 24 * 60  # a window ending at midnight ends at the end of the day
    if end <= start:
        ctx.add("retry.window.end_before_start", path, start=quote(start_raw), end=quote(end_raw))
        return None
    return start, end


def check_retry(ctx: Context) -> None:
    base = "call_retry_config"
    if ctx.get(base) is None:
        ctx.add("retry.defaults", base)
        return
    config = child(ctx.raw, base)
    if config is None:
        return  # reported by the schema check
    flat = "calling_windows" not in config and (
        "calling_window_start_time" in config or "calling_window_end_time" in config
    )
    if flat or "allowed_days" not in config:
        shape = "one flat window" if flat else "no allowed_days, so Mon-Fri applies"
        ctx.add("retry.legacy_shape", base, shape=shape)

    spans: list[tuple[int, int, str]] = []
    if flat:
        windows = [(base, config)]
    else:
        listed = ctx.nested(config, "calling_windows", "list", base)
        if listed == []:
            ctx.add("retry.windows.empty", f"{base}.calling_windows")
        windows = ctx.objects(listed, f"{base}.calling_windows")
    for path, window in windows:
        if (span := _check_window(ctx, window, path)) is not None:
            spans.append((*span, path))
    for (_, prev_end, prev_path), (start, _, path) in itertools.pairwise(sorted(spans)):
        if start < prev_end:
            ctx.add("retry.window.overlap", path, other=prev_path)

    days = ctx.nested(config, "allowed_days", "list", base)
    if days == []:
        ctx.add("retry.allowed_days.empty", f"{base}.allowed_days")
    check_enum_list(ctx, days, f"{base}.allowed_days", DAYS)

    ctx.nested(config, "max_retry_attempts", "num", base)
    attempts = quantity(config, "max_retry_attempts")
    if attempts is not None and attempts < 1:
        ctx.add("range.max_retry_attempts", f"{base}.max_retry_attempts", value=quote(attempts))
    twice = ctx.nested(config, "call_twice_in_a_row", "bool", base)
    if twice is True and attempts is not None and attempts < 2:
        ctx.add("retry.twice_in_a_row.noop", f"{base}.call_twice_in_a_row", value=quote(attempts))

    timezone = ctx.nested(config, "timezone", "str", base)
    if timezone is not None:
        zones = reference.known_timezones()
        valid = timezone in zones if zones else len(timezone) < 64 and bool(_TZ_SHAPE.fullmatch(timezone))
        if not valid:
            ctx.add("retry.timezone.iana", f"{base}.timezone", value=quote(timezone))
