"""Hypothesis strategies that plant generated secrets in assistant-shaped documents, and a leak check.

(Not ``tests/secrets.py``: pytest puts ``tests/`` first on ``sys.path``, where that name would shadow
the standard library's ``secrets``, which starlette imports.)

Reusable by any test that must prove no secret reaches the model, whatever the tool:

- ``secrets()``: a ``Planted(kind, value)`` of every class the redactor recognises (provider key
  formats, JWTs, PEM blocks, header lines, URLs with credentials, named passwords and hex keys,
  random tokens, the server's own key), with realistic random bodies;
- ``planted_documents()``: ``(document, planted)``, an assistant-shaped object with those secrets in
  generated places (known and unknown fields, object keys, ``{key, value}``/``{name, value}`` lists
  under any name, JSON and form bodies inside strings, URLs, header lines, free text at the start,
  middle or end, next to punctuation);
- ``benign_documents()``: the same, but every known field holds a non-secret value that must survive
  (ids, voice ids, enums, timestamps, phone numbers, prose) and the secrets go elsewhere;
- ``leaks(text, planted)``: the planted secrets that appear in ``text``, whole, URL-encoded, or as any
  12-character piece of their random part (a cut prefix counts as a leak);
- ``own_secrets(planted)``: the values to give ``Redactor(known_secrets=...)`` (or the server's
  ``REVOX_API_KEY``) for the secrets that only their value identifies.

Random bodies come from ``random.Random(seed)`` with the seed drawn by hypothesis: uniform like real
keys, reproducible under ``derandomize=True``.
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

from hypothesis import strategies as st

from revox_mcp.domain.facts import FIELDS, name_words

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64URL = ALNUM + "-_"
B64 = ALNUM + "+/"
PASSWORD_CHARS = ALNUM + "!*-_.~"


@dataclass(frozen=True)
class Planted:
    """A secret as planted: its class, the text planted, and the random part that must never show."""

    kind: str
    value: str
    core: str = ""  # the random part (default: the whole value); no 12-character piece of it may leak
    named: bool = False  # recognisable only next to a credential name or word (no format of its own)
    own: bool = False  # one of the server's own secrets: recognised by value (known_secrets)

    @property
    def secret(self) -> str:
        return self.core or self.value


def random_body(rng: random.Random, size: int, alphabet: str = ALNUM) -> str:
    """Uniform random characters, with at least one digit and one letter of each case the alphabet has."""
    chars = [rng.choice(alphabet) for _ in range(size)]
    needed = [
        pool for pool in (string.digits, string.ascii_lowercase, string.ascii_uppercase) if set(pool) & set(alphabet)
    ]
    positions = rng.sample(range(size), len(needed))
    for position, pool in zip(positions, needed, strict=True):
        chars[position] = rng.choice([c for c in pool if c in alphabet])
    return "".join(chars)


def _digits(rng: random.Random, size: int) -> str:
    return str(rng.randint(1, 9)) + "".join(rng.choice(string.digits) for _ in range(size - 1))


# --- the secret classes ----------------------------------------------------------------------------------


def _provider(prefix: str, size: int, alphabet: str = ALNUM, suffix: str = "") -> Callable[[random.Random], Planted]:
    def make(rng: random.Random) -> Planted:
        body = random_body(rng, size, alphabet)
        return Planted(f"key {prefix}", prefix + body + suffix, body)

    return make


def _sendgrid(rng: random.Random) -> Planted:
    first, second = random_body(rng, 22, B64URL), random_body(rng, 43, B64URL)
    return Planted("key SendGrid", f"SG.{first}.{second}", first + second)


def _slack(rng: random.Random) -> Planted:
    if rng.random() < 0.5:
        body = random_body(rng, 24)
        return Planted("key Slack bot", f"xoxb-{_digits(rng, 12)}-{_digits(rng, 13)}-{body}", body)
    body = random_body(rng, 64, HEX)
    return Planted(
        "key Slack app",
        f"xapp-1-A{random_body(rng, 10, string.ascii_uppercase + string.digits)}-{_digits(rng, 13)}-{body}",
        body,
    )


def _twilio_api_key(rng: random.Random) -> Planted:
    body = random_body(rng, 32, HEX)
    return Planted("key Twilio SK", "SK" + body, body)


def _jwt(rng: random.Random) -> Planted:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps({"sub": random_body(rng, 12), "iat": rng.randint(10**9, 2 * 10**9)}).encode())
    signature = random_body(rng, 43, B64URL)
    return Planted("JWT", f"{header}.{payload}.{signature}", signature)


def _telegram(rng: random.Random) -> Planted:
    body = random_body(rng, 33, B64URL)
    return Planted("key Telegram bot", f"{_digits(rng, rng.randint(8, 10))}:AA{body}", body)


def _aws_key_id(rng: random.Random) -> Planted:
    body = random_body(rng, 16, string.ascii_uppercase + string.digits)
    return Planted("key AWS id", "AKIA" + body, body)


def _pem(rng: random.Random) -> Planted:
    label = rng.choice(
        ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]
    )
    lines = [random_body(rng, 64, B64) for _ in range(rng.randint(2, 5))]
    body = "\n".join(lines)
    return Planted("PEM block", f"-----BEGIN {label}-----\n{body}\n-----END {label}-----", body)


def _random_token(rng: random.Random) -> Planted:
    body = random_body(rng, rng.randint(32, 64))
    return Planted("random token", body, body)


def _auth_scheme(rng: random.Random) -> Planted:
    if rng.random() < 0.5:
        body = base64.b64encode(f"{rng.choice(['admin', 'bot', 'svc'])}:{random_body(rng, 16)}".encode()).decode()
        return Planted("Basic credentials", f"Basic {body}", body.rstrip("="))
    body = random_body(rng, rng.randint(20, 48), B64URL)
    return Planted("Bearer token", f"Bearer {body}", body)


def _header_line(rng: random.Random) -> Planted:
    body = random_body(rng, rng.randint(16, 40), B64URL)
    line = rng.choice(
        [
            f"Authorization: Bearer {body}",
            f"Authorization: Token {body}",
            f"Cookie: theme=dark; session={body}; lang=fr",
            f"Set-Cookie: sid={body}; Path=/; HttpOnly",
            f"X-Api-Key: {body}",
            f"X-Auth: {body}",
            f"Proxy-Authorization: Basic {body}",
        ]
    )
    return Planted("header line", line, body)


def _url_credential(rng: random.Random) -> Planted:
    body = random_body(rng, rng.randint(16, 40), B64URL)
    host = rng.choice(["hooks.example.com", "crm.example.io", "api.shop.test"])
    url = rng.choice(
        [
            f"https://{host}/revox?token={body}",
            f"https://{host}/v1/lookup?phone={{{{phone}}}}&api_key={body}&lang=fr",
            f"https://{host}/cb#access_token={body}&token_type=bearer",
            f"https://svc:{body}@{host}/v2/items",
            f"postgres://app:{body}@db.{host}:5432/prod",
            f"https://{host}/hooks/{body}",
            f"https://hooks.slack.com/services/T{_digits(rng, 8)}/B{_digits(rng, 8)}/{body}",
            f"https://{host}/rec/{_digits(rng, 6)}.wav?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600"
            f"&X-Amz-Signature={body}",
            f"https://{host}/audio.mp3?sv=2022-11-02&se=2026-01-01T00%3A00%3A00Z&sig={quote(body, safe='')}",
        ]
    )
    return Planted("URL credential", url, body)


def _telegram_url(rng: random.Random) -> Planted:
    token = _telegram(rng)
    return Planted("Telegram URL", f"https://api.telegram.org/bot{token.value}/sendMessage", token.core)


def _password(rng: random.Random) -> Planted:
    body = random_body(rng, rng.randint(8, 24), PASSWORD_CHARS)
    return Planted("password", body, body, named=True)


def _hex_key(rng: random.Random) -> Planted:
    body = random_body(rng, rng.choice([32, 40, 64]), HEX)  # Twilio auth tokens, Deepgram, AssemblyAI, Mistral...
    return Planted("hex key", body, body, named=True)


def _aws_secret(rng: random.Random) -> Planted:
    body = random_body(rng, 40, B64)
    return Planted("AWS secret key", body, body, named=True)


def _own_key(rng: random.Random) -> Planted:
    if rng.random() < 0.5:  # nothing but its value identifies it: lower-case letters only
        body = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(12, 24)))
    else:  # characters that URL-encoding changes
        body = random_body(rng, rng.randint(20, 40), B64 + "=")
    return Planted("own key", body, body, own=True)


_KINDS: tuple[Callable[[random.Random], Planted], ...] = (
    _provider("sk-", 48),
    _provider("sk-proj-", 64, B64URL),
    _provider("sk-ant-api03-", 80, B64URL, "AA"),
    _provider("sk_live_", 24),
    _provider("rk_live_", 24),
    _provider("sk_test_", 32),
    _provider("sk_", 48, HEX),  # ElevenLabs
    _provider("whsec_", 32, B64),
    _provider("AIza", 35, B64URL),
    _provider("ya29.", 120, B64URL),
    _provider("gsk_", 52),
    _provider("hf_", 34),
    _provider("ghp_", 36),
    _provider("github_pat_", 60),
    _provider("glpat-", 20, B64URL),
    _provider("tgp_v1_", 43, B64URL),
    _provider("xai-", 80),
    _provider("r8_", 37),
    _provider("pplx-", 48),
    _sendgrid,
    _slack,
    _twilio_api_key,
    _jwt,
    _telegram,
    _aws_key_id,
    _pem,
    _random_token,
    _auth_scheme,
    _header_line,
    _url_credential,
    _telegram_url,
    _password,
    _hex_key,
    _aws_secret,
    _own_key,
)


def secrets() -> st.SearchStrategy[Planted]:
    """One generated secret of any recognised class."""
    return st.builds(
        lambda make, seed: make(random.Random(f"secret {seed}")), st.sampled_from(_KINDS), st.integers(0, 2**32)
    )


# --- where secrets go ------------------------------------------------------------------------------------

CREDENTIAL_NAMES = (
    "api_key",
    "apiKey",
    "X-Api-Key",
    "token",
    "access_token",
    "auth_token",
    "authKey",
    "auth",
    "X-Auth",
    "key",
    "secret",
    "client_secret",
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "signature",
    "sig",
    "cookie",
    "session",
    "session_key",
    "signing_key",
    "hmac_key",
    "encryption_key",
    "ssh_key",
    "client_key",
    "private_key",
    "webhook_secret",
    "Authorization",
    "credentials",
    "mot_de_passe",
    "refreshToken",
    "aws_secret_access_key",
)
HEADER_NAMES = ("Authorization", "X-Api-Key", "X-Auth", "X-Auth-Token", "Api-Key", "X-Signature")
PROSE_WORDS = ("key", "api key", "password", "token", "secret", "passphrase", "auth token", "mot de passe")
NEUTRAL_NAMES = (
    "data",
    "config",
    "meta",
    "extra",
    "integration",
    "crm",
    "settings",
    "misc",
    "x_custom",
    "payload",
    "notes",
)
NEUTRAL_PAIR_NAMES = ("X-Shop", "X-Tenant", "company", "customer", "region", "X-Store")
PAIR_LIST_NAMES = ("headers", "webhook_headers", "query_params", "extra", "variables", "metadata", "params", "env")
SENTENCES = (
    "You are Lucy, a virtual assistant for {{company_name}}.",
    "Stay concise: max 60 tokens per turn.",
    "The key date is 2026-01-12; call between 9am and 6pm.",
    "Relance impayés — rappel à 18h, merci.",
    "Never read out full card numbers or passwords.",
    "If asked whether you are an AI, confirm it clearly.",
    "",
)
WRAPPERS = (
    ("", ""),
    ("(", ")"),
    ('"', '"'),
    ("'", "'"),
    ("[", "]"),
    ("<", ">"),
    ("", "."),
    ("", ","),
    ("`", "`"),
    (" ", " "),
)
# Free-text fields and others of the assistant (the second kind: enums, ids, timestamps, names...).
TEXT_FIELDS = tuple(name for name, spec in FIELDS.items() if spec.kind in ("str", "any"))
LIST_FIELDS = tuple(name for name, spec in FIELDS.items() if spec.kind == "list")
DICT_FIELDS = tuple(name for name, spec in FIELDS.items() if spec.kind == "dict")


def _id_like(name: str) -> bool:
    """Fields where a random-looking token is taken for an id (see the redaction rule)."""
    return any(word in ("id", "ids", "uuid", "guid", "voice", "voices") for word in name_words(name))


def _in_text(rng: random.Random, piece: str) -> str:
    """``piece`` in prose: at the start, the middle or the end, next to punctuation or spaces."""
    before, after = rng.choice(WRAPPERS)
    where = rng.choice(["start", "middle", "end", "alone"])
    sentence = rng.choice(SENTENCES)
    wrapped = before + piece + after
    if where == "start":
        return wrapped + " " + sentence
    if where == "middle":
        return sentence + " " + wrapped + " " + rng.choice(SENTENCES)
    if where == "end":
        return sentence + (rng.choice([" ", "\n", ": "]) if sentence else "") + wrapped
    return wrapped


def _named_text(rng: random.Random, secret: str) -> str:
    """A named secret in free text or a string body: pairs, YAML, JSON, forms, header lines, prose."""
    name = rng.choice(CREDENTIAL_NAMES)
    word = rng.choice(PROSE_WORDS)
    tag = rng.choice(["password", "token", "apiKey"])
    return rng.choice(
        [
            f"{name}: {secret}",
            f"{name}={secret}",
            f'{name}: "{secret}"',
            f"{rng.choice(HEADER_NAMES)}: {secret}",
            f"my {word} is {secret}",
            f"the {word} for the CRM is {secret}.",
            f"{word} → {secret}",
            json.dumps({"subject": "{{subject}}", name: secret, "priority": 2}),
            json.dumps({"auth": {"user": "bot", "password": secret}}),
            json.dumps(json.dumps({name: secret, "n": 1})),  # JSON in a JSON string
            json.dumps([{"key": "Accept", "value": "*/*"}, {rng.choice(["key", "name"]): name, "value": secret}]),
            json.dumps(json.dumps([{"name": name, "value": secret, "enabled": True}])),
            f"a=1&{name}={quote(secret, safe='')}&b=two",
            f"https://api.example.com/x?lang=fr&{name}={quote(secret, safe='')}",
            f"https://svc:{quote(secret, safe='')}@db.example.com:5432/app",
            f"<{tag}>{secret}</{tag}>",
            f"Server=db;User Id=sa;Password={secret};Database=x",
            f"sip:alice:{secret}@sip.example.com;transport=tls",
            f"curl -u admin:{secret} https://api.example.com/v1",
            f"{name}: |\n  {secret}\nnext: 1",
        ]
    )


def _token_text(rng: random.Random, secret: str) -> str:
    """A self-recognisable token in free text, a string body or a URL."""
    encoded = quote(secret, safe="")
    return rng.choice(
        [
            _in_text(rng, secret),
            json.dumps({"note": "x", rng.choice(NEUTRAL_NAMES): secret}),
            f"q=1&{rng.choice(NEUTRAL_NAMES)}={encoded}&r=2",
            f"https://api.example.com/v1/{encoded}/items",
            f"https://api.example.com/v1/x?q={encoded}&lang=fr",
            f"https://api.example.com/app#{encoded}",
            f"https://{encoded}@git.example.com/repo.git",
            f"see https://api.example.com/k/{quote(encoded, safe='')}.",  # encoded twice
        ]
    )


def _nest(rng: random.Random, leaf: Any) -> Any:
    """``leaf`` under 0-3 levels of neutral keys and lists."""
    for _ in range(rng.randint(0, 3)):
        leaf = [leaf] if rng.random() < 0.25 else {rng.choice(NEUTRAL_NAMES): leaf}
    return leaf


def _put(document: dict[str, Any], key: str, value: Any) -> None:
    """Set ``document[key]`` without overwriting an earlier plant (a taken key gets a suffix)."""
    while key in document:
        key += "_"
    document[key] = value


def _plant(rng: random.Random, document: dict[str, Any], planted: Planted, fields: list[str]) -> None:
    """Put ``planted`` somewhere in ``document``; ``fields`` are the top-level keys it may take."""
    secret = planted.value
    token_shaped = not planted.named and " " not in secret and "\n" not in secret
    as_text = (
        _named_text(rng, secret)
        if planted.named
        else (_token_text(rng, secret) if token_shaped else _in_text(rng, secret))
    )
    field = fields.pop() if fields else f"x_{rng.randrange(10**6)}"
    random_token = planted.kind == "random token"
    if random_token and _id_like(field):
        field = f"x_{rng.randrange(10**6)}"
    where = rng.randrange(9)
    if where == 0:  # a field holding a text with the secret inside
        _put(document, field, as_text)
    elif where == 1:  # a field holding the secret, or a credential-named field for a named one
        _put(document, field, {rng.choice(CREDENTIAL_NAMES): secret} if planted.named else secret)
    elif where == 2:  # an object key
        key = secret if not planted.named else f"{rng.choice(CREDENTIAL_NAMES)}={secret}"
        _put(document, field, _nest(rng, {key: rng.choice([True, 1, "x", None])}))
    elif where == 3:  # a {key, value} or {name, value} list under any name
        name_key = rng.choice(["key", "name"])
        pair_name = rng.choice(CREDENTIAL_NAMES) if planted.named else rng.choice(NEUTRAL_PAIR_NAMES + CREDENTIAL_NAMES)
        pairs = [{name_key: "Content-Type", "value": "application/json"}, {name_key: pair_name, "value": secret}]
        _put(document, rng.choice((*PAIR_LIST_NAMES, field)), _nest(rng, pairs))
    elif where == 4:  # a header map
        header = rng.choice(HEADER_NAMES) if planted.named else rng.choice(NEUTRAL_PAIR_NAMES + HEADER_NAMES)
        _put(document, rng.choice(("headers", "webhook_headers")), {"Accept": "application/json", header: secret})
    elif where == 5:  # deep in an unknown structure
        _put(document, f"future_{rng.randrange(10**6)}", _nest(rng, {rng.choice(NEUTRAL_NAMES): as_text}))
    elif where == 6:  # inside a custom tool
        tool = {"name": "lookup", "url": "https://api.example.com/{{id}}", "body_template": as_text}
        _put(document, "custom_tools", [tool])
    elif where == 7:  # a list of enum-like values
        _put(document, rng.choice(LIST_FIELDS), ["interested", as_text if planted.named else secret])
    else:  # a known nested object
        keys = ["name", "type", "note"] if random_token else ["id", "name", "type", "connection_id", "note"]
        _put(document, rng.choice(DICT_FIELDS), {rng.choice(keys): as_text})


# --- documents ---------------------------------------------------------------------------------------------


def _uuid(rng: random.Random) -> str:
    return "-".join("".join(rng.choice(HEX) for _ in range(size)) for size in (8, 4, 4, 4, 12))


def benign_fields(rng: random.Random) -> dict[str, Any]:
    """Known fields holding non-secret values that redaction must leave exactly as they are."""
    voice_id = rng.choice([_uuid(rng), "".join(rng.choice(ALNUM) for _ in range(20)), "21m00Tcm4TlvDq8ikWAM"])
    return {
        "id": _uuid(rng),
        "organization_id": _uuid(rng),
        "name": rng.choice(["Lead Qualification - EN (baseline)", "Relance impayés #12", "Support 24/7"]),
        "type": rng.choice(["standalone", "sub_assistant", "multi_step"]),
        "stt_model": rng.choice(["stt-rt-v4", "stt-rt-v5"]),
        "updated_at": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T1{rng.randint(0, 9)}:42:51.904Z",
        "created_at": rng.choice([f"2026-01-{rng.randint(10, 28)}T08:00:00Z", 1767225600, {}]),
        "first_sentence": "Hi {{contact_name}}, this is Lucy from {{company_name}}.",
        "prompt": " ".join(rng.sample(SENTENCES, 4)),
        "first_sentence_mode": rng.choice(["generated", "static", "none"]),
        "email_notification_outcomes": rng.sample(["interested", "completed", "requested_callback_later", "none"], 2),
        "from_phone_number": f"+33{_digits(rng, 9)}",
        "transfer_destinations": [{"label": "Tier 2", "phone_number": f"+1415555{_digits(rng, 4)}"}],
        "voice": {"id": voice_id, "provider": rng.choice(["cartesia", "elevenlabs", "gradium"]), "speed": 1.1},
        "cartesia_dictionary_pronunciation_id": "pdict_"
        + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(26)),
        "llm_model": {
            "type": "openrouter",
            "openrouter_model_id": rng.choice(["openai/gpt-4.1", "meta-llama/Llama-3.3-70B-Instruct-Turbo"]),
        },
        "calendly": {
            "connection_id": "nango-calendly-3f2a6c1d",
            "event_type_id": f"https://api.calendly.com/event_types/{_uuid(rng)}",
        },
        "max_call_duration_secs": rng.choice([300, 480.5]),
        "sms_enabled": rng.choice([True, False]),
        "position": None,
    }


@st.composite
def planted_documents(draw: st.DrawFn, max_secrets: int = 4) -> tuple[dict[str, Any], list[Planted]]:
    """An assistant-shaped document with 1 to ``max_secrets`` secrets planted anywhere, known fields included."""
    rng = random.Random(f"document {draw(st.integers(0, 2**32))}")
    planted = draw(st.lists(secrets(), min_size=1, max_size=max_secrets))
    document = benign_fields(rng)
    fields = rng.sample(TEXT_FIELDS, len(planted))
    for secret in planted:
        _plant(rng, document, secret, fields)
    return document, planted


@st.composite
def benign_documents(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], list[Planted]]:
    """``(document, benign, planted)``: ``benign`` known fields kept intact, secrets planted in other fields."""
    rng = random.Random(f"document {draw(st.integers(0, 2**32))}")
    planted = draw(st.lists(secrets(), min_size=1, max_size=3))
    benign = benign_fields(rng)
    document = dict(benign)
    for secret in planted:
        _plant(rng, document, secret, [f"x_{index}" for index in range(3)])
        for key in benign:  # a planter may pick a known list or object field: give it back
            document[key] = benign[key]
    return document, benign, planted


# --- what counts as a leak ---------------------------------------------------------------------------------


def own_secrets(planted: list[Planted]) -> list[str]:
    """The values to pass as ``known_secrets`` (the server's own key and token)."""
    return [secret.value for secret in planted if secret.own]


def _forms(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote(value), quote_plus(value)}


def leaks(text: str, planted: list[Planted]) -> list[Planted]:
    """The planted secrets found in ``text``: whole, URL-encoded, or any 12-character piece of their random part."""
    found = []
    for secret in planted:
        if any(form in text for form in _forms(secret.value)) or _piece_in(text, secret.secret):
            found.append(secret)
    return found


def _piece_in(text: str, core: str) -> bool:
    for part in core.split("\n"):
        if len(part) < 12:
            if len(part) >= 8 and any(form in text for form in _forms(part)):
                return True
            continue
        if any(part[index : index + 12] in text for index in range(len(part) - 11)):
            return True
    return False


# --- header values (issue 16 item 5) -------------------------------------------------------------------------
# Every header value is a secret but a harmless header's; the hard cases are values that look plain (a
# word, "acme-store", "Shop Token ...") under names nothing marks as a credential's (X-Shop, X-Flow).

PLAIN_HEADER_NAMES = ("X-Shop", "X-Tenant", "X-Flow", "X-Custom", "x-store-domain", "Shop-Domain", "X-Region")
HARMLESS_HEADERS = (
    ("Content-Type", "application/json"),
    ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
    ("Accept", "application/json, text/plain;q=0.9, */*;q=0.8"),
    ("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.8"),
    ("Accept-Encoding", "gzip, deflate, br"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"),
    ("Cache-Control", "no-cache, max-age=0"),
)
# Where headers live in an assistant: custom tools (the SDK's field), prompt flow nodes, integrations and
# webhook-like fields (keys the API may add), as lists of pairs, maps, [name, value] lists, JSON or lines.
HEADER_PLACES = (
    ("custom_tools", 0, "headers"),
    ("prompt_flow", "nodes", 0, "data", "headers"),
    ("calendly", "headers"),
    ("slack", "headers"),
    ("zoho", "request_headers"),
    ("webhook_headers",),
    ("precall_lookup_headers",),
    ("integration", "crm", "extra_headers"),
)
_LOWER = string.ascii_lowercase


@dataclass(frozen=True)
class HeaderPlant:
    """A header value planted under ``name``: ``marker`` is its distinctive part, never to be shown."""

    name: str
    value: str
    marker: str


def _header_plant(rng: random.Random, name: str) -> HeaderPlant:
    marker = "".join(rng.choice(_LOWER) for _ in range(10))
    value = rng.choice(
        [
            marker,  # a plain word
            f"{marker}-store",
            f"Shop Token {marker}",
            f"{marker}{rng.randint(10, 99)}",  # short letters-and-digits
            f"{marker}.example.com",
            random_body(rng, 24).lower()[:6] + marker,  # random-looking
            f"Basic {marker}",
            f"text/plain; {marker}",  # under a harmless name by a duplicate key: not a media type's grammar
        ]
    )
    return HeaderPlant(name, value, marker)


def _header_container(rng: random.Random, plants: list[HeaderPlant], harmless: tuple[str, str]) -> Any:
    """The plants and a harmless header as headers are written: pairs, a map, [name, value] lists, JSON, lines."""
    entries = [(plant.name, plant.value) for plant in plants] + [harmless]
    rng.shuffle(entries)
    name_key = rng.choice(["key", "name"])
    shape = rng.randrange(5)
    if shape == 0:
        return [{name_key: name, "value": value} for name, value in entries]
    if shape == 1:
        return dict(entries)
    if shape == 2:
        return [[name, value] for name, value in entries]
    if shape == 3:
        return json.dumps([{name_key: name, "value": value} for name, value in entries])
    return "\n".join(f"{name}: {value}" for name, value in entries)


def _place(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    """Put ``value`` at ``path``, making the objects and one-item lists on the way."""
    here: Any = document
    for step, after in itertools.pairwise(path):
        made: Any = [] if isinstance(after, int) else {}
        if isinstance(here, list):
            while len(here) <= int(step):
                here.append(made)
            if not isinstance(here[int(step)], list | dict) or type(here[int(step)]) is not type(made):
                here[int(step)] = made
            here = here[int(step)]
        else:
            if not isinstance(here.get(step), list | dict) or type(here[step]) is not type(made):
                here[step] = made
            here = here[step]
    here[path[-1]] = value


@st.composite
def header_documents(
    draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], list[HeaderPlant], list[str]]:
    """``(document, plants, shown)``: header values planted in generated places of ``base`` (default: an
    empty assistant) under plain and generated header names, next to harmless headers whose values
    (``shown``) must stay.

    A generated name is any word in a headers container; outside one (a ``{key, value}`` list under a
    neutral name) it is an ``X-`` header's, as a custom header is written.
    """
    rng = random.Random(f"headers {draw(st.integers(0, 2**32))}")
    document = draw(base) if base is not None else {}
    plants: list[HeaderPlant] = []
    shown: list[str] = []
    for path in rng.sample(HEADER_PLACES, rng.randint(1, 3)):
        names = rng.sample(PLAIN_HEADER_NAMES, rng.randint(1, 2))
        names.append(rng.choice(["X-", "Shop-", ""]) + "".join(rng.choice(_LOWER) for _ in range(6)).capitalize())
        found = [_header_plant(rng, name) for name in names]
        plants += found
        harmless = rng.choice(HARMLESS_HEADERS)
        shown.append(harmless[1])
        _place(document, path, _header_container(rng, found, harmless))
    if rng.random() < 0.5:  # {key, value} pairs named like headers under a neutral name
        plant = _header_plant(rng, rng.choice([name for name in PLAIN_HEADER_NAMES if name.lower().startswith("x-")]))
        plants.append(plant)
        neutral = rng.choice([name for name in NEUTRAL_NAMES if name not in document])
        _place(document, (neutral,), [{"key": plant.name, "value": plant.value}])
    return document, plants, shown


@dataclass(frozen=True)
class Duplicates:
    """An object written with repeated keys (``[(key, value), ...]``), as a JSON text may hold them."""

    pairs: list[tuple[str, Any]]


def dumps_with_duplicates(value: Any) -> str:
    """JSON text of ``value``, where a ``Duplicates`` is written with its repeated keys."""
    if isinstance(value, Duplicates):
        return "{" + ",".join(f"{json.dumps(key)}:{dumps_with_duplicates(item)}" for key, item in value.pairs) + "}"
    if isinstance(value, dict):
        return dumps_with_duplicates(Duplicates(list(value.items())))
    if isinstance(value, list):
        return "[" + ",".join(dumps_with_duplicates(item) for item in value) + "]"
    return json.dumps(value)


@st.composite
def duplicate_key_headers(draw: st.DrawFn) -> tuple[str, list[HeaderPlant]]:
    """``(json_text, plants)``: headers whose names, values or containers are repeated keys, so what a
    lenient parser keeps (the last, in Python's json) may pair a planted value with a harmless name."""
    rng = random.Random(f"duplicates {draw(st.integers(0, 2**32))}")
    harmless, harmless_value = rng.choice(HARMLESS_HEADERS)
    plant = _header_plant(rng, rng.choice((*PLAIN_HEADER_NAMES, "Authorization")))
    other = _header_plant(rng, rng.choice(PLAIN_HEADER_NAMES))
    name_key = rng.choice(["key", "name"])
    shapes = [
        # the name repeated: the value's real name first, a harmless one last
        [Duplicates([(name_key, plant.name), ("value", plant.value), (name_key, harmless)])],
        # the value repeated under a harmless name
        [Duplicates([(name_key, harmless), ("value", plant.value), ("value", harmless_value)])],
        [Duplicates([(name_key, harmless), ("value", harmless_value), ("value", plant.value)])],
        # a map with a repeated header
        Duplicates([(plant.name, plant.value), (harmless, harmless_value), (plant.name, other.value)]),
        Duplicates([(harmless, plant.value), (plant.name, other.value), (harmless, harmless_value)]),
    ]
    headers = rng.choice(shapes)
    container = rng.choice(["headers", "webhook_headers"])
    tool = Duplicates([("name", "lookup"), (container, headers), ("url", "https://api.example.com/x")])
    if rng.random() < 0.5:  # the container itself repeated: the first one is dropped by the parser
        tool = Duplicates([(container, [{"key": other.name, "value": other.value}]), *tool.pairs])
    text = dumps_with_duplicates({"id": "a1", "custom_tools": [tool]})
    return text, [plant, other]
