"""What the call tests share: the calls fixture, its personal data and canaries, servers over it, a call builder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult
from support import ASSISTANTS, LISTED_IDS, server_over, text_of

from revox_mcp.api.fake import Account
from revox_mcp.server.state import AppState

CALL_FIXTURES: dict[str, Any] = json.loads(Path(__file__).with_name("fixtures_calls.json").read_text(encoding="utf-8"))
CALLS: list[dict[str, Any]] = CALL_FIXTURES["calls"]
PII_CALL = CALLS[0]["id"]  # personal data everywhere, a failing tool with secrets, a signed recording URL
TWO_ATTEMPTS_CALL = CALLS[6]["id"]
INJECTION_CALL = CALLS[7]["id"]
SUMMARY_INJECTION_CALL = CALLS[8]["id"]
UNKNOWN_ENUMS_CALL = CALLS[3]["id"]
EPOCH_CALL = CALLS[4]["id"]
REMINDERS_ID = "4d5e4f3a-2b1c-4d0e-9f8a-7b6c5d4e3f65"

# Personal data of the fixture calls: none of these may appear in mask mode.
PERSONAL = (
    "Jeanne",
    "Dupont",
    "jeanne.dupont@example.org",
    "+33612345678",
    "+33 6 12 34 56 78",
    "06 12 34 56 78",
    "612345678",
    "CRM-778899",
    "1984-03-14",
    "Boulangerie",
    "Gérante",
    "Prefers mornings",
    "marc.lefevre",
    "Lefèvre",
    "claire.martin",
    "Robert",
    "Paulson",
    "+14155550166",
)
INJECTION_CANARIES = ("INJECTION-CANARY-7731", "SUMMARY-CANARY-5521", "TOOL-CANARY-3391")


def server_with_calls(calls: list[dict[str, Any]] | None = None, **options: Any) -> MCPServer[AppState]:
    """The server over the fake Revox in process: the fixture assistants and account (or these calls)."""
    served = Account(
        CALLS if calls is None else calls,
        CALL_FIXTURES["phone_numbers"],
        CALL_FIXTURES["voices"],
        CALL_FIXTURES["campaigns"],
    )
    return server_over(ASSISTANTS, LISTED_IDS, account=served, **options)


def all_output(result: CallToolResult) -> str:
    """The text and the structured content, as one string to search."""
    return text_of(result) + "\n" + json.dumps(result.structured_content, ensure_ascii=False)


def outside_call_data(text: str) -> str:
    """``text`` without its quoted call-data blocks (what the server itself says)."""
    return re.sub(r'<call_data call_id="[^"]*">.*?</call_data>', "", text, flags=re.DOTALL)


def call(
    ident: str,
    *attempts: dict[str, Any],
    status: str = "completed",
    direction: str = "outbound",
    outcome: str | None = None,
    variables: dict[str, str] | None = None,
    created: str = "2026-02-10T09:00:00.000Z",
) -> dict[str, Any]:
    """A call order as Revox sends it (attempts given oldest first, stored newest first)."""
    return {
        "id": ident,
        "status": status,
        "direction": direction,
        "created_at": created,
        "outcome": outcome,
        "prompt_variables": variables,
        "call_attempts": list(reversed(attempts)),
    }


def attempt(
    *,
    result: str | None = "human",
    seconds: float | None = 60,
    end_reason: str | None = "tool_end_call",
    ended_by: str | None = "agent",
    dial_error: str | None = None,
    turns: list[tuple[str, str]] | None = None,
    tools: list[tuple[str, bool, str]] | None = None,
    events: list[dict[str, Any]] | None = None,
    sms: list[str] | None = None,
    structured: dict[str, Any] | None = None,
    phone: str = "+33612345678",
    start: int = 0,
    human: bool = False,
) -> dict[str, Any]:
    """One attempt: ``turns`` are (role, text); ``tools`` (name, is_error, output) results after them."""
    answered = 1_770_000_000_000 + start * 1000 if seconds is not None else None
    transcript = [{"role": role, "content": content} for role, content in turns or []]
    transcript += [
        {"role": "tool", "content": "", "tool_name": name, "tool_is_error": error, "tool_output": output}
        for name, error, output in tools or []
    ]
    return {
        "id": f"att-{start}",
        "status": "error" if dial_error else "completed",
        "phone_number": phone,
        "started_at": 1_770_000_000_000 + start * 1000 - 5000,
        "answered_at": answered,
        "ended_at": answered + int(seconds * 1000) if answered is not None and seconds is not None else None,
        "result": result,
        "end_reason": end_reason,
        "ended_by": ended_by,
        "dial_error": dial_error,
        "handled_by_human": human,
        "transcript": transcript,
        "speech_events": events or [],
        "sms_log": [{"type": kind, "to_phone_number": phone, "message_body": "hi"} for kind in sms or []],
        "structured_output": structured,
    }
