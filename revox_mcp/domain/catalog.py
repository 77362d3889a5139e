"""What the tools and resources answer, computed once per fetched list. Pure, no I/O.

A ``Snapshot`` is built once for each assistant list Revox returns (not per call): summaries and
search keys are precomputed, so a warm call does not re-parse or re-summarise anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

from revox_mcp.domain.budget import size
from revox_mcp.domain.facts import KNOWN_FIELDS, JsonObject, assistant_id_of
from revox_mcp.domain.redaction import redact, strip_invisible
from revox_mcp.domain.summary import AssistantSummary, dump, summarize
from revox_mcp.errors import InputError

MAX_LIMIT = 100
_CURSOR_PREFIX = "c1"

T = TypeVar("T")


class Lazy(Sequence[T], Generic[T]):
    """Items computed on first access, then kept: a first page of 10,000 assistants pays for 20."""

    def __init__(self, count: int, make: Callable[[int], T]) -> None:
        self._items: list[T | None] = [None] * count
        self._make = make

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self._items))[index]]
        item = self._items[index]
        if item is None:
            item = self._items[index] = self._make(index % len(self._items))
        return item


@dataclass(frozen=True)
class Snapshot:
    """The assistant list as of one fetch: each summary, size and search key computed once, when first needed."""

    assistants: tuple[JsonObject, ...]
    version: str
    raw_bytes: int
    summaries: Sequence[AssistantSummary] = field(init=False)
    by_id: Mapping[str, JsonObject] = field(init=False)
    summary_bytes: Sequence[int] = field(init=False, repr=False)
    _search: Sequence[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        count = len(self.assistants)
        summaries = Lazy(count, lambda i: summarize(self.assistants[i]))
        object.__setattr__(self, "summaries", summaries)
        object.__setattr__(self, "by_id", {assistant_id_of(a) or "": a for a in self.assistants})
        object.__setattr__(self, "summary_bytes", Lazy(count, lambda i: size(dump(summaries[i])) + 1))
        search = Lazy(count, lambda i: f"{summaries[i].id}\n{summaries[i].name or ''}".casefold())
        object.__setattr__(self, "_search", search)

    def matching(self, query: str | None) -> list[int]:
        """Indexes of assistants whose id or name contains ``query`` (case-insensitive)."""
        if not query:
            return list(range(len(self.summaries)))
        needle = query.casefold()
        return [i for i, key in enumerate(self._search) if needle in key]

    def complete(self, prefix: str, limit: int = 100) -> list[str]:
        """Ids whose id or name starts with ``prefix`` (case-insensitive), for argument completion."""
        needle = prefix.casefold()
        out = [
            s.id
            for s in self.summaries
            if s.id.casefold().startswith(needle) or (s.name or "").casefold().startswith(needle)
        ]
        return out[:limit]


@dataclass(frozen=True)
class Page:
    assistants: list[AssistantSummary]
    total: int
    next_cursor: str | None


def _query_tag(query: str | None) -> str:
    return hashlib.sha256((query or "").casefold().encode()).hexdigest()[:8]


def encode_cursor(version: str, offset: int, query: str | None) -> str:
    raw = f"{_CURSOR_PREFIX}:{version}:{offset}:{_query_tag(query)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, version: str, query: str | None, tool: str = "list_assistants") -> int:
    """The offset a cursor points at; InputError if it is malformed, stale or for another query."""
    restart = f"Call {tool} again without a cursor to start from the first page."
    try:
        padded = cursor.strip() + "=" * (-len(cursor.strip()) % 4)
        prefix, cursor_version, offset_text, tag = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        offset = int(offset_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InputError(f"The cursor is not one list_assistants returned. {restart}") from None
    if prefix != _CURSOR_PREFIX or offset < 0:
        raise InputError(f"The cursor is not one list_assistants returned. {restart}")
    if cursor_version != version:
        raise InputError(f"The cursor is stale: the assistant list changed since it was issued. {restart}")
    if tag != _query_tag(query):
        raise InputError(f"The cursor belongs to a different query or tool. {restart}")
    return offset


def page(
    snapshot: Snapshot, *, query: str | None, limit: int, cursor: str | None, max_bytes: int | None = None
) -> Page:
    """One page of the index, filtered by ``query``; shorter than ``limit`` if it would pass ``max_bytes``."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be between 1 and {MAX_LIMIT}.")
    matches = snapshot.matching(query)
    offset = decode_cursor(cursor, snapshot.version, query) if cursor else 0
    if offset > len(matches):
        raise InputError("The cursor is past the end of the list. Call list_assistants without a cursor.")
    chosen = matches[offset : offset + limit]
    if max_bytes is not None:
        used = 0
        for count, index in enumerate(chosen):
            used += snapshot.summary_bytes[index]
            if used > max_bytes and count:
                chosen = chosen[:count]
                break
    end = offset + len(chosen)
    return Page(
        assistants=[snapshot.summaries[i] for i in chosen],
        total=len(matches),
        next_cursor=encode_cursor(snapshot.version, end, query) if end < len(matches) else None,
    )


def valid_fields(assistant: Mapping[str, Any]) -> list[str]:
    """Top-level field names a caller may ask for: the documented ones plus any this payload has."""
    return sorted(KNOWN_FIELDS | {str(k) for k in assistant})


def select_fields(assistant: Mapping[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """The redacted configuration, whole or restricted to ``fields`` (InputError on unknown names)."""
    if fields is None:
        return {strip_invisible(str(k)): redact(v) for k, v in assistant.items()}
    if not fields:
        raise InputError('fields is empty: pass field names such as ["prompt"], or omit it.')
    allowed = valid_fields(assistant)
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        shown = ", ".join(repr(redact(f)[:60]) for f in unknown[:5])
        raise InputError(f"Unknown field(s) {shown}. Valid fields: {', '.join(allowed)}.")
    return {f: redact(assistant.get(f)) for f in dict.fromkeys(fields)}
