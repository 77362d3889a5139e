"""Masking personal data by field, over calls shaped like the SDK 0.5.0's (issue 16 items 1 and 2).

Generated calls carry the traps on purpose (``sdk_shapes``): enum words under personal-looking keys of
``metadata`` and ``prompt_variables``, contacts and team members named like enum or common words, ids
with 8+ consecutive digits, phone numbers, emails, ids and the contact's names inside free text. After
masking, every fact (id, enum, status, timestamp, number, boolean, label) is what Revox sent, the counts
``analyze_calls`` makes are the same, every personal field is masked and no phone number, email or name
of the call's people is left in its free text.
"""

from __future__ import annotations

import re
from typing import Any

import anyio
from calls_support import REMINDERS_ID, server_with_calls
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from sdk_shapes import EMAILS, FACT_KINDS, IDS, NAMES, PERSONAL_KEYS, Leaf, at, calls, leaves, said_phone_numbers
from support import examples

from revox_mcp.domain import evidence, ingest
from revox_mcp.domain.personal import initials, mask_call, mask_value
from revox_mcp.domain.redaction import Redactor

# The configuration a call embeds: not personal data, left whole by masking.
CONFIG = ("assistant", "llm_model", "call_retry_config", "campaign")
MASKED_PHONE = re.compile(r"\+[0-9]{1,3}\*\*\*[0-9]{2}|\*\*\*(?:[0-9]{2})?")
MASKED_EMAIL = re.compile(r".\*\*\*@.+")


def _settings(full: int) -> settings:
    return settings(
        max_examples=examples(full),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _call_leaves(call: dict[str, Any]) -> list[Leaf]:
    """The call's fields outside its embedded configuration."""
    return [leaf for leaf in leaves("Call", call) if leaf.path[0] not in CONFIG]


def _ours(call: dict[str, Any], leaf: Leaf) -> bool:
    """Whether a phone field holds the organisation's own number (kept): by the call's direction."""
    return (leaf.path == ("to_phone_number",) and call.get("direction") == "inbound") or (
        leaf.path == ("from_phone_number",) and call.get("direction") == "outbound"
    )


def _people_names(call: dict[str, Any]) -> set[str]:
    """The names of the call's people that are real names (from the pool): they must leave every text."""
    people = [call.get("contact"), call.get("assignee")]
    attempts = [*(call.get("call_attempts") or []), call.get("last_call_attempt")]
    people += [attempt.get("handled_by_user") for attempt in attempts if isinstance(attempt, dict)]
    found = {name for person in people if isinstance(person, dict) for name in person.values() if name in NAMES}
    maps = [call.get("prompt_variables"), call.get("metadata")]
    maps += [attempt.get("structured_output") for attempt in attempts if isinstance(attempt, dict)]
    for values in maps:
        if isinstance(values, dict):
            found |= {value for key, value in values.items() if key in PERSONAL_KEYS and value in NAMES}
    return found


def _strings(value: Any, key: str | None = None) -> list[tuple[str | None, str]]:
    """The strings of a text field or of a structure of them (tool arguments), with the key each is under."""
    if isinstance(value, str):
        return [(key, value)]
    if isinstance(value, dict):
        return [found for name, item in value.items() for found in _strings(item, name)]
    if isinstance(value, list):
        return [found for item in value for found in _strings(item, key)]
    return []


@_settings(300)
@given(calls())
def test_every_fact_and_the_embedded_configuration_are_unchanged_by_masking(call: dict[str, Any]) -> None:
    masked = mask_call(call)
    for leaf in leaves("Call", call):
        if leaf.kind in FACT_KINDS or leaf.path[0] in CONFIG:
            assert at(masked, leaf.path) == leaf.value, leaf.path
    assert set(masked) == set(call)


@_settings(300)
@given(calls())
def test_every_personal_field_is_masked(call: dict[str, Any]) -> None:
    masked = mask_call(call)
    for leaf in _call_leaves(call):
        shown = at(masked, leaf.path)
        if leaf.value in (None, "", []):
            assert shown == leaf.value, leaf.path
        elif leaf.kind == "phone":
            assert shown == leaf.value if _ours(call, leaf) else MASKED_PHONE.fullmatch(shown), leaf.path
        elif leaf.kind == "email":
            assert MASKED_EMAIL.fullmatch(shown), leaf.path
        elif leaf.kind == "emails":
            assert all(MASKED_EMAIL.fullmatch(email) for email in shown), leaf.path
        elif leaf.kind == "person_name":
            names = leaf.path[-1] in ("first_name", "last_name")
            assert shown == (initials(leaf.value) if names else mask_value(leaf.value)), leaf.path
        elif leaf.kind == "values":
            assert shown == mask_value(leaf.value), leaf.path


@_settings(300)
@given(calls())
def test_free_text_keeps_its_ids_and_loses_phone_numbers_emails_and_the_names_of_the_calls_people(
    call: dict[str, Any],
) -> None:
    masked = mask_call(call)
    names = _people_names(call)
    for leaf in _call_leaves(call):
        if leaf.kind not in ("text", "json"):
            continue
        for (key, before), (_, after) in zip(_strings(leaf.value), _strings(at(masked, leaf.path)), strict=True):
            if key in PERSONAL_KEYS:  # a value under a personal-looking key in tool arguments: masked whole
                assert after == mask_value(before), (leaf.path, key)
                continue
            assert said_phone_numbers(after) == [], (leaf.path, after)
            assert not any(email in after for email in EMAILS), (leaf.path, after)
            for name in names:
                assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", after, re.IGNORECASE), (leaf.path, name)
            for ident in IDS:
                assert after.count(ident) == before.count(ident), (leaf.path, ident)


@_settings(100)
@given(st.lists(calls(), max_size=6))
def test_counts_over_masked_calls_are_the_counts_over_the_calls_sent(found: list[dict[str, Any]]) -> None:
    sent = evidence.aggregate([evidence.facts_of(call) for call in found])
    masked = evidence.aggregate([evidence.facts_of(mask_call(call)) for call in found])
    assert masked == sent


@_settings(150)
@given(calls())
def test_cleaning_then_masking_keeps_every_fact_ids_with_long_digit_runs_included(call: dict[str, Any]) -> None:
    cleaned = mask_call(ingest.clean(call, Redactor(["sk-own-revox-key-0123456789"])))
    for leaf in _call_leaves(call):
        if leaf.kind in FACT_KINDS:
            assert at(cleaned, leaf.path) == leaf.value, leaf.path


@_settings(30)
@given(st.lists(calls(), min_size=1, max_size=6))
def test_list_calls_rows_and_analyze_calls_counts_are_the_same_masked_or_shown(found: list[dict[str, Any]]) -> None:
    """Through the server: what the model counts does not depend on REVOX_MCP_PERSONAL_DATA."""
    served = [
        dict(call, id=f"ca11{index:04d}-0000-4000-8000-{index:012d}", assistant={"id": REMINDERS_ID, "name": "R"})
        for index, call in enumerate(found)
    ]

    async def answers(mode: str) -> tuple[Any, Any]:
        async with Client(server_with_calls(served, personal_data=mode)) as client:
            listed = await client.call_tool("list_calls", {"limit": 50})
            analysed = await client.call_tool("analyze_calls", {"assistant_id": REMINDERS_ID})
        assert listed.structured_content is not None
        assert analysed.structured_content is not None
        counted = {key: analysed.structured_content.get(key) for key in ("calls", "attempts", "counts", "metrics")}
        return listed.structured_content["calls"], counted

    masked, shown = anyio.run(answers, "mask"), anyio.run(answers, "show")
    assert len(shown[0]) == len(served)
    assert masked == shown
