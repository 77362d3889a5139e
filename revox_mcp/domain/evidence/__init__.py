"""What an assistant's calls show, and which configuration field explains it. Pure, no I/O.

``facts_of`` (``call_facts``) reads one cleaned call into the few facts the rules need (memoised by
the service, by content). ``aggregate`` (``aggregation``) turns the facts of many calls into
distributions, percentiles and shares. ``findings`` runs the checks: each ties a pattern in the calls
to a configuration field, with the evidence (how many of how many calls, attempts or turns, the
share, up to three example call ids), the field's current value and the exact change to make.

Every finding carries its drill-down: the ``list_calls`` arguments that return exactly the calls it
counted (a dial error or a tool's errors where such a filter names them, else the rule itself as a
``pattern``, which ``pattern_calls`` answers by running the rule again over the same calls).

``rules`` holds every rule, ``context`` what the checks share; the checks themselves are grouped by
area (``duration``, ``dialing``, ``messaging``, ``transfers``, ``tools``, ``openings``, ``latency``,
``content``), as the configuration checks of ``domain.diagnostics`` are.

Text from calls (transcripts, tool outputs) is never repeated in a finding beyond a short quote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from revox_mcp.domain.evidence.aggregation import Aggregate, aggregate
from revox_mcp.domain.evidence.call_facts import AttemptFacts, CallFacts, facts_of
from revox_mcp.domain.evidence.content import check_interruptions, check_structured_output, check_variables
from revox_mcp.domain.evidence.context import Check, Context, needs_campaigns, with_related
from revox_mcp.domain.evidence.dialing import check_dial, check_ivr, check_unreachable
from revox_mcp.domain.evidence.duration import check_max_duration
from revox_mcp.domain.evidence.latency import check_latency
from revox_mcp.domain.evidence.messaging import check_after_call_sms, check_voicemail
from revox_mcp.domain.evidence.openings import check_openings
from revox_mcp.domain.evidence.rules import RULES
from revox_mcp.domain.evidence.tools import check_tools
from revox_mcp.domain.evidence.transfers import check_transfers
from revox_mcp.domain.facts import unused_parts
from revox_mcp.domain.findings import Evidence
from revox_mcp.domain.rules import RANK, about_unused

__all__ = [
    "RULES",
    "Aggregate",
    "AttemptFacts",
    "CallFacts",
    "Evidence",
    "aggregate",
    "facts_of",
    "findings",
    "is_rule_pattern",
    "needs_campaigns",
    "pattern_calls",
]

_CHECKS: tuple[Check, ...] = (
    check_max_duration,
    check_ivr,
    check_voicemail,
    check_transfers,
    check_tools,
    check_dial,
    check_unreachable,
    check_openings,
    check_latency,
    check_interruptions,
    check_after_call_sms,
    check_structured_output,
    check_variables,
)


def findings(
    calls: Sequence[CallFacts],
    config: Mapping[str, Any] | None,
    agg: Aggregate | None = None,
    campaigns: Sequence[Mapping[str, Any]] | None = None,
) -> list[Evidence]:
    """Every rule over ``calls`` (most recent first), worst first. ``config`` None: not read (values unknown);
    ``campaigns`` (those using the assistant) None: not read, so a finding naming a campaign field says so
    (``needs_campaigns``)."""
    ctx = Context(calls, config, agg or aggregate(calls), campaigns)
    unused = unused_parts(config)
    found = [with_related(f, ctx) for check in _CHECKS for f in check(ctx) if not about_unused(f.rule, f.field, unused)]
    return sorted(found, key=lambda f: (RANK[f.severity], -f.share, f.rule))


def is_rule_pattern(pattern: str) -> bool:
    """Whether ``pattern`` names a rule: its id, or (a finding per name) ``rule:name``."""
    return pattern.partition(":")[0] in RULES


def pattern_calls(pattern: str, calls: Sequence[CallFacts], config: Mapping[str, Any] | None) -> set[str]:
    """The ids of the calls the findings of ``pattern`` count over ``calls`` (none when the rule finds
    nothing there): a rule id (every finding of that rule) or a finding's drill-down ``pattern``."""
    ctx = Context(calls, config, aggregate(calls))
    found: set[str] = set()
    for finding in (finding for check in _CHECKS for finding in check(ctx)):
        if finding.rule == pattern or (finding.drill_down or {}).get("pattern") == pattern:
            found.update(finding.calls)
    return found
