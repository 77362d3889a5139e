"""Header values are masked whatever their name, but a few harmless headers' (issue 16 item 5).

Custom tool headers (``X-Custom``), prompt flow node headers (``X-Flow``), ``{key, value}`` lists under
other names (``webhook_headers``), header maps, ``[name, value]`` lists, headers written as JSON or as
lines, ``X-`` headers in free text, and the same with repeated JSON keys: the name stays, the value goes.
Only Content-Type, Accept, Accept-Charset, Accept-Encoding, Accept-Language, Content-Language,
Cache-Control, Pragma and User-Agent show their values, and only values that fit the header.
Query parameters keep the name-based rule.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sdk_shapes import assistants
from secret_strategies import HARMLESS_HEADERS, HeaderPlant, duplicate_key_headers, header_documents
from support import examples

from revox_mcp.api.payload import parse_json
from revox_mcp.domain.redaction import REDACTED, Redactor, redact


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _settings(full: int) -> settings:
    return settings(
        max_examples=examples(full),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- where headers are ------------------------------------------------------------------------------------


def test_custom_tool_headers_mask_every_value_under_any_name_and_keep_the_names() -> None:
    tool = {
        "name": "lookup",
        "headers": [
            {"key": "X-Custom", "value": "shopowner"},
            {"key": "X-Tenant", "value": "acme"},
            {"key": "Shop-Domain", "value": "Shop Token Value"},
            {"key": "Content-Type", "value": "application/json"},
            {"key": "X-Caller-Phone", "value": "{{user_phone_number}}"},
            {"key": "X-Empty", "value": ""},
        ],
    }
    assert redact({"custom_tools": [tool]})["custom_tools"][0]["headers"] == [
        {"key": "X-Custom", "value": REDACTED},
        {"key": "X-Tenant", "value": REDACTED},
        {"key": "Shop-Domain", "value": REDACTED},
        {"key": "Content-Type", "value": "application/json"},
        {"key": "X-Caller-Phone", "value": "{{user_phone_number}}"},  # filled at call time: not a secret
        {"key": "X-Empty", "value": ""},
    ]


def test_prompt_flow_node_headers_and_integration_headers_are_masked() -> None:
    assistant = {
        "prompt_flow": {"nodes": [{"id": "n1", "data": {"title": "Intro", "headers": {"X-Flow": "flowvalue"}}}]},
        "zoho": {"connection_id": "nango-1", "request_headers": [["X-Org", "acme-org"]]},
        "webhook_headers": [{"key": "X-Shop", "value": "acme-store"}],
    }
    redacted = redact(assistant)
    assert redacted["prompt_flow"]["nodes"][0]["data"] == {"title": "Intro", "headers": {"X-Flow": REDACTED}}
    assert redacted["zoho"] == {"connection_id": "nango-1", "request_headers": [["X-Org", REDACTED]]}
    assert redacted["webhook_headers"] == [{"key": "X-Shop", "value": REDACTED}]


def test_pairs_and_keys_named_like_custom_headers_are_headers_anywhere() -> None:
    payload = {
        "extra": [
            {"name": "X-Shop", "value": "acme"},
            {"name": "region", "value": "eu-west"},
            {"name": "Shop-Domain", "value": "acme-store"},  # shaped like a header: the parameter rule
            {"name": "Shop-Domain", "value": "k3J9sLq2Xz8VbN4mP7"},
        ],
        "crm": {"X-Store": "acme", "region": "eu-west"},
        "stt_context": {"general": [{"key": "city", "value": "Lyon"}]},
    }
    assert redact(payload) == {
        "extra": [
            {"name": "X-Shop", "value": REDACTED},
            {"name": "region", "value": "eu-west"},
            {"name": "Shop-Domain", "value": "acme-store"},
            {"name": "Shop-Domain", "value": REDACTED},
        ],
        "crm": {"X-Store": REDACTED, "region": "eu-west"},
        "stt_context": {"general": [{"key": "city", "value": "Lyon"}]},  # not headers: vocabulary, shown
    }


def test_headers_written_as_json_or_as_lines_mask_their_values() -> None:
    as_json = json.dumps([{"key": "X-Shop", "value": "acme"}, {"key": "Accept", "value": "application/json"}])
    as_lines = "X-Shop: acme\nAccept: application/json\nnot a header line"
    redacted = redact({"headers": as_json, "webhook_headers": as_lines})
    assert json.loads(redacted["headers"]) == [
        {"key": "X-Shop", "value": REDACTED},
        {"key": "Accept", "value": "application/json"},
    ]
    assert redacted["webhook_headers"] == f"X-Shop: {REDACTED}\nAccept: application/json\nnot a header line"


def test_x_headers_in_free_text_and_serialised_pairs_lose_their_values() -> None:
    texts = {
        "Send X-Shop: acme-store with every request.": f"Send X-Shop: {REDACTED}",
        '{"X-Shop": "acme", "Content-Type": "application/json"}': f'{{"X-Shop": "{REDACTED}", "Content-Type"',
        json.dumps(json.dumps({"x-tenant": "acme"})): REDACTED,
        json.dumps([{"name": "X-Shop-Domain", "value": "acme"}]): f'"value": "{REDACTED}"',
    }
    for text, expected in texts.items():
        redacted = Redactor().text(text)
        assert expected in redacted, redacted
        assert "acme" not in redacted.replace("acme-store", "") or "acme-store" not in text, redacted
    assert Redactor().text("Content-Type: application/json") == "Content-Type: application/json"


@pytest.mark.parametrize(("name", "value"), HARMLESS_HEADERS)
def test_harmless_headers_show_values_that_fit_them(name: str, value: str) -> None:
    assert redact({"headers": {name: value}}) == {"headers": {name: value}}
    assert redact({"headers": [{"key": name.lower(), "value": value}]})["headers"][0]["value"] == value


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Content-Type", "hunter2"),
        ("Content-Type", "text/plain; shopsecret"),
        ("Accept", "qzxkvwabcd"),
        ("Accept-Encoding", "qzxkvwabcd"),
        ("Accept-Language", "qzxkvwab"),
        ("Cache-Control", "acme-store"),
        ("User-Agent", "Basic qzxkvwabcd"),
        ("User-Agent", "Bot/1.0 (k3J9sLq2Xz8VbN4m)"),
    ],
)
def test_a_value_that_does_not_fit_its_harmless_header_is_masked(name: str, value: str) -> None:
    assert redact({"headers": {name: value}}) == {"headers": {name: REDACTED}}


def test_query_parameters_keep_the_name_based_rule() -> None:
    params = [
        {"key": "region", "value": "eu"},
        {"key": "expand", "value": "shipments"},
        {"key": "api_token", "value": "plain"},
        {"key": "store", "value": "k3J9sLq2Xz8VbN4mP7"},
    ]
    assert [pair["value"] for pair in redact({"query_params": params})["query_params"]] == [
        "eu",
        "shipments",
        REDACTED,  # a credential's name
        REDACTED,  # not plain
    ]
    url = "https://api.example.com/x?region=eu&api_token=plain&sig=abc"
    assert Redactor().text(url) == f"https://api.example.com/x?region=eu&api_token={REDACTED}&sig={REDACTED}"


# --- planted values, generated names and places -----------------------------------------------------------


def _leaked(output: str, plants: list[HeaderPlant]) -> list[HeaderPlant]:
    return [plant for plant in plants if plant.marker in output]


@_settings(300)
@given(header_documents())
def test_no_planted_header_value_survives_and_harmless_ones_stay(
    case: tuple[dict[str, Any], list[HeaderPlant], list[str]],
) -> None:
    document, plants, shown = case
    assert _leaked(_dump(document), plants) == plants
    redactor = Redactor()
    redacted = redactor.value(document)
    output = _dump(redacted)
    assert _leaked(output, plants) == []
    for plant in plants:
        assert plant.name in output
    for value in shown:
        assert value in output
    assert redactor.value(redacted) == redacted


@_settings(60)
@given(header_documents(base=assistants()))
def test_no_planted_header_value_survives_in_sdk_shaped_assistants(
    case: tuple[dict[str, Any], list[HeaderPlant], list[str]],
) -> None:
    document, plants, _shown = case
    assert _leaked(_dump(Redactor().value(document)), plants) == []


@_settings(300)
@given(duplicate_key_headers())
def test_repeated_json_keys_never_pair_a_planted_value_with_a_harmless_name(
    case: tuple[str, list[HeaderPlant]],
) -> None:
    text, plants = case
    parsed = parse_json(text.encode()).value  # what the server reads, repeated keys resolved its way
    output = _dump(Redactor().value(parsed))
    assert _leaked(output, plants) == []
