"""A call is made fit to keep once, on arrival; a search result keeps fingerprints of the assistant it
embeds (its prompt template, the rest of its configuration) before the assistant is slimmed away."""

from __future__ import annotations

import copy
from typing import Any

from calls_support import CALLS, PII_CALL

from revox_mcp.domain.call_cleaning import CONFIG_FINGERPRINT, PROMPT_FINGERPRINT, clean_call, fingerprints
from revox_mcp.domain.redaction import Redactor

RAW = next(call for call in CALLS if call["id"] == PII_CALL)


def cleaned(raw: dict[str, Any], *, search: bool = True) -> dict[str, Any]:
    item = clean_call(copy.deepcopy(raw), Redactor(), "mask", search=search)
    assert item is not None
    return item.value


def with_assistant(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    raw["assistant"] = {**raw["assistant"], **changes}
    return raw


def test_a_search_result_keeps_the_assistant_as_id_name_and_two_fingerprints():
    assistant = cleaned(RAW)["assistant"]
    assert set(assistant) == {"id", "name", PROMPT_FINGERPRINT, CONFIG_FINGERPRINT}
    assert assistant[PROMPT_FINGERPRINT].startswith("p:")
    assert assistant[CONFIG_FINGERPRINT].startswith("c:")


def test_a_prompt_edit_changes_the_prompt_fingerprint_only():
    before, after = cleaned(RAW)["assistant"], cleaned(with_assistant(prompt="Another prompt."))["assistant"]
    assert before[PROMPT_FINGERPRINT] != after[PROMPT_FINGERPRINT]
    assert before[CONFIG_FINGERPRINT] == after[CONFIG_FINGERPRINT]


def test_another_field_changes_the_configuration_fingerprint_and_bookkeeping_changes_none():
    base = cleaned(RAW)["assistant"]
    voice = cleaned(with_assistant(max_call_duration_secs=901))["assistant"]
    saved = cleaned(with_assistant(updated_at="2030-01-01T00:00:00Z"))["assistant"]
    assert voice[CONFIG_FINGERPRINT] != base[CONFIG_FINGERPRINT]
    assert voice[PROMPT_FINGERPRINT] == base[PROMPT_FINGERPRINT]
    assert saved == base


def test_the_call_digest_covers_its_fingerprints():
    one = clean_call(copy.deepcopy(RAW), Redactor(), "mask", search=True)
    other = clean_call(with_assistant(prompt="Another prompt."), Redactor(), "mask", search=True)
    assert one is not None
    assert other is not None
    assert one.digest != other.digest


def test_a_whole_call_keeps_its_assistant_and_gets_no_fingerprint():
    assistant = cleaned(RAW, search=False)["assistant"]
    assert PROMPT_FINGERPRINT not in assistant
    assert "prompt" in assistant


def test_no_assistant_no_fingerprint():
    assert fingerprints(None) == {}
    assert set(fingerprints({"id": "a"})) == {CONFIG_FINGERPRINT}  # no prompt: only the rest is known
