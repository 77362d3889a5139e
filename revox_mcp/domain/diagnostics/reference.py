"""What the checks compare against: documented enums, ranges, variables and our own limits.

SDK 0.5.0 unless noted (``docs/revox-api.md`` section 4). The field table, the placeholder grammar
and the credential-name rule are not here: every module shares them through ``domain.facts``.
"""

from __future__ import annotations

import functools
import zoneinfo


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NO_LEGACY: frozenset[str] = frozenset()

# --- enums -----------------------------------------------------------------------------------------

OUTCOMES = _words("not_interested interested completed requested_callback_later none")
# Accepted by the older docs (S0) or SDK 0.2-0.3, dropped in SDK 0.4.0.
LEGACY_OUTCOMES = _words("requested_callback_new_number do_not_contact ai_averse")
OUTCOME_LISTS = ("email_notification_outcomes", "after_call_sms_outcomes")
THINKING_SOUNDS = _words(
    "city-ambience.ogg forest-ambience.ogg office-ambience.ogg crowded-room.ogg keyboard-typing.ogg "
    "keyboard-typing2.ogg hold_music.ogg"
)
TOP_ENUMS: dict[str, frozenset[str]] = {
    "background_sound": frozenset({"audio/office.ogg"}),
    "thinking_sound": THINKING_SOUNDS,
    "first_sentence_mode": frozenset({"generated", "static", "none"}),
    "human_transfer_mode": frozenset({"warm", "cold"}),
    "stt_model": frozenset({"stt-rt-v4", "stt-rt-v5"}),
    "type": frozenset({"standalone", "multi-step", "sub-assistant"}),
}
DAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
FIELD_TYPES = _words("string number boolean enum date datetime")  # tool inputs and structured outputs
METHODS = _words("GET POST PUT PATCH DELETE")
FAQ_SOURCES = frozenset({"human", "ai"})

# --- LLM and voice ---------------------------------------------------------------------------------

LLM_TYPES = frozenset({"dedicated-instance", "openrouter", "custom", "realtime"})
DEDICATED_MODELS = frozenset({"gpt-4.1", "ministral-3-8b-instruct"})
REALTIME_PROVIDERS = frozenset({"openai", "google"})
# Strings each llm_model variant requires (V31-V33).
LLM_REQUIRED: dict[str, tuple[str, ...]] = {
    "dedicated-instance": ("name",),
    "openrouter": ("openrouter_model_id", "openrouter_provider"),
    "custom": ("api_url", "model_name", "api_key"),
    "realtime": ("provider", "realtime_model_id"),
}
VOICE_PROVIDERS = frozenset({"cartesia", "elevenlabs", "gradium"})
VOICE_MODELS = frozenset({"sonic-3", "sonic-3.5"})
# Speed ranges: the schema's (V9) and each provider's own (V10).
SPEED_SCHEMA = (0.6, 1.5)
SPEED_BY_PROVIDER = {"cartesia": (0.6, 1.5), "elevenlabs": (0.7, 1.2), "gradium": (0.6, 1.5)}
VOLUME_RANGE = (0.5, 2.0)

# --- sounds and numeric limits ---------------------------------------------------------------------

# Top-level numbers with documented inclusive bounds: field, rule, low, high.
RANGES: tuple[tuple[str, str, float, float], ...] = (
    ("background_sound_volume", "range.background_sound_volume", 0.0, 1.0),
    ("thinking_sound_probability", "range.thinking_sound_probability", 0.0, 1.0),
    ("thinking_sound_volume", "range.thinking_sound_volume", 0.0, 1.0),
)
# (sound field, setting, rule) for X16.
SOUND_SETTINGS = (
    ("background_sound", "background_sound_volume", "sound.volume_without_sound"),
    ("thinking_sound", "thinking_sound_volume", "sound.volume_without_sound"),
    ("thinking_sound", "thinking_sound_probability", "sound.probability_without_sound"),
)
SOUND_DEFAULT = 0.5  # what the API stores when nobody touched the slider
MIN_CALL_SECS = 60  # heuristic: a shorter call barely fits a greeting and one answer
END_MESSAGE_MAX = 150

# --- variables -------------------------------------------------------------------------------------

# Filled in by Revox on every call, so calls need not supply them. These are the four documented for
# structured_output_prompt (V41); we assume every template can use them.
BUILTIN_VARIABLES = frozenset({"user_phone_number", "agent_phone_number", "call_direction", "transcript"})
INTEGRATION_VARIABLES = {  # V42
    "slack": _words(
        "summary outcome phone call_url assistant_name campaign_name first_name last_name email company "
        "job_title contact_name contact_line"
    ),
    "zoho": _words("summary outcome phone call_url assistant_name campaign_name transcript"),
}
# Free-text fields whose {{variables}} calls (or the precall lookup) must supply (X19).
TEXT_SOURCES = (
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

# --- our own bounds on the work --------------------------------------------------------------------

MAX_ITEMS = 200  # lists are checked on their first items only, to bound the work on junk
QUOTE_MAX = 60  # characters of free text quoted in a message
MAX_BODY_PARSE = 200_000  # longer body templates are not parsed
CACHED_TEXT_MAX = 4096  # longer values are judged afresh: a cache of them would hold too much memory


@functools.cache  # reading the tz database takes milliseconds: once, on first use
def known_timezones() -> frozenset[str]:
    """IANA ids from the system or tzdata; empty when no database is installed."""
    try:
        return frozenset(zoneinfo.available_timezones())
    except OSError:  # unreadable tz directory: the caller falls back to a shape check
        return frozenset()
