"""No planted secret reaches the history's bytes: assistants with generated secrets in generated places
go through the real ingest (the redactor, with the server's own key known by value) and then into a
SQLite file and a real Redis; every byte of the file, its write-ahead log and shared memory, every
Redis value, and an uncompressed Redis dump are searched for each secret, whole, URL-encoded and in
12-character pieces of its random part. A control stores the raw documents and finds them: the
search would see a leak."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import anyio
import pytest
from history.samples import ACCOUNT, SEEN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis_server import RedisServer
from secret_strategies import Planted, leaks, own_secrets, planted_documents
from support import examples

from revox_mcp.domain.ingest import ingest_object
from revox_mcp.domain.redaction import Redactor
from revox_mcp.history.redis import RedisStore
from revox_mcp.history.sqlite import FILE_NAME, SqliteStore
from revox_mcp.history.store import History
from revox_mcp.history.version import Version

IDS = ("aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa", "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb")
FALLBACK_KEY = "sk-history-fallback-key-0000"


def cleaned_versions(documents: list[dict[str, Any]], own: list[str]) -> list[Version]:
    """What the data path records: each document cleaned at ingest, as a version seen now."""
    redactor = Redactor([*own, FALLBACK_KEY])
    versions = []
    for step, document in enumerate(documents):
        item = ingest_object(document, redactor)
        assert item is not None
        made = Version.of(item.value, item.digest, SEEN + step)
        assert made is not None
        versions.append(made)
    return versions


def raw_versions(documents: list[dict[str, Any]]) -> list[Version]:
    return [Version(str(d["id"]), f"raw-{n}", SEEN + n, d) for n, d in enumerate(documents)]


def redis_bytes(server: RedisServer) -> bytes:
    """Every value (GET, LRANGE: never a compressed DUMP) and the dump file written uncompressed."""
    parts: list[bytes] = []
    with server.client() as client:
        for key in client.scan_iter(count=1000):
            parts.append(key)
            if client.type(key) == b"list":
                parts += client.lrange(key, 0, -1)
            else:
                parts.append(client.get(key) or b"")
        client.config_set("rdbcompression", "no")
        client.save()
        directory, name = client.config_get("dir")["dir"], client.config_get("dbfilename")["dbfilename"]
        client.flushall()
    parts.append((Path(directory) / name).read_bytes())
    return b"\n".join(parts)


async def record_all(history: History, versions: list[Version]) -> None:
    await history.record(ACCOUNT, versions)
    assert (await history.health()).state == "ok"  # nothing given up: every version is in the bytes searched
    for ident in IDS:
        await history.history(ACCOUNT, ident)


async def files_bytes(directory: str) -> bytes:
    return b"".join([await part.read_bytes() async for part in anyio.Path(directory).iterdir()])


async def sqlite_bytes(versions: list[Version]) -> bytes:
    """The SQLite file, its write-ahead log and shared memory while open (the log holds the writes),
    and the file once closed (the log copied into it)."""
    with tempfile.TemporaryDirectory(prefix="revox-history-") as directory:
        history = History(SqliteStore(Path(directory) / FILE_NAME), deadline=5.0)
        await record_all(history, versions)
        assert await anyio.Path(directory, f"{FILE_NAME}-wal").exists()
        running = await files_bytes(directory)
        await history.aclose()
        return running + await files_bytes(directory)


async def redis_store_bytes(versions: list[Version], server: RedisServer) -> bytes:
    history = History(RedisStore(server.url), deadline=5.0)
    await record_all(history, versions)
    await history.aclose()
    return redis_bytes(server)


async def stored_bytes(versions: list[Version], server: RedisServer, where: str = "both") -> bytes:
    data = b""
    if where in ("sqlite", "both"):
        data += await sqlite_bytes(versions)
    if where in ("redis", "both"):
        data += await redis_store_bytes(versions, server)
    return data


def text_of(data: bytes) -> str:
    return data.decode("utf-8", "replace") + "\n" + data.decode("latin-1")


@pytest.fixture(scope="module")
def redis() -> Any:
    from redis_server import require_redis_server

    require_redis_server()
    server = RedisServer().start()
    yield server
    server.close()


@settings(
    max_examples=examples(200),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(planted_documents(), planted_documents(), planted_documents(max_secrets=2))
def test_no_planted_secret_reaches_the_stores_bytes(
    redis: RedisServer,
    first: tuple[dict[str, Any], list[Planted]],
    second: tuple[dict[str, Any], list[Planted]],
    edit: tuple[dict[str, Any], list[Planted]],
) -> None:
    # Two assistants, then the first one edited: a second version with secrets of its own.
    documents = [dict(first[0], id=IDS[0]), dict(second[0], id=IDS[1]), dict(edit[0], id=IDS[0])]
    planted = [*first[1], *second[1], *edit[1]]
    versions = cleaned_versions(documents, own_secrets(planted))
    found = leaks(text_of(anyio.run(stored_bytes, versions, redis)), planted)
    assert found == [], [secret.kind for secret in found]


@settings(max_examples=examples(20), deadline=None, derandomize=True, database=None)
@given(planted_documents(), st.sampled_from(["sqlite", "redis"]))
def test_the_search_finds_secrets_stored_raw(
    redis: RedisServer, case: tuple[dict[str, Any], list[Planted]], where: str
) -> None:
    """The control: had the raw documents gone in, the search would have found their secrets."""
    document, planted = case
    data = anyio.run(stored_bytes, raw_versions([dict(document, id=IDS[0])]), redis, where)
    assert leaks(text_of(data), planted) != []
