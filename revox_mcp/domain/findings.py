"""What diagnosing an assistant produces: findings, the {{variables}} calls need, a diagnosis. Pure.

Apart from the checks themselves (``domain.diagnostics``), so that the tools' output schemas can be
built without importing every rule: a server starts without paying for what no call has asked yet.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from revox_mcp.domain.output import lean_schema

Severity = Literal["error", "warning", "info"]


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
