"""Where the HTTP transports listen: whether a bind address may serve without a token, and the
listening socket. Nothing here imports the SDK, so a refused bind or a taken port is answered in one
line before the server (and the SDK) loads."""

from __future__ import annotations

import errno
import ipaddress
import socket

LOOPBACK_NAMES = ("localhost",)


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


class BindError(OSError):
    """Raised when the HTTP port cannot be bound; the message says why and what to do, in one line."""


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is served, so a taken port is one clear line."""
    name = host.strip().strip("[]")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            name, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise BindError(f"cannot serve on --host {host!r}: {exc}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart may reuse the port at once
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise BindError(
                f"port {port} on {host} is already in use: stop what uses it, or pick another --port"
            ) from None
        if exc.errno == errno.EACCES:
            raise BindError(f"not allowed to use port {port} on {host}: pick a --port above 1023") from None
        raise BindError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)  # clients that connect before uvicorn starts accepting wait in the backlog
    sock.set_inheritable(True)
    return sock
