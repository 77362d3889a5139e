"""list_calls, get_call and analyze_calls over the loopback fake Revox and the in-process one.

The page base, the page-size cap and sort_by are undocumented: the fake is set to each possible
behaviour and the answers must stay right (no call skipped or repeated, the verdict remembered).
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
import support
from answers_support import assert_stopped_by_size, unshown_fields
from calls_support import (
    CALL_FIXTURES,
    CALLS,
    PII_CALL,
    REMINDERS_ID,
    TWO_ATTEMPTS_CALL,
    attempt,
    call,
    server_with_calls,
)
from fake_revox import FakeRevox, Fault
from mcp import Client
from support import API_KEY, FRENCH_ID, assert_ok, text_of, wire_bytes

from revox_mcp.api.demo import demo_account, demo_assistants, demo_transport
from revox_mcp.domain import budget
from revox_mcp.domain.facts import campaigns_of
from revox_mcp.service.call_analysis import ANALYSIS_BUDGET

pytestmark = pytest.mark.anyio

# --------------------------------------------------------------------------- list_calls over the fake


def server_over_fake(fake: FakeRevox, **options: Any):
    return support.make_server(base_url=fake.base_url, timeout=5.0, **options)


def searches(fake: FakeRevox) -> list[dict[str, Any]]:
    return [r.json() for r in fake.requests if r.path == "/call/search"]


async def page_through(client: Client, **arguments: Any) -> list[str]:
    ids: list[str] = []
    cursor = None
    for _ in range(50):
        result = await client.call_tool("list_calls", {**arguments, **({"cursor": cursor} if cursor else {})})
        assert_ok(result)
        assert result.structured_content is not None
        ids += [row["id"] for row in result.structured_content["calls"]]
        cursor = result.structured_content.get("next_cursor")
        if cursor is None:
            return ids
    raise AssertionError("no last page")


async def test_list_calls_sends_every_array_and_filters_land_in_the_right_arrays(fake: FakeRevox):
    async with Client(server_over_fake(fake)) as client:
        result = await client.call_tool(
            "list_calls",
            {"assistant_id": REMINDERS_ID, "status": "completed", "result": "voicemail", "direction": "outbound"},
        )
    assert_ok(result)
    [body] = searches(fake)
    assert body["assistant_ids"] == [REMINDERS_ID]
    assert (body["statuses"], body["results"], body["directions"], body["outcomes"]) == (
        ["completed"],
        ["voicemail"],
        ["outbound"],
        [],
    )
    assert result.structured_content is not None
    assert [row["id"] for row in result.structured_content["calls"]] == [CALLS[1]["id"]]


async def test_a_page_of_calls_is_compact_rows_with_the_total_revox_counts(fake: FakeRevox):
    async with Client(server_over_fake(fake)) as client:
        result = await client.call_tool("list_calls", {"limit": 3})
    assert_ok(result)
    assert result.structured_content is not None
    assert result.structured_content["total"] == len(CALLS)
    rows = text_of(result).splitlines()[2:5]
    assert all(len(line.encode()) < 300 for line in rows)
    assert "newest first" in text_of(result)


@pytest.mark.parametrize("base", [0, 1])
async def test_paging_visits_every_call_once_whatever_the_page_base(base: int):
    calls = FakeRevox.make_calls(23)
    with FakeRevox(api_key=API_KEY, calls=calls, page_base=base) as fake:
        async with Client(server_over_fake(fake)) as client:
            ids = await page_through(client, limit=5)
            before = len(searches(fake))
            await client.call_tool("list_calls", {"limit": 4})
        bodies = searches(fake)
    assert ids == [c["id"] for c in calls]  # newest first, none skipped or repeated
    if base == 1:
        assert bodies[0]["page"] == 0
        assert bodies[1]["page"] == 1
    assert len(bodies) - before == 1  # the verdict is remembered: one request per page from then on
    assert {b["page"] for b in bodies[before:]} == {base}


async def test_a_page_size_cap_never_skips_calls():
    calls = FakeRevox.make_calls(23)
    with FakeRevox(api_key=API_KEY, calls=calls, max_page_size=7) as fake:
        async with Client(server_over_fake(fake)) as client:
            ids = await page_through(client, limit=10)
    assert ids == [c["id"] for c in calls]


async def test_a_refused_sort_by_is_dropped_and_the_answer_says_the_order_is_revoxs():
    calls = FakeRevox.make_calls(5)
    with FakeRevox(api_key=API_KEY, calls=calls, sortable=frozenset()) as fake:
        async with Client(server_over_fake(fake)) as client:
            result = await client.call_tool("list_calls", {})
            again = await client.call_tool("list_calls", {"limit": 2})
        bodies = searches(fake)
    assert_ok(result)
    assert result.structured_content is not None
    assert "sort_by" in result.structured_content["order"]
    assert "as Revox returned it" in text_of(result)
    assert "sort_by" not in bodies[-1]
    assert_ok(again)
    assert len(bodies) == 1 + 2 + 1  # page 0 sorted, page 1 sorted, page 0 unsorted; then one


async def test_a_cursor_belongs_to_its_filters(fake: FakeRevox):
    async with Client(server_over_fake(fake)) as client:
        first = await client.call_tool("list_calls", {"limit": 2})
        assert first.structured_content is not None
        cursor = first.structured_content["next_cursor"]
        other = await client.call_tool("list_calls", {"limit": 2, "cursor": cursor, "status": "errored"})
        forged = await client.call_tool("list_calls", {"cursor": "bm90IGEgY3Vyc29y"})
    assert other.is_error is True
    assert "different query or filters" in text_of(other)
    assert forged.is_error is True
    assert "without a cursor" in text_of(forged)


async def test_searches_are_cached_for_seconds_and_identical_calls_share_one_request(fake: FakeRevox):
    clock = support.FakeClock()
    async with Client(server_over_fake(fake, clock=clock)) as client:
        await client.call_tool("list_calls", {})
        await client.call_tool("list_calls", {})
        clock.advance(11)
        await client.call_tool("list_calls", {})
    assert len(searches(fake)) == 2


async def test_finished_calls_are_cached_for_minutes_running_ones_for_seconds():
    finished = call("c-done", attempt(), status="completed")
    running = call("c-live", attempt(), status="calling")
    with FakeRevox(api_key=API_KEY, calls=[finished, running]) as fake:
        clock = support.FakeClock()
        async with Client(server_over_fake(fake, clock=clock)) as client:
            for _ in range(2):
                for ident in ("c-done", "c-live"):
                    assert_ok(await client.call_tool("get_call", {"call_id": ident}))
                clock.advance(60)
        gets = [r.path for r in fake.requests if r.path.startswith("/call/c-")]
    assert gets.count("/call/c-done") == 1
    assert gets.count("/call/c-live") == 2


# --------------------------------------------------------------------------- get_call


async def test_get_call_details_summary_transcript_and_full():
    async with Client(server_with_calls()) as client:
        summary = await client.call_tool("get_call", {"call_id": TWO_ATTEMPTS_CALL})
        transcript = await client.call_tool("get_call", {"call_id": PII_CALL, "detail": "transcript"})
        first = await client.call_tool("get_call", {"call_id": TWO_ATTEMPTS_CALL, "detail": "transcript", "attempt": 1})
        full = await client.call_tool("get_call", {"call_id": PII_CALL, "detail": "full"})
        prompts = await client.call_tool("get_call", {"call_id": PII_CALL, "fields": ["llm_system_prompt"]})
        sms = await client.call_tool("get_call", {"call_id": PII_CALL, "fields": ["sms_log", "outcome"]})
    for result in (summary, transcript, first, full, prompts, sms):
        assert_ok(result)
    assert summary.structured_content is not None
    assert [a["n"] for a in summary.structured_content["summary"]["attempts"]] == [1, 2]
    assert "#1" in text_of(summary)
    assert "no_answer" in text_of(summary)
    assert transcript.structured_content is not None
    assert transcript.structured_content["turns"][0]["role"] == "user"
    assert transcript.structured_content["turns"][4]["tool"] == "Book-Slot"
    assert transcript.structured_content["turns"][4]["error"] is True
    assert first.structured_content is not None
    assert first.structured_content["attempt"] == 1
    assert first.structured_content["turns"] == []
    assert full.structured_content is not None
    events = full.structured_content["call"]["call_attempts"][0]["speech_events"]
    assert events[1]["llm_system_prompt"].endswith("characters]")  # left out unless asked for
    assert prompts.structured_content is not None
    assert "Remind" in prompts.structured_content["call"]["llm_system_prompt"][0]["prompt"]
    assert sms.structured_content is not None
    assert set(sms.structured_content["call"]) == {"attempt", "sms_log", "outcome"}


async def test_get_call_unknown_id_and_field_are_clear_errors():
    async with Client(server_with_calls()) as client:
        missing = await client.call_tool("get_call", {"call_id": "no-such-call"})
        field = await client.call_tool("get_call", {"call_id": PII_CALL, "fields": ["nope"]})
        offset = await client.call_tool("get_call", {"call_id": PII_CALL, "offset": 3})
    assert missing.is_error is True
    assert "list_calls" in text_of(missing)
    assert field.is_error is True
    assert "sms_log" in text_of(field)
    assert offset.is_error is True
    assert "transcript" in text_of(offset)


async def test_get_call_answers_a_documented_field_the_call_lacks_as_null():
    """SDK 0.5.0's optional keys (outcome, scheduled_at, an attempt's end_reason...) may be absent from a call."""
    lean = {k: v for k, v in call("lean-call", attempt()).items() if k != "outcome"}
    async with Client(server_with_calls([lean])) as client:
        result = await client.call_tool("get_call", {"call_id": "lean-call", "fields": ["outcome", "scheduled_at"]})
    assert_ok(result)
    assert result.structured_content is not None
    assert result.structured_content["call"] == {"outcome": None, "scheduled_at": None}
    assert "outcome: null" in text_of(result)


async def test_a_long_transcript_comes_in_turns_continued_with_offset():
    [big] = FakeRevox.make_calls(1, turns=400, turn_chars=300)
    async with Client(server_with_calls([big])) as client:
        first = await client.call_tool("get_call", {"call_id": big["id"], "detail": "transcript"})
        assert first.structured_content is not None
        offset = first.structured_content["next_offset"]
        second = await client.call_tool("get_call", {"call_id": big["id"], "detail": "transcript", "offset": offset})
    assert_ok(first)
    assert_ok(second)
    assert second.structured_content is not None
    assert 0 < offset < 400
    assert second.structured_content["turns"][0]["text"].startswith(f"Turn {offset}.")
    assert f"offset={offset}" in text_of(first)


async def test_a_short_last_page_is_not_taken_for_a_page_size_cap():
    calls = FakeRevox.make_calls(23)
    with FakeRevox(api_key=API_KEY, calls=calls) as fake:
        async with Client(server_over_fake(fake)) as client:
            assert await page_through(client, limit=10) == [c["id"] for c in calls]
            await client.call_tool("list_calls", {"limit": 10, "direction": "outbound"})
        sizes = [body["page_size"] for body in searches(fake)]
    assert sizes == [10, 10, 10, 10]  # the last page had 3 calls: no cap assumed for the next search


async def test_analyze_calls_reads_the_calls_asked_in_pages_of_the_size_revox_caps_them_to():
    calls = FakeRevox.make_calls(150)
    with FakeRevox(api_key=API_KEY, calls=calls, max_page_size=40) as fake:
        async with Client(server_over_fake(fake)) as client:
            result = await client.call_tool("analyze_calls", {"assistant_id": REMINDERS_ID, "last": 100})
        bodies = searches(fake)
    assert_ok(result)
    assert result.structured_content is not None
    assert result.structured_content["calls"] == 100
    assert [(body["page"], body["page_size"]) for body in bodies] == [(0, 100), (1, 40), (2, 40)]


async def test_identical_concurrent_searches_share_one_request(fake: FakeRevox):
    fake.inject(Fault.slow(0.5), path="/call/search")
    results: list[Any] = []
    async with Client(server_over_fake(fake)) as client:
        await client.call_tool("revox_status", {})  # connected before the burst

        async def one() -> None:
            results.append(await client.call_tool("list_calls", {"status": "completed"}))

        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(one)
    assert all(not r.is_error for r in results)
    assert len(searches(fake)) == 1


# --------------------------------------------------------------------------- budgets, said honestly


def demo() -> Any:
    return support.make_server(transport=demo_transport(), demo=True)


async def test_a_page_of_calls_the_size_budget_stopped_says_so_in_text_and_structured_content():
    """list_calls limit=100 on the demo returned 52 rows and a cursor without saying why."""
    async with Client(demo()) as client:
        full = await client.call_tool("list_calls", {"limit": 100})
        short = await client.call_tool("list_calls", {"limit": 5})
    assert wire_bytes(full) <= budget.MAX_RESPONSE_BYTES
    assert_stopped_by_size(full, short, "calls", "the answer's 32,000 bytes (structured content and text together")


async def test_an_analysis_says_what_its_budget_counts_and_its_number_is_true():
    """analyze_calls said "cut to fit 8 kB" over a 3.3 KB text: the budget is the whole answer."""
    async with Client(demo()) as client:
        result = await client.call_tool("analyze_calls", {"assistant_id": REMINDERS_ID})
    assert_ok(result)
    assert wire_bytes(result) <= ANALYSIS_BUDGET
    text = text_of(result)
    note = next(line for line in text.splitlines() if line.startswith("Cut to fit"))
    assert note.startswith(
        f"Cut to fit the answer's {ANALYSIS_BUDGET:,} bytes (structured content and text together, as sent): "
    )
    assert result.structured_content is not None
    assert note in result.structured_content["notes"]
    left_out = int(note.split(" more findings left out")[0].rsplit(" ", 1)[1])
    assert len(result.structured_content["findings"]) + left_out == int(text.split("Findings (")[1].split(";")[0])


async def test_an_analysis_that_fits_says_nothing_was_cut():
    async with Client(demo()) as client:
        result = await client.call_tool("analyze_calls", {"assistant_id": FRENCH_ID})
    assert_ok(result)
    assert "Cut to fit" not in text_of(result)
    assert "cut" not in " ".join((result.structured_content or {}).get("notes", []))


async def test_every_field_an_analysis_names_is_shown_with_its_value_on_the_demo():
    """End to end, over every demo assistant: each change names only fields the answer shows."""
    assistants, _listed = demo_assistants()
    campaigns = demo_account()["campaigns"]
    checked = 0
    async with Client(demo()) as client:
        for assistant in assistants:
            result = await client.call_tool("analyze_calls", {"assistant_id": assistant["id"]})
            assert_ok(result)
            assert result.structured_content is not None
            for finding in result.structured_content["findings"]:
                missing = unshown_fields(
                    finding["change"],
                    finding["field"],
                    finding.get("related"),
                    text_of(result),
                    assistant,
                    base_shown=True,
                    campaigns=campaigns_of(assistant["id"], campaigns),
                )
                assert missing == [], finding
                checked += 1
    assert checked >= 10


def refused_calls() -> list[dict[str, Any]]:
    """Calls of the reminders assistant refused for too many simultaneous calls, and fine ones."""
    refused = [attempt(result=None, seconds=None, dial_error="too_many_calls", start=i) for i in range(4)]
    made = [call(f"tm{i}", a) for i, a in enumerate(refused)] + [call(f"ok{i}", attempt(start=i)) for i in range(4)]
    return [{**c, "assistant": {"id": REMINDERS_ID}} for c in made]


async def too_many_calls_finding(fake: FakeRevox) -> tuple[Any, dict[str, Any]]:
    """analyze_calls over the fake, and its calls.dial_too_many finding."""
    async with Client(server_over_fake(fake)) as client:
        result = await client.call_tool("analyze_calls", {"assistant_id": REMINDERS_ID})
    assert_ok(result)
    assert result.structured_content is not None
    [finding] = [f for f in result.structured_content["findings"] if f["rule"] == "calls.dial_too_many"]
    return result, finding


async def test_a_finding_naming_a_campaign_field_reads_the_campaigns_once_and_shows_the_value(fake: FakeRevox):
    campaigns = [{**CALL_FIXTURES["campaigns"][0], "max_concurrent_calls": 8}]
    fake.set_account(refused_calls(), campaigns=campaigns)
    result, finding = await too_many_calls_finding(fake)
    assert finding["related"] == {"campaigns[name=February reminders].max_concurrent_calls": "8"}
    assert "campaigns[name=February reminders].max_concurrent_calls = 8" in text_of(result)
    assert [r.path for r in fake.requests].count("/campaigns") == 1


async def test_an_analysis_naming_no_campaign_field_does_not_read_the_campaigns(fake: FakeRevox):
    fake.set_account([{**c, "assistant": {"id": REMINDERS_ID}} for c in refused_calls() if c["id"].startswith("ok")])
    async with Client(server_over_fake(fake)) as client:
        assert_ok(await client.call_tool("analyze_calls", {"assistant_id": REMINDERS_ID}))
    assert "/campaigns" not in [r.path for r in fake.requests]


async def test_campaigns_that_cannot_be_read_are_said_so_in_the_finding_and_a_note(fake: FakeRevox):
    fake.set_account(refused_calls())
    fake.inject(Fault.status(403), path="/campaigns")
    result, finding = await too_many_calls_finding(fake)
    assert finding["related"] == {"campaigns.max_concurrent_calls": "(campaigns not read)"}
    assert any(note.startswith("campaigns not read") for note in result.structured_content["notes"])
    assert "campaigns.max_concurrent_calls = (campaigns not read)" in text_of(result)
