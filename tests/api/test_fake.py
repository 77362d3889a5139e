"""The one fake Revox (revox_mcp.api.fake): its routing, its call search (as strict as the SDK, with
one semantics for the demo and every test), its organisations, and its two ways of being served."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from calls_support import CALL_FIXTURES, CALLS, attempt, call
from fake_revox import FakeRevox
from loopback import NO_TLS
from support import API_KEY, ASSISTANTS, LISTED_IDS, SUB_ID

from revox_mcp.api.demo import DEMO_API_KEY, demo_organisation
from revox_mcp.api.fake import Account, Answer, FakeApi, Organisation, SearchRules
from revox_mcp.api.fake.search import ENUM_ARRAYS, last_attempt
from revox_mcp.api.fake.versions import Versions
from revox_mcp.api.search import REQUIRED_ARRAYS
from revox_mcp.domain import call_fields

AUTH = f"Bearer {API_KEY}"
ACCOUNT = Account(CALLS, CALL_FIXTURES["phone_numbers"], CALL_FIXTURES["voices"], CALL_FIXTURES["campaigns"])


def revox(calls: list[dict[str, Any]] | None = None, rules: SearchRules | None = None) -> FakeApi:
    account = ACCOUNT if calls is None else Account(calls)
    return FakeApi({API_KEY: Organisation(ASSISTANTS, LISTED_IDS, account)}, rules)


def searched(api: FakeApi, **fields: Any) -> Answer:
    body: dict[str, Any] = {name: [] for name in REQUIRED_ARRAYS} | {"page": 0, "page_size": 100} | fields
    return api.answer("POST", "/call/search", AUTH, json.dumps(body).encode())


def found(answer: Answer) -> list[str]:
    assert answer.status == 200, answer.body
    return [c["id"] for c in json.loads(answer.body)["calls"]]


# --------------------------------------------------------------------------- strict like the SDK


@pytest.mark.parametrize("name", REQUIRED_ARRAYS)
def test_every_required_array_must_be_sent_as_an_array_of_strings(name: str) -> None:
    api = revox()
    body = {array: [] for array in REQUIRED_ARRAYS if array != name} | {"page": 0, "page_size": 10}
    assert api.answer("POST", "/call/search", AUTH, json.dumps(body).encode()).status == 422
    assert searched(api, **{name: "completed"}).status == 422
    assert searched(api, **{name: [1]}).status == 422


@pytest.mark.parametrize(("array", "value"), [("statuses", "IVR"), ("results", "completed"), ("directions", "both")])
def test_an_enum_array_takes_only_its_own_values(array: str, value: str) -> None:
    assert searched(revox(), **{array: [value]}).status == 422


@pytest.mark.parametrize(
    "fields",
    [{"page": "0"}, {"page": True}, {"page": 0.0}, {"page": -1}, {"page_size": 0}, {"page_size": "10"}],
)
def test_page_and_page_size_are_integers(fields: dict[str, Any]) -> None:
    assert searched(revox(), **fields).status == 422


def test_the_first_page_is_the_settable_base() -> None:
    one_based = revox(rules=SearchRules(page_base=1))
    assert searched(one_based, page=0).status == 422
    assert found(searched(one_based, page=1, page_size=3)) == [c["id"] for c in CALLS[:3]]


@pytest.mark.parametrize(
    "fields",
    [{"sort_by": "updated_at"}, {"sort_by": 1}, {"sort_direction": "down"}, {"query": 5}, {"call_ids": "x"}],
)
def test_optional_fields_are_checked_too(fields: dict[str, Any]) -> None:
    assert searched(revox(), **fields).status == 422


@pytest.mark.parametrize(("body", "status"), [(b"{not json", 400), (b"[]", 422), (b"", 422)])
def test_a_body_that_is_not_an_object_is_refused(body: bytes, status: int) -> None:
    assert revox().answer("POST", "/call/search", AUTH, body).status == status


# --------------------------------------------------------------------------- what a search finds


def test_a_bigger_page_is_cut_to_the_largest_page_and_the_total_still_counts_all() -> None:
    answer = searched(revox(rules=SearchRules(max_page_size=3)), page=1, page_size=10)
    assert found(answer) == [c["id"] for c in CALLS[3:6]]
    assert json.loads(answer.body)["total_count"] == len(CALLS)


def test_sorting_by_creation_orders_newest_first_when_asked() -> None:
    calls = [call("old", created="2026-02-01T00:00:00Z"), call("new", created="2026-02-02T00:00:00Z")]
    assert found(searched(revox(calls), sort_by="created_at", sort_direction="desc")) == ["new", "old"]
    assert found(searched(revox(calls), sort_by="created_at", sort_direction="asc")) == ["old", "new"]
    assert found(searched(revox(calls))) == ["old", "new"]  # no sort: the account's own order


def test_pages_of_a_sorted_search_follow_one_another_without_gap_or_repeat() -> None:
    """Ties keep the account's order both ways, so no call moves between pages."""
    calls = [call(f"c{i:02d}", created=f"2026-02-{1 + i % 5:02d}T00:00:00Z") for i in range(23)]
    for direction in ("asc", "desc"):
        pages = [
            searched(revox(calls), sort_by="created_at", sort_direction=direction, page=p, page_size=5)
            for p in range(5)
        ]
        ordered = sorted(calls, key=lambda c: c["created_at"], reverse=direction == "desc")
        assert [ident for page in pages for ident in found(page)] == [c["id"] for c in ordered]


def test_the_assignee_filter_names_the_member_by_id() -> None:
    """The SDK's array is assignee_ids: members are named by id, like assistants and campaigns."""
    assert found(searched(revox(), assignee_ids=["u1"])) == [CALLS[0]["id"]]
    assert found(searched(revox(), assignee_ids=["marc.lefevre@clinic.example"])) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CA110003", [CALLS[2]["id"]]),  # the id, any case
        ("+447700900004", [CALLS[3]["id"]]),  # the number called
        ("+14155550166", [CALLS[5]["id"]]),  # the number that called in
        ("paulson", [CALLS[5]["id"]]),  # a contact field
        ("no such text", []),
    ],
)
def test_free_text_looks_in_the_id_both_numbers_and_the_contact(text: str, expected: list[str]) -> None:
    assert found(searched(revox(), query=text)) == expected


def test_the_results_filter_reads_the_latest_attempt_by_start_time() -> None:
    first, second = attempt(result="voicemail", start=0), attempt(result="human", start=100)
    oldest_listed_first = dict(call("c1", first, second), call_attempts=[first, second])
    api = revox([oldest_listed_first])
    assert found(searched(api, results=["human"])) == ["c1"]
    assert found(searched(api, results=["voicemail"])) == []


def test_a_call_without_a_result_or_outcome_is_found_under_none() -> None:
    api = revox([call("c1", attempt(result=None, seconds=None, dial_error="busy"))])
    assert found(searched(api, results=["none"], outcomes=["none"])) == ["c1"]


def demo_calls() -> list[Any]:
    account = demo_organisation().account
    assert account is not None
    assert account.calls is not None
    return list(account.calls)


def edge_calls() -> list[dict[str, Any]]:
    """Attempts without start times, listed in any order, epoch numbers, only a last_call_attempt."""
    timed = [attempt(start=s) for s in (5, 1, 3)]
    untimed = [dict(attempt(start=0), started_at=None), attempt(start=9)]
    return [
        dict(call("timed"), call_attempts=timed),
        dict(call("untimed"), call_attempts=untimed),
        dict(call("tie"), call_attempts=[attempt(start=2, result="human"), attempt(start=2, result="IVR")]),
        dict(call("last only"), call_attempts=None, last_call_attempt=attempt(start=1)),
        dict(call("nothing"), call_attempts="junk"),
    ]


def test_the_fake_reads_the_last_attempt_exactly_as_the_domain_does() -> None:
    for each in [*CALLS, *demo_calls(), *edge_calls()]:
        assert last_attempt(each) is call_fields.last_attempt(each), each["id"]


def test_the_domain_filters_offer_exactly_the_sdk_enum_values() -> None:
    for _name, (array, values) in call_fields.FILTERS.items():
        assert set(values) == ENUM_ARRAYS[array]


# --------------------------------------------------------------------------- routing and organisations


def test_an_unknown_key_is_401_on_every_endpoint() -> None:
    api = revox()
    for method, path in [("GET", "/assistants"), ("GET", "/auth-status"), ("POST", "/call/search")]:
        answer = api.answer(method, path, "Bearer sk-unknown", b"{}")
        assert (answer.status, dict(answer.headers)["www-authenticate"]) == (401, "Bearer")
    assert api.answer("GET", "/assistants", API_KEY).status == 401  # no scheme


def test_each_key_opens_its_own_organisation() -> None:
    other = [{"id": "other-1", "name": "Other org"}]
    api = FakeApi({API_KEY: Organisation(ASSISTANTS, LISTED_IDS, ACCOUNT), "sk-other": Organisation(other)})
    mine = json.loads(api.answer("GET", "/assistants", AUTH).body)["assistants"]
    theirs = json.loads(api.answer("GET", "/assistants", "Bearer sk-other").body)["assistants"]
    assert {a["id"] for a in mine} == LISTED_IDS
    assert theirs == other
    assert api.answer("POST", "/call/search", "Bearer sk-other", b"{}").status == 404
    assert api.answer("GET", "/phone-numbers", "Bearer sk-other").status == 404  # no account modelled


def test_a_hidden_sub_assistant_is_reached_by_id_only() -> None:
    api = revox()
    assert SUB_ID not in api.answer("GET", "/assistants", AUTH).body.decode()
    assert json.loads(api.answer("GET", f"/assistants/{SUB_ID}", AUTH).body)["id"] == SUB_ID


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/assistants/nope", 404, "Assistant not found"),
        ("/call/nope", 404, "Call not found"),
        ("/call/a/b", 404, "Not found"),
        ("/users/me", 404, "Not found"),
    ],
)
def test_what_the_fake_does_not_know_is_404(path: str, status: int, error: str) -> None:
    answer = revox().answer("GET", path, AUTH)
    assert (answer.status, json.loads(answer.body)) == (status, {"error": error})


def test_one_call_is_wrapped_and_the_lists_are_served_whole() -> None:
    api = revox()
    assert json.loads(api.answer("GET", f"/call/{CALLS[0]['id']}", AUTH).body) == {"call": CALLS[0]}
    numbers = json.loads(api.answer("GET", "/phone-numbers", AUTH).body)
    assert numbers == {"phone_numbers": CALL_FIXTURES["phone_numbers"]}


def test_the_account_is_loaded_on_its_first_use_only() -> None:
    loads: list[int] = []

    def load() -> Account:
        loads.append(1)
        return ACCOUNT

    api = FakeApi({API_KEY: Organisation(ASSISTANTS, LISTED_IDS, load)})
    for path in ("/assistants", "/auth-status", f"/assistants/{SUB_ID}"):
        api.answer("GET", path, AUTH)
    assert loads == []
    api.answer("GET", "/voices", AUTH)
    api.answer("GET", "/campaigns", AUTH)
    assert loads == [1]


# --------------------------------------------------------------------------- the demo


def test_the_demo_serves_its_stored_calls_as_revox_sends_them() -> None:
    demo = FakeApi({DEMO_API_KEY: demo_organisation()})
    auth = f"Bearer {DEMO_API_KEY}"
    page = json.loads(searched_by(demo, auth).body)
    first = page["calls"][0]
    assert "assistant_id" not in first  # stored by id, served whole
    assert first["assistant"]["prompt"]
    assert first["llm_model"] == first["assistant"]["llm_model"]
    assert first["last_call_attempt"] == first["call_attempts"][0]
    numbers = json.loads(demo.answer("GET", "/phone-numbers", auth).body)["phone_numbers"]
    assert any(isinstance(n["inbound_assistant"], dict) for n in numbers)
    assert all("inbound_assistant_id" not in n for n in numbers)
    assert demo.answer("GET", "/assistants", AUTH).status == 401  # the demo has one key


def test_a_call_is_served_with_its_assistant_as_it_was_when_the_call_was_made() -> None:
    current = {"id": "a1", "prompt": "three", "updated_at": "2026-02-10T00:00:00Z"}
    earlier = [
        {"updated_at": "2026-02-05T00:00:00Z", "fields": {"prompt": "two"}},
        {"updated_at": "2026-02-01T00:00:00Z", "fields": {"prompt": "one"}},
        {"updated_at": "whenever", "fields": {"prompt": "unplaceable"}},
    ]
    versions = Versions([current], {"a1": earlier})
    made = ["2026-01-20T00:00:00Z", "2026-02-01T00:00:00Z", "2026-02-09T23:59:59Z", "2026-02-10T00:00:00Z", None]
    assert [versions.at("a1", when)["prompt"] for when in made] == ["one", "one", "two", "three", "three"]  # type: ignore[index]
    assert versions.at("a1", "2026-02-06T00:00:00Z") == {
        "id": "a1",
        "prompt": "two",
        "updated_at": "2026-02-05T00:00:00Z",
    }
    assert [version["prompt"] for version in versions.of("a1")] == ["one", "two", "three"]
    assert versions.at("a2", "2026-02-06T00:00:00Z") is None
    assert Versions([current]).at("a1", "2026-01-01T00:00:00Z") is current  # no history: as it is now


def searched_by(api: FakeApi, authorization: str) -> Answer:
    body = {name: [] for name in REQUIRED_ARRAYS} | {"page": 0, "page_size": 5, "sort_by": "created_at"}
    return api.answer("POST", "/call/search", authorization, json.dumps(body).encode())


# --------------------------------------------------------------------------- served two ways

REQUESTS = [
    ("GET", "/assistants", None),
    ("GET", f"/assistants/{SUB_ID}", None),
    ("GET", "/assistants/a%2Fb", None),
    ("GET", f"/call/{CALLS[6]['id']}", None),
    ("GET", "/campaigns", None),
    ("POST", "/call/search", {name: [] for name in REQUIRED_ARRAYS} | {"page": 0, "page_size": 4, "query": "+3361"}),
    ("POST", "/call/search", {"page": 0}),
]


@pytest.fixture(scope="module")
def loopback() -> Iterator[FakeRevox]:
    with FakeRevox(api_key=API_KEY) as fake:
        yield fake


@pytest.mark.anyio
@pytest.mark.parametrize(("method", "path", "body"), REQUESTS)
async def test_in_process_and_over_loopback_the_fake_answers_alike(
    loopback: FakeRevox, method: str, path: str, body: Any
) -> None:
    headers = {"Authorization": AUTH}
    async with httpx.AsyncClient(base_url=loopback.base_url, verify=NO_TLS, trust_env=False, headers=headers) as http:
        over_loopback = await http.request(method, path, json=body)
    async with httpx.AsyncClient(
        base_url="https://revox.test/api", transport=loopback.transport(), headers=headers
    ) as http:
        in_process = await http.request(method, path, json=body)
    assert (in_process.status_code, in_process.content) == (over_loopback.status_code, over_loopback.content)
    assert in_process.headers["content-type"] == over_loopback.headers["content-type"]
    assert loopback.requests[-1].path == loopback.requests[-2].path == path
