"""What every call check shares: the calls and configuration it reads, how evidence is tallied and
how a finding is written. Pure.

A rule never claims more than its evidence: it says what it counted and over what, and a small
sample lowers its severity to "info". Text from calls is never repeated beyond a short quote.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from revox_mcp.domain.call_fields import one_line
from revox_mcp.domain.evidence.aggregation import Aggregate
from revox_mcp.domain.evidence.call_facts import AttemptFacts, CallFacts
from revox_mcp.domain.evidence.rules import RULES
from revox_mcp.domain.findings import Evidence
from revox_mcp.domain.named_fields import CAMPAIGNS_NOT_READ, related, shown
from revox_mcp.domain.rules import Severity

# Below this many calls, attempts or turns counted, a finding is only "info": too few to be sure.
SMALL_SAMPLE = 5
# A pattern is reported when it shows in at least this many calls...
MIN_COUNT = 2
# ...and (for rate-based rules) at least this share of what was counted.
MIN_SHARE = 0.1
_QUOTE = 90
_VALUE_CHARS = 80
NOT_READ = "(configuration not read)"


@dataclass
class Tally:
    """Calls showing a pattern (their ids, most recent first) and a count in some unit."""

    count: int = 0
    ids: list[str] = field(default_factory=list)

    def add(self, call_id: str, amount: int = 1) -> None:
        self.count += amount
        if call_id not in self.ids:
            self.ids.append(call_id)

    @classmethod
    def of(cls, attempts: Iterable[tuple[CallFacts, AttemptFacts]], shows: Callable[[AttemptFacts], bool]) -> Tally:
        """The attempts that show a pattern, counted, with their calls' ids."""
        tally = cls()
        for call, attempt in attempts:
            if shows(attempt):
                tally.add(call.id)
        return tally


def short_json(value: Any) -> str:
    """A configuration value as short JSON."""
    try:
        shown = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        shown = "?"
    return shown if len(shown) <= _VALUE_CHARS else shown[: _VALUE_CHARS - 1] + "…"


def quote(value: str) -> str:
    """A short quote of call text, marked as such (never more than _QUOTE characters)."""
    return "“" + one_line(value, _QUOTE).replace("“", '"').replace("”", '"') + "”"


@dataclass(frozen=True)
class Context:
    calls: Sequence[CallFacts]  # most recent first
    config: Mapping[str, Any] | None
    agg: Aggregate
    campaigns: Sequence[Mapping[str, Any]] | None = None  # those using the assistant; None: not read

    def get(self, key: str) -> Any:
        return self.config.get(key) if self.config is not None else None

    def shown(self, key: str) -> str:
        """A configuration field's value as findings show it (``named_fields.shown``)."""
        return shown(self.config, key) if self.config is not None else NOT_READ


def with_related(finding: Evidence, ctx: Context) -> Evidence:
    """The finding with the current value of each other field its change names (the assistant's, or its
    campaigns')."""
    values = related(
        finding.change,
        finding.field,
        ctx.config,
        shown_already=True,
        campaigns=ctx.campaigns,
        not_read=NOT_READ if ctx.config is None else None,
    )
    return finding.model_copy(update={"related": values}) if values else finding


def needs_campaigns(found: Sequence[Evidence]) -> bool:
    """Whether a finding names a campaign field whose value is unknown until the campaigns are read."""
    return any(f.related and CAMPAIGNS_NOT_READ in f.related.values() for f in found)


Check = Callable[[Context], list[Evidence]]


def finding(
    rule: str,
    tally: Tally,
    of: int,
    what: str,
    field_name: str,
    value: str,
    change: str,
    severity: Severity | None = None,
    drill: Mapping[str, str] | None = None,
) -> Evidence:
    """A finding over the calls in ``tally``. ``drill``: the list_calls filter that returns exactly
    those calls, when one names them (a dial error, a tool's errors); by default the rule itself
    (``pattern``), which list_calls runs again over the same calls."""
    base = severity or RULES[rule].severity
    level: Severity = "info" if of < SMALL_SAMPLE else base
    evidence = Evidence(
        rule=rule,
        severity=level,
        count=tally.count,
        of=of,
        share=round(tally.count / of, 2) if of else 0.0,
        what=what,
        examples=tally.ids[:3],
        field=field_name,
        value=value,
        change=change,
        drill_down=dict(drill) if drill is not None else {"pattern": rule},
    )
    evidence.calls.extend(tally.ids)
    return evidence


def enough(tally: Tally, of: int, share: float = MIN_SHARE) -> bool:
    return tally.count >= MIN_COUNT and of > 0 and tally.count / of >= share


def connected_attempts(ctx: Context) -> list[tuple[CallFacts, AttemptFacts]]:
    return [(c, a) for c in ctx.calls for a in c.attempts if a.connected]


def answered_attempts(ctx: Context) -> list[tuple[CallFacts, AttemptFacts]]:
    return [(c, a) for c in ctx.calls for a in c.attempts if a.answered_by_human]
