"""The built-in demo served by ``--demo``: the demo data, as one organisation of the fake Revox.

The demo goes through the real code path (client, cache, ingest, services): only the transport is
fake (``api.fake``). Every secret in the data contains FAKE. Besides the assistants it serves an
account around them (``data/demo_calls.json``, written by ``scripts/make_demo_calls.py``): calls
with the patterns ``analyze_calls`` finds, phone numbers, voices and campaigns, and the earlier
versions of the assistants that have a history (Trial Follow-up: a prompt edit that made its calls
worse, a model switch that made them slower). The file stores each embedded assistant by id; a call
is served as Revox sends it, with the version of its assistant in use when it was made (secrets
included), and each agent turn with the prompt and the model of that version.

The demo's data is dated February 2026: ``DEMO_NOW`` is its present, from which relative periods
("the last 14 days") count back in demo mode. ``demo_versions`` are the versions of its assistants
as if the server had observed each when it was made, to seed the demo's (in-memory) history.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from typing import Any

import httpx

from revox_mcp.api.fake import Account, FakeApi, Organisation
from revox_mcp.api.fake.account import Served
from revox_mcp.api.fake.search import epoch_of
from revox_mcp.api.fake.transport import fake_transport
from revox_mcp.api.fake.versions import Versions
from revox_mcp.settings import DEMO_API_KEY, DEMO_BASE_URL, DEMO_NOW

__all__ = [
    "DEMO_API_KEY",
    "DEMO_BASE_URL",
    "DEMO_NOW",
    "DemoVersion",
    "demo_account",
    "demo_assistants",
    "demo_organisation",
    "demo_transport",
    "demo_versions",
]

Json = dict[str, Any]


@dataclass(frozen=True)
class DemoVersion:
    """One version of a demo assistant, as if the server had observed it when it was made.

    ``config`` is the whole assistant as Revox sends it, secrets included: it must go through ingest
    (cleaned, redacted) before anything stores or shows it, like every other answer from Revox.
    """

    assistant_id: str
    at: datetime  # when it was made: its updated_at (its created_at when updated_at cannot be read)
    config: Mapping[str, Any]


def _read(name: str) -> Any:
    return json.loads(resources.files("revox_mcp").joinpath(f"data/{name}").read_text(encoding="utf-8"))


def demo_assistants() -> tuple[list[Json], set[str]]:
    """All sample assistants as they are now, and the ids that ``GET /assistants`` lists (sub-assistants
    are hidden)."""
    data = _read("demo_assistants.json")
    return list(data["assistants"]), set(data["listed"])


def demo_account() -> Json:
    """The demo account around the assistants, as stored: calls, phone numbers, voices, campaigns, and
    the earlier versions of assistants (``assistant_versions``, read by ``api.fake.versions``)."""
    data: Json = _read("demo_calls.json")
    return data


@functools.cache
def demo_versions() -> tuple[DemoVersion, ...]:
    """Every version of every demo assistant, oldest first (ties by assistant id): the earlier versions
    of those with a history, and each one as it is now. Read once per process (~0.1 s; package data
    never changes): every demo server seeds its history from them, each through its own ingest."""
    assistants, _listed = demo_assistants()
    versions = Versions(assistants, demo_account().get("assistant_versions"))
    found = []
    for assistant in assistants:
        for config in versions.of(str(assistant["id"])):
            seconds = epoch_of(config.get("updated_at"))
            seconds = seconds if seconds is not None else epoch_of(config.get("created_at"))
            if seconds is not None:
                found.append(DemoVersion(str(config["id"]), datetime.fromtimestamp(seconds, timezone.utc), config))
    return tuple(sorted(found, key=lambda version: (version.at, version.assistant_id)))


def demo_organisation() -> Organisation:
    """The demo organisation: its account is read from disk when first asked for, once per process
    (package data never changes; a demo server or a test builds a fresh organisation around it)."""
    assistants, listed = demo_assistants()
    return Organisation(assistants, listed, _demo_served_account, served=_demo_served)


@functools.cache
def _demo_served_account() -> Account:
    assistants, _listed = demo_assistants()
    stored = demo_account()
    return served_account(stored, Versions(assistants, stored.get("assistant_versions")))


@functools.cache
def _demo_served() -> Served:
    """The demo account's bodies, serialised once per process (~0.2 s; read only by the fake)."""
    return Served.of(_demo_served_account())


def demo_transport() -> httpx.MockTransport:
    """The fake Revox in process, serving the demo organisation to the demo key."""
    return fake_transport(FakeApi({DEMO_API_KEY: demo_organisation()}))


def served_account(stored: Mapping[str, Any], versions: Versions) -> Account:
    """The stored account as Revox sends it: each assistant stored by id embedded whole (in a call, the
    version in use when the call was made; elsewhere, as it is now)."""
    now = versions.current()
    return Account(
        calls=[_served_call(call, versions) for call in stored.get("calls", [])],
        phone_numbers=[_embedded(n, "inbound_assistant", now) for n in stored.get("phone_numbers", [])],
        voices=list(stored.get("voices", [])),
        campaigns=[_embedded(c, "assistant", now) for c in stored.get("campaigns", [])],
    )


def _embedded(obj: Mapping[str, Any], key: str, by_id: Mapping[str, Mapping[str, Any]]) -> Json:
    """A phone number (``inbound_assistant_id``) or campaign (``embed_assistant``) with its assistant embedded."""
    out = {k: v for k, v in obj.items() if k not in ("inbound_assistant_id", "embed_assistant")}
    wanted = obj.get("inbound_assistant_id") if key == "inbound_assistant" else obj.get("assistant_id")
    embed = key == "inbound_assistant" or obj.get("embed_assistant") is True
    out[key] = by_id.get(str(wanted)) if embed and wanted else None
    return out


def _served_call(call: Mapping[str, Any], versions: Versions) -> Json:
    """A stored call as Revox sends it: its assistant as it was then and its llm_model, the last attempt,
    per-turn prompts and models."""
    out = {k: v for k, v in call.items() if k != "assistant_id"}
    assistant = versions.at(call.get("assistant_id"), call.get("created_at"))
    out["assistant"] = assistant
    out["llm_model"] = assistant.get("llm_model") if assistant else None
    attempts = [_with_prompts(a, assistant) for a in call.get("call_attempts", [])]
    out["call_attempts"] = attempts
    out["last_call_attempt"] = attempts[0] if attempts else None  # Revox lists attempts newest first
    return out


def _model_name(llm_model: Any) -> str | None:
    """The name of the model an ``llm_model`` answers with (what a turn's ``llm_winner_model`` says)."""
    if not isinstance(llm_model, Mapping):
        return None
    key = {"openrouter": "openrouter_model_id", "custom": "model_name", "realtime": "realtime_model_id"}
    name = llm_model.get(key.get(str(llm_model.get("type")), "name"))
    return name if isinstance(name, str) else None


def _with_prompts(attempt: Mapping[str, Any], assistant: Mapping[str, Any] | None) -> Json:
    """Agent speech events carry the whole prompt and history the LLM got (``llm_system_prompt``) and
    the model that answered (``llm_winner_model``)."""
    out = dict(attempt)
    history: list[dict[str, str]] = [{"role": "system", "content": str((assistant or {}).get("prompt", ""))}]
    winner = _model_name((assistant or {}).get("llm_model"))
    events = []
    for event in attempt.get("speech_events") or []:
        event = dict(event)
        if event.get("speaker") == "agent":
            event["llm_system_prompt"] = json.dumps(history, ensure_ascii=False)
            if winner is not None:
                event["llm_winner_model"] = winner
        history.append(
            {
                "role": "assistant" if event.get("speaker") == "agent" else "user",
                "content": str(event.get("transcript", "")),
            }
        )
        events.append(event)
    out["speech_events"] = events
    return out
