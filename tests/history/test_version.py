"""A version is built from a cleaned assistant, and stored within its byte bound whatever its size."""

from __future__ import annotations

import json

from history.samples import SEEN
from hypothesis import given, settings
from hypothesis import strategies as st
from support import examples

from revox_mcp.history.version import Version, decode_config, encode_config


def test_a_version_reads_the_id_and_updated_at_of_the_cleaned_assistant() -> None:
    made = Version.of({"id": "a-1", "updated_at": "2026-02-16T14:02:00Z", "prompt": "Hi"}, "d1", SEEN)
    assert made == Version(
        "a-1", "d1", SEEN, {"id": "a-1", "updated_at": "2026-02-16T14:02:00Z", "prompt": "Hi"}, "2026-02-16T14:02:00Z"
    )


def test_an_assistant_without_an_id_makes_no_version() -> None:
    assert Version.of({"prompt": "Hi"}, "d1", SEEN) is None
    assert Version.of({"id": "", "prompt": "Hi"}, "d1", SEEN) is None


def test_a_configuration_that_fits_is_stored_as_it_is() -> None:
    config = {"id": "a-1", "prompt": "Réponds brièvement.", "tools": [{"name": "Book", "url": "https://x.test"}]}
    assert decode_config(encode_config(config, 1_024)) == config


def test_long_texts_are_cut_to_fit_short_ones_kept() -> None:
    config = {"id": "a-1", "name": "Sales", "prompt": "p" * 300_000, "notes": ["n" * 100_000], "voice": "v1"}
    data = encode_config(config, 64 * 1024)
    assert len(data) <= 64 * 1024
    stored = decode_config(data)
    assert (stored["id"], stored["name"], stored["voice"]) == ("a-1", "Sales", "v1")
    assert stored["prompt"].endswith("…[cut: 300000 chars]")
    assert stored["notes"][0].endswith("…[cut: 100000 chars]")


def test_a_configuration_too_big_even_cut_is_a_marker_with_its_id_and_name() -> None:
    config = {"id": "a-1", "name": "Sales", "entries": [f"entry {n}" for n in range(50_000)]}
    stored = decode_config(encode_config(config, 4_096))
    assert stored["id"] == "a-1"
    assert stored["name"] == "Sales"
    assert "not stored" in stored["…"]


def test_an_unreadable_stored_configuration_reads_as_a_marker() -> None:
    assert "unreadable" in decode_config(b"\xff{not json")["…"]
    assert "unreadable" in decode_config(b"[1, 2]")["…"]


@settings(max_examples=examples(300), deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=3_000),
        lambda inner: st.lists(inner, max_size=8) | st.dictionaries(st.text(max_size=10), inner, max_size=8),
        max_leaves=60,
    ),
    st.integers(1_024, 32_768),
)
def test_every_configuration_is_stored_within_its_bound_as_json(value: object, bound: int) -> None:
    data = encode_config({"id": "a-1", "value": value}, bound)
    assert len(data) <= bound
    assert isinstance(json.loads(data), dict)
