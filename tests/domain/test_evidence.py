"""Evidence rules: each fires on its pattern and stays quiet without it; none claims more than it counted.

Pure: calls are built as Revox sends them (``calls_support.call`` / ``attempt``), read by
``facts_of`` and judged with an assistant configuration.
"""

from __future__ import annotations

from typing import Any

import pytest
from answers_support import unshown_fields
from calls_support import attempt, call

from revox_mcp.domain.evidence import RULES, Evidence, facts_of, findings, needs_campaigns
from revox_mcp.domain.render.calls import evidence_line

CONFIG: dict[str, Any] = {
    "id": "a1",
    "name": "Reminders",
    "prompt": "Remind {{contact_name}} of the appointment.",
    "first_sentence_mode": "static",
    "first_sentence": "Hi {{contact_name}}, this is the clinic.",
    "max_call_duration_secs": 45,
    "max_duration_end_message": None,
    "ivr_navigation_enabled": False,
    "voicemail_message": None,
    "transfer_destinations": [],
    "human_transfer_mode": None,
    "custom_tools": [{"name": "book", "method": "POST", "url": "https://cal.example/book?key=x"}],
    "from_phone_number": "+33912345678",
    "call_retry_config": {"max_retry_attempts": 1, "calling_windows": [{"retry_delay_seconds": 60}]},
    "llm_model": {"type": "dedicated-instance", "name": "gpt-4.1"},
    "voice": {"id": "v1", "provider": "cartesia", "model": "sonic-3"},
    "after_call_sms_prompt": None,
    "after_call_sms_outcomes": [],
    "structured_output_config": [{"name": "status", "type": "string", "description": "confirmed or not"}],
}
VARIABLES = {"contact_name": "X"}


def calls_of(*attempts_per_call: list[dict[str, Any]], **options: Any) -> list[dict[str, Any]]:
    options.setdefault("variables", VARIABLES)
    return [call(f"c{i}", *attempts, **options) for i, attempts in enumerate(attempts_per_call)]


def run(
    calls: list[dict[str, Any]], config: dict[str, Any] | None = CONFIG, **changes: Any
) -> dict[str, list[Evidence]]:
    chosen = {**config, **changes} if config is not None else None
    found: dict[str, list[Evidence]] = {}
    for finding in findings([facts_of(c) for c in calls], chosen):
        found.setdefault(finding.rule, []).append(finding)
    return found


def fine(n: int = 6, **options: Any) -> list[list[dict[str, Any]]]:
    """``n`` unremarkable answered calls: the agent opens, a conversation, the agent ends it."""
    turns = [("assistant", "Hi, this is the clinic."), ("user", "Yes?"), ("assistant", "Your appointment is Tuesday.")]
    return [[attempt(turns=turns, seconds=90, start=i, **options)] for i in range(n)]


def only(found: dict[str, list[Evidence]], rule: str) -> Evidence:
    [finding] = found[rule]
    return finding


def test_there_are_at_least_twelve_rules_each_documented():
    assert len(RULES) >= 12
    assert all(spec.about for spec in RULES.values())


def test_healthy_calls_raise_no_finding():
    assert run(calls_of(*fine(10))) == {}


# --------------------------------------------------------------------------- one rule each, fires and quiet


def test_max_duration_fires_on_calls_cut_by_the_limit_and_names_the_field():
    cut = [[attempt(seconds=45, end_reason="max_duration", ended_by="system", start=i)] for i in range(3)]
    finding = only(run(calls_of(*cut, *fine(3))), "calls.max_duration")
    assert (finding.count, finding.of, finding.field, finding.value) == (3, 6, "max_call_duration_secs", "45")
    assert "Raise max_call_duration_secs to 300" in finding.change
    assert finding.severity == "error"


def test_max_duration_is_quiet_when_calls_end_on_their_own():
    assert "calls.max_duration" not in run(calls_of(*fine(6)))


def test_ivr_fires_with_navigation_off_and_points_at_the_prompt_when_on():
    menu = [[attempt(result="IVR", end_reason="ivr_no_navigate", start=i)] for i in range(3)]
    off = only(run(calls_of(*menu, *fine(3))), "calls.ivr_stuck")
    on = only(run(calls_of(*menu, *fine(3)), ivr_navigation_enabled=True), "calls.ivr_stuck")
    assert (off.field, off.value, on.field) == ("ivr_navigation_enabled", "false", "prompt")


def test_ivr_is_quiet_without_phone_menus():
    assert "calls.ivr_stuck" not in run(calls_of(*fine(6)))


def test_voicemail_fires_without_a_voicemail_message():
    mail = [[attempt(result="voicemail", end_reason="voicemail", seconds=5, start=i)] for i in range(2)]
    finding = only(run(calls_of(*mail, *fine(4))), "calls.voicemail_no_message")
    assert (finding.count, finding.of, finding.field) == (2, 6, "voicemail_message")


def test_voicemail_is_quiet_when_a_message_is_left():
    mail = [[attempt(result="voicemail", end_reason="voicemail", seconds=5, start=i)] for i in range(2)]
    assert "calls.voicemail_no_message" not in run(calls_of(*mail, *fine(4)), voicemail_message="Hello...")


PERSON_ASKS = {
    "en": "Can I speak to a real person please?",
    "fr": "Je voudrais parler à un conseiller.",
    "es": "Quiero hablar con una persona.",
    "de": "Kann ich mit einem Mitarbeiter sprechen?",
    "it": "Posso parlare con un operatore?",
    "pt": "Quero falar com um atendente.",
}


@pytest.mark.parametrize("language", list(PERSON_ASKS))
def test_asking_for_a_person_without_a_transfer_fires_in_every_voice_language(language: str):
    asks = [[attempt(turns=[("assistant", "Hi"), ("user", PERSON_ASKS[language])], start=i)] for i in range(2)]
    finding = only(run(calls_of(*asks, *fine(4))), "calls.human_asked_no_transfer")
    assert (finding.count, finding.field, finding.value) == (2, "transfer_destinations", "[]")


def test_nobody_asking_for_a_person_is_quiet():
    assert "calls.human_asked_no_transfer" not in run(calls_of(*fine(6)))


def test_a_configured_transfer_that_never_happens_fires():
    asks = [[attempt(turns=[("user", PERSON_ASKS["en"])], start=i)] for i in range(3)]
    destinations = [{"label": "Front desk", "phone_number": "+33100000000"}]
    found = run(calls_of(*asks, *fine(3)), transfer_destinations=destinations, human_transfer_mode="cold")
    finding = only(found, "calls.transfer_not_made")
    assert finding.count == 3
    assert "Front desk" in finding.change
    assert "REFER" in finding.change
    assert "calls.human_asked_no_transfer" not in found


def test_transfers_that_happen_are_quiet():
    asks = [[attempt(turns=[("user", PERSON_ASKS["en"])], end_reason="transfer", start=i)] for i in range(3)]
    destinations = [{"label": "Front desk", "phone_number": "+33100000000"}]
    assert run(calls_of(*asks, *fine(3)), transfer_destinations=destinations) == {}


def test_a_failing_tool_fires_with_a_short_quote_and_its_host_only():
    long_error = "HTTP 500 " + "x" * 500 + " SECRET-TAIL"
    broken = [[attempt(tools=[("book", True, long_error)], start=i)] for i in range(3)]
    finding = only(run(calls_of(*broken, [attempt(tools=[("book", False, "{}")])])), "calls.tool_failing")
    assert (finding.count, finding.of, finding.field) == (3, 4, "custom_tools[name=book]")
    assert finding.value == '"POST https://cal.example"'  # no path, no query
    assert "HTTP 500" in finding.what
    assert "SECRET-TAIL" not in finding.what
    assert len(finding.what) < 160


def test_a_tool_that_rarely_fails_is_quiet():
    uses = [[attempt(tools=[("book", i == 0, "oops")], start=i)] for i in range(10)]
    assert "calls.tool_failing" not in run(calls_of(*uses))


@pytest.mark.parametrize(
    ("error", "rule", "field"),
    [
        ("no_international_permission", "calls.dial_international", "from_phone_number"),
        ("number_non_attributed", "calls.dial_non_attributed", "from_phone_number"),
        ("too_many_calls", "calls.dial_too_many", "call_retry_config.calling_windows[0].retry_delay_seconds"),
    ],
)
def test_dial_errors_fire_and_name_the_field(error: str, rule: str, field: str):
    failed = [[attempt(result=None, seconds=None, dial_error=error, phone="+447700900123", start=i)] for i in range(3)]
    finding = only(run(calls_of(*failed, *fine(3))), rule)
    assert (finding.count, finding.of, finding.field) == (3, 6, field)
    if error == "no_international_permission":
        assert "+44" in finding.what
        assert "+33912345678" in finding.what


@pytest.mark.parametrize("error", ["no_international_permission", "number_non_attributed", "too_many_calls"])
def test_a_single_dial_error_is_quiet(error: str):
    failed = [[attempt(result=None, seconds=None, dial_error=error)]]
    assert not {r for r in run(calls_of(*failed, *fine(9))) if r.startswith("calls.dial")}


def test_unreachable_callees_with_few_retries_fire():
    missed = [[attempt(result=None, seconds=None, dial_error="no_answer", start=i)] for i in range(4)]
    finding = only(run(calls_of(*missed, *fine(4))), "calls.unreachable")
    assert (finding.count, finding.of, finding.value) == (4, 8, "1")


def test_unreachable_callees_with_enough_retries_are_quiet():
    missed = [[attempt(result=None, seconds=None, dial_error="no_answer", start=i)] for i in range(4)]
    config = {**CONFIG, "call_retry_config": {"max_retry_attempts": 4}}
    assert "calls.unreachable" not in run(calls_of(*missed, *fine(4)), config)


def test_hanging_up_right_after_the_opening_fires():
    quick = [
        [
            attempt(
                turns=[("assistant", "Hi, automated call about..."), ("user", "No thanks")],
                seconds=8,
                ended_by="user",
                end_reason="client_initiated",
                start=i,
            )
        ]
        for i in range(3)
    ]
    finding = only(run(calls_of(*quick, *fine(3))), "calls.hangup_after_opening")
    assert (finding.count, finding.of, finding.field) == (3, 6, "first_sentence")


def test_conversations_that_go_on_are_quiet_about_the_opening():
    assert "calls.hangup_after_opening" not in run(calls_of(*fine(6, ended_by="user")))


def test_an_agent_that_never_speaks_fires_and_names_the_empty_first_sentence():
    silent = [
        [attempt(turns=[("user", "Hello?"), ("user", "Hello??")], seconds=9, ended_by="user", start=i)]
        for i in range(2)
    ]
    finding = only(run(calls_of(*silent, *fine(4)), first_sentence=None), "calls.silent_opening")
    assert (finding.field, finding.value) == ("first_sentence", "null")
    mode_none = only(run(calls_of(*silent, *fine(4)), first_sentence_mode="none"), "calls.silent_opening")
    assert mode_none.field == "first_sentence_mode"


def test_an_agent_that_speaks_first_is_quiet():
    assert "calls.silent_opening" not in run(calls_of(*fine(6, ended_by="user")))


def events(n: int, **agent: Any) -> list[dict[str, Any]]:
    return [{"speaker": "agent", "is_real_turn": True, **agent} for _ in range(n)]


@pytest.mark.parametrize(
    ("key", "rule", "field"),
    [("llm_ttft_ms", "calls.slow_llm", "llm_model"), ("tts_ttfb_ms", "calls.slow_tts", "voice")],
)
def test_slow_replies_fire_with_the_model_or_voice_in_use(key: str, rule: str, field: str):
    slow = [[attempt(events=events(4, **{key: 2500}), start=i)] for i in range(4)]
    finding = only(run(calls_of(*slow)), rule)
    assert (finding.count, finding.of, finding.field) == (16, 16, field)
    assert "p95 2500 ms" in finding.what
    assert ("gpt-4.1" if field == "llm_model" else "cartesia") in finding.value


def test_the_slow_llm_fix_names_the_model_that_answered_the_slow_turns_not_the_most_common_one():
    """Most calls were fast on the old model; the slow ones came after a switch: the fix names the new one."""
    fast = [[attempt(events=events(4, llm_ttft_ms=300, llm_winner_model="gpt-4.1"), start=i)] for i in range(8)]
    slow = [[attempt(events=events(4, llm_ttft_ms=2500, llm_winner_model="gpt-5"), start=8 + i)] for i in range(4)]
    finding = only(run(calls_of(*fast, *slow)), "calls.slow_llm")
    assert "the slow replies came mostly from gpt-5" in finding.change


@pytest.mark.parametrize(("key", "rule"), [("llm_ttft_ms", "calls.slow_llm"), ("tts_ttfb_ms", "calls.slow_tts")])
def test_fast_replies_are_quiet(key: str, rule: str):
    fast = [[attempt(events=events(4, **{key: 300}), start=i)] for i in range(4)]
    assert rule not in run(calls_of(*fast))


def test_a_realtime_assistant_gets_no_tts_finding_but_its_model_is_still_judged():
    """A realtime model speaks itself: slow "TTS" is its own latency, not the voice's."""
    slow = [[attempt(events=events(4, llm_ttft_ms=2500, tts_ttfb_ms=2500), start=i)] for i in range(4)]
    realtime = {"type": "realtime", "provider": "openai", "realtime_model_id": "gpt-realtime"}
    assert {"calls.slow_llm", "calls.slow_tts"} <= set(run(calls_of(*slow)))
    found = run(calls_of(*slow), llm_model=realtime)
    assert "calls.slow_llm" in found
    assert "calls.slow_tts" not in found


def test_frequent_interruptions_fire():
    cut = [[attempt(events=events(3, was_cut=True) + events(2, was_cut=False), start=i)] for i in range(5)]
    finding = only(run(calls_of(*cut)), "calls.interrupted")
    assert (finding.count, finding.of) == (15, 25)


def test_rare_interruptions_are_quiet():
    cut = [[attempt(events=events(1, was_cut=True) + events(4, was_cut=False), start=i)] for i in range(5)]
    assert "calls.interrupted" not in run(calls_of(*cut))


def test_an_after_call_sms_prompt_with_no_outcomes_sends_nothing_and_fires():
    finding = only(
        run(calls_of(*fine(4), outcome="completed"), after_call_sms_prompt="Confirm by SMS."),
        "calls.after_call_sms_missing",
    )
    assert (finding.count, finding.of, finding.field, finding.value) == (4, 4, "after_call_sms_outcomes", "[]")


def test_after_call_sms_sent_or_not_configured_is_quiet():
    sent = calls_of(*fine(4, sms=["after_call"]), outcome="completed")
    assert "calls.after_call_sms_missing" not in run(
        sent, after_call_sms_prompt="x", after_call_sms_outcomes=["completed"]
    )
    assert "calls.after_call_sms_missing" not in run(calls_of(*fine(4), outcome="completed"))


def test_a_structured_output_field_always_empty_fires():
    empty = fine(4, structured={"status": ""})
    finding = only(run(calls_of(*empty)), "calls.structured_output_empty")
    assert (finding.count, finding.field) == (4, "structured_output_config[name=status]")


def test_a_structured_output_field_filled_once_is_quiet():
    mixed = fine(3, structured={"status": ""}) + fine(1, structured={"status": "confirmed"})
    assert "calls.structured_output_empty" not in run(calls_of(*mixed))


def test_calls_lacking_the_prompts_variables_fire():
    lacking = [call(f"v{i}", attempt(), variables={}, status="errored") for i in range(2)]
    finding = only(run(lacking + calls_of(*fine(3))), "calls.missing_variables")
    assert (finding.count, finding.of) == (2, 5)
    assert "contact_name" in finding.what
    assert "2 of them errored" in finding.what


def test_calls_given_every_variable_are_quiet():
    assert "calls.missing_variables" not in run(calls_of(*fine(5)))


# --------------------------------------------------------------------------- honesty


def test_a_small_sample_is_only_info():
    cut = [[attempt(seconds=45, end_reason="max_duration", ended_by="system", start=i)] for i in range(2)]
    finding = only(run(calls_of(*cut, *fine(1))), "calls.max_duration")
    assert finding.of == 3
    assert finding.severity == "info"


def test_a_finding_shows_at_most_three_example_calls_and_its_counts_add_up():
    cut = [[attempt(seconds=45, end_reason="max_duration", ended_by="system", start=i)] for i in range(8)]
    finding = only(run(calls_of(*cut, *fine(2))), "calls.max_duration")
    assert len(finding.examples) == 3
    assert finding.share == round(finding.count / finding.of, 2)


def test_without_the_configuration_findings_say_so_instead_of_guessing_values():
    cut = [[attempt(seconds=45, end_reason="max_duration", ended_by="system", start=i)] for i in range(4)]
    finding = only(run(calls_of(*cut, *fine(2)), None), "calls.max_duration")
    assert finding.value == "(configuration not read)"


def test_facts_survive_garbage():
    garbage = [{"id": "g", "call_attempts": [None, 3, {"speech_events": "x", "transcript": [None, {"role": 5}]}]}]
    assert isinstance(run(garbage), dict)


# --------------------------------------------------------------------------- a fix shows what it names


def _dialing(error: str) -> list[dict[str, Any]]:
    failed = [[attempt(result=None, seconds=None, dial_error=error, phone="+447700900123", start=i)] for i in range(3)]
    return calls_of(*failed, *fine(3))


_ASKS = [[attempt(turns=[("assistant", "Hi"), ("user", PERSON_ASKS["en"])], start=i)] for i in range(3)]
_QUICK = [
    [attempt(turns=[("assistant", "Hi, automated call"), ("user", "No")], seconds=8, ended_by="user", start=i)]
    for i in range(3)
]
_SILENT = [[attempt(turns=[("user", "Hello?")], seconds=9, ended_by="user", start=i)] for i in range(2)]
OPENROUTER = {"type": "openrouter", "openrouter_model_id": "meta/llama", "openrouter_provider": "groq"}
TOOLS = [{"name": "book", "method": "POST", "url": "https://cal.example/b", "body_template": '{"a":"{{x}}"}'}]

# rule -> (calls, configuration changes): one trigger per rule, each variant of its fix included.
EVIDENCE_CASES: list[tuple[str, list[dict[str, Any]], dict[str, Any]]] = [
    ("calls.max_duration", calls_of(*[[attempt(seconds=45, end_reason="max_duration", ended_by="system")]] * 3), {}),
    ("calls.ivr_stuck", calls_of(*[[attempt(result="IVR", end_reason="ivr_no_navigate")]] * 3, *fine(3)), {}),
    (
        "calls.ivr_stuck",
        calls_of(*[[attempt(result="IVR", end_reason="ivr_no_navigate")]] * 3, *fine(3)),
        {"ivr_navigation_enabled": True},
    ),
    ("calls.voicemail_no_message", calls_of(*[[attempt(result="voicemail", seconds=5)]] * 2, *fine(4)), {}),
    ("calls.human_asked_no_transfer", calls_of(*_ASKS, *fine(3)), {}),
    (
        "calls.transfer_not_made",
        calls_of(*_ASKS, *fine(3)),
        {"transfer_destinations": [{"label": "Desk", "phone_number": "+33100000000"}], "human_transfer_mode": "cold"},
    ),
    (
        "calls.tool_failing",
        calls_of(*[[attempt(tools=[("book", True, "HTTP 500")], start=i)] for i in range(3)]),
        {"custom_tools": TOOLS},
    ),
    ("calls.tool_failing", calls_of(*[[attempt(tools=[("builtin", True, "no")], start=i)] for i in range(3)]), {}),
    ("calls.dial_international", _dialing("no_international_permission"), {}),
    ("calls.dial_non_attributed", _dialing("number_non_attributed"), {}),
    ("calls.dial_too_many", _dialing("too_many_calls"), {}),
    ("calls.unreachable", calls_of(*[[attempt(result=None, seconds=None, dial_error="no_answer")]] * 4, *fine(4)), {}),
    ("calls.hangup_after_opening", calls_of(*_QUICK, *fine(3)), {}),
    ("calls.hangup_after_opening", calls_of(*_QUICK, *fine(3)), {"first_sentence_mode": "generated"}),
    ("calls.silent_opening", calls_of(*_SILENT, *fine(4)), {"first_sentence": None}),
    ("calls.silent_opening", calls_of(*_SILENT, *fine(4)), {"first_sentence_mode": "none"}),
    ("calls.silent_opening", calls_of(*_SILENT, *fine(4)), {"first_sentence_delay_ms": 3_000}),
    ("calls.silent_opening", calls_of(*_SILENT, *fine(4)), {"first_sentence_mode": "generated"}),
    ("calls.slow_llm", calls_of(*[[attempt(events=events(4, llm_ttft_ms=2500), start=i)] for i in range(4)]), {}),
    (
        "calls.slow_llm",
        calls_of(*[[attempt(events=events(4, llm_ttft_ms=2500), start=i)] for i in range(4)]),
        {"llm_model": OPENROUTER, "prompt": "p" * 7_000},
    ),
    ("calls.slow_tts", calls_of(*[[attempt(events=events(4, tts_ttfb_ms=2500), start=i)] for i in range(4)]), {}),
    ("calls.interrupted", calls_of(*[[attempt(events=events(3, was_cut=True) + events(2))]] * 5), {}),
    ("calls.after_call_sms_missing", calls_of(*fine(4), outcome="completed"), {"after_call_sms_prompt": "SMS."}),
    (
        "calls.after_call_sms_missing",
        calls_of(*fine(4), outcome="completed"),
        {"after_call_sms_prompt": "SMS.", "after_call_sms_outcomes": ["completed"]},
    ),
    ("calls.structured_output_empty", calls_of(*fine(4, structured={"status": ""})), {}),
    (
        "calls.missing_variables",
        [call(f"v{i}", attempt(), variables={}) for i in range(2)],
        {"precall_lookup_url": "https://crm.example/{{phone}}"},
    ),
]
CAMPAIGN = {"id": "cp", "name": "Spring", "assistant_id": "a1", "max_concurrent_calls": 5, "from_phone_number": None}


def test_every_call_rule_has_a_trigger_for_the_fix_test():
    assert {rule for rule, *_ in EVIDENCE_CASES} == set(RULES)


@pytest.mark.parametrize(("campaigns"), [[CAMPAIGN], [], None], ids=["a campaign", "no campaign", "not read"])
@pytest.mark.parametrize(("rule", "calls", "changes"), EVIDENCE_CASES, ids=[case[0] for case in EVIDENCE_CASES])
def test_every_field_a_change_names_is_shown_with_its_current_value(
    rule: str, calls: list[dict[str, Any]], changes: dict[str, Any], campaigns: list[dict[str, Any]] | None
):
    """A change may only name a field whose value the answer shows (the campaign's max_concurrent_calls
    was named and shown nowhere): the finding's own field, or ``related``, and its line of text."""
    config = {**CONFIG, **changes}
    found = findings([facts_of(c) for c in calls], config, campaigns=campaigns)
    assert rule in {f.rule for f in found}
    for finding in found:
        text = evidence_line(finding, 3)
        assert f"{finding.field} = {finding.value}" in text
        missing = unshown_fields(
            finding.change, finding.field, finding.related, text, config, base_shown=True, campaigns=campaigns
        )
        assert missing == [], finding


def test_too_many_simultaneous_calls_show_the_concurrency_of_the_campaigns_that_make_them():
    [finding] = [
        f
        for f in findings([facts_of(c) for c in _dialing("too_many_calls")], CONFIG, campaigns=[CAMPAIGN])
        if f.rule == "calls.dial_too_many"
    ]
    assert finding.related == {"campaigns[name=Spring].max_concurrent_calls": "5"}
    assert "campaigns[name=Spring].max_concurrent_calls = 5" in evidence_line(finding, 1)
    [alone] = [
        f
        for f in findings([facts_of(c) for c in _dialing("too_many_calls")], CONFIG, campaigns=[])
        if f.rule == "calls.dial_too_many"
    ]
    assert alone.change.startswith("Start fewer calls at once")
    assert alone.related is None  # no campaign: the change names no campaign field
    [unknown] = [
        f
        for f in findings([facts_of(c) for c in _dialing("too_many_calls")], CONFIG)
        if f.rule == "calls.dial_too_many"
    ]
    assert needs_campaigns([unknown])
    assert not needs_campaigns([finding, alone])
