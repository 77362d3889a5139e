"""The time axis of an assistant's calls in one answer: series, configuration changes, change points. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from revox_mcp.domain.output import Out
from revox_mcp.domain.timeline.cause import attribute
from revox_mcp.domain.timeline.change import ALPHA, ChangePoint, detect_changes
from revox_mcp.domain.timeline.config import ConfigChange, changes_in_calls
from revox_mcp.domain.timeline.observation import CallObservation, in_period
from revox_mcp.domain.timeline.period import Period
from revox_mcp.domain.timeline.series import SeriesRow, build_series


class Timeline(Out):
    """What the calls of a period did, bucket by bucket; what changed in the configuration; and
    where a rate or a latency shifted, with the change just before it."""

    series: list[SeriesRow]
    config_changes: list[ConfigChange]
    change_points: list[ChangePoint]
    metrics: list[str]  # tested for change points
    note: str | None = None


def analyze_timeline(
    period: Period,
    observations: Sequence[CallObservation],
    *,
    stored: Sequence[ConfigChange] = (),
    alpha: float = ALPHA,
) -> Timeline:
    """The whole time axis of ``observations`` (any order; those outside the period are left out).

    ``stored`` are the versions the server recorded (source "stored"); with the changes seen in
    the calls they are split points for the search and candidate causes of what it finds.
    """
    calls = in_period(period, observations)
    changes = changes_in_calls(calls) + [change for change in stored if period.contains(change.at)]
    changes.sort(key=lambda change: (change.at, change.source, change.kind))
    detection = detect_changes(calls, period, changes, alpha=alpha)
    return Timeline(
        series=build_series(period, calls),
        config_changes=changes,
        change_points=attribute(detection.points, changes, within=period.step),
        metrics=detection.metrics,
        note=detection.note,
    )
