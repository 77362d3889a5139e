"""A wait as people say it ("2 min", "1 min 30 s", "1 h"), for Retry-After and back-off messages. Pure.

The wait is rounded up to the whole second (never shorter than asked), then said in the largest units
that state it exactly, down to seconds under an hour and to minutes from an hour on (rounded up).
"""

from __future__ import annotations

import math

# Revox's Retry-After is capped at a day upstream; anything longer (or not a number) is not advice.
_DAY = 86_400


def wait_words(seconds: float) -> str:
    """``seconds`` as people say a wait: 45 -> "45 s", 90 -> "1 min 30 s", 120 -> "2 min", 3600 -> "1 h",
    5400 -> "1 h 30 min"; at most "24 h" ("more than a day" beyond, or for a value that is not a number)."""
    if math.isnan(seconds) or seconds > _DAY:
        return "more than a day"
    total = max(math.ceil(seconds), 1)
    if total < 60:
        return f"{total} s"
    if total < 3600:
        minutes, rest = divmod(total, 60)
        return f"{minutes} min" + (f" {rest} s" if rest else "")
    hours, rest = divmod(total, 3600)
    minutes = math.ceil(rest / 60)
    if minutes == 60:
        hours, minutes = hours + 1, 0
    return f"{hours} h" + (f" {minutes} min" if minutes else "")
