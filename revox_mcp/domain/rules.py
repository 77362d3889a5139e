"""The one shape of a rule, shared by every rule engine: severities, their order, the rule spec. Pure.

Three engines emit findings: the configuration checks (``diagnostics``), the account checks
(``diagnostics.account``) and the call checks (``evidence``). Their findings differ where the data does
(a call finding has counts and example calls), but each engine keeps its rules in one table of
``RuleSpec`` keyed by rule id, and every list of findings is ordered by ``RANK``, worst first.

Severities: error = the assistant will misbehave; warning = likely a mistake; info = worth knowing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from revox_mcp.domain.facts import within

Severity = Literal["error", "warning", "info"]

# Worst first: the one order of findings.
SEVERITIES: Final[tuple[Severity, ...]] = ("error", "warning", "info")
# A plain dict (a finding sort reads it once per finding): error 0, warning 1, info 2.
RANK: Final[Mapping[str, int]] = {severity: position for position, severity in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class RuleSpec:
    """One rule: its severity at full strength, one line on what it is about, and, for rules whose
    message and fix are filled from parameters, their ``str.format`` templates."""

    severity: Severity
    about: str
    message: str = ""
    fix: str = ""


_PARAM = re.compile(r"\$(\w+)")


def _template(text: str) -> str:
    """'$name' parameters -> a str.format template (literal braces doubled)."""
    return _PARAM.sub(r"{\1}", text.replace("{", "{{").replace("}", "}}"))


def templated(severity: Severity, about: str, message: str, fix: str) -> RuleSpec:
    """A rule whose message and fix name their parameters ``$name`` (readable next to literal
    ``{{variables}}``)."""
    return RuleSpec(severity, about, _template(message), _template(fix))


def rule_table(rules: Mapping[str, RuleSpec]) -> Mapping[str, RuleSpec]:
    """A read-only table of rules by id."""
    return MappingProxyType(dict(rules))


# The rules that say a part of the configuration is unused: the only findings kept about that part
# (``facts.unused_parts``), whichever engine emits them.
SAYS_UNUSED: frozenset[str] = frozenset({"llm.realtime.voice_unused"})


def about_unused(rule: str, path: str, unused: tuple[str, ...]) -> bool:
    """Whether a finding at ``path`` is about a part of the configuration that is not used (and is not
    the finding that says so): such a finding is left out."""
    return bool(unused) and rule not in SAYS_UNUSED and within(path, unused)


def finding_fields(rule: str, spec: RuleSpec, path: str, params: Mapping[str, str]) -> dict[str, str]:
    """The fields of a ``Finding``: the rule, its severity, the path, and its templates filled with
    ``params`` and ``path``."""
    values = {**params, "path": path}
    return {
        "rule": rule,
        "severity": spec.severity,
        "path": path,
        "message": spec.message.format_map(values),
        "fix": spec.fix.format_map(values),
    }
