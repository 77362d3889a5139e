"""What the caller hears and what thinks: the voice (V7-V12, X14, X15), sounds (V2-V5, X16), the LLM (V29-V33, X18)."""

from __future__ import annotations

from revox_mcp.domain.diagnostics.context import Context, check_enum, check_range, is_filled, quote
from revox_mcp.domain.diagnostics.reference import (
    DEDICATED_MODELS,
    LLM_REQUIRED,
    LLM_TYPES,
    RANGES,
    REALTIME_PROVIDERS,
    SOUND_DEFAULT,
    SOUND_SETTINGS,
    SPEED_BY_PROVIDER,
    SPEED_SCHEMA,
    VOICE_MODELS,
    VOICE_PROVIDERS,
    VOLUME_RANGE,
)
from revox_mcp.domain.diagnostics.urls import check_url
from revox_mcp.domain.facts import child, quantity


def check_voice(ctx: Context) -> None:
    voice = child(ctx.raw, "voice")
    if voice is None:
        return
    ctx.filled(voice, "id", "voice", "voice.id.empty")
    provider = ctx.nested(voice, "provider", "str", "voice")
    if provider == "gradium":
        ctx.add("voice.provider_unknown_to_old_docs", "voice.provider")
    else:
        check_enum(ctx, provider, "voice.provider", VOICE_PROVIDERS)
    known = provider if provider in VOICE_PROVIDERS else None

    ctx.nested(voice, "speed", "num", "voice")
    speed = quantity(voice, "speed")
    low, high = SPEED_SCHEMA
    if speed is not None and not low <= speed <= high:
        check_range(ctx, speed, "voice.speed", "range.voice.speed", low, high)
    elif speed is not None and known is not None:
        low, high = SPEED_BY_PROVIDER[known]
        if not low <= speed <= high:
            bounds = {"low": f"{low:g}", "high": f"{high:g}"}
            ctx.add("voice.speed.provider_range", "voice.speed", value=quote(speed), provider=known, **bounds)

    volume = ctx.nested(voice, "volume", "num", "voice")
    check_range(ctx, quantity(voice, "volume"), "voice.volume", "range.voice.volume", *VOLUME_RANGE)
    model = ctx.nested(voice, "model", "str", "voice")
    check_enum(ctx, model, "voice.model", VOICE_MODELS)
    if known is None or known == "cartesia":
        return
    for key, value in (("volume", volume), ("model", model)):
        if value is not None:
            ctx.add(f"voice.{key}.cartesia_only", f"voice.{key}", value=quote(value), provider=known)
    if is_filled(ctx.get("cartesia_dictionary_pronunciation_id")):
        ctx.add("voice.cartesia_dictionary_unused", "cartesia_dictionary_pronunciation_id", provider=known)


def check_sounds(ctx: Context) -> None:
    raw, get = ctx.raw, ctx.get
    for key, rule, low, high in RANGES:
        value = get(key)
        if type(value) is not float or not low <= value <= high:  # the usual in-range float needs no more
            check_range(ctx, quantity(raw, key), key, rule, low, high)
    # Only a value moved away from the API default shows that someone expected a sound.
    for sound, key, rule in SOUND_SETTINGS:
        if sound in raw and get(sound) is None:
            number = quantity(raw, key)
            if number not in (None, 0, SOUND_DEFAULT):
                ctx.add(rule, key, value=quote(number), sound=sound)


def check_llm(ctx: Context) -> None:
    llm = child(ctx.raw, "llm_model")
    if llm is None:
        return
    kind = ctx.nested(llm, "type", "str", "llm_model")
    if not is_filled(kind):
        ctx.add("llm.field_empty", "llm_model.type", variant="every model variant")
        return
    check_enum(ctx, kind, "llm_model.type", LLM_TYPES)
    for key in LLM_REQUIRED.get(kind, ()):
        # The redaction marker counts as set: ingest leaves it where a literal api_key was.
        ctx.filled(llm, key, "llm_model", "llm.field_empty", variant=f"the {kind} model variant")
    if kind == "dedicated-instance":
        check_enum(ctx, llm.get("name"), "llm_model.name", DEDICATED_MODELS)
    elif kind == "custom" and is_filled(api_url := llm.get("api_url")):
        check_url(ctx, api_url, "llm_model.api_url")
    elif kind == "realtime":
        check_enum(ctx, llm.get("provider"), "llm_model.provider", REALTIME_PROVIDERS)
        voice_id = ctx.nested(llm, "realtime_voice_id", "str", "llm_model")
        if voice_id is not None and not is_filled(voice_id):
            ctx.add("llm.field_empty", "llm_model.realtime_voice_id", variant="a realtime voice, when set,")
        if child(ctx.raw, "voice") is not None:
            ctx.add("llm.realtime.voice_unused", "voice")
