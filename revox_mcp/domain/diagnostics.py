"""Lint one raw Revox assistant: a pure function from the wire JSON to a list of findings.

``diagnose()`` reads the assistant exactly as ``GET /assistants/{id}`` returns it and never raises:
any field may be missing, null, of the wrong type or carry an enum value this module has never seen.
No I/O happens here. The rules come from ``docs/revox-api.md`` section 4:

* single-field rules V1-V46. V47 is left out: it constrains the voice *preview* endpoint, which is not
  an assistant field;
* cross-field rules X1-X19 and X23-X25. X20-X22 need other endpoints (phone numbers, voices), so the
  server layer runs them.

Heuristics that are ours, not Revox's: a call limit under 60 s is "too short" (V46 has no documented
bounds); a sound volume or probability left at the API default of 0.5 is not reported when the sound
itself is off (only a changed value signals intent); a window ending at midnight ("00:00", "12am")
ends at 24:00.

Messages never quote secrets: not ``llm_model.api_key``, tool header or query values, tool body
templates, nor URL query strings (URLs are quoted as scheme and host only). Other free text is passed
through ``redact_text`` and truncated.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
import zoneinfo
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, TypeGuard
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict

from revox_mcp.domain.redaction import redact_text, strip_invisible
from revox_mcp.domain.summary import lean_schema

Severity = Literal["error", "warning", "info"]


class Finding(BaseModel):
    """One problem found in an assistant."""

    model_config = ConfigDict(json_schema_extra=lean_schema)

    rule: str
    severity: Severity
    path: str
    message: str
    fix: str


class VariableUse(BaseModel):
    """A ``{{variable}}`` that calls must supply, and the fields that use it."""

    model_config = ConfigDict(json_schema_extra=lean_schema)

    name: str
    sources: list[str]


class Diagnosis(BaseModel):
    """Everything ``diagnose`` found in one assistant."""

    assistant_id: str
    name: str
    findings: list[Finding]
    variables: list[VariableUse]

    @property
    def error_count(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "error")

    @property
    def warning_count(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "warning")

    @property
    def info_count(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "info")


@dataclass(frozen=True)
class _Rule:
    severity: Severity
    about: str  # one line, for RULES
    message: str  # one sentence, a str.format template: {path} plus the parameters each check passes
    fix: str


_PARAM_RE = re.compile(r"\$(\w+)")


def _template(text: str) -> str:
    """'$name' placeholders (readable next to literal {{variables}}) -> a str.format template."""
    return _PARAM_RE.sub(r"{\1}", text.replace("{", "{{").replace("}", "}}"))


def _rule(severity: Severity, about: str, message: str, fix: str) -> _Rule:
    return _Rule(severity, about, _template(message), _template(fix))


def _range_rule(about: str) -> _Rule:
    return _rule(
        "error",
        about,
        "$path is $value, outside the documented range $low to $high.",
        "Set $path to a value between $low and $high.",
    )


# Every rule diagnose() can emit. Severities: error = the assistant will misbehave; warning = likely a
# mistake; info = worth knowing. Values that older API versions accepted are never errors.
_RULE_TABLE: dict[str, _Rule] = {
    # --- schema drift (X23) ---
    "schema.not_an_object": _rule(
        "error",
        "The payload is not a JSON object.",
        "The assistant payload is $kind, not a JSON object.",
        "Pass the object returned by GET /assistants/{id}.",
    ),
    "schema.missing_keys": _rule(
        "info",
        "Keys that SDK 0.5.0 always sends are absent (older or trimmed payload).",
        "$count keys that SDK 0.5.0 always sends are absent: $names.",
        "Treat these fields as unknown rather than null, or re-save the assistant so the API fills them in.",
    ),
    "schema.unknown_keys": _rule(
        "info",
        "A top-level key unknown to SDK 0.5.0 (newer API or junk); names only, never values.",
        "$what not part of SDK 0.5.0 (values are not shown).",
        "Nothing to change if the API added the field; otherwise remove it from the payload.",
    ),
    "schema.legacy_field": _rule(
        "info",
        "A field from an older API version (X23).",
        "$path comes from an older API version: $history.",
        "$advice",
    ),
    "schema.wrong_type": _rule(
        "warning",
        "A field has the wrong JSON type, so its checks are skipped.",
        "$path is $actual where the API sends $expected.",
        "Set $path to $expected (or null) so its checks can run.",
    ),
    "schema.null_value": _rule(
        "warning",
        "A field the API declares non-nullable is null.",
        "$path is null although the API declares it non-nullable.",
        "Set $path to $expected.",
    ),
    "schema.too_many_items": _rule(
        "info",
        "A list is so long that only its first items were checked.",
        "$path has $count items, so only the first $limit were checked.",
        "Trim $path to the entries the assistant really needs.",
    ),
    "diagnose.check_failed": _rule(
        "info",
        "One group of checks could not run on this payload (a bug in this module).",
        "The $group checks could not run on this payload.",
        "Report this assistant's shape (not its secrets) to the revox-mcp maintainers.",
    ),
    # --- numeric ranges and lengths ---
    "range.background_sound_volume": _range_rule("background_sound_volume outside 0..1 (V2)."),
    "range.thinking_sound_probability": _range_rule("thinking_sound_probability outside 0..1 (V4)."),
    "range.thinking_sound_volume": _range_rule("thinking_sound_volume outside 0..1 (V5)."),
    "range.voice.speed": _range_rule("voice.speed outside the schema range 0.6..1.5 (V9)."),
    "range.voice.volume": _range_rule("voice.volume outside 0.5..2.0 (V11)."),
    "range.retry_delay_seconds": _rule(
        "error",
        "A calling window's retry_delay_seconds is negative (V17).",
        "$path is $value, but a retry delay cannot be negative.",
        "Set $path to 0 or more seconds (default 7200).",
    ),
    "range.max_retry_attempts": _rule(
        "error",
        "call_retry_config.max_retry_attempts is below 1 (V18).",
        "$path is $value but must be at least 1.",
        "Set $path to 1 or more (default 3).",
    ),
    "range.max_call_duration_secs": _rule(
        "error",
        "max_call_duration_secs is zero or negative (V46).",
        "$path is $value, so no call can last.",
        "Set $path to the longest call you accept, e.g. 600.",
    ),
    "length.max_duration_end_message": _rule(
        "error",
        "max_duration_end_message is longer than 150 characters (V6).",
        "$path has $count characters, over the documented 150, so it may not fit the farewell buffer.",
        "Shorten $path to 150 characters or fewer.",
    ),
    # --- enums (V1, V3, V8, V12, V13, V15, V24, V26, V28-V30, V33, V35-V37, V43-V45) ---
    "enum.unknown_value": _rule(
        "warning",
        "A value outside every documented enum (API drift or a typo).",
        "$path $found, which the docs do not list.",
        "Set $path to one of $allowed (or ignore this if the API added the value).",
    ),
    "enum.legacy_value": _rule(
        "warning",
        "An enum value that older API versions accepted and SDK 0.4.0 dropped (X23).",
        "$path $found, which older API versions accepted and SDK 0.4.0 dropped.",
        "Set $path to values from $allowed.",
    ),
    # --- voice ---
    "voice.id.empty": _rule(
        "error",
        "voice.id is missing or empty (V7).",
        "$path is missing or empty, so no voice can be selected.",
        "Set $path to a voice id from GET /voices for the chosen provider.",
    ),
    "voice.provider_unknown_to_old_docs": _rule(
        "info",
        "voice.provider is 'gradium', which the older docs pages do not list (V8).",
        "$path is 'gradium', which SDK 0.4.0 added and the older docs pages do not list.",
        "Nothing to change; make sure your tooling knows the gradium provider.",
    ),
    "voice.speed.provider_range": _rule(
        "warning",
        "voice.speed is inside the schema range but outside the provider's own range (V10).",
        "$path is $value, outside the $provider range $low to $high.",
        "Set $path between $low and $high for $provider.",
    ),
    "voice.volume.cartesia_only": _rule(
        "info",
        "voice.volume is set but only Cartesia uses it (V11, X14).",
        "$path is $value but the provider is $provider, which ignores it.",
        "Remove $path, or switch to a Cartesia voice if you need it.",
    ),
    "voice.model.cartesia_only": _rule(
        "info",
        "voice.model is set but only Cartesia uses it (V12, X14).",
        "$path is $value but the provider is $provider, which ignores it.",
        "Remove $path, or switch to a Cartesia voice if you need it.",
    ),
    "voice.cartesia_dictionary_unused": _rule(
        "info",
        "A Cartesia pronunciation dictionary is set with a non-Cartesia voice (X15).",
        "A Cartesia pronunciation dictionary is set but the voice provider is $provider, so it cannot apply.",
        "Clear $path, or use a Cartesia voice.",
    ),
    # --- LLM ---
    "llm.field_empty": _rule(
        "error",
        "A field the llm_model variant requires is missing or empty (V29, V31-V33).",
        "$path is missing or empty, but $variant requires it.",
        "Set $path in the assistant's model settings.",
    ),
    "llm.realtime.voice_unused": _rule(
        "info",
        "A realtime model speaks with realtime_voice_id, so voice is probably unused (X18, unverified).",
        "The realtime model speaks with llm_model.realtime_voice_id, so the TTS voice is probably unused.",
        "Set $path to null, or choose the voice in llm_model.realtime_voice_id.",
    ),
    # --- first sentence ---
    "first_sentence_delay.negative": _rule(
        "warning",
        "first_sentence_delay_ms is negative (V14).",
        "$path is $value; a negative delay is meaningless.",
        "Set $path to 0 or more (default 400).",
    ),
    "first_sentence.static_empty": _rule(
        "error",
        "first_sentence_mode is 'static' and first_sentence is empty (X5).",
        "first_sentence_mode is 'static' but $path is empty, so there is nothing to say.",
        "Write the opening line in $path, or set first_sentence_mode to 'generated' or 'none'.",
    ),
    "first_sentence.generated_empty": _rule(
        "info",
        "first_sentence_mode is 'generated' and first_sentence is empty (X6).",
        "first_sentence_mode is 'generated' but $path gives the LLM no opening instruction.",
        "Describe in $path how the assistant should open the call.",
    ),
    "first_sentence.ignored": _rule(
        "info",
        "first_sentence is set but first_sentence_mode is 'none' (X7).",
        "$path is set but first_sentence_mode is 'none', so it is ignored.",
        "Clear $path, or set first_sentence_mode to 'static' or 'generated'.",
    ),
    # --- call retry config ---
    "retry.defaults": _rule(
        "info",
        "call_retry_config is null, so the server defaults apply.",
        "$path is null, so server defaults apply (Mon-Fri, 10:00-18:00, 7200 s, 3 attempts).",
        "Nothing to change unless those defaults do not suit; then set $path.",
    ),
    "retry.legacy_shape": _rule(
        "info",
        "call_retry_config has a pre-SDK-0.2 shape: one flat window, or no allowed_days (X23).",
        "$path has a pre-SDK-0.2 shape ($shape).",
        "Re-save the retry settings so $path has calling_windows, allowed_days and call_twice_in_a_row.",
    ),
    "retry.window.time_format": _rule(
        "error",
        "A calling window time matches neither 'HH:mm' nor 'H:mma' (V16).",
        "$path has $bad, matching neither 'HH:mm' (24-hour) nor 'H:mma' (12-hour).",
        "Write the times in $path like '09:00' and '17:30', or '9am' and '5:30pm'.",
    ),
    "retry.window.end_before_start": _rule(
        "error",
        "A calling window ends at or before its start (X13).",
        "$path ends at $end, at or before its start $start, so it never opens.",
        "Swap or correct the start and end times of $path.",
    ),
    "retry.window.overlap": _rule(
        "warning",
        "Two calling windows overlap (X13).",
        "$path overlaps $other.",
        "Merge $path with $other, or make them disjoint.",
    ),
    "retry.windows.empty": _rule(
        "warning",
        "call_retry_config.calling_windows is an empty list (X13).",
        "$path is empty, so there may be no time to call.",
        "Add at least one calling window to $path, e.g. 10:00-18:00.",
    ),
    "retry.allowed_days.empty": _rule(
        "error",
        "call_retry_config.allowed_days is an empty list: no day to call on (X13).",
        "$path is empty, so there is no day to call on.",
        "List the calling days in $path, e.g. monday to friday.",
    ),
    "retry.delay.zero": _rule(
        "info",
        "retry_delay_seconds is 0: valid since SDK 0.4.0, older docs required more than 0 (V17).",
        "$path is 0, so retries happen as soon as the window allows (valid since SDK 0.4.0).",
        "Set $path to a positive delay (default 7200) if retries should be spaced out.",
    ),
    "retry.twice_in_a_row.noop": _rule(
        "warning",
        "call_twice_in_a_row is true but max_retry_attempts is below 2 (V19, X12).",
        "$path is true but max_retry_attempts is $value, so it has no effect.",
        "Set call_retry_config.max_retry_attempts to 2 or more, or $path to false.",
    ),
    "retry.timezone.iana": _rule(
        "warning",
        "call_retry_config.timezone is not an IANA time-zone id (V20).",
        "$path is $value, which is not an IANA time-zone id.",
        "Set $path to an id like 'Europe/Paris', or to null to use the callee's time zone.",
    ),
    # --- custom tools ---
    "custom_tool.name_empty": _rule(
        "error",
        "A custom tool has no name (V21).",
        "$path is empty, so the LLM cannot call this tool.",
        "Set $path to a lowercase_snake_case name.",
    ),
    "custom_tool.name_snake_case": _rule(
        "warning",
        "A custom tool name is not lowercase_snake_case (V21).",
        "The tool name $value is not lowercase_snake_case.",
        "Rename $path to lowercase_snake_case, e.g. $suggestion.",
    ),
    "custom_tool.duplicate_name": _rule(
        "error",
        "Two custom tools share a name (V21).",
        "Another custom tool is already named $value, so the LLM cannot tell them apart.",
        "Give $path a unique name.",
    ),
    "custom_tool.description_empty": _rule(
        "warning",
        "A custom tool has no description for the LLM (V22).",
        "$path is empty, so the LLM cannot know when to call the tool.",
        "Describe in $path what the tool does and when to use it.",
    ),
    "custom_tool.empty_key": _rule(
        "error",
        "A custom tool header or query parameter has an empty key (V25).",
        "$path is empty, so the request cannot carry this entry.",
        "Set $path, or remove the entry.",
    ),
    "custom_tool.input_name_empty": _rule(
        "error",
        "A custom tool input has no name (V26).",
        "$path is empty, so the LLM cannot fill this input.",
        "Set $path to a short snake_case name.",
    ),
    "custom_tool.duplicate_input_name": _rule(
        "warning",
        "Two inputs of one custom tool share a name (X17).",
        "$path repeats $value, so one of the two inputs is lost.",
        "Rename $path to a unique name.",
    ),
    "custom_tool.enum_without_options": _rule(
        "warning",
        "A custom tool input of type enum has no enum_options (X17).",
        "$path has type 'enum' but no enum_options, so no value can be chosen.",
        "List the allowed values in $path.enum_options, or change its type to 'string'.",
    ),
    "custom_tool.body_template_invalid_json": _rule(
        "warning",
        "A custom tool body_template is not JSON once its placeholders are filled (V27).",
        "$path is not valid JSON once its placeholders are filled (the template is not shown).",
        "Fix the JSON syntax of $path.",
    ),
    "custom_tool.body_template_placeholder_unquoted": _rule(
        "warning",
        "A custom tool body_template has a placeholder outside a JSON string (V27).",
        "$path has unquoted placeholders ($names), which break the JSON for text values.",
        'Wrap each placeholder in $path in double quotes, e.g. "{{name}}".',
    ),
    # --- structured output ---
    "structured_output.name_empty": _rule(
        "error",
        "A structured output field has no name (V28).",
        "$path is empty, so the extracted value has no key.",
        "Set $path to a short snake_case name.",
    ),
    "structured_output.enum_without_options": _rule(
        "warning",
        "A structured output field of type enum has no enum_options (X17).",
        "$path has type 'enum' but no enum_options, so no value can be chosen.",
        "List the allowed values in $path.enum_options, or change its type to 'string'.",
    ),
    "structured_output.duplicate_name": _rule(
        "warning",
        "Two structured output fields share a name (X17).",
        "$path repeats $value, so one of the two values is lost.",
        "Rename $path to a unique name.",
    ),
    "structured_output.prompt_unknown_variable": _rule(
        "info",
        "structured_output_prompt uses a variable beyond the four documented ones (V41).",
        "$path uses $names, beyond the four documented variables.",
        "Use only {{transcript}}, {{call_direction}}, {{user_phone_number}} and {{agent_phone_number}} in $path.",
    ),
    # --- notifications ---
    "email.format": _rule(
        "warning",
        "email_notification_address has a part that is not an e-mail address (V34).",
        "$path contains $values, which is not an e-mail address.",
        "Set $path to one address or a comma-separated list of addresses.",
    ),
    "email.outcomes_without_address": _rule(
        "warning",
        "email_notification_outcomes is set but no address is (X10).",
        "$path is set but email_notification_address is empty, so no e-mail is sent.",
        "Set email_notification_address, or clear $path.",
    ),
    "email.address_without_outcomes": _rule(
        "warning",
        "email_notification_address is set but no outcome triggers an e-mail (X10).",
        "$path is set but email_notification_outcomes is empty, so no e-mail is sent.",
        "List the outcomes to notify in email_notification_outcomes, or clear $path.",
    ),
    "sms.template_but_disabled": _rule(
        "warning",
        "sms_template is set while sms_enabled is false (X11).",
        "$path is set but sms_enabled is false, so the in-call SMS tool never sends it.",
        "Set sms_enabled to true, or clear $path.",
    ),
    "sms.after_call_no_outcomes": _rule(
        "warning",
        "after_call_sms_prompt is set but no outcome triggers it (X8).",
        "after_call_sms_prompt is set but $path is empty, so no after-call SMS is sent.",
        "List the outcomes that should trigger the SMS in $path.",
    ),
    "sms.after_call_no_prompt": _rule(
        "warning",
        "after_call_sms_outcomes is set but after_call_sms_prompt is empty (X9).",
        "after_call_sms_outcomes is set but $path is empty, so no after-call SMS is sent.",
        "Write the SMS instructions in $path, or clear after_call_sms_outcomes.",
    ),
    "voicemail.no_message_but_sms": _rule(
        "info",
        "No voicemail message (silent hang-up), yet a voicemail SMS is sent.",
        "The assistant hangs up silently on voicemail ($path is empty) but still sends the voicemail SMS.",
        "Nothing to change if intended; otherwise write a $path.",
    ),
    # --- transfer ---
    "transfer.mode_without_destinations": _rule(
        "warning",
        "human_transfer_mode is set without transfer_destinations (X1).",
        "$path is $value but transfer_destinations is empty, so no transfer can happen.",
        "Add transfer_destinations, or set $path to null.",
    ),
    "transfer.destinations_without_mode": _rule(
        "warning",
        "transfer_destinations is set while human_transfer_mode is null (X2).",
        "transfer_destinations is set but $path is null, so transfer may be disabled.",
        "Set $path to 'warm' or 'cold'.",
    ),
    "transfer.warm_summary_without_warm": _rule(
        "info",
        "warm_transfer_summary_instructions is set without a warm transfer to a destination (X3).",
        "$path is set but there is no warm transfer with destinations, so it is never used.",
        "Clear $path, or configure a warm transfer with destinations.",
    ),
    "transfer.labels_not_in_prompt": _rule(
        "warning",
        "Several transfer destinations, and the prompt names none of their labels (X4).",
        "The prompt names none of the transfer destination labels ($labels), so it has no routing rules.",
        "Add routing rules to prompt that name each destination's label.",
    ),
    "transfer.label_empty": _rule(
        "warning",
        "A transfer destination has no label (V38).",
        "$path is empty, so the prompt cannot refer to this destination.",
        "Set $path to a short label such as 'Sales'.",
    ),
    "transfer.duplicate_label": _rule(
        "warning",
        "Two transfer destinations share a label (V38).",
        "$path repeats the label $value, so routing between the destinations is ambiguous.",
        "Give $path a distinct label.",
    ),
    "phone.e164": _rule(
        "error",
        "A phone number is not in E.164 format (V38, V39).",
        "$path is not in E.164 format (the number is not shown).",
        "Write $path as '+', the country code and the number, e.g. +14155550123.",
    ),
    # --- URLs and security ---
    "url.invalid": _rule(
        "error",
        "A URL field is empty or not an http(s) URL (V23, V32, V40).",
        "$path is not an http(s) URL, so it cannot be called.",
        "Set $path to a full URL starting with https://.",
    ),
    "precall.missing_phone_placeholder": _rule(
        "error",
        "precall_lookup_url lacks the {{phone}} placeholder (V40).",
        "$path has no {{phone}} placeholder, so the lookup cannot tell who is calling.",
        "Add {{phone}} to $path, e.g. as ?phone={{phone}}.",
    ),
    "precall.must_return_variables": _rule(
        "info",
        "With precall_lookup_url, the lookup must return every call variable (V40, X19).",
        "The precall lookup must return prompt_variables for all $count call variables ($names), or calls fail.",
        "Make the endpoint behind $path return every listed variable in prompt_variables.",
    ),
    "security.insecure_url": _rule(
        "warning",
        "A webhook, tool, lookup or LLM URL uses plain http (X25).",
        "$path uses plain http ($host), so data and tokens travel unencrypted.",
        "Change $path to https://.",
    ),
    "security.credential_in_url": _rule(
        "info",
        "A URL or a tool's query parameters carry a credential (X25).",
        "$path carries $what (value not shown), where logs and proxies can see it.",
        "Move the credential out of $path into a header where the receiver allows it, and rotate it.",
    ),
    # --- sounds, duration, FAQ, prompt, integrations ---
    "sound.volume_without_sound": _rule(
        "info",
        "A sound volume was changed while the sound is off (X16).",
        "$path is $value but $sound is null, so it has no effect.",
        "Choose a $sound, or reset $path to its default 0.5.",
    ),
    "sound.probability_without_sound": _rule(
        "info",
        "thinking_sound_probability was changed while thinking_sound is off (X16).",
        "$path is $value but $sound is null, so it has no effect.",
        "Choose a $sound, or reset $path to its default 0.5.",
    ),
    "max_duration.too_short": _rule(
        "warning",
        "max_call_duration_secs is under 60 s (our heuristic; V46 has no bounds).",
        "$path is $value, under a minute, so most calls will be cut off.",
        "Raise $path to at least 60, typically 300 to 900.",
    ),
    "faq.pending": _rule(
        "info",
        "FAQ items are waiting for a human answer (X24).",
        "$what waiting for a human answer, so the assistant cannot answer yet.",
        "Answer the pending FAQ items in the Revox dashboard.",
    ),
    "prompt.empty": _rule(
        "warning",
        "The system prompt is empty.",
        "$path is empty, so the assistant has no instructions.",
        "Write the assistant's system prompt in $path.",
    ),
    "integration.template_unknown_variable": _rule(
        "info",
        "A Slack or Zoho template uses an undocumented variable (V42).",
        "$path uses $names, which are neither documented, call variables nor structured output fields.",
        "Use only documented variables, call variables or structured output names in $path.",
    ),
}

RULES: Mapping[str, str] = MappingProxyType({rule: spec.about for rule, spec in _RULE_TABLE.items()})

# --- reference data (SDK 0.5.0 unless noted) -------------------------------------------------------

# Top-level keys of SDK 0.5.0 -> (JSON kind, nullable). "any": untyped in the spec (timestamps).
_FIELDS: dict[str, tuple[str, bool]] = {
    "id": ("str", False),
    "after_call_sms_outcomes": ("list", True),
    "after_call_sms_prompt": ("str", True),
    "background_sound": ("str", True),
    "background_sound_volume": ("num", False),
    "calendly": ("dict", True),
    "call_retry_config": ("dict", True),
    "cartesia_dictionary_pronunciation_id": ("str", True),
    "created_at": ("any", True),
    "custom_tools": ("list", True),
    "email_notification_address": ("str", True),
    "email_notification_outcomes": ("list", True),
    "end_of_call_sentence": ("str", True),
    "first_sentence": ("str", True),
    "first_sentence_delay_ms": ("num", False),
    "first_sentence_mode": ("str", False),
    "from_phone_number": ("str", True),
    "human_transfer_mode": ("str", True),
    "ivr_navigation_enabled": ("bool", False),
    "llm_model": ("dict", False),
    "logo_url": ("str", True),
    "max_call_duration_secs": ("num", False),
    "max_duration_end_message": ("str", True),
    "name": ("str", False),
    "organization_id": ("str", False),
    "position": ("dict", True),
    "precall_lookup_url": ("str", True),
    "prompt": ("str", False),
    "prompt_flow": ("dict", True),
    "slack": ("dict", True),
    "sms_enabled": ("bool", False),
    "sms_template": ("str", True),
    "structured_output_config": ("list", True),
    "structured_output_prompt": ("str", True),
    "stt_context": ("dict", True),
    "stt_model": ("str", False),
    "thinking_sound": ("str", True),
    "thinking_sound_probability": ("num", False),
    "thinking_sound_volume": ("num", False),
    "transfer_destinations": ("list", True),
    "type": ("str", False),
    "updated_at": ("any", True),
    "voice": ("dict", True),
    "voicemail_message": ("str", True),
    "voicemail_sms_prompt": ("str", True),
    "warm_transfer_summary_instructions": ("str", True),
    "webhook_url": ("str", True),
    "zoho": ("dict", True),
    # optional keys: may be absent, and their nullability is undeclared, so null is tolerated
    "created_by": ("dict", True),
    "faq_items": ("list", True),
    "is_inbound_receptionist": ("bool", True),
    "is_realestate_assistant": ("bool", True),
    "pending_faq_count": ("num", True),
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_OPTIONAL_KEYS = _words("created_by faq_items is_inbound_receptionist is_realestate_assistant pending_faq_count")
_REQUIRED_KEYS = frozenset(_FIELDS) - _OPTIONAL_KEYS
_KIND_NAMES = {"str": "a string", "num": "a number", "bool": "a boolean", "list": "a list", "dict": "an object"}
_MAPPING = (dict, Mapping)  # dict first: isinstance on the Mapping ABC alone is slow
_BIG = 2.0**63
# Exact Python types of each JSON kind: the fast path of the type checks (anything else, such as a
# bool where a number is expected or a non-dict Mapping, takes the slow path in _matches_kind).
_EXACT_TYPES: dict[str, frozenset[type]] = {
    "str": frozenset({str}),
    "num": frozenset({int, float}),
    "bool": frozenset({bool}),
    "list": frozenset({list}),
    "dict": frozenset({dict}),
}
# key -> (accepted exact types, including NoneType when nullable; kind). Untyped keys are left out.
_FIELD_TYPES_BY_KEY: dict[Any, tuple[frozenset[type], str]] = {
    key: (_EXACT_TYPES[kind] | ({type(None)} if nullable else set()), kind)
    for key, (kind, nullable) in _FIELDS.items()
    if kind != "any"
}
# Keys that older API versions sent -> (history, advice).
_LEGACY_KEYS: dict[str, tuple[str, str]] = {
    "transfer_phone_number": (
        "SDK 0.4.0 replaced it with transfer_destinations",
        "Move the number into transfer_destinations with a label, and set a human_transfer_mode.",
    ),
    "email_notification_language": (
        "it existed only in SDK 0.2.0-0.3.0",
        "Nothing to change; the current API no longer reads email_notification_language.",
    ),
}

_KNOWN_KEYS = frozenset(_FIELDS) | frozenset(_LEGACY_KEYS)
_OUTCOMES = _words("not_interested interested completed requested_callback_later none")
# Accepted by the older docs (S0) or SDK 0.2-0.3, dropped in SDK 0.4.0.
_LEGACY_OUTCOMES = _words("requested_callback_new_number do_not_contact ai_averse")
_NO_LEGACY: frozenset[str] = frozenset()
_THINKING_SOUNDS = _words(
    "city-ambience.ogg forest-ambience.ogg office-ambience.ogg crowded-room.ogg keyboard-typing.ogg "
    "keyboard-typing2.ogg hold_music.ogg"
)
_TOP_ENUMS: dict[str, frozenset[str]] = {
    "background_sound": frozenset({"audio/office.ogg"}),
    "thinking_sound": _THINKING_SOUNDS,
    "first_sentence_mode": frozenset({"generated", "static", "none"}),
    "human_transfer_mode": frozenset({"warm", "cold"}),
    "stt_model": frozenset({"stt-rt-v4", "stt-rt-v5"}),
    "type": frozenset({"standalone", "multi-step", "sub-assistant"}),
}
_OUTCOME_LISTS = ("email_notification_outcomes", "after_call_sms_outcomes")
_DAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
_FIELD_TYPES = _words("string number boolean enum date datetime")
_METHODS = _words("GET POST PUT PATCH DELETE")
_FAQ_SOURCES = frozenset({"human", "ai"})
_LLM_TYPES = frozenset({"dedicated-instance", "openrouter", "custom", "realtime"})
_DEDICATED_MODELS = frozenset({"gpt-4.1", "ministral-3-8b-instruct"})
_REALTIME_PROVIDERS = frozenset({"openai", "google"})
# Strings each llm_model variant requires (V31-V33).
_LLM_REQUIRED: dict[str, tuple[str, ...]] = {
    "dedicated-instance": ("name",),
    "openrouter": ("openrouter_model_id", "openrouter_provider"),
    "custom": ("api_url", "model_name", "api_key"),
    "realtime": ("provider", "realtime_model_id"),
}
_VOICE_PROVIDERS = frozenset({"cartesia", "elevenlabs", "gradium"})
_VOICE_MODELS = frozenset({"sonic-3", "sonic-3.5"})
# Speed ranges: the schema's (V9) and each provider's own (V10).
_SPEED_SCHEMA = (0.6, 1.5)
_SPEED_BY_PROVIDER = {"cartesia": (0.6, 1.5), "elevenlabs": (0.7, 1.2), "gradium": (0.6, 1.5)}
_VOLUME_RANGE = (0.5, 2.0)
# Top-level numbers with documented inclusive bounds: field, rule, low, high.
_RANGES: tuple[tuple[str, str, float, float], ...] = (
    ("background_sound_volume", "range.background_sound_volume", 0.0, 1.0),
    ("thinking_sound_probability", "range.thinking_sound_probability", 0.0, 1.0),
    ("thinking_sound_volume", "range.thinking_sound_volume", 0.0, 1.0),
)
# (sound field, setting, rule) for X16.
_SOUND_SETTINGS = (
    ("background_sound", "background_sound_volume", "sound.volume_without_sound"),
    ("thinking_sound", "thinking_sound_volume", "sound.volume_without_sound"),
    ("thinking_sound", "thinking_sound_probability", "sound.probability_without_sound"),
)
_SOUND_DEFAULT = 0.5  # what the API stores when nobody touched the slider
_MIN_CALL_SECS = 60  # heuristic: a shorter call barely fits a greeting and one answer
_END_MESSAGE_MAX = 150

# Filled in by Revox on every call, so calls need not supply them. These are the four documented for
# structured_output_prompt (V41); we assume every template can use them.
_BUILTIN_VARIABLES = frozenset({"user_phone_number", "agent_phone_number", "call_direction", "transcript"})
_INTEGRATION_VARIABLES = {  # V42
    "slack": _words(
        "summary outcome phone call_url assistant_name campaign_name first_name last_name email company "
        "job_title contact_name contact_line"
    ),
    "zoho": _words("summary outcome phone call_url assistant_name campaign_name transcript"),
}
# Free-text fields whose {{variables}} calls (or the precall lookup) must supply (X19).
_TEXT_SOURCES = (
    "prompt",
    "first_sentence",
    "sms_template",
    "after_call_sms_prompt",
    "voicemail_message",
    "voicemail_sms_prompt",
    "end_of_call_sentence",
    "max_duration_end_message",
    "warm_transfer_summary_instructions",
)

_MAX_ITEMS = 200  # lists are checked on their first items only, to bound the work on junk
_QUOTE_MAX = 60
_MAX_BODY_PARSE = 200_000

_VAR_RE = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]{0,99})\s*\}\}")  # longer "names" are junk, not variables
_ANY_PLACEHOLDER_RE = re.compile(r"\{\{[^{}]*\}\}")  # no braces inside: linear even on "{{{{{{..."
_ONLY_PLACEHOLDER_RE = re.compile(r"\s*\{\{[^{}]*\}\}\s*")
_JSON_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_TIME_24H_RE = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_TIME_12H_RE = re.compile(r"(1[0-2]|0?[1-9])(?::([0-5]\d))?\s?(am|pm)", re.IGNORECASE)
_SNAKE_RE = re.compile(r"[a-z][a-z0-9_]*")
_CAMEL_BOUNDARY_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_E164_RE = re.compile(r"\+[1-9]\d{6,14}")
_EMAIL_RE = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+")
_TZ_FALLBACK_RE = re.compile(r"(?:[A-Z][A-Za-z0-9_+\-]*/)+[A-Za-z0-9_+\-]+|UTC|GMT")
_CREDENTIAL_WORDS = _words(
    "key apikey token apitoken accesstoken secret password passwd pwd auth authorization signature sig "
    "credential credentials jwt session"
)
_CREDENTIAL_SUFFIXES = ("token", "key", "secret", "password")


@functools.cache  # reading the tz database takes milliseconds: once, on first use
def _known_timezones() -> frozenset[str]:
    """IANA ids from the system or tzdata; empty when no database is installed."""
    try:
        return frozenset(zoneinfo.available_timezones())
    except OSError:  # unreadable tz directory: the caller falls back to a shape check
        return frozenset()


# --- small readers: None for a missing or mistyped value --------------------------------------------


def _as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _as_num(value: Any) -> float | None:
    """A finite JSON number (not a bool) as a float."""
    if isinstance(value, float):
        return None if math.isnan(value) else value  # infinities stay: they fail the range checks
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value) if -_BIG < value < _BIG else (_BIG if value > 0 else -_BIG)  # no overflow
    return None


def _as_dict(value: Any) -> Mapping[Any, Any] | None:
    return value if isinstance(value, _MAPPING) else None


def _as_list(value: Any) -> list[Any] | None:
    return value if isinstance(value, list) else None


def _is_set(value: Any) -> TypeGuard[str]:
    """A non-blank string."""
    return isinstance(value, str) and value != "" and not value.isspace()  # strip() would copy long texts


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    for kind, name in _KIND_NAMES.items():
        if kind != "num" and _matches_kind(value, kind):
            return name
    return "a number" if isinstance(value, (int, float)) else "an unsupported value"


def _matches_kind(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "num":
        return _as_num(value) is not None
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "dict":
        return isinstance(value, _MAPPING)
    return True


def _short(text: str, limit: int = _QUOTE_MAX) -> str:
    """Truncate, flatten whitespace and redact free text before it goes into a message."""
    flat = " ".join(text[: limit + 1].split())
    return _redact_short(flat[:limit] + "…" if len(flat) > limit else flat)


# Quoted values (enum values, tool names, labels...) recur across assistants and redaction costs
# microseconds per call, so results are cached; truncating first keeps each call bounded.
_redact_short = functools.lru_cache(maxsize=4096)(redact_text)


def _q(value: Any) -> str:
    """Quote a non-secret value for a message."""
    if isinstance(value, str):
        return f"'{_short(value)}'"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else "a very large number"  # str() of huge ints raises
    if isinstance(value, float):
        return repr(value)
    return _kind(value)


def _names(names: list[str], limit: int = 10) -> str:
    """Identifiers (variable names, already-redacted keys), truncated but not redacted."""
    shown = ", ".join(name[:40] for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _variables_in(text: str) -> list[str]:
    return _VAR_RE.findall(text) if "{{" in text else []


def _parse_time(text: Any) -> int | None:
    """Minutes since midnight for 'HH:mm' or 'H:mma', else None."""
    return _parse_short_time(text) if isinstance(text, str) and len(text) <= 16 else None


@functools.lru_cache(maxsize=512)  # a handful of distinct times recur across every assistant
def _parse_short_time(text: str) -> int | None:
    if match := _TIME_24H_RE.fullmatch(text):
        return int(match[1]) * 60 + int(match[2])
    if match := _TIME_12H_RE.fullmatch(text):
        hour = int(match[1]) % 12 + (12 if match[3].lower() == "pm" else 0)
        return hour * 60 + int(match[2] or 0)
    return None


def _is_credential_name(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(_CREDENTIAL_SUFFIXES) or any(
        word in _CREDENTIAL_WORDS for word in _NON_ALNUM_RE.split(lowered)
    )


def _is_literal_secret(value: Any) -> bool:
    """A non-blank value that is not just a {{placeholder}} filled at call time."""
    return _is_set(value) and _ONLY_PLACEHOLDER_RE.fullmatch(value) is None


def _snake(name: str) -> str:
    return _NON_ALNUM_RE.sub("_", _CAMEL_BOUNDARY_RE.sub("_", name[:60]).lower()).strip("_") or "tool"


# --- the checks ------------------------------------------------------------------------------------


def _finding(rule: str, path: str, **params: str) -> dict[str, str]:
    """The fields of one Finding (validated into the model once, at the end of diagnose)."""
    spec = _RULE_TABLE[rule]
    return {
        "rule": rule,
        "severity": spec.severity,
        "path": path,
        "message": spec.message.format(path=path, **params),
        "fix": spec.fix.format(path=path, **params),
    }


class _Context:
    """The assistant being checked and what the checks found so far (a plain slotted class: built per call)."""

    __slots__ = ("findings", "get", "raw", "variables")

    def __init__(self, raw: Mapping[Any, Any]) -> None:
        self.raw = raw
        self.get: Callable[[Any], Any] = raw.get  # bound once: the hottest call
        self.findings: list[dict[str, str]] = []  # Finding fields, validated once at the end
        self.variables: dict[str, set[str]] = {}

    def add(self, rule: str, path: str, **params: str) -> None:
        self.findings.append(_finding(rule, path, **params))

    def items(self, value: Any, path: str, report: bool = True) -> list[tuple[str, Any]]:
        """(path, item) pairs of a list, capped at _MAX_ITEMS (the cap is reported by the main check)."""
        values = _as_list(value)
        if values is None:
            return []
        if report and len(values) > _MAX_ITEMS:
            self.add("schema.too_many_items", path, count=str(len(values)), limit=str(_MAX_ITEMS))
        return [(f"{path}[{index}]", item) for index, item in enumerate(values[:_MAX_ITEMS])]

    def nested(self, obj: Mapping[Any, Any], key: str, kind: str, parent: str) -> Any:
        """obj[key] when it has the expected kind, else None; a wrong non-null kind is reported."""
        value = obj.get(key)
        if value is None or type(value) in _EXACT_TYPES[kind] or _matches_kind(value, kind):
            return value
        self.add("schema.wrong_type", f"{parent}.{key}", actual=_kind(value), expected=_KIND_NAMES[kind])
        return None

    def item_dict(self, path: str, item: Any) -> Mapping[Any, Any] | None:
        if isinstance(item, _MAPPING):
            return item
        self.add("schema.wrong_type", path, actual=_kind(item), expected="an object")
        return None


def _add_key_findings(found: list[dict[str, str]], keys: Collection[Any]) -> None:
    """Append what the keys alone say: missing, unknown and legacy keys."""
    missing = sorted(_REQUIRED_KEYS.difference(keys))
    if missing:
        found.append(_finding("schema.missing_keys", "", count=str(len(missing)), names=", ".join(missing)))
    extra = set(keys).difference(_KNOWN_KEYS)
    if extra:
        unknown = sorted(_short(str(key), 40) for key in itertools.islice(extra, 1000))
        for key in unknown[:10]:
            found.append(_finding("schema.unknown_keys", key, what=f"The key '{key}' is"))
        if len(extra) > 10:
            what = f"{len(extra) - 10} more keys ({_names(unknown[10:])}) are"
            found.append(_finding("schema.unknown_keys", "", what=what))
    for key, (history, advice) in _LEGACY_KEYS.items():
        if key in keys:
            found.append(_finding("schema.legacy_field", key, history=history, advice=advice))


def _odd_keys(keys: tuple[Any, ...], types: tuple[type, ...]) -> tuple[Any, ...]:
    """The typed keys whose value is not of an exact JSON type the API sends for them (usually none)."""
    typed = _FIELD_TYPES_BY_KEY
    return tuple(key for key, cls in zip(keys, types, strict=True) if key in typed and cls not in typed[key][0])


@functools.lru_cache(maxsize=1024)
def _schema_shape(keys: tuple[Any, ...], types: tuple[type, ...]) -> tuple[tuple[dict[str, str], ...], tuple[Any, ...]]:
    """Payloads from one API share a handful of shapes (keys and value types): judge each shape once.

    The finding dicts are shared between calls; nothing mutates them (they are validated into new models).
    """
    found: list[dict[str, str]] = []
    _add_key_findings(found, keys)
    return tuple(found), _odd_keys(keys, types)


def _check_schema(ctx: _Context) -> None:
    raw = ctx.raw
    if type(raw) is dict:
        found, odd = _schema_shape(tuple(raw), tuple(map(type, raw.values())))
        ctx.findings.extend(found)
    else:  # any other Mapping: uncached, and the key findings stand even if reading a value fails
        _add_key_findings(ctx.findings, raw)
        keys = tuple(raw)
        odd = _odd_keys(keys, tuple(type(raw[key]) for key in keys))
    for key in odd:
        value, kind = raw[key], _FIELD_TYPES_BY_KEY[key][1]
        if value is None:
            ctx.add("schema.null_value", key, expected=_KIND_NAMES[kind])
        elif not _matches_kind(value, kind):
            ctx.add("schema.wrong_type", key, actual=_kind(value), expected=_KIND_NAMES[kind])


def _check_range(ctx: _Context, value: Any, path: str, rule: str, low: float, high: float) -> None:
    number = _as_num(value)
    if number is not None and not low <= number <= high:
        ctx.add(rule, path, value=_q(value), low=f"{low:g}", high=f"{high:g}")


def _check_enum(ctx: _Context, value: Any, path: str, allowed: frozenset[str], legacy: frozenset[str]) -> None:
    if isinstance(value, str) and value not in allowed:
        rule = "enum.legacy_value" if value in legacy else "enum.unknown_value"
        ctx.add(rule, path, found=f"is {_q(value)}", allowed=", ".join(sorted(allowed)))


def _check_enum_list(ctx: _Context, values: Any, path: str, allowed: frozenset[str], legacy: frozenset[str]) -> None:
    if not isinstance(values, list) or not values:
        return
    if all(type(item) is str for item in values) and allowed.issuperset(values):
        return  # the common case (every item allowed, so the first _MAX_ITEMS too), decided without copying
    items = values[:_MAX_ITEMS]
    old = [item for item in items if isinstance(item, str) and item in legacy]
    odd = [item for item in items if not (isinstance(item, str) and (item in allowed or item in legacy))]
    for rule, found in (("enum.legacy_value", old), ("enum.unknown_value", odd)):
        if found:
            listed = ", ".join(_q(item) for item in found[:5])
            ctx.add(rule, path, found=f"contains {listed}", allowed=", ".join(sorted(allowed)))


def _check_scalars(ctx: _Context) -> None:
    get = ctx.get
    for key, rule, low, high in _RANGES:
        value = get(key)
        if type(value) is not float or not low <= value <= high:  # the usual in-range float needs no call
            _check_range(ctx, value, key, rule, low, high)
    for key, allowed in _TOP_ENUMS.items():
        value = get(key)
        if type(value) is str and value not in allowed:
            _check_enum(ctx, value, key, allowed, _NO_LEGACY)
    for key in _OUTCOME_LISTS:
        _check_enum_list(ctx, ctx.get(key), key, _OUTCOMES, _LEGACY_OUTCOMES)

    duration = _as_num(ctx.get("max_call_duration_secs"))
    if duration is not None and duration < _MIN_CALL_SECS:
        rule = "range.max_call_duration_secs" if duration <= 0 else "max_duration.too_short"
        ctx.add(rule, "max_call_duration_secs", value=_q(ctx.get("max_call_duration_secs")))
    delay = _as_num(ctx.get("first_sentence_delay_ms"))
    if delay is not None and delay < 0:
        ctx.add(
            "first_sentence_delay.negative", "first_sentence_delay_ms", value=_q(ctx.get("first_sentence_delay_ms"))
        )
    end_message = _as_str(ctx.get("max_duration_end_message"))
    if end_message is not None and len(end_message) > _END_MESSAGE_MAX:
        ctx.add("length.max_duration_end_message", "max_duration_end_message", count=str(len(end_message)))
    prompt = ctx.get("prompt")
    if isinstance(prompt, str) and (prompt == "" or prompt.isspace()):
        ctx.add("prompt.empty", "prompt")


def _check_voice(ctx: _Context) -> None:
    voice = _as_dict(ctx.get("voice"))
    if voice is None:
        return
    if not _is_set(ctx.nested(voice, "id", "str", "voice")):
        ctx.add("voice.id.empty", "voice.id")
    provider = ctx.nested(voice, "provider", "str", "voice")
    if provider == "gradium":
        ctx.add("voice.provider_unknown_to_old_docs", "voice.provider")
    else:
        _check_enum(ctx, provider, "voice.provider", _VOICE_PROVIDERS, _NO_LEGACY)
    known = provider if provider in _VOICE_PROVIDERS else None

    speed = ctx.nested(voice, "speed", "num", "voice")
    number = _as_num(speed)
    low, high = _SPEED_SCHEMA
    if number is not None and not low <= number <= high:
        _check_range(ctx, speed, "voice.speed", "range.voice.speed", low, high)
    elif number is not None and known is not None:
        low, high = _SPEED_BY_PROVIDER[known]
        if not low <= number <= high:
            ctx.add(
                "voice.speed.provider_range",
                "voice.speed",
                value=_q(speed),
                provider=known,
                low=f"{low:g}",
                high=f"{high:g}",
            )

    volume = ctx.nested(voice, "volume", "num", "voice")
    _check_range(ctx, volume, "voice.volume", "range.voice.volume", *_VOLUME_RANGE)
    model = ctx.nested(voice, "model", "str", "voice")
    _check_enum(ctx, model, "voice.model", _VOICE_MODELS, _NO_LEGACY)
    if known is None or known == "cartesia":
        return
    for key, value in (("volume", volume), ("model", model)):
        if value is not None:
            ctx.add(f"voice.{key}.cartesia_only", f"voice.{key}", value=_q(value), provider=known)
    if _is_set(ctx.get("cartesia_dictionary_pronunciation_id")):
        ctx.add("voice.cartesia_dictionary_unused", "cartesia_dictionary_pronunciation_id", provider=known)


def _check_llm(ctx: _Context) -> None:
    llm = _as_dict(ctx.get("llm_model"))
    if llm is None:
        return
    kind = ctx.nested(llm, "type", "str", "llm_model")
    if not _is_set(kind):
        ctx.add("llm.field_empty", "llm_model.type", variant="every model variant")
        return
    _check_enum(ctx, kind, "llm_model.type", _LLM_TYPES, _NO_LEGACY)
    for key in _LLM_REQUIRED.get(kind, ()):
        if not _is_set(ctx.nested(llm, key, "str", "llm_model")):
            ctx.add("llm.field_empty", f"llm_model.{key}", variant=f"the {kind} model variant")
    if kind == "dedicated-instance":
        _check_enum(ctx, llm.get("name"), "llm_model.name", _DEDICATED_MODELS, _NO_LEGACY)
    elif kind == "custom" and _is_set(api_url := llm.get("api_url")):
        _check_url(ctx, api_url, "llm_model.api_url")
    elif kind == "realtime":
        _check_enum(ctx, llm.get("provider"), "llm_model.provider", _REALTIME_PROVIDERS, _NO_LEGACY)
        voice_id = ctx.nested(llm, "realtime_voice_id", "str", "llm_model")
        if voice_id is not None and not voice_id.strip():
            ctx.add("llm.field_empty", "llm_model.realtime_voice_id", variant="a realtime voice, when set,")
        if _as_dict(ctx.get("voice")) is not None:
            ctx.add("llm.realtime.voice_unused", "voice")


def _check_first_sentence(ctx: _Context) -> None:
    mode = ctx.get("first_sentence_mode")
    has_text = _is_set(ctx.get("first_sentence"))
    if mode == "static" and not has_text:
        ctx.add("first_sentence.static_empty", "first_sentence")
    elif mode == "generated" and not has_text:
        ctx.add("first_sentence.generated_empty", "first_sentence")
    elif mode == "none" and has_text:
        ctx.add("first_sentence.ignored", "first_sentence")


def _check_window(ctx: _Context, window: Mapping[Any, Any], path: str) -> tuple[int, int] | None:
    """Check one calling window; return its (start, end) minutes when both parse and are ordered."""
    start_raw = window.get("calling_window_start_time")
    end_raw = window.get("calling_window_end_time")
    start, end = _parse_time(start_raw), _parse_time(end_raw)
    if start is None or end is None:
        bad = [
            f"{label} {'missing' if raw is None else _q(raw)}"
            for label, raw, parsed in (("start", start_raw, start), ("end", end_raw, end))
            if parsed is None
        ]
        ctx.add("retry.window.time_format", path, bad=" and ".join(bad))
    delay_raw = window.get("retry_delay_seconds")
    delay = _as_num(delay_raw)
    if delay is not None and delay < 0:
        ctx.add("range.retry_delay_seconds", f"{path}.retry_delay_seconds", value=_q(delay_raw))
    elif delay == 0:
        ctx.add("retry.delay.zero", f"{path}.retry_delay_seconds")
    if start is None or end is None:
        return None
    end = end or 24 * 60  # a window ending at midnight ends at the end of the day
    if end <= start:
        ctx.add("retry.window.end_before_start", path, start=_q(start_raw), end=_q(end_raw))
        return None
    return start, end


def _check_retry(ctx: _Context) -> None:
    base = "call_retry_config"
    if ctx.get(base) is None:
        ctx.add("retry.defaults", base)
        return
    config = _as_dict(ctx.get(base))
    if config is None:
        return
    flat = "calling_windows" not in config and (
        "calling_window_start_time" in config or "calling_window_end_time" in config
    )
    if flat or "allowed_days" not in config:
        shape = "one flat window" if flat else "no allowed_days, so Mon-Fri applies"
        ctx.add("retry.legacy_shape", base, shape=shape)

    spans: list[tuple[int, int, str]] = []
    if flat:
        windows = [(base, config)]
    else:
        listed = ctx.nested(config, "calling_windows", "list", base)
        if listed == []:
            ctx.add("retry.windows.empty", f"{base}.calling_windows")
        windows = ctx.items(listed, f"{base}.calling_windows")
    for path, item in windows:
        window = ctx.item_dict(path, item)
        if window is not None and (span := _check_window(ctx, window, path)) is not None:
            spans.append((*span, path))
    for (_, prev_end, prev_path), (start, _, path) in itertools.pairwise(sorted(spans)):
        if start < prev_end:
            ctx.add("retry.window.overlap", path, other=prev_path)

    days = ctx.nested(config, "allowed_days", "list", base)
    if days == []:
        ctx.add("retry.allowed_days.empty", f"{base}.allowed_days")
    _check_enum_list(ctx, days, f"{base}.allowed_days", _DAYS, _NO_LEGACY)

    attempts_raw = ctx.nested(config, "max_retry_attempts", "num", base)
    attempts = _as_num(attempts_raw)
    if attempts is not None and attempts < 1:
        ctx.add("range.max_retry_attempts", f"{base}.max_retry_attempts", value=_q(attempts_raw))
    twice = ctx.nested(config, "call_twice_in_a_row", "bool", base)
    if twice is True and attempts is not None and attempts < 2:
        ctx.add("retry.twice_in_a_row.noop", f"{base}.call_twice_in_a_row", value=_q(attempts_raw))

    timezone = ctx.nested(config, "timezone", "str", base)
    if timezone is not None:
        zones = _known_timezones()
        valid = timezone in zones if zones else len(timezone) < 64 and bool(_TZ_FALLBACK_RE.fullmatch(timezone))
        if not valid:
            ctx.add("retry.timezone.iana", f"{base}.timezone", value=_q(timezone))


def _check_phone(ctx: _Context, value: Any, path: str) -> None:
    if isinstance(value, str) and not _E164_RE.fullmatch(value):
        ctx.add("phone.e164", path)


def _check_transfer(ctx: _Context) -> None:
    mode = ctx.get("human_transfer_mode")
    has_destinations = bool(_as_list(ctx.get("transfer_destinations")))
    # Before SDK 0.4.0 the mode applied to transfer_phone_number.
    if _is_set(mode) and not has_destinations and not _is_set(ctx.get("transfer_phone_number")):
        ctx.add("transfer.mode_without_destinations", "human_transfer_mode", value=_q(mode))
    if has_destinations and mode is None:
        ctx.add("transfer.destinations_without_mode", "human_transfer_mode")
    if _is_set(ctx.get("warm_transfer_summary_instructions")) and (mode != "warm" or not has_destinations):
        ctx.add("transfer.warm_summary_without_warm", "warm_transfer_summary_instructions")

    labels: dict[str, str] = {}  # casefolded -> as written
    for path, item in ctx.items(ctx.get("transfer_destinations"), "transfer_destinations"):
        destination = ctx.item_dict(path, item)
        if destination is None:
            continue
        label = ctx.nested(destination, "label", "str", path)
        if not _is_set(label):
            ctx.add("transfer.label_empty", f"{path}.label")
        elif label.casefold() in labels:
            ctx.add("transfer.duplicate_label", f"{path}.label", value=_q(label))
        else:
            labels[label.casefold()] = label
        phone = ctx.nested(destination, "phone_number", "str", path)
        _check_phone(ctx, phone, f"{path}.phone_number")
    prompt = _as_str(ctx.get("prompt"))
    if len(labels) >= 2 and prompt is not None:
        folded = prompt.casefold()
        if not any(label in folded for label in labels):
            shown = ", ".join(_q(label) for label in list(labels.values())[:3])
            ctx.add("transfer.labels_not_in_prompt", "transfer_destinations", labels=shown)


def _check_messaging(ctx: _Context) -> None:
    _check_phone(ctx, ctx.get("from_phone_number"), "from_phone_number")

    outcomes = _as_list(ctx.get("email_notification_outcomes"))
    address = ctx.get("email_notification_address")
    if outcomes and not _is_set(address):
        ctx.add("email.outcomes_without_address", "email_notification_outcomes")
    elif _is_set(address) and not outcomes:
        ctx.add("email.address_without_outcomes", "email_notification_address")
    if _is_set(address):
        parts = (part.strip() for part in address.split(",")[:_MAX_ITEMS])
        bad = [part for part in parts if len(part) > 254 or not _EMAIL_RE.fullmatch(part)]  # RFC 5321 max
        if bad:
            values = ", ".join(_q(part) for part in bad[:3])
            ctx.add("email.format", "email_notification_address", values=values)

    if _is_set(ctx.get("sms_template")) and ctx.get("sms_enabled") is False:
        ctx.add("sms.template_but_disabled", "sms_template")
    sms_outcomes = _as_list(ctx.get("after_call_sms_outcomes"))
    has_sms_prompt = _is_set(ctx.get("after_call_sms_prompt"))
    if has_sms_prompt and not sms_outcomes:
        ctx.add("sms.after_call_no_outcomes", "after_call_sms_outcomes")
    elif sms_outcomes and not has_sms_prompt:
        ctx.add("sms.after_call_no_prompt", "after_call_sms_prompt")
    if not _is_set(ctx.get("voicemail_message")) and _is_set(ctx.get("voicemail_sms_prompt")):
        ctx.add("voicemail.no_message_but_sms", "voicemail_message")


def _check_sounds(ctx: _Context) -> None:
    # Only a value moved away from the API default shows that someone expected a sound.
    for sound, key, rule in _SOUND_SETTINGS:
        number = _as_num(ctx.get(key))
        if sound in ctx.raw and ctx.get(sound) is None and number not in (None, 0, _SOUND_DEFAULT):
            ctx.add(rule, key, value=_q(ctx.get(key)), sound=sound)


# What a check found in one value, before it knows the value's path: (rule, message parameters) pairs.
_Problems = tuple[tuple[str, dict[str, str]], ...]
_CACHED_TEXT_MAX = 4096  # longer values are judged afresh: a cache of them would hold too much memory


def _add_problems(ctx: _Context, problems: _Problems, path: str) -> None:
    for rule, params in problems:
        ctx.add(rule, path, **params)


def _check_url(ctx: _Context, url: str, path: str) -> None:
    """An http(s) URL, preferably https, with no credential in it (X25)."""
    problems = _url_problems(url) if len(url) <= _CACHED_TEXT_MAX else _url_problems.__wrapped__(url)
    if problems:
        _add_problems(ctx, problems, path)


@functools.lru_cache(maxsize=1024)  # webhook and tool URLs recur across assistants
def _url_problems(url: str) -> _Problems:
    templated = url.lstrip().startswith("{{")  # a base URL filled from a variable: scheme unknown
    try:
        parts = urlsplit(url)
        hostname, password = parts.hostname or "", parts.password
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return (("url.invalid", {}),)
    scheme = parts.scheme.lower()
    if not templated and (scheme not in ("http", "https") or not parts.netloc):
        return (("url.invalid", {}),)
    problems: list[tuple[str, dict[str, str]]] = []
    if scheme == "http":
        problems.append(("security.insecure_url", {"host": _q(f"http://{hostname}")}))
    if password:
        problems.append(("security.credential_in_url", {"what": "a user name and password"}))
    if parts.query:
        names = sorted(
            {
                name
                for name, value in parse_qsl(parts.query[:10_000], keep_blank_values=True)
                if _is_credential_name(name) and _is_literal_secret(value)
            }
        )
        if names:
            shown = ", ".join(_q(name) for name in names[:3])
            problems.append(("security.credential_in_url", {"what": f"a credential in its query string ({shown})"}))
    return tuple(problems)


def _check_urls(ctx: _Context) -> None:
    webhook = ctx.get("webhook_url")
    if _is_set(webhook):
        _check_url(ctx, webhook, "webhook_url")
    lookup = ctx.get("precall_lookup_url")
    if _is_set(lookup):
        _check_url(ctx, lookup, "precall_lookup_url")
        if "phone" not in _variables_in(lookup):
            ctx.add("precall.missing_phone_placeholder", "precall_lookup_url")


# Rule ids of the shared field checks: (no name, duplicate name, enum without options).
_TOOL_INPUT_RULES = (
    "custom_tool.input_name_empty",
    "custom_tool.duplicate_input_name",
    "custom_tool.enum_without_options",
)
_OUTPUT_RULES = (
    "structured_output.name_empty",
    "structured_output.duplicate_name",
    "structured_output.enum_without_options",
)


def _check_fields(ctx: _Context, items: list[tuple[str, Any]], rules: tuple[str, str, str]) -> None:
    """Shared checks of custom_tools[].input_schema[] and structured_output_config[] (V26, V28, X17)."""
    empty_rule, duplicate_rule, enum_rule = rules
    seen: set[str] = set()
    for path, item in items:
        entry = ctx.item_dict(path, item)
        if entry is None:
            continue
        name = ctx.nested(entry, "name", "str", path)
        if not _is_set(name):
            ctx.add(empty_rule, f"{path}.name")
        elif name in seen:
            ctx.add(duplicate_rule, f"{path}.name", value=_q(name))
        else:
            seen.add(name)
        field_type = ctx.nested(entry, "type", "str", path)
        _check_enum(ctx, field_type, f"{path}.type", _FIELD_TYPES, _NO_LEGACY)
        options = ctx.nested(entry, "enum_options", "list", path)
        if field_type == "enum" and not options:
            ctx.add(enum_rule, path)


def _check_body_template(ctx: _Context, body: str, path: str) -> None:
    """V27: placeholders must sit inside JSON strings, and the filled template must be JSON."""
    problems = _body_problems(body) if len(body) <= _CACHED_TEXT_MAX else _body_problems.__wrapped__(body)
    if problems:
        _add_problems(ctx, problems, path)


@functools.lru_cache(maxsize=1024)  # tools are often copied between assistants
def _body_problems(body: str) -> _Problems:
    if body == "" or body.isspace() or len(body) > _MAX_BODY_PARSE:
        return ()
    problems: list[tuple[str, dict[str, str]]] = []
    unquoted = _variables_in(_JSON_STRING_RE.sub('""', body))
    if unquoted:  # names only: the template may hold credentials
        problems.append(("custom_tool.body_template_placeholder_unquoted", {"names": _names(sorted(set(unquoted)), 5)}))
    try:
        json.loads(_ANY_PLACEHOLDER_RE.sub("0", body))  # "0" is valid both inside and outside strings
    except (ValueError, RecursionError):
        problems.append(("custom_tool.body_template_invalid_json", {}))
    return tuple(problems)


def _check_tool_entries(ctx: _Context, tool: Mapping[Any, Any], path: str) -> None:
    """headers[] and query_params[]: keys must be set; values are secrets and never quoted."""
    for part in ("headers", "query_params"):
        entries = ctx.nested(tool, part, "list", path)
        credentials: set[str] = set()
        for entry_path, item in ctx.items(entries, f"{path}.{part}"):
            entry = ctx.item_dict(entry_path, item)
            if entry is None:
                continue
            key = ctx.nested(entry, "key", "str", entry_path)
            if not _is_set(key):
                ctx.add("custom_tool.empty_key", f"{entry_path}.key")
            elif part == "query_params" and _is_credential_name(key) and _is_literal_secret(entry.get("value")):
                credentials.add(key)
        if credentials:
            shown = ", ".join(_q(key) for key in sorted(credentials)[:3])
            what = f"a credential in the query string ({shown})"
            ctx.add("security.credential_in_url", f"{path}.query_params", what=what)


def _check_custom_tools(ctx: _Context) -> None:
    seen: set[str] = set()
    for path, item in ctx.items(ctx.get("custom_tools"), "custom_tools"):
        tool = ctx.item_dict(path, item)
        if tool is None:
            continue
        name = ctx.nested(tool, "name", "str", path)
        if not _is_set(name):
            ctx.add("custom_tool.name_empty", f"{path}.name")
        else:
            if not _SNAKE_RE.fullmatch(name):
                ctx.add("custom_tool.name_snake_case", f"{path}.name", value=_q(name), suggestion=_q(_snake(name)))
            if name in seen:
                ctx.add("custom_tool.duplicate_name", f"{path}.name", value=_q(name))
            seen.add(name)
        if not _is_set(ctx.nested(tool, "description", "str", path)):
            ctx.add("custom_tool.description_empty", f"{path}.description")
        url = ctx.nested(tool, "url", "str", path)
        if isinstance(url, str):
            _check_url(ctx, url, f"{path}.url")
        method = ctx.nested(tool, "method", "str", path)
        _check_enum(ctx, method, f"{path}.method", _METHODS, _NO_LEGACY)
        _check_tool_entries(ctx, tool, path)
        inputs = ctx.nested(tool, "input_schema", "list", path)
        _check_fields(ctx, ctx.items(inputs, f"{path}.input_schema"), _TOOL_INPUT_RULES)
        body = ctx.nested(tool, "body_template", "str", path)
        if isinstance(body, str):
            _check_body_template(ctx, body, f"{path}.body_template")


def _check_structured_output(ctx: _Context) -> None:
    items = ctx.items(ctx.get("structured_output_config"), "structured_output_config")
    _check_fields(ctx, items, _OUTPUT_RULES)
    prompt = _as_str(ctx.get("structured_output_prompt"))
    odd = sorted(set(_variables_in(prompt)) - _BUILTIN_VARIABLES) if prompt else []
    if odd:
        ctx.add("structured_output.prompt_unknown_variable", "structured_output_prompt", names=_names(odd, 5))


def _check_faq(ctx: _Context) -> None:
    pending: list[str] = []
    for path, item in ctx.items(ctx.get("faq_items"), "faq_items"):
        if isinstance(item, _MAPPING):
            _check_enum(ctx, item.get("source"), f"{path}.source", _FAQ_SOURCES, _NO_LEGACY)
            if item.get("needs_human_answer") is True:
                pending.append(path)
    count = _as_num(ctx.get("pending_faq_count"))
    if len(pending) == 1:
        ctx.add("faq.pending", pending[0], what=f"{pending[0]} is")
    elif pending:
        ctx.add("faq.pending", "faq_items", what=f"{len(pending)} FAQ items ({', '.join(pending[:5])}) are")
    elif count is not None and count > 0:
        what = f"pending_faq_count is {_q(ctx.get('pending_faq_count'))}: FAQ items are"
        ctx.add("faq.pending", "pending_faq_count", what=what)


def _names_of(entries: Any) -> set[str]:
    """The string names of a list of {name, ...} objects."""
    return {
        name
        for entry in (_as_list(entries) or [])[:_MAX_ITEMS]
        if isinstance(entry, _MAPPING) and isinstance(name := entry.get("name"), str)
    }


def _collect_variables(ctx: _Context) -> None:
    """X19: the {{variables}} calls must supply; V40: with a precall lookup, it must return them all."""
    uses = ctx.variables
    get = ctx.get
    for key in _TEXT_SOURCES:
        text = get(key)
        if isinstance(text, str) and "{{" in text:  # most texts have no variable: skip the regex
            for name in _VAR_RE.findall(text):
                if name in uses:
                    uses[name].add(key)
                else:
                    uses[name] = {key}
    lookup = ctx.get("precall_lookup_url")
    if _is_set(lookup):
        for name in _variables_in(lookup):
            if name != "phone":  # Revox fills {{phone}} with the caller's number
                uses.setdefault(name, set()).add("precall_lookup_url")
    for path, item in ctx.items(ctx.get("custom_tools"), "custom_tools", report=False):
        tool = _as_dict(item)
        if tool is None:
            continue
        # A tool's own inputs are filled by the LLM when it calls the tool, not by the call.
        own = _names_of(tool.get("input_schema"))
        texts = [("url", tool.get("url")), ("body_template", tool.get("body_template"))]
        for part in ("headers", "query_params"):
            for entry in (_as_list(tool.get(part)) or [])[:_MAX_ITEMS]:
                if isinstance(entry, _MAPPING):
                    texts.append((part, entry.get("value")))
        for part, text in texts:
            if isinstance(text, str):
                for name in _variables_in(text):
                    if name not in own:
                        uses.setdefault(name, set()).add(f"{path}.{part}")
    for name in _BUILTIN_VARIABLES:
        uses.pop(name, None)
    if _is_set(lookup) and uses:
        names = sorted(uses)
        ctx.add("precall.must_return_variables", "precall_lookup_url", count=str(len(names)), names=_names(names))


def _check_integrations(ctx: _Context) -> None:
    """Slack and Zoho: outcome enums (V36), template variables (V42), the pre-0.4 Slack shape."""
    configs = ctx.get("structured_output_config")
    outputs: set[str] | None = None  # their names, read only when an integration is set
    for key, documented in _INTEGRATION_VARIABLES.items():
        integration = _as_dict(ctx.get(key))
        if integration is None:
            continue
        if outputs is None:
            outputs = _names_of(configs)
        outcomes = ctx.nested(integration, "outcomes", "list", key)
        _check_enum_list(ctx, outcomes, f"{key}.outcomes", _OUTCOMES, _LEGACY_OUTCOMES)
        template = ctx.nested(integration, "template", "str", key)
        if template:
            odd = sorted(set(_variables_in(template)) - documented - outputs - ctx.variables.keys())
            if odd:
                ctx.add("integration.template_unknown_variable", f"{key}.template", names=_names(odd, 5))
        if key == "slack" and "channels" not in integration and "channel_id" in integration:
            history = "SDK 0.4.0 replaced channel_id and channel_name with channels[]"
            advice = "Re-save the Slack integration so it uses slack.channels."
            ctx.add("schema.legacy_field", "slack.channel_id", history=history, advice=advice)


_CHECKS: tuple[Callable[[_Context], None], ...] = (
    _check_schema,
    _check_scalars,
    _check_voice,
    _check_llm,
    _check_first_sentence,
    _check_retry,
    _check_transfer,
    _check_messaging,
    _check_sounds,
    _check_urls,
    _check_custom_tools,
    _check_structured_output,
    _check_faq,
    _collect_variables,
    _check_integrations,  # after _collect_variables: templates may use call variables
)

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _finding_order(finding: dict[str, str]) -> tuple[int, str, str]:
    return _SEVERITY_ORDER[finding["severity"]], finding["path"], finding["rule"]


def _label(value: Any) -> str:
    if isinstance(value, str):
        # Unlike the messages, the name is not passed through redact_text: strip what would break UTF-8.
        return strip_invisible(value[:200])
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**15:
        return str(value)
    return ""


def _run(assistant: Mapping[str, Any]) -> _Context:
    """Every check over one assistant; the findings come back sorted, as plain dicts."""
    ctx = _Context(raw=assistant if isinstance(assistant, _MAPPING) else {})
    if not isinstance(assistant, _MAPPING):
        ctx.add("schema.not_an_object", "", kind=_kind(assistant))
        return ctx
    for check in _CHECKS:
        try:
            check(ctx)
        except Exception:  # a bug in one check must neither hide the others nor crash the caller
            ctx.add("diagnose.check_failed", "", group=check.__name__.lstrip("_").split("_", 1)[1])
    if len(ctx.findings) > 1:
        ctx.findings.sort(key=_finding_order)
    return ctx


def diagnose(assistant: Mapping[str, Any]) -> Diagnosis:
    """Lint one assistant as the Revox API returns it; never raises, whatever the input."""
    ctx = _run(assistant)
    if not isinstance(assistant, _MAPPING):
        return Diagnosis.model_validate({"assistant_id": "", "name": "", "findings": ctx.findings, "variables": []})
    uses = ctx.variables
    variables = [{"name": name, "sources": sorted(uses[name])} for name in sorted(uses)]
    # One validation call builds every nested model (much cheaper than a constructor call per model).
    return Diagnosis.model_validate(
        {
            "assistant_id": _label(assistant.get("id")),
            "name": _label(assistant.get("name")),
            "findings": ctx.findings,
            "variables": variables,
        }
    )


def triage(assistant: Mapping[str, Any]) -> tuple[int, int, Finding | None]:
    """Errors, warnings and the most severe finding: what ranking many assistants needs, without
    building every finding's model (a fifth of ``diagnose``'s cost)."""
    findings = _run(assistant).findings
    errors = sum(1 for f in findings if f["severity"] == "error")
    warnings = sum(1 for f in findings if f["severity"] == "warning")
    return errors, warnings, Finding.model_validate(findings[0]) if findings else None
