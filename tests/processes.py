"""Helpers for tests that run the server as a real subprocess."""

from __future__ import annotations

import anyio
from anyio.abc import Process


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
