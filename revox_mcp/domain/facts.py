"""The facts about Revox payloads that every other module shares. Pure, no I/O.

One place for: the assistant field table (legacy keys included), the ``{{variable}}`` grammar,
the rule that says whether a name denotes a credential, and the lenient readers. Summaries,
diagnostics, comparison and redaction all import these, so they cannot disagree.

The API drifts (fields added, enum values added and removed, three shapes of
``call_retry_config``, untyped timestamps), so an assistant is kept as the JSON object Revox sent
and read through accessors that return ``None`` instead of raising on a missing, null or
wrong-typed value. Output models then list exactly what is emitted.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from revox_mcp.errors import InputError

JsonObject = dict[str, Any]

MAX_ID_LENGTH = 200

# --- the assistant field table (SDK 0.5.0) ---------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """What SDK 0.5.0 says of a top-level assistant key: its JSON kind, and whether null / absence are allowed."""

    kind: Literal["str", "num", "bool", "list", "dict", "any"]  # "any": untyped in the spec (timestamps)
    nullable: bool
    optional: bool = False  # may be absent (its nullability is undeclared, so null is tolerated)


def _spec(kind: Literal["str", "num", "bool", "list", "dict", "any"], nullable: bool) -> FieldSpec:
    return FieldSpec(kind, nullable)


FIELDS: Mapping[str, FieldSpec] = MappingProxyType(
    {
        "id": _spec("str", False),
        "after_call_sms_outcomes": _spec("list", True),
        "after_call_sms_prompt": _spec("str", True),
        "background_sound": _spec("str", True),
        "background_sound_volume": _spec("num", False),
        "calendly": _spec("dict", True),
        "call_retry_config": _spec("dict", True),
        "cartesia_dictionary_pronunciation_id": _spec("str", True),
        "created_at": _spec("any", True),
        "custom_tools": _spec("list", True),
        "email_notification_address": _spec("str", True),
        "email_notification_outcomes": _spec("list", True),
        "end_of_call_sentence": _spec("str", True),
        "first_sentence": _spec("str", True),
        "first_sentence_delay_ms": _spec("num", False),
        "first_sentence_mode": _spec("str", False),
        "from_phone_number": _spec("str", True),
        "human_transfer_mode": _spec("str", True),
        "ivr_navigation_enabled": _spec("bool", False),
        "llm_model": _spec("dict", False),
        "logo_url": _spec("str", True),
        "max_call_duration_secs": _spec("num", False),
        "max_duration_end_message": _spec("str", True),
        "name": _spec("str", False),
        "organization_id": _spec("str", False),
        "position": _spec("dict", True),
        "precall_lookup_url": _spec("str", True),
        "prompt": _spec("str", False),
        "prompt_flow": _spec("dict", True),
        "slack": _spec("dict", True),
        "sms_enabled": _spec("bool", False),
        "sms_template": _spec("str", True),
        "structured_output_config": _spec("list", True),
        "structured_output_prompt": _spec("str", True),
        "stt_context": _spec("dict", True),
        "stt_model": _spec("str", False),
        "thinking_sound": _spec("str", True),
        "thinking_sound_probability": _spec("num", False),
        "thinking_sound_volume": _spec("num", False),
        "transfer_destinations": _spec("list", True),
        "type": _spec("str", False),
        "updated_at": _spec("any", True),
        "voice": _spec("dict", True),
        "voicemail_message": _spec("str", True),
        "voicemail_sms_prompt": _spec("str", True),
        "warm_transfer_summary_instructions": _spec("str", True),
        "webhook_url": _spec("str", True),
        "zoho": _spec("dict", True),
        # the only optional keys of SDK 0.5.0
        "created_by": FieldSpec("dict", True, optional=True),
        "faq_items": FieldSpec("list", True, optional=True),
        "is_inbound_receptionist": FieldSpec("bool", True, optional=True),
        "is_realestate_assistant": FieldSpec("bool", True, optional=True),
        "pending_faq_count": FieldSpec("num", True, optional=True),
    }
)


@dataclass(frozen=True)
class LegacyField:
    """A key an older API version sent: what happened to it, and what to do."""

    history: str
    advice: str


LEGACY_FIELDS: Mapping[str, LegacyField] = MappingProxyType(
    {
        "transfer_phone_number": LegacyField(
            "SDK 0.4.0 replaced it with transfer_destinations",
            "Move the number into transfer_destinations with a label, and set a human_transfer_mode.",
        ),
        "email_notification_language": LegacyField(
            "it existed only in SDK 0.2.0-0.3.0",
            "Nothing to change; the current API no longer reads email_notification_language.",
        ),
    }
)

# Every key this server knows: the SDK 0.5.0 set plus the legacy keys. Anything else is drift.
KNOWN_FIELDS: frozenset[str] = frozenset(FIELDS) | frozenset(LEGACY_FIELDS)
REQUIRED_FIELDS: frozenset[str] = frozenset(name for name, spec in FIELDS.items() if not spec.optional)

# --- the {{variable}} grammar ----------------------------------------------------------------------

# A variable name starts with a letter or underscore; longer "names" are junk, not variables.
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]{0,99})\s*\}\}")
# Any {{...}} without braces inside (linear even on "{{{{{{..."), variable or not.
ANY_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}")
_ONLY_PLACEHOLDERS = re.compile(r"(?:\s*\{\{[^{}]*\}\})+\s*")


def is_placeholder_only(value: str) -> bool:
    """Whether ``value`` is made only of ``{{...}}`` placeholders (and spaces): filled at call time, not a literal."""
    return "{{" in value and _ONLY_PLACEHOLDERS.fullmatch(value) is not None


# --- credential names ------------------------------------------------------------------------------

# Word boundaries: camelCase (authKey), acronyms (APIKey), and letters against digits (key2, oauth2Token).
_CAMEL_BOUNDARY = re.compile(
    r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])"
)
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
# A name is a credential's when one of its words is one of these...
_CREDENTIAL_WORDS = frozenset(
    [
        # keys and tokens (x-api-key, authKey, signing_key, hmac_key, ssh_key, client_key, key2...)
        "key",
        "keys",
        "apikey",
        "apikeys",
        "token",
        "tokens",
        "apitoken",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "jwt",
        "bearer",
        "pat",
        "psk",
        "hmac",
        "keystore",
        "keyfile",
        "keypair",
        # secrets and passwords, including a few non-English ones (French prompts are common)
        "secret",
        "secrets",
        "password",
        "passwords",
        "passwd",
        "passphrase",
        "passcode",
        "pwd",
        "pw",
        "pswd",
        "pass",
        "mnemonic",
        "motdepasse",
        "passwort",
        "kennwort",
        "contrasena",
        "senha",
        # authentication material
        "auth",
        "authorization",
        "authentication",
        "credential",
        "credentials",
        "cred",
        "creds",
        "signature",
        "signatures",
        "sig",
        "session",
        "sessions",
        "sessionid",
        "sessionkey",
        "cookie",
        "cookies",
        "otp",
        "totp",
        "pin",
        "privatekey",
        "signingkey",
    ]
)
# ...or one of its words contains one of these (clientsecret, authtoken, xapikey, webhooksecret...).
_CREDENTIAL_PARTS = (
    "apikey",
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "credential",
    "authorization",
    "privatekey",
    "accesskey",
    "signingkey",
    "sessionid",
    "sessionkey",
    "motdepasse",
    "contrase",  # contraseña, split at the ñ
)
# Words that make a token-named field a count of LLM tokens (max_tokens, prompt_tokens, token_limit).
_TOKEN_QUANTITY_WORDS = frozenset(
    [
        "max",
        "min",
        "num",
        "number",
        "total",
        "count",
        "limit",
        "budget",
        "usage",
        "used",
        "remaining",
        "prompt",
        "completion",
        "input",
        "output",
        "reasoning",
        "thinking",
        "cached",
        "per",
        "estimated",
    ]
)
# A last word that describes a credential rather than holding it (token_type, auth_mode, key_length,
# secret_name, token_expires_at, token_url): the value is a setting, an endpoint or a count.
_DESCRIPTOR_WORDS = frozenset(
    [
        "type",
        "types",
        "kind",
        "mode",
        "method",
        "methods",
        "scheme",
        "schemes",
        "strategy",
        "provider",
        "format",
        "style",
        "enabled",
        "disabled",
        "required",
        "optional",
        "location",
        "placement",
        "length",
        "size",
        "count",
        "limit",
        "ttl",
        "expiry",
        "expiration",
        "expires",
        "expire",
        "at",
        "in",
        "rotation",
        "policy",
        "version",
        "url",
        "uri",
        "endpoint",
        "name",
        "names",
        "label",
        "description",
        "field",
    ]
)
# Words that contain a credential part but are not credentials (keyboard, author never match: no part).
_NOT_CREDENTIAL_WORDS = frozenset(
    ["tokenizer", "tokenize", "tokenization", "tokenized", "detokenize", "secretary", "secretariat"]
)


def name_words(name: str) -> list[str]:
    """A key's words, lower-cased, separators, camelCase and digits split: ``X-Api-Key2`` -> x, api, key, 2."""
    return [word.lower() for word in _SEPARATORS.split(_CAMEL_BOUNDARY.sub(" ", name)) if word]


def _credential_word(word: str) -> bool:
    if word in _NOT_CREDENTIAL_WORDS:
        return False
    return word in _CREDENTIAL_WORDS or any(part in word for part in _CREDENTIAL_PARTS)


@functools.lru_cache(maxsize=4096)  # names repeat (every assistant has the same keys); bounded, keyed by the name
def is_credential_name(name: str) -> bool:
    """Whether an object key, header or parameter name denotes a credential. The one rule for every module.

    Separators and camelCase are normalised (``authKey``, ``X-Auth``, ``signing_key``, ``APIKey``). When in
    doubt it says yes: masking a harmless value costs less than showing a secret. The exceptions are
    names that describe a credential rather than hold it (``token_type``, ``auth_mode``, ``secret_name``)
    and counts of LLM tokens (``max_tokens``, ``prompt_tokens``).
    """
    words = name_words(name[:200])
    if not words:
        return False
    hits = [word for word in words if _credential_word(word)]
    if not hits:
        # words split too finely still spell a credential when joined (Pass_Word, api_Key)
        joined = "".join(words)
        if joined in _NOT_CREDENTIAL_WORDS or not any(part in joined for part in _CREDENTIAL_PARTS):
            return False
        hits = [joined]
    if words[-1] in _DESCRIPTOR_WORDS and not _credential_word(words[-1]):
        return False
    llm_tokens = all(hit in ("token", "tokens") for hit in hits)
    return not (llm_tokens and any(word in _TOKEN_QUANTITY_WORDS for word in words))


def text(obj: Mapping[str, Any] | None, key: str) -> str | None:
    """A string field, or None when absent, null or not a string."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, str) else None


def number(obj: Mapping[str, Any] | None, key: str) -> float | None:
    """A numeric field (bools excluded), or None."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def flag(obj: Mapping[str, Any] | None, key: str) -> bool | None:
    """A boolean field, or None."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, bool) else None


def child(obj: Mapping[str, Any] | None, key: str) -> Mapping[str, Any] | None:
    """A nested object, or None."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, Mapping) else None


def items(obj: Mapping[str, Any] | None, key: str) -> list[Mapping[str, Any]]:
    """The objects of a list field (non-object entries skipped); [] when absent or not a list."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]


def strings(obj: Mapping[str, Any] | None, key: str) -> list[str]:
    """The strings of a list field; [] when absent or not a list."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, str)]


def timestamp(obj: Mapping[str, Any] | None, key: str) -> str | None:
    """``created_at``/``updated_at`` are untyped upstream: strings as is, numbers as text, else None."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def placeholders(value: str | None) -> list[str]:
    """The ``{{variable}}`` names used in a text, in order of first appearance."""
    if not value or "{{" not in value:
        return []
    return list(dict.fromkeys(VARIABLE.findall(value)))


# --- parts of a configuration it does not use ------------------------------------------------------

# A realtime model (llm_model.type "realtime") speaks itself: the TTS voice and its Cartesia
# pronunciation dictionary are then unused (rule X18 of docs/revox-api.md, unverified).
REALTIME_UNUSED = ("voice", "cartesia_dictionary_pronunciation_id")


def unused_parts(config: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The top-level fields this configuration does not use: no finding may be about them, but the one
    saying they are unused."""
    llm = child(config, "llm_model")
    return REALTIME_UNUSED if llm is not None and llm.get("type") == "realtime" else ()


def campaigns_of(assistant_id: str, campaigns: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The campaigns that use an assistant (their ``assistant_id`` is its id)."""
    return [c for c in campaigns if text(c, "assistant_id") == assistant_id]


def within(path: str, parts: Sequence[str]) -> bool:
    """Whether ``path`` is one of ``parts`` or inside one (``voice.speed`` is inside ``voice``)."""
    return any(path == part or path.startswith((f"{part}.", f"{part}[")) for part in parts)


# --- readers added for diagnostics -----------------------------------------------------------------
# diagnostics compares numbers with documented bounds, and reports a list's wrong-typed entries by
# their index.

# The types of a JSON object, dict first: isinstance() on the Mapping ABC alone costs 0.1 us a call.
OBJECT_TYPES = (dict, Mapping)


def quantity(obj: Mapping[str, Any] | None, key: str) -> float | None:
    """A numeric field fit for range checks, or None: ``number`` without NaN, which no bound rejects.

    Infinities and huge integers are kept, so that range checks report them instead of skipping them.
    """
    # number()'s test, inlined: diagnostics reads ten of these per assistant, and number()'s guard on
    # the Mapping ABC would cost more than the rest of the call.
    value = obj.get(key) if isinstance(obj, OBJECT_TYPES) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if value == value else None  # NaN is the one value unequal to itself


def entries(obj: Mapping[str, Any] | None, key: str) -> list[Any]:
    """A list field as sent, entries of any type (``items`` keeps only objects); [] when absent or not a list."""
    value = obj.get(key) if isinstance(obj, OBJECT_TYPES) else None
    return value if isinstance(value, list) else []


def assistant_id_of(obj: Mapping[str, Any]) -> str | None:
    """The id of an assistant payload, or None when it has no usable id."""
    value = obj.get("id")
    return value if isinstance(value, str) and value else None


def validate_assistant_id(value: Any) -> str:
    """Return a usable assistant id or raise InputError saying what is wrong with it.

    Surrounding whitespace is trimmed (a common copy-paste accident); anything else unusual is
    refused rather than guessed at. The id is later sent URL-encoded as one path segment.
    """
    if not isinstance(value, str):
        raise InputError("assistant_id must be a string; call list_assistants to see valid ids.")
    candidate = value.strip()
    if not candidate:
        raise InputError("assistant_id is empty; call list_assistants to see valid ids.")
    if len(candidate) > MAX_ID_LENGTH:
        raise InputError(
            f"assistant_id is {len(candidate)} characters long (at most {MAX_ID_LENGTH}); "
            "call list_assistants to see valid ids."
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") for char in candidate):
        raise InputError(
            "assistant_id contains control or invisible characters; call list_assistants to see valid ids."
        )
    return candidate


def coerce_string_list(value: Any, name: str) -> list[str] | None:
    """Accept a list of strings, a JSON-encoded list (some clients send that) or one string."""
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except ValueError:
                raise InputError(f'{name} must be a list of strings, e.g. ["prompt"].') from None
        else:
            value = [part.strip() for part in stripped.split(",") if part.strip()]
    if not isinstance(value, Sequence) or isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise InputError(f'{name} must be a list of strings, e.g. ["prompt"].')
    return list(value)
