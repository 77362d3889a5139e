"""Checks of an assistant against the account (phone numbers, voices, campaigns): rules and used-by."""

from __future__ import annotations

from typing import Any

import pytest
from answers_support import unshown_fields
from calls_support import CALL_FIXTURES, REMINDERS_ID
from support import BY_ID, FRENCH_ID, LONG_PROMPT_ID

from revox_mcp.domain.diagnostics.account import ACCOUNT_RULES, check_account, guess_language, used_by
from revox_mcp.domain.named_fields import states_value
from revox_mcp.domain.render.diagnosis import finding_line, used_by_lines

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
    assert view.inbound_numbers is not None
    [line] = view.inbound_numbers
    assert (line.phone_number, line.label, line.provider, line.source, line.type) == (
        "+14155550100",
        "Support line",
        "telnyx",
        "revox_purchased",
        "owned_number",
    )
    assert view.campaigns_total == 0
    reminders = used_by(REMINDERS_ID, NUMBERS, CAMPAIGNS)
    assert reminders.campaigns is not None
    assert reminders.campaigns[0].status == "running"
    assert reminders.campaigns[0].rows is not None
    assert reminders.campaigns[0].rows["failed"] == 19


TROUBLESHOOTING_CAMPAIGN = {
    **CAMPAIGNS[0],
    "from_phone_number": "+33912345678",
    "max_concurrent_calls": 5,
    "scheduled_at": "2026-02-03T08:00:00.000Z",
    "call_retry_config": {
        "allowed_days": ["monday", "friday"],
        "call_twice_in_a_row": False,
        "calling_windows": [
            {"calling_window_start_time": "10:00", "calling_window_end_time": "18:00", "retry_delay_seconds": 7200}
        ],
        "max_retry_attempts": 3,
        "timezone": "Europe/Paris",
    },
}


def test_used_by_shows_what_decides_how_campaigns_call_and_the_numbers_they_call_from():
    """Issue 16: campaigns' from_phone_number, max_concurrent_calls, retry windows and scheduled_at, and
    phone numbers' provider, source and type, appeared in no answer."""
    view = used_by(REMINDERS_ID, NUMBERS, [TROUBLESHOOTING_CAMPAIGN], sender="+1 415 555 0100")
    assert view.campaigns is not None
    [campaign] = view.campaigns
    assert (campaign.from_phone_number, campaign.max_concurrent_calls) == ("+33912345678", 5)
    assert campaign.scheduled_at == "2026-02-03T08:00:00.000Z"
    assert campaign.call_retry_config is not None
    assert campaign.call_retry_config.windows == ["10:00-18:00 (7200s)"]
    assert (campaign.call_retry_config.max_retry_attempts, campaign.call_retry_config.timezone) == (3, "Europe/Paris")
    assert view.from_numbers is not None
    assert [(n.phone_number, n.provider, n.source, n.type) for n in view.from_numbers] == [
        ("+14155550100", "telnyx", "revox_purchased", "owned_number"),  # the assistant's own
        ("+33912345678", "twilio", "user_imported", "verified_caller_id"),  # the campaign's
    ]
    lines = "\n".join(used_by_lines(view))
    for shown in (
        "from_phone_number +33912345678",
        "max_concurrent_calls 5",
        "scheduled_at 2026-02-03T08:00:00.000Z",
        "calling_windows 10:00-18:00 (7200s)",
        "max_retry_attempts 3",
        "+33912345678 (FR caller id; twilio, user_imported, verified_caller_id)",
    ):
        assert shown in lines


def test_a_number_calls_go_out_from_that_the_account_lacks_says_so():
    view = used_by(REMINDERS_ID, NUMBERS, CAMPAIGNS, sender="+33100000000")
    assert view.from_numbers is not None
    [number] = view.from_numbers
    assert number.on_account is False
    assert "+33100000000 (not one of the account's numbers)" in "\n".join(used_by_lines(view))


FRENCH = "Bonjour, vous êtes Lucie. Appelez le client et demandez-lui s'il est satisfait du service, et pour quoi."
# One trigger per account rule: the assistant, then the phone numbers and voices it is checked against.
ACCOUNT_CASES: dict[str, dict[str, Any]] = {
    "xcheck.from_number_not_owned": assistant(from_phone_number="+33100000000"),
    "xcheck.from_number_caller_id": assistant(from_phone_number="+33 9 12 34 56 78"),
    "xcheck.voice_not_found": assistant(voice={"id": "nope", "provider": "cartesia"}),
    "xcheck.voice_language": assistant(prompt=FRENCH),
    "xcheck.voice_model": assistant(
        voice={"id": "f9836c6e-a0bd-460e-9d3c-f7299fa60f94", "provider": "cartesia", "model": "sonic-3.5"}
    ),
    "xcheck.lookup_without_inbound": assistant(precall_lookup_url="https://x.example/{{phone}}"),
}


def test_every_account_rule_has_a_trigger():
    assert sorted(ACCOUNT_CASES) == sorted(ACCOUNT_RULES)


@pytest.mark.parametrize("rule", sorted(ACCOUNT_CASES))
def test_every_field_an_account_fix_names_is_shown_with_its_current_value(rule: str):
    config = ACCOUNT_CASES[rule]
    found = check_account(config, NUMBERS, VOICES, CAMPAIGNS).findings
    assert rule in {f.rule for f in found}
    for finding in found:
        spec = ACCOUNT_RULES[finding.rule]
        missing = unshown_fields(
            finding.fix,
            finding.path,
            finding.related,
            finding_line(finding),
            config,
            base_shown=states_value(spec.message),
            names_base="{path}" in spec.fix,
        )
        assert missing == [], finding
