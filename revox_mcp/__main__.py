"""Command line: the one composition root. Reads settings, sets up logging, builds and runs the server.

revox-mcp [--transport stdio|sse|streamable-http] [--host H] [--port P] [--auth-token T]
          [--allowed-host H[:P] ...] [--allow-unauthenticated] [--demo]
revox-mcp [--demo] call TOOL [name=value ...]
revox-mcp [--demo] read URI
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from revox_mcp import __version__
from revox_mcp.settings import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from revox_mcp.server.app import Runtime

TRANSPORTS = ("stdio", "sse", "streamable-http")
AUTH_TOKEN_ENV = "REVOX_MCP_AUTH_TOKEN"  # noqa: S105  # a variable name, not a secret

log = logging.getLogger("revox_mcp")

HINT = """\
revox-mcp {version}: a Model Context Protocol server giving AI agents read-only access to Revox
voice assistants. It speaks MCP on stdin/stdout, so it is meant to be started by an MCP client
(Claude Desktop, Claude Code, Cursor, VS Code...), not typed at. See README.md for the config block.

  Try it without a key:   revox-mcp --demo call list_assistants
  Read one assistant:     revox-mcp --demo call get_assistant assistant_id=0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61
  Serve over HTTP:        revox-mcp --transport streamable-http   (then connect to http://127.0.0.1:8000/mcp)

Waiting for an MCP client on stdin (Ctrl-C to quit)."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="revox-mcp",
        description="Read-only MCP server for Revox voice assistants.",
        epilog="Environment: REVOX_API_KEY (required unless --demo), REVOX_BASE_URL, REVOX_MCP_CACHE_TTL, "
        "REVOX_MCP_TIMEOUT, REVOX_MCP_LOG_LEVEL, REVOX_MCP_AUTH_TOKEN, REVOX_MCP_PERSONAL_DATA (mask|show).",
    )
    parser.add_argument("--transport", choices=TRANSPORTS, default="stdio", help="default: stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    parser.add_argument(
        "--auth-token",
        help=f"bearer token HTTP clients must send (default: ${AUTH_TOKEN_ENV}; the variable keeps it out of ps)",
    )
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="also accept this Host header (DNS-rebinding check), e.g. mcp.example.com; repeatable",
    )
    parser.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        help="serve HTTP on a non-loopback address without a token (only behind another guard)",
    )
    parser.add_argument("--demo", action="store_true", help="serve the built-in sample assistants; no key needed")
    parser.add_argument("--version", action="version", version=f"revox-mcp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{call,read}")
    call = sub.add_parser("call", help="call a tool in-process and print its answer")
    call.add_argument("tool")
    call.add_argument("arguments", nargs="*", metavar="name=value", help="values are JSON when they parse as JSON")
    call.add_argument("--json", action="store_true", help="print the structured content instead of the text")
    read = sub.add_parser("read", help="read a resource in-process and print it")
    read.add_argument("uri")
    return parser.parse_args(argv)


class _RedactingFormatter(logging.Formatter):
    """Last line of defence: no log line, traceback included, may contain a secret, whatever logged it."""

    def __init__(self, fmt: str, secrets: Sequence[str]) -> None:
        super().__init__(fmt)
        # Longest first, so a secret containing another is masked whole.
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return text


def configure_logging(settings: Settings, secrets: Sequence[str] = ()) -> None:
    """Log to stderr only (on stdio, stdout belongs to the protocol), with the API key and ``secrets`` masked."""
    handler = logging.StreamHandler(sys.stderr)
    masked = [*secrets, settings.api_key.get_secret_value()] if settings.api_key is not None else list(secrets)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", masked))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    quiet = logging.WARNING if settings.log_level != "DEBUG" else logging.DEBUG
    for noisy in ("httpx", "httpcore", "httpx2", "httpcore2", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(quiet, logging.getLogger(noisy).level))


def runtime_for(settings: Settings, auth_token: str | None) -> Runtime:
    """What the server is built from: the real API with the configured key, or the demo data in-process."""
    from revox_mcp.api.client import RevoxApi
    from revox_mcp.credential import Credential
    from revox_mcp.server.app import FixedCredential, Runtime

    if settings.demo:
        from revox_mcp.api.demo import DEMO_API_KEY, DEMO_BASE_URL, demo_transport

        def make_demo() -> RevoxApi:
            return RevoxApi(base_url=DEMO_BASE_URL, timeout=settings.timeout, transport=demo_transport())

        return Runtime(
            api=make_demo,
            credentials=FixedCredential(Credential(DEMO_API_KEY)),
            demo=True,
            auth_token=auth_token,
            cache_ttl=settings.cache_ttl,
            personal_data=settings.personal_data,
        )
    assert settings.api_key is not None
    key = settings.api_key.get_secret_value()

    def make() -> RevoxApi:
        return RevoxApi(base_url=settings.base_url, timeout=settings.timeout)

    return Runtime(
        api=make,
        credentials=FixedCredential(Credential(key)),
        auth_token=auth_token,
        cache_ttl=settings.cache_ttl,
        own_secrets=tuple(secret for secret in (key, auth_token) if secret),
        personal_data=settings.personal_data,
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        settings = load_settings(os.environ, demo=args.demo)
    except ConfigError as exc:
        print(f"revox-mcp: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # The token is a transport concern, not a Revox setting: read here, next to the flag it defaults.
    auth_token = (args.auth_token if args.auth_token is not None else os.environ.get(AUTH_TOKEN_ENV, "")).strip()
    configure_logging(settings, [auth_token])
    serving_http = args.command is None and args.transport != "stdio"
    if serving_http:
        from revox_mcp.server.http import bind_refusal

        refusal = bind_refusal(args.host, auth_token or None, args.allow_unauthenticated)
        if refusal is not None:
            print(f"revox-mcp: {refusal}", file=sys.stderr)
            raise SystemExit(2)

    from revox_mcp.server.app import build_server

    server = build_server(runtime_for(settings, (auth_token or None) if serving_http else None))
    if args.command in ("call", "read"):
        from revox_mcp.server.cli import run_cli

        raise SystemExit(run_cli(server, args))
    if args.transport == "stdio":
        if sys.stdin.isatty():
            print(HINT.format(version=__version__), file=sys.stderr)
        server.run("stdio")
        return
    from revox_mcp.server.http import serve, transport_security

    log.info(
        "serving %s on %s:%d (bearer token %s, DNS-rebinding protection on)",
        args.transport,
        args.host,
        args.port,
        "required" if auth_token else "not required",
    )
    security = transport_security(args.host, args.port, args.allowed_host)
    serve(server, args.transport, host=args.host, port=args.port, security=security, log_level=settings.log_level)


if __name__ == "__main__":
    main()
