"""The SDK-shaped strategies (``sdk_shapes``) are held to the official SDK 0.5.0's models, installed as a
test dependency: the same keys, the same required and optional keys, the same enum values, and every
generated object validates strictly. So data that passes here is data the real API may send."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel
from revox.types import call_search_response as calls_sdk
from revox.types import campaign_list_response as campaigns_sdk
from revox.types import phone_number_list_response as phones_sdk
from revox.types import voice_list_response as voices_sdk
from sdk_shapes import CALL_ENUM_WORDS, MODELS, OPTIONAL_KEYS, campaigns, objects, phone_numbers, search_replies, voices
from support import examples

# Our model names and the SDK's classes they describe.
SDK_MODELS: dict[str, type[BaseModel]] = {
    "Call": calls_sdk.Call,
    "CallAttempt": calls_sdk.CallCallAttempt,
    "Person": calls_sdk.CallAssignee,
    "Contact": calls_sdk.CallContact,
    "CallCampaign": calls_sdk.CallCampaign,
    "RetryConfig": calls_sdk.CallCallRetryConfig,
    "CallingWindow": calls_sdk.CallCallRetryConfigCallingWindow,
    "TranscriptEntry": calls_sdk.CallCallAttemptTranscript,
    "SpeechEvent": calls_sdk.CallCallAttemptSpeechEvent,
    "SmsLog": calls_sdk.CallCallAttemptSMSLog,
    "EmailLog": calls_sdk.CallCallAttemptEmailLog,
    "PhoneNumber": phones_sdk.PhoneNumber,
    "Campaign": campaigns_sdk.Campaign,
    "FunnelStats": campaigns_sdk.CampaignFunnelStats,
    "RowStats": campaigns_sdk.CampaignRowStats,
    "Voice": voices_sdk.Voice,
    "Assistant": calls_sdk.CallAssistant,
    "Calendly": calls_sdk.CallAssistantCalendly,
    "CustomTool": calls_sdk.CallAssistantCustomTool,
    "Pair": calls_sdk.CallAssistantCustomToolHeader,
    "InputSchema": calls_sdk.CallAssistantCustomToolInputSchema,
    "StructuredOutputConfig": calls_sdk.CallAssistantStructuredOutputConfig,
    "Position": calls_sdk.CallAssistantPosition,
    "PromptFlow": calls_sdk.CallAssistantPromptFlow,
    "FlowEdge": calls_sdk.CallAssistantPromptFlowEdge,
    "FlowNode": calls_sdk.CallAssistantPromptFlowNode,
    "FlowNodeData": calls_sdk.CallAssistantPromptFlowNodeData,
    "Slack": calls_sdk.CallAssistantSlack,
    "SlackChannel": calls_sdk.CallAssistantSlackChannel,
    "SttContext": calls_sdk.CallAssistantSttContext,
    "SttPair": calls_sdk.CallAssistantSttContextGeneral,
    "TransferDestination": calls_sdk.CallAssistantTransferDestination,
    "AssistantVoice": calls_sdk.CallAssistantVoice,
    "Zoho": calls_sdk.CallAssistantZoho,
    "ZohoMapping": calls_sdk.CallAssistantZohoFieldMapping,
    "FaqItem": calls_sdk.CallAssistantFaqItem,
}


def _wire_keys(model: type[BaseModel]) -> dict[str, Any]:
    return {field.alias or name: field for name, field in model.model_fields.items()}


def _literals(annotation: Any) -> set[str]:
    """Every Literal value inside an annotation (through Optional, List, Union)."""
    if typing.get_origin(annotation) is typing.Literal:
        return set(typing.get_args(annotation))
    return {value for arg in typing.get_args(annotation) for value in _literals(arg)}


def _models_inside(model: type[BaseModel]) -> set[type[BaseModel]]:
    found = set()
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            annotation = stack.pop()
            if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
                found.add(annotation)
            stack.extend(typing.get_args(annotation))
    return found


def test_every_sdk_model_reached_from_a_call_phone_number_campaign_or_voice_is_described() -> None:
    described = {model.__name__ for model in SDK_MODELS.values()}
    reached: set[type[BaseModel]] = set()
    stack: list[type[BaseModel]] = [calls_sdk.Call, phones_sdk.PhoneNumber, campaigns_sdk.Campaign, voices_sdk.Voice]
    while stack:
        model = stack.pop()
        if model in reached:
            continue
        reached.add(model)
        stack.extend(_models_inside(model))
    # The SDK repeats each nested model per parent (CallLastCallAttempt = CallCallAttempt...): by shape.
    shapes = {tuple(sorted(_wire_keys(model))) for model in SDK_MODELS.values()}
    llm_variants = {model for model in reached if "LlmModelUnionMember" in model.__name__}
    missing = [m.__name__ for m in reached - llm_variants if tuple(sorted(_wire_keys(m))) not in shapes]
    assert missing == [], f"not described: {missing} (described: {sorted(described)})"


@pytest.mark.parametrize("name", sorted(SDK_MODELS))
def test_each_table_has_the_sdk_models_keys_optional_keys_and_enum_values(name: str) -> None:
    sdk = _wire_keys(SDK_MODELS[name])
    ours = MODELS[name]
    assert set(ours) == set(sdk)
    assert OPTIONAL_KEYS[name] == {key for key, field in sdk.items() if not field.is_required()}
    for key, field in sdk.items():
        spec = ours[key]
        assert spec.nullable == (type(None) in typing.get_args(field.annotation)), key
        if spec.kind in ("enum", "enums"):
            assert set(spec.enum) == _literals(field.annotation), key
        else:
            assert spec.kind in ("llm_model",) or not _literals(field.annotation), f"{key} is an enum in the SDK"


def test_the_call_enum_words_are_every_value_of_every_call_enum() -> None:
    sdk_words = {
        word
        for model in (
            calls_sdk.Call,
            calls_sdk.CallCallAttempt,
            calls_sdk.CallCallAttemptTranscript,
            calls_sdk.CallCallAttemptSpeechEvent,
            calls_sdk.CallCallAttemptSMSLog,
        )
        for field in model.model_fields.values()
        for word in _literals(field.annotation)
    }
    assert set(CALL_ENUM_WORDS) == sdk_words | {"none"}  # "none": the outcome filters' and settings' extra value


def _settings(full: int) -> settings:
    return settings(
        max_examples=examples(full),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@_settings(200)
@given(search_replies())
def test_generated_search_replies_validate_strictly_against_the_sdk(reply: dict[str, Any]) -> None:
    calls_sdk.CallSearchResponse.model_validate(reply, strict=True)


@_settings(100)
@given(phone_numbers(), campaigns(), voices())
def test_generated_phone_numbers_campaigns_and_voices_validate_strictly_against_the_sdk(
    phone: dict[str, Any], campaign: dict[str, Any], voice: dict[str, Any]
) -> None:
    phones_sdk.PhoneNumber.model_validate(phone, strict=True)
    campaigns_sdk.Campaign.model_validate(campaign, strict=True)
    voices_sdk.Voice.model_validate(voice, strict=True)


@_settings(50)
@given(objects("Call"))
def test_optional_keys_are_sometimes_absent_and_required_ones_always_present(call: dict[str, Any]) -> None:
    assert set(MODELS["Call"]) - OPTIONAL_KEYS["Call"] <= set(call)
    assert set(call) <= set(MODELS["Call"])
