"""Redaction: secrets never survive, the shape stays readable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from revox_mcp.domain.redaction import REDACTED, is_secret_key, redact, redact_text, redact_url

FIXTURES = json.loads((Path(__file__).parent / "fixtures_assistants.json").read_text(encoding="utf-8"))
ASSISTANTS: list[dict[str, Any]] = FIXTURES["assistants"]


def by_key(key: str) -> dict[str, Any]:
    return next(a for a in ASSISTANTS if FIXTURES["fixture_index"][a["id"]]["key"] == key)


def test_no_fixture_secret_survives_redaction_of_any_assistant() -> None:
    assert "FAKE" in json.dumps(ASSISTANTS)
    assert "FAKE" not in json.dumps(redact(ASSISTANTS), ensure_ascii=False)


def test_redaction_keeps_header_names_and_placeholders_but_masks_values() -> None:
    tools = redact(by_key("custom_llm_inbound_tools_with_secrets"))["custom_tools"]
    assert tools[0]["headers"] == [
        {"key": "Authorization", "value": REDACTED},
        {"key": "X-Caller-Phone", "value": "{{user_phone_number}}"},
    ]
    assert tools[1]["headers"][1] == {"key": "Content-Type", "value": "application/json"}
    assert tools[1]["query_params"] == [{"key": "api_token", "value": REDACTED}]
    assert tools[0]["url"] == "https://api.acme-fixtures.test/v2/orders/{{order_number}}"


def test_custom_llm_api_key_is_masked_but_its_presence_and_endpoint_stay() -> None:
    llm = redact(by_key("custom_llm_inbound_tools_with_secrets"))["llm_model"]
    assert llm == {
        "type": "custom",
        "api_url": "https://api.together.xyz/v1",
        "model_name": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "api_key": REDACTED,
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://crm.test/lookup?phone={{phone}}&key=FAKE-1",
            f"https://crm.test/lookup?phone={{{{phone}}}}&key={REDACTED}",
        ),
        ("https://hooks.test/x?token=FAKE-2", f"https://hooks.test/x?token={REDACTED}"),
        ("https://user:FAKE-3@host.test/p", f"https://{REDACTED}@host.test/p"),
        ("https://host.test/p?lang=fr&page=2", "https://host.test/p?lang=fr&page=2"),
        ("https://host.test/p#access_token=FAKE-4", f"https://host.test/p#{REDACTED}"),
        (
            "https://hooks.test/services/T01/B02/abc123FAKE5def456ghi789",
            f"https://hooks.test/services/T01/B02/{REDACTED}",
        ),
        ("https://host.test/p?id=8c1e2d3f9a0b4c5d6e7f", f"https://host.test/p?id={REDACTED}"),
    ],
)
def test_urls_keep_host_and_path_and_lose_credentials(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer FAKEtoken123456",
        "use api_key=FAKE-abc to call",
        '{"password": "FAKE-pw"}',
        "key sk-proj-FAKEabcdefghijklmnop in text",
        "slack xoxb-FAKE-1234567890-abcdef",
        "jwt eyJFAKEabcdefgh.eyJpayloadFAKE12.signatureFAKE123",
        "see https://h.test/a?secret=FAKE-s",
    ],
)
def test_free_text_credentials_are_masked(text: str) -> None:
    out = redact_text(text)
    assert "FAKE" not in out
    assert REDACTED in out


@pytest.mark.parametrize(
    "text",
    [
        "Hello {{first_name}}, this is Max from Acme.",
        "Call between 9am and 6pm, Monday to Friday.",
        "Relance impayés — rappel à 18h",
        "Authorization: Bearer {{crm_token}}",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_unknown_credential_named_keys_are_masked_at_any_depth() -> None:
    payload = {
        "some_future_field": {"client_secret": "FAKE-a", "nested": [{"refresh_token": "FAKE-b"}]},
        "credentials": {"user": "FAKE-c", "count": 3},
        "max_tokens": 500,
    }
    out = redact(payload)
    assert "FAKE" not in json.dumps(out)
    assert out["credentials"]["count"] == 3
    assert out["max_tokens"] == 500


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_key", True),
        ("X-Api-Key", True),
        ("Authorization", True),
        ("access_token", True),
        ("password", True),
        ("key", True),
        ("name", False),
        ("connection_id", False),
        ("cartesia_dictionary_pronunciation_id", False),
    ],
)
def test_secret_key_names(name: str, secret: bool) -> None:
    assert is_secret_key(name) is secret


def test_redaction_never_raises_on_odd_values() -> None:
    odd = {"a": object(), "b": (1, 2), 3: "x", "headers": [{"key": None, "value": "FAKE"}, "junk", 5]}
    out = json.dumps(redact(odd), default=str)
    assert "FAKE" not in out
