"""Shared pieces: result rows, timing statistics, /proc readings, server processes, in-process servers.

Every goal in the table is a ratio against a baseline measured in the same run, or a memory or
CPU figure read from /proc for a process started here: the machine is shared, wall-clock times
alone say little.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_revox import FakeRevox, Fault  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from revox_mcp.server.app import RevoxServer

__all__ = [
    "API_KEY",
    "ROOT",
    "FakeRevox",
    "Fault",
    "Row",
    "ServerProcess",
    "Stats",
    "child_env",
    "cpu_seconds",
    "http_server",
    "in_process",
    "in_process_server",
    "stats",
    "status_mb",
]

# Long enough for the fake's known-secret masking (8 characters and more) to apply, as with a real key.
API_KEY = "sk-bench-key-0001"


@dataclass(frozen=True)
class Stats:
    median_ms: float
    p95_ms: float


def stats(seconds: list[float]) -> Stats:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Stats(statistics.median(ordered) * 1000, p95 * 1000)


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    section: str
    measure: str
    value: str
    goal: str = ""
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "**no**", None: ""}[self.met]


# --- /proc ----------------------------------------------------------------------------------------


def status_mb(pid: int, field: str) -> float:
    """A ``/proc/<pid>/status`` size in MB: ``VmRSS`` (resident now) or ``VmHWM`` (peak since exec)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far: utime + stime from ``/proc/<pid>/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- server processes ------------------------------------------------------------------------------


# Where server children keep their state (the history store): this run's own directory, never ~/.local/state.
_STATE_DIR = tempfile.mkdtemp(prefix="revox-mcp-bench-state-")


def child_env(**extra: str) -> dict[str, str]:
    """What a server child gets: PATH, quiet logs, its own state directory, and ``extra`` (nothing else
    leaks from our environment)."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "REVOX_MCP_LOG_LEVEL": "WARNING",
        "REVOX_MCP_STATE_DIR": _STATE_DIR,
        **extra,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    """A ``python -m revox_mcp --transport streamable-http`` child, reached at ``url``."""

    process: subprocess.Popen[bytes]
    url: str
    stderr: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        return status_mb(self.pid, "VmRSS")

    def peak_mb(self) -> float:
        return status_mb(self.pid, "VmHWM")

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def errors(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-2000:]


@contextmanager
def http_server(env: Mapping[str, str], startup_seconds: float = 60) -> Iterator[ServerProcess]:
    """Start revox-mcp over streamable HTTP on a free loopback port; wait until it listens; always stop it."""
    port = free_port()
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "revox_mcp", "--transport", "streamable-http", "--port", str(port)],
            env=dict(env),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        server = ServerProcess(process, f"http://127.0.0.1:{port}/mcp", stderr)
        try:
            deadline = time.monotonic() + startup_seconds
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"revox-mcp exited with {process.returncode}: {server.errors()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"revox-mcp did not listen within {startup_seconds:g} s") from None
                    time.sleep(0.05)  # polling a child's port: there is no event to wait on
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --- in-process servers ------------------------------------------------------------------------------


def in_process_server(
    base_url: str,
    *,
    ttl: float = 3600.0,
    key: str = API_KEY,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] | None = None,
    **settings: Any,
) -> RevoxServer:
    """The production server (the real RevoxApi with the default timeout, budget and retries) against
    ``base_url``: ``transport`` replaces the network, ``clock`` the cache's time, ``settings`` the
    Settings' defaults (``stale_grace``...), where a benchmark says why."""
    from dataclasses import replace

    from revox_mcp.cache.clock import Clock
    from revox_mcp.server.app import build_server
    from revox_mcp.settings import Secret, Settings

    configured = replace(Settings(api_key=Secret(key), base_url=base_url, cache_ttl=ttl), **settings)
    return build_server(configured, transport=transport, clock=Clock(wall=clock, monotonic=clock) if clock else Clock())


def in_process(assistants: list[dict[str, Any]], listed: set[str] | None = None, key: str = API_KEY) -> Any:
    """The fake Revox in process (an httpx transport: no socket, no thread), serving ``assistants``
    (``listed``: the ids listed, default all) to ``key``: for measures of bytes, not of time."""
    from revox_mcp.api.fake import FakeApi, Organisation
    from revox_mcp.api.fake.transport import fake_transport

    return fake_transport(FakeApi({key: Organisation(assistants, listed)}))


def measured_in_child(module: str, assistants: list[dict[str, Any]], some_id: str) -> dict[str, Any]:
    """Run ``python -m <module> BASE_URL SOME_ID`` against a fake Revox serving ``assistants`` and read
    the JSON it prints: each measurement in a process of its own, so its memory is its own."""
    import json

    with FakeRevox(assistants, api_key=API_KEY) as fake:
        done = subprocess.run(
            [sys.executable, "-m", module, fake.base_url, some_id],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
    result: dict[str, Any] = json.loads(done.stdout)
    return result
