"""What the rule engines produce: findings in an assistant, evidence in its calls, where it is used. Pure.

Apart from the rules themselves (``domain.diagnostics``, ``domain.evidence``), so that the tools' output
schemas can be built without importing every rule: a server starts without paying for what no call
has asked yet.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from revox_mcp.domain.output import Out, lean_schema
from revox_mcp.domain.rules import Severity


class Finding(BaseModel):
    """One problem found in an assistant."""

    model_config = ConfigDict(json_schema_extra=lean_schema)

    rule: str
    severity: Severity
    path: str
    message: str
    fix: str


class VariableUse(BaseModel):
    """A ``{{variable}}`` that calls must supply, and the fields that use it."""

    model_config = ConfigDict(json_schema_extra=lean_schema)

    name: str
    sources: list[str]


class Diagnosis(BaseModel):
    """Everything ``diagnose`` found in one assistant."""

    assistant_id: str
    name: str
    findings: list[Finding]
    variables: list[VariableUse]

    @property
    def error_count(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "error")

    @property
    def warning_count(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "warning")

    @property
    def info_count(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "info")


class Evidence(Out):
    """One pattern in the calls, tied to the configuration field that explains it: count of `of` <what>."""

    rule: str
    severity: Severity
    count: int
    of: int
    share: float
    what: str = Field(description="what was counted, e.g. answered attempts cut by the limit")
    examples: list[str] = Field(description="up to 3 call ids")
    field: str = Field(description="configuration field")
    value: str = Field(description="its current value (JSON)")
    change: str
    drill_down: dict[str, str] | None = Field(None, description="list_calls arguments for its calls")
    # Every call the rule counted (examples are the first three): what drill_down returns.
    _calls: list[str] = PrivateAttr(default_factory=list)

    @property
    def calls(self) -> list[str]:
        return self._calls


class CampaignUse(Out):
    id: str
    name: str | None = None
    status: str | None = None
    rows: dict[str, int] | None = Field(None, description="row_stats")
    funnel: dict[str, int] | None = Field(None, description="funnel_stats")


class UsedBy(Out):
    """Where the assistant is used: inbound numbers and campaigns (at most 10 of each listed)."""

    inbound_numbers: list[str] | None = None
    inbound_total: int | None = None
    campaigns: list[CampaignUse] | None = None
    campaigns_total: int | None = None


class DiagnosisRow(Out):
    """One assistant in the ranking of every assistant: its tally and its worst finding."""

    id: str
    name: str | None = None
    errors: int
    warnings: int
    top: str | None = Field(None, description="worst finding")
