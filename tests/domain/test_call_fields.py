"""The lenient readers of a call and the filters list_calls takes."""

from __future__ import annotations

from typing import Any

import pytest
from calls_support import CALLS, TWO_ATTEMPTS_CALL

from revox_mcp.domain.call_fields import attempts, parse_filter, seconds_of
from revox_mcp.errors import InputError


def test_attempts_come_oldest_first_whatever_order_revox_sends():
    two = next(c for c in CALLS if c["id"] == TWO_ATTEMPTS_CALL)
    ordered = attempts(two)
    assert [a["dial_error"] for a in ordered] == ["no_answer", None]
    assert attempts({"call_attempts": list(reversed(two["call_attempts"]))}) == ordered


def test_timestamps_read_iso_text_epoch_seconds_and_milliseconds():
    assert seconds_of("2026-02-10T09:00:00.000Z") == seconds_of(1_770_714_000) == seconds_of(1_770_714_000_000)
    assert seconds_of("2026-02-10T09:00:00.123456789Z") is not None
    for junk in ("yesterday", "", None, True, float("nan"), {}, "9" * 50):
        assert seconds_of(junk) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("completed", ["completed"]), ("Completed, errored", ["completed", "errored"]), (["errored"], ["errored"])],
)
def test_filters_take_one_or_several_values_any_case(value: Any, expected: list[str]):
    assert parse_filter(value, "status") == expected


def test_an_unknown_filter_value_is_an_error_listing_the_valid_ones():
    with pytest.raises(InputError) as caught:
        parse_filter("ivr_menu", "result")
    assert "IVR, voicemail, human, unknown, ios-screening-filter, none" in str(caught.value)
