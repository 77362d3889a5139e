"""Ingest: everything from Revox is made encodable, bounded and redacted once, on arrival."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from support import ASSISTANTS

from revox_mcp.domain.facts import MAX_ID_LENGTH
from revox_mcp.domain.ingest import (
    MAX_DEPTH,
    TOO_DEEP,
    Item,
    ItemSet,
    ItemSetCodec,
    clean,
    clean_id,
    digest_of,
    ingest_list,
    ingest_object,
    sanitize,
)
from revox_mcp.domain.redaction import Redactor


def objects() -> Callable[[Any], Item | None]:
    """Each entry cleaned as an object of a list endpoint, by one redactor."""
    redactor = Redactor()
    return lambda raw: ingest_object(raw, redactor)


def nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def test_lone_surrogates_and_invisible_characters_leave_keys_and_strings() -> None:
    raw = {"na\udc00me\u202e": "A\u200bgent\ud800", "list": ["x\ufeff"]}
    assert sanitize(raw) == {"name": "Agent", "list": ["x"]}
    json.dumps(sanitize(raw), ensure_ascii=False).encode()  # encodable


def test_non_finite_numbers_become_null_and_huge_integers_text() -> None:
    assert sanitize({"a": math.nan, "b": math.inf, "c": -math.inf, "d": 10**30, "e": 1.5, "f": 7}) == {
        "a": None,
        "b": None,
        "c": None,
        "d": "[number of 31 digits]",
        "e": 1.5,
        "f": 7,
    }


def test_nesting_deeper_than_the_cap_becomes_a_marker_without_recursion() -> None:
    cleaned = sanitize({"deep": nested(100_000)})  # far beyond Python's recursion limit
    depth, value = 0, cleaned["deep"]
    while isinstance(value, list):
        depth, value = depth + 1, value[0]
    assert value == TOO_DEEP
    assert depth == MAX_DEPTH
    assert sanitize({"ok": nested(5)}) == {"ok": nested(5)}


def test_keys_that_collide_once_cleaned_are_all_kept() -> None:
    assert sanitize({"a": 1, "a\u200b": 2}) == {"a": 1, "a~": 2}


def test_anything_else_becomes_a_marker() -> None:
    assert sanitize({"x": object(), 3: "int key", (1, 2): "tuple key"}) == {
        "x": "[unsupported value]",
        "3": "int key",
        "?": "tuple key",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abc", "abc"),
        ("  abc\t", "abc"),
        ("a\nb", "a b"),
        ("\u200fabc\u202e", "abc"),
        ("", None),
        ("   ", None),
        (5, None),
        (None, None),
    ],
)
def test_ids_are_made_single_line_and_visible(raw: Any, expected: str | None) -> None:
    assert clean_id(raw) == expected


def test_long_ids_keep_their_start_and_stay_distinct() -> None:
    first, second = clean_id("x" * 250 + "1"), clean_id("x" * 250 + "2")
    assert first is not None
    assert second is not None
    assert len(first) == len(second) == MAX_ID_LENGTH
    assert first != second
    assert first.startswith("x" * 180)


def test_clean_redacts_every_fixture_secret_and_masks_known_values_anywhere() -> None:
    own = "sk-own-server-key-1234"
    raw = [*ASSISTANTS, {"id": "z", "note": f"the key is {own}!", f"key {own}": 1}]
    cleaned = clean(raw, Redactor([own]))
    text = json.dumps(cleaned, ensure_ascii=False)
    assert "FAKE" in json.dumps(ASSISTANTS)
    assert "FAKE" not in text
    assert own not in text
    assert cleaned[-1]["note"] == "the key is [REDACTED]!"


def test_short_known_secrets_are_not_masked_by_value() -> None:
    cleaned = clean(
        {"id": "a", "text": "abc is short, long-enough-secret is not"}, Redactor(["abc", "long-enough-secret"])
    )
    assert cleaned["text"] == "abc is short, [REDACTED] is not"


def test_a_list_keeps_each_good_entry_and_counts_the_others() -> None:
    entries = [{"id": "a", "name": "A"}, {"id": "a", "name": "dup"}, {"name": "no id"}, "text", {"id": " b "}]
    listing = ingest_list(entries, objects(), raw_bytes=100, dropped=1)
    assert [item["id"] for item in listing.items] == ["a", "b"]
    assert listing.dropped == 4
    assert listing.get("b") is not None
    assert listing.get("missing") is None


def test_an_unchanged_object_has_an_unchanged_digest_and_version() -> None:
    first = ingest_list(ASSISTANTS, objects())
    second = ingest_list(json.loads(json.dumps(ASSISTANTS)), objects())
    assert first.digests == second.digests
    assert first.version == second.version
    changed = [dict(ASSISTANTS[0], name="Renamed"), *ASSISTANTS[1:]]
    third = ingest_list(changed, objects())
    assert third.digests[1:] == first.digests[1:]
    assert third.digests[0] != first.digests[0]
    assert third.version != first.version


def test_the_clean_memo_is_asked_by_raw_digest_and_skips_cleaning_on_a_hit() -> None:
    seen: dict[str, Any] = {}

    def memo(digest: str, make: Any) -> Any:
        if digest not in seen:
            seen[digest] = make()
        return seen[digest]

    first = ingest_object(ASSISTANTS[0], Redactor(), memo)
    second = ingest_object(json.loads(json.dumps(ASSISTANTS[0])), Redactor(), memo)
    assert first is second
    assert first is not None
    assert first.digest == digest_of(ASSISTANTS[0])


def test_an_item_set_round_trips_through_its_codec() -> None:
    listing = ingest_list(ASSISTANTS, objects(), raw_bytes=123, dropped=2)
    codec = ItemSetCodec()
    again = codec.decode(codec.encode(listing))
    assert isinstance(again, ItemSet)
    assert (again.items, again.digests, again.raw_bytes, again.dropped) == (
        listing.items,
        listing.digests,
        123,
        2,
    )
    assert again.version == listing.version
