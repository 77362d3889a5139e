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
