"""RevoxData: list-first lookups, per-id fetches for hidden assistants, cleaning at ingest, memos keyed
by content, memory that stays flat across refreshes, and call pages that are only asked for. The fake
Revox, in process, stands in for Revox."""

from __future__ import annotations

import copy
import gc
import json
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from fake_revox import FakeRevox, Fault
from redis_server import RedisServer
from support import API_KEY, ASSISTANTS, BASE_URL, BASELINE_ID, LISTED, LISTED_IDS, SUB_ID, FakeClock, no_sleep

from revox_mcp.api.client import RevoxApi
from revox_mcp.cache.backend import MemoryBackend
from revox_mcp.cache.redis import RedisBackend
from revox_mcp.cache.store import Cache, Cached
from revox_mcp.credential import Credential
from revox_mcp.domain.ingest import ItemSet
from revox_mcp.errors import (
    InputError,
    RevoxAuthError,
    RevoxNotFoundError,
    RevoxRefusalError,
    RevoxUnavailableError,
)
from revox_mcp.service.assistants import AssistantService
from revox_mcp.service.data import VOICES_TTL, DataSettings, RevoxData
from revox_mcp.service.troubleshooting import Troubleshooting

pytestmark = pytest.mark.anyio

CRED = Credential(API_KEY)


class Upstream:
    """The fake Revox in process, which tests relist or take down, and its requests counted."""

    def __init__(self) -> None:
        self.fake = FakeRevox(copy.deepcopy(ASSISTANTS), api_key=API_KEY, listed_ids=set(LISTED_IDS))

    def relist(self, assistants: list[dict[str, Any]]) -> None:
        """Revox lists these now (the hidden sub-assistants stay hidden)."""
        hidden = [a for a in ASSISTANTS if a["id"] not in LISTED_IDS]
        self.fake.set_assistants([*assistants, *hidden], {a["id"] for a in assistants})

    def down(self) -> None:
        self.fake.fail_every(Fault.status(503))

    @property
    def lists(self) -> int:
        return sum(1 for request in self.fake.requests if request.path == "/assistants")

    @property
    def ones(self) -> int:
        return sum(1 for request in self.fake.requests if request.path.startswith("/assistants/"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
async def data(clock: FakeClock, upstream: Upstream) -> AsyncIterator[RevoxData]:
    api = RevoxApi(base_url=BASE_URL, sleep=no_sleep, backoff=0.01, transport=upstream.fake.transport())
    async with api, Cache(MemoryBackend(clock=clock), wall=clock, monotonic=clock) as cache:
        yield RevoxData(api, cache, DataSettings(ttl=30))


async def test_a_listed_assistant_is_answered_from_the_list(data: RevoxData, upstream: Upstream) -> None:
    for assistant in LISTED:
        found = await data.assistant(CRED, assistant["id"])
        assert found.value.value["id"] == assistant["id"]
    assert upstream.lists == 1
    assert upstream.ones == 0


async def test_a_hidden_sub_assistant_costs_one_request_then_is_cached(data: RevoxData, upstream: Upstream) -> None:
    for _ in range(3):
        assert (await data.assistant(CRED, SUB_ID)).value.value["id"] == SUB_ID
    assert upstream.ones == 1


async def test_an_unknown_id_is_not_found_and_an_unusable_one_never_asked(data: RevoxData, upstream: Upstream) -> None:
    with pytest.raises(RevoxNotFoundError):
        await data.assistant(CRED, "nope")
    with pytest.raises(InputError):
        await data.assistant(CRED, "a\x00b")
    assert upstream.ones == 1


async def test_while_revox_is_down_no_per_id_request_is_made(
    data: RevoxData, upstream: Upstream, clock: FakeClock
) -> None:
    await data.assistants(CRED)
    clock.advance(60)
    upstream.down()
    assert (await data.assistant(CRED, BASELINE_ID)).stale is True
    with pytest.raises(RevoxUnavailableError, match="not in the cached list"):
        await data.assistant(CRED, SUB_ID)
    assert upstream.ones == 0


async def test_concurrent_cold_lookups_make_one_list_request(data: RevoxData, upstream: Upstream) -> None:
    async with anyio.create_task_group() as tg:
        for assistant in LISTED * 5:
            tg.start_soon(data.assistant, CRED, assistant["id"])
    assert upstream.lists == 1


async def test_what_is_cached_is_cleaned(data: RevoxData) -> None:
    listing = await data.assistants(CRED)
    assert "FAKE" not in json.dumps(listing.value.items)
    backend = data.cache.backend
    assert isinstance(backend, MemoryBackend)
    held = [entry.value for entry in backend.entries()]
    assert held
    assert all("FAKE" not in json.dumps(value.to_json()) for value in held)


async def test_an_unchanged_refresh_reuses_every_cleaned_assistant(
    data: RevoxData, upstream: Upstream, clock: FakeClock
) -> None:
    first = (await data.assistants(CRED)).value
    clock.advance(31)
    second = (await data.assistants(CRED)).value
    assert upstream.lists == 2
    assert second.version == first.version
    assert all(a is b for a, b in zip(first.items, second.items, strict=True))


async def test_a_partly_changed_refresh_recomputes_only_what_changed(
    data: RevoxData, upstream: Upstream, clock: FakeClock
) -> None:
    service = AssistantService(data, memo_entries=20_000)
    troubleshooting = Troubleshooting(service, memo_entries=20_000)
    first = (await data.assistants(CRED)).value
    first_summaries = [service.summary_of(CRED, first, i)[0] for i in range(len(first.items))]
    await troubleshooting.diagnose_all(CRED, 100, None)
    upstream.relist([dict(LISTED[0], name="Renamed"), *LISTED[1:]])
    clock.advance(31)
    second = (await data.assistants(CRED)).value
    second_summaries = [service.summary_of(CRED, second, i)[0] for i in range(len(second.items))]
    assert second_summaries[0] is not first_summaries[0]
    assert second_summaries[0].name == "Renamed"
    assert all(a is b for a, b in zip(first_summaries[1:], second_summaries[1:], strict=True))
    tallies = troubleshooting._tallies  # type: ignore[attr-defined]
    misses = tallies.misses
    await troubleshooting.diagnose_all(CRED, 100, None)
    assert tallies.misses == misses + 1  # only the renamed assistant was diagnosed again


async def test_a_refresh_frees_the_previous_list_without_the_cycle_collector(
    data: RevoxData, upstream: Upstream, clock: FakeClock
) -> None:
    """No reference cycle keeps old data alive: plain reference counting frees it at once."""
    service = AssistantService(data, memo_entries=4)
    first = (await data.assistants(CRED)).value
    service.summary_of(CRED, first, 0)
    watched = weakref.ref(first)
    del first
    gc.disable()
    try:
        for round_ in range(3):  # new content every time: nothing can be reused
            upstream.relist([dict(a, name=f"{a['name']} v{round_}") for a in LISTED])
            clock.advance(31)
            latest = (await data.assistants(CRED)).value
            service.summary_of(CRED, latest, 0)
        assert watched() is None
    finally:
        gc.enable()


# --- the account's lists: a refusal is an answer, kept for the TTL; a failure backs off ---------------

ACCOUNT_LISTS = {"/phone-numbers": "phone_numbers", "/voices": "voices", "/campaigns": "campaigns"}


def asked(upstream: Upstream, path: str) -> int:
    return sum(1 for request in upstream.fake.requests if request.path == path)


def account_list(data: RevoxData, path: str) -> Callable[[Credential], Awaitable[Cached[ItemSet]]]:
    reader: Callable[[Credential], Awaitable[Cached[ItemSet]]] = getattr(data, ACCOUNT_LISTS[path])
    return reader


@pytest.mark.parametrize("path", list(ACCOUNT_LISTS))
@pytest.mark.parametrize("status", [403, 404])
async def test_a_refused_account_list_is_asked_for_once_per_ttl(
    data: RevoxData, upstream: Upstream, clock: FakeClock, path: str, status: int
) -> None:
    """Revox's refusal is the answer until it expires: the fault is injected once, so asking again
    within the TTL would get the list; the voice catalogue's TTL is the longer one (VOICES_TTL)."""
    upstream.fake.inject(Fault.status(status), path=path)
    read = account_list(data, path)
    for _ in range(31):
        with pytest.raises(RevoxRefusalError) as refused:
            await read(CRED)
    assert refused.value.status == status
    assert str(refused.value) == f"Revox refused GET {path} to this key (HTTP {status})"
    assert asked(upstream, path) == 1
    ttl = VOICES_TTL if path == "/voices" else 30
    clock.advance(ttl - 1)
    with pytest.raises(RevoxRefusalError):
        await read(CRED)
    clock.advance(2)  # the refusal has expired: Revox is asked again, and now answers the list
    assert (await read(CRED)).value.items
    assert asked(upstream, path) == 2


@asynccontextmanager
async def replica(redis: RedisServer, upstream: Upstream) -> AsyncIterator[RevoxData]:
    """One replica of a team deployment: its own API client and cache, on the shared Redis."""
    backend = RedisBackend(redis.url)
    api = RevoxApi(base_url=BASE_URL, sleep=no_sleep, backoff=0.01, transport=upstream.fake.transport())
    try:
        async with api, Cache(backend, coordinator=backend) as cache:
            yield RevoxData(api, cache, DataSettings(ttl=30))
    finally:
        await backend.aclose()


async def test_a_refusal_is_shared_with_every_replica_through_redis(
    redis_server: RedisServer, upstream: Upstream
) -> None:
    upstream.fake.inject(Fault.status(403), path="/voices")
    async with replica(redis_server, upstream) as one, replica(redis_server, upstream) as two:
        with pytest.raises(RevoxRefusalError):
            await one.voices(CRED)
        with pytest.raises(RevoxRefusalError):
            await two.voices(CRED)  # read from Redis: the other replica's answer
    assert asked(upstream, "/voices") == 1


@pytest.mark.parametrize("path", list(ACCOUNT_LISTS))
async def test_a_rejected_key_on_an_account_list_is_an_auth_error_and_not_kept(
    data: RevoxData, upstream: Upstream, path: str
) -> None:
    upstream.fake.fail_every(Fault.status(401), path=path)
    for _ in range(2):
        with pytest.raises(RevoxAuthError):
            await account_list(data, path)(CRED)
    assert asked(upstream, path) == 2


async def test_a_failing_account_list_backs_off_and_is_asked_again_after_the_back_off(
    data: RevoxData, upstream: Upstream, clock: FakeClock
) -> None:
    """A 503 is a failure, not an answer: the back-off (2 s) holds, not the TTL (30 s)."""
    upstream.fake.inject(*(Fault.status(503),) * 3, path="/phone-numbers")  # every retry of one request
    for _ in range(2):
        with pytest.raises(RevoxUnavailableError):
            await data.phone_numbers(CRED)
    assert asked(upstream, "/phone-numbers") == 3
    clock.advance(3)
    assert (await data.phone_numbers(CRED)).value.items
    assert asked(upstream, "/phone-numbers") == 4


async def test_diagnoses_ask_for_refused_account_lists_once_per_ttl(data: RevoxData, upstream: Upstream) -> None:
    """31 diagnoses on an account whose key may read none of the three lists: 3 requests, not 93."""
    upstream.fake.inject(Fault.status(403), path="/phone-numbers")
    upstream.fake.inject(Fault.status(404), path="/voices")
    upstream.fake.inject(Fault.status(404), path="/campaigns")
    troubleshooting = Troubleshooting(AssistantService(data, memo_entries=100), memo_entries=100)
    for round_ in range(31):
        answer = await troubleshooting.diagnose_one(CRED, LISTED[round_ % len(LISTED)]["id"])
        notes = answer.model.model_dump()["not_checked"]
        assert [note.split(" (")[0] for note in notes] == ["campaigns", "phone numbers", "voices"]
        assert all("Revox refused GET /" in note for note in notes)
    assert [asked(upstream, path) for path in ACCOUNT_LISTS] == [1, 1, 1]
