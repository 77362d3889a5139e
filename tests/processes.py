"""Helpers for tests that run the server as a real subprocess."""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import anyio
from anyio.abc import Process

_URL_LINE = re.compile(r"streamable HTTP on (http://\S+/mcp) ")


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
    with subprocess.Popen(
        [sys.executable, "-m", "revox_mcp", "--demo", "--transport", "streamable-http", "--port", "0"],
        env={"PATH": os.environ.get("PATH", ""), "REVOX_MCP_LOG_LEVEL": "WARNING"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as process:  # closes the pipe and reaps the process on the way out
        try:
            assert process.stderr is not None
            with selectors.DefaultSelector() as ready:
                ready.register(process.stderr, selectors.EVENT_READ)
                assert ready.select(timeout=30), "the server printed no URL within 30 s"
            line = process.stderr.readline().decode(errors="replace")
            found = _URL_LINE.search(line)
            assert found is not None, f"unexpected start-up line {line!r}"
            yield found.group(1)
        finally:
            process.terminate()
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            process.kill()  # nothing once it has exited
