"""Every rule ``diagnose`` can emit: severity, a one-line description, message and fix templates.

Rules have the one shape of ``domain.rules``. Values that older API versions accepted are never errors.
Templates name their parameters ``$name`` (readable next to literal ``{{variables}}``); each check
passes ``path`` and the rule's parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from revox_mcp.domain.rules import RuleSpec, finding_fields, rule_table, templated


def _error(about: str, message: str, fix: str) -> RuleSpec:
    return templated("error", about, message, fix)


def _warning(about: str, message: str, fix: str) -> RuleSpec:
    return templated("warning", about, message, fix)


def _info(about: str, message: str, fix: str) -> RuleSpec:
    return templated("info", about, message, fix)


# (message, fix) pairs that several rules share: they differ only in what they are about.
_OUT_OF_RANGE = (
    "$path is $value, outside the documented range $low to $high.",
    "Set $path to a value between $low and $high.",
)
_CARTESIA_ONLY = (
    "$path is $value but the provider is $provider, which ignores it.",
    "Remove $path, or switch to a Cartesia voice if you need it.",
)
_ENUM_WITHOUT_OPTIONS = (
    "$path has type 'enum' but no enum_options, so no value can be chosen.",
    "List the allowed values in $path.enum_options, or change its type to 'string'.",
)
_WITHOUT_SOUND = (
    "$path is $value but $sound is null, so it has no effect.",
    "Choose a $sound, or reset $path to its default 0.5.",
)


_RULE_TABLE: dict[str, RuleSpec] = {
    # --- schema drift (X23) ---
    "schema.not_an_object": _error(
        "The payload is not a JSON object.",
        "The assistant payload is $kind, not a JSON object.",
        "Pass the object returned by GET /assistants/{id}.",
    ),
    "schema.missing_keys": _info(
        "Keys that SDK 0.5.0 always sends are absent (older or trimmed payload).",
        "$count keys that SDK 0.5.0 always sends are absent: $names.",
        "Treat these fields as unknown rather than null, or re-save the assistant so the API fills them in.",
    ),
    "schema.unknown_keys": _info(
        "A top-level key unknown to SDK 0.5.0 (newer API or junk); names only, never values.",
        "$what not part of SDK 0.5.0 (values are not shown).",
        "Nothing to change if the API added the field; otherwise remove it from the payload.",
    ),
    "schema.legacy_field": _info(
        "A field from an older API version (X23).",
        "$path comes from an older API version: $history.",
        "$advice",
    ),
    "schema.wrong_type": _warning(
        "A field has the wrong JSON type, so its checks are skipped.",
        "$path is $actual where the API sends $expected.",
        "Set $path to $expected (or null) so its checks can run.",
    ),
    "schema.null_value": _warning(
        "A field the API declares non-nullable is null.",
        "$path is null although the API declares it non-nullable.",
        "Set $path to $expected.",
    ),
    "schema.too_many_items": _info(
        "A list is so long that only its first items were checked.",
        "$path has $count items, so only the first $limit were checked.",
        "Trim $path to the entries the assistant really needs.",
    ),
    "diagnose.check_failed": _info(
        "One group of checks could not run on this payload (a bug in this module).",
        "The $group checks could not run on this payload.",
        "Report this assistant's shape (not its secrets) to the revox-mcp maintainers.",
    ),
    # --- numeric ranges and lengths ---
    "range.background_sound_volume": _error("background_sound_volume outside 0..1 (V2).", *_OUT_OF_RANGE),
    "range.thinking_sound_probability": _error("thinking_sound_probability outside 0..1 (V4).", *_OUT_OF_RANGE),
    "range.thinking_sound_volume": _error("thinking_sound_volume outside 0..1 (V5).", *_OUT_OF_RANGE),
    "range.voice.speed": _error("voice.speed outside the schema range 0.6..1.5 (V9).", *_OUT_OF_RANGE),
    "range.voice.volume": _error("voice.volume outside 0.5..2.0 (V11).", *_OUT_OF_RANGE),
    "range.retry_delay_seconds": _error(
        "A calling window's retry_delay_seconds is negative (V17).",
        "$path is $value, but a retry delay cannot be negative.",
        "Set $path to 0 or more seconds (default 7200).",
    ),
    "range.max_retry_attempts": _error(
        "call_retry_config.max_retry_attempts is below 1 (V18).",
        "$path is $value but must be at least 1.",
        "Set $path to 1 or more (default 3).",
    ),
    "range.max_call_duration_secs": _error(
        "max_call_duration_secs is zero or negative (V46).",
        "$path is $value, so no call can last.",
        "Set $path to the longest call you accept, e.g. 600.",
    ),
    "length.max_duration_end_message": _error(
        "max_duration_end_message is longer than 150 characters (V6).",
        "$path has $count characters, over the documented 150, so it may not fit the farewell buffer.",
        "Shorten $path to 150 characters or fewer.",
    ),
    # --- enums (V1, V3, V8, V12, V13, V15, V24, V26, V28-V30, V33, V35-V37, V43-V45) ---
    "enum.unknown_value": _warning(
        "A value outside every documented enum (API drift or a typo).",
        "$path $found, which the docs do not list.",
        "Set $path to one of $allowed (or ignore this if the API added the value).",
    ),
    "enum.legacy_value": _warning(
        "An enum value that older API versions accepted and SDK 0.4.0 dropped (X23).",
        "$path $found, which older API versions accepted and SDK 0.4.0 dropped.",
        "Set $path to values from $allowed.",
    ),
    # --- voice ---
    "voice.id.empty": _error(
        "voice.id is missing or empty (V7).",
        "$path is missing or empty, so no voice can be selected.",
        "Set $path to a voice id from GET /voices for the chosen provider.",
    ),
    "voice.provider_unknown_to_old_docs": _info(
        "voice.provider is 'gradium', which the older docs pages do not list (V8).",
        "$path is 'gradium', which SDK 0.4.0 added and the older docs pages do not list.",
        "Nothing to change; make sure your tooling knows the gradium provider.",
    ),
    "voice.speed.provider_range": _warning(
        "voice.speed is inside the schema range but outside the provider's own range (V10).",
        "$path is $value, outside the $provider range $low to $high.",
        "Set $path between $low and $high for $provider.",
    ),
    "voice.volume.cartesia_only": _info("voice.volume is set but only Cartesia uses it (V11, X14).", *_CARTESIA_ONLY),
    "voice.model.cartesia_only": _info("voice.model is set but only Cartesia uses it (V12, X14).", *_CARTESIA_ONLY),
    "voice.cartesia_dictionary_unused": _info(
        "A Cartesia pronunciation dictionary is set with a non-Cartesia voice (X15).",
        "A Cartesia pronunciation dictionary is set but the voice provider is $provider, so it cannot apply.",
        "Clear $path, or use a Cartesia voice.",
    ),
    # --- LLM ---
    "llm.field_empty": _error(
        "A field the llm_model variant requires is missing or empty (V29, V31-V33).",
        "$path is missing or empty, but $variant requires it.",
        "Set $path in the assistant's model settings.",
    ),
    "llm.realtime.voice_unused": _info(
        "A realtime model speaks with realtime_voice_id, so voice is probably unused (X18, unverified).",
        "The realtime model speaks with llm_model.realtime_voice_id, so the TTS voice is probably unused.",
        "Set $path to null, or choose the voice in llm_model.realtime_voice_id.",
    ),
    # --- first sentence ---
    "first_sentence_delay.negative": _warning(
        "first_sentence_delay_ms is negative (V14).",
        "$path is $value; a negative delay is meaningless.",
        "Set $path to 0 or more (default 400).",
    ),
    "first_sentence.static_empty": _error(
        "first_sentence_mode is 'static' and first_sentence is empty (X5).",
        "first_sentence_mode is 'static' but $path is empty, so there is nothing to say.",
        "Write the opening line in $path, or set first_sentence_mode to 'generated' or 'none'.",
    ),
    "first_sentence.generated_empty": _info(
        "first_sentence_mode is 'generated' and first_sentence is empty (X6).",
        "first_sentence_mode is 'generated' but $path gives the LLM no opening instruction.",
        "Describe in $path how the assistant should open the call.",
    ),
    "first_sentence.ignored": _info(
        "first_sentence is set but first_sentence_mode is 'none' (X7).",
        "$path is set but first_sentence_mode is 'none', so it is ignored.",
        "Clear $path, or set first_sentence_mode to 'static' or 'generated'.",
    ),
    # --- call retry config ---
    "retry.defaults": _info(
        "call_retry_config is null, so the server defaults apply.",
        "$path is null, so server defaults apply (Mon-Fri, 10:00-18:00, 7200 s, 3 attempts).",
        "Nothing to change unless those defaults do not suit; then set $path.",
    ),
    "retry.legacy_shape": _info(
        "call_retry_config has a pre-SDK-0.2 shape: one flat window, or no allowed_days (X23).",
        "$path has a pre-SDK-0.2 shape ($shape).",
        "Re-save the retry settings so $path has calling_windows, allowed_days and call_twice_in_a_row.",
    ),
    "retry.window.time_format": _error(
        "A calling window time matches neither 'HH:mm' nor 'H:mma' (V16).",
        "$path has $bad, matching neither 'HH:mm' (24-hour) nor 'H:mma' (12-hour).",
        "Write the times in $path like '09:00' and '17:30', or '9am' and '5:30pm'.",
    ),
    "retry.window.end_before_start": _error(
        "A calling window ends at or before its start (X13).",
        "$path ends at $end, at or before its start $start, so it never opens.",
        "Swap or correct the start and end times of $path.",
    ),
    "retry.window.overlap": _warning(
        "Two calling windows overlap (X13).",
        "$path overlaps $other.",
        "Merge $path with $other, or make them disjoint.",
    ),
    "retry.windows.empty": _warning(
        "call_retry_config.calling_windows is an empty list (X13).",
        "$path is empty, so there may be no time to call.",
        "Add at least one calling window to $path, e.g. 10:00-18:00.",
    ),
    "retry.allowed_days.empty": _error(
        "call_retry_config.allowed_days is an empty list: no day to call on (X13).",
        "$path is empty, so there is no day to call on.",
        "List the calling days in $path, e.g. monday to friday.",
    ),
    "retry.delay.zero": _info(
        "retry_delay_seconds is 0: valid since SDK 0.4.0, older docs required more than 0 (V17).",
        "$path is 0, so retries happen as soon as the window allows (valid since SDK 0.4.0).",
        "Set $path to a positive delay (default 7200) if retries should be spaced out.",
    ),
    "retry.twice_in_a_row.noop": _warning(
        "call_twice_in_a_row is true but max_retry_attempts is below 2 (V19, X12).",
        "$path is true but max_retry_attempts is $value, so it has no effect.",
        "Set call_retry_config.max_retry_attempts to 2 or more, or $path to false.",
    ),
    "retry.timezone.iana": _warning(
        "call_retry_config.timezone is not an IANA time-zone id (V20).",
        "$path is $value, which is not an IANA time-zone id.",
        "Set $path to an id like 'Europe/Paris', or to null to use the callee's time zone.",
    ),
    # --- custom tools ---
    "custom_tool.name_empty": _error(
        "A custom tool has no name (V21).",
        "$path is empty, so the LLM cannot call this tool.",
        "Set $path to a lowercase_snake_case name.",
    ),
    "custom_tool.name_snake_case": _warning(
        "A custom tool name is not lowercase_snake_case (V21).",
        "The tool name $value is not lowercase_snake_case.",
        "Rename $path to lowercase_snake_case, e.g. $suggestion.",
    ),
    "custom_tool.duplicate_name": _error(
        "Two custom tools share a name (V21).",
        "Another custom tool is already named $value, so the LLM cannot tell them apart.",
        "Give $path a unique name.",
    ),
    "custom_tool.description_empty": _warning(
        "A custom tool has no description for the LLM (V22).",
        "$path is empty, so the LLM cannot know when to call the tool.",
        "Describe in $path what the tool does and when to use it.",
    ),
    "custom_tool.empty_key": _error(
        "A custom tool header or query parameter has an empty key (V25).",
        "$path is empty, so the request cannot carry this entry.",
        "Set $path, or remove the entry.",
    ),
    "custom_tool.input_name_empty": _error(
        "A custom tool input has no name (V26).",
        "$path is empty, so the LLM cannot fill this input.",
        "Set $path to a short snake_case name.",
    ),
    "custom_tool.duplicate_input_name": _warning(
        "Two inputs of one custom tool share a name (X17).",
        "$path repeats $value, so one of the two inputs is lost.",
        "Rename $path to a unique name.",
    ),
    "custom_tool.enum_without_options": _warning(
        "A custom tool input of type enum has no enum_options (X17).", *_ENUM_WITHOUT_OPTIONS
    ),
    "custom_tool.body_template_invalid_json": _warning(
        "A custom tool body_template is not JSON once its placeholders are filled (V27).",
        "$path is not valid JSON once its placeholders are filled (the template is not shown).",
        "Fix the JSON syntax of $path.",
    ),
    "custom_tool.body_template_placeholder_unquoted": _warning(
        "A custom tool body_template has a placeholder outside a JSON string (V27).",
        "$path has unquoted placeholders ($names), which break the JSON for text values.",
        'Wrap each placeholder in $path in double quotes, e.g. "{{name}}".',
    ),
    # --- structured output ---
    "structured_output.name_empty": _error(
        "A structured output field has no name (V28).",
        "$path is empty, so the extracted value has no key.",
        "Set $path to a short snake_case name.",
    ),
    "structured_output.enum_without_options": _warning(
        "A structured output field of type enum has no enum_options (X17).", *_ENUM_WITHOUT_OPTIONS
    ),
    "structured_output.duplicate_name": _warning(
        "Two structured output fields share a name (X17).",
        "$path repeats $value, so one of the two values is lost.",
        "Rename $path to a unique name.",
    ),
    "structured_output.prompt_unknown_variable": _info(
        "structured_output_prompt uses a variable beyond the four documented ones (V41).",
        "$path uses $names, beyond the four documented variables.",
        "Use only {{transcript}}, {{call_direction}}, {{user_phone_number}} and {{agent_phone_number}} in $path.",
    ),
    # --- notifications ---
    "email.format": _warning(
        "email_notification_address has a part that is not an e-mail address (V34).",
        "$path contains $values, which is not an e-mail address.",
        "Set $path to one address or a comma-separated list of addresses.",
    ),
    "email.outcomes_without_address": _warning(
        "email_notification_outcomes is set but no address is (X10).",
        "$path is set but email_notification_address is empty, so no e-mail is sent.",
        "Set email_notification_address, or clear $path.",
    ),
    "email.address_without_outcomes": _warning(
        "email_notification_address is set but no outcome triggers an e-mail (X10).",
        "$path is set but email_notification_outcomes is empty, so no e-mail is sent.",
        "List the outcomes to notify in email_notification_outcomes, or clear $path.",
    ),
    "sms.template_but_disabled": _warning(
        "sms_template is set while sms_enabled is false (X11).",
        "$path is set but sms_enabled is false, so the in-call SMS tool never sends it.",
        "Set sms_enabled to true, or clear $path.",
    ),
    "sms.after_call_no_outcomes": _warning(
        "after_call_sms_prompt is set but no outcome triggers it (X8).",
        "after_call_sms_prompt is set but $path is empty, so no after-call SMS is sent.",
        "List the outcomes that should trigger the SMS in $path.",
    ),
    "sms.after_call_no_prompt": _warning(
        "after_call_sms_outcomes is set but after_call_sms_prompt is empty (X9).",
        "after_call_sms_outcomes is set but $path is empty, so no after-call SMS is sent.",
        "Write the SMS instructions in $path, or clear after_call_sms_outcomes.",
    ),
    "voicemail.no_message_but_sms": _info(
        "No voicemail message (silent hang-up), yet a voicemail SMS is sent.",
        "The assistant hangs up silently on voicemail ($path is empty) but still sends the voicemail SMS.",
        "Nothing to change if intended; otherwise write a $path.",
    ),
    # --- transfer ---
    "transfer.mode_without_destinations": _warning(
        "human_transfer_mode is set without transfer_destinations (X1).",
        "$path is $value but transfer_destinations is empty, so no transfer can happen.",
        "Add transfer_destinations, or set $path to null.",
    ),
    "transfer.destinations_without_mode": _warning(
        "transfer_destinations is set while human_transfer_mode is null (X2).",
        "transfer_destinations is set but $path is null, so transfer may be disabled.",
        "Set $path to 'warm' or 'cold'.",
    ),
    "transfer.warm_summary_without_warm": _info(
        "warm_transfer_summary_instructions is set without a warm transfer to a destination (X3).",
        "$path is set but there is no warm transfer with destinations, so it is never used.",
        "Clear $path, or configure a warm transfer with destinations.",
    ),
    "transfer.labels_not_in_prompt": _warning(
        "Several transfer destinations, and the prompt names none of their labels (X4).",
        "The prompt names none of the transfer destination labels ($labels), so it has no routing rules.",
        "Add routing rules to prompt that name each destination's label.",
    ),
    "transfer.label_empty": _warning(
        "A transfer destination has no label (V38).",
        "$path is empty, so the prompt cannot refer to this destination.",
        "Set $path to a short label such as 'Sales'.",
    ),
    "transfer.duplicate_label": _warning(
        "Two transfer destinations share a label (V38).",
        "$path repeats the label $value, so routing between the destinations is ambiguous.",
        "Give $path a distinct label.",
    ),
    "phone.e164": _error(
        "A phone number is not in E.164 format (V38, V39).",
        "$path is not in E.164 format (the number is not shown).",
        "Write $path as '+', the country code and the number, e.g. +14155550123.",
    ),
    # --- URLs and security ---
    "url.invalid": _error(
        "A URL field is empty or not an http(s) URL (V23, V32, V40).",
        "$path is not an http(s) URL, so it cannot be called.",
        "Set $path to a full URL starting with https://.",
    ),
    "precall.missing_phone_placeholder": _error(
        "precall_lookup_url lacks the {{phone}} placeholder (V40).",
        "$path has no {{phone}} placeholder, so the lookup cannot tell who is calling.",
        "Add {{phone}} to $path, e.g. as ?phone={{phone}}.",
    ),
    "precall.must_return_variables": _info(
        "With precall_lookup_url, the lookup must return every call variable (V40, X19).",
        "The precall lookup must return prompt_variables for all $count call variables ($names), or calls fail.",
        "Make the endpoint behind $path return every listed variable in prompt_variables.",
    ),
    "security.insecure_url": _warning(
        "A webhook, tool, lookup or LLM URL uses plain http (X25).",
        "$path uses plain http ($host), so data and tokens travel unencrypted.",
        "Change $path to https://.",
    ),
    "security.credential_in_url": _info(
        "A URL or a tool's query parameters carry a credential (X25).",
        "$path carries $what (value not shown), where logs and proxies can see it.",
        "Move the credential out of $path into a header where the receiver allows it, and rotate it.",
    ),
    # --- sounds, duration, FAQ, prompt, integrations ---
    "sound.volume_without_sound": _info("A sound volume was changed while the sound is off (X16).", *_WITHOUT_SOUND),
    "sound.probability_without_sound": _info(
        "thinking_sound_probability was changed while thinking_sound is off (X16).", *_WITHOUT_SOUND
    ),
    "max_duration.too_short": _warning(
        "max_call_duration_secs is under 60 s (our heuristic; V46 has no bounds).",
        "$path is $value, under a minute, so most calls will be cut off.",
        "Raise $path to at least 60, typically 300 to 900.",
    ),
    "faq.pending": _info(
        "FAQ items are waiting for a human answer (X24).",
        "$what waiting for a human answer, so the assistant cannot answer yet.",
        "Answer the pending FAQ items in the Revox dashboard.",
    ),
    "prompt.empty": _warning(
        "The system prompt is empty.",
        "$path is empty, so the assistant has no instructions.",
        "Write the assistant's system prompt in $path.",
    ),
    "integration.template_unknown_variable": _info(
        "A Slack or Zoho template uses an undocumented variable (V42).",
        "$path uses $names, which are neither documented, call variables nor structured output fields.",
        "Use only documented variables, call variables or structured output names in $path.",
    ),
}

RULES: Mapping[str, RuleSpec] = rule_table(_RULE_TABLE)


def finding(rule: str, path: str, **params: str) -> dict[str, str]:
    """The fields of one Finding (validated into the model once, at the end of ``diagnose``)."""
    return finding_of(rule, path, tuple(params.items()))


@functools.lru_cache(maxsize=2048)
def finding_of(rule: str, path: str, params: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """``finding`` with its parameters as (name, value) pairs, memoised: the same findings recur across
    assistants (defaults, shared tools and URLs), and filling two templates costs more than a lookup.
    The dicts are shared, so nothing may mutate them.
    """
    return finding_fields(rule, RULES[rule], path, dict(params))
