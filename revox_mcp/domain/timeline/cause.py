"""Which configuration change came just before a change point. Pure.

A change point is placed at a split the data preferred among the bucket boundaries and the times
of the known configuration changes. A shift that starts at an edit is therefore placed at the
edit, and one that starts elsewhere at most one bucket after it began. So an edit is given as the
cause when it lies at most one bucket (``within``) before the change point's time: further back,
the edit had its chance to be the split and the data chose a later one. Alternating values
(models raced call by call) are never a cause: they are not edits. When the calls date an edit
between two calls and the server stored a version in between, the version is given: same edit,
with its fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from revox_mcp.domain.timeline.change import Cause, ChangePoint
from revox_mcp.domain.timeline.config import ConfigChange
from revox_mcp.domain.timeline.period import as_utc

# At the same time, a stored version (it knows the fields that changed) before what calls showed.
_SOURCE_ORDER = {"stored": 0, "calls": 1}


def cause_of(point: ChangePoint, changes: Sequence[ConfigChange], *, within: timedelta) -> ConfigChange | None:
    """The configuration change nearest before ``point`` and no further than ``within``, if any."""
    at = as_utc(point.at)
    near = [c for c in changes if not c.alternating and at - within <= as_utc(c.at) <= at]
    if not near:
        return None
    nearest = min(near, key=lambda c: (at - as_utc(c.at), _SOURCE_ORDER.get(c.source, 2), c.kind))
    if nearest.source == "calls" and nearest.last_before is not None:
        # The calls say the edit lies between their last old call and first new one; a version the
        # server stored in that gap is that edit, and it knows which fields changed.
        gap = as_utc(nearest.last_before), as_utc(nearest.at)
        same = [c for c in near if c.source == "stored" and gap[0] <= as_utc(c.at) <= gap[1]]
        if same:
            return max(same, key=lambda c: as_utc(c.at))
    return nearest


def attribute(
    points: Sequence[ChangePoint], changes: Sequence[ConfigChange], *, within: timedelta
) -> list[ChangePoint]:
    """The change points, each with the cause ``cause_of`` finds (or none)."""
    attributed: list[ChangePoint] = []
    for point in points:
        change = cause_of(point, changes, within=within)
        cause = None
        if change is not None:
            calls = [change.last_call_before, change.first_call]
            cause = Cause(
                at=change.at,
                source=change.source,
                kind=change.kind,
                fields=change.fields,
                summary=change.summary,
                last_before=change.last_before,
                calls=[call for call in calls if call is not None] if all(calls) else None,
            )
        attributed.append(point.model_copy(update={"cause": cause}))
    return attributed
