"""Versions in an embedded SQLite file: the default store, in the user's state directory.

The standard library's ``sqlite3``, one connection per process, run in worker threads (anyio) so the
event loop never waits on the disk; a lock serialises the threads' use of the connection. WAL
journal: readers never block the writer, and several server processes (two clients, two windows)
may share the file. ``secure_delete`` overwrites what is deleted, so pruned and erased versions
leave no bytes behind; the directory is created 0700 and the file 0600 on first use.

The file is the user's: a file that is not a SQLite database, a directory in its place, a file
without permission or on a read-only disk, a schema from a newer release, are reported (as
``StoreError``) and never overwritten or deleted, except by an explicit ``erase()`` of everything,
which deletes a corrupt file.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import anyio

from revox_mcp.history.store import Appended, Token
from revox_mcp.history.version import (
    DEFAULT_LIMITS,
    Limits,
    StoreError,
    StoreKind,
    Version,
    decode_config,
    encode_config,
)

T = TypeVar("T")

FILE_NAME = "history.sqlite3"
SCHEMA = 1
# Another process holding the write lock this long is treated as a failure (the write is retried
# on the next fetch); the caller's deadline bounds the wait anyway.
DEFAULT_BUSY_TIMEOUT = 1.0
_PRUNE_CHUNK = 500
_SIDE_FILES = ("-wal", "-shm", "-journal")

_CREATE = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS versions ("
    " id INTEGER PRIMARY KEY, account TEXT NOT NULL, assistant_id TEXT NOT NULL, digest TEXT NOT NULL,"
    " seen_at REAL NOT NULL, updated_at TEXT, config BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS versions_by_assistant ON versions (account, assistant_id, id)",
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('written_by', 'revox-mcp history')",
)
_LATEST = "SELECT digest FROM versions WHERE account = ? AND assistant_id = ? ORDER BY id DESC LIMIT 1"
_INSERT = "INSERT INTO versions (account, assistant_id, digest, seen_at, updated_at, config) VALUES (?, ?, ?, ?, ?, ?)"
# Beyond the newest ``max_versions`` of one assistant.
_TRIM = (
    "DELETE FROM versions WHERE account = ?1 AND assistant_id = ?2 AND id <= ("
    " SELECT id FROM versions WHERE account = ?1 AND assistant_id = ?2 ORDER BY id DESC LIMIT 1 OFFSET ?3)"
)
# The oldest versions that are not their assistant's latest (first pass), or any (second pass).
_OLDEST_SUPERSEDED = (
    "DELETE FROM versions WHERE id IN (SELECT id FROM versions AS v WHERE id < ("
    " SELECT max(id) FROM versions AS w WHERE w.account = v.account AND w.assistant_id = v.assistant_id)"
    " ORDER BY id LIMIT ?)"
)
_OLDEST = "DELETE FROM versions WHERE id IN (SELECT id FROM versions ORDER BY id LIMIT ?)"
_READ = (
    "SELECT assistant_id, digest, seen_at, updated_at, config FROM versions"
    " WHERE account = ? AND assistant_id = ? ORDER BY id DESC LIMIT ?"
)

_COUNT = "SELECT count(*) FROM versions WHERE account = ?"


def _data_version(conn: sqlite3.Connection) -> int:
    """Changes when another connection (another process) commits; not on this connection's commits."""
    row = conn.execute("PRAGMA data_version").fetchone()
    return int(row[0])


_OPENINGS = itertools.count(1)


def _used_bytes(conn: sqlite3.Connection) -> int:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int((pages - free) * size)


class SqliteStore:
    """A ``Store`` in one SQLite file, created (with its directory) on first use."""

    kind: StoreKind = "sqlite"
    refresh_every: float | None = None  # nothing expires: limits prune

    def __init__(
        self, path: Path, *, limits: Limits = DEFAULT_LIMITS, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> None:
        self.path = path
        self.where = str(path)
        self.limits = limits
        self.busy_timeout = busy_timeout
        self._conn: sqlite3.Connection | None = None
        self._opening = 0  # which opening of the file the connection is: part of the token
        self._identity: tuple[int, int] | None = None
        self._lock = threading.Lock()

    # --- the connection, in worker threads ----------------------------------------------------------

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        # Abandoned on cancellation (the caller's deadline): the thread finishes its transaction on its
        # own, and the next call waits for the lock at most ``busy_timeout``.
        return await anyio.to_thread.run_sync(self._locked, work, abandon_on_cancel=True)

    def _locked(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if not self._lock.acquire(timeout=self.busy_timeout):
            raise StoreError("busy: an earlier write has not finished")
        try:
            return work(self._connection())
        except sqlite3.Error as exc:
            self._close()  # the next call opens the file again: it may have been repaired or replaced
            raise StoreError(self._reason(exc)) from None
        except OSError as exc:
            self._close()
            where = f" ({exc.filename})" if exc.filename else ""
            raise StoreError(f"{exc.strerror or type(exc).__name__}{where}") from None
        finally:
            self._lock.release()

    def _reason(self, exc: sqlite3.Error) -> str:
        text = str(exc) or type(exc).__name__
        if "not a database" in text or "malformed" in text:
            return f"not a readable SQLite database ({text}); erase it to start afresh"
        if "readonly" in text or "read-only" in text:
            return f"the file is read-only ({text})"
        return text

    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None:
            if self._file_identity() == self._identity:
                return self._conn
            # Deleted (erased by hand) or replaced while open: the connection would go on writing to a
            # file no one can see and showing what was erased. Start again with what is there now.
            self._close()
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.path.is_dir():
            raise StoreError("a directory is where the history file should be")
        if not self.path.exists():
            with contextlib.suppress(FileExistsError):  # another process created it meanwhile
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        try:
            self._prepare(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self._identity = self._file_identity()
        self._opening = next(_OPENINGS)  # data_version is per connection: a new one starts a new count
        return conn

    def _file_identity(self) -> tuple[int, int] | None:
        """Which file is at the path (device, inode): one stat, no read."""
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """WAL, overwrite on delete, and the schema: created in an empty file, checked in any other."""
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA:
            raise StoreError(f"written by a newer revox-mcp (schema {version}); left untouched")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version == 0 and tables:
            raise StoreError("a SQLite file of something else; left untouched")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL: a crash of the process loses nothing committed
        if version == 0:
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # before the first table: erasing shrinks the file
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _CREATE:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        elif conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    # --- Store ----------------------------------------------------------------------------------

    async def token(self, account: str) -> Token:
        return await self._run(self._token)

    def _token(self, conn: sqlite3.Connection) -> Token:
        return (self._opening, _data_version(conn))

    async def append(self, account: str, versions: Sequence[Version], expected: Token) -> Appended:
        limits = self.limits

        def work(conn: sqlite3.Connection) -> Appended:
            conn.execute("BEGIN IMMEDIATE")
            try:
                before = self._token(conn)
                new: list[bool] = []
                grown: set[str] = set()
                for version in versions:
                    row = conn.execute(_LATEST, (account, version.assistant_id)).fetchone()
                    if row is not None and row[0] == version.digest:
                        new.append(False)
                        continue
                    config = encode_config(version.config, limits.max_config_bytes)
                    conn.execute(
                        _INSERT,
                        (account, version.assistant_id, version.digest, version.seen_at, version.updated_at, config),
                    )
                    new.append(True)
                    grown.add(version.assistant_id)
                for ident in grown:
                    conn.execute(_TRIM, (account, ident, limits.max_versions))
                if grown:
                    self._bound_total(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return Appended(new, before, before == expected)

        return await self._run(work)

    def _bound_total(self, conn: sqlite3.Connection) -> None:
        """Oldest versions out (superseded ones first) until the content is under 90 % of the bound."""
        target = self.limits.max_total_bytes * 0.9
        if _used_bytes(conn) <= self.limits.max_total_bytes:
            return
        for statement in (_OLDEST_SUPERSEDED, _OLDEST):
            while _used_bytes(conn) > target:
                if conn.execute(statement, (_PRUNE_CHUNK,)).rowcount <= 0:
                    break

    async def read(self, account: str, assistant_id: str, limit: int) -> list[Version]:
        def work(conn: sqlite3.Connection) -> list[Version]:
            rows = conn.execute(_READ, (account, assistant_id, limit)).fetchall()
            return [
                Version(ident, digest, seen, decode_config(config), updated)
                for ident, digest, seen, updated, config in rows
            ]

        return await self._run(work)

    async def erase(self, account: str | None) -> int:
        def work(conn: sqlite3.Connection) -> int:
            if account is None:
                erased = conn.execute("DELETE FROM versions").rowcount
            else:
                erased = conn.execute("DELETE FROM versions WHERE account = ?", (account,)).rowcount
            conn.execute("PRAGMA incremental_vacuum")
            # The write-ahead log still holds the pages as they were: copy it back and empty it.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return max(erased, 0)

        if self._conn is None and not await anyio.Path(self.path).exists():
            return 0  # nothing to erase: not even the directory is created
        try:
            return await self._run(work)
        except StoreError:
            if account is not None or not await anyio.to_thread.run_sync(self._corrupt):
                raise
        await anyio.to_thread.run_sync(self._delete_files)
        return 0

    def _corrupt(self) -> bool:
        """Whether the file is there but SQLite cannot read it as a database (erase() may delete it)."""
        if not self.path.is_file():
            return False
        try:
            with contextlib.closing(sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True)) as conn:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            return "not a database" in str(exc) or "malformed" in str(exc)
        return False

    def _delete_files(self) -> None:
        with self._lock:
            self._close()
            for suffix in ("", *_SIDE_FILES):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{self.path}{suffix}").unlink()

    async def check(self) -> None:
        def work(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")  # a write, rolled back: a read-only file fails here
            try:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('checked', '1')")
            finally:
                conn.execute("ROLLBACK")

        await self._run(work)

    async def count(self, account: str) -> int:
        if self._conn is None and not await anyio.Path(self.path).exists():
            return 0  # counting creates nothing
        row = await self._run(lambda conn: conn.execute(_COUNT, (account,)).fetchone())
        return int(row[0])

    async def aclose(self) -> None:
        def close() -> None:
            with self._lock:
                self._close()

        await anyio.to_thread.run_sync(close)
