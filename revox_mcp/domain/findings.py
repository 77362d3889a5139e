"""What the rule engines produce: findings in an assistant, evidence in its calls, where it is used. Pure.

Apart from the rules themselves (``domain.diagnostics``, ``domain.evidence``), so that the tools' output
schemas can be built without importing every rule: a server starts without paying for what no call
has asked yet.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from revox_mcp.domain.output import Out, lean_schema
from revox_mcp.domain.rules import Severity
from revox_mcp.domain.summary import RetryView


class Finding(BaseModel):
    """One problem found in an assistant."""

    model_config = ConfigDict(json_schema_extra=lean_schema, defer_build=True)

    rule: str
    severity: Severity
    path: str
    message: str
    fix: str
    # The current value of each field the fix names that the message does not state (path -> JSON).
    related: dict[str, str] | None = None


class VariableUse(BaseModel):
    """A ``{{variable}}`` that calls must supply, and the fields that use it."""

    model_config = ConfigDict(json_schema_extra=lean_schema, defer_build=True)

    name: str
    sources: list[str]


class Diagnosis(BaseModel):
    """Everything ``diagnose`` found in one assistant."""

    model_config = ConfigDict(defer_build=True)

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
    related: dict[str, str] | None = Field(None, description="other fields the change names: current values")
    drill_down: dict[str, str] | None = Field(None, description="list_calls arguments for its calls")
    # Every call the rule counted (examples are the first three): what drill_down returns.
    _calls: list[str] = PrivateAttr(default_factory=list)

    @property
    def calls(self) -> list[str]:
        return self._calls


class NumberUse(Out):
    """One of the account's phone numbers (``GET /phone-numbers``), or a number it does not have."""

    phone_number: str
    label: str | None = None
    provider: str | None = None
    source: str | None = None
    type: str | None = None
    on_account: bool | None = Field(None, description="false: not one of the account's numbers")


class CampaignUse(Out):
    """A campaign that uses the assistant: what decides how and when it calls, and how far it got."""

    id: str
    name: str | None = None
    status: str | None = None
    from_phone_number: str | None = None
    max_concurrent_calls: int | None = None
    scheduled_at: str | None = None
    call_retry_config: RetryView | None = None
    rows: dict[str, int] | None = Field(None, description="row_stats")
    funnel: dict[str, int] | None = Field(None, description="funnel_stats")


class UsedBy(Out):
    """Where the assistant is used: inbound numbers, the numbers it and its campaigns call from, and its
    campaigns (at most 10 of each listed)."""

    inbound_numbers: list[NumberUse] | None = None
    inbound_total: int | None = None
    from_numbers: list[NumberUse] | None = None
    campaigns: list[CampaignUse] | None = None
    campaigns_total: int | None = None


class DiagnosisRow(Out):
    """One assistant in the ranking of every assistant: its tally and its worst finding."""

    id: str
    name: str | None = None
    errors: int
    warnings: int
    top: str | None = Field(None, description="worst finding")
