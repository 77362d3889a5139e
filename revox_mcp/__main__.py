"""Command line: parses the arguments, loads the settings, sets up logging, builds the server (the
composition root, ``server.app.build_server``) and runs it.

revox-mcp [--transport stdio|sse|streamable-http] [--host H] [--port P] [--auth-token T]
          [--allowed-host H[:P] ...] [--allow-unauthenticated] [--demo] [--multi-user]
revox-mcp [--demo] call TOOL [name=value ...] [--json]     (call --help, call TOOL --help)
revox-mcp [--demo] read URI                                (read --help)
revox-mcp --erase-history                                  (delete the stored assistant versions)
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import textwrap
import threading
from collections.abc import Sequence

from revox_mcp import __version__
from revox_mcp.logs import configure_logging
from revox_mcp.settings import ConfigError, Settings, load_settings

TRANSPORTS = ("stdio", "sse", "streamable-http")
AUTH_TOKEN_ENV = "REVOX_MCP_AUTH_TOKEN"  # noqa: S105  # a variable name, not a secret

log = logging.getLogger("revox_mcp")

HISTORY_HELP = """

History: each time the server fetches an assistant whose configuration changed, it stores the new
version (as answers show it: secrets redacted, never a key) and when it saw it, for assistant_history
and analyze_calls. REVOX_MCP_HISTORY: auto (default: a SQLite file, or Redis when REVOX_MCP_REDIS_URL
is set), sqlite, redis, memory, or off (nothing is written anywhere). The file is history.sqlite3 in
REVOX_MCP_STATE_DIR (default $XDG_STATE_HOME/revox-mcp, else ~/.local/state/revox-mcp). Erase it:
revox-mcp --erase-history (or delete that file). The demo keeps its history in memory."""

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
        epilog=textwrap.fill(
            "Environment: REVOX_API_KEY (required unless --demo or --multi-user), REVOX_BASE_URL, "
            "REVOX_MCP_CACHE_TTL, REVOX_MCP_TIMEOUT, REVOX_MCP_LOG_LEVEL, REVOX_MCP_AUTH_TOKEN, "
            "REVOX_MCP_PERSONAL_DATA (mask|show), REVOX_MCP_REDIS_URL, REVOX_MCP_KEY_RATE_LIMIT, "
            "REVOX_MCP_HISTORY, REVOX_MCP_STATE_DIR.",
            100,
        )
        + HISTORY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--transport", choices=TRANSPORTS, default="stdio", help="default: stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", default="8000", help="HTTP port, 1-65535, or 0 for any free one (default 8000)")
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
    parser.add_argument(
        "--demo", action="store_true", help="serve the built-in sample assistants; no key needed (or REVOX_MCP_DEMO=1)"
    )
    parser.add_argument(
        "--multi-user",
        action="store_true",
        help="HTTP only: each request brings its own Revox key as Authorization: Bearer <key> "
        "(no REVOX_API_KEY; share the cache between replicas with REVOX_MCP_REDIS_URL)",
    )
    parser.add_argument(
        "--erase-history",
        action="store_true",
        help="delete every assistant version the server stored (REVOX_MCP_HISTORY's store), then exit",
    )
    parser.add_argument("--version", action="version", version=f"revox-mcp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{call,read}")
    # The commands parse their own flags wherever they stand (`call list_assistants --json limit=1`),
    # and --help lists what the server offers (call --help: the tools; call TOOL --help: its parameters).
    commands = {
        "call": ("call a tool in-process and print its answer (call --help lists the tools)", "TOOL [name=value ...]"),
        "read": ("read a resource in-process and print it (read --help lists them)", "URI"),
    }
    for name, (what, words) in commands.items():
        command = sub.add_parser(name, add_help=False, help=what, usage=f"revox-mcp [--demo] {name} {words}")
        command.add_argument("words", nargs="*")
        command.add_argument("-h", "--help", action="store_true")
        # Also after the command; SUPPRESS, so that its absence there never undoes a --demo before it.
        command.add_argument("--demo", action="store_true", default=argparse.SUPPRESS)
        if name == "call":
            command.add_argument("--json", action="store_true")
    args, extras = parser.parse_known_args(argv)
    _command_words(parser, args, extras)
    return args


def _command_words(parser: argparse.ArgumentParser, args: argparse.Namespace, extras: list[str]) -> None:
    """Set ``tool`` and ``arguments`` (call) or ``uri`` (read) from the words around the flags; exit 2
    (argparse's way) on a flag nobody takes, or words without a command."""
    stray = [word for word in extras if word.startswith("-")] if args.command else extras
    if stray:
        parser.error(f"unrecognized arguments: {' '.join(stray)}")
    if args.command is None:
        return
    words = [*args.words, *extras]
    if args.command == "call":
        args.tool = words[0] if words else None
        args.arguments = words[1:]
    else:
        if len(words) > 1:
            parser.error(f"read takes one URI, got {len(words)}: {' '.join(words)[:200]}")
        args.uri = words[0] if words else None


# --- team deployment: --multi-user and REVOX_MCP_REDIS_URL ------------------------------------------


def team_problem(args: argparse.Namespace, auth_token: str) -> str | None:
    """Why a --multi-user command line cannot start, or None."""
    if not args.multi_user:
        return None
    if args.command is not None or args.transport == "stdio":
        return "--multi-user needs an HTTP transport (--transport streamable-http or sse): each request brings its key"
    if args.demo:
        return "--multi-user and --demo do not mix: the demo has one built-in key"
    if auth_token:
        return (
            "--multi-user takes no --auth-token (nor REVOX_MCP_AUTH_TOKEN): each caller's Revox key is the "
            "credential; put any extra gate in the proxy in front"
        )
    return None


def port_number(raw: str) -> int:
    """``--port`` as a number, or a ConfigError naming the flag; 0 lets the system pick a free port."""
    text = raw.strip()
    if not text.isdecimal() or not 0 <= int(text) <= 65535:
        raise ConfigError(f"--port must be a whole number from 0 to 65535 (0: any free port), got {raw[:20]!r}")
    return int(text)


def _quit_on_ctrl_c() -> None:
    """Make the first Ctrl-C on stdio quit at once (``_quit_now``), whichever thread the kernel hands it to.

    A Python signal handler runs only in the main thread, and only once that thread runs bytecode
    again. The kernel may deliver SIGINT to any thread that does not block it: given to the SDK's
    stdin reader thread, it left the main thread asleep in the event loop, and the server ignored
    Ctrl-C. So, where threads can block signals, SIGINT is blocked here, before any other thread
    starts (every later thread inherits the block), and one thread of ours waits for it.
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no per-thread signals, the handler is enough
        signal.signal(signal.SIGINT, _quit_now)
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    threading.Thread(target=_wait_for_ctrl_c, name="revox-mcp-ctrl-c", daemon=True).start()


def _wait_for_ctrl_c() -> None:
    signal.sigwait({signal.SIGINT})
    _quit_now(signal.SIGINT, None)


def _quit_now(_signum: int, _frame: object) -> None:
    """Ctrl-C on stdio: the SDK reads stdin in a worker thread that no cancellation can wake, so the
    first Ctrl-C would wait for input and the second print a traceback. Nothing here needs cleaning up
    (no file is written, the HTTP client holds no state worth closing), so leave at once."""
    sys.stderr.flush()
    os._exit(130)


def erase_history(settings: Settings) -> int:
    """--erase-history: the configured store's versions deleted; one line saying how many, where."""
    if settings.demo:
        print("revox-mcp: the demo keeps its history in memory: nothing to erase")
        return 0
    import anyio

    from revox_mcp.history.settings import erase_configured
    from revox_mcp.history.version import StoreError

    try:
        erased, where = anyio.run(erase_configured, settings)
    except StoreError as exc:
        print(f"revox-mcp: the history could not be erased: {exc}", file=sys.stderr)
        return 1
    print(f"revox-mcp: erased {erased} stored assistant version{'s' if erased != 1 else ''} from {where}")
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    try:
        _main(argv)
    except KeyboardInterrupt:  # Ctrl-C before serving started (or during `call`): no traceback
        print("revox-mcp: stopped", file=sys.stderr)
        raise SystemExit(130) from None


def _main(argv: Sequence[str] | None) -> None:
    args = parse_args(argv)
    if args.command is not None and args.help:
        # What the server offers is the same for every key: listed from the demo, no key needed.
        from revox_mcp.server.app import build_server
        from revox_mcp.server.cli import run_cli

        raise SystemExit(run_cli(build_server(Settings(api_key=None, demo=True)), args))
    # REVOX_MCP_DEMO: the demo switch for launchers that set variables, not flags (the MCP bundle's toggle).
    demo = args.demo or os.environ.get("REVOX_MCP_DEMO", "").strip().lower() in ("1", "true", "yes", "on")
    try:
        settings = load_settings(os.environ, demo=demo, multi_user=args.multi_user, key_needed=not args.erase_history)
        port = port_number(args.port)
    except ConfigError as exc:
        print(f"revox-mcp: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if args.erase_history:
        raise SystemExit(erase_history(settings))
    # The token is a transport concern, not a Revox setting: read here, next to the flag it defaults.
    auth_token = (args.auth_token if args.auth_token is not None else os.environ.get(AUTH_TOKEN_ENV, "")).strip()
    if (problem := team_problem(args, auth_token)) is not None:
        print(f"revox-mcp: {problem}", file=sys.stderr)
        raise SystemExit(2)
    configure_logging(settings.log_level, [*settings.secrets(), auth_token])
    serving_http = args.command is None and args.transport != "stdio"
    if serving_http:
        from revox_mcp.server.binding import BindError, bind, bind_refusal

        # In multi-user mode every request must carry a key Revox accepts: that is the bearer token.
        refusal = bind_refusal(args.host, auth_token or None, args.allow_unauthenticated or args.multi_user)
        if refusal is not None:
            print(f"revox-mcp: {refusal}", file=sys.stderr)
            raise SystemExit(2)
        try:
            sock = bind(args.host, port)
        except BindError as exc:
            print(f"revox-mcp: {exc}", file=sys.stderr)
            raise SystemExit(2) from None

    from revox_mcp.server.app import build_server

    try:
        server = build_server(settings, auth_token=(auth_token or None) if serving_http else None)
    except ConfigError as exc:
        print(f"revox-mcp: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if args.command in ("call", "read"):
        from revox_mcp.server.cli import run_cli

        raise SystemExit(run_cli(server, args))
    if args.transport == "stdio":
        _quit_on_ctrl_c()  # before the hint: a Ctrl-C right after it must already quit
        if sys.stdin.isatty():
            print(HINT.format(version=__version__), file=sys.stderr)
        server.run("stdio")
        return
    from revox_mcp.server.http import serve, transport_security

    bound_port = int(sock.getsockname()[1])
    log.info(
        "serving %s on %s:%d (bearer token %s, DNS-rebinding protection on)",
        args.transport,
        args.host,
        bound_port,
        "required" if auth_token else "not required",
    )
    security = transport_security(args.host, bound_port, args.allowed_host)
    serve(
        server,
        args.transport,
        sock=sock,
        security=security,
        log_level=settings.log_level,
        auth_hint=(
            "each caller sends Authorization: Bearer <their Revox API key>"
            if settings.multi_user
            else "send Authorization: Bearer <REVOX_MCP_AUTH_TOKEN>"
            if auth_token
            else "no token required"
        ),
        stateless=settings.replicated,  # any replica answers any request: no sessions
    )


if __name__ == "__main__":
    main()
