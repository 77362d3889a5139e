"""``POST /call/search`` as the fake Revox answers it: one semantics for the demo and every test.

As strict as the SDK's types: every required array sent, holding strings, each enum array only its
enum's values; ``page`` and ``page_size`` integers. What Revox documents nowhere (the number of the
first page, the largest page, the ``sort_by`` values it accepts) is settable (``SearchRules``).

What a search looks at in each call is read once per account (``CallIndex``), so a page of a search
over thousands of calls costs one pass over tuples, not a reading of every call.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from revox_mcp.api.search import REQUIRED_ARRAYS, SORT_BY

Json = Mapping[str, Any]

# The values each enum array takes (SDK 0.5.0's literals): any other is refused. The fake's own model
# of Revox: the domain's filter vocabulary (domain.call_fields.FILTERS) offers exactly these, which
# tests/api/test_fake.py checks rather than share a constant across layers that must not import each other.
ENUM_ARRAYS: Mapping[str, frozenset[str]] = {
    "directions": frozenset({"inbound", "outbound"}),
    "outcomes": frozenset({"not_interested", "interested", "completed", "requested_callback_later", "none"}),
    "results": frozenset({"IVR", "voicemail", "human", "unknown", "ios-screening-filter", "none"}),
    "statuses": frozenset(
        {
            "initializing",
            "queued_for_calling",
            "calling",
            "post_processing",
            "not_launched",
            "scheduled",
            "paused",
            "completed",
            "cancelled",
            "errored",
        }
    ),
}


@dataclass(frozen=True)
class SearchRules:
    """What Revox does not document, settable: the number of its first page; the largest page it
    sends (a bigger ``page_size`` is cut to it, silently, as a capped API would); the ``sort_by``
    values it accepts (another one is refused with 422)."""

    page_base: int = 0
    max_page_size: int = 100
    sortable: frozenset[str] = field(default_factory=lambda: frozenset({SORT_BY}))


def search(index: CallIndex, bodies: Sequence[bytes], raw: bytes, rules: SearchRules) -> tuple[int, bytes]:
    """The status and body Revox would answer to this request body, over calls indexed by ``index``
    whose JSON bodies are ``bodies``."""
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        return 400, b'{"error":"invalid JSON"}'
    problem = _problem(body, rules)
    if problem is not None:
        return 422, json.dumps({"error": problem}, separators=(",", ":")).encode()
    found = index.find(body)
    size = min(body["page_size"], rules.max_page_size)
    start = (body["page"] - rules.page_base) * size
    chosen = b",".join(bodies[position] for position in found[start : start + size])
    return 200, b'{"calls":[' + chosen + b'],"total_count":' + str(len(found)).encode() + b"}"


@dataclass(frozen=True)
class CallIndex:
    """What a search looks at in each call, read once per account (a search then costs one pass over
    what was read): the value each required array is matched against, the id, the number called, the
    free text; and the calls' positions by creation time, oldest and newest first (ties: the account's
    order, both ways, as a stable sort gives)."""

    values: tuple[Mapping[str, Any], ...]
    ids: tuple[Any, ...]
    callees: tuple[Any, ...]
    texts: tuple[str, ...]
    oldest_first: tuple[int, ...]
    newest_first: tuple[int, ...]

    @classmethod
    def of(cls, calls: Sequence[Json]) -> CallIndex:
        created = [str(call.get("created_at")) for call in calls]
        return cls(
            values=tuple(_filtered_values(call) for call in calls),
            ids=tuple(call.get("id") for call in calls),
            callees=tuple(call.get("to_phone_number") for call in calls),
            texts=tuple(_searched_text(call) for call in calls),
            oldest_first=tuple(sorted(range(len(calls)), key=created.__getitem__)),
            newest_first=tuple(sorted(range(len(calls)), key=created.__getitem__, reverse=True)),
        )

    def find(self, body: Mapping[str, Any]) -> list[int]:
        """The positions of the calls a valid search body finds, in the order it asks for (no ``sort_by``:
        the account's own order). An empty array filters nothing."""
        order: Sequence[int] = range(len(self.ids))
        if body.get("sort_by") is not None:
            order = self.newest_first if body.get("sort_direction") == "desc" else self.oldest_first
        wanted = [(name, body[name]) for name in REQUIRED_ARRAYS if body[name]]
        if wanted:
            order = [i for i in order if all(self.values[i][name] in allowed for name, allowed in wanted)]
        if body.get("call_ids"):
            order = [i for i in order if self.ids[i] in body["call_ids"]]
        if body.get("to_phone_number"):
            order = [i for i in order if self.callees[i] == body["to_phone_number"]]
        text = str(body.get("query") or "").casefold()
        if text:
            order = [i for i in order if text in self.texts[i]]
        return list(order)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _problem(body: Any, rules: SearchRules) -> str | None:
    """Why the SDK's types would refuse this body (None: they accept it)."""
    if not isinstance(body, dict):
        return "expected an object"
    for name in REQUIRED_ARRAYS:
        if not _strings(body.get(name)):
            return f"{name} must be an array of strings"
        valid = ENUM_ARRAYS.get(name)
        if valid is not None and any(value not in valid for value in body[name]):
            return f"invalid value in {name}"
    page, size = body.get("page"), body.get("page_size")
    if type(page) is not int or type(size) is not int or page < rules.page_base or size < 1:
        return "invalid page or page_size"
    if "call_ids" in body and not _strings(body["call_ids"]):
        return "call_ids must be an array of strings"
    for name in ("query", "to_phone_number"):
        if name in body and not isinstance(body[name], str):
            return f"{name} must be a string"
    if body.get("sort_by") is not None and body["sort_by"] not in rules.sortable:
        return "invalid sort_by"
    if "sort_direction" in body and body["sort_direction"] not in ("asc", "desc"):
        return "invalid sort_direction"
    return None


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, Mapping) else None


def _filtered_values(call: Json) -> dict[str, Any]:
    """The value of a call each required array is matched against (no outcome or result: "none")."""
    last = last_attempt(call) or {}
    return {
        # An assignee is a member: the filter names members by id, like assistants and campaigns.
        "assignee_ids": _id_of(call.get("assignee")),
        "assistant_ids": _id_of(call.get("assistant")),
        "campaign_ids": _id_of(call.get("campaign")),
        "directions": call.get("direction"),
        "from_phone_numbers": call.get("from_phone_number"),
        "outcomes": call.get("outcome") or "none",
        "results": last.get("result") or "none",
        "statuses": call.get("status"),
    }


def _searched_text(call: Json) -> str:
    """What free text is looked for in: the call's id, both its numbers (the caller's and the callee's,
    whichever the direction) and its contact's fields. The SDK says only "query"; these are what a
    person would type to find a call, and the demo and every test answer the same."""
    contact = call.get("contact")
    values = [call.get("id"), call.get("to_phone_number"), call.get("from_phone_number")]
    if isinstance(contact, Mapping):
        values += contact.values()
    return " ".join(str(value) for value in values if value).casefold()


def last_attempt(call: Json) -> Json | None:
    """The attempt a ``results`` filter looks at: the latest, as the server's own reader
    (``domain.call_fields.last_attempt``) defines it, so that filtering by result finds the calls whose
    rows show that result: by start time when every attempt has one (the first listed wins a tie,
    Revox listing newest first), else the first listed; ``last_call_attempt`` when none is listed.

    Restated here, not imported: a fake of Revox must not depend on the client it stands in for
    (tests/api checks that both agree on every fixture and demo call).
    """
    listed: Sequence[Any] = call.get("call_attempts") or []
    found = [attempt for attempt in listed if isinstance(attempt, Mapping)] if isinstance(listed, list) else []
    if not found:
        last = call.get("last_call_attempt")
        return last if isinstance(last, Mapping) else None
    starts = [epoch_of(attempt.get("started_at")) for attempt in found]
    if any(start is None for start in starts):
        return found[0]
    known = [start for start in starts if start is not None]
    return found[max(range(len(found)), key=lambda index: (known[index], -index))]


def epoch_of(value: Any) -> float | None:
    """A timestamp as epoch seconds: ISO 8601 text, or a number (seconds, or milliseconds when huge)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return (value / 1000 if abs(value) > 1e11 else float(value)) if math.isfinite(value) else None
    if not isinstance(value, str) or not value or len(value) > 40:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    text = re.sub(r"\.(\d{1,6})\d*", lambda m: "." + m.group(1).ljust(6, "0"), text, count=1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)).timestamp()
