"""A period is read from since/until or the last N days, checked, and cut into hours or days."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import examples

from revox_mcp.domain.output import dump
from revox_mcp.domain.timeline.period import MAX_DAYS, argument, as_utc, iso, parse_period
from revox_mcp.errors import InputError

NOW = datetime(2026, 2, 17, 15, 30, tzinfo=timezone.utc)
UTC = timezone.utc


def test_dates_cover_whole_days_until_inclusive() -> None:
    period = parse_period("2026-02-03", "2026-02-10", now=NOW)
    assert period.since == datetime(2026, 2, 3, tzinfo=UTC)
    assert period.until == datetime(2026, 2, 10, 23, 59, 59, 999_999, tzinfo=UTC)
    assert (iso(period.since), iso(period.until)) == ("2026-02-03T00:00:00Z", "2026-02-10T23:59:59Z")
    assert period.bucket == "day"
    assert len(period.bucket_starts()) == 8


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2026-02-03T14:05:00Z", datetime(2026, 2, 3, 14, 5, tzinfo=UTC)),
        ("2026-02-03T14:05:00", datetime(2026, 2, 3, 14, 5, tzinfo=UTC)),  # no offset: UTC
        ("2026-02-03T14:05", datetime(2026, 2, 3, 14, 5, tzinfo=UTC)),
        ("2026-02-03 14:05:00.250", datetime(2026, 2, 3, 14, 5, 0, 250_000, tzinfo=UTC)),
        ("2026-02-03T15:05:00+01:00", datetime(2026, 2, 3, 14, 5, tzinfo=UTC)),
        ("  2026-02-03T14:05:00z ", datetime(2026, 2, 3, 14, 5, tzinfo=UTC)),
    ],
)
def test_date_times_are_read_in_utc(given: str, expected: datetime) -> None:
    assert parse_period(given, "2026-02-04", now=NOW).since == expected


def test_a_date_time_until_is_that_instant() -> None:
    period = parse_period("2026-02-16T00:00:00Z", "2026-02-16T12:00:00Z", now=NOW)
    assert period.until == datetime(2026, 2, 16, 12, tzinfo=UTC)
    assert period.bucket == "hour"
    assert [iso(start) for start in period.bucket_starts()[:2]] == ["2026-02-16T00:00:00Z", "2026-02-16T01:00:00Z"]
    assert len(period.bucket_starts()) == 13  # 00:00 to 12:00, both ends inclusive


def test_the_last_n_days_count_back_from_now() -> None:
    period = parse_period(last_days=14, now=NOW)
    assert (period.since, period.until) == (NOW - timedelta(days=14), NOW)
    assert period.bucket == "day"
    assert period.bucket_starts()[0] == datetime(2026, 2, 3, tzinfo=UTC)  # buckets are UTC days
    assert period.bucket_starts()[-1] == datetime(2026, 2, 17, tzinfo=UTC)


def test_hours_up_to_two_days_then_days() -> None:
    assert parse_period(last_days=2, now=NOW).bucket == "hour"
    assert len(parse_period(last_days=2, now=NOW).bucket_starts()) == 49
    assert parse_period(last_days=3, now=NOW).bucket == "day"
    assert len(parse_period(last_days=MAX_DAYS, now=NOW).bucket_starts()) == MAX_DAYS + 1


def test_missing_ends_default_sensibly() -> None:
    assert parse_period(now=NOW).since == NOW - timedelta(days=7)
    assert parse_period("2026-02-15", now=NOW).until == NOW
    assert parse_period(until="2026-02-10", now=NOW).since == datetime(
        2026, 2, 10, 23, 59, 59, 999_999, tzinfo=UTC
    ) - timedelta(days=7)


def test_an_until_after_now_ends_the_period_now() -> None:
    assert parse_period("2026-02-15", "2026-03-01", now=NOW).until == NOW


@pytest.mark.parametrize(
    ("arguments", "names"),
    [
        ({"since": "yesterday"}, "since: 'yesterday' is not an ISO date"),
        ({"since": "2026-02-30"}, "since: '2026-02-30' is not an ISO date"),
        ({"until": "2026-02-03T25:00"}, "until: '2026-02-03T25:00' is not an ISO date"),
        ({"since": "2026-02-03T14:05:00.5Z"}, "since: .* is not an ISO date"),
        ({"since": "2026-02-10", "until": "2026-02-03"}, r"since \(2026-02-10T00:00:00Z\) is after until"),
        ({"since": "2026-02-18"}, "since: 2026-02-18T00:00:00Z is in the future"),
        ({"since": "2025-01-01"}, f"spans 413 days; at most {MAX_DAYS}"),
        ({"last_days": 0}, f"days: give a whole number of days from 1 to {MAX_DAYS}"),
        ({"last_days": MAX_DAYS + 1}, "days: give a whole number"),
        ({"last_days": 3, "since": "2026-02-10"}, r"give either days \(the last N days\) or since/until, not both"),
    ],
)
def test_a_bad_period_is_a_one_line_error_naming_the_argument(arguments: dict[str, object], names: str) -> None:
    with pytest.raises(InputError, match=names) as raised:
        parse_period(**arguments, now=NOW)  # type: ignore[arg-type]
    assert "\n" not in str(raised.value)


def test_an_error_shows_the_accepted_forms_and_no_more_than_a_bit_of_the_input() -> None:
    with pytest.raises(InputError, match=r"2026-02-03T14:00:00Z; UTC when no offset is given") as raised:
        parse_period("x" * 5_000, now=NOW)
    assert len(str(raised.value)) < 200


@settings(max_examples=examples(300), deadline=None)
@given(
    st.integers(1, MAX_DAYS),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)),
    st.lists(st.floats(0, 1), max_size=30),
)
def test_every_moment_of_a_period_falls_in_one_of_its_buckets(days: int, now: datetime, shares: list[float]) -> None:
    period = parse_period(last_days=days, now=now)
    starts = period.bucket_starts()
    assert starts[0] <= period.since
    assert period.until < starts[-1] + period.step
    for share in [0.0, 1.0, *shares]:
        moment = period.since + (period.until - period.since) * share
        index = period.bucket_index(moment)
        assert starts[index] <= moment < starts[index] + period.step


def test_naive_date_times_are_utc() -> None:
    assert as_utc(datetime(2026, 2, 3, 14, 5)) == datetime(2026, 2, 3, 14, 5, tzinfo=UTC)


def test_the_view_is_the_contracts_shape() -> None:
    view = parse_period("2026-02-03", "2026-02-17", now=NOW).view(412, complete=False, note="stopped at 3,000 calls")
    assert dump(view) == {
        "since": "2026-02-03T00:00:00Z",
        "until": "2026-02-17T15:30:00Z",
        "bucket": "day",
        "calls": 412,
        "complete": False,
        "note": "stopped at 3,000 calls",
    }


def test_an_argument_reads_back_as_the_same_instant() -> None:
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    for moment in (
        datetime(2026, 2, 3, tzinfo=timezone.utc),
        datetime(2026, 2, 3, 14, 5, 9, tzinfo=timezone.utc),
        datetime(2026, 2, 3, 14, 5, 9, 123_000, tzinfo=timezone.utc),
        datetime(2026, 2, 3, 23, 59, 59, 999_999, tzinfo=timezone.utc),
    ):
        since, until = argument(moment), argument(moment, end=True)
        assert parse_period(since, until, now=now).since == moment
        assert parse_period(since, until, now=now).until == moment
    assert argument(datetime(2026, 2, 3, tzinfo=timezone.utc)) == "2026-02-03"
    assert argument(datetime(2026, 2, 3, 23, 59, 59, 999_999, tzinfo=timezone.utc), end=True) == "2026-02-03"
