"""A change point's cause is the configuration change nearest before it, at most one bucket back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from revox_mcp.domain.timeline.cause import attribute, cause_of
from revox_mcp.domain.timeline.change import ChangePoint, Side
from revox_mcp.domain.timeline.config import ConfigChange, Source

AT = datetime(2026, 2, 16, 14, 5, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def point(at: datetime = AT) -> ChangePoint:
    side = Side(count=1, of=10, value=0.1)
    return ChangePoint(
        metric="voicemail", kind="rate", at=at, before=side, after=side, significance="p < 0.001", test="t"
    )


def change(at: datetime, source: Source = "calls", kind: str = "prompt", **more: object) -> ConfigChange:
    return ConfigChange(at=at, source=source, kind=kind, fields=[kind], summary=f"{kind} changed", **more)  # type: ignore[arg-type]


def test_the_nearest_change_before_is_the_cause() -> None:
    changes = [
        change(AT - timedelta(hours=5), kind="model"),
        change(AT - timedelta(minutes=3)),
        change(AT + timedelta(minutes=1)),
    ]
    assert cause_of(point(), changes, within=DAY) == changes[1]


def test_a_change_at_the_very_time_counts_as_before() -> None:
    assert cause_of(point(), [change(AT)], within=DAY) is not None


def test_nothing_close_enough_is_no_cause() -> None:
    assert cause_of(point(), [change(AT - DAY - timedelta(seconds=1))], within=DAY) is None
    assert cause_of(point(), [], within=DAY) is None
    (attributed,) = attribute([point()], [change(AT + timedelta(hours=1))], within=DAY)
    assert attributed.cause is None


def test_an_alternating_value_is_never_a_cause() -> None:
    assert cause_of(point(), [change(AT - timedelta(minutes=1), alternating=True)], within=DAY) is None


def test_at_the_same_time_a_stored_version_wins_over_what_calls_showed() -> None:
    same = AT - timedelta(minutes=3)
    stored = change(same, source="stored", kind="version")
    assert cause_of(point(), [change(same), stored], within=DAY) == stored


def test_the_cause_carries_when_what_and_which_fields() -> None:
    (attributed,) = attribute(
        [point()], [change(AT - timedelta(minutes=3), source="stored", kind="version")], within=DAY
    )
    assert attributed.cause is not None
    assert attributed.cause.model_dump(mode="json", exclude_none=True) == {
        "at": "2026-02-16T14:02:00Z",
        "source": "stored",
        "kind": "version",
        "fields": ["version"],
        "summary": "version changed",
    }


def test_a_cause_seen_in_calls_names_the_last_call_before_and_the_first_after() -> None:
    seen = change(
        AT - timedelta(minutes=3), last_before=AT - timedelta(hours=1), last_call_before="c7", first_call="c8"
    )
    (attributed,) = attribute([point()], [seen], within=DAY)
    assert attributed.cause is not None
    assert attributed.cause.calls == ["c7", "c8"]
    assert attributed.cause.last_before == AT - timedelta(hours=1)


def test_a_stored_version_between_the_last_old_call_and_the_first_new_one_is_that_edit() -> None:
    seen = change(AT - timedelta(minutes=1), last_before=AT - timedelta(hours=1))
    stored = change(AT - timedelta(minutes=30), source="stored", kind="version")
    earlier = change(AT - timedelta(hours=2), source="stored", kind="version")
    assert cause_of(point(), [earlier, stored, seen], within=DAY) == stored
    assert cause_of(point(), [earlier, seen], within=DAY) == seen
