"""The diagnostics engine: each rule fires on a minimal trigger and stays quiet on a near miss."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from answers_support import unshown_fields
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import examples

from revox_mcp.domain import diagnostics
from revox_mcp.domain.diagnostics import RULES, Diagnosis, diagnose, reference
from revox_mcp.domain.facts import REALTIME_UNUSED, within
from revox_mcp.domain.named_fields import states_value, value_at
from revox_mcp.domain.redaction import REDACTED, redact
from revox_mcp.domain.render.diagnosis import finding_line
from revox_mcp.domain.rules import SAYS_UNUSED

FIXTURES = json.loads((Path(__file__).parents[1] / "fixtures_assistants.json").read_text(encoding="utf-8"))
BY_KEY: dict[str, dict[str, Any]] = {FIXTURES["fixture_index"][a["id"]]["key"]: a for a in FIXTURES["assistants"]}
INDEX: dict[str, dict[str, Any]] = {entry["key"]: entry for entry in FIXTURES["fixture_index"].values()}
BASE = BY_KEY["baseline_dedicated_gpt41_cartesia"]

DELETE = object()


@dataclass(frozen=True)
class Whole:
    """A whole input for diagnose(), instead of a patch of the baseline."""

    value: Any


def patched(patch: dict[str, Any]) -> dict[str, Any]:
    """The baseline with dotted-path patches ("voice.speed", "custom_tools.0.name") applied."""
    assistant = copy.deepcopy(BASE)
    for dotted, value in patch.items():
        *parents, last = dotted.split(".")
        target: Any = assistant
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if value is DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return assistant


def build(spec: dict[str, Any] | Whole) -> Any:
    return spec.value if isinstance(spec, Whole) else patched(spec)


def rules_of(diagnosis: Diagnosis) -> set[str]:
    return {finding.rule for finding in diagnosis.findings}


class ExplodingMapping(Mapping[str, Any]):
    """A read-only mapping whose lookups of one key raise: stands in for a bug inside one check."""

    def __init__(self, data: Mapping[str, Any], bad_key: str) -> None:
        self._data = data
        self._bad_key = bad_key

    def __getitem__(self, key: str) -> Any:
        if key == self._bad_key:
            raise RuntimeError("FAKE-secret-in-exception")
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


SECRET_TOOL: dict[str, Any] = {
    "name": "lookup_order",
    "description": "Fetch an order by its number.",
    "method": "POST",
    "url": "https://api.example.test/orders",
    "headers": [{"key": "Authorization", "value": "Bearer FAKE-tool-token"}],
    "query_params": [{"key": "expand", "value": "items"}],
    "body_template": '{"order": "{{order_id}}", "caller": "{{user_phone_number}}"}',
    "input_schema": [{"name": "order_id", "required": True, "type": "string"}],
}


def tool(**changes: Any) -> dict[str, Any]:
    return {**SECRET_TOOL, **changes}


ELEVENLABS = {"id": "21m00Tcm4TlvDq8ikWAM", "provider": "elevenlabs"}
REALTIME = {"type": "realtime", "provider": "openai", "realtime_model_id": "gpt-realtime", "realtime_voice_id": "marin"}
SALES = {"label": "Sales", "phone_number": "+14155550123"}
BILLING = {"label": "Billing", "phone_number": "+14155550124"}
SLACK = {"connection_id": "nango-slack-1", "channels": [{"id": "C1", "name": None}], "outcomes": ["interested"]}
WINDOW0 = "call_retry_config.calling_windows.0"
NO_VARIABLES = {"prompt": "Be brief.", "first_sentence": "Hello.", "voicemail_message": None}

# rule, severity, patch that triggers it, near-miss patch that must not.
CASES: list[tuple[str, str, dict[str, Any] | Whole, dict[str, Any] | Whole]] = [
    ("schema.not_an_object", "error", Whole([BASE]), {}),
    ("schema.missing_keys", "info", {"stt_model": DELETE}, {"faq_items": DELETE}),
    ("schema.unknown_keys", "info", {"some_future_field": {"token": "FAKE-1"}}, {"is_inbound_receptionist": True}),
    ("schema.legacy_field", "info", {"transfer_phone_number": "+14155550199"}, {"transfer_destinations": [SALES]}),
    ("schema.wrong_type", "warning", {"voice": "cartesia"}, {"voice": None}),
    ("schema.null_value", "warning", {"prompt": None}, {"webhook_url": None}),
    (
        "schema.too_many_items",
        "info",
        {"faq_items": [BASE["faq_items"][0]] * 201},
        {"faq_items": [BASE["faq_items"][0]] * 200},
    ),
    ("diagnose.check_failed", "info", Whole(ExplodingMapping(BASE, "voice")), Whole(MappingProxyType(BASE))),
    ("range.background_sound_volume", "error", {"background_sound_volume": 1.5}, {"background_sound_volume": 1}),
    (
        "range.thinking_sound_probability",
        "error",
        {"thinking_sound_probability": 1.4},
        {"thinking_sound_probability": 1.0},
    ),
    ("range.thinking_sound_volume", "error", {"thinking_sound_volume": -0.1}, {"thinking_sound_volume": 0}),
    ("range.voice.speed", "error", {"voice.speed": 1.6}, {"voice.speed": 1.5}),
    ("range.voice.volume", "error", {"voice.volume": 2.5}, {"voice.volume": 2.0}),
    (
        "range.retry_delay_seconds",
        "error",
        {f"{WINDOW0}.retry_delay_seconds": -1},
        {f"{WINDOW0}.retry_delay_seconds": 60},
    ),
    (
        "range.max_retry_attempts",
        "error",
        {"call_retry_config.max_retry_attempts": 0},
        {"call_retry_config.max_retry_attempts": 1},
    ),
    ("range.max_call_duration_secs", "error", {"max_call_duration_secs": 0}, {"max_call_duration_secs": 600}),
    (
        "length.max_duration_end_message",
        "error",
        {"max_duration_end_message": "x" * 151},
        {"max_duration_end_message": "x" * 150},
    ),
    ("enum.unknown_value", "warning", {"thinking_sound": "rain.ogg"}, {"thinking_sound": "hold_music.ogg"}),
    (
        "enum.legacy_value",
        "warning",
        {"email_notification_outcomes": ["do_not_contact"]},
        {"email_notification_outcomes": ["none"]},
    ),
    ("voice.id.empty", "error", {"voice.id": " "}, {"voice.id": "a167e0f3"}),
    (
        "voice.provider_unknown_to_old_docs",
        "info",
        {"voice": {"id": "YTpq7expH9539ERJ", "provider": "gradium"}},
        {"voice": ELEVENLABS},
    ),
    (
        "voice.speed.provider_range",
        "warning",
        {"voice": {**ELEVENLABS, "speed": 1.4}},
        {"voice": {**ELEVENLABS, "speed": 1.2}},
    ),
    ("voice.volume.cartesia_only", "info", {"voice": {**ELEVENLABS, "volume": 1.0}}, {"voice": ELEVENLABS}),
    ("voice.model.cartesia_only", "info", {"voice": {**ELEVENLABS, "model": "sonic-3"}}, {"voice.model": "sonic-3.5"}),
    (
        "voice.cartesia_dictionary_unused",
        "info",
        {"cartesia_dictionary_pronunciation_id": "pdict_1", "voice": ELEVENLABS},
        {"cartesia_dictionary_pronunciation_id": "pdict_1"},
    ),
    (
        "llm.field_empty",
        "error",
        {"llm_model": {"type": "openrouter", "openrouter_model_id": "", "openrouter_provider": "azure"}},
        {"llm_model": {"type": "openrouter", "openrouter_model_id": "openai/gpt-4.1", "openrouter_provider": "azure"}},
    ),
    ("llm.realtime.voice_unused", "info", {"llm_model": REALTIME}, {"llm_model": REALTIME, "voice": None}),
    ("first_sentence_delay.negative", "warning", {"first_sentence_delay_ms": -1}, {"first_sentence_delay_ms": 0}),
    ("first_sentence.static_empty", "error", {"first_sentence": "  "}, {"first_sentence": "Hello."}),
    (
        "first_sentence.generated_empty",
        "info",
        {"first_sentence_mode": "generated", "first_sentence": None},
        {"first_sentence_mode": "generated"},
    ),
    (
        "first_sentence.ignored",
        "info",
        {"first_sentence_mode": "none"},
        {"first_sentence_mode": "none", "first_sentence": None},
    ),
    ("retry.defaults", "info", {"call_retry_config": None}, {}),
    ("retry.legacy_shape", "info", {"call_retry_config.allowed_days": DELETE}, {}),
    (
        "retry.window.time_format",
        "error",
        {f"{WINDOW0}.calling_window_start_time": "9h"},
        {f"{WINDOW0}.calling_window_start_time": "9am"},
    ),
    (
        "retry.window.end_before_start",
        "error",
        {f"{WINDOW0}.calling_window_end_time": "09:00"},
        {f"{WINDOW0}.calling_window_end_time": "12:30pm"},
    ),
    (
        "retry.window.overlap",
        "warning",
        {"call_retry_config.calling_windows.1.calling_window_start_time": "11:00"},
        {"call_retry_config.calling_windows.1.calling_window_start_time": "12:00"},
    ),
    ("retry.windows.empty", "warning", {"call_retry_config.calling_windows": []}, {}),
    (
        "retry.allowed_days.empty",
        "error",
        {"call_retry_config.allowed_days": []},
        {"call_retry_config.allowed_days": ["sunday"]},
    ),
    ("retry.delay.zero", "info", {f"{WINDOW0}.retry_delay_seconds": 0}, {f"{WINDOW0}.retry_delay_seconds": 1}),
    (
        "retry.twice_in_a_row.noop",
        "warning",
        {"call_retry_config.call_twice_in_a_row": True, "call_retry_config.max_retry_attempts": 1},
        {"call_retry_config.call_twice_in_a_row": True, "call_retry_config.max_retry_attempts": 2},
    ),
    (
        "retry.timezone.iana",
        "warning",
        {"call_retry_config.timezone": "Paris"},
        {"call_retry_config.timezone": "Europe/Paris"},
    ),
    ("custom_tool.name_empty", "error", {"custom_tools": [tool(name="")]}, {"custom_tools": [tool()]}),
    (
        "custom_tool.name_snake_case",
        "warning",
        {"custom_tools": [tool(name="Book-Slot")]},
        {"custom_tools": [tool(name="book_slot")]},
    ),
    (
        "custom_tool.duplicate_name",
        "error",
        {"custom_tools": [tool(), tool()]},
        {"custom_tools": [tool(), tool(name="other")]},
    ),
    ("custom_tool.description_empty", "warning", {"custom_tools": [tool(description="")]}, {"custom_tools": [tool()]}),
    (
        "custom_tool.empty_key",
        "error",
        {"custom_tools": [tool(headers=[{"key": "", "value": "FAKE-2"}])]},
        {"custom_tools": [tool(headers=[{"key": "X-Api-Key", "value": "FAKE-2"}])]},
    ),
    (
        "custom_tool.input_name_empty",
        "error",
        {"custom_tools": [tool(input_schema=[{"name": "", "required": True, "type": "string"}])]},
        {"custom_tools": [tool()]},
    ),
    (
        "custom_tool.duplicate_input_name",
        "warning",
        {"custom_tools": [tool(input_schema=[{"name": "a", "type": "string"}, {"name": "a", "type": "date"}])]},
        {"custom_tools": [tool(input_schema=[{"name": "a", "type": "string"}, {"name": "b", "type": "date"}])]},
    ),
    (
        "custom_tool.enum_without_options",
        "warning",
        {"custom_tools": [tool(input_schema=[{"name": "p", "type": "enum", "enum_options": []}])]},
        {"custom_tools": [tool(input_schema=[{"name": "p", "type": "enum", "enum_options": ["low"]}])]},
    ),
    (
        "custom_tool.body_template_invalid_json",
        "warning",
        {"custom_tools": [tool(body_template='{"key": "FAKE-3", "order": "{{order_id}}"')]},
        {"custom_tools": [tool(body_template='{"key": "FAKE-3", "order": "{{order_id}}"}')]},
    ),
    (
        "custom_tool.body_template_placeholder_unquoted",
        "warning",
        {"custom_tools": [tool(body_template='{"key": "FAKE-4", "order": {{ order_id }}}')]},
        {"custom_tools": [tool(body_template='{"key": "FAKE-4", "order": "id {{ order_id }}"}')]},
    ),
    (
        "structured_output.name_empty",
        "error",
        {"structured_output_config.3.name": ""},
        {"structured_output_config.3.name": "remarks"},
    ),
    ("structured_output.enum_without_options", "warning", {"structured_output_config.0.enum_options": DELETE}, {}),
    ("structured_output.duplicate_name", "warning", {"structured_output_config.3.name": "budget_range"}, {}),
    (
        "structured_output.prompt_unknown_variable",
        "info",
        {"structured_output_prompt": "Read {{transcript}} and {{crm_id}}."},
        {"structured_output_prompt": "Read {{transcript}} ({{ call_direction }})."},
    ),
    (
        "email.format",
        "warning",
        {"email_notification_address": "sales@"},
        {"email_notification_address": "a@b.test, c@d.test"},
    ),
    (
        "email.outcomes_without_address",
        "warning",
        {"email_notification_address": None},
        {"email_notification_address": None, "email_notification_outcomes": None},
    ),
    ("email.address_without_outcomes", "warning", {"email_notification_outcomes": []}, {}),
    ("sms.template_but_disabled", "warning", {"sms_template": "Hi"}, {"sms_template": "Hi", "sms_enabled": True}),
    (
        "sms.after_call_no_outcomes",
        "warning",
        {"after_call_sms_prompt": "Thank them."},
        {"after_call_sms_prompt": "Thank them.", "after_call_sms_outcomes": ["interested"]},
    ),
    (
        "sms.after_call_no_prompt",
        "warning",
        {"after_call_sms_outcomes": ["interested"]},
        {"after_call_sms_prompt": "Thank them.", "after_call_sms_outcomes": ["interested"]},
    ),
    (
        "voicemail.no_message_but_sms",
        "info",
        {"voicemail_message": None, "voicemail_sms_prompt": "Say we called."},
        {"voicemail_sms_prompt": "Say we called."},
    ),
    (
        "transfer.mode_without_destinations",
        "warning",
        {"human_transfer_mode": "cold"},
        {"human_transfer_mode": "cold", "transfer_destinations": [SALES]},
    ),
    (
        "transfer.destinations_without_mode",
        "warning",
        {"transfer_destinations": [SALES]},
        {"transfer_destinations": [SALES], "human_transfer_mode": "cold"},
    ),
    (
        "transfer.warm_summary_without_warm",
        "info",
        {
            "warm_transfer_summary_instructions": "Summarise.",
            "human_transfer_mode": "cold",
            "transfer_destinations": [SALES],
        },
        {
            "warm_transfer_summary_instructions": "Summarise.",
            "human_transfer_mode": "warm",
            "transfer_destinations": [SALES],
        },
    ),
    (
        "transfer.labels_not_in_prompt",
        "warning",
        {"human_transfer_mode": "cold", "transfer_destinations": [SALES, BILLING]},
        {
            "human_transfer_mode": "cold",
            "transfer_destinations": [SALES, BILLING],
            "prompt": "Send invoices to BILLING.",
        },
    ),
    (
        "transfer.label_empty",
        "warning",
        {"human_transfer_mode": "cold", "transfer_destinations": [{**SALES, "label": ""}]},
        {"human_transfer_mode": "cold", "transfer_destinations": [SALES]},
    ),
    (
        "transfer.duplicate_label",
        "warning",
        {"human_transfer_mode": "cold", "transfer_destinations": [SALES, {**BILLING, "label": "sales"}]},
        {"human_transfer_mode": "cold", "transfer_destinations": [SALES, BILLING]},
    ),
    ("phone.e164", "error", {"from_phone_number": "06 12 34 56 78"}, {"from_phone_number": "+33612345678"}),
    ("url.invalid", "error", {"webhook_url": "hooks.example.test/x"}, {"webhook_url": "https://hooks.example.test/x"}),
    (
        "precall.missing_phone_placeholder",
        "error",
        {"precall_lookup_url": "https://crm.example.test/lookup?key=FAKE-5"},
        {"precall_lookup_url": "https://crm.example.test/lookup?phone={{ phone }}"},
    ),
    (
        "precall.must_return_variables",
        "info",
        {"precall_lookup_url": "https://crm.example.test/lookup?phone={{phone}}"},
        {"precall_lookup_url": "https://crm.example.test/lookup?phone={{phone}}", **NO_VARIABLES},
    ),
    (
        "security.insecure_url",
        "warning",
        {"webhook_url": "http://hooks.example.test/x"},
        {"webhook_url": "https://hooks.example.test/x"},
    ),
    (
        "security.credential_in_url",
        "info",
        {"webhook_url": "https://hooks.example.test/x?token=FAKE-6"},
        {"webhook_url": "https://hooks.example.test/x?token={{webhook_token}}&ref=crm"},
    ),
    (
        "sound.volume_without_sound",
        "info",
        {"background_sound": None, "background_sound_volume": 0.8},
        {"background_sound": None, "background_sound_volume": 0.5},
    ),
    (
        "sound.probability_without_sound",
        "info",
        {"thinking_sound": None, "thinking_sound_probability": 0.9},
        {"thinking_sound": None, "thinking_sound_probability": 0.5},
    ),
    ("max_duration.too_short", "warning", {"max_call_duration_secs": 59.5}, {"max_call_duration_secs": 60}),
    ("faq.pending", "info", {"faq_items.1.needs_human_answer": True}, {"faq_items.1.needs_human_answer": False}),
    ("prompt.empty", "warning", {"prompt": " \n"}, {"prompt": "Be brief."}),
    (
        "integration.template_unknown_variable",
        "info",
        {"slack": {**SLACK, "template": "{{summary}} {{crm_link}}"}},
        {"slack": {**SLACK, "template": "{{summary}} {{budget_range}} for {{contact_name}}"}},
    ),
]


def test_every_rule_has_a_trigger_and_a_near_miss_case() -> None:
    assert sorted(rule for rule, *_ in CASES) == sorted(RULES)


@pytest.mark.parametrize(("rule", "severity", "trigger", "clean"), CASES, ids=[case[0] for case in CASES])
def test_rule_fires_on_its_trigger_and_not_on_the_near_miss(
    rule: str, severity: str, trigger: dict[str, Any] | Whole, clean: dict[str, Any] | Whole
) -> None:
    fired = diagnose(build(trigger))
    quiet = diagnose(build(clean))

    assert {f.severity for f in fired.findings if f.rule == rule} == {severity}
    assert rule not in rules_of(quiet)
    for diagnosis in (fired, quiet):
        assert "FAKE" not in diagnosis.model_dump_json()


@pytest.mark.parametrize(("rule", "severity", "trigger", "clean"), CASES, ids=[case[0] for case in CASES])
def test_every_finding_is_one_sentence_with_a_fix_and_a_known_rule(
    rule: str, severity: str, trigger: dict[str, Any] | Whole, clean: dict[str, Any] | Whole
) -> None:
    for finding in diagnose(build(trigger)).findings:
        assert finding.rule in RULES
        assert finding.message.endswith(".")
        assert finding.fix.endswith(".")
        assert "$" not in finding.message + finding.fix  # no unfilled template parameter


def about_tts(diagnosis: Diagnosis) -> set[str]:
    """The rules of findings about the parts a realtime assistant does not use (its TTS voice)."""
    return {f.rule for f in diagnosis.findings if within(f.path, REALTIME_UNUSED)}


def realtime(spec: dict[str, Any] | Whole) -> Any:
    """The case's trigger on a realtime assistant (None when the trigger replaces the model itself)."""
    if isinstance(spec, Whole) or "llm_model" in spec or any(k.startswith("llm_model.") for k in spec):
        return None
    return patched({"llm_model": REALTIME, **spec})


TTS_CASES = [
    case for case in CASES if (built := build(case[2])) is not None and about_tts(diagnose(built)) - SAYS_UNUSED
]


def test_the_voice_rules_are_many_so_the_realtime_tests_below_are_not_vacuous() -> None:
    assert len({rule for rule, *_ in TTS_CASES}) >= 8


@pytest.mark.parametrize(("rule", "severity", "trigger", "clean"), TTS_CASES, ids=[case[0] for case in TTS_CASES])
def test_a_voice_rule_that_fires_on_a_tts_assistant_is_silent_on_a_realtime_one(
    rule: str, severity: str, trigger: dict[str, Any] | Whole, clean: dict[str, Any] | Whole
) -> None:
    """A realtime model speaks itself: the TTS voice's speed, volume, model, provider... are not checked."""
    assistant = realtime(trigger)
    assert assistant is not None
    assert about_tts(diagnose(build(trigger))) - SAYS_UNUSED
    assert about_tts(diagnose(assistant)) <= SAYS_UNUSED


@pytest.mark.parametrize(("rule", "severity", "trigger", "clean"), CASES, ids=[case[0] for case in CASES])
def test_no_finding_is_about_the_voice_of_a_realtime_assistant_but_the_one_saying_it_is_unused(
    rule: str, severity: str, trigger: dict[str, Any] | Whole, clean: dict[str, Any] | Whole
) -> None:
    assistant = realtime(trigger)
    if assistant is None:
        return  # the case sets the model itself
    diagnosis = diagnose(assistant)
    assert about_tts(diagnosis) <= SAYS_UNUSED
    assert ("llm.realtime.voice_unused" in rules_of(diagnosis)) == isinstance(assistant.get("voice"), dict)


@pytest.mark.parametrize(("rule", "severity", "trigger", "clean"), CASES, ids=[case[0] for case in CASES])
def test_every_field_a_fix_names_is_shown_with_its_current_value(
    rule: str, severity: str, trigger: dict[str, Any] | Whole, clean: dict[str, Any] | Whole
) -> None:
    """A fix may only name a field whose value the answer shows: in the finding (its message, or
    ``related``) and in its line of text."""
    assistant = build(trigger)
    if not isinstance(assistant, dict):
        return  # not a readable object: no field to show
    for finding in diagnose(assistant).findings:
        spec = RULES[finding.rule]
        stated = states_value(spec.message)
        missing = unshown_fields(
            finding.fix,
            finding.path,
            finding.related,
            finding_line(finding),
            assistant,
            base_shown=stated,
            names_base="{path}" in spec.fix,
        )
        assert missing == [], finding
        if stated and "{value}" not in spec.message:  # "is empty", "is null": true of the value
            _found, value = value_at(assistant, finding.path)
            assert value is None or value in ("", [], {}) or (isinstance(value, str) and not value.strip())


def test_the_baseline_fixture_has_no_error_or_warning() -> None:
    assert [f for f in diagnose(BASE).findings if f.severity != "info"] == []


@pytest.mark.parametrize("key", sorted(INDEX))
def test_each_fixture_yields_every_finding_its_index_lists(key: str) -> None:
    expected = {
        (entry["rule"], entry["severity"], entry["path"])
        for entry in INDEX[key]["expected_diagnose_findings"]
        if entry["severity"] != "secret"
    }
    got = {(f.rule, f.severity, f.path) for f in diagnose(BY_KEY[key]).findings}

    assert expected <= got


def test_the_misconfigured_fixture_yields_its_20_listed_findings() -> None:
    diagnosis = diagnose(BY_KEY["realtime_google_semantic_misconfig"])

    assert len(INDEX["realtime_google_semantic_misconfig"]["expected_diagnose_findings"]) == 20
    assert (diagnosis.error_count, diagnosis.warning_count) == (3, 12)
    assert diagnosis.info_count == len(diagnosis.findings) - 15


@pytest.mark.parametrize("key", sorted(INDEX))
def test_no_fixture_secret_reaches_the_diagnosis(key: str) -> None:
    assert "FAKE" not in diagnose(BY_KEY[key]).model_dump_json()


@pytest.mark.parametrize("key", ["openrouter_elevenlabs_fr_warm_transfer", "sub_assistant_hidden_from_list"])
def test_well_formed_fixtures_have_no_error(key: str) -> None:
    assert diagnose(BY_KEY[key]).error_count == 0


def test_findings_are_sorted_by_severity_then_path() -> None:
    findings = diagnose(BY_KEY["realtime_google_semantic_misconfig"]).findings
    order = {"error": 0, "warning": 1, "info": 2}

    assert findings == sorted(findings, key=lambda f: (order[f.severity], f.path, f.rule))
    assert [f.severity for f in findings[:3]] == ["error"] * 3


def test_diagnosis_carries_the_assistant_id_and_name() -> None:
    diagnosis = diagnose(BASE)

    assert (diagnosis.assistant_id, diagnosis.name) == (BASE["id"], BASE["name"])


def test_variables_of_the_inbound_fixture_exclude_builtins_tool_inputs_and_phone() -> None:
    variables = diagnose(BY_KEY["custom_llm_inbound_tools_with_secrets"]).variables

    assert [(v.name, v.sources) for v in variables] == [
        ("account_id", ["prompt"]),
        ("company_name", ["first_sentence", "prompt"]),
        ("customer_first_name", ["prompt"]),
        ("plan_name", ["prompt"]),
    ]


def test_variables_of_the_long_prompt_fixture_include_the_tool_url_variable() -> None:
    variables = {v.name: v.sources for v in diagnose(BY_KEY["long_prompt_many_faqs_cartesia_edges"]).variables}

    assert variables["candidate_first_name"] == [
        "first_sentence",
        "prompt",
        "voicemail_message",
        "voicemail_sms_prompt",
    ]
    assert variables["agency_name"] == ["first_sentence", "prompt", "voicemail_message"]
    assert variables["job_title"] == ["first_sentence", "prompt", "voicemail_sms_prompt"]
    assert variables["candidate_id"] == ["custom_tools[0].url"]  # not one of the tool's inputs
    assert {f"step_{n}_context" for n in range(1, 13)} <= set(variables)
    assert {"candidate_last_name", "job_city", "job_ref", "job_details", "callback_delay_days"} <= set(variables)
    assert len(variables) == 21
    assert not {"availability", "salary_expectation", "has_licence"} & set(variables)  # LLM-filled tool inputs


def test_variables_allow_spaces_inside_braces_and_are_sorted() -> None:
    variables = diagnose(patched({"prompt": "Hi {{ zed }} and {{alpha}}.", "first_sentence": "Hi {{zed}}."})).variables

    assert [(v.name, v.sources) for v in variables] == [
        ("alpha", ["prompt"]),
        ("company_name", ["voicemail_message"]),
        ("contact_name", ["voicemail_message"]),
        ("zed", ["first_sentence", "prompt"]),
    ]


def test_a_placeholder_with_a_huge_name_is_not_reported_as_a_variable() -> None:
    variables = diagnose(patched({"prompt": "{{" + "a" * 1_000_000 + "}} {{ok}}"})).variables

    assert [v.name for v in variables] == ["company_name", "contact_name", "ok"]


def test_precall_lookup_lists_the_variables_it_must_return() -> None:
    diagnosis = diagnose(BY_KEY["custom_llm_inbound_tools_with_secrets"])
    finding = next(f for f in diagnosis.findings if f.rule == "precall.must_return_variables")

    assert "account_id, company_name, customer_first_name, plan_name" in finding.message


@pytest.mark.parametrize("time", ["09:00", "9:00", "23:59", "0:00", "9am", "9 am", "9:30PM", "12pm", "12:15am"])
def test_window_times_in_either_documented_format_are_accepted(time: str) -> None:
    diagnosis = diagnose(
        patched({f"{WINDOW0}.calling_window_start_time": time, f"{WINDOW0}.calling_window_end_time": "11:59pm"})
    )

    assert "retry.window.time_format" not in rules_of(diagnosis)


@pytest.mark.parametrize("time", ["24:00", "7.30", "noon", "13pm", "9", "09:60", " 09:00", "", "9amm"])
def test_window_times_in_other_formats_are_errors(time: str) -> None:
    diagnosis = diagnose(patched({f"{WINDOW0}.calling_window_start_time": time}))

    assert "retry.window.time_format" in rules_of(diagnosis)


@pytest.mark.parametrize("end", ["00:00", "12am"])
def test_a_window_ending_at_midnight_ends_at_the_end_of_the_day(end: str) -> None:
    diagnosis = diagnose(patched({"call_retry_config.calling_windows.1.calling_window_end_time": end}))

    assert "retry.window.end_before_start" not in rules_of(diagnosis)


def test_twelve_hour_and_twenty_four_hour_windows_are_compared_after_parsing() -> None:
    diagnosis = diagnose(
        patched({f"{WINDOW0}.calling_window_start_time": "1pm", f"{WINDOW0}.calling_window_end_time": "12:00"})
    )

    assert "retry.window.end_before_start" in rules_of(diagnosis)


def test_the_flat_legacy_retry_shape_is_checked_as_one_window() -> None:
    flat = {"calling_window_start_time": "18:00", "calling_window_end_time": "9am", "retry_delay_seconds": 0}
    diagnosis = diagnose(patched({"call_retry_config": flat}))
    found = {(f.rule, f.path) for f in diagnosis.findings}

    assert ("retry.legacy_shape", "call_retry_config") in found
    assert ("retry.window.end_before_start", "call_retry_config") in found
    assert ("retry.delay.zero", "call_retry_config.retry_delay_seconds") in found


def test_timezones_fall_back_to_a_shape_check_without_tzdata(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference, "known_timezones", frozenset)

    assert "retry.timezone.iana" not in rules_of(diagnose(patched({"call_retry_config.timezone": "Europe/Paris"})))
    assert "retry.timezone.iana" in rules_of(diagnose(patched({"call_retry_config.timezone": "Paris"})))


def test_the_legacy_slack_shape_is_reported() -> None:
    diagnosis = diagnose(patched({"slack": {"connection_id": "n", "channel_id": "C1", "outcomes": []}}))

    assert ("schema.legacy_field", "slack.channel_id") in {(f.rule, f.path) for f in diagnosis.findings}


def test_unknown_keys_are_named_without_their_values() -> None:
    diagnosis = diagnose(patched({"some_future_field": "FAKE-value", "another_key": 1}))
    unknown = [f for f in diagnosis.findings if f.rule == "schema.unknown_keys"]

    assert [f.path for f in unknown] == ["another_key", "some_future_field"]
    assert "FAKE" not in diagnosis.model_dump_json()


def test_many_unknown_keys_are_summarised() -> None:
    diagnosis = diagnose(patched({f"extra_{n:02}": n for n in range(25)}))
    unknown = [f for f in diagnosis.findings if f.rule == "schema.unknown_keys"]

    assert len(unknown) == 11
    assert "15 more keys" in unknown[0].message  # the summary has path "" and sorts first


def test_missing_keys_are_listed_in_one_finding() -> None:
    diagnosis = diagnose(patched({"stt_model": DELETE, "type": DELETE}))
    (finding,) = [f for f in diagnosis.findings if f.rule == "schema.missing_keys"]

    assert finding.path == ""
    assert "stt_model, type" in finding.message


SECRETS_EVERYWHERE: dict[str, Any] = {
    "llm_model": {
        "type": "custom",
        "api_url": "http://user:FAKE-pw@llm.example.test/v1?api_key=FAKE-7",
        "model_name": "m",
        "api_key": "FAKE-8",
    },
    "webhook_url": "http://FAKE-host-token@hooks.example.test/p?secret=FAKE-9&x=FAKE-10",
    "precall_lookup_url": "ftp://crm.example.test/?token=FAKE-11",
    "custom_tools": [
        tool(
            name="Bad Tool",
            url="http://api.example.test/x?access_token=FAKE-12",
            query_params=[{"key": "api_key", "value": "FAKE-13"}, {"key": "", "value": "FAKE-14"}],
            body_template='{"auth": "FAKE-15", "x": {{order_id}}',
        ),
    ],
}


def test_secrets_in_every_secret_field_stay_out_of_the_diagnosis() -> None:
    diagnosis = diagnose(patched(SECRETS_EVERYWHERE))

    assert {"security.insecure_url", "security.credential_in_url", "url.invalid"} <= rules_of(diagnosis)
    assert "FAKE" not in diagnosis.model_dump_json()


def test_long_free_text_is_quoted_truncated() -> None:
    diagnosis = diagnose(patched({"thinking_sound": "a-very-long-sound-name " * 20}))
    (finding,) = [f for f in diagnosis.findings if f.rule == "enum.unknown_value"]

    assert "…" in finding.message
    assert len(finding.message) < 200


def test_rules_describe_themselves_in_one_line() -> None:
    assert all(spec.about and "\n" not in spec.about for spec in RULES.values())


# --- hostile inputs --------------------------------------------------------------------------------

ALL_KEYS = sorted(set(BASE) | {"transfer_phone_number"})


def _deep(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"x": [value]}
    return value


HOSTILE: list[Any] = [
    {},
    None,
    [],
    [BASE],
    "assistant",
    42,
    dict.fromkeys(ALL_KEYS),
    dict.fromkeys(ALL_KEYS, "1"),
    dict.fromkeys(ALL_KEYS, True),
    {key: [] for key in ALL_KEYS},
    {key: {} for key in ALL_KEYS},
    {key: [None, 1, "x", [], {}] for key in ALL_KEYS},
    patched(
        {
            "voice": {"speed": "1.0", "volume": "2", "provider": 5, "id": None, "model": []},
            "max_call_duration_secs": "600",
            "background_sound_volume": "0.5",
            "first_sentence_delay_ms": "400",
        }
    ),
    patched(
        {
            "prompt": "x" * 1_000_000 + "{{a}}",
            "name": "n" * 100_000,
            "webhook_url": "https://h.test/" + "a" * 100_000 + "?token=" + "t" * 100_000,
            "email_notification_address": "a@" + "b." * 50_000 + "@",
            "max_duration_end_message": "m" * 100_000,
        }
    ),
    patched({"custom_tools": [tool(body_template="[" * 100_000 + "]" * 100_000), tool(body_template="{{" * 100_000)]}),
    patched({"prompt_flow": _deep(2_000), "voice": _deep(500), "llm_model": _deep(500), "slack": _deep(50)}),
    patched(
        {
            "custom_tools": [
                None,
                1,
                "x",
                [],
                {"headers": "x", "query_params": {}, "input_schema": [None, {"name": 5, "type": []}], "url": 5},
                {
                    "headers": [{"key": None, "value": {"a": 1}}],
                    "query_params": [{"value": "FAKE-16"}],
                    "url": "http://[::1",
                },
            ]
        }
    ),
    patched(
        {
            "call_retry_config": {
                "calling_windows": [
                    None,
                    {"calling_window_start_time": 900},
                    {"calling_window_start_time": "9" * 10_000},
                ],
                "allowed_days": ["Monday", 1, None, {}, []],
                "max_retry_attempts": "3",
                "timezone": 5,
                "call_twice_in_a_row": "yes",
            }
        }
    ),
    patched(
        {"call_retry_config": {"calling_windows": "09:00-18:00", "allowed_days": "weekdays", "timezone": "x/" * 1000}}
    ),
    patched(
        {
            "llm_model": {"type": "quantum"},
            "voice": {"provider": "acme", "speed": 1.0, "id": "v"},
            "type": "mega",
            "stt_model": "v9",
            "first_sentence_mode": "sometimes",
            "human_transfer_mode": "lukewarm",
        }
    ),
    patched(
        {
            "max_call_duration_secs": 10**400,
            "voice": {"id": "v", "provider": "cartesia", "speed": float("inf"), "volume": float("nan")},
            "first_sentence_delay_ms": -(10**30),
            "pending_faq_count": 10**5000,
            "thinking_sound_probability": float("-inf"),
        }
    ),
    patched(
        {
            "email_notification_outcomes": [{"a": 1}, ["x"], None],
            "after_call_sms_outcomes": "interested",
            "slack": {"outcomes": [{}], "template": 5},
            "zoho": {"outcomes": "all", "template": "{{" * 1000},
        }
    ),
    {1: 2, None: 3, ("t",): 4, "id": 7, "name": ["x"]},
    patched(
        {
            "transfer_destinations": [{"label": 1, "phone_number": None}, {"label": "a" * 10_000}] * 300,
            "human_transfer_mode": 0,
        }
    ),
    patched(
        {"faq_items": "none", "pending_faq_count": "2", "structured_output_config": {"name": "x"}, "created_by": []}
    ),
    patched({"llm_model": {"type": "custom", "api_url": "https://[bad", "api_key": None}, "precall_lookup_url": ""}),
    MappingProxyType(patched({"voice": None})),
]


@pytest.mark.parametrize("payload", HOSTILE, ids=[f"hostile-{n}" for n in range(len(HOSTILE))])
def test_hostile_input_yields_a_diagnosis_without_raising(payload: Any) -> None:
    diagnosis = diagnose(payload)

    assert isinstance(diagnosis, Diagnosis)
    assert "diagnose.check_failed" not in rules_of(diagnosis)  # no check crashed on it
    assert rules_of(diagnosis) <= set(RULES)
    assert "FAKE" not in diagnosis.model_dump_json()


def test_a_crashing_check_is_reported_and_the_others_still_run() -> None:
    diagnosis = diagnose(ExplodingMapping(patched({"thinking_sound": "rain.ogg"}), "voice"))

    assert "diagnose.check_failed" in rules_of(diagnosis)
    assert "enum.unknown_value" in rules_of(diagnosis)
    assert "FAKE" not in diagnosis.model_dump_json()  # exception text is never copied


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
NESTED_KEYS = st.sampled_from(
    ["id", "provider", "speed", "volume", "model", "type", "name", "calling_windows", "allowed_days", "url",
     "headers", "query_params", "input_schema", "body_template", "label", "phone_number", "enum_options",
     "calling_window_start_time", "calling_window_end_time", "retry_delay_seconds", "max_retry_attempts",
     "timezone", "call_twice_in_a_row", "key", "value", "needs_human_answer", "template", "outcomes", "api_url"]
)  # fmt: skip
SHAPED_VALUES = st.recursive(
    JSON_VALUES,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(NESTED_KEYS, children, max_size=6),
    max_leaves=30,
)


@settings(max_examples=examples(300), deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(ALL_KEYS), SHAPED_VALUES, max_size=20))
def test_random_assistant_shapes_never_break_a_check(payload: dict[str, Any]) -> None:
    diagnosis = diagnose(payload)

    assert "diagnose.check_failed" not in rules_of(diagnosis)
    assert rules_of(diagnosis) <= set(RULES)


@pytest.mark.parametrize("key", sorted(BY_KEY))
def test_triage_agrees_with_the_full_diagnosis(key: str) -> None:
    """The ranking shortcut counts and orders findings exactly as diagnose() does."""
    full = diagnose(BY_KEY[key])
    errors, warnings, top = diagnostics.triage(BY_KEY[key])
    assert (errors, warnings) == (full.error_count, full.warning_count)
    assert top == (full.findings[0] if full.findings else None)


@pytest.mark.parametrize("junk", [None, [], "text", 3, {"voice": []}])
def test_triage_never_raises_on_junk(junk: Any) -> None:
    errors, _warnings, top = diagnostics.triage(junk)
    assert errors == len([f for f in diagnose(junk).findings if f.severity == "error"])
    assert top == (diagnose(junk).findings[0] if diagnose(junk).findings else None)


# --- input redacted at ingest: the marker stands for the literal it replaced -----------------------


def located(diagnosis: Diagnosis) -> list[tuple[str, str, str]]:
    """What a diagnosis found and where, without the messages (they may quote redacted text)."""
    return [(f.rule, f.severity, f.path) for f in diagnosis.findings]


@pytest.mark.parametrize("key", sorted(BY_KEY))
def test_a_fixture_redacted_at_ingest_yields_the_same_diagnosis(key: str) -> None:
    """Messages included: no fixture message quotes text that redaction changes."""
    assert diagnose(redact(BY_KEY[key])) == diagnose(BY_KEY[key])


def test_the_secret_rules_fire_on_the_redacted_fixture() -> None:
    """The fixture's credentials are all markers once redacted; the rules about them still fire."""
    cleaned = redact(BY_KEY["custom_llm_inbound_tools_with_secrets"])
    found = {(f.rule, f.path) for f in diagnose(cleaned).findings}

    assert REDACTED in json.dumps(cleaned)
    assert {
        ("security.credential_in_url", "custom_tools[1].query_params"),
        ("security.credential_in_url", "precall_lookup_url"),
        ("security.credential_in_url", "webhook_url"),
    } <= found
    assert ("llm.field_empty", "llm_model.api_key") not in found


def test_secrets_everywhere_redacted_at_ingest_yield_the_same_findings() -> None:
    assistant = patched(SECRETS_EVERYWHERE)

    assert located(diagnose(redact(assistant))) == located(diagnose(assistant))


REDACTABLE_CASES = [
    pytest.param(patch, id=f"{rule}-{side}")
    for rule, _severity, trigger, clean in CASES
    for side, patch in (("trigger", trigger), ("clean", clean))
    if not isinstance(patch, Whole)  # ingest cleans JSON objects; Whole cases are other Python values
]


@pytest.mark.parametrize("patch", REDACTABLE_CASES)
def test_each_rule_case_redacted_at_ingest_yields_the_same_findings(patch: dict[str, Any]) -> None:
    assistant = patched(patch)

    assert located(diagnose(redact(assistant))) == located(diagnose(assistant))


# Each literal credential replaced by the marker, as ingest leaves it: (patch, rule and path that must be found).
MARKED: list[tuple[dict[str, Any], tuple[str, str]]] = [
    (
        {"custom_tools": [tool(query_params=[{"key": "api_key", "value": REDACTED}])]},
        ("security.credential_in_url", "custom_tools[0].query_params"),
    ),
    (
        {"custom_tools": [tool(url=f"https://api.example.test/x?access_token={REDACTED}")]},
        ("security.credential_in_url", "custom_tools[0].url"),
    ),
    ({"webhook_url": f"https://hooks.example.test/x?token={REDACTED}"}, ("security.credential_in_url", "webhook_url")),
    ({"webhook_url": f"https://{REDACTED}@hooks.example.test/x"}, ("security.credential_in_url", "webhook_url")),
    (
        {"precall_lookup_url": f"https://crm.example.test/lookup?phone={{{{phone}}}}&key={REDACTED}"},
        ("security.credential_in_url", "precall_lookup_url"),
    ),
]


@pytest.mark.parametrize(("patch", "expected"), MARKED, ids=[path for _, (_, path) in MARKED])
def test_a_credential_redacted_at_ingest_is_still_reported(patch: dict[str, Any], expected: tuple[str, str]) -> None:
    diagnosis = diagnose(patched(patch))

    assert expected in {(f.rule, f.path) for f in diagnosis.findings}
    assert not {"url.invalid", "precall.missing_phone_placeholder"} & rules_of(diagnosis)


def test_a_redacted_api_key_counts_as_set() -> None:
    llm = {"type": "custom", "api_url": "https://llm.example.test/v1", "model_name": "m", "api_key": REDACTED}

    assert "llm.field_empty" not in rules_of(diagnose(patched({"llm_model": llm})))


def test_a_redacted_value_outside_a_json_string_keeps_the_body_template_valid() -> None:
    body = f'{{"token": {REDACTED}, "order": "{{{{order_id}}}}"}}'

    assert "custom_tool.body_template_invalid_json" not in rules_of(
        diagnose(patched({"custom_tools": [tool(body_template=body)]}))
    )


# --- what the shared facts decide ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["api_key", "X-Api-Key", "sessionToken", "pin", "apikeys", "client_secret"])
def test_a_query_parameter_named_like_a_credential_is_reported(name: str) -> None:
    diagnosis = diagnose(patched({"webhook_url": f"https://hooks.example.test/x?{name}=FAKE-17"}))

    assert "security.credential_in_url" in rules_of(diagnosis)


@pytest.mark.parametrize("name", ["monkey", "sortkey", "expand", "keyword"])
def test_a_query_parameter_that_only_ends_like_a_credential_is_not_reported(name: str) -> None:
    diagnosis = diagnose(patched({"webhook_url": f"https://hooks.example.test/x?{name}=FAKE-18"}))

    assert "security.credential_in_url" not in rules_of(diagnosis)


def test_a_value_made_only_of_placeholders_is_not_a_literal_credential() -> None:
    query = [{"key": "token", "value": "{{tenant}}{{ token }}"}]

    assert "security.credential_in_url" not in rules_of(diagnose(patched({"custom_tools": [tool(query_params=query)]})))


def test_a_user_name_alone_in_a_url_is_a_credential() -> None:
    diagnosis = diagnose(patched({"webhook_url": "https://FAKE-19@hooks.example.test/x"}))

    assert ("security.credential_in_url", "webhook_url") in {(f.rule, f.path) for f in diagnosis.findings}


def test_a_tool_name_is_suggested_in_snake_case_word_by_word() -> None:
    diagnosis = diagnose(patched({"custom_tools": [tool(name="getHTTPResponse")]}))
    (finding,) = [f for f in diagnosis.findings if f.rule == "custom_tool.name_snake_case"]

    assert "'get_http_response'" in finding.fix
