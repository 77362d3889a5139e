"""The assistant index: search, pages and field selection over a cleaned list. Pure, no I/O.

An ``Index`` is built once per list version (its search keys only: a few milliseconds for 10,000
assistants); summaries come from a memo keyed by content, so a page of 20 costs 20 summaries at
most, and an unchanged re-fetch costs none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from revox_mcp.domain.facts import KNOWN_FIELDS, JsonObject
from revox_mcp.errors import InputError

MAX_LIMIT = 100


@dataclass(frozen=True)
class Index:
    """Search keys of one cleaned list, in Revox's order."""

    version: str
    ids: tuple[str, ...]
    names: tuple[str, ...]
    _search: tuple[str, ...]

    @classmethod
    def of(cls, version: str, items: Sequence[JsonObject]) -> Index:
        ids = tuple(str(item.get("id")) for item in items)
        names = tuple(name if isinstance(name := item.get("name"), str) else "" for item in items)
        return cls(version, ids, names, tuple(f"{i}\n{n}".casefold() for i, n in zip(ids, names, strict=True)))

    def __len__(self) -> int:
        return len(self.ids)

    def matching(self, query: str | None) -> list[int]:
        """Positions of assistants whose id or name contains ``query`` (case-insensitive)."""
        if not query:
            return list(range(len(self.ids)))
        needle = query.casefold()
        return [i for i, key in enumerate(self._search) if needle in key]

    def complete(self, prefix: str, limit: int = 100) -> list[str]:
        """Ids whose id or name starts with ``prefix`` (case-insensitive), for argument completion."""
        needle = prefix.casefold()
        out = [
            ident
            for ident, name in zip(self.ids, self.names, strict=True)
            if ident.casefold().startswith(needle) or name.casefold().startswith(needle)
        ]
        return out[:limit]


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be between 1 and {MAX_LIMIT}.")


def valid_fields(assistant: Mapping[str, Any]) -> list[str]:
    """Top-level field names a caller may ask for: the documented ones plus any this payload has."""
    return sorted(KNOWN_FIELDS | {str(k) for k in assistant})


def select_fields(assistant: Mapping[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """The (already cleaned) configuration, whole or restricted to ``fields`` (InputError on unknown names)."""
    if fields is None:
        return dict(assistant)
    check_fields(fields, valid_fields(assistant))
    return {f: assistant.get(f) for f in dict.fromkeys(fields)}


def check_fields(fields: Sequence[str], allowed: Sequence[str]) -> None:
    """InputError when ``fields`` is empty or names a field outside ``allowed`` (the error lists them)."""
    if not fields:  # else a comparison of nothing would read as "identical"
        raise InputError('fields is empty: pass field names such as ["prompt"], or omit it.')
    known = set(allowed)
    unknown = [f for f in fields if f not in known]
    if unknown:
        from revox_mcp.domain.redaction import redacted  # its pattern table: loaded on a bad argument, not at start

        shown = ", ".join(repr(redacted(f, 60)) for f in unknown[:5])  # never echo a huge or secret argument
        raise InputError(f"Unknown field(s) {shown}. Valid fields: {', '.join(allowed)}.")
