"""What changed between two consecutive stored versions of an assistant. Pure: no I/O.

The field-level diff is ``domain.compare``'s (bookkeeping such as ids and timestamps left out; the
configurations were redacted at ingest). As a ``ConfigChange`` (source "stored") for the timeline,
a change is dated by the assistant's own ``updated_at`` when it is plausible, that is when it lies
between the time the server first saw the previous version and the time it first saw this one (a
few minutes of clock skew allowed); otherwise by the time the server first saw it, a bound that may
come well after the edit. The summary says which.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timezone

from revox_mcp.domain.call_fields import seconds_of
from revox_mcp.domain.compare import Comparison, compare
from revox_mcp.domain.facts import text
from revox_mcp.domain.summary import llm_kind_and_model
from revox_mcp.domain.timeline.config import ConfigChange
from revox_mcp.history.version import Version

# Revox's clock and ours may disagree by this much.
CLOCK_SKEW = 300.0
_NAMED = 4  # fields named in a summary
_SHOWN = 40  # characters of a model's name in a summary
KIND_OF_FIELDS: dict[tuple[str, ...], str] = {("prompt",): "prompt", ("llm_model",): "model"}


def version_diff(older: Version, newer: Version) -> Comparison:
    """The field-level diff from ``older`` to ``newer`` (A → B), bookkeeping fields left out."""
    return compare(older.config, newer.config)


def changed_fields(comparison: Comparison) -> list[str]:
    """The top-level fields a diff touches, in its order: ``custom_tools[name=Book].url`` → ``custom_tools``."""
    fields = (change.path.split(".", 1)[0].split("[", 1)[0] for change in comparison.changes)
    return list(dict.fromkeys(fields))


def edited_at(older: Version, newer: Version) -> float | None:
    """``newer``'s own ``updated_at`` (epoch seconds) when it is plausible, else None."""
    moment = seconds_of(newer.updated_at)
    if moment is None or not older.seen_at - CLOCK_SKEW <= moment <= newer.seen_at + CLOCK_SKEW:
        return None
    return moment


def change_between(older: Version, newer: Version) -> ConfigChange | None:
    """``newer`` as a configuration change after ``older``; None when only bookkeeping differs."""
    fields = changed_fields(version_diff(older, newer))
    if not fields:
        return None
    kind = KIND_OF_FIELDS.get(tuple(fields), "config")
    if kind == "prompt":
        summary = "prompt changed"
    elif kind == "model":
        summary = f"model changed: {_model(older)} → {_model(newer)}"
    else:
        named = ", ".join(fields[:_NAMED]) + (f" and {len(fields) - _NAMED} more" if len(fields) > _NAMED else "")
        summary = f"{len(fields)} field{'s' if len(fields) > 1 else ''} changed: {named}"
    edited = edited_at(older, newer)
    dated = "dated by the assistant's updated_at" if edited is not None else "dated when the server first saw it"
    moment = edited if edited is not None else newer.seen_at
    return ConfigChange(
        at=datetime.fromtimestamp(moment, tz=timezone.utc),
        source="stored",
        kind=kind,
        fields=fields,
        summary=f"{summary} ({dated})",
    )


def stored_changes(versions: Sequence[Version]) -> list[ConfigChange]:
    """The changes between consecutive versions of one assistant given newest first (as
    ``History.history`` returns them), oldest first (as ``analyze_timeline`` takes them)."""
    oldest_first = list(reversed(versions))
    found = (change_between(older, newer) for older, newer in itertools.pairwise(oldest_first))
    return [change for change in found if change is not None]


def _model(version: Version) -> str:
    name = llm_kind_and_model(version.config)[1] or text(version.config, "llm_model") or "?"
    return name if len(name) <= _SHOWN else name[: _SHOWN - 1] + "…"
