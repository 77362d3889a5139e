"""The history store at 10,000 assistants: what recording costs a fetch, and what reading costs an answer.

In this process, with the demo's assistants made 10,000 (distinct ids and prompts), cleaned by the
real ingest. The baseline is what the first fetch of 10,000 does anyway: cleaning them
(``ingest_list``). Measured, in one run, for the SQLite file (in a temporary directory) and, when
redis-server is installed, a Redis on loopback:

- the first record of 10,000 (every version new: one transaction), against the cleaning;
- an unchanged refresh of 10,000, as the data path records it (``record_listing``) and as a plain
  ``record`` of 10,000 versions: the statements run and the bytes written;
- one changed assistant among 10,000;
- ``history()`` of an assistant with 50 versions: median and p95 wall time.

    python -m benchmarks.history
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio

from revox_mcp.domain.ingest import ItemSet, ingest_list, ingest_object
from revox_mcp.domain.redaction import Redactor
from revox_mcp.history.sqlite import FILE_NAME, SqliteStore
from revox_mcp.history.store import History, Store
from revox_mcp.history.version import Version

from .common import Row  # puts tests/ on the path: the sample assistants live there

SECTION = "12. history store"
COUNT = 10_000
READS = 200


async def _timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await work()
    return (time.perf_counter() - start) * 1000, result


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def _measure(name: str, store: Store, listing: ItemSet, cleaning_ms: float, size: Callable[[], int]) -> list[Row]:
    from history.samples import versions_of

    history = History(store)
    account = "bench-fingerprint"
    first_ms, new = await _timed(lambda: history.record_listing(account, listing, seen_at=1_000.0))
    assert len(new) == COUNT, f"{name}: {len(new)} recorded (deadline {history.deadline_for(COUNT):.1f} s)"
    written = size()
    listing_ms, none = await _timed(lambda: history.record_listing(account, listing, seen_at=2_000.0))
    assert none == []
    versions = versions_of(listing, 3_000.0)
    plain_ms, none = await _timed(lambda: history.record(account, versions))
    assert none == []
    unchanged_bytes = size() - written
    changed = list(versions)
    changed[7] = Version(changed[7].assistant_id, "changed", 4_000.0, {**changed[7].config, "prompt": "Edited."})
    one_ms, new = await _timed(lambda: history.record(account, changed))
    assert len(new) == 1
    ident = changed[0].assistant_id
    for step in range(50):
        edit = Version(ident, f"v{step}", 5_000.0 + step, {**changed[0].config, "prompt": f"Edit {step}."})
        await history.record(account, [edit])
    spent = []
    for _ in range(READS):
        elapsed, read = await _timed(lambda: history.history(account, ident, limit=50))
        assert len(read) == 50
        spent.append(elapsed)
    spent.sort()
    await history.aclose()
    return [
        Row(
            SECTION,
            f"{name}: first record of {COUNT:,} (one transaction)",
            f"{first_ms:.0f} ms ({first_ms / cleaning_ms:.2f}x the cleaning the fetch did, {cleaning_ms:.0f} ms)",
            f"within the deadline ({history.deadline_for(COUNT):.1f} s)",
            first_ms / 1000 <= history.deadline_for(COUNT),
        ),
        Row(
            SECTION,
            f"{name}: unchanged refresh of {COUNT:,}, record_listing / record",
            f"{listing_ms:.2f} ms / {plain_ms:.1f} ms; {unchanged_bytes} bytes written or sent",
            "no configuration written or sent (< 1 kB)",
            unchanged_bytes < 1024,
        ),
        Row(SECTION, f"{name}: one changed among {COUNT:,}", f"{one_ms:.1f} ms"),
        Row(
            SECTION,
            f"{name}: history() of 50 versions, median / p95",
            f"{statistics.median(spent):.2f} / {_p95(spent):.2f} ms",
        ),
    ]


async def _sqlite(listing: ItemSet, cleaning_ms: float) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="revox-history-bench-") as directory:
        path = Path(directory) / FILE_NAME

        def size() -> int:
            return sum(part.stat().st_size for part in Path(directory).iterdir())

        return await _measure("SQLite", SqliteStore(path), listing, cleaning_ms, size)


async def _redis(listing: ItemSet, cleaning_ms: float) -> list[Row]:
    from redis_server import RedisServer  # tests/ is on the path (benchmarks.common)

    from revox_mcp.history.redis import RedisStore

    server = RedisServer().start()
    try:
        with server.client() as client:

            def size() -> int:
                return int(client.info("stats")["total_net_input_bytes"])  # what Redis received

            return await _measure("Redis", RedisStore(server.url), listing, cleaning_ms, size)
    finally:
        server.close()


def run() -> list[Row]:
    from history.samples import assistants

    raw = assistants(COUNT)
    start = time.perf_counter()
    redactor = Redactor()
    listing = ingest_list(raw, lambda document: ingest_object(document, redactor))
    cleaning_ms = (time.perf_counter() - start) * 1000
    rows = anyio.run(_sqlite, listing, cleaning_ms)
    if shutil.which("redis-server"):
        rows += anyio.run(_redis, listing, cleaning_ms)
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row.measure}: {row.value}" + (f" [goal {row.goal}: {row.verdict}]" if row.goal else ""))
