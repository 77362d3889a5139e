"""Hypothesis strategies for Revox data shaped like the official SDK 0.5.0's models (``revox/types``).

Every model is described once, as a table of fields (``MODELS``): each field's kind (what it means:
an id, an enum, a timestamp, free text, a phone number...), whether the SDK lets it be absent
(``optional``: not required in the SDK model) or null (``nullable``: ``Optional[...]``), and how its
values are drawn. Enum values are read from the SDK's models (``sdk_enum``; the SDK, ``revox==0.5.0``,
is a test dependency). ``tests/api/test_sdk_shapes.py`` holds the tables to the SDK: same keys, same
required and optional keys, each enum field with its own values, and every generated object
validates strictly.

Strategies (each draws one JSON object as Revox sends it):

- ``calls()``: one call order (``POST /call/search``, ``GET /call/{id}``), its attempts, transcripts,
  speech events, SMS and email logs; ``search_replies()``: ``{"calls": [...], "total_count": n}``;
- ``phone_numbers()``, ``campaigns()``, ``voices()``, ``assistants()`` (also embedded in calls,
  phone numbers and campaigns, secrets included);
- ``objects(model)``: any model of ``MODELS`` by name.

Every optional key is sometimes absent, every nullable one sometimes null, every enum value can be
drawn. The traps of issue 16 are drawn on purpose: personal-looking keys in ``metadata`` and
``prompt_variables`` holding enum words, contact and team member names equal to enum or common words,
ids with 8+ consecutive digits (``927e7977-3859-4943-a057-e25487cc2424``), phone numbers, emails, ids
and the contact's names said in free text. Values come from small pools (``NAMES``, ``PHONES``...), so
a name in a transcript is often the call's own contact's.

Reading generated objects back:

- ``leaves(model, value)``: every field of an object, nested models included, as ``Leaf(path, kind,
  value)``; ``FACT_KINDS`` are the kinds masking never changes (ids, enums, timestamps, numbers,
  booleans, labels), ``CONFIG_KINDS`` the embedded configuration it leaves alone;
- ``OPTIONAL_KEYS[model]``: the keys the SDK lets be absent (a documented field an answer must accept
  even when one record lacks it); ``ENUMS[(model, key)]``: each enum field's values.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import strategies as st
from pydantic import BaseModel
from revox.types import call_search_response as sdk_calls
from revox.types import campaign_list_response as sdk_campaigns
from revox.types import phone_number_list_response as sdk_phones
from revox.types import voice_list_response as sdk_voices

Kind = Literal[
    "id",  # an id (str): never masked, never redacted
    "ids",  # a list of ids
    "enum",  # one value of a Literal
    "enums",  # a list of them
    "time",  # a timestamp, untyped in the SDK (``object``): ISO text, epoch milliseconds, null
    "number",  # float or int
    "bool",
    "label",  # the name of a thing, not of a person: a tool, a model, a campaign, a voice
    "text",  # free text people wrote or said: personal data may be inside
    "phone",  # a phone number (E.164 in the SDK): a callee's or the organisation's
    "email",
    "emails",
    "person_name",  # a first or last name
    "values",  # a map of personal values (prompt_variables, metadata, structured_output)
    "strings",  # a list of plain strings (stt terms, metadata keys)
    "url",
    "secret",  # a credential (the custom LLM's api_key, a header value)
    "model",  # a nested object: ``of`` names its model
    "models",  # a list of them
    "llm_model",  # the union of four LLM models
    "json",  # any JSON value, or a JSON string (tool arguments)
]
FACT_KINDS: frozenset[str] = frozenset({"id", "ids", "enum", "enums", "time", "number", "bool", "label"})
PERSONAL_KINDS: frozenset[str] = frozenset({"phone", "email", "emails", "person_name", "values"})


@dataclass(frozen=True)
class Field:
    """One field of an SDK model: what it means, whether it may be absent or null, how it is drawn."""

    kind: Kind
    values: st.SearchStrategy[Any] | None = None  # None: drawn from ``of`` (model, models) or by kind
    optional: bool = False
    nullable: bool = False
    of: str | None = None  # the nested model's name (kinds model, models)
    enum: tuple[str, ...] = ()
    max_items: int = 3  # the longest list drawn (kind models)


# --- pools: small, so that values recur across fields (a name said in a transcript is the contact's) -----


# Enums, read from the SDK's models (the tables below say which field takes which).
def sdk_enum(model: type[BaseModel], field: str) -> tuple[str, ...]:
    """The values of an enum field of an SDK model (through Optional and List), in the SDK's order."""
    found: list[str] = []
    stack: list[Any] = [model.model_fields[field].annotation]
    while stack:
        annotation = stack.pop(0)
        if typing.get_origin(annotation) is Literal:
            found += typing.get_args(annotation)
        else:
            stack.extend(typing.get_args(annotation))
    return tuple(found)


CALL_STATUSES = sdk_enum(sdk_calls.Call, "status")
DIRECTIONS = sdk_enum(sdk_calls.Call, "direction")
CALL_OUTCOMES = sdk_enum(sdk_calls.Call, "outcome")
SETTING_OUTCOMES = sdk_enum(sdk_calls.CallAssistant, "after_call_sms_outcomes")  # "none" too
ATTEMPT_STATUSES = sdk_enum(sdk_calls.CallCallAttempt, "status")
RESULTS = sdk_enum(sdk_calls.CallCallAttempt, "result")
DIAL_ERRORS = sdk_enum(sdk_calls.CallCallAttempt, "dial_error")
END_REASONS = sdk_enum(sdk_calls.CallCallAttempt, "end_reason")
ENDED_BY = sdk_enum(sdk_calls.CallCallAttempt, "ended_by")
ROLES = sdk_enum(sdk_calls.CallCallAttemptTranscript, "role")
SPEAKERS = sdk_enum(sdk_calls.CallCallAttemptSpeechEvent, "speaker")
SMS_TYPES = sdk_enum(sdk_calls.CallCallAttemptSMSLog, "type")
SMS_PROVIDERS = sdk_enum(sdk_calls.CallCallAttemptSMSLog, "provider")
PHONE_PROVIDERS = sdk_enum(sdk_phones.PhoneNumber, "provider")
PHONE_SOURCES = sdk_enum(sdk_phones.PhoneNumber, "source")
PHONE_TYPES = sdk_enum(sdk_phones.PhoneNumber, "type")
CAMPAIGN_STATUSES = sdk_enum(sdk_campaigns.Campaign, "status")
EXTRACTION_STATES = sdk_enum(sdk_campaigns.Campaign, "structured_output_extraction")
LANGUAGES = sdk_enum(sdk_voices.Voice, "language")
VOICE_PROVIDERS = sdk_enum(sdk_voices.Voice, "provider")
MODEL_COMPAT = sdk_enum(sdk_voices.Voice, "api_model_compat")
DAYS = sdk_enum(sdk_calls.CallCallRetryConfig, "allowed_days")
THINKING_SOUNDS = sdk_enum(sdk_calls.CallAssistant, "thinking_sound")
INPUT_TYPES = sdk_enum(sdk_calls.CallAssistantCustomToolInputSchema, "type")
# Every word an enum of a call can take: what a personal value must never corrupt.
CALL_ENUM_WORDS = tuple(
    dict.fromkeys(
        (
            *CALL_STATUSES,
            *DIRECTIONS,
            *SETTING_OUTCOMES,
            *ATTEMPT_STATUSES,
            *RESULTS,
            *DIAL_ERRORS,
            *END_REASONS,
            *ENDED_BY,
            *ROLES,
            *SPEAKERS,
            *SMS_TYPES,
            *SMS_PROVIDERS,
        )
    )
)

# Ids: UUIDs, some with 8+ consecutive digits across a dash (what a phone pattern must not take).
IDS = (
    "927e7977-3859-4943-a057-e25487cc2424",
    "ca110002-0000-4000-8000-000000000002",
    "12345678-9012-4345-8678-901234567890",
    "5b0c7f0e-2d1a-4c8e-9a51-0f6f3c2b9e11",
    "a77e0001-0000-4000-8000-000000000000",
    "0f3c2b9e-1111-4222-8333-444455556666",
)
ids = st.one_of(
    st.sampled_from(IDS),
    st.uuids().map(str),
    st.integers(10**9, 10**15).map(str),  # an id that is all digits
    st.integers(10**7, 10**12).map(lambda n: f"call_{n}"),
)
# Names of people, and words that a CRM may hold under a name's key: enum words, common words.
NAMES = ("Jeanne", "Dupont", "Marc", "Lefèvre", "Aïcha", "O'Neil", "Claire", "Martin", "Jean-Pierre")
COMMON_WORDS = ("manager", "Manager", "hot", "yes", "Lead", "Outbound", "Interested", "Human", "Agent", "None")
person_names = st.one_of(st.sampled_from(NAMES), st.sampled_from(CALL_ENUM_WORDS), st.sampled_from(COMMON_WORDS))
# Phone numbers: the callees' (E.164, as the SDK says) and how people say them.
PHONES = ("+33612345678", "+14155550166", "+447700900123", "+8613812345678", "+971501234567")
SAID_PHONES = ("06 12 34 56 78", "+33 6 12 34 56 78", "(415) 555-0166", "07700 900123", "0612345678")
EMAILS = ("jeanne.dupont@example.org", "marc.lefevre@clinic.example", "a.oneil@mail.example.com")
TIMESTAMPS = ("2026-02-11T09:01:05.000Z", "2026-02-11T09:01:12Z", "2026-03-01T18:00:00+01:00", "2026-02-11")
timestamps = st.one_of(st.sampled_from(TIMESTAMPS), st.integers(1_600_000_000_000, 1_900_000_000_000), st.none())
numbers = st.one_of(
    st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False, allow_infinity=False), st.sampled_from([0, 400, 0.5])
)
LABELS = ("Book-Slot", "lookup_order", "send_sms", "gpt-4.1", "openai/gpt-4.1", "Relance impayés #12", "Tier 2")
labels = st.sampled_from(LABELS)
WORDS = ("Bonjour", "yes", "the call", "vendredi 10h", "merci", "please", "order A-1042", "call me back", "ok")
# Free text: words, the pools above, enum words, ids and timestamps, in any order.
text_parts = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(NAMES),
    st.sampled_from(PHONES + SAID_PHONES),
    st.sampled_from(EMAILS),
    st.sampled_from(IDS).map(lambda ident: f"ref {ident}"),
    st.sampled_from(CALL_ENUM_WORDS),
    st.sampled_from(TIMESTAMPS),
    st.sampled_from(NAMES).map(lambda name: f"{name} {NAMES[1]}"),
)
texts = st.lists(text_parts, max_size=6).map(" ".join)
# Keys of personal values: personal-looking (their values are looked for in texts) and neutral ones.
PERSONAL_KEYS = ("lead_source", "contact_name", "first_name", "customerEmail", "phone", "company", "lead_status")
NEUTRAL_KEYS = ("slot_1", "appointment_date", "campaign_tag", "crm_id", "notes", "priority")
value_words = st.one_of(
    st.sampled_from(CALL_ENUM_WORDS),
    st.sampled_from(COMMON_WORDS),
    st.sampled_from(NAMES),
    st.sampled_from(PHONES),
    st.sampled_from(EMAILS),
    st.sampled_from(IDS),
    st.sampled_from(TIMESTAMPS),
    st.sampled_from(["", "12345678", "42", "vendredi 10h"]),
)
value_maps = st.dictionaries(st.sampled_from(PERSONAL_KEYS + NEUTRAL_KEYS), value_words, max_size=5)
structured_values = st.dictionaries(
    st.sampled_from(PERSONAL_KEYS + NEUTRAL_KEYS + ("confirmation_status", "age")),
    st.one_of(value_words, st.integers(-5, 100), st.booleans(), st.none(), st.lists(value_words, max_size=2)),
    max_size=5,
)
json_values = st.one_of(
    st.dictionaries(st.sampled_from(PERSONAL_KEYS + NEUTRAL_KEYS + ("slot", "order_id")), value_words, max_size=3),
    texts,
)
URLS = ("https://rec.revox.example/r/927e7977?sig=FAKEsig0001", "https://api.example.com/v1/orders/{{order_id}}")


def _kind_values(kind: Kind) -> st.SearchStrategy[Any]:
    """How a field of this kind is drawn when its table gives no strategy."""
    by_kind: Mapping[str, st.SearchStrategy[Any]] = {
        "id": ids,
        "ids": st.lists(ids, max_size=3),
        "time": timestamps,
        "number": numbers,
        "bool": st.booleans(),
        "label": labels,
        "text": texts,
        "phone": st.sampled_from(PHONES),
        "email": st.sampled_from(EMAILS),
        "emails": st.lists(st.sampled_from(EMAILS), max_size=2),
        "person_name": person_names,
        "values": value_maps,
        "strings": st.lists(st.sampled_from(WORDS), max_size=3),
        "url": st.sampled_from(URLS),
        "secret": st.just("sk-FAKE-custom-llm-key-0123456789abcdef"),
        "json": json_values,
    }
    return by_kind[kind]


def _enum(values: tuple[str, ...], **options: Any) -> Field:
    return Field("enum", st.sampled_from(values), enum=values, **options)


def _enums(values: tuple[str, ...], **options: Any) -> Field:
    return Field("enums", st.lists(st.sampled_from(values), max_size=3, unique=True), enum=values, **options)


def _opt(kind: Kind, values: st.SearchStrategy[Any] | None = None, **options: Any) -> Field:
    """A field the SDK declares ``Optional[...] = None``: may be absent, may be null."""
    return Field(kind, values, optional=True, nullable=True, **options)


def _opt_enum(values: tuple[str, ...]) -> Field:
    return Field("enum", st.sampled_from(values), optional=True, nullable=True, enum=values)


def _opt_enums(values: tuple[str, ...]) -> Field:
    return Field(
        "enums", st.lists(st.sampled_from(values), max_size=3, unique=True), optional=True, nullable=True, enum=values
    )


def _model(name: str, **options: Any) -> Field:
    return Field("model", of=name, **options)


def _models(name: str, max_items: int = 3, **options: Any) -> Field:
    return Field("models", of=name, max_items=max_items, **options)


_TRANSCRIPT_ENTRY: dict[str, Field] = {
    "content": Field("text"),
    "role": _enum(ROLES),
    "tool_arguments": _opt("json"),  # Union[Dict[str, object], str, None]
    "tool_is_error": _opt("bool"),
    "tool_name": _opt("label", st.sampled_from(["Book-Slot", "lookup_order", "send_sms", "end_call"])),
    "tool_output": _opt("text"),
}
_PERSON: dict[str, Field] = {
    "id": Field("id"),
    "email": Field("email"),
    "first_name": _opt("person_name"),
    "last_name": _opt("person_name"),
}
_RETRY_CONFIG: dict[str, Field] = {
    "allowed_days": _enums(DAYS),
    "call_twice_in_a_row": Field("bool"),
    "calling_windows": _models("CallingWindow", 2),
    "max_retry_attempts": Field("number", st.integers(1, 5)),
    "timezone": _opt("label", st.sampled_from(["Europe/Paris", "America/New_York"])),
}
_PAIR: dict[str, Field] = {"key": Field("label"), "value": Field("secret")}
_ATTEMPT: dict[str, Field] = {
    "id": Field("id"),
    "answered_at": Field("time"),
    "dial_error": _opt_enum(DIAL_ERRORS),
    "ended_at": Field("time"),
    "handled_by_ai": Field("bool"),
    "handled_by_human": Field("bool"),
    "handled_by_user": _model("Person", optional=True, nullable=True),
    "phone_number": Field("phone"),
    "recording_url": _opt("url"),
    "result": _opt_enum(RESULTS),
    "started_at": Field("time"),
    "status": _enum(ATTEMPT_STATUSES),
    "assistants_used": _opt("ids"),
    "email_log": _models("EmailLog", 2, optional=True, nullable=True),
    "end_reason": _opt_enum(END_REASONS),
    "ended_by": _opt_enum(ENDED_BY),
    "post_call_transcript": _models("TranscriptEntry", 3, optional=True, nullable=True),
    "sms_log": _models("SmsLog", 2, optional=True, nullable=True),
    "speech_events": _models("SpeechEvent", 3, optional=True, nullable=True),
    "structured_output": _opt("values", structured_values),
    "transcript": _models("TranscriptEntry", 4, optional=True, nullable=True),
}
_LLM_MODELS = st.one_of(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["gpt-4.1", "ministral-3-8b-instruct"]), "type": st.just("dedicated-instance")}
    ),
    st.fixed_dictionaries(
        {
            "openrouter_model_id": st.sampled_from(["openai/gpt-4.1", "anthropic/claude-sonnet-4"]),
            "openrouter_provider": st.sampled_from(["openai", "azure", "nebius"]),
            "type": st.just("openrouter"),
        }
    ),
    st.fixed_dictionaries(
        {
            "api_key": _kind_values("secret"),
            "api_url": st.just("https://api.together.xyz/v1"),
            "model_name": st.just("meta-llama/Llama-3.3-70B-Instruct-Turbo"),
            "type": st.just("custom"),
        }
    ),
    st.fixed_dictionaries(
        {
            "provider": st.sampled_from(["openai", "google"]),
            "realtime_model_id": st.sampled_from(["gpt-realtime", "gemini-2.5-flash"]),
            "type": st.just("realtime"),
        },
        optional={"realtime_voice_id": st.one_of(st.none(), st.sampled_from(["marin", "Puck"]))},
    ),
)

MODELS: dict[str, dict[str, Field]] = {
    "Call": {
        "id": Field("id"),
        "assignee": _model("Person", optional=True, nullable=True),
        "assistant": _model("Assistant", optional=True, nullable=True),
        "call_attempts": _models("CallAttempt", 3),
        "call_retry_config": _model("RetryConfig", optional=True, nullable=True),
        "calls_count": Field("number", st.integers(0, 5)),
        "campaign": _model("CallCampaign", optional=True, nullable=True),
        "contact": _model("Contact"),
        "created_at": Field("time"),
        "direction": _enum(DIRECTIONS),
        "first_sentence_delay_ms": Field("number", st.integers(-100, 5_000)),
        "from_phone_number": Field("phone"),
        "is_cancelled": Field("bool"),
        "is_completed": Field("bool"),
        "last_call_attempt": _model("CallAttempt", optional=True, nullable=True),
        "llm_model": Field("llm_model", _LLM_MODELS),
        "metadata": _opt("values"),
        "organization_id": Field("id"),
        "prompt_variables": _opt("values"),
        "scheduled_at": Field("time"),
        "status": _enum(CALL_STATUSES),
        "to_phone_number": Field("phone"),
        "updated_at": Field("time"),
        "follow_up_emails": _opt("emails"),
        "outcome": _opt_enum(CALL_OUTCOMES),
        "outcome_summary": _opt("text"),
        "slack_channel_ids": _opt("ids"),
    },
    "CallAttempt": _ATTEMPT,
    "Person": _PERSON,
    "Contact": {
        "company": _opt("person_name", st.sampled_from(["Dupont Boulangerie", "Acme 12345678", "Outbound", "hot"])),
        "email": _opt("email"),
        "first_name": _opt("person_name"),
        "job_title": _opt("person_name", st.sampled_from(["Gérante", "manager", "CEO"])),
        "last_name": _opt("person_name"),
    },
    "CallCampaign": {"id": Field("id"), "name": Field("label")},
    "RetryConfig": _RETRY_CONFIG,
    "CallingWindow": {
        "calling_window_end_time": Field("label", st.sampled_from(["18:00", "6pm"])),
        "calling_window_start_time": Field("label", st.sampled_from(["09:00", "10am"])),
        "retry_delay_seconds": Field("number", st.integers(0, 86_400)),
    },
    "TranscriptEntry": _TRANSCRIPT_ENTRY,
    "SpeechEvent": {
        "id": Field("id"),
        "is_real_turn": Field("bool"),
        "llm_system_prompt": _opt("text"),
        "llm_ttft_ms": _opt("number"),
        "llm_winner_model": _opt("label", st.sampled_from(["gpt-4.1", "openai/gpt-4.1"])),
        "speaker": _enum(SPEAKERS),
        "started_speaking_at_ms": Field("number"),
        "stopped_speaking_at_ms": _opt("number"),
        "stt_transcription_delay_ms": _opt("number"),
        "transcript": _opt("text"),
        "tts_ttfb_ms": _opt("number"),
        "was_cut": _opt("bool"),
    },
    "SmsLog": {
        "id": Field("id"),
        "created_at": Field("time"),
        "message_body": Field("text"),
        "provider": _enum(SMS_PROVIDERS),
        "provider_message_id": _opt("id"),
        "to_phone_number": Field("phone"),
        "type": _enum(SMS_TYPES),
    },
    "EmailLog": {
        "id": Field("id"),
        "created_at": Field("time"),
        "from_address": Field("label", st.just("noreply@clinic.example")),  # the organisation's own
        "resend_message_id": _opt("id"),
        "subject": Field("text"),
        "to_emails": Field("emails"),
    },
    "PhoneNumber": {
        "id": Field("id"),
        "created_at": Field("time"),
        "created_by": _model("Person", optional=True, nullable=True),
        "inbound_assistant": _model("Assistant", optional=True, nullable=True),
        "inbound_sip_uri": _opt("url", st.just("sip:inbound@sip.example.com")),
        "label": _opt("label"),
        "livekit_outbound_trunk_id": _opt("id"),
        "phone_number": Field("phone"),
        "provider": _enum(PHONE_PROVIDERS),
        "source": _enum(PHONE_SOURCES),
        "type": _enum(PHONE_TYPES),
    },
    "Campaign": {
        "id": Field("id"),
        "assistant_id": Field("id"),
        "created_at": Field("time"),
        "is_cancelled": Field("bool"),
        "name": Field("label"),
        "organization_id": Field("id"),
        "status": _enum(CAMPAIGN_STATUSES),
        "updated_at": Field("time"),
        "assistant": _model("Assistant", optional=True, nullable=True),
        "call_retry_config": _model("RetryConfig", optional=True, nullable=True),
        "created_by": _model("Person", optional=True, nullable=True),
        "from_phone_number": _opt("phone"),
        "funnel_stats": _model("FunnelStats", optional=True, nullable=True),
        "max_concurrent_calls": _opt("number", st.integers(1, 50)),
        "metadata_keys": _opt("strings", st.lists(st.sampled_from(PERSONAL_KEYS + NEUTRAL_KEYS), max_size=3)),
        "row_stats": _model("RowStats", optional=True, nullable=True),
        "scheduled_at": _opt("time"),
        "structured_output_extraction": _opt_enum(EXTRACTION_STATES),
    },
    "FunnelStats": {name: Field("number", st.integers(0, 500)) for name in ("hot", "talked_to_human", "total_leads")},
    "RowStats": {
        name: Field("number", st.integers(0, 500))
        for name in ("calling", "completed", "failed", "not_launched", "pending", "retry", "skipped", "total")
    },
    "Voice": {
        "id": Field("id", st.sampled_from(["21m00Tcm4TlvDq8ikWAM", "a0e99841-438c-4a64-b679-ae501e7d6091"])),
        "description": Field("label", st.sampled_from(["Warm and friendly", ""])),
        "language": _enum(LANGUAGES),
        "name": Field("label", st.sampled_from(["Rachel", "Lucy"])),
        "provider": _enum(VOICE_PROVIDERS),
        "accent": _opt("label", st.sampled_from(["american", "quebec"])),
        "gender": _opt("label", st.sampled_from(["female", "male"])),
        "isCloned": _opt("bool"),
        "modelCompat": _opt_enum(MODEL_COMPAT),
    },
    # The assistant, as embedded in calls, phone numbers and campaigns (secrets included).
    "Assistant": {
        "id": Field("id"),
        "after_call_sms_outcomes": _opt_enums(SETTING_OUTCOMES),
        "after_call_sms_prompt": _opt("text"),
        "background_sound": _opt_enum(sdk_enum(sdk_calls.CallAssistant, "background_sound")),
        "background_sound_volume": Field("number", st.sampled_from([0, 0.5, 1])),
        "calendly": _model("Calendly", optional=True, nullable=True),
        "call_retry_config": _model("RetryConfig", optional=True, nullable=True),
        "cartesia_dictionary_pronunciation_id": _opt("id"),
        "created_at": Field("time"),
        "custom_tools": _models("CustomTool", 2, optional=True, nullable=True),
        "email_notification_address": _opt("email"),
        "email_notification_outcomes": _opt_enums(SETTING_OUTCOMES),
        "end_of_call_sentence": _opt("text"),
        "first_sentence": _opt("text"),
        "first_sentence_delay_ms": Field("number", st.integers(0, 2_000)),
        "first_sentence_mode": _enum(sdk_enum(sdk_calls.CallAssistant, "first_sentence_mode")),
        "from_phone_number": _opt("phone"),
        "human_transfer_mode": _opt_enum(sdk_enum(sdk_calls.CallAssistant, "human_transfer_mode")),
        "ivr_navigation_enabled": Field("bool"),
        "llm_model": Field("llm_model", _LLM_MODELS),
        "logo_url": _opt("url"),
        "max_call_duration_secs": Field("number", st.sampled_from([45, 300, 480.5])),
        "max_duration_end_message": _opt("text"),
        "name": Field("label"),
        "organization_id": Field("id"),
        "position": _model("Position", optional=True, nullable=True),
        "precall_lookup_url": _opt("url"),
        "prompt": Field("text"),
        "prompt_flow": _model("PromptFlow", optional=True, nullable=True),
        "slack": _model("Slack", optional=True, nullable=True),
        "sms_enabled": Field("bool"),
        "sms_template": _opt("text"),
        "structured_output_config": _models("StructuredOutputConfig", 2, optional=True, nullable=True),
        "structured_output_prompt": _opt("text"),
        "stt_context": _model("SttContext", optional=True, nullable=True),
        "stt_model": _enum(sdk_enum(sdk_calls.CallAssistant, "stt_model")),
        "thinking_sound": _opt_enum(THINKING_SOUNDS),
        "thinking_sound_probability": Field("number", st.sampled_from([0, 0.3, 1])),
        "thinking_sound_volume": Field("number", st.sampled_from([0, 0.5, 1])),
        "transfer_destinations": _models("TransferDestination", 2, optional=True, nullable=True),
        "type": _enum(sdk_enum(sdk_calls.CallAssistant, "type")),
        "updated_at": Field("time"),
        "voice": _model("AssistantVoice", optional=True, nullable=True),
        "voicemail_message": _opt("text"),
        "voicemail_sms_prompt": _opt("text"),
        "warm_transfer_summary_instructions": _opt("text"),
        "webhook_url": _opt("url"),
        "zoho": _model("Zoho", optional=True, nullable=True),
        "created_by": _model("Person", optional=True, nullable=True),
        "faq_items": _models("FaqItem", 2, optional=True, nullable=True),
        "is_inbound_receptionist": _opt("bool"),
        "is_realestate_assistant": _opt("bool"),
        "pending_faq_count": _opt("number", st.integers(0, 5)),
    },
    "Calendly": {"connection_id": Field("id"), "event_type_id": Field("url")},
    "CustomTool": {
        "body_template": _opt("text", st.just('{"slot": "{{slot}}"}')),
        "description": Field("text"),
        "headers": _models("Pair", 2),
        "input_schema": _models("InputSchema", 2),
        "method": _enum(sdk_enum(sdk_calls.CallAssistantCustomTool, "method")),
        "name": Field("label"),
        "query_params": _models("Pair", 2),
        "url": Field("url"),
    },
    "Pair": _PAIR,
    "InputSchema": {
        "name": Field("label"),
        "required": Field("bool"),
        "type": _enum(INPUT_TYPES),
        "description": _opt("text"),
        "enum_options": _opt("strings"),
    },
    "StructuredOutputConfig": {
        "name": Field("label"),
        "required": Field("bool"),
        "type": _enum(INPUT_TYPES),
        "description": _opt("text"),
        "enum_options": _opt("strings"),
    },
    "Position": {"x": Field("number"), "y": Field("number")},
    "PromptFlow": {"edges": _models("FlowEdge", 2), "nodes": _models("FlowNode", 2)},
    "FlowEdge": {"id": Field("id"), "source": Field("id"), "target": Field("id")},
    "FlowNode": {
        "id": Field("id"),
        "data": _model("FlowNodeData"),
        "position": _model("Position"),
        "type": _enum(sdk_enum(sdk_calls.CallAssistantPromptFlowNode, "type")),
    },
    "FlowNodeData": {"body": Field("text"), "title": Field("label")},
    "Slack": {
        "channels": _models("SlackChannel", 2),
        "connection_id": Field("id"),
        "outcomes": _enums(SETTING_OUTCOMES),
        "template": _opt("text"),
    },
    "SlackChannel": {"id": Field("id"), "name": _opt("label")},
    "SttContext": {"general": _models("SttPair", 2), "terms": Field("strings")},
    "SttPair": {
        "key": Field("label", st.sampled_from(["domain", "city", "company", "product"])),
        "value": Field("label", st.sampled_from(["real estate", "Lyon", "Revox", "gpt-4.1", "Book-Slot"])),
    },
    "TransferDestination": {"label": Field("label"), "phone_number": Field("phone")},
    "AssistantVoice": {
        "id": Field("id"),
        "provider": _enum(VOICE_PROVIDERS),
        "model": _opt_enum(sdk_enum(sdk_calls.CallAssistantVoice, "model")),
        "speed": _opt("number", st.sampled_from([0.6, 1.0, 1.5])),
        "volume": _opt("number", st.sampled_from([0.5, 1.0, 2.0])),
    },
    "Zoho": {
        "connection_id": Field("id"),
        "field_mapping": _models("ZohoMapping", 2),
        "log_call_activity": Field("bool"),
        "module": Field("label"),
        "outcomes": _enums(SETTING_OUTCOMES),
        "template": _opt("text"),
    },
    "ZohoMapping": {"source": Field("label"), "zoho_field": Field("label")},
    "FaqItem": {
        "answer": Field("text"),
        "question": Field("text"),
        "id": _opt("id"),
        "needs_human_answer": _opt("bool"),
        "source": _opt_enum(sdk_enum(sdk_calls.CallAssistantFaqItem, "source")),
    },
}

OPTIONAL_KEYS: dict[str, frozenset[str]] = {
    model: frozenset(key for key, spec in fields.items() if spec.optional) for model, fields in MODELS.items()
}
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    (model, key): spec.enum for model, fields in MODELS.items() for key, spec in fields.items() if spec.enum
}


# --- strategies ------------------------------------------------------------------------------------------


def _field_values(spec: Field) -> st.SearchStrategy[Any]:
    if spec.kind in ("model", "models"):
        assert spec.of is not None
        values: st.SearchStrategy[Any] = objects(spec.of)
        if spec.kind == "models":
            values = st.lists(values, max_size=spec.max_items)
    else:
        values = spec.values if spec.values is not None else _kind_values(spec.kind)
    return st.one_of(st.none(), values) if spec.nullable else values


_STRATEGIES: dict[str, st.SearchStrategy[dict[str, Any]]] = {}


def objects(model: str) -> st.SearchStrategy[dict[str, Any]]:
    """One object of ``model`` (a name of ``MODELS``): required keys always, optional ones sometimes."""
    if model not in _STRATEGIES:
        fields = MODELS[model]
        _STRATEGIES[model] = st.deferred(
            lambda: st.fixed_dictionaries(
                {key: _field_values(spec) for key, spec in fields.items() if not spec.optional},
                optional={key: _field_values(spec) for key, spec in fields.items() if spec.optional},
            )
        )
    return _STRATEGIES[model]


def calls() -> st.SearchStrategy[dict[str, Any]]:
    """One call order as ``POST /call/search`` and ``GET /call/{id}`` return it."""
    return objects("Call")


def call_attempts() -> st.SearchStrategy[dict[str, Any]]:
    return objects("CallAttempt")


def search_replies(max_calls: int = 4) -> st.SearchStrategy[dict[str, Any]]:
    """``{"calls": [...], "total_count": n}``, n at least the number of calls (a float in the SDK)."""
    return st.lists(calls(), max_size=max_calls).flatmap(
        lambda found: st.builds(
            lambda extra: {"calls": found, "total_count": len(found) + extra}, st.integers(0, 1_000)
        )
    )


def phone_numbers() -> st.SearchStrategy[dict[str, Any]]:
    return objects("PhoneNumber")


def campaigns() -> st.SearchStrategy[dict[str, Any]]:
    return objects("Campaign")


def voices() -> st.SearchStrategy[dict[str, Any]]:
    return objects("Voice")


def assistants() -> st.SearchStrategy[dict[str, Any]]:
    return objects("Assistant")


# --- reading generated objects back ---------------------------------------------------------------------

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Leaf:
    """One field of a generated object: where it is, what it means, its value."""

    path: Path
    kind: Kind
    value: Any
    model: str


def leaves(model: str, value: Any, path: Path = ()) -> Iterator[Leaf]:
    """Every field of ``value`` (an object of ``model``), nested models walked into, in order."""
    if not isinstance(value, Mapping):
        return
    fields = MODELS[model]
    for key, item in value.items():
        spec = fields.get(key)
        if spec is None:
            continue
        here = (*path, key)
        if spec.kind == "model" and spec.of is not None and isinstance(item, Mapping):
            yield from leaves(spec.of, item, here)
        elif spec.kind == "models" and spec.of is not None and isinstance(item, list):
            for index, entry in enumerate(item):
                yield from leaves(spec.of, entry, (*here, index))
        else:
            yield Leaf(here, spec.kind, item, model)


def at(value: Any, path: Path) -> Any:
    """The value at ``path`` in a JSON value (KeyError/IndexError when it is not there)."""
    for step in path:
        value = value[step]
    return value


def said_phone_numbers(text: str) -> list[str]:
    """The pool's phone numbers found in ``text``, in any of the ways they are said."""
    return [phone for phone in PHONES + SAID_PHONES if phone in text]
