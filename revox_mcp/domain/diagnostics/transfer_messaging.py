"""Handing the call over and writing to people: transfer (V38, X1-X4), phone numbers (V39), e-mail (V34,
X10), SMS (X8, X9, X11) and voicemail. Phone numbers are never quoted."""

from __future__ import annotations

import re
from typing import Any

from revox_mcp.domain.diagnostics.context import Context, is_filled, quote
from revox_mcp.domain.diagnostics.reference import MAX_ITEMS
from revox_mcp.domain.facts import entries, text

_E164 = re.compile(r"\+[1-9]\d{6,14}")
_EMAIL = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+")
_EMAIL_MAX = 254  # RFC 5321


def _check_phone(ctx: Context, value: Any, path: str) -> None:
    if isinstance(value, str) and not _E164.fullmatch(value):
        ctx.add("phone.e164", path)


def check_transfer(ctx: Context) -> None:
    mode = ctx.get("human_transfer_mode")
    has_destinations = bool(entries(ctx.raw, "transfer_destinations"))
    # Before SDK 0.4.0 the mode applied to transfer_phone_number.
    if is_filled(mode) and not has_destinations and not is_filled(ctx.get("transfer_phone_number")):
        ctx.add("transfer.mode_without_destinations", "human_transfer_mode", value=quote(mode))
    if has_destinations and mode is None:
        ctx.add("transfer.destinations_without_mode", "human_transfer_mode")
    if is_filled(ctx.get("warm_transfer_summary_instructions")) and (mode != "warm" or not has_destinations):
        ctx.add("transfer.warm_summary_without_warm", "warm_transfer_summary_instructions")

    labels: dict[str, str] = {}  # casefolded -> as written
    for path, destination in ctx.objects(ctx.get("transfer_destinations"), "transfer_destinations"):
        label = ctx.filled(destination, "label", path, "transfer.label_empty")
        if label is not None and label.casefold() in labels:
            ctx.add("transfer.duplicate_label", f"{path}.label", value=quote(label))
        elif label is not None:
            labels[label.casefold()] = label
        phone = ctx.nested(destination, "phone_number", "str", path)
        _check_phone(ctx, phone, f"{path}.phone_number")
    if len(labels) >= 2 and (prompt := text(ctx.raw, "prompt")) is not None:
        folded = prompt.casefold()
        if not any(label in folded for label in labels):
            shown = ", ".join(quote(label) for label in list(labels.values())[:3])
            ctx.add("transfer.labels_not_in_prompt", "transfer_destinations", labels=shown)


def check_messaging(ctx: Context) -> None:
    _check_phone(ctx, ctx.get("from_phone_number"), "from_phone_number")

    outcomes = entries(ctx.raw, "email_notification_outcomes")
    address = ctx.get("email_notification_address")
    if not is_filled(address):
        if outcomes:
            ctx.add("email.outcomes_without_address", "email_notification_outcomes")
    else:
        if not outcomes:
            ctx.add("email.address_without_outcomes", "email_notification_address")
        parts = (part.strip() for part in address.split(",")[:MAX_ITEMS])
        bad = [part for part in parts if len(part) > _EMAIL_MAX or not _EMAIL.fullmatch(part)]
        if bad:
            values = ", ".join(quote(part) for part in bad[:3])
            ctx.add("email.format", "email_notification_address", values=values)

    if is_filled(ctx.get("sms_template")) and ctx.get("sms_enabled") is False:
        ctx.add("sms.template_but_disabled", "sms_template")
    sms_outcomes = entries(ctx.raw, "after_call_sms_outcomes")
    has_sms_prompt = is_filled(ctx.get("after_call_sms_prompt"))
    if has_sms_prompt and not sms_outcomes:
        ctx.add("sms.after_call_no_outcomes", "after_call_sms_outcomes")
    elif sms_outcomes and not has_sms_prompt:
        ctx.add("sms.after_call_no_prompt", "after_call_sms_prompt")
    if not is_filled(ctx.get("voicemail_message")) and is_filled(ctx.get("voicemail_sms_prompt")):
        ctx.add("voicemail.no_message_but_sms", "voicemail_message")
