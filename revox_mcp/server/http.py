"""What only the HTTP transports (SSE, streamable HTTP) need: bearer auth, Host/Origin checks, /healthz, uvicorn.

stdio has no network surface, so none of this applies to it.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
from collections.abc import Sequence
from typing import Literal

import anyio
import uvicorn
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse

from revox_mcp import __version__

log = logging.getLogger(__name__)

HttpTransport = Literal["sse", "streamable-http"]
LOOPBACK_NAMES = ("localhost",)
# Always accepted as Host: a client on the machine itself, whatever the bind address.
_LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*")
_HAS_PORT = re.compile(r"^(\[[^\]]*\]|[^:\[\]]+):(\d+|\*)$")
_LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")


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


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def bind_refusal(host: str, token: str | None, allow_unauthenticated: bool) -> str | None:
    """The one-line reason not to start, or None: a network-reachable bind needs a token."""
    if token or allow_unauthenticated or is_loopback(host):
        return None
    return (
        f"refusing to serve on {host} without a bearer token: set REVOX_MCP_AUTH_TOKEN (or --auth-token), "
        "or pass --allow-unauthenticated if something else guards this port"
    )


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


def serve(
    server: MCPServer,
    transport: HttpTransport,
    *,
    host: str,
    port: int,
    security: TransportSecuritySettings,
    log_level: str,
    stateless: bool = False,
) -> None:
    """Run the HTTP app under uvicorn, logging through our (redacting) root handler, not uvicorn's own.

    ``stateless``: no streamable-HTTP sessions, so that any replica answers any request (team deployments).
    """
    if transport == "sse":
        app = server.sse_app(transport_security=security, host=host)
    else:
        app = server.streamable_http_app(transport_security=security, host=host, stateless_http=stateless)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, log_level=log_level.lower())
    anyio.run(uvicorn.Server(config).serve)
