"""Where the server's time comes from: one object, so that every timer can be injected.

Production uses the system's clocks and ``anyio.sleep``; tests pass a clock they move by hand and
sleeps they release themselves, so that no test sleeps to line tasks up or measures elapsed time.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Clock:
    """The server's time sources."""

    # Seconds since the epoch: when entries and key verdicts were stored, judged by every replica.
    wall: Callable[[], float] = time.time
    # Seconds on a clock that never jumps: back-off windows, the stale grace, the Redis retry interval, budgets.
    monotonic: Callable[[], float] = time.monotonic
    # The cache's waits: the stale grace, another replica's fetch, the fill lock's upkeep.
    sleep: Sleep = anyio.sleep
    # The API client's waits between retries.
    retry_sleep: Sleep = anyio.sleep


SYSTEM_CLOCK = Clock()
