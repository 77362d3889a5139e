"""Personal data in calls: masked at ingest by default, shown on request; credentials redacted in both modes."""

from __future__ import annotations

from typing import Any

import pytest
from calls_support import CALLS, PERSONAL, PII_CALL, REMINDERS_ID, all_output, server_with_calls
from mcp import Client
from support import assert_clean, assert_ok

from revox_mcp.cache.backend import MemoryBackend
from revox_mcp.domain import evidence
from revox_mcp.domain.personal import (
    CALL_ENUM_VALUES,
    MASKED_TEXT,
    TextMask,
    identifying,
    initials,
    mask_call,
    mask_email,
    mask_phone,
    mask_value,
)
from revox_mcp.settings import ConfigError, load_settings

# --------------------------------------------------------------------------- the masks


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+33612345678", "+33***78"),
        ("+14155550100", "+1***00"),
        ("+447700900123", "+44***23"),
        ("+8613812345678", "+86***78"),
        ("+971501234567", "+971***67"),
        ("+33 6 12 34 56 78", "+33***78"),
        ("06 12 34 56 78", "***78"),
        ("12", "***"),
    ],
)
def test_a_phone_number_keeps_its_country_code_and_last_two_digits(number: str, masked: str):
    assert mask_phone(number) == masked


def test_an_email_keeps_its_first_letter_and_domain():
    assert mask_email("jeanne.dupont@example.org") == "j***@example.org"
    assert mask_email("not an email") == MASKED_TEXT


def test_names_become_initials():
    assert initials("Jean-Pierre Dupont") == "J.-P. D."
    assert initials("élodie") == "É."


def test_masked_values_keep_keys_types_list_lengths_and_emptiness():
    value = {"a": "", "b": None, "c": [1, "x"], "d": {"e": True}, "f": "  "}
    assert mask_value(value) == {
        "a": "",
        "b": None,
        "c": ["[masked number]", "[masked text]"],
        "d": {"e": "[masked boolean]"},
        "f": "  ",
    }


def test_free_text_loses_phone_numbers_emails_and_known_values_but_keeps_dates_and_words():
    mask = TextMask(["Jeanne Dupont", "Al"])
    text = "Jeanne Dupont (06 12 34 56 78, +33 6 12 34 56 78, j.d@x.org) on 2026-02-10 or 14/03/2026 with Alice."
    masked = mask(text)
    assert masked == "[masked] (***78, +33***78, j***@x.org) on 2026-02-10 or 14/03/2026 with Alice."


def test_a_call_is_masked_by_direction_and_its_configuration_is_left_alone():
    outbound = mask_call(CALLS[0])
    inbound = mask_call(CALLS[5])
    assert outbound["from_phone_number"] == "+33912345678"  # the organisation's number
    assert outbound["to_phone_number"] == "+33***78"
    assert inbound["from_phone_number"] == "+1***66"  # the caller's
    assert inbound["to_phone_number"] == "+14155550100"  # the organisation's line
    assert outbound["assistant"] == CALLS[0]["assistant"]
    assert outbound["contact"] == {
        "first_name": "J.",
        "last_name": "D.",
        "email": "j***@example.org",
        "company": MASKED_TEXT,
        "job_title": MASKED_TEXT,
    }
    assert set(outbound["prompt_variables"]) == set(CALLS[0]["prompt_variables"])
    assert outbound["call_attempts"][0]["structured_output"]["confirmation_status"] == ""
    for word in PERSONAL:
        assert word not in str({k: v for k, v in outbound.items() if k != "assistant"}), word


def test_a_crm_value_equal_to_an_enum_word_masks_no_fact_and_changes_no_count():
    """Issue 16 item 1: metadata {"lead_source": "outbound"} once turned direction into [masked]."""
    calls = []
    for index, outcome in enumerate(["interested", "interested", "not_interested"]):
        call = {
            "id": f"c{index}",
            "direction": "outbound",
            "status": "completed",
            "outcome": outcome,
            "metadata": {"lead_source": "outbound", "lead_status": "Interested", "contact_name": "completed"},
            "prompt_variables": {"customer_name": "Human"},
            "contact": {"first_name": "Interested", "last_name": "Outbound"},
            "outcome_summary": "Interested in the outbound offer; the call completed with a human.",
            "call_attempts": [
                {
                    "status": "completed",
                    "result": "human",
                    "end_reason": "user_rejected",
                    "transcript": [{"role": "tool", "tool_name": "Interested", "content": "ok", "tool_is_error": True}],
                }
            ],
        }
        calls.append(call)
    masked = [mask_call(call) for call in calls]
    for before, after in zip(calls, masked, strict=True):
        assert {key: after[key] for key in ("direction", "status", "outcome")} == {
            key: before[key] for key in ("direction", "status", "outcome")
        }
        assert after["call_attempts"][0]["result"] == "human"
        assert after["call_attempts"][0]["transcript"][0]["tool_name"] == "Interested"
        assert after["outcome_summary"] == before["outcome_summary"]  # enum words are never looked for
        assert after["metadata"] == {
            "lead_source": MASKED_TEXT,
            "lead_status": MASKED_TEXT,
            "contact_name": MASKED_TEXT,
        }
        assert after["contact"] == {"first_name": "I.", "last_name": "O."}
    sent = evidence.aggregate([evidence.facts_of(call) for call in calls])
    assert evidence.aggregate([evidence.facts_of(call) for call in masked]) == sent
    assert sent.outcome == {"interested": 2, "not_interested": 1}


def test_an_id_with_eight_digits_in_a_row_is_never_masked_in_its_field_or_in_text():
    """Issue 16 item 2: 927e7977-3859-4943-a057-e25487cc2424 came back as 927e7977-***43-a057-..."""
    ident = "927e7977-3859-4943-a057-e25487cc2424"
    call = {
        "id": ident,
        "direction": "outbound",
        "slack_channel_ids": ["C012345678"],
        "outcome_summary": f"Node {ident} (see /calls/12345678901 and v1.20260211) then 06 12 34 56 78.",
        "call_attempts": [{"id": ident, "assistants_used": [ident, "12345678901234"], "phone_number": "+33612345678"}],
    }
    masked = mask_call(call)
    assert masked["id"] == ident
    assert masked["slack_channel_ids"] == ["C012345678"]
    assert masked["call_attempts"][0]["assistants_used"] == [ident, "12345678901234"]
    assert masked["call_attempts"][0]["id"] == ident
    assert masked["call_attempts"][0]["phone_number"] == "+33***78"
    assert masked["outcome_summary"] == f"Node {ident} (see /calls/12345678901 and v1.20260211) then ***78."


def test_a_contacts_name_said_in_text_is_masked_but_words_and_fields_that_are_not_text_are_not():
    call = {
        "contact": {"first_name": "Jeanne", "last_name": "Dupont", "company": "Acme 12345678", "job_title": "manager"},
        "metadata": {"lead_owner": "manager", "city": "Lyon"},
        "outcome_summary": "Jeanne DUPONT of Acme 12345678 asked for a manager in Lyon.",
        "call_attempts": [{"transcript": [{"role": "user", "content": "C'est Jeanne.", "tool_name": "Jeanne"}]}],
    }
    masked = mask_call(call)
    assert masked["outcome_summary"] == "[masked] of [masked] asked for a manager in [masked]."
    assert masked["call_attempts"][0]["transcript"][0] == {
        "role": "user",
        "content": "C'est [masked].",
        "tool_name": "Jeanne",
    }


@pytest.mark.parametrize(
    ("value", "looked_for"),
    [
        ("Jeanne", True),
        ("Jean Dupont", True),
        ("CRM-778899", True),
        ("778899", True),
        ("Al", False),  # too short
        ("outbound", False),  # a lower-case word: vocabulary
        ("élodie", False),
        ("Élodie", True),
        ("Outbound", False),  # an enum word, any case
        ("USER_REJECTED", False),
        ("Speed Dial Timeout", False),
        ("2026", False),  # a small number
        ("927e7977-3859-4943-a057-e25487cc2424", False),  # an id
    ],
)
def test_only_values_that_can_identify_someone_are_looked_for_in_text(value: str, looked_for: bool):
    assert identifying(value) is looked_for


def test_a_value_equal_to_one_of_the_calls_own_facts_is_not_looked_for():
    assert identifying("Scheduled Later", facts=["scheduled later"]) is False
    assert identifying("Scheduled Later") is True


def test_the_enum_words_are_those_of_the_sdk():
    from sdk_shapes import CALL_ENUM_WORDS  # held to the installed SDK by test_sdk_shapes

    assert set(CALL_ENUM_VALUES) == set(CALL_ENUM_WORDS)


# --------------------------------------------------------------------------- through the server, both modes

ARGUMENTS: list[tuple[str, dict[str, Any]]] = [
    ("list_calls", {}),
    ("list_calls", {"query": "Jeanne"}),
    ("get_call", {"call_id": PII_CALL}),
    ("get_call", {"call_id": PII_CALL, "detail": "transcript"}),
    ("get_call", {"call_id": PII_CALL, "detail": "full"}),
    ("get_call", {"call_id": PII_CALL, "fields": ["llm_system_prompt"]}),
    ("get_call", {"call_id": PII_CALL, "fields": ["speech_events", "sms_log", "email_log", "contact"]}),
    ("get_call", {"call_id": CALLS[5]["id"], "detail": "full"}),
    ("analyze_calls", {"assistant_id": REMINDERS_ID}),
]


@pytest.mark.anyio
async def test_mask_mode_shows_no_personal_data_in_any_call_tool_and_detail():
    async with Client(server_with_calls()) as client:
        for tool, arguments in ARGUMENTS:
            result = await client.call_tool(tool, arguments)
            assert_ok(result)
            output = all_output(result).replace('query="Jeanne"', "")  # the caller's own words, echoed
            for word in PERSONAL:
                assert word not in output, (tool, arguments, word)


@pytest.mark.anyio
async def test_show_mode_shows_personal_data_and_still_no_credential():
    async with Client(server_with_calls(personal_data="show")) as client:
        transcript = await client.call_tool("get_call", {"call_id": PII_CALL, "detail": "transcript"})
        full = await client.call_tool("get_call", {"call_id": PII_CALL, "detail": "full"})
    assert_ok(transcript)
    assert_ok(full)
    assert "Jeanne Dupont" in all_output(transcript)
    assert "jeanne.dupont@example.org" in all_output(full)
    assert "CRM-778899" in all_output(full)


@pytest.mark.anyio
async def test_a_shared_cache_never_hands_one_modes_data_to_the_other():
    backend = MemoryBackend()
    arguments = {"call_id": PII_CALL, "detail": "full"}
    async with Client(server_with_calls(personal_data="show", backend=lambda: backend)) as client:
        shown = await client.call_tool("get_call", arguments)
    async with Client(server_with_calls(personal_data="mask", backend=lambda: backend)) as client:
        masked = await client.call_tool("get_call", arguments)
        listed = await client.call_tool("list_calls", {})
    assert "Jeanne" in all_output(shown)
    for result in (masked, listed):
        assert_clean(all_output(result), *PERSONAL)


# --------------------------------------------------------------------------- the setting


def test_personal_data_is_masked_unless_the_variable_says_show():
    assert load_settings({"REVOX_API_KEY": "k"}).personal_data == "mask"
    assert load_settings({"REVOX_API_KEY": "k", "REVOX_MCP_PERSONAL_DATA": " Show "}).personal_data == "show"
    assert load_settings({"REVOX_MCP_PERSONAL_DATA": "show"}, demo=True).personal_data == "show"


def test_a_bad_personal_data_value_names_the_variable():
    with pytest.raises(ConfigError, match="REVOX_MCP_PERSONAL_DATA"):
        load_settings({"REVOX_API_KEY": "k", "REVOX_MCP_PERSONAL_DATA": "hide"})
