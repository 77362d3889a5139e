"""Personal data in calls, masked at ingest (``REVOX_MCP_PERSONAL_DATA=mask``, the default). Pure.

Calls carry the callees' phone numbers, names, emails, the data extracted from them and what they
said. Troubleshooting needs the shape of that data, not the data: which keys a call was given,
whether a value was empty, that a number was French. So, in mask mode:

* phone numbers keep their country code and last two digits (``+33***78``);
* emails keep their first letter and domain (``j***@example.com``);
* contact names become initials (``J.``);
* the values of ``contact``, ``prompt_variables``, ``structured_output`` and ``metadata`` are
  replaced by their type (``[masked text]``), keys, types and emptiness staying visible;
* free text (transcripts, summaries, SMS bodies, tool arguments and outputs, per-turn prompts)
  keeps its words but loses the phone numbers and emails in it, and the call's own personal values
  (the contact's names, the values of personal-looking variables) wherever they appear.

The configuration embedded in a call (``assistant``, ``llm_model``, ``campaign``,
``call_retry_config``) is not personal data and is left alone. Credentials are another matter,
handled by redaction in every mode.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from revox_mcp.domain.facts import JsonObject

Mode = Literal["mask", "show"]
MODES: tuple[Mode, ...] = ("mask", "show")

MASKED_TEXT = "[masked text]"
MASKED_NUMBER = "[masked number]"
MASKED_BOOLEAN = "[masked boolean]"
MASKED_VALUE = "[masked]"

# Left alone: configuration, not personal data.
_CONFIG_KEYS = frozenset({"assistant", "llm_model", "campaign", "call_retry_config"})
# Values replaced by their type, keys kept.
_VALUE_MAPS = frozenset({"prompt_variables", "structured_output", "metadata"})
# A variable whose name says it holds someone's identity: its value is also masked inside texts.
_PERSONAL_NAME = re.compile(
    r"(?i)name|phone|mobile|tel|email|mail|address|street|city|zip|postal|company|birth|dob|iban|"
    r"account|customer|client|contact|surname|first|last|person|patient|lead"
)

# ITU country calling codes: the 1- and 2-digit ones; any other code has 3 digits.
_CC1 = frozenset({"1", "7"})
_CC2 = frozenset(
    str(code)
    for code in (
        *(20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56),
        *(57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98),
    )
)
# Phone numbers inside text: 8 to 15 digits, optionally after "+", with at most two separators between digits.
_PHONE_IN_TEXT = re.compile(r"(?<![\w+])\+?\d(?:[ .\-()/]{0,2}\d){7,14}(?![\w])")
_DATE_LIKE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$")
_EMAIL = re.compile(r"[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63})+")
# Values shorter than this are not masked by value inside texts: "Al" would wreck every word with "al".
_MIN_VALUE = 3


def mask_phone(value: str) -> str:
    """``+33612345678`` -> ``+33***78``; a number without "+" keeps its last two digits only."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 4:
        return "***"
    if value.strip().startswith("+"):
        code = digits[:1] if digits[:1] in _CC1 else digits[:2] if digits[:2] in _CC2 else digits[:3]
        return f"+{code}***{digits[-2:]}"
    return f"***{digits[-2:]}"


def mask_email(value: str) -> str:
    """``jean.dupont@example.com`` -> ``j***@example.com``."""
    local, sep, domain = value.strip().rpartition("@")
    if not sep or not local:
        return MASKED_TEXT
    return f"{local[0]}***@{domain}"


def initials(value: str) -> str:
    """``Jean-Pierre Dupont`` -> ``J.-P. D.``."""
    words = []
    for word in value.split():
        parts = [part[:1].upper() + "." for part in word.split("-") if part]
        words.append("-".join(parts))
    return " ".join(words) or MASKED_TEXT


def mask_value(value: Any) -> Any:
    """A value replaced by its type: keys, list lengths and emptiness stay visible."""
    if value is None or value == "":
        return value
    if isinstance(value, bool):
        return MASKED_BOOLEAN
    if isinstance(value, int | float):
        return MASKED_NUMBER
    if isinstance(value, str):
        return MASKED_TEXT if value.strip() else value
    if isinstance(value, Mapping):
        return {key: mask_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    return MASKED_VALUE


class TextMask:
    """Masks phone numbers, emails and a call's own personal values inside free text."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        values = sorted({v.strip() for v in known if isinstance(v, str) and len(v.strip()) >= _MIN_VALUE}, key=len)
        self._known = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in reversed(values)) + r")(?!\w)", re.IGNORECASE)
            if values
            else None
        )

    def __call__(self, value: str) -> str:
        if not value:
            return value
        value = _EMAIL.sub(lambda m: mask_email(m.group(0)), value)
        value = _PHONE_IN_TEXT.sub(_phone_match, value)
        if self._known is not None:
            value = self._known.sub(MASKED_VALUE, value)
        return value

    def deep(self, value: Any) -> Any:
        """Every string inside a JSON value masked (keys kept)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {key: self.deep(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.deep(item) for item in value]
        return value


def _phone_match(match: re.Match[str]) -> str:
    found = match.group(0)
    if _DATE_LIKE.match(found):
        return found
    return mask_phone(found)


def _personal_values(call: Mapping[str, Any]) -> list[str]:
    """The call's own identity values: contact fields, personal-looking variables and metadata."""
    found: list[str] = []
    contact = call.get("contact")
    if isinstance(contact, Mapping):
        found += [v for v in contact.values() if isinstance(v, str)]
    for key in ("prompt_variables", "metadata"):
        values = call.get(key)
        if isinstance(values, Mapping):
            found += [v for k, v in values.items() if isinstance(v, str) and _PERSONAL_NAME.search(str(k))]
    for person in _people(call):
        found += [v for k in ("first_name", "last_name", "email") if isinstance(v := person.get(k), str)]
    # A full name is said whole as often as in parts.
    if isinstance(contact, Mapping):
        full = " ".join(v for k in ("first_name", "last_name") if isinstance(v := contact.get(k), str) and v)
        found.append(full)
    return found


def _people(call: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    people = [call.get("assignee")]
    for attempt in _attempts(call):
        people.append(attempt.get("handled_by_user"))
    return [person for person in people if isinstance(person, Mapping)]


def _attempts(call: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = [a for a in call.get("call_attempts") or [] if isinstance(a, dict)]
    last = call.get("last_call_attempt")
    return [*found, last] if isinstance(last, dict) else found


def _mask_person(person: Mapping[str, Any], mask: TextMask) -> JsonObject:
    out: JsonObject = {}
    for key, value in person.items():
        if key in ("first_name", "last_name") and isinstance(value, str) and value:
            out[key] = initials(value)
        elif key == "email" and isinstance(value, str) and value:
            out[key] = mask_email(value)
        elif key == "id":
            out[key] = value
        else:
            out[key] = mask.deep(value)
    return out


def _mask_contact(contact: Any, mask: TextMask) -> Any:
    if not isinstance(contact, Mapping):
        return mask_value(contact)
    out: JsonObject = {}
    for key, value in contact.items():
        if key in ("first_name", "last_name") and isinstance(value, str) and value:
            out[key] = initials(value)
        elif key == "email" and isinstance(value, str) and value:
            out[key] = mask_email(value)
        else:
            out[key] = mask_value(value)
    return out


def _mask_phone_value(value: Any) -> Any:
    return mask_phone(value) if isinstance(value, str) and value else value


def _mask_attempt(attempt: Mapping[str, Any], mask: TextMask) -> JsonObject:
    out: JsonObject = {}
    for key, value in attempt.items():
        if key == "phone_number":
            out[key] = _mask_phone_value(value)
        elif key == "handled_by_user" and isinstance(value, Mapping):
            out[key] = _mask_person(value, mask)
        elif key == "structured_output":
            out[key] = mask_value(value)
        elif key == "sms_log" and isinstance(value, list):
            out[key] = [_mask_sms(entry, mask) for entry in value]
        elif key == "email_log" and isinstance(value, list):
            out[key] = [_mask_email_entry(entry, mask) for entry in value]
        elif key.endswith("_at") or key in ("id", "recording_url"):
            out[key] = value
        else:  # transcripts, speech events (their per-turn prompts included), anything new
            out[key] = mask.deep(value)
    return out


def _mask_sms(entry: Any, mask: TextMask) -> Any:
    if not isinstance(entry, Mapping):
        return mask.deep(entry)
    return {k: _mask_phone_value(v) if k == "to_phone_number" else mask.deep(v) for k, v in entry.items()}


def _mask_email_entry(entry: Any, mask: TextMask) -> Any:
    if not isinstance(entry, Mapping):
        return mask.deep(entry)
    out: JsonObject = {}
    for key, value in entry.items():
        if key == "to_emails" and isinstance(value, list):
            out[key] = [mask_email(v) if isinstance(v, str) else mask_value(v) for v in value]
        elif key == "from_address":
            out[key] = value  # the sender is the organisation's own address
        else:
            out[key] = mask.deep(value)
    return out


def mask_call(call: Mapping[str, Any]) -> JsonObject:
    """A copy of a cleaned call with its personal data masked (see the module docstring)."""
    mask = TextMask(_personal_values(call))
    direction = call.get("direction")
    out: JsonObject = {}
    for key, value in call.items():
        if key in _CONFIG_KEYS or key.endswith("_at") or key in ("id", "organization_id"):
            out[key] = value
        elif key == "to_phone_number":
            # Outbound (or unknown): the callee's number. Inbound: the organisation's own line.
            out[key] = value if direction == "inbound" else _mask_phone_value(value)
        elif key == "from_phone_number":
            # Outbound: the organisation's own number. Inbound (or unknown): the caller's.
            out[key] = value if direction == "outbound" else _mask_phone_value(value)
        elif key == "contact":
            out[key] = _mask_contact(value, mask)
        elif key in _VALUE_MAPS:
            out[key] = mask_value(value)
        elif key == "assignee" and isinstance(value, Mapping):
            out[key] = _mask_person(value, mask)
        elif key == "follow_up_emails" and isinstance(value, list):
            out[key] = [mask_email(v) if isinstance(v, str) else mask_value(v) for v in value]
        elif key == "call_attempts" and isinstance(value, list):
            out[key] = [_mask_attempt(a, mask) if isinstance(a, Mapping) else mask.deep(a) for a in value]
        elif key == "last_call_attempt" and isinstance(value, Mapping):
            out[key] = _mask_attempt(value, mask)
        else:  # outcome_summary and any field Revox adds: words kept, identities masked
            out[key] = mask.deep(value)
    return out
