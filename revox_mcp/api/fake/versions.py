"""Assistants over time, as the fake Revox embeds them in calls: the version in use when a call was made.

An organisation's assistants are served as they are now; an assistant may also have earlier
versions, each stored compactly as the fields that differed from the current one::

    {"updated_at": "2026-02-18T14:02:00.000Z", "fields": {"prompt": "..."}}

A version is the current assistant with those ``fields``, and its own ``updated_at`` (the time of the
edit that made it). It was in use from its ``updated_at`` until the next version's; the current one
from its own ``updated_at`` on.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from revox_mcp.api.fake.search import epoch_of

Json = Mapping[str, Any]


@dataclass(frozen=True)
class Timeline:
    """One assistant's versions, oldest first (the current one last), and when each came into use
    (epoch seconds, in order)."""

    starts: tuple[float, ...]
    versions: tuple[Json, ...]

    @classmethod
    def of(cls, current: Json, earlier: Sequence[Json]) -> Timeline:
        """From the current assistant and its stored earlier versions (any order; one whose time cannot
        be read is left out: it cannot be placed)."""
        timed = []
        for stored in earlier:
            start = epoch_of(stored.get("updated_at"))
            if start is not None:
                timed.append(
                    (start, {**current, **dict(stored.get("fields") or {}), "updated_at": stored["updated_at"]})
                )
        timed.sort(key=lambda item: item[0])
        last = timed[-1][0] if timed else -math.inf
        now = epoch_of(current.get("updated_at"))
        starts = (*(start for start, _version in timed), max(now if now is not None else last, last))
        return cls(starts, (*(version for _start, version in timed), current))

    def at(self, seconds: float | None) -> Json:
        """The version in use at ``seconds``: the oldest before it was made, the current one when unknown."""
        if seconds is None:
            return self.versions[-1]
        return self.versions[max(0, bisect.bisect_right(self.starts, seconds) - 1)]


class Versions:
    """Every version of an organisation's assistants: ``current``, as they are now; ``earlier``, by
    assistant id, their stored earlier versions."""

    def __init__(self, current: Sequence[Json], earlier: Mapping[str, Sequence[Json]] | None = None) -> None:
        stored = earlier or {}
        self.timelines = {str(a.get("id")): Timeline.of(a, stored.get(str(a.get("id")), ())) for a in current}

    def at(self, assistant_id: Any, moment: Any) -> Json | None:
        """The assistant as it was at ``moment`` (a timestamp as Revox writes one); None for an unknown id."""
        timeline = self.timelines.get(str(assistant_id))
        return timeline.at(epoch_of(moment)) if timeline is not None else None

    def current(self) -> dict[str, Json]:
        """Each assistant as it is now, by id."""
        return {ident: timeline.versions[-1] for ident, timeline in self.timelines.items()}

    def of(self, assistant_id: str) -> tuple[Json, ...]:
        """An assistant's versions, oldest first, the current one last."""
        timeline = self.timelines.get(assistant_id)
        return timeline.versions if timeline is not None else ()
