"""A call from Revox made fit to keep, once, on arrival. Pure, no I/O.

Four steps, in this order: a search result is slimmed (what no search answer shows is dropped
before anything is spent cleaning it); the call is cleaned like every payload (``ingest``: encodable,
bounded, redacted); hardened (signed recording URLs, credentials generic redaction cannot know);
and, in mask mode, stripped of personal data (``personal.mask_call``). What comes out may go into
any cache: the mode is part of every call cache key.

Before a search result is slimmed, the assistant it embeds (the configuration the call ran with)
is reduced to two fingerprints, kept in the slimmed ``assistant``: one of its prompt template, one
of the rest of its configuration (bookkeeping such as ``updated_at`` left out). They date
configuration changes from the calls alone (``domain.timeline.config``). A fingerprint is a short
hash: it shows nothing of what it hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from revox_mcp.domain.compare import IGNORED
from revox_mcp.domain.facts import JsonObject, child, items
from revox_mcp.domain.ingest import Item, ingest_object
from revox_mcp.domain.personal import Mode, mask_call
from revox_mcp.domain.text import REDACTED

if TYPE_CHECKING:
    from revox_mcp.domain.redaction import Redactor

# What a search result keeps of the assistant embedded in each call (the whole one is get_call's).
_SEARCH_KEEP_ASSISTANT = ("id", "name")
# Where the slimmed assistant keeps the fingerprints of the whole one (set after cleaning: ours, not Revox's).
PROMPT_FINGERPRINT = "prompt_fingerprint"
CONFIG_FINGERPRINT = "config_fingerprint"


def clean_call(raw: Any, redactor: Redactor, personal_mode: Mode, *, search: bool) -> Item | None:
    """One call order as every later reader sees it, or None when it has no usable id.

    ``search``: the call came in a search page, so it is slimmed first. ``raw`` is the caller's own
    parse: slimming edits it in place.
    """
    prints: dict[str, str] = {}
    if search and isinstance(raw, dict):
        prints = fingerprints(child(raw, "assistant"))
        raw = slim(raw)
    item = ingest_object(raw, redactor)
    if item is None:
        return None
    value = harden(item.value)
    if personal_mode == "mask":
        value = mask_call(value)
    assistant = value.get("assistant")
    if not prints or not isinstance(assistant, dict):
        return Item(value, item.digest)
    assistant.update(prints)
    return Item(value, _digest(item.digest, *prints.values()))


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def fingerprints(assistant: Mapping[str, Any] | None) -> dict[str, str]:
    """Short hashes of an embedded assistant's prompt template and of the rest of its configuration
    (bookkeeping left out), as the slimmed assistant keeps them; none for no assistant."""
    if assistant is None:
        return {}
    prompt = assistant.get("prompt")
    rest = {key: value for key, value in assistant.items() if key not in IGNORED and key != "prompt"}
    try:
        config = json.dumps(rest, sort_keys=True, ensure_ascii=True, separators=(",", ":"), default=str)
    except (ValueError, TypeError, RecursionError):  # absurdly deep: no fingerprint rather than a wrong one
        return {}
    found = {CONFIG_FINGERPRINT: "c:" + _digest(config)[:16]}
    if isinstance(prompt, str):
        found[PROMPT_FINGERPRINT] = "p:" + _digest(prompt)[:16]
    return found


def _attempt_objects(call: JsonObject) -> list[JsonObject]:
    found = [attempt for attempt in call.get("call_attempts") or [] if isinstance(attempt, dict)]
    last = call.get("last_call_attempt")
    return [*found, last] if isinstance(last, dict) else found


def harden(call: JsonObject) -> JsonObject:
    """Credentials call payloads carry beyond what generic redaction knows: signed recording URLs.

    A recording URL is a bearer credential whatever its shape (a token may sit in a short path
    segment); its host is all troubleshooting needs, so only that is kept.
    """
    for attempt in _attempt_objects(call):
        url = attempt.get("recording_url")
        if isinstance(url, str) and url:
            attempt["recording_url"] = _recording_host(url)
    return call


def _recording_host(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return REDACTED
    if host and parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{host}/{REDACTED}"
    return REDACTED


def slim(call: JsonObject) -> JsonObject:
    """A search result kept light: the embedded assistant as {id, name}, no per-turn LLM prompts,
    the post-call transcript only when there is a live one. ``GET /call/{id}`` keeps everything."""
    assistant = child(call, "assistant")
    if assistant is not None:
        call["assistant"] = {key: assistant[key] for key in _SEARCH_KEEP_ASSISTANT if key in assistant}
    for attempt in _attempt_objects(call):
        for event in attempt.get("speech_events") or []:
            if isinstance(event, dict):
                event.pop("llm_system_prompt", None)
        if items(attempt, "transcript"):
            attempt.pop("post_call_transcript", None)
    return call
