"""What only the HTTP transports (SSE, streamable HTTP) need: bearer auth, Host/Origin checks, /healthz, uvicorn.

stdio has no network surface, so none of this applies to it.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Literal

import anyio
import uvicorn
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from revox_mcp import __version__
from revox_mcp.server.binding import is_loopback

log = logging.getLogger(__name__)

HttpTransport = Literal["sse", "streamable-http"]
# Always accepted as Host: a client on the machine itself, whatever the bind address.
_LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*")
_HAS_PORT = re.compile(r"^(\[[^\]]*\]|[^:\[\]]+):(\d+|\*)$")
_LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")
# How long an idle client connection stays open: longer than a load balancer's idle timeout (60 s for
# most), so the balancer, not the replica, closes it. With uvicorn's 5 s, a replica closes connections
# that a balancer or a busy client is about to reuse, and that request fails with a reset connection.
KEEP_ALIVE_SECONDS = 75


class StaticTokenVerifier(TokenVerifier):
    """Accepts exactly one bearer token, compared in constant time."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def verify_token(self, token: str) -> AccessToken | None:
        if hmac.compare_digest(token.encode(), self._token):
            # The AccessToken is request-scoped and never logged; it must carry the token by type.
            return AccessToken(token=token, client_id="revox-mcp-client", scopes=[])
        return None  # the SDK answers 401 with WWW-Authenticate: Bearer error="invalid_token"


def auth_settings() -> AuthSettings:
    """Bearer-only resource server: no OAuth endpoints, no metadata route."""
    return AuthSettings(
        issuer_url="https://revox-mcp.invalid",  # required by the model, unused for a static token
        resource_server_url=None,
    )


def add_healthz(server: MCPServer) -> None:
    """GET /healthz for orchestrators: no auth, no upstream call, nothing secret."""

    @server.custom_route("/healthz", methods=["GET"])  # type: ignore[untyped-decorator]  # unannotated in mcp 2.3
    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})


def holding(app: Starlette, held: AbstractAsyncContextManager[Any] | None) -> Starlette:
    """``app``, keeping ``held`` open for as long as it serves (entered with the app's lifespan,
    around the SDK's own): what must outlive one MCP session, such as the key verifier's cache."""
    if held is None:
        return app
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: Starlette) -> AsyncIterator[Any]:
        async with held, inner(served) as state:
            yield state

    app.router.lifespan_context = lifespan
    return app


def _host_header(host: str, port: int) -> str:
    name = host.strip().strip("[]")
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


def transport_security(host: str, port: int, allowed_hosts: Sequence[str] = ()) -> TransportSecuritySettings:
    """DNS-rebinding protection, always on: loopback names, the bind address and ``allowed_hosts`` only.

    The SDK switches the check off for any non-loopback bind; we keep it on and allow that
    host:port instead. An ``allowed_hosts`` entry without a port allows any port.
    """
    hosts = list(_LOOPBACK_HOSTS)
    origins = list(_LOOPBACK_ORIGINS)
    extra = [] if is_loopback(host) or host in ("0.0.0.0", "::") else [_host_header(host, port)]  # noqa: S104
    for entry in (item.strip() for item in [*extra, *allowed_hosts]):
        if not entry:
            continue
        if _HAS_PORT.match(entry):
            hosts.append(entry)
            origins += [f"http://{entry}", f"https://{entry}"]
        else:
            hosts += [entry, f"{entry}:*"]
            origins += [f"http://{entry}", f"https://{entry}", f"http://{entry}:*", f"https://{entry}:*"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def endpoint_url(transport: HttpTransport, sock: socket.socket) -> str:
    """The URL a client on this machine connects to: /mcp (streamable HTTP) or /sse."""
    host, port = sock.getsockname()[:2]
    if ipaddress.ip_address(host).is_unspecified:  # 0.0.0.0 or ::: reachable locally through loopback
        host = "127.0.0.1" if sock.family == socket.AF_INET else "::1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/{'sse' if transport == 'sse' else 'mcp'}"


class _AnnouncingServer(uvicorn.Server):
    """uvicorn, printing the URL to connect to once it has started. By then it has its signal handlers,
    so a Ctrl-C from a user who read the line (or a supervisor that waited for it) always stops it
    cleanly; printed earlier, a Ctrl-C could land while a module loads, where Python drops it."""

    def __init__(self, config: uvicorn.Config, line: str) -> None:
        super().__init__(config)
        self._line = line

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            print(self._line, file=sys.stderr, flush=True)


def uvicorn_config(app: Starlette, log_level: str) -> uvicorn.Config:
    """How uvicorn serves ``app``: logging through our root handler, a short graceful stop, a long keep-alive."""
    return uvicorn.Config(
        app,
        log_config=None,
        log_level=log_level.lower(),
        timeout_graceful_shutdown=3,  # open SSE streams must not hold Ctrl-C up
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


def serve(
    server: MCPServer,
    transport: HttpTransport,
    *,
    sock: socket.socket,
    security: TransportSecuritySettings,
    log_level: str,
    auth_hint: str,
    stateless: bool = False,
) -> None:
    """Run the HTTP app under uvicorn on ``sock``, logging through our (redacting) root handler.

    Prints the URL to connect to on stderr once listening; Ctrl-C stops it without a traceback.
    ``stateless``: no streamable-HTTP sessions, so that any replica answers any request (team deployments).
    """
    host = sock.getsockname()[0]
    if transport == "sse":
        app = server.sse_app(transport_security=security, host=host)
    else:
        app = server.streamable_http_app(transport_security=security, host=host, stateless_http=stateless)
    config = uvicorn_config(app, log_level)
    label = "SSE" if transport == "sse" else "streamable HTTP"
    url = endpoint_url(transport, sock)
    line = f"revox-mcp {__version__}: {label} on {url} ({auth_hint}); Ctrl-C to quit"
    server_ = _AnnouncingServer(config, line)
    try:
        anyio.run(server_.serve, [sock])
    except KeyboardInterrupt:  # uvicorn shut down cleanly, then re-raised the signal it caught
        print("revox-mcp: stopped", file=sys.stderr)
    finally:
        sock.close()
