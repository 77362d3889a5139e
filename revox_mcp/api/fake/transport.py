"""The fake Revox in process: an httpx transport over ``FakeApi`` (the demo, and tests without sockets)."""

from __future__ import annotations

import httpx

from revox_mcp.api.fake.routes import FakeApi

# Revox's base URL ends in /api (https://www.getrevox.com/api), as the demo's and the tests' do.
BASE_PATH = "/api"


def path_under(request: httpx.Request, base_path: str = BASE_PATH) -> str:
    """The request's raw path (percent-encoding kept, no query) under the API's root."""
    path = request.url.raw_path.decode("ascii").split("?", 1)[0]
    return path[len(base_path) :] if path.startswith(base_path + "/") else path


def fake_transport(api: FakeApi, base_path: str = BASE_PATH) -> httpx.MockTransport:
    """Requests answered in process by ``api``, as its loopback server would answer them."""

    def handle(request: httpx.Request) -> httpx.Response:
        answer = api.answer(
            request.method, path_under(request, base_path), request.headers.get("authorization"), request.content
        )
        return httpx.Response(answer.status, headers=list(answer.headers), content=answer.body)

    return httpx.MockTransport(handle)
