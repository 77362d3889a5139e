"""The tests' fake Revox, over loopback and in process: routes, auth, every fault kind, the request log, scale.

(The routing and search semantics themselves are the package's: tests/api/test_fake.py.)"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from fake_revox import FakeRevox, Fault
from loopback import NO_TLS
from support import API_KEY, scale

AUTH = {"Authorization": f"Bearer {API_KEY}"}
BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
UNLISTED_ID = "8b1c0d9e-8f7a-4b6c-9d5e-3f2a1b0c9d69"


# trust_env=False keeps any proxy settings from routing loopback traffic elsewhere.
def loopback_client(fake: FakeRevox, **kwargs: Any) -> httpx.Client:
    return httpx.Client(base_url=fake.base_url, verify=NO_TLS, trust_env=False, **kwargs)


@pytest.fixture
def client(fake: FakeRevox) -> Iterator[httpx.Client]:
    with loopback_client(fake, headers=AUTH) as http:
        yield http


def test_base_url_is_loopback_without_trailing_slash(fake: FakeRevox) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert not fake.base_url.endswith("/")


def test_list_wraps_only_the_listed_fixtures(client: httpx.Client) -> None:
    response = client.get("/assistants")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    ids = [assistant["id"] for assistant in response.json()["assistants"]]
    assert len(ids) == 8
    assert BASELINE_ID in ids
    assert UNLISTED_ID not in ids


def test_get_returns_the_bare_object_even_when_unlisted(client: httpx.Client) -> None:
    response = client.get(f"/assistants/{UNLISTED_ID}")

    assert response.status_code == 200
    assert response.json()["id"] == UNLISTED_ID


def test_unknown_id_is_404_with_error_body(client: httpx.Client) -> None:
    response = client.get("/assistants/no-such-id")

    assert response.status_code == 404
    assert response.json() == {"error": "Assistant not found"}


@pytest.mark.parametrize("path", ["/assistants/", f"/assistants/{BASELINE_ID}/extra", "/assistant", "/users/me", "/"])
def test_other_paths_are_404(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_encoded_slash_is_one_segment_and_the_log_keeps_the_encoding(fake: FakeRevox, client: httpx.Client) -> None:
    fake.set_assistants([{"id": "a/b", "name": "slashed"}])

    response = client.get("/assistants/a%2Fb")

    assert response.json() == {"id": "a/b", "name": "slashed"}
    assert fake.requests[-1].path == "/assistants/a%2Fb"


def test_auth_status_accepts_the_right_key(client: httpx.Client) -> None:
    response = client.get("/auth-status")

    assert response.status_code == 200
    assert response.json() == {"authenticated": True}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": API_KEY}],
    ids=["missing", "wrong-key", "no-scheme"],
)
@pytest.mark.parametrize("path", ["/assistants", f"/assistants/{BASELINE_ID}", "/auth-status"])
def test_requests_without_the_right_bearer_key_are_401(fake: FakeRevox, headers: dict[str, str], path: str) -> None:
    with loopback_client(fake) as http:
        response = http.get(path, headers=headers)

    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}
    assert [request.path for request in fake.requests] == [path]


@pytest.mark.parametrize("code", [401, 403, 404, 429, 500, 502, 503])
def test_status_fault_answers_that_code_with_a_json_error(fake: FakeRevox, client: httpx.Client, code: int) -> None:
    fake.inject(Fault.status(code))

    response = client.get("/assistants")

    assert response.status_code == code
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize("retry_after", ["1", "3600", None])
def test_rate_limit_fault_sets_retry_after_when_given(
    fake: FakeRevox, client: httpx.Client, retry_after: str | None
) -> None:
    fake.inject(Fault.rate_limited(retry_after))

    response = client.get("/assistants")

    assert response.status_code == 429
    assert response.headers.get("retry-after") == retry_after


def test_status_fault_takes_a_custom_body_and_headers(fake: FakeRevox, client: httpx.Client) -> None:
    fake.inject(Fault.status(503, body="down", headers={"X-Should-Retry": "false"}))

    response = client.get("/assistants")

    assert (response.status_code, response.text) == (503, "down")
    assert response.headers["x-should-retry"] == "false"


def test_reset_fault_raises_a_connection_error(fake: FakeRevox, client: httpx.Client) -> None:
    fake.inject(Fault.reset())

    with pytest.raises(httpx.ReadError):
        client.get("/assistants")


def test_slow_fault_exceeds_a_short_client_timeout(fake: FakeRevox, client: httpx.Client) -> None:
    fake.inject(Fault.slow(2))

    with pytest.raises(httpx.ReadTimeout):
        client.get("/assistants", timeout=0.2)


def test_truncated_json_is_the_normal_body_cut_short(fake: FakeRevox, client: httpx.Client) -> None:
    whole = client.get("/assistants").content
    fake.inject(Fault.truncated_json())

    response = client.get("/assistants")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert 0 < len(response.content) < len(whole)
    assert whole.startswith(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_invalid_json_fault_fails_parsing(fake: FakeRevox, client: httpx.Client) -> None:
    fake.inject(Fault.invalid_json())

    response = client.get(f"/assistants/{BASELINE_ID}")

    assert (response.status_code, response.text) == (200, "not json{")
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_wrong_shape_fault_is_valid_json_of_another_shape(fake: FakeRevox, client: httpx.Client) -> None:
    fake.inject(Fault.wrong_shape(), Fault.wrong_shape({"data": 1}))

    assert isinstance(client.get("/assistants").json(), list)
    assert client.get("/assistants").json() == {"data": 1}


def test_html_error_fault_is_an_html_page(fake: FakeRevox, client: httpx.Client) -> None:
    fake.inject(Fault.html_error())

    response = client.get("/assistants")

    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in response.text


def test_faults_are_consumed_in_order_then_service_resumes(fake: FakeRevox, client: httpx.Client) -> None:
    fake.inject(Fault.status(503), Fault.rate_limited("1"), Fault.invalid_json())

    statuses = [client.get("/auth-status").status_code for _ in range(3)]
    after = client.get("/auth-status")

    assert statuses == [503, 429, 200]
    assert after.json() == {"authenticated": True}
    assert fake.pending_faults == 0


def test_path_scoped_fault_waits_for_its_path(fake: FakeRevox, client: httpx.Client) -> None:
    fake.inject(Fault.status(500), path=f"/assistants/{BASELINE_ID}")

    assert client.get("/assistants").status_code == 200
    assert client.get(f"/assistants/{BASELINE_ID}").status_code == 500
    assert client.get(f"/assistants/{BASELINE_ID}").status_code == 200


def test_log_records_faulted_and_unauthorised_requests_verbatim(fake: FakeRevox, client: httpx.Client) -> None:
    fake.inject(Fault.reset())
    with pytest.raises(httpx.ReadError):
        client.get("/assistants")
    with loopback_client(fake) as anonymous:
        anonymous.get("/assistants?x=1%20", headers={"X-Probe": "p"})

    faulted, unauthorised = fake.requests
    assert (faulted.method, faulted.path, faulted.headers["authorization"]) == (
        "GET",
        "/assistants",
        f"Bearer {API_KEY}",
    )
    assert (unauthorised.query, unauthorised.headers["x-probe"]) == ("x=1%20", "p")
    assert "authorization" not in unauthorised.headers

    fake.clear_log()
    assert fake.requests == []


def test_make_assistants_is_deterministic_unique_and_sized() -> None:
    first = FakeRevox.make_assistants(20, prompt_chars=1234, seed=7)

    assert first == FakeRevox.make_assistants(20, prompt_chars=1234, seed=7)
    assert first != FakeRevox.make_assistants(20, prompt_chars=1234, seed=8)
    assert len({assistant["id"] for assistant in first}) == 20
    assert len({assistant["name"] for assistant in first}) == 20
    assert {len(assistant["prompt"]) for assistant in first} == {1234}


def test_a_one_megabyte_prompt_round_trips(client: httpx.Client, fake: FakeRevox) -> None:
    (big,) = FakeRevox.make_assistants(1, prompt_chars=1_000_000)
    fake.set_assistants([big])

    assert len(client.get(f"/assistants/{big['id']}").json()["prompt"]) == 1_000_000


def test_ten_thousand_assistants_are_served_and_parsed() -> None:
    count = scale(10_000, 2_000)  # by hand a fifth: still one multi-megabyte body
    assistants = FakeRevox.make_assistants(count)

    with FakeRevox(assistants, api_key=API_KEY) as fake, loopback_client(fake, headers=AUTH) as http:
        response = http.get("/assistants")

    listed = response.json()["assistants"]
    assert len(listed) == count
    assert listed[-1] == assistants[-1]


def test_stop_cuts_an_in_flight_slow_request_and_joins_its_thread() -> None:
    fake = FakeRevox(api_key=API_KEY).start()
    fake.inject(Fault.slow(30))
    host, port = fake.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as slow:
        slow.sendall(f"GET /assistants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\n\r\n".encode())
        # A second connection answered means the loop has already taken up the first one.
        with loopback_client(fake, headers=AUTH) as http:
            assert http.get("/auth-status").status_code == 200

        fake.stop()

        with pytest.raises(ConnectionResetError):
            slow.recv(1)
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("fake-revox")]


@pytest.mark.anyio
async def test_serves_concurrent_requests_from_an_async_client(fake: FakeRevox) -> None:
    statuses: list[int] = []

    async def fetch(http: httpx.AsyncClient) -> None:
        statuses.append((await http.get(f"/assistants/{BASELINE_ID}")).status_code)

    async with (
        httpx.AsyncClient(base_url=fake.base_url, headers=AUTH, verify=NO_TLS) as http,
        anyio.create_task_group() as tg,
    ):
        for _ in range(50):
            tg.start_soon(fetch, http)

    assert statuses == [200] * 50
    assert len(fake.requests) == 50


# --------------------------------------------------------------------------- in process


@pytest.fixture
async def in_process(fake: FakeRevox) -> Any:
    async with httpx.AsyncClient(base_url="https://revox.test/api", transport=fake.transport(), headers=AUTH) as http:
        yield http


@pytest.mark.anyio
async def test_in_process_requests_are_logged_under_the_api_root(
    fake: FakeRevox, in_process: httpx.AsyncClient
) -> None:
    response = await in_process.get(f"/assistants/{BASELINE_ID}", params={"x": "1"})

    assert response.json()["id"] == BASELINE_ID
    [request] = fake.requests
    assert (request.method, request.path, request.query, request.key) == (
        "GET",
        f"/assistants/{BASELINE_ID}",
        "x=1",
        API_KEY,
    )


@pytest.mark.anyio
async def test_in_process_a_reset_and_a_wait_past_the_timeout_fail_as_httpx_would(
    fake: FakeRevox, in_process: httpx.AsyncClient
) -> None:
    fake.inject(Fault.reset(), Fault.slow(5), Fault.slow(0))

    with pytest.raises(httpx.ReadError):
        await in_process.get("/assistants")
    with pytest.raises(httpx.ReadTimeout):
        await in_process.get("/assistants", timeout=1)
    assert (await in_process.get("/assistants")).status_code == 200  # a wait within the timeout is served
    assert fake.pending_faults == 0


@pytest.mark.anyio
async def test_in_process_answers_carry_the_same_faults(fake: FakeRevox, in_process: httpx.AsyncClient) -> None:
    whole = (await in_process.get("/assistants")).content
    fake.inject(Fault.rate_limited("3"), Fault.truncated_json(), Fault.html_error())

    limited = await in_process.get("/assistants")
    truncated = await in_process.get("/assistants")
    html = await in_process.get("/assistants")

    assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")
    assert whole.startswith(truncated.content)
    assert len(truncated.content) < len(whole)
    assert (html.status_code, html.headers["content-type"]) == (502, "text/html; charset=utf-8")


@pytest.mark.anyio
async def test_a_standing_fault_answers_every_matching_request_until_cleared(
    fake: FakeRevox, in_process: httpx.AsyncClient
) -> None:
    fake.fail_every(Fault.status(503), path="/assistants")
    fake.inject(Fault.status(418), path="/assistants")

    statuses = [(await in_process.get("/assistants")).status_code for _ in range(3)]
    other = await in_process.get("/auth-status")
    fake.fail_every(None)
    healed = await in_process.get("/assistants")

    assert statuses == [418, 503, 503]  # a queued fault first, then the standing one
    assert other.status_code == 200
    assert healed.status_code == 200
