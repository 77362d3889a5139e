"""Versions and assistants for the history tests, a store that counts what it is asked, unwritable files."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from revox_mcp.domain.ingest import ItemSet, ingest_list, ingest_object
from revox_mcp.domain.redaction import Redactor
from revox_mcp.history.memory import MemoryStore
from revox_mcp.history.store import Appended, Token
from revox_mcp.history.version import Version

ACCOUNT = "fp-0123456789abcdef"
OTHER_ACCOUNT = "fp-fedcba9876543210"
SEEN = 1_771_250_000.0  # 2026-02-16 13:53:20 UTC
DEMO = json.loads(
    (Path(__file__).resolve().parents[2] / "revox_mcp" / "data" / "demo_assistants.json").read_text(encoding="utf-8")
)["assistants"]


def config(ident: str = "a-1", prompt: str = "Be brief.", **more: Any) -> dict[str, Any]:
    return {"id": ident, "name": f"Assistant {ident}", "prompt": prompt, **more}


def version(ident: str = "a-1", digest: str = "d1", seen: float = SEEN, **more: Any) -> Version:
    """A version whose config says which digest it is (so reads can be told apart)."""
    values = config(ident, prompt=f"prompt of {digest}", **more)
    return Version(ident, digest, seen, values, values.get("updated_at"))


def assistants(count: int, *, tag: str = "") -> list[dict[str, Any]]:
    """``count`` realistic assistants (the demo's, with distinct ids and prompts)."""
    made = []
    for index in range(count):
        assistant = copy.deepcopy(DEMO[index % len(DEMO)])
        assistant["id"] = f"00000000-0000-4000-8000-{index:012d}"
        assistant["prompt"] = f"{assistant.get('prompt') or ''}\n# {tag} variant {index}"
        made.append(assistant)
    return made


def listing(raw: list[dict[str, Any]]) -> ItemSet:
    """What the data path holds after a fetch: the assistants cleaned at ingest."""
    redactor = Redactor()
    return ingest_list(copy.deepcopy(raw), lambda document: ingest_object(document, redactor))


def versions_of(items: ItemSet, seen: float = SEEN) -> list[Version]:
    found = [Version.of(item, digest, seen) for item, digest in zip(items.items, items.digests, strict=True)]
    return [found_version for found_version in found if found_version is not None]


class CountingStore(MemoryStore):
    """The in-memory store, counting every call the history makes to it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.appended: list[int] = []
        self.other_writer = 0  # bump to act as another process writing

    async def token(self, account: str) -> Token:
        self.calls.append("token")
        return self.other_writer

    async def append(self, account: str, versions: Sequence[Version], expected: Token) -> Appended:
        self.calls.append("append")
        self.appended.append(len(versions))
        done = await super().append(account, versions, expected)
        return Appended(done.new, self.other_writer, expected == self.other_writer)

    async def read(self, account: str, assistant_id: str, limit: int) -> list[Version]:
        self.calls.append("read")
        return await super().read(account, assistant_id, limit)


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """``path`` (a file or a directory) made unwritable for this process, for the duration.

    A user is stopped by the mode bits; root is not, so for root the immutable attribute is set
    (``chattr +i``), which stops root too. Fails in CI, skips elsewhere, when neither can be done.
    """
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    done = chattr is not None and subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode == 0
    if not done:
        message = f"cannot make {path} unwritable for root (chattr +i is missing or refused)"
        if os.environ.get("REVOX_MCP_CI") == "1":
            pytest.fail(message)
        pytest.skip(message)
    assert chattr is not None
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)
