"""What every tool answer is made of: an output model (the structured content, the source of truth)
and a compact text rendering of the same facts. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from revox_mcp.domain.output import Out, dump

if TYPE_CHECKING:
    from revox_mcp.cache.store import Cached


class Result(Out):
    """Fields every answer may carry: set when Revox could not be reached and older cached data is shown."""

    stale: bool | None = None
    age_seconds: int | None = None
    stale_reason: str | None = None  # why fresh data could not be had (no schema description: 8 tools repeat it)


@dataclass(frozen=True)
class Answer:
    """An output model and the text rendering that goes with it."""

    model: BaseModel
    text: str

    @cached_property
    def structured(self) -> dict[str, Any]:
        """The structured content (the model as JSON-ready data), computed once: memoised answers
        are sent again and again."""
        return dump(self.model)


def freshness(cached: Cached[Any]) -> dict[str, Any]:
    """The Result fields for a cached value (empty when fresh)."""
    if not cached.stale:
        return {}
    return {"stale": True, "age_seconds": int(cached.age), "stale_reason": cached.stale_reason or "error"}


def stale_note(cached: Cached[Any]) -> str:
    """The text's line for a stale answer (the same facts as ``freshness``)."""
    if not cached.stale:
        return ""
    return (
        f"\nNOTE: Revox could not be reached ({cached.stale_reason or 'error'}); this is cached data "
        f"{int(cached.age)} s old and may be out of date."
    )
