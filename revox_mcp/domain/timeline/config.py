"""Configuration changes over time: dated from the calls themselves, or stored by the server. Pure.

In the calls, each call carries the prompt it used (as a fingerprint), the model that answered and
a fingerprint of the rest of its configuration (``config``: voice, tools, limits...). A change is
dated by the first call that used the new value and the last call that used the old one: the edit
lies between them. A value that keeps switching back to earlier ones (two models
raced call by call, a prompt A/B test) is not a sequence of edits: past ``MAX_RETURNS`` such returns
in the period it is reported once, as alternating, and is never given as the cause of a change
point. A revert is one return; a real edit brings a new value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from revox_mcp.domain.compare import Change
from revox_mcp.domain.output import Out
from revox_mcp.domain.timeline.observation import CallObservation
from revox_mcp.domain.timeline.period import Moment, as_utc

Source = Literal["calls", "stored"]
Kind = Literal["prompt", "model", "config"]

MAX_RETURNS = 2
MAX_CHANGES = 12  # per kind, the most recent: the answer stays bounded
_SHOWN = 40  # characters of a model's name in a summary


class ConfigChange(Out):
    """One change of an assistant's configuration and when it happened."""

    at: Moment  # calls: the first call with the new value; stored: when the version was recorded
    source: Source
    kind: str  # "prompt" or "model" from calls; whatever the store names ("version", ...)
    fields: list[str]
    summary: str
    first_call: str | None = None  # calls: the first call with the new value
    last_before: Moment | None = None  # calls: the last call with the old value
    last_call_before: str | None = None
    alternating: bool = False  # calls: the value switched back and forth; not an edit
    # calls: what differs between the assistants its two calls embed (redacted, bounded; the caller
    # fetches them and adds it, for the changes that caused a change point)
    diff: list[Change] | None = None


def _shown(value: str) -> str:
    return value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"


_SUMMARY = {"prompt": "prompt changed", "config": "configuration changed (not the prompt)"}
_FIELDS = {"prompt": ["prompt"], "model": ["model"], "config": []}  # config: the diff names them


def _changes_of(calls: Sequence[CallObservation], kind: Kind) -> list[ConfigChange]:
    changes: list[ConfigChange] = []
    last: CallObservation | None = None
    values: list[str] = []
    returns = 0
    for call in calls:
        value: str | None = getattr(call, kind)
        if value is None:
            continue
        previous = getattr(last, kind) if last is not None else None
        if last is not None and value != previous:
            assert previous is not None
            summary = _SUMMARY.get(kind) or f"the model that answered changed: {_shown(previous)} → {_shown(value)}"
            changes.append(
                ConfigChange(
                    at=as_utc(call.at),
                    source="calls",
                    kind=kind,
                    fields=list(_FIELDS[kind]),
                    summary=summary,
                    first_call=call.call_id,
                    last_before=as_utc(last.at),
                    last_call_before=last.call_id,
                )
            )
            returns += value in values
        if value not in values:
            values.append(value)
        last = call
    if returns <= MAX_RETURNS:
        return changes[-MAX_CHANGES:]
    names = {"prompt": "prompts", "config": "configurations"}.get(kind) or "models: " + ", ".join(
        _shown(v) for v in values[:3]
    )
    first = changes[0]
    return [
        first.model_copy(
            update={
                "summary": f"{kind} alternates: {len(changes)} switches between {len(values)} {names}",
                "alternating": True,
            }
        )
    ]


def changes_in_calls(calls: Sequence[CallObservation]) -> list[ConfigChange]:
    """Prompt, model and other configuration changes seen in calls given oldest first, in time order."""
    found = _changes_of(calls, "prompt") + _changes_of(calls, "model") + _changes_of(calls, "config")
    return sorted(found, key=lambda change: (change.at, change.kind))
