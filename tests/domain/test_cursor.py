"""Cursors name their tool, key, data version and query; any mismatch is a clear error."""

from __future__ import annotations

import pytest

from revox_mcp.domain.cursor import decode_offset, encode_cursor
from revox_mcp.errors import InputError

SCOPE = "0123456789abcdef"


def cursor(**changes: object) -> str:
    fields: dict[str, object] = {"tool": "list_assistants", "scope": SCOPE, "version": "v1", "position": 40}
    fields.update(changes)
    return encode_cursor(**fields)  # type: ignore[arg-type]


def test_a_cursor_decodes_to_its_position() -> None:
    assert decode_offset(cursor(), tool="list_assistants", scope=SCOPE, version="v1") == 40
    assert decode_offset(None, tool="list_assistants", scope=SCOPE, version="v1") == 0


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("garbage!", "not one list_assistants returned"),
        (cursor(version="v0"), "stale"),
        (cursor(tool="diagnose_assistant"), "belongs to diagnose_assistant"),
        (cursor(scope="fedcba9876543210"), "another API key"),
        (cursor(query="relance"), "different query"),
        (cursor(position="-5"), "not one list_assistants returned"),
    ],
)
def test_a_cursor_that_does_not_fit_is_a_clear_error(given: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_offset(given, tool="list_assistants", scope=SCOPE, version="v1")


def test_queries_compare_case_insensitively() -> None:
    made = cursor(query="Relance")
    assert decode_offset(made, tool="list_assistants", scope=SCOPE, version="v1", query="relance") == 40
