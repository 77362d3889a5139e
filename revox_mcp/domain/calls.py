"""What is left here until the merge of issue 15: the call-search body and the cleaning of a call.

The ``api`` package takes over the search protocol (``search_body``, ``REQUIRED_ARRAYS``) and
``domain.call_cleaning`` the cleaning (``harden``, ``slim``); this module is then deleted. Enums and
readers live in ``domain.call_fields``, views in ``domain.call_views``, quoting in ``domain.quoting``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

# Still read here by service/data.py (owned by the api-fake task) until the merge.
from revox_mcp.domain.call_fields import FINISHED_STATUSES, enum, validate_call_id
from revox_mcp.domain.facts import JsonObject, child, items
from revox_mcp.domain.text import REDACTED

__all__ = [
    "FINISHED_STATUSES",
    "REQUIRED_ARRAYS",
    "enum",
    "harden",
    "search_body",
    "slim",
    "validate_call_id",
]

# The arrays the SDK marks required: always sent, empty meaning "no filter".
REQUIRED_ARRAYS = (
    "assignee_ids",
    "assistant_ids",
    "campaign_ids",
    "directions",
    "from_phone_numbers",
    "outcomes",
    "results",
    "statuses",
)


def search_body(
    filters: Mapping[str, Sequence[str]], *, query: str | None, page: int, page_size: int, sort: bool
) -> JsonObject:
    """The ``POST /call/search`` body: every required array (empty = no filter), the page, the order."""
    body: JsonObject = {name: list(filters.get(name, ())) for name in REQUIRED_ARRAYS}
    body["page"] = page
    body["page_size"] = page_size
    if query:
        body["query"] = query
    if sort:
        # sort_by's values are undocumented: "created_at" is a guess, dropped if Revox refuses it.
        body["sort_by"] = "created_at"
        body["sort_direction"] = "desc"
    return body


# --- what a call looks like once prepared ----------------------------------------------------------

_SEARCH_KEEP_ASSISTANT = ("id", "name")


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
