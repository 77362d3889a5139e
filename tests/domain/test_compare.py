"""compare: the pure field-level diff behind compare_assistants. No MCP, no HTTP."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from revox_mcp.domain.compare import (
    IGNORED,
    MAX_DIFF_CHARS,
    MAX_DIFF_LINE_CHARS,
    MAX_DIFF_LINES,
    Change,
    compare,
    text_diff,
)
from revox_mcp.domain.ingest import clean
from revox_mcp.domain.output import dump
from revox_mcp.errors import InputError


def assistant(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "a-1",
        "name": "Alpha",
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-02T00:00:00Z",
        "organization_id": "org-1",
        "prompt": "Be brief.",
        "voice": {"provider": "cartesia", "id": "v1", "speed": 1.0},
        "llm_model": {"type": "dedicated-instance", "name": "gpt-4.1"},
    }
    base.update(fields)
    return base


def other(first: dict[str, Any], **fields: Any) -> dict[str, Any]:
    clone = copy.deepcopy(first)
    clone.update({"id": "b-2", "created_at": "2026-01-01T00:00:00Z", "organization_id": "org-2"}, **fields)
    return clone


def by_path(changes: list[Change]) -> dict[str, Change]:
    return {change.path: change for change in changes}


def test_nested_changes_are_listed_by_path_with_both_values():
    first = assistant()
    second = other(first, voice={"provider": "cartesia", "id": "v2", "speed": 1.2})
    changes = by_path(compare(first, second).changes)
    assert set(changes) == {"voice.id", "voice.speed"}
    assert (changes["voice.speed"].kind, changes["voice.speed"].a, changes["voice.speed"].b) == ("changed", 1.0, 1.2)


def test_keys_only_on_one_side_are_added_or_removed():
    first = assistant(sms_template="Hi")
    second = other(first, llm_model={"type": "dedicated-instance", "name": "gpt-4.1", "temperature": 0.2})
    del second["sms_template"]
    changes = by_path(compare(first, second).changes)
    assert changes["sms_template"].kind == "removed"
    assert changes["sms_template"].a == "Hi"
    assert changes["llm_model.temperature"].kind == "added"
    assert changes["llm_model.temperature"].b == 0.2


def test_list_entries_are_matched_by_name_not_position():
    tools = [{"name": "book_slot", "method": "POST"}, {"name": "lookup", "method": "GET"}]
    first = assistant(custom_tools=tools)
    # Reordered, one changed, one removed, one added: position-based matching would report nonsense.
    second = other(first, custom_tools=[{"name": "cancel", "method": "DELETE"}, {"name": "book_slot", "method": "PUT"}])
    changes = by_path(compare(first, second).changes)
    assert set(changes) == {
        "custom_tools[name=book_slot].method",
        "custom_tools[name=lookup]",
        "custom_tools[name=cancel]",
    }
    assert changes["custom_tools[name=book_slot].method"].a == "POST"
    assert changes["custom_tools[name=lookup]"].kind == "removed"
    assert changes["custom_tools[name=cancel]"].kind == "added"


def test_list_entries_without_a_name_are_matched_by_label():
    first = assistant(transfer_destinations=[{"label": "Sales", "phone_number": "+33100000001"}])
    second = other(first, transfer_destinations=[{"label": "Sales", "phone_number": "+33100000002"}])
    assert [c.path for c in compare(first, second).changes] == ["transfer_destinations[label=Sales].phone_number"]


def test_identical_fields_are_counted_not_listed_and_bookkeeping_is_ignored():
    first = assistant()
    result = compare(first, other(first, name="Beta"))
    assert [c.path for c in result.changes] == ["name"]
    assert result.identical_fields == 3  # prompt, voice, llm_model
    assert result.ignored == ["id", "created_at", "updated_at", "organization_id"]
    assert set(result.ignored) <= set(IGNORED)


def test_the_same_assistant_twice_has_no_differences():
    first = assistant()
    result = compare(first, copy.deepcopy(first))
    assert result.changes == []
    assert result.identical_fields == 4


def test_long_texts_become_a_unified_diff_bounded_in_lines_and_width():
    before = "\n".join(f"Rule {i}: keep it short." for i in range(200))
    after = "\n".join(f"Rule {i}: keep it SHORT." for i in range(200))
    change = by_path(compare(assistant(prompt=before), assistant(prompt=after)).changes)["prompt"]
    assert change.a == f"[{len(before)} chars]"
    assert change.b == f"[{len(after)} chars]"
    assert change.diff is not None
    lines = change.diff.splitlines()
    assert lines[:2] == ["--- A", "+++ B"]
    assert len(lines) == MAX_DIFF_LINES + 1
    assert lines[-1].endswith("more diff lines")


def test_a_prompt_on_one_line_still_gives_a_bounded_diff():
    diff = text_diff("word " * 5000, "other " * 5000)
    assert all(len(line) <= MAX_DIFF_LINE_CHARS + 20 for line in diff.splitlines())
    assert "…[25001 chars]" in diff  # the line with its "-" prefix


def test_secrets_are_redacted_before_diffing():
    def tool(secret: str) -> list[dict[str, Any]]:
        return [{"name": "crm", "url": "https://crm.test/x", "headers": [{"key": "X-Api-Key", "value": secret}]}]

    first = assistant(custom_tools=tool("FAKE-a"), webhook_secret="FAKE-one")
    second = other(first, custom_tools=tool("FAKE-b"), webhook_secret="FAKE-two")
    result = compare(clean(first), clean(second))  # as the server does: cleaned at ingest, then compared
    # Both sides redact to the same mask: no difference to report, and no secret to leak.
    assert result.changes == []
    assert "FAKE" not in json.dumps(dump(result))


def test_a_secret_that_appears_is_reported_masked():
    first = assistant(llm_model={"type": "custom", "url": "https://llm.test/v1"})
    second = other(first, llm_model={"type": "custom", "url": "https://llm.test/v1", "api_key": "FAKE-sk-123"})
    changes = by_path(compare(clean(first), clean(second)).changes)
    assert changes["llm_model.api_key"].kind == "added"
    assert changes["llm_model.api_key"].b == "[REDACTED]"


def test_fields_restricts_the_comparison():
    first = assistant()
    second = other(first, name="Beta", voice={"provider": "elevenlabs", "id": "v1", "speed": 1.0})
    result = compare(first, second, ["voice"])
    assert [c.path for c in result.changes] == ["voice.provider"]
    assert result.identical_fields == 0
    assert result.ignored == []


def test_an_unknown_field_is_an_input_error_naming_the_valid_ones():
    with pytest.raises(InputError, match=r"Unknown field\(s\) 'voise'\. Valid fields: .*voice"):
        compare(assistant(), assistant(), ["voise"])


def test_null_and_missing_are_told_apart_in_the_dumped_output():
    """Structured content is dumped without None values; a change still shows a null side explicitly."""
    first = assistant(first_sentence=None, voicemail_message="Call us back")
    second = other(first, first_sentence="Hello!", voicemail_message=None)
    del second["prompt"]
    changes = {c["path"]: c for c in dump(compare(first, second))["changes"]}
    assert changes["first_sentence"] == {"path": "first_sentence", "kind": "changed", "a": None, "b": "Hello!"}
    assert changes["voicemail_message"] == {
        "path": "voicemail_message",
        "kind": "changed",
        "a": "Call us back",
        "b": None,
    }
    assert changes["prompt"] == {"path": "prompt", "kind": "removed", "a": "Be brief."}


def test_a_null_value_only_on_one_side_is_added_or_removed_with_its_null():
    first = assistant(background_sound=None)
    second = other(first)
    del second["background_sound"]
    [change] = dump(compare(first, second))["changes"]
    assert change == {"path": "background_sound", "kind": "removed", "a": None}
    [change] = dump(compare(second, first))["changes"]
    assert change == {"path": "background_sound", "kind": "added", "b": None}


def test_several_changed_texts_share_one_diff_budget():
    """Five rewritten prompts still fit one answer; the cut diffs say how to see the rest."""
    texts = ("prompt", "after_call_sms_prompt", "voicemail_sms_prompt", "end_of_call_sentence", "voicemail_message")
    first = assistant(**{f: "\n".join(f"line {i} " + "x" * 140 for i in range(100)) for f in texts})
    second = other(first, **{f: "\n".join(f"line {i} " + "y" * 140 for i in range(100)) for f in texts})
    diffs = {c.path: c.diff or "" for c in compare(first, second).changes}
    assert set(diffs) == set(texts)
    assert sum(len(d) for d in diffs.values()) <= MAX_DIFF_CHARS + 500
    hint = (
        '… diff cut: all diffs share 8,000 characters; compare_assistants with fields=["voicemail_message"] shows more'
    )
    assert diffs["voicemail_message"] == hint
