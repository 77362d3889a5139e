"""What each tool answers: its output model, the structured content whose schema the tool advertises.

The models alone, apart from the services that build them (``assistants``, ``history``, ``status``,
``troubleshooting``, ``call_list``, ``call_review``, ``call_analysis``): a server lists its tools, with
their schemas, without loading a service, so a client's first ``tools/list`` waits for no rule engine,
redactor or time axis (each loads with the first call that needs it).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from revox_mcp.domain.call_views import CallRow, CallSummary, Turn
from revox_mcp.domain.compare import Change, Comparison
from revox_mcp.domain.findings import DiagnosisRow, Evidence, Finding, UsedBy, VariableUse
from revox_mcp.domain.output import AnObject, Objects, Out
from revox_mcp.domain.summary import AssistantDetail, AssistantSummary
from revox_mcp.domain.timeline.change import ChangePoint
from revox_mcp.domain.timeline.config import ConfigChange
from revox_mcp.domain.timeline.period import Moment, PeriodView
from revox_mcp.domain.timeline.series import SeriesRow
from revox_mcp.service.results import Result


class AssistantPage(Result):
    """One page of the assistant index."""

    assistants: list[AssistantSummary]
    total: int = Field(description="matching the query")
    query: str | None = None
    next_cursor: str | None = Field(None, description="cursor of the next page; absent on the last page")
    stopped_by: Literal["size"] | None = None


class AssistantView(Result):
    """One assistant: its summary, or (detail=full / fields) its redacted configuration."""

    id: str
    name: str | None = None
    summary: AssistantDetail | None = None
    config: dict[str, Any] | None = Field(None, description="the redacted fields asked for")
    cut: list[str] | None = Field(None, description="paths cut to fit")
    next_offset: int | None = Field(None, description="offset to read more of the field")


class StoredVersion(Out):
    """A version the server stored, and what changed from the one stored before it (A → B)."""

    at: Moment  # the edit: the assistant's updated_at when plausible, else first seen
    seen_at: Moment
    dated: Literal["updated_at", "seen"]
    summary: str
    fields: list[str] | None = None
    changes: list[Change] | None = None  # A: the version before, B: this one
    diff_cut: bool | None = None  # text diffs shortened (or left out) to fit


class CallsSeen(Out):
    """The calls the changes seen in calls come from."""

    since: Moment
    until: Moment
    calls: int
    complete: bool
    note: str | None = None


class AssistantHistory(Result):
    """An assistant's configuration over time: the versions the server stored, the changes seen in calls."""

    assistant_id: str
    name: str | None = None
    store: Annotated[dict[str, str | int | None], AnObject]
    versions: Annotated[list[StoredVersion], Objects]  # newest first
    total_versions: int
    calls: Annotated[CallsSeen | None, AnObject] = None
    call_changes: Annotated[list[ConfigChange] | None, Objects] = None  # newest first
    next_cursor: str | None = None
    notes: list[str] | None = None


class CacheView(Out):
    entries: int
    ttl_seconds: float
    oldest_age_seconds: float | None = None
    hits: int
    misses: int
    coalesced: int
    stale_served: int
    upstream_requests: int
    last_error: str | None = None


class HistoryStatus(Out):
    """The store of observed assistant versions (assistant_history)."""

    state: str
    store: str
    reason: str
    where: str | None = None
    versions: int | None = None
    failures: int = 0


class StatusView(Out):
    """What to check first when nothing works."""

    version: str
    demo: bool
    base_url: str = Field(description="scheme, host and path only")
    api_key_configured: bool
    api_key_fingerprint: str | None = Field(None, description="SHA-256 prefix")
    key_accepted: bool | None = Field(None, description="absent: unknown (see key_check)")
    key_check: str | None = Field(None, description="what GET /auth-status got")
    http_status: int | None = None
    retry_after_seconds: float | None = None
    latency_ms: float | None = None
    error: str | None = None
    cache: CacheView
    history: HistoryStatus | None = None


class DiagnosisView(Result):
    """One assistant's findings and {{variables}}; or, with no id, every assistant ranked worst first."""

    assistant_id: str | None = None
    name: str | None = None
    counts: dict[str, int] | None = Field(None, description="findings by severity")
    findings: Annotated[list[Finding] | None, Objects] = None
    variables: list[VariableUse] | None = Field(None, description="{{variables}} each call must supply")
    assistants: list[DiagnosisRow] | None = None
    total: int | None = None
    next_cursor: str | None = None
    used_by: Annotated[UsedBy | None, AnObject] = None
    not_checked: list[str] | None = None


class AssistantComparison(Result):
    """Differences between two assistants' redacted configurations."""

    comparison: Comparison


class CallList(Result):
    """One page of calls, newest first when Revox accepts the sort."""

    calls: Annotated[list[CallRow], Objects]
    total: int | None = None
    next_cursor: str | None = None
    order: str | None = None
    period: Annotated[PeriodView | None, AnObject] = None  # when the calls were read by a period scan
    stopped_by: Literal["size"] | None = None


class CallView(Result):
    """One call: its summary, the transcript of one attempt, or its redacted JSON."""

    id: str
    note: str | None = None
    summary: Annotated[CallSummary | None, AnObject] = None
    attempt: int | None = None
    turns: Annotated[list[Turn] | None, Objects] = None
    total_turns: int | None = None
    call: Annotated[dict[str, Any] | None, AnObject] = None
    cut: list[str] | None = None
    next_offset: int | None = None


class CallAnalysis(Result):
    """An assistant's calls aggregated, the findings that tie patterns to its configuration, and over a
    period its time axis."""

    assistant_id: str
    name: str | None = None
    calls: int
    attempts: int
    total: int | None = None
    span: str | None = None  # created, oldest to newest
    # status, outcome (per call); result, end_reason, ended_by, dial_error (per attempt): value -> count
    counts: Annotated[dict[str, dict[str, int]], AnObject]
    # talk time p50/p90 (s), calls that reached a person, voicemail attempts, agent turns and interrupted
    # ones, latency p50/p95 (ms), tool "errors/results"
    metrics: Annotated[dict[str, int | str], AnObject]
    findings: Annotated[list[Evidence], Objects]
    period: Annotated[PeriodView | None, AnObject] = None
    series: Annotated[list[SeriesRow] | None, Objects] = None
    config_changes: Annotated[list[ConfigChange] | None, Objects] = None
    change_points: Annotated[list[ChangePoint] | None, Objects] = None
    tested: list[str] | None = None  # metrics tested for change points
    notes: list[str] | None = None
    cut: list[str] | None = None  # what was cut to fit the answer's budget
