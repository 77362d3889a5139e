"""The built-in demo served by ``--demo``: the demo data, as one organisation of the fake Revox.

The demo goes through the real code path (client, cache, ingest, services): only the transport is
fake (``api.fake``). Every secret in the data contains FAKE. Besides the assistants it serves an
account around them (``data/demo_calls.json``, written by ``scripts/make_demo_calls.py``): calls
with the patterns ``analyze_calls`` finds, phone numbers, voices and campaigns. The file stores
each embedded assistant by id; it is served as Revox sends it, the demo assistant itself (secrets
included) in its place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

import httpx

from revox_mcp.api.fake import Account, FakeApi, Organisation
from revox_mcp.api.fake.transport import fake_transport
from revox_mcp.settings import DEMO_API_KEY, DEMO_BASE_URL

__all__ = ["DEMO_API_KEY", "DEMO_BASE_URL", "demo_account", "demo_assistants", "demo_organisation", "demo_transport"]

Json = dict[str, Any]


def _read(name: str) -> Any:
    return json.loads(resources.files("revox_mcp").joinpath(f"data/{name}").read_text(encoding="utf-8"))


def demo_assistants() -> tuple[list[Json], set[str]]:
    """All sample assistants, and the ids that ``GET /assistants`` lists (sub-assistants are hidden)."""
    data = _read("demo_assistants.json")
    return list(data["assistants"]), set(data["listed"])


def demo_account() -> Json:
    """The demo account around the assistants, as stored: calls, phone numbers, voices, campaigns."""
    data: Json = _read("demo_calls.json")
    return data


def demo_organisation() -> Organisation:
    """The demo organisation: its account is read from disk when first asked for."""
    assistants, listed = demo_assistants()
    by_id = {str(a["id"]): a for a in assistants}
    return Organisation(assistants, listed, lambda: served_account(demo_account(), by_id))


def demo_transport() -> httpx.MockTransport:
    """The fake Revox in process, serving the demo organisation to the demo key."""
    return fake_transport(FakeApi({DEMO_API_KEY: demo_organisation()}))


def served_account(stored: Mapping[str, Any], by_id: Mapping[str, Json]) -> Account:
    """The stored account as Revox sends it: each assistant stored by id embedded whole."""
    return Account(
        calls=[_served_call(call, by_id) for call in stored.get("calls", [])],
        phone_numbers=[_embedded(n, "inbound_assistant", by_id) for n in stored.get("phone_numbers", [])],
        voices=list(stored.get("voices", [])),
        campaigns=[_embedded(c, "assistant", by_id) for c in stored.get("campaigns", [])],
    )


def _embedded(obj: Mapping[str, Any], key: str, by_id: Mapping[str, Json]) -> Json:
    """A phone number (``inbound_assistant_id``) or campaign (``embed_assistant``) with its assistant embedded."""
    out = {k: v for k, v in obj.items() if k not in ("inbound_assistant_id", "embed_assistant")}
    wanted = obj.get("inbound_assistant_id") if key == "inbound_assistant" else obj.get("assistant_id")
    embed = key == "inbound_assistant" or obj.get("embed_assistant") is True
    out[key] = by_id.get(str(wanted)) if embed and wanted else None
    return out


def _served_call(call: Mapping[str, Any], by_id: Mapping[str, Json]) -> Json:
    """A stored call as Revox sends it: the whole assistant and its llm_model, the last attempt, per-turn prompts."""
    out = {k: v for k, v in call.items() if k != "assistant_id"}
    assistant = by_id.get(str(call.get("assistant_id")))
    out["assistant"] = assistant
    out["llm_model"] = assistant.get("llm_model") if assistant else None
    attempts = [_with_prompts(a, assistant) for a in call.get("call_attempts", [])]
    out["call_attempts"] = attempts
    out["last_call_attempt"] = attempts[0] if attempts else None  # Revox lists attempts newest first
    return out


def _with_prompts(attempt: Mapping[str, Any], assistant: Mapping[str, Any] | None) -> Json:
    """Agent speech events carry the whole prompt and history the LLM got (``llm_system_prompt``)."""
    out = dict(attempt)
    history: list[dict[str, str]] = [{"role": "system", "content": str((assistant or {}).get("prompt", ""))}]
    events = []
    for event in attempt.get("speech_events") or []:
        event = dict(event)
        if event.get("speaker") == "agent":
            event["llm_system_prompt"] = json.dumps(history, ensure_ascii=False)
        history.append(
            {
                "role": "assistant" if event.get("speaker") == "agent" else "user",
                "content": str(event.get("transcript", "")),
            }
        )
        events.append(event)
    out["speech_events"] = events
    return out
