"""read_list: a list body read entry by entry from its chunks gives what json.loads gives, wherever chunks cut it."""

from __future__ import annotations

import json

import pytest

from revox_mcp.api.payload import Entries, read_list

BODY = json.dumps(
    {
        "total": 3,
        "assistants": [{"id": "a", "n": 12345, "s": 'x"]}[\\ Émilie ☃ 😀'}, {"id": "b"}, 7, True, None],
        "z": [1],
    },
    ensure_ascii=False,
).encode()


def cut(body: bytes, size: int) -> list[bytes]:
    return [body[at : at + size] for at in range(0, len(body), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(BODY)])
def test_the_entries_are_those_json_reads_wherever_the_chunks_cut_the_body(size: int) -> None:
    parsed = read_list(cut(BODY, size), "assistants")
    entries = parsed.value["assistants"]
    assert isinstance(entries, Entries)
    assert list(entries) == json.loads(BODY)["assistants"]
    assert parsed.value["total"] == 3


def test_the_entries_are_read_once() -> None:
    entries = read_list([BODY], "assistants").value["assistants"]
    list(entries)
    with pytest.raises(RuntimeError, match="once"):
        list(entries)


@pytest.mark.parametrize("size", [5, 4096])
def test_an_entry_nested_too_deep_is_skipped_and_counted(size: int) -> None:
    deep = "[" * 5000 + '"]["' + "]" * 5000
    body = ('{"assistants": [{"id": "a"}, {"id": "b", "x": ' + deep + '}, {"id": "c"}]}').encode()
    entries = read_list(cut(body, size), "assistants").value["assistants"]
    assert [entry["id"] for entry in entries] == ["a", "c"]
    assert entries.dropped == 1


@pytest.mark.parametrize(
    "body", [b'{"assistants": [1,]}', b'{"assistants": [1] x', b'{"assistants": [1', b'{"assistants": [1]}}']
)
def test_a_body_that_turns_out_not_to_be_json_raises_while_read(body: bytes) -> None:
    with pytest.raises(ValueError, match=r"expected|Expecting|extra"):
        list(read_list(cut(body, 2), "assistants").value["assistants"])


def test_a_body_of_another_shape_is_read_whole() -> None:
    assert read_list([b"[1, 2]"], "assistants").value == [1, 2]
    assert read_list([b'{"data": {"a": 1}}'], "assistants").value == {"data": {"a": 1}}
    with pytest.raises(ValueError, match="Expecting value"):
        read_list([b"nope"], "assistants")
