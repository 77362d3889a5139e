"""HTTP clients of the servers the tests start on this machine.

They speak plain HTTP to loopback and never TLS, so they share one TLS context, ``NO_TLS``, which
trusts nothing. An httpx client built without one loads the CA bundle again: about 20 ms of CPU per
client, and the team, load and conformance tests open hundreds of sessions.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import MCP_DEFAULT_SSE_READ_TIMEOUT, MCP_DEFAULT_TIMEOUT

# Trusts no certificate: an https URL given to a test client fails rather than going unchecked.
NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def mcp_http(
    *,
    headers: dict[str, str] | None = None,
    auth: httpx2.Auth | None = None,
    timeout: httpx2.Timeout | float | None = None,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> httpx2.AsyncClient:
    """The HTTP client the SDK's transports build by default (its timeouts), on ``NO_TLS``; also
    what ``sse_client(httpx_client_factory=...)`` takes."""
    if timeout is None:
        timeout = httpx2.Timeout(MCP_DEFAULT_TIMEOUT, read=MCP_DEFAULT_SSE_READ_TIMEOUT)
    return httpx2.AsyncClient(headers=headers, auth=auth, timeout=timeout, transport=transport, verify=NO_TLS)


@asynccontextmanager
async def streamable_session(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    transport: httpx2.AsyncBaseTransport | None = None,
    **client: Any,
) -> AsyncIterator[Client]:
    """The official client over streamable HTTP at ``url`` (``client``: Client's own options)."""
    async with (
        mcp_http(headers=headers, transport=transport) as http,
        Client(streamable_http_client(url, http_client=http), **client) as session,
    ):
        yield session
