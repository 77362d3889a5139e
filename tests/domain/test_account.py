"""Checks of an assistant against the account (phone numbers, voices, campaigns): rules and used-by."""

from __future__ import annotations

from typing import Any

import pytest
from calls_support import CALL_FIXTURES, REMINDERS_ID
from support import BY_ID, FRENCH_ID, LONG_PROMPT_ID

from revox_mcp.domain.diagnostics.account import check_account, guess_language, used_by

NUMBERS: list[dict[str, Any]] = CALL_FIXTURES["phone_numbers"]
VOICES: list[dict[str, Any]] = CALL_FIXTURES["voices"]
CAMPAIGNS: list[dict[str, Any]] = CALL_FIXTURES["campaigns"]


def rules(config: dict[str, Any], numbers: Any = NUMBERS, voices: Any = VOICES) -> dict[str, str]:
    return {f.rule: f.severity for f in check_account(config, numbers, voices, CAMPAIGNS).findings}


def assistant(**changes: Any) -> dict[str, Any]:
    base = {
        "id": "a1",
        "prompt": "You are Lucy. Call the customer and ask if they are happy with the service, and thank them.",
        "from_phone_number": None,
        "voice": {"id": "a167e0f3-df7e-4d52-a9c3-f949145efdab", "provider": "cartesia"},
        "llm_model": {"type": "dedicated-instance", "name": "gpt-4.1"},
    }
    return {**base, **changes}


def test_a_consistent_assistant_raises_nothing():
    assert rules(assistant()) == {}


def test_a_from_number_the_account_does_not_have_is_an_error():
    assert rules(assistant(from_phone_number="+33100000000")) == {"xcheck.from_number_not_owned": "error"}


def test_a_from_number_that_is_only_a_verified_caller_id_is_a_warning():
    assert rules(assistant(from_phone_number="+33 9 12 34 56 78")) == {"xcheck.from_number_caller_id": "warning"}


def test_an_owned_from_number_is_quiet():
    assert rules(assistant(from_phone_number="+14155550100")) == {}


def test_a_voice_missing_from_the_catalogue_of_its_provider_is_an_error():
    wrong_provider = {"id": "a167e0f3-df7e-4d52-a9c3-f949145efdab", "provider": "elevenlabs"}
    assert rules(assistant(voice=wrong_provider)) == {"xcheck.voice_not_found": "error"}
    assert rules(assistant(voice={"id": "nope", "provider": "cartesia"})) == {"xcheck.voice_not_found": "error"}


def test_a_voice_speaking_another_language_than_the_prompt_is_a_warning():
    french = "Bonjour, vous êtes Lucie. Appelez le client et demandez-lui s'il est satisfait du service, et pour quoi."
    assert rules(assistant(prompt=french)) == {"xcheck.voice_language": "warning"}


def test_a_cartesia_model_the_voice_does_not_support_is_an_error():
    nova = {"id": "f9836c6e-a0bd-460e-9d3c-f7299fa60f94", "provider": "cartesia"}
    assert rules(assistant(voice={**nova, "model": "sonic-3.5"})) == {"xcheck.voice_model": "error"}
    assert rules(assistant(voice={**nova, "model": "sonic-3"})) == {}
    katie = {"id": "a167e0f3-df7e-4d52-a9c3-f949145efdab", "provider": "cartesia", "model": "sonic-3.5"}
    assert rules(assistant(voice=katie)) == {}  # no modelCompat: universal


@pytest.mark.parametrize(
    "voice",
    [
        {"id": "nope", "provider": "cartesia"},  # not in the catalogue
        {"id": "f9836c6e-a0bd-460e-9d3c-f7299fa60f94", "provider": "cartesia", "model": "sonic-3.5"},  # model
        {"id": "a167e0f3-df7e-4d52-a9c3-f949145efdab", "provider": "cartesia"},  # language (French prompt)
    ],
)
def test_a_realtime_model_speaks_with_its_own_voice_so_the_tts_voice_is_not_checked(voice: dict[str, Any]):
    french = "Bonjour, vous êtes Lucie. Appelez le client et demandez-lui s'il est satisfait du service, et pour quoi."
    assert rules(assistant(voice=voice, prompt=french))  # a TTS assistant with this voice gets a finding
    realtime = {"type": "realtime", "provider": "openai", "realtime_model_id": "gpt-realtime"}
    assert rules(assistant(llm_model=realtime, voice=voice, prompt=french)) == {}


def test_a_precall_lookup_without_an_inbound_number_is_a_warning():
    assert rules(assistant(precall_lookup_url="https://x.example/{{phone}}")) == {
        "xcheck.lookup_without_inbound": "warning"
    }
    support_line = {**assistant(id="2b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b63"), "precall_lookup_url": "https://x/{{phone}}"}
    assert rules(support_line) == {}


def test_an_endpoint_not_read_skips_its_rules():
    assert check_account(assistant(from_phone_number="+1"), None, None, None).findings == []
    assert rules(assistant(voice={"id": "nope", "provider": "cartesia"}), voices=[]) == {}  # empty catalogue


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (BY_ID[FRENCH_ID]["prompt"], "fr"),
        (BY_ID[LONG_PROMPT_ID]["prompt"], "en"),
        ("Hola, usted tiene una cita con el médico. Los resultados están listos y se los enviamos por correo.", "es"),
        ("Hallo, Sie haben einen Termin und wir rufen an, weil die Praxis das mit Ihnen besprechen möchte.", "de"),
        (
            "Здравствуйте, вы записаны на прием к врачу завтра утром, пожалуйста подтвердите запись сейчас.",
            "ru",
        ),
        (
            "您好，您明天上午有一个预约，请确认您是否能够按时到达诊所，谢谢您的配合和理解，祝您生活愉快。我们会再次联系您确认预约时间。",
            "zh",
        ),
        ("Ok.", None),
        ("", None),
    ],
)
def test_the_prompt_language_is_guessed_from_frequent_words(text: str, language: str | None):
    assert guess_language(text) == language


def test_used_by_lists_inbound_numbers_and_campaigns_with_their_stats():
    view = used_by("2b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b63", NUMBERS, CAMPAIGNS)
    assert view.inbound_numbers == ["+14155550100 (Support line)"]
    assert view.campaigns_total == 0
    reminders = used_by(REMINDERS_ID, NUMBERS, CAMPAIGNS)
    assert reminders.campaigns is not None
    assert reminders.campaigns[0].status == "running"
    assert reminders.campaigns[0].rows is not None
    assert reminders.campaigns[0].rows["failed"] == 19
