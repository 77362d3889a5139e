"""The SQLite file: created private on first use, survives restarts, bounded, shared by processes, and
a missing, read-only, locked or corrupt file never fails a call."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
from history.samples import ACCOUNT, OTHER_ACCOUNT, SEEN, assistants, listing, unwritable, version, versions_of
from support import FakeClock

from revox_mcp.history.sqlite import FILE_NAME, SqliteStore
from revox_mcp.history.store import History
from revox_mcp.history.version import Limits, StoreError

pytestmark = pytest.mark.anyio


def files_of(path: Path) -> list[Path]:
    return [candidate for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if candidate.exists()]


def fingerprint(path: Path) -> str:
    """The bytes of the file and its write-ahead log."""
    digest = hashlib.sha256()
    for part in files_of(path)[:2]:
        digest.update(part.read_bytes())
    return digest.hexdigest()


def all_bytes(path: Path) -> bytes:
    return b"".join(part.read_bytes() for part in files_of(path))


@pytest.fixture
async def opened(state_dir: Path) -> AsyncIterator[tuple[History, SqliteStore]]:
    store = SqliteStore(state_dir / FILE_NAME)
    history = History(store, deadline=5.0)
    try:
        yield history, store
    finally:
        await history.aclose()


async def assert_unavailable_but_answering(history: History, reason: str) -> None:
    """Every call answers (empty), and health says why and where, once the store has been tried."""
    assert await history.record(ACCOUNT, [version()]) == []
    assert await history.history(ACCOUNT, "a-1") == []
    health = await history.health()
    assert (health.state, health.store) == ("unavailable", "sqlite")
    assert reason in health.reason
    assert health.reason.endswith(": new versions are not recorded")
    assert health.where is not None
    assert health.where.endswith(FILE_NAME)


async def test_the_state_directory_and_file_are_created_private_on_first_use(state_dir: Path) -> None:
    history = History(SqliteStore(state_dir / FILE_NAME))
    assert not await anyio.Path(state_dir).exists()  # nothing at construction
    await history.record(ACCOUNT, [version()])
    await history.aclose()
    assert stat.S_IMODE((await anyio.Path(state_dir).stat()).st_mode) == 0o700
    for part in files_of(state_dir / FILE_NAME):
        assert stat.S_IMODE(part.stat().st_mode) == 0o600, part


async def test_versions_survive_a_restart_and_are_not_recorded_twice(state_dir: Path) -> None:
    first = History(SqliteStore(state_dir / FILE_NAME))
    await first.record(ACCOUNT, [version("a-1", "d1", SEEN), version("a-2", "x1", SEEN)])
    await first.record(ACCOUNT, [version("a-1", "d2", SEEN + 60)])
    await first.aclose()
    again = History(SqliteStore(state_dir / FILE_NAME))
    assert await again.record(ACCOUNT, [version("a-1", "d2", SEEN + 90), version("a-2", "x1", SEEN + 90)]) == []
    stored = await again.history(ACCOUNT, "a-1")
    assert [(v.digest, v.seen_at, v.config["prompt"]) for v in stored] == [
        ("d2", SEEN + 60, "prompt of d2"),
        ("d1", SEEN, "prompt of d1"),
    ]
    await again.aclose()


async def test_a_first_record_of_many_assistants_is_one_transaction(opened: tuple[History, SqliteStore]) -> None:
    history, store = opened
    await store.check()
    statements: list[str] = []
    assert store._conn is not None  # the one connection, traced: what SQLite is asked, statement by statement
    store._conn.set_trace_callback(statements.append)
    new = await history.record(ACCOUNT, versions_of(listing(assistants(1_000))))
    assert len(new) == 1_000
    assert [s for s in statements if s.split()[0] in ("BEGIN", "COMMIT", "ROLLBACK")] == ["BEGIN IMMEDIATE", "COMMIT"]


async def test_an_unchanged_refresh_writes_nothing_to_the_file(opened: tuple[History, SqliteStore]) -> None:
    history, store = opened
    items = listing(assistants(200))
    await history.record_listing(ACCOUNT, items, seen_at=SEEN)
    path = store.path
    before = fingerprint(path)
    statements: list[str] = []
    assert store._conn is not None
    store._conn.set_trace_callback(statements.append)
    assert await history.record_listing(ACCOUNT, items, seen_at=SEEN + 30) == []
    assert await history.record(ACCOUNT, versions_of(items, SEEN + 60)) == []
    assert statements == ["PRAGMA data_version", "PRAGMA data_version"]
    assert fingerprint(path) == before


async def test_two_processes_sharing_the_file_store_a_revert_once(state_dir: Path) -> None:
    """Two clients each start a server on the same state directory: one file, both record in it."""
    one = History(SqliteStore(state_dir / FILE_NAME))
    two = History(SqliteStore(state_dir / FILE_NAME))
    await one.record(ACCOUNT, [version("a-1", "d1", SEEN)])
    await two.record(ACCOUNT, [version("a-1", "d1", SEEN + 1)])
    await two.record(ACCOUNT, [version("a-1", "d2", SEEN + 2)])
    assert len(await one.record(ACCOUNT, [version("a-1", "d1", SEEN + 3)])) == 1  # the revert, though "one" saw d1
    assert await two.record(ACCOUNT, [version("a-1", "d1", SEEN + 4)]) == []
    assert [v.seen_at for v in await two.history(ACCOUNT, "a-1")] == [SEEN + 3, SEEN + 2, SEEN]
    await one.aclose()
    await two.aclose()


async def test_versions_per_assistant_are_bounded(state_dir: Path) -> None:
    history = History(SqliteStore(state_dir / FILE_NAME, limits=Limits(max_versions=3)))
    for n in range(6):
        await history.record(ACCOUNT, [version("a-1", f"d{n}", SEEN + n), version("a-2", "x", SEEN)])
    assert [v.digest for v in await history.history(ACCOUNT, "a-1", limit=10)] == ["d5", "d4", "d3"]
    assert len(await history.history(ACCOUNT, "a-2")) == 1
    await history.aclose()


async def test_the_file_content_is_bounded_superseded_versions_going_first(state_dir: Path) -> None:
    cap = 600 * 1024
    store = SqliteStore(state_dir / FILE_NAME, limits=Limits(max_total_bytes=cap))
    history = History(store, deadline=5.0)
    text = "word " * 4_000  # 20 kB a version
    for n in range(60):
        batch = [version(f"a-{n % 3}", f"d{n}", SEEN + n, notes=f"{n} {text}"), version("a-keep", "k", SEEN)]
        await history.record(ACCOUNT, batch)
    with sqlite3.connect(store.path) as conn:
        pages, free, size = (
            conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "freelist_count", "page_size")
        )
        kept = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    assert (pages - free) * size <= cap
    assert 3 < kept < 60
    assert [v.digest for v in await history.history(ACCOUNT, "a-keep")] == [
        "k"
    ]  # the oldest, but the latest of its assistant
    assert [v.digest for v in await history.history(ACCOUNT, "a-2", limit=1)] == ["d59"]
    await history.aclose()


async def test_a_configuration_too_big_to_store_is_stored_cut(state_dir: Path) -> None:
    history = History(SqliteStore(state_dir / FILE_NAME, limits=Limits(max_config_bytes=64 * 1024)))
    await history.record(ACCOUNT, [version("a-1", "d1", prompt_notes="x" * 1_000_000)])
    (stored,) = await history.history(ACCOUNT, "a-1")
    assert stored.config["prompt"] == "prompt of d1"  # short texts kept whole
    assert stored.config["prompt_notes"].endswith("…[cut: 1000000 chars]")
    assert len(stored.config["prompt_notes"]) < 64 * 1024
    await history.aclose()


# --- no single point of failure -------------------------------------------------------------------------


async def test_a_file_of_garbage_is_reported_and_left_untouched(
    state_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await anyio.Path(state_dir).mkdir(parents=True)
    path = state_dir / FILE_NAME
    garbage = bytes(range(256)) * 64
    path.write_bytes(garbage)
    history = History(SqliteStore(path))
    with caplog.at_level(logging.WARNING, logger="revox_mcp.history"):
        await assert_unavailable_but_answering(history, "not a readable SQLite database")
        await history.record(ACCOUNT, [version()])
    assert path.read_bytes() == garbage
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 2  # recording, reading: once each
    await history.aclose()


async def test_a_directory_where_the_file_should_be_is_reported(state_dir: Path) -> None:
    (state_dir / FILE_NAME).mkdir(parents=True)
    history = History(SqliteStore(state_dir / FILE_NAME))
    await assert_unavailable_but_answering(history, "a directory is where the history file should be")
    assert list((state_dir / FILE_NAME).iterdir()) == []
    await history.aclose()


async def test_a_state_directory_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    history = History(SqliteStore(tmp_path / "a-file" / "revox-mcp" / FILE_NAME))
    await assert_unavailable_but_answering(history, "a-file")
    await history.aclose()


async def test_a_state_directory_without_write_permission_is_reported(state_dir: Path) -> None:
    await anyio.Path(state_dir).mkdir(parents=True)
    history = History(SqliteStore(state_dir / FILE_NAME))
    with unwritable(state_dir):
        await assert_unavailable_but_answering(history, str(state_dir / FILE_NAME))  # what could not be created
    assert [part async for part in anyio.Path(state_dir).iterdir()] == []
    await history.aclose()


async def test_a_read_only_file_still_shows_its_versions(state_dir: Path) -> None:
    path = state_dir / FILE_NAME
    writer = History(SqliteStore(path))
    await writer.record(ACCOUNT, [version("a-1", "d1")])
    await writer.aclose()
    history = History(SqliteStore(path))
    with unwritable(path):
        before = path.read_bytes()
        assert await history.record(ACCOUNT, [version("a-1", "d2", SEEN + 1)]) == []
        assert [v.digest for v in await history.history(ACCOUNT, "a-1")] == ["d1"]
        health = await history.health()
        assert health.state == "unavailable"
        assert health.reason.startswith("the file is read-only")
        assert path.read_bytes() == before
    await history.aclose()


async def test_a_file_locked_by_another_process_is_given_up_then_tried_again(state_dir: Path) -> None:
    clock = FakeClock()
    path = state_dir / FILE_NAME
    history = History(SqliteStore(path, busy_timeout=0.05), clock=clock, retry_every=30)
    await history.record(ACCOUNT, [version("a-1", "d1")])
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        assert await history.record(ACCOUNT, [version("a-1", "d2", SEEN + 1)]) == []
        assert "locked" in (await history.health()).reason
    finally:
        other.execute("ROLLBACK")
        other.close()
    clock.advance(31)
    assert [v.digest for v in await history.record(ACCOUNT, [version("a-1", "d2", SEEN + 2)])] == ["d2"]
    assert (await history.health()).state == "ok"
    await history.aclose()


@pytest.mark.parametrize(
    ("statements", "reason"),
    [
        (["CREATE TABLE versions (x)", "PRAGMA user_version = 99"], "newer revox-mcp"),
        (["CREATE TABLE notes (text)", "INSERT INTO notes VALUES ('mine')"], "something else"),
    ],
    ids=["a newer release's history", "someone else's database"],
)
async def test_a_database_this_release_did_not_write_is_left_untouched_even_by_erase(
    state_dir: Path, statements: list[str], reason: str
) -> None:
    path = state_dir / FILE_NAME
    await anyio.Path(state_dir).mkdir(parents=True)
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)
    before = path.read_bytes()
    history = History(SqliteStore(path))
    await assert_unavailable_but_answering(history, reason)
    with pytest.raises(StoreError):
        await history.erase()
    assert path.read_bytes() == before
    await history.aclose()


async def test_a_file_corrupted_while_the_server_was_stopped_is_reported(state_dir: Path) -> None:
    path = state_dir / FILE_NAME
    writer = History(SqliteStore(path))
    await writer.record(ACCOUNT, [version("a-1", "d1")])
    await writer.aclose()
    path.write_bytes(b"\x00garbage" * 1_000)
    history = History(SqliteStore(path))
    await assert_unavailable_but_answering(history, "not a readable SQLite database")
    await history.aclose()


async def test_a_file_deleted_while_the_server_runs_is_started_again(state_dir: Path) -> None:
    """Erased by hand while running: what was erased is not shown again, and recording goes on in a new file."""
    path = state_dir / FILE_NAME
    history = History(SqliteStore(path))
    await history.record(ACCOUNT, [version("a-1", "d1", SEEN), version("a-2", "x1", SEEN)])
    await history.record(ACCOUNT, [version("a-1", "d2", SEEN + 1)])
    for part in files_of(path):
        part.unlink()
    assert await history.history(ACCOUNT, "a-1") == []
    assert len(await history.record(ACCOUNT, [version("a-1", "d2", SEEN + 2), version("a-2", "x1", SEEN + 2)])) == 2
    assert [v.seen_at for v in await history.history(ACCOUNT, "a-1")] == [SEEN + 2]
    assert stat.S_IMODE((await anyio.Path(path).stat()).st_mode) == 0o600
    await history.aclose()


# --- erasing ---------------------------------------------------------------------------------------------


async def test_erasing_a_key_leaves_none_of_its_bytes_in_the_file_or_its_log(state_dir: Path) -> None:
    path = state_dir / FILE_NAME
    history = History(SqliteStore(path))
    for n in range(20):
        await history.record(ACCOUNT, [version(f"a-{n}", "d1", marker=f"erase-me-{n:04d}-zq")])
        await history.record(OTHER_ACCOUNT, [version(f"a-{n}", "d1", marker=f"keep-me-{n:04d}-zq")])
    assert b"erase-me-0007-zq" in all_bytes(path)
    assert await history.erase(ACCOUNT) == 20
    data = all_bytes(path)
    assert b"erase-me-" not in data
    assert b"keep-me-0007-zq" in data
    assert await history.history(ACCOUNT, "a-7") == []
    assert len(await history.history(OTHER_ACCOUNT, "a-7")) == 1
    assert await history.erase() == 20
    assert b"keep-me-" not in all_bytes(path)
    assert len(await history.record(OTHER_ACCOUNT, [version("a-7", "d1")])) == 1  # usable again at once
    await history.aclose()


async def test_erasing_everything_deletes_a_corrupt_file(state_dir: Path) -> None:
    path = state_dir / FILE_NAME
    await anyio.Path(state_dir).mkdir(parents=True)
    path.write_bytes(b"not a database at all" * 100)
    history = History(SqliteStore(path))
    assert await history.erase() == 0
    assert not path.exists()
    assert await history.erase() == 0  # nothing left: a fresh file, emptied
    await history.aclose()
