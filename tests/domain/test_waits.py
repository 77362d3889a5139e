"""How a wait is said: exact in the largest units, never shorter than asked."""

from __future__ import annotations

import pytest

from revox_mcp.domain.render.waits import wait_words


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (45, "45 s"),
        (90, "1 min 30 s"),
        (120, "2 min"),
        (3600, "1 h"),
        (5400, "1 h 30 min"),
        (3601, "1 h 1 min"),
        (7199, "2 h"),
        (59.2, "1 min"),
        (0.3, "1 s"),
        (0, "1 s"),
        (-5, "1 s"),
        (86_400, "24 h"),
    ],
)
def test_a_wait_is_said_in_the_largest_units_that_state_it_exactly(seconds: float, said: str) -> None:
    assert wait_words(seconds) == said


@pytest.mark.parametrize("seconds", [86_401, 1e308, float("inf"), float("nan")])
def test_a_wait_beyond_a_day_or_not_a_number_is_not_spelled_out(seconds: float) -> None:
    assert wait_words(seconds) == "more than a day"


def test_a_retry_after_of_two_minutes_is_said_as_two_minutes_not_three() -> None:
    """Retry-After: 120 used to read "retry in 3 min" (rounded up a whole minute too far)."""
    assert wait_words(120.0) == "2 min"
