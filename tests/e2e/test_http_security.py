"""HTTP transports: bearer token, Host/Origin checks, /healthz, and the refusal to serve a network unauthenticated.

In-process uvicorn on 127.0.0.1 (ephemeral port) with the real apps `revox_mcp.server.http.serve` builds,
backed by the loopback fake Revox; the refusal is checked on a real `python -m revox_mcp`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
import uvicorn
from fake_revox import FakeRevox
from loopback import NO_TLS, mcp_http, streamable_session
from mcp import Client
from mcp.client.sse import sse_client
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from support import make_server

from revox_mcp import __version__
from revox_mcp.server.binding import bind_refusal, is_loopback
from revox_mcp.server.http import HttpTransport, StaticTokenVerifier, transport_security, uvicorn_config

TOKEN = "tok-7f3e9c2a-canary-bearer"
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


@asynccontextmanager
async def serving(
    fake: FakeRevox,
    transport: HttpTransport,
    *,
    token: str | None = TOKEN,
    security: Callable[[int], TransportSecuritySettings] | None = None,
) -> AsyncIterator[str]:
    """The app `revox-mcp --transport <transport>` serves, under uvicorn on loopback; yields its base URL.

    The socket listens before uvicorn starts, so a client may connect at once: the kernel holds the
    connection until uvicorn accepts it, and no test waits for a start-up.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        server = make_server(key=fake.api_key, base_url=fake.base_url, auth_token=token)
        settings = security(port) if security else transport_security("127.0.0.1", port)
        if transport == "sse":
            app = server.sse_app(transport_security=settings)
        else:
            app = server.streamable_http_app(transport_security=settings)
        uv = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning"))
        async with anyio.create_task_group() as tg:
            tg.start_soon(uv.serve, [sock])
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                uv.should_exit = True


def test_loopback_addresses_are_recognised() -> None:
    """127.0.0.0/8, ::1 and localhost are loopback; wildcard and public addresses are not."""
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "10.0.0.5", "example.com", ""))


def test_non_loopback_bind_needs_a_token_or_an_explicit_opt_out() -> None:
    """A network-reachable bind without a token is refused with one line naming both ways out."""
    refusal = bind_refusal("0.0.0.0", None, allow_unauthenticated=False)
    assert refusal is not None
    assert "\n" not in refusal
    assert "REVOX_MCP_AUTH_TOKEN" in refusal
    assert "--allow-unauthenticated" in refusal
    assert bind_refusal("0.0.0.0", "t", allow_unauthenticated=False) is None
    assert bind_refusal("0.0.0.0", None, allow_unauthenticated=True) is None
    assert bind_refusal("127.0.0.1", None, allow_unauthenticated=False) is None


def test_an_idle_connection_outlives_a_load_balancers_idle_timeout() -> None:
    """A replica must not close an idle connection before the balancer in front of it does (60 s for most):
    with uvicorn's 5 s, a request a balancer or a busy client sends on a connection the replica just
    closed fails with a reset (seen once in CI: 30 sessions on 3 replicas, an httpx ReadError)."""
    config = uvicorn_config(Starlette(), "INFO")
    assert config.timeout_keep_alive > 60
    assert config.log_config is None  # our redacting root handler, not uvicorn's own


def test_rebinding_protection_stays_on_for_a_non_loopback_bind() -> None:
    """Binding an address allows that host:port and loopback, not any Host; extra hosts add to the list."""
    settings = transport_security("10.1.2.3", 8000, ["mcp.example.com", "proxy.internal:443"])
    assert settings.enable_dns_rebinding_protection
    assert {"10.1.2.3:8000", "127.0.0.1:*", "mcp.example.com", "mcp.example.com:*", "proxy.internal:443"} <= set(
        settings.allowed_hosts
    )
    assert "https://mcp.example.com" in settings.allowed_origins
    assert not any(host == "*" or host.startswith("evil") for host in settings.allowed_hosts)
    wildcard = transport_security("0.0.0.0", 8000)
    assert wildcard.enable_dns_rebinding_protection
    assert "0.0.0.0:8000" not in wildcard.allowed_hosts


@pytest.mark.anyio
async def test_token_verifier_accepts_only_the_exact_token() -> None:
    verifier = StaticTokenVerifier(TOKEN)
    assert await verifier.verify_token(TOKEN) is not None
    for wrong in ("", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), "é" + TOKEN):
        assert await verifier.verify_token(wrong) is None


@pytest.mark.anyio
@pytest.mark.parametrize(("transport", "path"), [("streamable-http", "/mcp"), ("sse", "/sse")])
async def test_mcp_endpoint_needs_the_bearer_token_but_healthz_does_not(
    fake: FakeRevox, transport: HttpTransport, path: str
) -> None:
    async with serving(fake, transport) as base, httpx.AsyncClient(timeout=10, verify=NO_TLS) as http:
        health = await http.get(f"{base}/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "version": __version__}
        method, body = ("POST", PING) if transport == "streamable-http" else ("GET", None)
        for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": f"Basic {TOKEN}"}):
            denied = await http.request(method, f"{base}{path}", headers={**ACCEPT, **headers}, json=body)
            assert denied.status_code == 401
            assert denied.headers["www-authenticate"].startswith("Bearer")
            assert TOKEN not in denied.text
        if transport == "sse":
            posted = await http.post(f"{base}/messages/?session_id=0", json=PING, headers=ACCEPT)
            assert posted.status_code == 401
    assert fake.requests == []  # neither /healthz nor a refused request reaches Revox


@pytest.mark.anyio
async def test_streamable_http_with_the_token_serves_tools(fake: FakeRevox) -> None:
    async with (
        serving(fake, "streamable-http") as base,
        streamable_session(f"{base}/mcp", headers={"Authorization": f"Bearer {TOKEN}"}) as client,
    ):
        result = await client.call_tool("list_assistants", {"limit": 2})
        assert not result.is_error
        assert result.structured_content is not None
        assert len(result.structured_content["assistants"]) == 2


@pytest.mark.anyio
async def test_sse_with_the_token_serves_tools(fake: FakeRevox) -> None:
    async with (
        serving(fake, "sse") as base,
        Client(
            sse_client(f"{base}/sse", headers={"Authorization": f"Bearer {TOKEN}"}, httpx_client_factory=mcp_http)
        ) as client,
    ):
        result = await client.call_tool("list_assistants", {"limit": 1})
        assert not result.is_error


@pytest.mark.anyio
async def test_without_a_token_configured_the_endpoint_is_open_on_loopback(fake: FakeRevox) -> None:
    async with (
        serving(fake, "streamable-http", token=None) as base,
        httpx.AsyncClient(timeout=10, verify=NO_TLS) as http,
    ):
        response = await http.post(f"{base}/mcp", json=PING, headers=ACCEPT)
        assert response.status_code != 401


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["streamable-http", "sse"])
async def test_foreign_host_or_origin_is_refused_even_with_the_token(fake: FakeRevox, transport: HttpTransport) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 gets 421 (Host) or 403 (Origin)."""
    async with serving(fake, transport) as base, httpx.AsyncClient(timeout=10, verify=NO_TLS) as http:
        auth = {**ACCEPT, "authorization": f"Bearer {TOKEN}"}
        port = base.rsplit(":", 1)[1]
        if transport == "streamable-http":
            bad_host = await http.post(f"{base}/mcp", json=PING, headers={**auth, "host": f"evil.example:{port}"})
            bad_origin = await http.post(f"{base}/mcp", json=PING, headers={**auth, "origin": "http://evil.example"})
        else:
            bad_host = await http.get(f"{base}/sse", headers={**auth, "host": f"evil.example:{port}"})
            bad_origin = await http.get(f"{base}/sse", headers={**auth, "origin": "http://evil.example"})
        assert bad_host.status_code == 421
        assert bad_origin.status_code == 403


@pytest.mark.anyio
async def test_non_loopback_bind_accepts_its_own_host_and_allowed_hosts_only(fake: FakeRevox) -> None:
    """The settings for `--host 10.1.2.3 --allowed-host mcp.example.com`, served on loopback for the test."""

    def security(port: int) -> TransportSecuritySettings:
        return transport_security("10.1.2.3", port, ["mcp.example.com"])

    async with serving(fake, "streamable-http", security=security) as base:
        port = int(base.rsplit(":", 1)[1])
        auth = {**ACCEPT, "authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(timeout=10, verify=NO_TLS) as http:
            statuses = {}
            for host in (
                f"10.1.2.3:{port}",
                "mcp.example.com",
                f"127.0.0.1:{port}",
                f"10.9.9.9:{port}",
                "evil.example",
            ):
                response = await http.post(f"{base}/mcp", json=PING, headers={**auth, "host": host})
                statuses[host] = response.status_code
        assert statuses[f"10.9.9.9:{port}"] == statuses["evil.example"] == 421
        assert all(statuses[host] not in (401, 403, 421) for host in (f"10.1.2.3:{port}", "mcp.example.com"))


@pytest.mark.parametrize("transport", ["sse", "streamable-http"])
def test_cli_refuses_a_public_bind_without_a_token(transport: str) -> None:
    """Exit 2 with one clear line on stderr, before binding anything."""
    env = {key: value for key, value in os.environ.items() if key != "REVOX_MCP_AUTH_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "revox_mcp", "--demo", "--transport", transport, "--host", "0.0.0.0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("revox-mcp: refusing to serve on 0.0.0.0")
    assert done.stdout == ""
