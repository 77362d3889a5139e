"""Personal data in calls: masked at ingest by default, shown on request; credentials redacted in both modes."""

from __future__ import annotations

from typing import Any

import pytest
from calls_support import CALLS, PERSONAL, PII_CALL, REMINDERS_ID, all_output, server_with_calls
from mcp import Client
from support import assert_clean, assert_ok

from revox_mcp.cache.backend import MemoryBackend
from revox_mcp.domain.personal import MASKED_TEXT, TextMask, initials, mask_call, mask_email, mask_phone, mask_value
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
