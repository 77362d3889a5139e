"""Compact, truthful views of (cleaned) assistants. Pure functions, no I/O.

Output models list exactly what is emitted (an allowlist), so a field Revox adds tomorrow cannot
reach the model by accident. A value Revox did not send is ``None`` and is left out of the output:
nothing is invented. Input is cleaned at ingest (``domain.ingest``): redacted and encodable, so
texts here are only cut, never cut before being redacted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from revox_mcp.domain import facts as m
from revox_mcp.domain.output import Out as _Out
from revox_mcp.domain.output import dump, lean_optional, lean_schema

__all__ = ["AssistantDetail", "AssistantSummary", "detail", "dump", "lean_optional", "lean_schema", "summarize"]

PREVIEW_CHARS = 160


class AssistantSummary(_Out):
    """One line of the assistant index."""

    id: str
    name: str | None = None
    type: str | None = Field(None, description="standalone, multi-step or sub-assistant")
    llm: str | None = Field(None, description="llm_model.type")
    model: str | None = Field(None, description="model name or id")
    voice: str | None = Field(None, description="voice provider")
    first_sentence: str | None = Field(None, description="first_sentence_mode")
    features: list[str] = Field(
        default_factory=list,
        description="e.g. transfer, sms, webhook, tools:N",
    )
    updated_at: str | None = None
    prompt_chars: int | None = None


class LlmView(_Out):
    type: str | None = None
    model: str | None = None
    provider: str | None = None
    api_url: str | None = None
    api_key_set: bool | None = Field(None, description="key set (never shown)")
    realtime_voice_id: str | None = None


class VoiceView(_Out):
    provider: str | None = None
    id: str | None = None
    model: str | None = None
    speed: float | None = None
    volume: float | None = None


class TextView(_Out):
    chars: int
    preview: str = Field(description="start, redacted")
    variables: list[str] = Field(default_factory=list, description="{{variables}} it uses")


class FirstSentenceView(_Out):
    mode: str | None = None
    delay_ms: float | None = None
    text: str | None = None


class TransferView(_Out):
    mode: str | None = None
    destinations: list[str] = Field(default_factory=list, description="labels")
    legacy_phone_number_set: bool | None = None


class ToolView(_Out):
    name: str | None = None
    method: str | None = None
    url: str | None = None
    headers: list[str] = Field(default_factory=list, description="names only")
    query_params: list[str] = Field(default_factory=list, description="names only")
    inputs: list[str] = Field(default_factory=list)
    has_body_template: bool = False


class RetryView(_Out):
    max_retry_attempts: float | None = None
    call_twice_in_a_row: bool | None = None
    allowed_days: list[str] | None = None
    windows: list[str] = Field(default_factory=list, description="start-end (retry delay s)")
    timezone: str | None = None


class MessagingView(_Out):
    sms_enabled: bool | None = None
    sms_template_set: bool = False
    after_call_sms_outcomes: list[str] | None = None
    after_call_sms_prompt_set: bool = False
    voicemail_message_set: bool = False
    voicemail_sms_prompt_set: bool = False
    email_outcomes: list[str] | None = None
    email_address_set: bool = False


class IntegrationsView(_Out):
    calendly: bool = False
    slack_channels: int | None = None
    zoho_module: str | None = None
    webhook_url: str | None = None
    precall_lookup_url: str | None = None


class AssistantDetail(_Out):
    """The default ``get_assistant`` answer: everything needed to reason about behaviour, no bodies."""

    id: str
    name: str | None = None
    type: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    llm: LlmView | None = None
    voice: VoiceView | None = None
    stt_model: str | None = None
    first_sentence: FirstSentenceView
    prompt: TextView | None = None
    end_of_call_sentence: str | None = None
    max_call_duration_secs: float | None = None
    ivr_navigation_enabled: bool | None = None
    transfer: TransferView | None = None
    messaging: MessagingView
    integrations: IntegrationsView
    custom_tools: list[ToolView] = Field(default_factory=list)
    call_retry: RetryView | None = None
    structured_output: list[str] = Field(default_factory=list, description="field names")
    faq: dict[str, int] | None = Field(None, description="count and pending")
    sounds: dict[str, Any] | None = None
    unknown_fields: list[str] = Field(default_factory=list, description="fields new to this server")


def _clean(value: str | None, limit: int = PREVIEW_CHARS) -> str | None:
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def llm_kind_and_model(assistant: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``llm_model`` is a union keyed by ``type`` that gains kinds: branch on the key, never guess."""
    llm = m.child(assistant, "llm_model")
    kind = m.text(llm, "type")
    model = (
        m.text(llm, "name")
        or m.text(llm, "openrouter_model_id")
        or m.text(llm, "model_name")
        or m.text(llm, "realtime_model_id")
        or m.text(llm, "model")
    )
    return kind, _clean(model, 80)


def features(assistant: Mapping[str, Any]) -> list[str]:
    """What is switched on, from the fields that actually enable each behaviour."""
    on: list[str] = []
    if m.items(assistant, "transfer_destinations") or m.text(assistant, "transfer_phone_number"):
        on.append("transfer")
    if m.flag(assistant, "sms_enabled"):
        on.append("sms")
    if m.strings(assistant, "after_call_sms_outcomes") and m.text(assistant, "after_call_sms_prompt"):
        on.append("after_call_sms")
    if m.text(assistant, "voicemail_sms_prompt"):
        on.append("voicemail_sms")
    if m.strings(assistant, "email_notification_outcomes") and m.text(assistant, "email_notification_address"):
        on.append("email")
    for integration in ("calendly", "slack", "zoho"):
        if m.child(assistant, integration):
            on.append(integration)
    if m.text(assistant, "webhook_url"):
        on.append("webhook")
    if m.text(assistant, "precall_lookup_url"):
        on.append("precall_lookup")
    if m.flag(assistant, "ivr_navigation_enabled"):
        on.append("ivr")
    tools = len(m.items(assistant, "custom_tools"))
    if tools:
        on.append(f"tools:{tools}")
    return on


def summarize(assistant: Mapping[str, Any]) -> AssistantSummary:
    """The compact index entry of one assistant."""
    kind, model = llm_kind_and_model(assistant)
    prompt = m.text(assistant, "prompt")
    return AssistantSummary(
        id=m.assistant_id_of(assistant) or "",
        name=_clean(m.text(assistant, "name"), 120),
        type=m.text(assistant, "type"),
        llm=kind,
        model=model,
        voice=m.text(m.child(assistant, "voice"), "provider"),
        first_sentence=m.text(assistant, "first_sentence_mode"),
        features=features(assistant),
        updated_at=m.timestamp(assistant, "updated_at"),
        prompt_chars=len(prompt) if prompt is not None else None,
    )


def _text_view(value: str | None) -> TextView | None:
    if value is None:
        return None
    preview = _clean(" ".join(value[: PREVIEW_CHARS * 2].split())) or ""
    return TextView(chars=len(value), preview=preview, variables=m.placeholders(value))


def _llm_view(assistant: Mapping[str, Any]) -> LlmView | None:
    llm = m.child(assistant, "llm_model")
    if llm is None:
        return None
    kind, model = llm_kind_and_model(assistant)
    api_url = m.text(llm, "api_url")
    return LlmView(
        type=kind,
        model=model,
        provider=m.text(llm, "openrouter_provider") or m.text(llm, "provider"),
        api_url=api_url or None,
        api_key_set=bool(m.text(llm, "api_key")) if "api_key" in llm or kind == "custom" else None,
        realtime_voice_id=m.text(llm, "realtime_voice_id"),
    )


def _voice_view(assistant: Mapping[str, Any]) -> VoiceView | None:
    voice = m.child(assistant, "voice")
    if voice is None:
        return None
    return VoiceView(
        provider=m.text(voice, "provider"),
        id=m.text(voice, "id"),
        model=m.text(voice, "model"),
        speed=m.number(voice, "speed"),
        volume=m.number(voice, "volume"),
    )


def _tool_view(tool: Mapping[str, Any]) -> ToolView:
    url = m.text(tool, "url")
    return ToolView(
        name=_clean(m.text(tool, "name"), 80),
        method=m.text(tool, "method"),
        url=_clean(url, 300) if url else None,
        headers=[_clean(h, 80) or "" for h in (m.text(item, "key") for item in m.items(tool, "headers")) if h],
        query_params=[
            _clean(q, 80) or "" for q in (m.text(item, "key") for item in m.items(tool, "query_params")) if q
        ],
        inputs=[n for n in (m.text(item, "name") for item in m.items(tool, "input_schema")) if n],
        has_body_template=bool(m.text(tool, "body_template")),
    )


def _window(window: Mapping[str, Any]) -> str:
    start = m.text(window, "calling_window_start_time") or "?"
    end = m.text(window, "calling_window_end_time") or "?"
    delay = m.number(window, "retry_delay_seconds")
    return f"{_clean(start, 20)}-{_clean(end, 20)}" + (f" ({delay:g}s)" if delay is not None else "")


def retry_view(assistant: Mapping[str, Any]) -> RetryView | None:
    """The ``call_retry_config`` of an assistant (or of a campaign, which has its own), or None."""
    retry = m.child(assistant, "call_retry_config")
    if retry is None:
        return None
    days = retry.get("allowed_days")
    return RetryView(
        max_retry_attempts=m.number(retry, "max_retry_attempts"),
        call_twice_in_a_row=m.flag(retry, "call_twice_in_a_row"),
        allowed_days=m.strings(retry, "allowed_days") if isinstance(days, list) else None,
        windows=[_window(w) for w in m.items(retry, "calling_windows")],
        timezone=_clean(m.text(retry, "timezone"), 60),
    )


def _faq(assistant: Mapping[str, Any]) -> dict[str, int] | None:
    if "faq_items" not in assistant and "pending_faq_count" not in assistant:
        return None
    faqs = m.items(assistant, "faq_items")
    pending = sum(1 for f in faqs if m.flag(f, "needs_human_answer"))
    declared = m.number(assistant, "pending_faq_count")
    return {"count": len(faqs), "pending": int(declared) if declared is not None else pending}


def _sounds(assistant: Mapping[str, Any]) -> dict[str, Any] | None:
    sounds = {
        key: value
        for key, value in (
            ("background", _clean(m.text(assistant, "background_sound"), 60)),
            ("background_volume", m.number(assistant, "background_sound_volume")),
            ("thinking", _clean(m.text(assistant, "thinking_sound"), 60)),
            ("thinking_probability", m.number(assistant, "thinking_sound_probability")),
            ("thinking_volume", m.number(assistant, "thinking_sound_volume")),
        )
        if value is not None
    }
    return sounds or None


def _transfer(assistant: Mapping[str, Any]) -> TransferView | None:
    destinations = m.items(assistant, "transfer_destinations")
    mode = m.text(assistant, "human_transfer_mode")
    legacy = m.text(assistant, "transfer_phone_number")
    if not destinations and mode is None and legacy is None:
        return None
    return TransferView(
        mode=mode,
        destinations=[_clean(m.text(d, "label"), 60) or "?" for d in destinations],
        legacy_phone_number_set=True if legacy else None,
    )


def _outcomes(assistant: Mapping[str, Any], key: str) -> list[str] | None:
    return m.strings(assistant, key) if isinstance(assistant.get(key), list) else None


def detail(assistant: Mapping[str, Any]) -> AssistantDetail:
    """The richer summary ``get_assistant`` returns by default."""
    slack = m.child(assistant, "slack")
    zoho = m.child(assistant, "zoho")
    webhook = m.text(assistant, "webhook_url")
    lookup = m.text(assistant, "precall_lookup_url")
    outputs = m.items(assistant, "structured_output_config")
    return AssistantDetail(
        id=m.assistant_id_of(assistant) or "",
        name=_clean(m.text(assistant, "name"), 120),
        type=m.text(assistant, "type"),
        created_at=m.timestamp(assistant, "created_at"),
        updated_at=m.timestamp(assistant, "updated_at"),
        llm=_llm_view(assistant),
        voice=_voice_view(assistant),
        stt_model=m.text(assistant, "stt_model"),
        first_sentence=FirstSentenceView(
            mode=m.text(assistant, "first_sentence_mode"),
            delay_ms=m.number(assistant, "first_sentence_delay_ms"),
            text=_clean(m.text(assistant, "first_sentence")),
        ),
        prompt=_text_view(m.text(assistant, "prompt")),
        end_of_call_sentence=_clean(m.text(assistant, "end_of_call_sentence")),
        max_call_duration_secs=m.number(assistant, "max_call_duration_secs"),
        ivr_navigation_enabled=m.flag(assistant, "ivr_navigation_enabled"),
        transfer=_transfer(assistant),
        messaging=MessagingView(
            sms_enabled=m.flag(assistant, "sms_enabled"),
            sms_template_set=bool(m.text(assistant, "sms_template")),
            after_call_sms_outcomes=_outcomes(assistant, "after_call_sms_outcomes"),
            after_call_sms_prompt_set=bool(m.text(assistant, "after_call_sms_prompt")),
            voicemail_message_set=bool(m.text(assistant, "voicemail_message")),
            voicemail_sms_prompt_set=bool(m.text(assistant, "voicemail_sms_prompt")),
            email_outcomes=_outcomes(assistant, "email_notification_outcomes"),
            email_address_set=bool(m.text(assistant, "email_notification_address")),
        ),
        integrations=IntegrationsView(
            calendly=m.child(assistant, "calendly") is not None,
            slack_channels=len(m.items(slack, "channels")) if slack is not None else None,
            zoho_module=_clean(m.text(zoho, "module"), 60),
            webhook_url=_clean(webhook, 300) if webhook else None,
            precall_lookup_url=_clean(lookup, 300) if lookup else None,
        ),
        custom_tools=[_tool_view(tool) for tool in m.items(assistant, "custom_tools")],
        call_retry=retry_view(assistant),
        structured_output=[n for n in (m.text(o, "name") for o in outputs) if n],
        faq=_faq(assistant),
        sounds=_sounds(assistant),
        unknown_fields=sorted(_clean(str(k), 60) or "" for k in assistant if k not in m.KNOWN_FIELDS),
    )
