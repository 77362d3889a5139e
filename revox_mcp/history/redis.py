"""Versions in Redis, for a team deployment: shared by every replica, bounded, expiring.

Per key fingerprint and assistant, a list of versions (newest first, at most ``max_versions``) and
the latest digest beside it; per key fingerprint, a counter every write increments (the token that
tells a replica another one wrote). A batch is checked and written by one Lua script per chunk,
all in one MULTI/EXEC sent in one round trip: each version is pushed only if it differs from the
latest, atomically, so two replicas seeing the same change store it once. Every key expires
``expire_after`` after it was last written or confirmed (``History`` confirms unchanged versions
every quarter of that), and only cleaned configurations go in: no key, no raw payload.

redis-py's asyncio client, every command bounded (``op_timeout``); failures are ``StoreError``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Sequence
from typing import Any

import anyio
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

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
from revox_mcp.settings import shown_url

DEFAULT_NAMESPACE = "revox-mcp:1:history"
DEFAULT_OP_TIMEOUT = 1.0
# Versions per script call: each call blocks Redis while it runs, so a 10,000-assistant batch is
# cut into calls of a few milliseconds (all in one transaction, one round trip).
CHUNK = 250
# Encoding this many configurations is done in a worker thread: the event loop keeps answering.
THREAD_AT = 100

# KEYS: list, head, list, head, ..., counter. ARGV: max versions, expiry (ms), digest, record, ..., counter start
_APPEND = """
local max, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local counter = KEYS[#KEYS]
local out, pushed = {}, false
for i = 1, (#KEYS - 1) / 2 do
  local list, head = KEYS[2 * i - 1], KEYS[2 * i]
  local digest, record = ARGV[2 * i + 1], ARGV[2 * i + 2]
  if redis.call('GET', head) == digest then
    out[i] = 0
  else
    redis.call('LPUSH', list, record)
    redis.call('LTRIM', list, 0, max - 1)
    redis.call('SET', head, digest)
    out[i] = 1
    pushed = true
  end
  redis.call('PEXPIRE', list, ttl)
  redis.call('PEXPIRE', head, ttl)
end
if pushed then
  -- a counter created now starts anywhere: after a restart of Redis, no replica's old token matches it
  if redis.call('EXISTS', counter) == 0 then redis.call('SET', counter, ARGV[#ARGV]) end
  redis.call('INCR', counter)
end
redis.call('PEXPIRE', counter, ttl)
return out
"""


def _glob(text: str) -> str:
    """``text`` matched literally in a SCAN pattern."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


def _record(version: Version, config: bytes) -> bytes:
    meta = json.dumps({"d": version.digest, "s": version.seen_at, "u": version.updated_at}, separators=(",", ":"))
    return meta[:-1].encode() + b',"c":' + config + b"}"


def _version(assistant_id: str, data: bytes) -> Version | None:
    try:
        loaded = json.loads(data)
        config = loaded["c"]
        return Version(
            assistant_id,
            str(loaded["d"]),
            float(loaded["s"]),
            config if isinstance(config, dict) else decode_config(b""),
            loaded["u"] if isinstance(loaded.get("u"), str) else None,
        )
    except (ValueError, KeyError, TypeError):
        return None  # not written by this release: left out


class RedisStore:
    """A ``Store`` in Redis, shared by every replica that uses the same URL and namespace."""

    kind: StoreKind = "redis"

    def __init__(
        self,
        url: str,
        *,
        limits: Limits = DEFAULT_LIMITS,
        namespace: str = DEFAULT_NAMESPACE,
        op_timeout: float = DEFAULT_OP_TIMEOUT,
    ) -> None:
        self.where = shown_url(url)
        self.limits = limits
        self.namespace = namespace
        # Unchanged versions are confirmed (their expiry pushed back) four times per expiry.
        self.refresh_every: float | None = limits.expire_after / 4
        self._redis: Redis = Redis.from_url(
            url,
            socket_timeout=op_timeout,
            socket_connect_timeout=op_timeout,
            retry=Retry(NoBackoff(), 1),  # once more on a fresh connection: a pooled one may predate a restart
            health_check_interval=0,
        )
        self._append = self._redis.register_script(_APPEND)

    def _key(self, account: str, part: str, assistant_id: str = "") -> str:
        return (
            f"{self.namespace}:{account}:{part}:{assistant_id}"
            if assistant_id
            else f"{self.namespace}:{account}:{part}"
        )

    async def _bounded(self, command: Any) -> Any:
        try:
            return await command
        except ResponseError as exc:
            # Redis's own words (out of memory, read-only replica), without the command redis-py
            # prefixes to a pipeline's error (its arguments are configurations).
            first = str(exc).rsplit("caused error: ", 1)[-1].split("\n", 1)[0][:80]
            raise StoreError(f"Redis refused the command ({first})") from None
        except (RedisError, OSError, asyncio.TimeoutError) as exc:
            raise StoreError(f"Redis is unreachable ({type(exc).__name__})") from None

    # --- Store ----------------------------------------------------------------------------------

    async def token(self, account: str) -> Token:
        value = await self._bounded(self._redis.get(self._key(account, "n")))
        return int(value) if value is not None else 0

    async def append(self, account: str, versions: Sequence[Version], expected: Token) -> Appended:
        lists = [self._key(account, "v", version.assistant_id) for version in versions]
        heads = [self._key(account, "d", version.assistant_id) for version in versions]
        latest: list[bytes | None] = await self._bounded(self._redis.mget(heads))
        # Only an assistant's first version in the batch can be the latest stored one.
        first: set[str] = set()
        same: list[bool] = []
        for version, head in zip(versions, latest, strict=True):
            same.append(version.assistant_id not in first and head == version.digest.encode())
            first.add(version.assistant_id)
        changed = [index for index, unchanged in enumerate(same) if not unchanged]
        limit = self.limits.max_config_bytes

        def encode() -> list[bytes]:
            return [_record(versions[index], encode_config(versions[index].config, limit)) for index in changed]

        encoding = len(changed) >= THREAD_AT  # abandoned at the deadline: the late result is dropped
        records = await anyio.to_thread.run_sync(encode, abandon_on_cancel=True) if encoding else encode()
        counter = self._key(account, "n")
        ttl = max(int(self.limits.expire_after * 1000), 1)
        chunks = [changed[start : start + CHUNK] for start in range(0, len(changed), CHUNK)]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(counter)
            for number, chunk in enumerate(chunks):
                keys = [key for index in chunk for key in (lists[index], heads[index])]
                args: list[Any] = [self.limits.max_versions, ttl]
                for offset, index in enumerate(chunk):
                    args += [versions[index].digest, records[number * CHUNK + offset]]
                args.append(secrets.randbits(48))
                await self._append(keys=[*keys, counter], args=args, client=pipe)
            for index in (index for index, unchanged in enumerate(same) if unchanged):
                pipe.pexpire(lists[index], ttl)  # confirmed: kept as long as a new version would be
                pipe.pexpire(heads[index], ttl)
            pipe.pexpire(counter, ttl)
            pipe.get(counter)
            replies = await self._bounded(pipe.execute())
        flags = [bool(flag) for reply in replies[1 : 1 + len(chunks)] for flag in reply]
        pushed = iter(flags)
        new = [False if unchanged else next(pushed) for unchanged in same]
        before = int(replies[0]) if replies[0] is not None else 0
        after = int(replies[-1]) if replies[-1] is not None else 0
        return Appended(new, after, before == expected)

    async def read(self, account: str, assistant_id: str, limit: int) -> list[Version]:
        rows = await self._bounded(self._redis.lrange(self._key(account, "v", assistant_id), 0, limit - 1))
        return [version for row in rows if (version := _version(assistant_id, row)) is not None]

    async def erase(self, account: str | None) -> int:
        pattern = f"{_glob(self.namespace)}:{_glob(account) + ':' if account is not None else ''}*"
        erased = 0
        batch: list[bytes] = []

        prefix = len(self.namespace) + 1

        async def flush() -> None:
            nonlocal erased
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in batch:
                    if key[prefix:].split(b":", 2)[1:2] == [b"v"]:  # namespace:account:v:assistant
                        pipe.llen(key)
                pipe.unlink(*batch)
                replies = await pipe.execute()
            erased += sum(int(count) for count in replies[:-1])
            batch.clear()

        async def scan() -> None:
            async for key in self._redis.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    await flush()
            if batch:
                await flush()

        await self._bounded(scan())
        return erased

    async def check(self) -> None:
        await self._bounded(self._redis.ping())

    async def count(self, account: str) -> int:
        """The lengths of the account's lists (one SCAN, then LLEN in pipelines of 1,000)."""

        async def counted() -> int:
            total = 0
            keys = [key async for key in self._redis.scan_iter(match=f"{_glob(self._key(account, 'v'))}:*", count=1000)]
            for start in range(0, len(keys), 1000):
                async with self._redis.pipeline(transaction=False) as pipe:
                    for key in keys[start : start + 1000]:
                        pipe.llen(key)
                    total += sum(int(length) for length in await pipe.execute())
            return total

        result: int = await self._bounded(counted())
        return result

    async def aclose(self) -> None:
        await self._redis.aclose()
