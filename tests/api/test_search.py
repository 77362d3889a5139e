"""api.search: how Revox is asked for calls. The page base, the sort and the page-size cap are
undocumented, so the fake Revox (in process) is set to each possible behaviour and the client must
learn it per key, on the first page, and remember it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fake_revox import FakeRevox, Fault
from support import API_KEY, BASE_URL, no_sleep

from revox_mcp.api.client import RevoxApi
from revox_mcp.api.search import CallQuery, CallSearch
from revox_mcp.errors import RevoxStatusError, RevoxUnavailableError

pytestmark = pytest.mark.anyio

OTHER_KEY = "sk-test-other-organisation-02"
CALLS = FakeRevox.make_calls(23)
NEWEST_FIRST = [call["id"] for call in CALLS]


def fake(**rules: Any) -> FakeRevox:
    revox = FakeRevox(api_key=API_KEY, calls=CALLS, **rules)
    revox.add_key(OTHER_KEY, [])
    return revox


@pytest.fixture
def revox() -> FakeRevox:
    return fake()


@pytest.fixture
async def api(revox: FakeRevox) -> AsyncIterator[RevoxApi]:
    async with RevoxApi(base_url=BASE_URL, transport=revox.transport(), sleep=no_sleep, max_retries=0) as client:
        yield client


def bodies(revox: FakeRevox) -> list[dict[str, Any]]:
    return [request.json() for request in revox.requests if request.path == "/call/search"]


def ids(page: Any) -> list[str]:
    return [call["id"] for call in page.calls]


async def test_a_zero_based_revox_that_sorts_is_asked_once_per_page(revox: FakeRevox, api: RevoxApi) -> None:
    first = await api.search_calls(API_KEY, CallQuery(page_size=10))
    second = await api.search_calls(API_KEY, CallQuery(page=1, page_size=10))
    assert [b["page"] for b in bodies(revox)] == [0, 1]
    assert ids(first) + ids(second) == NEWEST_FIRST[:20]
    assert (first.sorted, first.total, first.received, first.cap) == (True, 23, 10, None)


async def test_a_one_based_revox_is_learnt_on_the_first_page_and_remembered() -> None:
    revox = fake(page_base=1)
    async with RevoxApi(base_url=BASE_URL, transport=revox.transport(), sleep=no_sleep) as api:
        first = await api.search_calls(API_KEY, CallQuery(page_size=10))
        third = await api.search_calls(API_KEY, CallQuery(page=2, page_size=10))
    assert [b["page"] for b in bodies(revox)] == [0, 1, 3]  # refused, accepted, then one request
    assert ids(first) == NEWEST_FIRST[:10]
    assert ids(third) == NEWEST_FIRST[20:]


async def test_a_later_page_asked_first_learns_the_base_on_page_zero_first() -> None:
    """A 1-based Revox would serve "page 1" as its first page without complaint: the base is never guessed."""
    revox = fake(page_base=1)
    async with RevoxApi(base_url=BASE_URL, transport=revox.transport(), sleep=no_sleep) as api:
        second = await api.search_calls(API_KEY, CallQuery(page=1, page_size=10))
    assert [b["page"] for b in bodies(revox)] == [0, 1, 2]
    assert ids(second) == NEWEST_FIRST[10:20]


async def test_a_refused_sort_is_dropped_and_the_page_says_so() -> None:
    revox = fake(sortable=frozenset())
    async with RevoxApi(base_url=BASE_URL, transport=revox.transport(), sleep=no_sleep) as api:
        first = await api.search_calls(API_KEY, CallQuery(page_size=5))
        again = await api.search_calls(API_KEY, CallQuery(page=1, page_size=5))
    sent = bodies(revox)
    assert [(b["page"], "sort_by" in b) for b in sent] == [(0, True), (1, True), (0, False), (1, False)]
    assert first.sorted is False
    assert again.sorted is False


async def test_a_one_based_revox_that_refuses_the_sort_is_found_on_the_last_try() -> None:
    revox = fake(page_base=1, sortable=frozenset())
    async with RevoxApi(base_url=BASE_URL, transport=revox.transport(), sleep=no_sleep) as api:
        first = await api.search_calls(API_KEY, CallQuery(page_size=5))
    assert [(b["page"], "sort_by" in b) for b in bodies(revox)] == [(0, True), (1, True), (0, False), (1, False)]
    assert ids(first) == NEWEST_FIRST[:5]  # the fake's own order is newest first


async def test_when_every_style_is_refused_the_last_refusal_is_raised(revox: FakeRevox, api: RevoxApi) -> None:
    revox.fail_every(Fault.status(422))
    with pytest.raises(RevoxStatusError) as caught:
        await api.search_calls(API_KEY, CallQuery())
    assert caught.value.status == 422
    assert len(bodies(revox)) == 4


@pytest.mark.parametrize("status", [404, 500])
async def test_another_failure_while_learning_is_raised_at_once(revox: FakeRevox, api: RevoxApi, status: int) -> None:
    revox.inject(Fault.status(status))
    with pytest.raises((RevoxStatusError, RevoxUnavailableError)):
        await api.search_calls(API_KEY, CallQuery())
    assert len(bodies(revox)) == 1
    await api.search_calls(API_KEY, CallQuery())  # nothing was learnt from the failure: it asks page 0 again
    assert bodies(revox)[-1]["page"] == 0


async def test_each_key_learns_its_own_style(revox: FakeRevox, api: RevoxApi) -> None:
    await api.search_calls(API_KEY, CallQuery(page_size=10))
    await api.search_calls(OTHER_KEY, CallQuery(page=1, page_size=10))
    assert [(request.key, request.json()["page"]) for request in revox.requests] == [
        (API_KEY, 0),
        (OTHER_KEY, 0),  # not assumed from the first key: learnt on page 0
        (OTHER_KEY, 1),
    ]


async def test_a_short_page_while_more_exist_is_learnt_as_the_cap() -> None:
    revox = fake(max_page_size=7)
    async with RevoxApi(base_url=BASE_URL, transport=revox.transport(), sleep=no_sleep) as api:
        assert api.search_page_cap(API_KEY) is None
        page = await api.search_calls(API_KEY, CallQuery(page_size=10))
        assert (page.received, page.total, page.cap) == (7, 23, 7)
        assert api.search_page_cap(API_KEY) == 7
        assert api.search_page_cap(OTHER_KEY) is None


async def test_a_short_last_page_is_not_a_cap(api: RevoxApi) -> None:
    last = await api.search_calls(API_KEY, CallQuery(page=2, page_size=10))
    assert (last.received, last.cap) == (3, None)
    assert api.search_page_cap(API_KEY) is None


async def test_the_probe_of_a_later_page_also_teaches_the_cap() -> None:
    revox = fake(max_page_size=4)
    async with RevoxApi(base_url=BASE_URL, transport=revox.transport(), sleep=no_sleep) as api:
        page = await api.search_calls(API_KEY, CallQuery(page=1, page_size=10))
    assert page.cap == 4


async def test_what_is_learnt_is_kept_for_a_bounded_number_of_keys() -> None:
    revox = fake(page_base=1)
    async with RevoxApi(base_url=BASE_URL, transport=revox.transport(), sleep=no_sleep) as api:
        search = CallSearch(api._post_search, max_keys=1)
        await search.page(API_KEY, CallQuery(page_size=10))
        await search.page(OTHER_KEY, CallQuery(page_size=10))  # takes the first key's place
        revox.clear_log()
        await search.page(API_KEY, CallQuery(page_size=10))
    assert [b["page"] for b in bodies(revox)] == [0, 1]  # learnt again


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"filters": {"status": ["completed"]}}, "not a call search array"),
        ({"page": -1}, "page"),
        ({"page_size": 0}, "page"),
    ],
)
def test_a_query_names_arrays_and_counts_pages_from_zero(arguments: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        CallQuery(**arguments)


def test_the_body_holds_every_required_array_the_page_in_revox_count_and_the_order() -> None:
    query = CallQuery({"results": ["IVR"]}, "x", page=2, page_size=10)
    body = query.body(base=1, sort=True)
    assert (body["results"], body["statuses"], body["page"], body["query"]) == (["IVR"], [], 3, "x")
    assert (body["sort_by"], body["sort_direction"]) == ("created_at", "desc")
    assert "sort_by" not in CallQuery().body(base=0, sort=False)
    assert "query" not in CallQuery().body(base=0, sort=False)
