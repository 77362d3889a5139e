"""Which fields a fix names, where they are read, and how their values are shown: never a secret."""

from __future__ import annotations

from typing import Any

import pytest
from answers_support import unshown_fields
from hypothesis import given, settings
from hypothesis import strategies as st
from support import examples

from revox_mcp.domain.named_fields import (
    CAMPAIGNS_NOT_READ,
    campaign_values,
    named_fields,
    related,
    resolve,
    shown,
    states_value,
)

CONFIG: dict[str, Any] = {
    "prompt": "Be brief. " * 30,
    "first_sentence_mode": "static",
    "call_retry_config": {"max_retry_attempts": 1, "calling_windows": [{"retry_delay_seconds": 60}]},
    "custom_tools": [
        {
            "name": "book",
            "url": "https://user:pw-CANARY@cal.example/b?token=CANARY",
            "headers": [{"key": "X-Shop", "value": "CANARY-1"}],
            "query_params": [{"key": "expand", "value": "CANARY-2"}],
            "body_template": '{"key": "CANARY-3"}',
        }
    ],
    "llm_model": {"type": "custom", "api_key": "CANARY-4", "api_url": "https://llm.example/v1?key=CANARY"},
}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Set call_retry_config.max_retry_attempts to 2.", ("call_retry_config.max_retry_attempts",)),
        ("Raise max_retry_attempts and spread calling_windows.", ("max_retry_attempts", "calling_windows")),
        ("Fix custom_tools[name=Book Slot]: its body_template.", ("custom_tools[name=Book Slot]", "body_template")),
        ("Lower the campaigns' max_concurrent_calls.", ("max_concurrent_calls",)),
        ("Set voice.id (and voice.provider).", ("voice.id", "voice.provider")),
        ("Set first_sentence_mode to 'generated'.", ("first_sentence_mode",)),
        # Not fields: one-word fields used as words, enum values, {{variables}}, other snake_case words.
        ("Say in the prompt how to reach a voice.", ()),
        ("Set it to an owned number (type owned_number), lowercase_snake_case.", ()),
        ("Use only {{transcript}} and {{user_phone_number}}.", ()),
    ],
)
def test_a_fix_names_paths_fields_with_an_underscore_nested_and_campaign_fields(text: str, named: tuple[str, ...]):
    assert named_fields(text) == named


def test_a_nested_field_is_read_under_the_findings_path_first_then_where_it_usually_lives():
    assert resolve("body_template", "custom_tools[name=book]", CONFIG) == "custom_tools[name=book].body_template"
    assert resolve("max_retry_attempts", "call_retry_config.max_retry_attempts", CONFIG) == (
        "call_retry_config.max_retry_attempts"
    )
    assert resolve("calling_windows", "prompt", CONFIG) == "call_retry_config.calling_windows"
    assert resolve("enum_options", "structured_output_config[0]", {}) == "structured_output_config[0].enum_options"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("prompt", '"(300 characters)"'),
        ("custom_tools[0].url", '"https://cal.example"'),
        ("custom_tools[0].headers", '["X-Shop"]'),
        ("custom_tools[0].query_params", '["expand"]'),
        ("custom_tools[0].body_template", '"(19 characters)"'),
        ("llm_model.api_key", '"(set)"'),
        ("llm_model", '{"type":"custom","api_key":"(set)","api_url":"https://llm.example"}'),
        ("call_retry_config.max_retry_attempts", "1"),
        ("first_sentence", "null"),
    ],
)
def test_a_value_is_shown_as_findings_quote_configuration(path: str, value: str):
    assert shown(CONFIG, path) == value


def test_no_secret_is_shown_whatever_the_path():
    for path in ("custom_tools", "custom_tools[0]", "llm_model", "custom_tools[name=book]"):
        assert "CANARY" not in shown(CONFIG, path)


SECRET_KEYS = st.sampled_from(["api_key", "token", "password", "Authorization", "secret", "x_api_key"])
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.just("CANARY-leaf"), st.text(max_size=5))


def _configs() -> st.SearchStrategy[Any]:
    secret = st.dictionaries(SECRET_KEYS, st.just("CANARY-secret"), min_size=1, max_size=2)
    pairs = st.lists(st.fixed_dictionaries({"key": st.text(max_size=5), "value": st.just("CANARY-pair")}), max_size=2)
    url = st.just("https://CANARY@h.example/p?token=CANARY")
    node = st.recursive(
        st.one_of(secret, st.fixed_dictionaries({"headers": pairs, "url": url, "body_template": st.just("CANARY")})),
        lambda inner: st.one_of(st.lists(inner, max_size=2), st.dictionaries(st.sampled_from(["a", "b"]), inner)),
        max_leaves=6,
    )
    return st.dictionaries(st.sampled_from(["custom_tools", "llm_model", "voice", "slack"]), node, min_size=1)


@settings(max_examples=examples(300), deadline=None)
@given(_configs())
def test_shown_values_never_carry_a_credential_header_value_body_template_or_url_secret(config: dict[str, Any]):
    for key in config:
        assert "CANARY" not in shown(config, key)


def test_campaign_fields_are_read_from_each_campaign_or_say_why_they_cannot_be():
    campaigns = [{"name": "Spring", "max_concurrent_calls": 5}, {"id": "c2", "max_concurrent_calls": None}]
    assert campaign_values("max_concurrent_calls", campaigns) == {
        "campaigns[name=Spring].max_concurrent_calls": "5",
        "campaigns[name=c2].max_concurrent_calls": "null",
    }
    assert campaign_values("max_concurrent_calls", None) == {"campaigns.max_concurrent_calls": CAMPAIGNS_NOT_READ}


@pytest.mark.parametrize(
    ("message", "states"),
    [
        ("{path} is {value}, outside the range.", True),
        ("{path} is empty, so nothing is said.", True),
        ("{path} is missing or empty.", True),
        ("{path} is null although required.", True),
        ("{path} is set but sms_enabled is false.", False),
    ],
)
def test_a_message_states_its_paths_value_only_when_it_quotes_it_or_says_it_is_empty(message: str, states: bool):
    assert states_value(message) is states


def test_the_check_catches_a_fix_naming_a_field_the_answer_does_not_show():
    """The guard every engine's test runs: a rule naming max_retry_attempts without its value fails it."""
    fix = "Raise max_retry_attempts to 3."
    assert unshown_fields(fix, "prompt", None, "prompt = ...", CONFIG, base_shown=True) == [
        "max_retry_attempts (call_retry_config.max_retry_attempts = 1)"
    ]
    values = related(fix, "prompt", CONFIG, shown_already=True)
    assert values == {"call_retry_config.max_retry_attempts": "1"}
    text = "prompt = ...; call_retry_config.max_retry_attempts = 1"
    assert unshown_fields(fix, "prompt", values, text, CONFIG, base_shown=True) == []
