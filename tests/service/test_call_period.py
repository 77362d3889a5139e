"""Reading a period from Revox, which has no date filter: newest first, stopping at the period's start,
at most four pages at once per key, within a stated cap, from the cache when asked again. The fake
Revox in process counts every request and the most in flight at once (``period_support.Upstream``).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from domain.timeline.planted import START
from mcp import Client
from period_support import ASSISTANT_ID, Upstream, clock_at, period_server, planted
from support import assert_ok, text_of

from revox_mcp.api.fake import SearchRules
from revox_mcp.settings import DEFAULT_PERIOD_CONCURRENCY

pytestmark = pytest.mark.anyio

NOW = START + timedelta(days=14)
MADE, SERVED = planted(7, per_day=60)  # 840 calls over 14 days: 9 pages of 100


def pages(upstream: Upstream) -> list[tuple[int, int]]:
    return [(body["page"], body["page_size"]) for body in upstream.searches()]


async def analyze(client: Client, **arguments: Any) -> Any:
    result = await client.call_tool("analyze_calls", {"assistant_id": ASSISTANT_ID, **arguments})
    assert_ok(result)
    assert result.structured_content is not None
    return result.structured_content


async def test_a_period_is_read_newest_first_down_to_its_start_and_no_further():
    server, upstream = period_server(SERVED, NOW)
    async with Client(server) as client:
        content = await analyze(client, days=3)
    in_period = [c for c in MADE if c.at >= NOW - timedelta(days=3)]
    assert content["calls"] == len(in_period)
    assert content["period"]["complete"] is True
    needed = math.ceil(len(in_period) / 100) + (len(in_period) % 100 == 0)  # the page that reaches past the start
    read = sorted(page for page, _size in pages(upstream))
    # Every page the period needs, and at most one more: how far to read is estimated from the
    # pace of the calls already read, never all nine pages at once.
    assert read[:needed] == list(range(needed))
    assert len(read) <= needed + 1
    assert all(body["sort_by"] == "created_at" and body["sort_direction"] == "desc" for body in upstream.searches())


async def test_pages_are_read_at_most_four_at_once():
    server, upstream = period_server(SERVED, NOW)
    async with Client(server) as client:
        await analyze(client, days=14)
    assert len(pages(upstream)) == 9
    assert upstream.most == DEFAULT_PERIOD_CONCURRENCY == 4


async def test_a_smaller_concurrency_setting_is_honoured():
    server, upstream = period_server(SERVED, NOW, period_concurrency=2)
    async with Client(server) as client:
        await analyze(client, days=14)
    assert upstream.most == 2


async def test_a_period_larger_than_the_cap_is_cut_there_and_says_so():
    server, upstream = period_server(SERVED, NOW, period_max_calls=300)
    async with Client(server) as client:
        content = await analyze(client, days=14)
        assert len(pages(upstream)) == 3
        result = await client.call_tool("list_calls", {"days": 14, "limit": 5})
    assert content["calls"] == 300
    assert content["period"]["complete"] is False
    assert "cap of 300 calls" in content["period"]["note"]
    assert "narrow the period" in content["period"]["note"]
    assert result.structured_content is not None
    assert result.structured_content["period"]["complete"] is False
    assert "cap of 300 calls" in text_of(result)


async def test_revox_refusing_the_sort_means_every_page_is_read_and_the_answer_says_so():
    server, upstream = period_server(SERVED, NOW, rules=SearchRules(sortable=frozenset()))
    async with Client(server) as client:
        content = await analyze(client, days=2)
    assert sorted({page for page, _size in pages(upstream)}) == list(range(9))
    assert content["calls"] == len([c for c in MADE if c.at >= NOW - timedelta(days=2)])
    assert "refused sort_by=created_at" in content["period"]["note"]
    assert content["period"]["complete"] is True


async def test_a_page_size_cap_is_read_in_revox_s_size():
    server, upstream = period_server(SERVED, NOW, rules=SearchRules(max_page_size=40))
    async with Client(server) as client:
        content = await analyze(client, days=14)
    assert content["calls"] == len(MADE)
    assert pages(upstream)[0] == (0, 100)
    assert {size for _page, size in pages(upstream)[1:]} == {40}
    assert len(pages(upstream)) == 1 + math.ceil((len(MADE) - 40) / 40)


async def test_a_warm_repeat_asks_revox_nothing_and_a_later_one_only_the_newest_page():
    clock = clock_at(NOW)
    server, upstream = period_server(SERVED, NOW, clock=clock)
    async with Client(server) as client:
        cold = await analyze(client, days=14)
        asked = len(upstream.requests)
        clock.advance(5)
        warm = await analyze(client, days=14)
        assert len(upstream.requests) == asked  # from the cache: no request at all
        clock.advance(60)  # past a search's 10 s, within the period pages' 5 minutes
        later = await analyze(client, days=14)
        drill = {"assistant_id": ASSISTANT_ID, "status": "completed,errored,not_launched,post_processing"}
        listed = await client.call_tool("list_calls", {**drill, "days": 14, "ended_by": "agent"})
    assert_ok(listed)
    # The assistant (its 30 s are over) and the newest page, unchanged: the other pages from the cache.
    assert [r.url.path for r in upstream.requests[asked:]] == ["/api/assistants", "/api/call/search"]
    assert warm["findings"] == cold["findings"]
    assert later["series"] == cold["series"]
