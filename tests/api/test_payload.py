"""parse_json: whatever bytes Revox sends become JSON values, or a ValueError when they are not JSON at all."""

from __future__ import annotations

import json

import pytest

from revox_mcp.api.payload import MAX_INT_DIGITS, parse_json


def test_plain_json_parses_unchanged() -> None:
    body = {"assistants": [{"id": "a", "n": 1.5, "ok": True, "none": None}], "total_count": 1}
    parsed = parse_json(json.dumps(body).encode())
    assert parsed.value == body
    assert parsed.dropped == 0


def test_invalid_utf8_becomes_a_replacement_character() -> None:
    assert parse_json(b'{"name": "caf\xe9"}').value == {"name": "caf\ufffd"}


def test_an_integer_too_long_to_be_a_number_becomes_a_marker() -> None:
    digits = "1" * (MAX_INT_DIGITS + 1)
    assert parse_json(f'{{"n": {digits}, "m": -{digits}, "ok": {"9" * MAX_INT_DIGITS}}}').value == {
        "n": f"[number of {MAX_INT_DIGITS + 1} digits]",
        "m": f"[number of {MAX_INT_DIGITS + 1} digits]",
        "ok": int("9" * MAX_INT_DIGITS),
    }


@pytest.mark.parametrize("body", ["", "not json", "{", '{"a": }', "[1,]"])
def test_what_is_not_json_raises_value_error(body: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # the caller maps any ValueError to "not valid JSON"
        parse_json(body)


def test_a_body_too_deep_is_read_entry_by_entry() -> None:
    deep = "[" * 5000 + "]" * 5000
    tricky = '"a string with ], } and , inside"'
    body = f'{{"calls": [{{"id": 1}}, {deep}, {{"id": 2, "s": {tricky}}}], "total_count": 3, "junk": {deep}}}'
    parsed = parse_json(body)
    assert parsed.value == {
        "calls": [{"id": 1}, {"id": 2, "s": "a string with ], } and , inside"}],
        "total_count": 3,
        "junk": [],  # a first-level list keeps the entries that could be read: none here
    }
    assert parsed.dropped == 2


def test_a_top_level_list_too_deep_is_read_entry_by_entry() -> None:
    deep = "{" + '"a":' * 1 + "[" * 5000 + "]" * 5000 + "}"
    parsed = parse_json(f'[{{"id": 1}}, {deep}, {{"id": 2}}]')
    assert parsed.value == [{"id": 1}, {"id": 2}]
    assert parsed.dropped == 1
