"""The built-in demo data served by ``--demo``, through an in-process fake of the Revox API.

The demo goes through the real code path (client, cache, ingest, services): only the transport is
fake. Every secret in the data contains FAKE. Besides the assistants it serves an account around
them (``data/demo_calls.json``): calls with the patterns ``analyze_calls`` finds, phone numbers,
voices and campaigns; the assistants embedded in calls, numbers and campaigns are the demo
assistants themselves, secrets included, as Revox sends them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any
from urllib.parse import unquote

import httpx

from revox_mcp.domain.calls import REQUIRED_ARRAYS
from revox_mcp.settings import DEMO_API_KEY, DEMO_BASE_URL

__all__ = ["DEMO_API_KEY", "DEMO_BASE_URL", "demo_account", "demo_assistants", "demo_transport"]


def demo_assistants() -> tuple[list[dict[str, Any]], set[str]]:
    """All sample assistants, and the ids that ``GET /assistants`` lists (sub-assistants are hidden)."""
    raw = resources.files("revox_mcp").joinpath("data/demo_assistants.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    return list(data["assistants"]), set(data["listed"])


def demo_account() -> dict[str, Any]:
    """The demo account around the assistants: calls, phone numbers, voices, campaigns (as stored)."""
    raw = resources.files("revox_mcp").joinpath("data/demo_calls.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


# The first page is page 0 (as the removed GET /call); at most this many calls per page.
DEMO_MAX_PAGE_SIZE = 100
_JSON = {"content-type": "application/json"}


class _Account:
    """Calls, numbers, voices and campaigns as Revox would send them, the embedded assistants filled in."""

    def __init__(self, data: Mapping[str, Any], by_id: Mapping[str, dict[str, Any]]) -> None:
        self.calls = [_served_call(call, by_id) for call in data.get("calls", [])]
        self.call_bodies = {str(call["id"]): json.dumps({"call": call}).encode() for call in self.calls}
        self.phone_numbers = json.dumps(
            {"phone_numbers": [_embedded(n, "inbound_assistant", by_id) for n in data.get("phone_numbers", [])]}
        ).encode()
        self.voices = json.dumps({"voices": data.get("voices", [])}).encode()
        self.campaigns = json.dumps(
            {"campaigns": [_embedded(c, "assistant", by_id) for c in data.get("campaigns", [])]}
        ).encode()

    def search(self, body: Any) -> httpx.Response:
        if not isinstance(body, Mapping) or any(not isinstance(body.get(name), list) for name in REQUIRED_ARRAYS):
            return httpx.Response(422, json={"error": "every filter array is required"})
        page, size = body.get("page"), body.get("page_size")
        if not isinstance(page, int) or not isinstance(size, int) or page < 0 or not 1 <= size <= DEMO_MAX_PAGE_SIZE:
            return httpx.Response(422, json={"error": "bad page or page_size"})
        found = [call for call in self.calls if _matches(call, body)]
        if body.get("sort_by") == "created_at":
            found.sort(key=lambda call: str(call.get("created_at")), reverse=body.get("sort_direction") != "asc")
        chosen = found[page * size : (page + 1) * size]
        return httpx.Response(200, json={"calls": chosen, "total_count": len(found)})


def _embedded(obj: Mapping[str, Any], key: str, by_id: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    out = {k: v for k, v in obj.items() if k not in ("inbound_assistant_id", "embed_assistant")}
    wanted = obj.get("inbound_assistant_id") if key == "inbound_assistant" else obj.get("assistant_id")
    embed = key == "inbound_assistant" or obj.get("embed_assistant") is True
    out[key] = by_id.get(str(wanted)) if embed and wanted else None
    return out


def _served_call(call: Mapping[str, Any], by_id: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """A stored call as Revox sends it: the whole assistant and its llm_model, the last attempt, per-turn prompts.

    A call already in wire shape (no stored ``assistant_id``) is served as it is.
    """
    if "assistant_id" not in call:
        return dict(call)
    out = {k: v for k, v in call.items() if k != "assistant_id"}
    assistant = by_id.get(str(call.get("assistant_id")))
    out["assistant"] = assistant
    out["llm_model"] = assistant.get("llm_model") if assistant else None
    attempts = [_with_prompts(a, assistant) for a in call.get("call_attempts", [])]
    out["call_attempts"] = attempts
    out["last_call_attempt"] = attempts[0] if attempts else None
    return out


def _with_prompts(attempt: Mapping[str, Any], assistant: Mapping[str, Any] | None) -> dict[str, Any]:
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


def _matches(call: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    last = call.get("last_call_attempt") or {}
    checks = (
        ("assistant_ids", (call.get("assistant") or {}).get("id")),
        ("campaign_ids", (call.get("campaign") or {}).get("id")),
        ("directions", call.get("direction")),
        ("from_phone_numbers", call.get("from_phone_number")),
        ("outcomes", call.get("outcome") or "none"),
        ("results", last.get("result") or "none"),
        ("statuses", call.get("status")),
    )
    if any(body[name] and value not in body[name] for name, value in checks):
        return False
    if body.get("call_ids") and call.get("id") not in body["call_ids"]:
        return False
    query = str(body.get("query") or "").casefold()
    if query:
        contact = call.get("contact") or {}
        haystack = " ".join(
            str(v)
            for v in (call.get("id"), call.get("to_phone_number"), call.get("from_phone_number"), *contact.values())
            if v
        )
        return query in haystack.casefold()
    return True


def demo_transport(
    assistants: list[dict[str, Any]] | None = None,
    listed_ids: set[str] | None = None,
    account: Mapping[str, Any] | None = None,
) -> httpx.MockTransport:
    """An in-process fake of the Revox API over the demo data (or the assistants given).

    With the demo assistants comes the demo account (calls, phone numbers, voices, campaigns); with
    assistants of one's own, only the ``account`` given, if any (its endpoints answer 404 otherwise).
    """
    with_demo_account = assistants is None and account is None
    if assistants is None:
        assistants, listed_ids = demo_assistants()
    listed = listed_ids if listed_ids is not None else {str(a["id"]) for a in assistants}
    by_id = {str(a["id"]): a for a in assistants}
    listing = json.dumps({"assistants": [a for a in assistants if a["id"] in listed]}).encode()
    built: list[_Account] = []

    def account_served() -> _Account | None:
        """Built on first use: a session that only reads assistants never loads the calls."""
        if not built and (account is not None or with_demo_account):
            built.append(_Account(account if account is not None else demo_account(), by_id))
        return built[0] if built else None

    def handle(request: httpx.Request) -> httpx.Response:
        segments = [unquote(s) for s in request.url.raw_path.decode().split("?")[0].split("/") if s]
        if request.method == "POST":
            served = account_served()
            if served is not None and segments[-2:] == ["call", "search"]:
                try:
                    body = json.loads(request.content or b"null")
                except ValueError:
                    return httpx.Response(400, json={"error": "invalid JSON"})
                return served.search(body)
            return httpx.Response(404, json={"error": "Not found"})
        if segments[-1:] == ["assistants"]:
            return httpx.Response(200, content=listing, headers=_JSON)
        if segments[-1:] == ["auth-status"]:
            return httpx.Response(200, json={"authenticated": True})
        if len(segments) >= 2 and segments[-2] == "assistants" and segments[-1] in by_id:
            return httpx.Response(200, json=by_id[segments[-1]])
        served = account_served() if segments[-1:] != ["auth-status"] else None
        if served is not None:
            if len(segments) >= 2 and segments[-2] == "call" and segments[-1] in served.call_bodies:
                return httpx.Response(200, content=served.call_bodies[segments[-1]], headers=_JSON)
            lists = {"phone-numbers": served.phone_numbers, "voices": served.voices, "campaigns": served.campaigns}
            if segments and segments[-1] in lists:
                return httpx.Response(200, content=lists[segments[-1]], headers=_JSON)
        return httpx.Response(404, json={"error": "Not found"})

    return httpx.MockTransport(handle)
