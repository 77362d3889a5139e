"""The real process on each transport: `python -m revox_mcp --demo` over stdio, streamable HTTP and SSE.

Both client modes on each: "auto" (2026-07-28, what the in-process tests use) and the 2025-11-25
initialize handshake that third-party clients such as the Inspector still speak.
"""

from __future__ import annotations

import json
import os
import pty
import re
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client, ClientSession, StdioServerParameters, stdio_client
from mcp.client.sse import sse_client
from mcp.types import CallToolResult, TextContent
from processes import child_env

from revox_mcp.__main__ import main

BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
FRENCH_NAME = "Relance impayés - FR (OpenRouter)"
LEGACY_PROTOCOL = "2025-11-25"
MODERN_PROTOCOL = "2026-07-28"
# The child inherits nothing but this (and what the stdio client adds: HOME, LOGNAME, PATH...).
CHILD_ENV = child_env(REVOX_MCP_LOG_LEVEL="WARNING")


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def check_listing(result: CallToolResult) -> None:
    assert result.is_error is False, text_of(result)
    assert result.structured_content is not None
    assert result.structured_content["total"] == 9
    assert FRENCH_NAME in text_of(result)  # non-ASCII survives the real wire


def check_assistant(result: CallToolResult) -> None:
    assert result.is_error is False, text_of(result)
    assert result.structured_content is not None
    assert result.structured_content["id"] == BASELINE_ID


# --------------------------------------------------------------------------- stdio


def _stdio_params() -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "revox_mcp", "--demo"], env=CHILD_ENV)


@pytest.mark.anyio
async def test_stdio_subprocess_in_auto_mode():
    with anyio.fail_after(30):
        async with Client(_stdio_params()) as client:
            assert client.protocol_version == MODERN_PROTOCOL
            assert client.server_info is not None
            assert client.server_info.name == "revox-mcp"
            names = [tool.name for tool in (await client.list_tools()).tools]
            assert names[:2] == ["list_assistants", "get_assistant"]
            check_listing(await client.call_tool("list_assistants", {}))
            check_assistant(await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID}))
            index = await client.read_resource("revox://assistants")
            assert json.loads(index.contents[0].text)["total"] == 9  # type: ignore[union-attr]
            missing = await client.call_tool("get_assistant", {"assistant_id": "nope"})
            assert missing.is_error is True
            assert "list_assistants" in text_of(missing)


@pytest.mark.anyio
async def test_stdio_subprocess_with_the_legacy_initialize_handshake():
    with anyio.fail_after(30):
        async with stdio_client(_stdio_params()) as (read, write), ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.protocol_version == LEGACY_PROTOCOL
            assert init.server_info.name == "revox-mcp"
            names = [tool.name for tool in (await session.list_tools()).tools]
            assert names[:2] == ["list_assistants", "get_assistant"]
            check_listing(await session.call_tool("list_assistants", {}))
            check_assistant(await session.call_tool("get_assistant", {"assistant_id": BASELINE_ID}))
            one = await session.read_resource(f"revox://assistants/{BASELINE_ID}")
            assert json.loads(one.contents[0].text)["id"] == BASELINE_ID  # type: ignore[union-attr]


def revox(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m revox_mcp <args>` as a real process that is expected to exit at once."""
    return subprocess.run(
        [sys.executable, "-m", "revox_mcp", *args],
        env=CHILD_ENV,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_missing_api_key_exits_2_with_one_line_naming_the_variable():
    done = revox()
    assert done.returncode == 2
    assert done.stdout == ""  # stdout belongs to the protocol
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "REVOX_API_KEY" in lines[0]
    assert "--demo" in lines[0]
    assert "Traceback" not in done.stderr


# What loads before a client can list the tools (no service, no output model), and which answer models
# one call builds (cold start).
LIST_THEN_CALL = """
import sys, anyio
from mcp import Client
from revox_mcp.server.app import build_server
from revox_mcp.settings import Settings

def services():
    return sorted(name for name in sys.modules if name.startswith(("revox_mcp.service.", "revox_mcp.domain.")))

async def main():
    async with Client(build_server(Settings(api_key=None, demo=True))) as client:
        await client.list_tools()
        print(*services())
        assert (await client.call_tool("list_assistants", {"limit": 1})).is_error is False
        print(*services())
    from pydantic import BaseModel
    from revox_mcp.service import answers
    models = [value for value in vars(answers).values() if isinstance(value, type) and issubclass(value, BaseModel)]
    print(*sorted(model.__name__ for model in models if model.__pydantic_complete__))
    print(*sorted(model.__name__ for model in models))

anyio.run(main)
"""


def test_a_server_lists_its_tools_without_loading_a_service_or_an_answer_model_and_builds_only_what_it_answers():
    done = subprocess.run(
        [sys.executable, "-c", LIST_THEN_CALL], env=CHILD_ENV, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    listed, called, built, every = (set(line.split()) for line in done.stdout.splitlines())
    # The output schemas are read from output_schemas.json: no answer model, nor the domain types they hold.
    assert {name for name in listed if name.startswith("revox_mcp.service.")} == {"revox_mcp.service.results"}
    models = {"revox_mcp.service.answers", "revox_mcp.domain.summary", "revox_mcp.domain.findings"}
    assert not models & listed
    assert {"revox_mcp.service.bundle", "revox_mcp.service.data", "revox_mcp.service.assistants"} | models <= called
    # Each model is built on first use (defer_build), not at import: one tool's answer, one model built.
    assert built == {"AssistantPage", "AssistantSummary"}  # the page and the summaries it holds
    assert {"CallAnalysis", "DiagnosisView", "StatusView", "Finding", "Change"} <= every


# --------------------------------------------------------------------------- HTTP transports


URL_LINE = re.compile(r"^revox-mcp \S+: (streamable HTTP|SSE) on (http://\S+) \((.*)\); Ctrl-C to quit$")


def _start(transport: str, *extra: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``revox-mcp --demo --transport ... --port 0``; return it and the URL its first stderr line gives."""
    process = subprocess.Popen(
        [sys.executable, "-m", "revox_mcp", "--demo", "--transport", transport, "--port", "0", *extra],
        env=env or CHILD_ENV,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        if not selector.select(timeout=20):
            process.kill()
            pytest.fail(f"{transport} server printed nothing within 20 s")
    line = process.stderr.readline().decode().strip()
    match = URL_LINE.match(line)
    if match is None:
        process.kill()
        pytest.fail(f"unexpected start-up line: {line!r} {process.stderr.read().decode(errors='replace')}")
    return process, match.group(2)


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> str:
    """Send ``sig``, wait (kill after 10 s); the rest of stderr."""
    process.send_signal(sig)
    try:
        _, stderr = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        pytest.fail(f"server still running 10 s after signal {sig}")
    return stderr.decode(errors="replace")


def _serve(transport: str) -> Iterator[str]:
    """A served demo for the module; yield its base URL (without /mcp or /sse); always stop it."""
    process, url = _start(transport)
    try:
        yield url.rsplit("/", 1)[0]
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def streamable_http_url() -> Iterator[str]:
    yield from _serve("streamable-http")


@pytest.fixture(scope="module")
def sse_url() -> Iterator[str]:
    yield from _serve("sse")


async def _exercise(client: Client) -> None:
    names = [tool.name for tool in (await client.list_tools()).tools]
    assert names[:2] == ["list_assistants", "get_assistant"]
    check_listing(await client.call_tool("list_assistants", {}))
    check_assistant(await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID}))
    index = await client.read_resource("revox://assistants")
    assert json.loads(index.contents[0].text)["total"] == 9  # type: ignore[union-attr]


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "protocol"), [("auto", MODERN_PROTOCOL), ("legacy", LEGACY_PROTOCOL)])
async def test_streamable_http_subprocess(streamable_http_url: str, mode: Any, protocol: str):
    with anyio.fail_after(30):
        async with Client(f"{streamable_http_url}/mcp", mode=mode) as client:
            assert client.protocol_version == protocol
            await _exercise(client)


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "protocol"), [("auto", MODERN_PROTOCOL), ("legacy", LEGACY_PROTOCOL)])
async def test_sse_subprocess(sse_url: str, mode: Any, protocol: str):
    with anyio.fail_after(30):
        async with Client(sse_client(f"{sse_url}/sse"), mode=mode) as client:
            assert client.protocol_version == protocol
            await _exercise(client)


# --------------------------------------------------------------------------- start-up and Ctrl-C


@pytest.mark.parametrize(("transport", "path"), [("streamable-http", "/mcp"), ("sse", "/sse")])
def test_http_start_up_prints_the_url_and_ctrl_c_stops_without_a_traceback(transport: str, path: str):
    process, url = _start(transport, env={**CHILD_ENV, "REVOX_MCP_AUTH_TOKEN": "s3cret-token"})
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith(path)
    stderr = _stop(process, signal.SIGINT)
    assert process.returncode == 0
    assert "Traceback" not in stderr
    assert "KeyboardInterrupt" not in stderr
    assert "s3cret-token" not in stderr


def test_ctrl_c_in_a_terminal_quits_stdio_at_once_without_a_traceback():
    """stdin is a terminal: the first Ctrl-C quits, although the SDK's stdin reader thread is blocked."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "revox_mcp", "--demo"],
            env=CHILD_ENV,
            stdin=terminal,
            stdout=terminal,
            stderr=subprocess.PIPE,
        )
        assert process.stderr is not None
        waiting = b""
        while b"Ctrl-C to quit" not in waiting:  # the hint is printed once serving
            chunk = process.stderr.readline()
            assert chunk, waiting
            waiting += chunk
        stderr = _stop(process, signal.SIGINT)  # fails if it does not exit within 10 s
    finally:
        os.close(controller)
        os.close(terminal)
    assert process.returncode == 130
    assert "Traceback" not in stderr


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no per-thread signal masks on this platform")
def test_ctrl_c_quits_whichever_thread_the_kernel_would_hand_it_to():
    """Every thread the stdio server starts blocks SIGINT and one thread of ours waits for it, so the
    kernel cannot hand Ctrl-C to the SDK's stdin reader thread and leave the main thread asleep (seen
    once in a full run: the server ignored Ctrl-C for 10 s). The main thread here sleeps, as the
    event loop does while idle."""
    code = (
        "import os, signal, threading, time\n"
        "from revox_mcp.__main__ import _quit_on_ctrl_c\n"
        "_quit_on_ctrl_c()\n"
        "masks = []\n"
        "later = threading.Thread(target=lambda: masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, [])))\n"
        "later.start(); later.join()\n"
        "print(signal.SIGINT in masks[0], signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "time.sleep(30)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=CHILD_ENV, capture_output=True, text=True, timeout=20, check=False
    )
    assert done.stdout.split() == ["True", "True"], done.stderr
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr


INVALID_PORT = "--port must be a whole number from 0 to 65535 (0: any free port)"


def test_an_invalid_port_is_one_line_and_exit_2_from_a_real_process():
    done = revox("--demo", "--transport", "streamable-http", "--port", "abc")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert INVALID_PORT in done.stderr


@pytest.mark.parametrize("port", ["-1", "65536", "8000.5", ""])
def test_every_invalid_port_is_the_same_one_line_and_exit_2(port: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exited:
        main(["--demo", "--transport", "streamable-http", "--port", port])
    assert exited.value.code == 2
    stderr = capsys.readouterr().err.strip()
    assert stderr.splitlines() == [stderr]
    assert INVALID_PORT in stderr


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = revox("--demo", "--transport", "sse", "--port", str(port))
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"revox-mcp: port {port} on 127.0.0.1 is already in use: stop what uses it, or pick another --port"
    )
