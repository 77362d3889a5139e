"""Helpers for tests that run real child processes: a port, a wait on what a child shows, a server, a stop.

No test waits a fixed time for a child: it waits for something the child shows (a line on stderr, a
port that answers), under a deadline that only a broken child reaches.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TextIO

import anyio
from anyio.abc import Process

# Where every child server keeps its state (the history store's SQLite file): a directory of this test
# process, removed when it exits, never the user's ~/.local/state.
STATE_DIR = tempfile.mkdtemp(prefix="revox-mcp-test-state-")
atexit.register(shutil.rmtree, STATE_DIR, ignore_errors=True)


def child_env(**extra: str) -> dict[str, str]:
    """A child server's whole environment: PATH, the test state directory, and ``extra`` (nothing else
    leaks from the developer's shell: no REVOX_* variable, no locale)."""
    return {"PATH": os.environ.get("PATH", ""), "REVOX_MCP_STATE_DIR": STATE_DIR, **extra}


# What `revox-mcp --transport streamable-http|sse` prints on stderr once it is listening.
URL_LINE = re.compile(r"^revox-mcp \S+: (streamable HTTP|SSE) on (http://\S+) \((.*)\); Ctrl-C to quit$")


def free_port() -> int:
    """A loopback port free now, for a child that must be told its port (redis-server, deploy/team.sh).
    A server that can take ``--port 0`` and say its URL needs none (``http_server``)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def poll_until(ready: Callable[[], bool], *, within: float, what: str) -> None:
    """Ask ``ready()`` until it says yes; fail naming ``what`` after ``within`` seconds.

    For a condition only polling can see (a child's port that answers, Redis that is back), never to
    let time pass: the pause between two asks is the only sleep the helpers allow.
    """
    deadline = time.monotonic() + within
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {within:g} s")
        time.sleep(0.02)


class ServerProcess:
    """`python -m revox_mcp <args> --port 0`, its stderr read line by line as it comes (into ``lines``,
    and ``log`` when given) by a thread, so the pipe never fills and the start-up line is seen at once."""

    def __init__(self, args: tuple[str, ...], env: dict[str, str], log: TextIO | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "revox_mcp", *args, "--port", "0"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.lines: list[str] = []
        self.url = ""
        self._log = log
        self._listening = threading.Event()
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            self.lines.append(line)
            if self._log is not None:
                self._log.write(line + "\n")
            match = URL_LINE.match(line)
            if match and not self.url:
                self.url = match.group(2)
                self._listening.set()
        self._listening.set()  # it exited: whoever waits learns it now

    def wait_listening(self, within: float) -> str:
        """The base URL (without /mcp or /sse) once the server has printed it; it is listening by then."""
        if not self._listening.wait(within):
            raise AssertionError(f"the server printed no URL within {within:g} s:\n" + "\n".join(self.lines))
        assert self.url, "the server exited before listening:\n" + "\n".join(self.lines)
        return self.url.rsplit("/", 1)[0]

    def stop(self, grace: float = 10) -> None:
        """SIGTERM, SIGKILL after ``grace`` seconds, then stderr read to its end."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join()
        assert self.process.stderr is not None
        self.process.stderr.close()


@asynccontextmanager
async def http_server(
    *args: str, env: dict[str, str], log: TextIO | None = None, within: float = 30
) -> AsyncIterator[tuple[str, ServerProcess]]:
    """A `ServerProcess` for an async test: yields its base URL once it listens; always stopped."""
    server = ServerProcess(args, env, log)
    try:
        url = await anyio.to_thread.run_sync(server.wait_listening, within)
        yield url, server
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(server.stop)


async def stop(process: Process, grace: float = 10) -> None:
    """Terminate ``process``, kill it if it has not exited within ``grace`` seconds, and release it.

    Shielded, so a test that is being cancelled still leaves no server behind.
    """
    with anyio.CancelScope(shield=True):
        process.terminate()
        with anyio.move_on_after(grace) as waited:
            await process.wait()
        if waited.cancelled_caught:
            process.kill()
        await process.aclose()


@contextmanager
def demo_over_http() -> Iterator[str]:
    """A real ``revox-mcp --demo`` over streamable HTTP on a port the system picks; yields its /mcp URL
    (from the start-up line) and stops it on the way out."""
    env = child_env(REVOX_MCP_LOG_LEVEL="WARNING")
    server = ServerProcess(("--demo", "--transport", "streamable-http"), env)
    try:
        yield server.wait_listening(30) + "/mcp"
    finally:
        server.stop()
