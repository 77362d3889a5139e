"""Consecutive stored versions become the diff the answers show and the changes the timeline attributes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from history.samples import SEEN

from revox_mcp.domain.timeline.cause import cause_of
from revox_mcp.domain.timeline.change import ChangePoint, Side
from revox_mcp.history.diff import change_between, changed_fields, edited_at, stored_changes, version_diff
from revox_mcp.history.version import Version

BASE: dict[str, Any] = {
    "id": "a-1",
    "name": "Sales",
    "prompt": "# Identity\nYou are Lucy.\n# Rules\nBe brief.",
    "llm_model": {"type": "dedicated-instance", "name": "gpt-4.1"},
    "voice": {"provider": "elevenlabs", "id": "v1"},
    "updated_at": "2026-02-10T09:00:00Z",
    "created_at": "2026-01-12T10:15:03Z",
}
EDITED = "2026-02-16T14:02:00Z"
EDITED_AT = datetime(2026, 2, 16, 14, 2, tzinfo=timezone.utc)
SEEN_AFTER = datetime(2026, 2, 16, 14, 30, tzinfo=timezone.utc).timestamp()


def at(seen: float, digest: str, **changes: Any) -> Version:
    config = {**BASE, **changes}
    return Version("a-1", digest, seen, config, config.get("updated_at"))


OLD = at(SEEN - 86_400, "d1")


def test_bookkeeping_alone_is_no_change() -> None:
    touched = at(SEEN_AFTER, "d2", updated_at=EDITED, created_at="2026-02-16T14:02:00Z", position=3)
    assert version_diff(OLD, touched).changes == []
    assert change_between(OLD, touched) is None


def test_a_prompt_edit_is_a_prompt_change_with_its_text_diff() -> None:
    new = at(
        SEEN_AFTER, "d2", prompt=BASE["prompt"].replace("Be brief.", "Insist until they agree."), updated_at=EDITED
    )
    (change,) = version_diff(OLD, new).changes
    assert change.path == "prompt"
    assert change.diff is not None
    assert "-Be brief." in change.diff
    assert "+Insist until they agree." in change.diff
    found = change_between(OLD, new)
    assert found is not None
    assert (found.source, found.kind, found.fields, found.at) == ("stored", "prompt", ["prompt"], EDITED_AT)
    assert found.summary == "prompt changed (dated by the assistant's updated_at)"


def test_a_model_switch_names_both_models() -> None:
    new = at(SEEN_AFTER, "d2", llm_model={"type": "dedicated-instance", "name": "gpt-4o-mini"}, updated_at=EDITED)
    found = change_between(OLD, new)
    assert found is not None
    assert (found.kind, found.fields) == ("model", ["llm_model"])
    assert found.summary.startswith("model changed: gpt-4.1 → gpt-4o-mini")


def test_several_fields_are_named_with_their_count() -> None:
    new = at(
        SEEN_AFTER,
        "d2",
        prompt="Other.",
        voice={"provider": "cartesia", "id": "v2"},
        custom_tools=[{"name": "Book"}],
        first_sentence="Hi",
        max_call_duration_secs=300,
    )
    found = change_between(OLD, new)
    assert found is not None
    assert found.kind == "config"
    assert found.fields == ["prompt", "voice", "custom_tools", "first_sentence", "max_call_duration_secs"]
    assert found.summary.startswith("5 fields changed: prompt, voice, custom_tools, first_sentence and 1 more")


def test_fields_are_named_at_the_top_level_once() -> None:
    old = at(SEEN, "d1", custom_tools=[{"name": "Book", "url": "https://a.test", "method": "GET"}])
    new = at(SEEN_AFTER, "d2", custom_tools=[{"name": "Book", "url": "https://b.test", "method": "POST"}])
    assert changed_fields(version_diff(old, new)) == ["custom_tools"]


def test_a_change_is_dated_when_first_seen_without_a_plausible_updated_at() -> None:
    cases = {
        "absent": None,
        "before the previous version was seen": "2026-02-01T00:00:00Z",
        "after this one was seen": "2026-03-01T00:00:00Z",
        "unreadable": "last tuesday",
    }
    for case, updated in cases.items():
        new = at(SEEN_AFTER, "d2", prompt="Other.", updated_at=updated)
        assert edited_at(OLD, new) is None, case
        found = change_between(OLD, new)
        assert found is not None
        assert found.at == datetime.fromtimestamp(SEEN_AFTER, tz=timezone.utc), case
        assert found.summary.endswith("(dated when the server first saw it)"), case


def test_a_few_minutes_of_clock_skew_is_plausible() -> None:
    new = at(SEEN_AFTER, "d2", prompt="Other.", updated_at="2026-02-16T14:33:00Z")  # 3 minutes after we saw it
    assert edited_at(OLD, new) == SEEN_AFTER + 180


def test_stored_history_newest_first_becomes_changes_oldest_first() -> None:
    history = [
        at(SEEN + 300, "d4", prompt="Third.", updated_at=None),
        at(SEEN + 200, "d3", prompt="Second.", updated_at=None, position=9),  # only bookkeeping after d2
        at(SEEN + 100, "d2", prompt="Second.", updated_at=None),
        at(SEEN, "d1"),
    ]
    changes = stored_changes(history)
    assert [change.at.timestamp() for change in changes] == [SEEN + 100, SEEN + 300]
    assert stored_changes(history[:1]) == []
    assert stored_changes([]) == []


def test_a_stored_edit_is_the_cause_of_the_change_point_just_after_it() -> None:
    new = at(SEEN_AFTER, "d2", prompt="Insist.", updated_at=EDITED)
    side = Side(count=1, of=10, value=0.1)
    point = ChangePoint(
        metric="end_reason=user_rejected",
        kind="rate",
        at=EDITED_AT + timedelta(minutes=3),
        before=side,
        after=side,
        significance="p < 0.001",
        test="t",
    )
    cause = cause_of(point, stored_changes([new, OLD]), within=timedelta(days=1))
    assert cause is not None
    assert (cause.source, cause.kind, cause.fields, cause.at) == ("stored", "prompt", ["prompt"], EDITED_AT)
