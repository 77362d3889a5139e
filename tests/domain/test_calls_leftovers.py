"""What domain/calls.py still holds until the merge of issue 15: the call-search body and the cleaning
of a search result. The api-fake task moves both (to ``api/`` and ``domain/call_cleaning.py``) with
their own tests; this file is deleted with that module's leftovers."""

from __future__ import annotations

import json

from calls_support import CALLS, REMINDERS_ID

from revox_mcp.domain import calls as C


def test_the_search_body_sends_every_required_array_and_the_filters_in_theirs():
    body = C.search_body({"statuses": ["completed"], "results": ["IVR"]}, query="x", page=2, page_size=10, sort=True)
    assert all(isinstance(body[name], list) for name in C.REQUIRED_ARRAYS)
    assert body["statuses"] == ["completed"]
    assert body["results"] == ["IVR"]
    assert body["outcomes"] == []
    assert (body["page"], body["page_size"], body["query"]) == (2, 10, "x")
    assert (body["sort_by"], body["sort_direction"]) == ("created_at", "desc")
    assert "sort_by" not in C.search_body({}, query=None, page=0, page_size=1, sort=False)


def test_a_search_result_is_slimmed_and_a_recording_url_keeps_only_its_host():
    raw = json.loads(json.dumps(CALLS[0]))
    C.harden(raw)
    C.slim(raw)
    assert raw["assistant"] == {"id": REMINDERS_ID, "name": "Appointment Reminders (misconfigured)"}
    first = raw["call_attempts"][0]
    assert first["recording_url"] == "https://rec.revox.example/[REDACTED]"
    assert all("llm_system_prompt" not in event for event in first["speech_events"])
