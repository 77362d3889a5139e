"""Personal data in calls, masked at ingest (``REVOX_MCP_PERSONAL_DATA=mask``, the default). Pure.

Calls carry the callees' phone numbers, names, emails, the data extracted from them and what they
said. Troubleshooting needs the shape of that data, not the data: which keys a call was given,
whether a value was empty, that a number was French. Masking is **by field**: each field of a call
(SDK 0.5.0) is one of three kinds, and a field's value is never searched for in another field.

* **Facts, kept exactly**: ids (``id``, ``*_id``, ``*_ids``, ``assistants_used``), enums and
  statuses (``direction``, ``outcome``, ``result``, ``end_reason``, ``role``...), timestamps,
  numbers, booleans, tool and model names, and the configuration embedded in a call
  (``assistant``, ``llm_model``, ``campaign``, ``call_retry_config``), which is not personal data
  (credentials in it are redaction's job, in every mode). Counts over masked calls are the counts
  over the calls Revox sent.
* **Personal fields, masked whole**: phone numbers keep their country code and last two digits
  (``+33***78``); emails their first letter and domain (``j***@example.com``); names become
  initials (``J.``); the values of ``contact``, ``prompt_variables``, ``structured_output`` and
  ``metadata`` are replaced by their type (``[masked text]``), keys, types and emptiness staying.
* **Free text** (transcripts, summaries, SMS bodies, email subjects, tool arguments and outputs,
  per-turn prompts): words kept; phone numbers, emails and the call's own personal values masked
  inside. Those values are the contact's and team members' names and emails, and the values under
  personal-looking keys of ``prompt_variables``, ``metadata`` and ``structured_output``. A value is
  looked for only if it can identify someone: not one shorter than 3 characters, a lower-case single
  word (``outbound``, ``manager``: vocabulary far more often than a name), a number of fewer than 6
  digits, or a word of the call's facts (an enum value of any call enum, or any fact of this call,
  ignoring case). A phone number in text is 8 to 15 digits standing alone: never a run inside an
  id, a UUID, a hex token or a URL path.

A field Revox adds later is read by its name: one named like an id or a timestamp is kept, one
named like personal data (``*_name``, ``*_phone``, ``email``, ``address``...) is masked by type, and
any other is free text (its numbers, booleans and keys kept). Inside free text written as a structure
(tool arguments, such a field's objects) no key makes a value a fact, since a model or a person wrote
it all: values under personal-looking keys are masked by type, every other string as text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from revox_mcp.domain.call_fields import CALL_STATUSES, DIRECTIONS, OUTCOMES, RESULTS
from revox_mcp.domain.facts import JsonObject, name_words

Mode = Literal["mask", "show"]
MODES: tuple[Mode, ...] = ("mask", "show")

MASKED_TEXT = "[masked text]"
MASKED_NUMBER = "[masked number]"
MASKED_BOOLEAN = "[masked boolean]"
MASKED_VALUE = "[masked]"

# The enum values of SDK 0.5.0's call (and attempt, transcript, speech event, SMS) models: words of
# facts. A personal value equal to one of them (any case) is never looked for in text.
CALL_ENUM_VALUES: frozenset[str] = frozenset(
    [
        *CALL_STATUSES,
        *DIRECTIONS,
        *OUTCOMES,
        *RESULTS,
        *("queued", "ringing", "ongoing", "completed", "error"),  # attempt status
        *("number_non_attributed", "too_many_calls", "busy", "temporarily_unavailable", "no_answer"),
        *("no_international_permission", "precondition_failed", "non_classified_error"),  # dial error
        *("client_initiated", "connection_timeout", "human_takeover", "ivr_no_navigate", "max_duration"),
        *("participant_removed", "tool_end_call", "transfer", "user_inactive", "user_rejected"),
        *("user_unavailable", "voicemail", "speed_dial_abandoned", "speed_dial_operator_missed"),
        *("speed_dial_timeout", "speed_dial_hangup"),  # end reason
        *("agent", "user", "system"),  # ended by (a speech event's speaker: user, agent)
        *("assistant", "human_agent", "tool"),  # transcript role (and "user")
        *("in_call", "after_call", "twilio", "vonage"),  # SMS type (and "voicemail"), SMS provider
    ]
)

# A key naming personal data (by its words: ``contact_name``, ``customerEmail``, ``lead_source``):
# its value is masked by type in an unknown field, and looked for in texts from a value map.
_PERSONAL_WORDS = frozenset(
    [
        *("name", "names", "firstname", "lastname", "fullname", "surname", "nickname", "initials"),
        *("phone", "phones", "mobile", "cell", "tel", "telephone", "msisdn", "whatsapp"),
        *("email", "emails", "mail", "address", "street", "city", "zip", "zipcode", "postal", "postcode"),
        *("company", "employer", "birth", "birthday", "birthdate", "dob", "age", "gender"),
        *("iban", "bic", "ssn", "passport", "account", "customer", "client", "contact", "person"),
        *("patient", "lead", "prospect", "caller", "callee", "recipient", "owner", "spouse"),
    ]
)
# A key naming a fact (an id, a timestamp): kept as it is wherever it appears.
_ID_WORDS = frozenset(["id", "ids", "uuid", "uuids", "guid", "guids"])
_TIME_WORDS = frozenset(["at", "date", "time", "timestamp", "ms", "seconds", "secs"])

# ITU country calling codes: the 1- and 2-digit ones; any other code has 3 digits.
_CC1 = frozenset({"1", "7"})
_CC2 = frozenset(
    str(code)
    for code in (
        *(20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56),
        *(57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98),
    )
)
# Phone numbers inside text: 8 to 15 digits, optionally after "+", at most two separators between
# digits, standing alone. Not a run inside a token: no letter, digit or "+" just before it, nor a
# letter or digit joined to it by "-" or "/" (the groups of a UUID, ids in URL paths), nor a "."
# between digits (versions, decimals); the same after it.
_PHONE_IN_TEXT = re.compile(
    r"(?<![\w+])(?<![A-Za-z0-9][\-/])(?<![0-9]\.)"
    r"\+?\d(?:[ .\-()/]{0,2}\d){7,14}"
    r"(?!\w)(?![\-/][A-Za-z0-9])(?!\.[0-9])"
)
_DATE_LIKE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$")
_EMAIL = re.compile(r"[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63})+")
# A personal value shorter than this is never looked for: "Al" would wreck every word with "al".
_MIN_VALUE = 3
# A number with fewer digits than this identifies no one ("42", "2026"): never looked for.
_MIN_DIGITS = 6
_WORD = re.compile(r"[^\W\d_]+(?:[_\-][^\W\d_]+)*")  # "outbound", "user_rejected", "Élodie"
_FOLD = re.compile(r"[\s_\-]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


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


def _fold(value: str) -> str:
    return _FOLD.sub(" ", value.strip().casefold())


_ENUM_FOLDED = frozenset(_fold(word) for word in CALL_ENUM_VALUES)


def identifying(value: str, facts: Iterable[str] = ()) -> bool:
    """Whether a personal value can identify someone in a text, so is worth looking for there (see the
    module docstring): not too short, not a lower-case word, not a small number, not a word of a fact,
    not a UUID (a record's id: ids are never masked)."""
    return _identifying(value, _folded(facts))


def _folded(facts: Iterable[str]) -> frozenset[str]:
    """Facts as ``identifying`` compares them: a call folds its facts once for all its values."""
    return frozenset(_fold(fact) for fact in facts)


def _identifying(value: str, folded_facts: frozenset[str]) -> bool:
    value = value.strip()
    if len(value) < _MIN_VALUE or _UUID.fullmatch(value) or (value.islower() and _WORD.fullmatch(value)):
        return False
    if value.isdigit() and len(value) < _MIN_DIGITS:
        return False
    folded = _fold(value)
    return folded not in _ENUM_FOLDED and folded not in folded_facts


class TextMask:
    """Masks phone numbers, emails and a call's own personal values inside free text.

    ``known`` values are looked for as whole words, ignoring case; the caller passes only values that
    are worth it (``identifying``), except that values shorter than 3 characters are always dropped.
    """

    def __init__(self, known: Iterable[str] = ()) -> None:
        values = sorted({v.strip() for v in known if isinstance(v, str) and len(v.strip()) >= _MIN_VALUE}, key=len)
        # A value with a digit must stand alone even from "-" and "/": "1234567" is no part of an id.
        alternatives = [
            re.escape(v) + (r"(?![\-/][A-Za-z0-9])" if any(c.isdigit() for c in v) else "") for v in reversed(values)
        ]
        self._known = (
            re.compile(r"(?<!\w)(?<![A-Za-z0-9][\-/])(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
            if values
            else None
        )

    def __call__(self, value: str) -> str:
        if not value:
            return value
        if self._known is not None:  # first: "Acme 12345678" goes whole, not as "Acme ***78"
            value = self._known.sub(MASKED_VALUE, value)
        if "@" in value:
            value = _EMAIL.sub(lambda m: mask_email(m.group(0)), value)
        return _PHONE_IN_TEXT.sub(_phone_match, value)

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


# --- what each field is -------------------------------------------------------------------------------


def _key_kind(key: str) -> Literal["fact", "personal", "text"]:
    """A field this module does not know, by its name: an id or a timestamp, personal data, or text."""
    return _key_kind_prefix(key[:200])


@functools.lru_cache(maxsize=1024)
def _key_kind_prefix(key: str) -> Literal["fact", "personal", "text"]:
    words = name_words(key)
    if not words:
        return "text"
    if words[-1] in _ID_WORDS or key == "assistants_used":
        return "fact"
    if any(word in _PERSONAL_WORDS for word in words):  # birth_date, contact_created_at: personal first
        return "personal"
    return "fact" if words[-1] in _TIME_WORDS else "text"


class _Masker:
    """One call's masking: its direction and its own personal values."""

    def __init__(self, call: Mapping[str, Any]) -> None:
        self.direction = call.get("direction")
        facts = _folded(_fact_values(call))
        # an email or a phone number alone is left to the patterns, which keep its shape (+33***78)
        self.text = TextMask(
            value
            for value in _personal_values(call)
            if _identifying(value, facts) and not (_EMAIL.fullmatch(value) or _PHONE_IN_TEXT.fullmatch(value))
        )

    def free(self, value: Any) -> Any:
        """Free text, or a structure of it (tool arguments): every string masked as text, and the values
        under personal-looking keys by type. No key makes a value a fact here: the model wrote it all."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                key: mask_value(item) if _key_kind(str(key)) == "personal" else self.free(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.free(item) for item in value]
        return value

    def by_name(self, key: str, value: Any) -> Any:
        """A field this module does not know: facts kept, personal data masked by type, the rest free text."""
        kind = _key_kind(key)
        if kind == "fact":
            return value
        if kind == "personal":
            return mask_value(value)
        if isinstance(value, list):
            return [self.by_name(key, item) for item in value]
        return self.free(value)

    def fields(self, obj: Any, table: Mapping[str, Field], other: Field | None = None) -> Any:
        """An object whose fields ``table`` knows; the others by ``other``, or by name; a non-object by type."""
        if not isinstance(obj, Mapping):
            return mask_value(obj)
        out: JsonObject = {}
        for key, value in obj.items():
            handle = table.get(key, other)
            out[key] = handle(self, value) if handle is not None else self.by_name(str(key), value)
        return out


Field = Callable[[_Masker, Any], Any]


def _keep(_masker: _Masker, value: Any) -> Any:
    return value


def _free(masker: _Masker, value: Any) -> Any:
    return masker.free(value)


def _values(_masker: _Masker, value: Any) -> Any:
    return mask_value(value)


def _phone(_masker: _Masker, value: Any) -> Any:
    if isinstance(value, str):
        return mask_phone(value) if value else value
    return mask_value(value)


def _name(_masker: _Masker, value: Any) -> Any:
    return initials(value) if isinstance(value, str) and value else mask_value(value)


def _email(_masker: _Masker, value: Any) -> Any:
    return mask_email(value) if isinstance(value, str) and value else mask_value(value)


def _emails(masker: _Masker, value: Any) -> Any:
    if isinstance(value, list):
        return [_email(masker, item) for item in value]
    return _email(masker, value)


def _called(outbound: bool) -> Field:
    """A number of the call: the organisation's own on one side (kept), the other party's on the other."""

    def handle(masker: _Masker, value: Any) -> Any:
        ours = masker.direction == ("outbound" if outbound else "inbound")
        return value if ours else _phone(masker, value)

    return handle


def _model(table: Mapping[str, Field], other: Field | None = None) -> Field:
    return lambda masker, value: masker.fields(value, table, other)


def _list_of(table: Mapping[str, Field]) -> Field:
    def handle(masker: _Masker, value: Any) -> Any:
        if not isinstance(value, list):
            return masker.fields(value, table) if isinstance(value, Mapping) else mask_value(value)
        return [masker.fields(item, table) for item in value]

    return handle


_PERSON: Mapping[str, Field] = {"id": _keep, "email": _email, "first_name": _name, "last_name": _name}
_CONTACT: Mapping[str, Field] = {"email": _email, "first_name": _name, "last_name": _name}
_TURN: Mapping[str, Field] = {
    "role": _keep,
    "tool_name": _keep,
    "tool_is_error": _keep,
    "content": _free,
    "tool_arguments": _free,
    "tool_output": _free,
}
_SPEECH_EVENT: Mapping[str, Field] = {
    "speaker": _keep,
    "llm_winner_model": _keep,
    "transcript": _free,
    "llm_system_prompt": _free,
    **dict.fromkeys(("is_real_turn", "was_cut", "started_speaking_at_ms", "stopped_speaking_at_ms"), _keep),
    **dict.fromkeys(("llm_ttft_ms", "tts_ttfb_ms", "stt_transcription_delay_ms"), _keep),
}
_SMS: Mapping[str, Field] = {
    "type": _keep,
    "provider": _keep,
    "to_phone_number": _phone,
    "message_body": _free,
}
_EMAIL_ENTRY: Mapping[str, Field] = {
    "from_address": _keep,  # the sender is the organisation's own address
    "to_emails": _emails,
    "subject": _free,
}
_ATTEMPT: Mapping[str, Field] = {
    **dict.fromkeys(("status", "result", "dial_error", "end_reason", "ended_by"), _keep),
    **dict.fromkeys(("handled_by_ai", "handled_by_human", "recording_url"), _keep),
    "phone_number": _phone,
    "handled_by_user": _model(_PERSON),
    "structured_output": _values,
    "transcript": _list_of(_TURN),
    "post_call_transcript": _list_of(_TURN),
    "speech_events": _list_of(_SPEECH_EVENT),
    "sms_log": _list_of(_SMS),
    "email_log": _list_of(_EMAIL_ENTRY),
}
_CALL: Mapping[str, Field] = {
    **dict.fromkeys(("assistant", "llm_model", "campaign", "call_retry_config"), _keep),  # configuration
    **dict.fromkeys(("status", "direction", "outcome", "calls_count", "first_sentence_delay_ms"), _keep),
    **dict.fromkeys(("is_cancelled", "is_completed"), _keep),
    "to_phone_number": _called(outbound=False),  # outbound (or unknown): the callee's; inbound: our line
    "from_phone_number": _called(outbound=True),  # outbound: our number; inbound (or unknown): the caller's
    "contact": _model(_CONTACT, other=_values),  # company, job title, any other: personal whatever its name
    "assignee": _model(_PERSON),
    "prompt_variables": _values,
    "metadata": _values,
    "follow_up_emails": _emails,
    "outcome_summary": _free,
    "call_attempts": _list_of(_ATTEMPT),
    "last_call_attempt": _model(_ATTEMPT),
}


# --- the call's own personal values -------------------------------------------------------------------


def _attempts(call: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = [a for a in call.get("call_attempts") or [] if isinstance(a, Mapping)]
    last = call.get("last_call_attempt")
    return [*found, last] if isinstance(last, Mapping) else found


def _strings(obj: Any, keys: Iterable[str]) -> list[str]:
    if not isinstance(obj, Mapping):
        return []
    return [value for key in keys if isinstance(value := obj.get(key), str) and value]


def _personal_values(call: Mapping[str, Any]) -> list[str]:
    """The call's own identity values: the contact's, team members', and values under personal-looking keys."""
    found: list[str] = []
    contact = call.get("contact")
    if isinstance(contact, Mapping):
        # a job title is a common noun ("manager"), never looked for; a full name is said whole as often as in parts
        found += [v for k, v in contact.items() if isinstance(v, str) and k != "job_title"]
        found.append(" ".join(_strings(contact, ("first_name", "last_name"))))
    people = [call.get("assignee"), *(attempt.get("handled_by_user") for attempt in _attempts(call))]
    for person in people:
        found += _strings(person, ("first_name", "last_name", "email"))
        found.append(" ".join(_strings(person, ("first_name", "last_name"))))
    maps = [call.get("prompt_variables"), call.get("metadata")]
    maps += [attempt.get("structured_output") for attempt in _attempts(call)]
    for values in maps:
        if isinstance(values, Mapping):
            found += [v for k, v in values.items() if isinstance(v, str) and _key_kind(str(k)) == "personal"]
    return found


def _fact_values(call: Mapping[str, Any]) -> list[str]:
    """The call's enum-like facts as sent (an unknown enum value included)."""
    found = _strings(call, ("status", "direction", "outcome"))
    for attempt in _attempts(call):
        found += _strings(attempt, ("status", "result", "dial_error", "end_reason", "ended_by"))
    return found


def mask_call(call: Mapping[str, Any]) -> JsonObject:
    """A copy of a cleaned call with its personal data masked by field (see the module docstring)."""
    out = _Masker(call).fields(call, _CALL)
    return out if isinstance(out, dict) else {}
