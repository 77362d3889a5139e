"""Redaction: secrets never survive, the shape stays readable, non-secrets stay exactly as they were."""

from __future__ import annotations

import base64
import json
import random
import string
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from revox_mcp.domain.facts import is_credential_name
from revox_mcp.domain.redaction import REDACTED, Redactor, is_opaque_token, redact, redact_text, redact_url
from revox_mcp.domain.secret_patterns import KEY_FORMATS
from tests.secret_strategies import ALNUM, B64, B64URL, HEX, random_body

FIXTURES = json.loads((Path(__file__).parents[1] / "fixtures_assistants.json").read_text(encoding="utf-8"))
ASSISTANTS: list[dict[str, Any]] = FIXTURES["assistants"]
UPPER_DIGITS = string.ascii_uppercase + string.digits


def by_key(key: str) -> dict[str, Any]:
    return next(a for a in ASSISTANTS if FIXTURES["fixture_index"][a["id"]]["key"] == key)


def fake(prefix: str, size: int, alphabet: str = ALNUM, suffix: str = "") -> str:
    """A key of a documented format with a random body, made at run time (no key-like literal in the source)."""
    return prefix + random_body(random.Random(prefix + str(size)), size, alphabet) + suffix


def _jwt() -> str:
    return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + fake("eyJzdWIiOi", 30, B64URL) + "." + fake("", 43, B64URL)


# One example per entry of secret_patterns.KEY_FORMATS (a test checks that none is missing).
FORMAT_EXAMPLES: dict[str, str] = {
    "OpenAI, Anthropic, DeepSeek, OpenRouter API key": fake("sk-proj-", 64, B64URL),
    "Stripe, ElevenLabs, Cartesia secret key (sk_...)": fake("sk_live_", 24),
    "Stripe restricted or publishable key": fake("rk_live_", 24),
    "Stripe webhook signing secret": fake("whsec_", 32, B64),
    "Groq API key": fake("gsk_", 52),
    "Hugging Face token": fake("hf_", 34),
    "Together AI key": fake("tgp_v1_", 43, B64URL),
    "xAI API key": fake("xai-", 80),
    "Perplexity API key": fake("pplx-", 48),
    "Replicate API token": fake("r8_", 37),
    "Fireworks AI key": fake("fw_", 24),
    "LangSmith key": fake("lsv2_pt_", 32, HEX, "_" + fake("", 10, HEX)),
    "Pinecone key": fake("pcsk_", 60),
    "Google API key": fake("AIza", 35, B64URL),
    "Google OAuth access token": fake("ya29.", 120, B64URL),
    "Google OAuth refresh token": fake("1//0", 60, B64URL),
    "Google OAuth client secret": fake("GOCSPX-", 28, B64URL),
    "Twilio API key SID": fake("SK", 32, HEX),
    "Telnyx API key": fake("KEY", 32, "0123456789ABCDEF", "_" + fake("", 22)),
    "SendGrid API key": fake("SG.", 22, B64URL, "." + fake("", 43, B64URL)),
    "Slack token": "xoxb-1234567890123-1234567890123-" + fake("", 24),
    "Discord bot token": fake("M", 23, B64URL, "." + fake("G", 5, B64URL) + "." + fake("", 27, B64URL)),
    "Mailgun API key": fake("key-", 32, HEX),
    "Mailchimp API key": fake("", 32, HEX, "-us21"),
    "Resend API key": fake("re_", 32),
    "Postman API key": fake("PMAK-", 24, HEX, "-" + fake("", 34, HEX)),
    "GitHub token": fake("ghp_", 36),
    "GitLab token": fake("glpat-", 20, B64URL),
    "AWS access key id": fake("AKIA", 16, UPPER_DIGITS),
    "npm token": fake("npm_", 36),
    "PyPI token": fake("pypi-AgEIcHlwaS5vcmc", 60, B64URL),
    "Docker Hub token": fake("dckr_pat_", 27, B64URL),
    "HashiCorp Vault token": fake("hvs.", 90, B64URL),
    "DigitalOcean token": fake("dop_v1_", 64, HEX),
    "Doppler token": fake("dp.pt.", 43),
    "Databricks token": fake("dapi", 32, HEX),
    "Sentry auth token": fake("sntrys_", 60, B64),
    "age secret key": fake("AGE-SECRET-KEY-1", 58, UPPER_DIGITS),
    "Shopify token": fake("shpat_", 32, HEX),
    "HubSpot private app token": "pat-na1-" + str(uuid.UUID(int=random.Random(7).getrandbits(128))),
    "Notion token": fake("ntn_", 46),
    "Linear API key": fake("lin_api_", 40),
    "Atlassian API token": fake("ATATT3", 60, B64URL),
    "Airtable token": fake("pat", 14, ALNUM, "." + fake("", 64, HEX)),
    "Square or Meta access token": fake("EAAA", 60),
    "Zoho OAuth token": fake("1000.", 32, HEX, "." + fake("", 32, HEX)),
    "Cal.com API key": fake("cal_live_", 32),
    "JSON Web Token": _jwt(),
}
TELEGRAM_TOKEN = "123456789:" + fake("AA", 33, B64URL)
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    + "\n".join(fake(str(n), 64, B64) for n in range(3))
    + "\n-----END RSA PRIVATE KEY-----"
)
TOKEN = fake("", 32, B64URL)  # no format: recognisable only by name, structure or context


def assert_masked(text: str, secret: str) -> None:
    assert secret not in text
    assert quote(secret, safe="") not in text
    assert REDACTED in text


# --- the fixtures ---------------------------------------------------------------------------------------


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(f"{path}.{k}", k) for k in value] + [
            leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}")
        ]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{path}[{i}]")]
    return [(path, value)]


def test_no_fixture_secret_survives_and_every_other_value_and_key_is_unchanged_but_header_values() -> None:
    redacted = Redactor(["FAKE-own-revox-key"]).value(ASSISTANTS)
    assert "FAKE" in json.dumps(ASSISTANTS)
    assert "FAKE" not in json.dumps(redacted, ensure_ascii=False)
    changed = [
        (path, before, after)
        for (path, before), (_, after) in zip(_leaves(ASSISTANTS), _leaves(redacted), strict=True)
        if before != after and not (isinstance(before, str) and "FAKE" in before)
    ]
    # Every header value is masked but a harmless header's (issue 16 item 5): the fixture's X-Tenant too.
    assert changed == [("[6].custom_tools[0].headers[1].value", "acme", REDACTED)]


def test_header_names_and_placeholders_stay_and_header_values_are_masked() -> None:
    tools = redact(by_key("custom_llm_inbound_tools_with_secrets"))["custom_tools"]
    assert tools[0]["headers"] == [
        {"key": "Authorization", "value": REDACTED},
        {"key": "X-Caller-Phone", "value": "{{user_phone_number}}"},
    ]
    assert tools[1]["headers"][1] == {"key": "Content-Type", "value": "application/json"}
    assert tools[1]["query_params"] == [{"key": "api_token", "value": REDACTED}]
    assert tools[0]["query_params"] == [{"key": "expand", "value": "shipments"}]
    assert tools[0]["url"] == "https://api.acme-fixtures.test/v2/orders/{{order_number}}"


def test_custom_llm_api_key_is_masked_but_its_presence_and_endpoint_stay() -> None:
    llm = redact(by_key("custom_llm_inbound_tools_with_secrets"))["llm_model"]
    assert llm == {
        "type": "custom",
        "api_url": "https://api.together.xyz/v1",
        "model_name": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "api_key": REDACTED,
    }


# --- 1. credential names inside JSON and form bodies -----------------------------------------------------

BODY_NAMES = ["key", "auth", "pwd", "signature", "cookie", "password", "session", "X-Auth", "authKey", "client_secret"]


@pytest.mark.parametrize("name", BODY_NAMES)
def test_credential_names_are_masked_in_json_form_yaml_header_and_xml_bodies(name: str) -> None:
    secret = "v4lue-" + TOKEN[:10]
    bodies = [
        json.dumps({"subject": "{{subject}}", name: secret, "priority": "{{priority}}"}),
        json.dumps({"outer": {name: secret}}),
        json.dumps(json.dumps({name: secret})),  # JSON inside a JSON string
        f"a=1&{name}={secret}&b=2",
        f"{name}: {secret}",
        f'{name}: "{secret}"\nmodel: gpt-4.1',
        f"<{name}>{secret}</{name}>",
    ]
    for body in bodies:
        assert_masked(Redactor().text(body), secret)


def test_pair_lists_serialised_inside_strings_mask_credential_and_header_values_and_keep_names() -> None:
    pairs = [
        {"key": "ssh_key", "value": "e763eee85d6ee4"},
        {"key": "X-Shop", "value": "acme"},
        {"key": "Accept", "value": "application/json"},
        {"key": "region", "value": "eu-west"},
    ]
    for text in (json.dumps(pairs), json.dumps(json.dumps(pairs)), json.dumps({"h": json.dumps(pairs)})):
        redacted = Redactor().text(text)
        assert "e763eee85d6ee4" not in redacted
        assert "acme" not in redacted
        for kept in ("ssh_key", "X-Shop", "application/json", "eu-west"):
            assert kept in redacted


def test_json_bodies_stay_valid_json_with_names_numbers_and_placeholders_kept() -> None:
    body = json.dumps({"subject": "{{subject}}", "key": "k-123", "pin": 1234, "auth": {"user": "bob", "pass": "x1"}})
    assert json.loads(Redactor().text(body)) == {
        "subject": "{{subject}}",
        "key": REDACTED,
        "pin": 1234,
        "auth": {"user": REDACTED, "pass": REDACTED},
    }


# --- 2. credential-like names in unknown fields, pair lists under any name -------------------------------

UNKNOWN_NAMES = [
    "session",
    "session_key",
    "signing_key",
    "hmac_key",
    "encryption_key",
    "ssh_key",
    "passphrase",
    "authKey",
    "client_key",
    "X-Auth",
    "webhookSecret",
    "aws_secret_access_key",
    "mot_de_passe",
]


@pytest.mark.parametrize("name", UNKNOWN_NAMES)
def test_credential_named_fields_are_masked_at_any_depth_but_keep_their_structure(name: str) -> None:
    payload = {"future": {"nested": [{name: "FAKE-a"}, {name: {"inner": ["FAKE-b", 3, None]}}]}}
    redacted = redact(payload)
    assert "FAKE" not in json.dumps(redacted)
    assert redacted["future"]["nested"][1][name]["inner"] == [REDACTED, 3, None]


@pytest.mark.parametrize("field", ["webhook_headers", "extra", "anything_else", "headers"])
@pytest.mark.parametrize("name_key", ["key", "name"])
def test_pair_lists_under_any_field_mask_credential_token_and_header_values(field: str, name_key: str) -> None:
    pairs = [
        {name_key: "X-Shop", "value": TOKEN},
        {name_key: "Authorization", "value": "FAKE plain words"},
        {name_key: "X-Shop-Domain", "value": "acme-store"},
        {name_key: "Content-Type", "value": "application/json"},
        {name_key: "X-Caller", "value": "{{user_phone_number}}"},
    ]
    redacted = redact({field: pairs})[field]
    assert [pair["value"] for pair in redacted] == [
        REDACTED,
        REDACTED,
        REDACTED,  # a header's value, whatever its name: only harmless headers' are shown
        "application/json",
        pairs[4]["value"],
    ]
    assert [pair[name_key] for pair in redacted] == [pair[name_key] for pair in pairs]


def test_pairs_given_as_two_item_lists_or_with_a_default_are_pairs_too() -> None:
    payload = {
        "headers": [["Authorization", "Bearer FAKE1"], ["X-Api-Key", "FAKE12"], ["Accept", "text/plain"]],
        "input_schema": [{"name": "api_key", "default": "FAKE3"}, {"name": "lang", "default": "fr"}],
    }
    redacted = redact(payload)
    assert "FAKE" not in json.dumps(redacted)
    assert redacted["headers"][2] == ["Accept", "text/plain"]
    assert redacted["input_schema"][1] == {"name": "lang", "default": "fr"}


def test_header_maps_mask_every_value_but_harmless_headers() -> None:
    headers = {"Authorization": "Bearer FAKE1", "X-Shop": TOKEN, "Accept": "application/json", "X-Region": "eu-west"}
    assert redact({"webhook_headers": headers}) == {
        "webhook_headers": {
            "Authorization": REDACTED,
            "X-Shop": REDACTED,
            "Accept": "application/json",
            "X-Region": REDACTED,
        }
    }


def test_non_string_values_under_credential_names_and_empty_strings_stay() -> None:
    payload = {"api_key": "", "token": None, "max_tokens": 500, "pin": 1234, "secret": True, "password": "{{pwd}}"}
    assert redact(payload) == payload


# --- 3. key formats in free text and URLs --------------------------------------------------------------------


def test_every_key_format_has_an_example() -> None:
    assert sorted(FORMAT_EXAMPLES) == sorted(fmt.name for fmt in KEY_FORMATS)


WRAPPERS = [("", ""), ("(", ")"), ('"', '"'), ("'", "'"), ("[", "]"), ("<", ">"), ("", "."), ("", ","), ("`", "`")]


@pytest.mark.parametrize("secret", [*FORMAT_EXAMPLES.values(), TELEGRAM_TOKEN], ids=[*FORMAT_EXAMPLES, "Telegram"])
def test_key_formats_are_masked_anywhere_in_text_next_to_any_punctuation(secret: str) -> None:
    redactor = Redactor()
    for before, after in WRAPPERS:
        for text in (
            f"{before}{secret}{after}",
            f"Use {before}{secret}{after} for the CRM.",
            f"The key for the CRM is:\n{before}{secret}{after}",
        ):
            assert_masked(redactor.text(text), secret)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (PEM, PEM.splitlines()[1]),
        ("key:\n" + PEM + "\nend", PEM.splitlines()[2]),
        ("Cookie: theme=dark; session=" + TOKEN + "; lang=fr", TOKEN),
        ("Set-Cookie: sid=" + TOKEN + "; Path=/; HttpOnly", TOKEN),
        ("Authorization: Bearer " + TOKEN, TOKEN),
        ("Authorization: Token " + TOKEN, TOKEN),
        ("X-Api-Key: " + TOKEN, TOKEN),
        ("pwd=" + TOKEN[:9] + " then call", TOKEN[:9]),
        ("password: " + TOKEN[:9], TOKEN[:9]),
        ("my key is " + fake("", 32, HEX), fake("", 32, HEX)),
        ("the api key for the CRM is " + TOKEN[:12] + ".", TOKEN[:12]),
        ("token: " + TOKEN, TOKEN),
        ("mot de passe : " + TOKEN[:10], TOKEN[:10]),
        ("api_key: '" + TOKEN + "'", TOKEN),
        ("Basic " + "YWRtaW46czNjcjN0LXBhc3N3b3Jk", "YWRtaW46czNjcjN0LXBhc3N3b3Jk"),
        ("curl --token " + TOKEN + " https://x.test", TOKEN),
        ("export AWS_SECRET_ACCESS_KEY=" + fake("", 40, B64), fake("", 40, B64)),
        ("Server=db;User Id=sa;Password=" + TOKEN[:12] + ";Database=x", TOKEN[:12]),
        ("a random " + fake("", 40) + " in prose", fake("", 40)),
        ("the password is Tr0ub4dor-x, keep it safe", "Tr0ub4dor-x"),
        ("sip:alice:" + TOKEN[:14] + "@sip.example.com;transport=tls", TOKEN[:14]),
        ("curl -u admin:" + TOKEN[:14] + " https://api.example.com", TOKEN[:14]),
        ("api_key: |\n  " + TOKEN + "\nmodel: gpt-4.1", TOKEN),
        ("password=" + TOKEN[:6] + "=" + TOKEN[6:14] + "&lang=fr", TOKEN[6:14]),
        ("%7B%22api_key%22%3A%22" + TOKEN + "%22%7D", TOKEN),
    ],
)
def test_secrets_with_a_name_a_structure_or_a_context_are_masked_in_free_text(text: str, secret: str) -> None:
    assert_masked(Redactor().text(text), secret)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://crm.test/lookup?phone={{phone}}&key=FAKE-1",
            f"https://crm.test/lookup?phone={{{{phone}}}}&key={REDACTED}",
        ),
        ("https://hooks.test/x?token=FAKE-2", f"https://hooks.test/x?token={REDACTED}"),
        ("https://user:FAKE-3@host.test/p", f"https://{REDACTED}:{REDACTED}@host.test/p"),
        ("https://FAKE3token@host.test/p", f"https://{REDACTED}@host.test/p"),
        ("postgres://app:FAKE-pw@db.test:5432/prod", f"postgres://{REDACTED}:{REDACTED}@db.test:5432/prod"),
        ("https://host.test/p?lang=fr&page=2", "https://host.test/p?lang=fr&page=2"),
        ("https://host.test/p#access_token=FAKE-4&state=ok", f"https://host.test/p#access_token={REDACTED}&state=ok"),
        ("https://host.test/p#" + TOKEN, f"https://host.test/p#{REDACTED}"),
        (
            "https://hooks.test/services/T01/B02/abc123FAKE5def456ghi789",
            f"https://hooks.test/services/T01/B02/{REDACTED}",
        ),
        ("https://host.test/p?id=8c1e2d3f9a0b4c5d6e7f", f"https://host.test/p?id={REDACTED}"),
        (
            "https://b.s3.amazonaws.com/r.wav?X-Amz-Credential=AKIA%2F2024&X-Amz-Expires=3600&X-Amz-Signature=FAKE99",
            f"https://b.s3.amazonaws.com/r.wav?X-Amz-Credential={REDACTED}&X-Amz-Expires=3600&X-Amz-Signature={REDACTED}",
        ),
        (
            "https://x.blob.core.windows.net/a.mp3?sv=2022-11-02&sig=FAKE%2Bsig",
            f"https://x.blob.core.windows.net/a.mp3?sv=2022-11-02&sig={REDACTED}",
        ),
        (
            f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/sendMessage",
            f"https://api.telegram.org/{REDACTED}/sendMessage",
        ),
        (
            "https://x.test/k/" + quote(FORMAT_EXAMPLES["Stripe webhook signing secret"], safe=""),
            f"https://x.test/k/{REDACTED}",
        ),
        (
            "https://api.calendly.com/event_types/b2330295-2a91-4a1d-bb73-99e7707663d5",
            "https://api.calendly.com/event_types/b2330295-2a91-4a1d-bb73-99e7707663d5",
        ),
        ("https://h.test/{{tenant}}/x?k={{api_key}}", "https://h.test/{{tenant}}/x?k={{api_key}}"),
        ("See https://h.test/a?secret=FAKE-s.", f"See https://h.test/a?secret={REDACTED}."),
    ],
)
def test_urls_keep_scheme_host_and_path_and_lose_credentials(url: str, expected: str) -> None:
    assert redact_url(url) == expected


# --- 4. every string and every key is scanned, whatever its field ----------------------------------------


@pytest.mark.parametrize(
    "place",
    ["name", "type", "updated_at", "stt_model", "voice.id", "email_notification_outcomes", "prompt_placeholder", "key"],
)
def test_a_secret_is_masked_in_any_field_and_in_object_keys(place: str) -> None:
    secret = FORMAT_EXAMPLES["Google API key"]
    document: dict[str, Any] = {
        "name": {"name": f"Support {secret}"},
        "type": {"type": secret},
        "updated_at": {"updated_at": secret},
        "stt_model": {"stt_model": secret},
        "voice.id": {"voice": {"id": secret}},
        "email_notification_outcomes": {"email_notification_outcomes": ["interested", secret]},
        "prompt_placeholder": {"prompt": "Hello {{" + secret + "}}"},
        "key": {"structured_output_config": {secret: True}},
    }[place]
    assert secret not in json.dumps(redact(document))


def test_secret_keys_are_masked_and_colliding_keys_stay_distinct() -> None:
    first, second = FORMAT_EXAMPLES["Stripe, ElevenLabs, Cartesia secret key (sk_...)"], FORMAT_EXAMPLES["Groq API key"]
    redacted = redact({"map": {first: 1, second: 2, "plain": 3}})
    assert redacted == {"map": {REDACTED: 1, f"{REDACTED}#2": 2, "plain": 3}}


# --- 6. our own secrets, by value ---------------------------------------------------------------------------


def test_known_secrets_are_masked_verbatim_inside_text_url_encoded_and_as_keys() -> None:
    own = "rvx+own/key=" + TOKEN[:12]
    redactor = Redactor([own, "short", "  spaced-secret-value \n"])
    texts = [
        own,
        f"prefix{own}suffix",
        f"https://x.test/?k={quote(own, safe='')}",
        f"https://x.test/?k={quote(own, safe='').lower()}",
        f"a={quote_plus(own)}",
        "spaced-secret-value",
    ]
    for text in texts:
        assert own not in redactor.text(text)
        assert REDACTED in redactor.text(text)
    assert redactor.value({own: own}) == {REDACTED: REDACTED}


def test_known_secrets_are_masked_inside_base64_at_any_alignment() -> None:
    own = "rvx_own_" + TOKEN[:16]
    redactor = Redactor([own])
    for prefix in ("", "a:", "ab:", "user:"):
        encoded = base64.b64encode(f"{prefix}{own}:tail".encode()).decode()
        redacted = redactor.text(f"Authorization-ish blob {encoded}")
        assert not any(encoded[i : i + 12] in redacted for i in range(8, len(encoded) - 20))


def test_known_secrets_shorter_than_eight_characters_are_ignored() -> None:
    assert Redactor(["short", "", "abc"]).text("a short abc text") == "a short abc text"


def test_module_helpers_take_known_secrets_too() -> None:
    assert redact_text("key is lowercaseonlysecret", ["lowercaseonlysecret"]) == f"key is {REDACTED}"
    assert redact({"x": "lowercaseonlysecret"}, ["lowercaseonlysecret"]) == {"x": REDACTED}


# --- what must survive ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hello {{first_name}}, this is Max from Acme.",
        "Call between 9am and 6pm, Monday to Friday.",
        "Relance impayés — rappel à 18h",
        "Authorization: Bearer {{crm_token}}",
        "Stay concise: max 60 tokens per turn. Relevant context: {{step_1_context}}.",
        "The key date is 2026-01-12; the key point is to stay polite.",
        "Never read out full card numbers or passwords.",
        "max_tokens: 500",
        "Use a Bearer token for auth.",
        "2026-02-03T16:42:51.904Z",
        "+33180000001",
        "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61",
        "openai/gpt-4.1",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "requested_callback_later",
        "https://api.example.com/v1/x?mode=fast",
        "sales-team@acme-fixtures.test",
        "keyboard-typing.ogg",
        "SendConfirmationEmailToCustomer",
        "sip:alice@sip.example.com",
        "mailto:sales@example.com",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert Redactor().text(text) == text


def test_random_looking_ids_survive_in_id_fields_but_not_in_other_fields() -> None:
    eleven_labs = "21m00Tcm4TlvDq8ikWAM"
    payload = {
        "voice": {"id": eleven_labs, "provider": "elevenlabs"},
        "voice_id": eleven_labs,
        "assistantIds": [eleven_labs],
        "cartesia_dictionary_pronunciation_id": "pdict_01JBX4T9Q2M7Z8K3W5R6N0PCDE",
        "some_value": eleven_labs,
        "id_with_a_key_format": FORMAT_EXAMPLES["Google API key"],
    }
    assert redact(payload) == {**payload, "some_value": REDACTED, "id_with_a_key_format": REDACTED}


@pytest.mark.parametrize(
    ("value", "opaque"),
    [
        ("21m00Tcm4TlvDq8ikWAM", True),
        (fake("", 32, HEX), True),
        ("0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61", False),
        ("meta-llama/Llama-3.3-70B-Instruct-Turbo", False),
        ("nango-calendly-3f2a6c1d", False),
        ("requested_callback_later", False),
        ("keyboard-typing.ogg", False),
        ("short1A", False),
        ("SendConfirmationEmailToCustomer", False),
        ("getOrderStatusV2ForCustomer", False),
        ("iPhone15ProMaxCaseBlack", False),
    ],
)
def test_opaque_tokens_are_told_from_ids_names_and_words(value: str, opaque: bool) -> None:
    assert is_opaque_token(value) is opaque


# --- the one credential-name rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "credential"),
    [
        ("api_key", True),
        ("X-Api-Key", True),
        ("APIKey", True),
        ("authKey", True),
        ("X-Auth", True),
        ("Authorization", True),
        ("access_token", True),
        ("password", True),
        ("pass_word", True),
        ("key", True),
        ("key2", True),
        ("session", True),
        ("session_id", True),
        ("signing_key", True),
        ("passphrase", True),
        ("x-amz-signature", True),
        ("Set-Cookie", True),
        ("mot_de_passe", True),
        ("clientsecret", True),
        ("name", False),
        ("id", False),
        ("voice_id", False),
        ("connection_id", False),
        ("cartesia_dictionary_pronunciation_id", False),
        ("max_tokens", False),
        ("maxTokens", False),
        ("prompt_tokens", False),
        ("token_type", False),
        ("auth_mode", False),
        ("secret_name", False),
        ("keyboard", False),
        ("author", False),
        ("tokenizer", False),
        ("secretary", False),
        ("updated_at", False),
    ],
)
def test_credential_names(name: str, credential: bool) -> None:
    assert is_credential_name(name) is credential


# --- robustness -------------------------------------------------------------------------------------------------


def test_value_never_raises_on_odd_values() -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no")

    odd = {
        "a": object(),
        "b": (1, 2),
        3: "x",
        10**5000: "huge key",
        None: float("nan"),
        "c": Unprintable(),
        "headers": [{"key": None, "value": "FAKE"}, "junk", 5, {1: "FAKE2x9Qz7Lm3"}],
    }
    out = json.dumps(redact(odd), default=str)
    assert "FAKE" not in out
    assert REDACTED in out


HOSTILE_UNITS = ["a", "{", "=", "%", "-", ":", "a:", "a=", '"a":"', "%41", "\\", "sk-", "eyJ", "https://", "key "]
# Dense credential pairs cost one step per pair (each is masked): a smaller text keeps the test quick.
DENSE_UNITS = ["key=", '"password": [', "Bearer ", "key 1 "]
HOSTILE_CASES = [(unit, 1_000_000) for unit in HOSTILE_UNITS] + [(unit, 200_000) for unit in DENSE_UNITS]


def ends(work: Callable[[], object], within: float = 120) -> bool:
    """Whether ``work`` ends before a deadline only catastrophic backtracking reaches (it runs for hours;
    a linear pass takes about a second): a guard against a hang, never a measure of how long it took."""
    done = threading.Event()
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # raised below, in the test's own thread
            failed.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()  # a hung regex cannot be interrupted: left to the exit
    ended = done.wait(within)
    if failed:
        raise failed[0]
    return ended


@pytest.mark.parametrize(("unit", "size"), HOSTILE_CASES)
def test_hostile_strings_are_redacted_in_linear_time(unit: str, size: int) -> None:
    text = (unit * (size // len(unit) + 1))[:size]
    assert ends(lambda: Redactor(["own-secret-1"]).text(text))


def test_a_mixed_hostile_megabyte_is_redacted_in_linear_time() -> None:
    rng = random.Random(9)
    text = "".join(rng.choice("a{=%-:\"'\\/@.&?#[]<> 1A_+~") for _ in range(1_000_000))
    assert ends(lambda: Redactor().value({"k": text}))
