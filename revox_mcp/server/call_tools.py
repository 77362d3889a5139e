"""The call tools: list_calls, get_call, analyze_calls."""

from __future__ import annotations

from revox_mcp.server.params import (
    AnalyzeIdArg,
    AssistantFilterArg,
    AttemptArg,
    CallDetailArg,
    CallFieldsArg,
    CallIdArg,
    CallOffsetArg,
    CallQueryArg,
    CursorArg,
    DaysArg,
    DialErrorArg,
    DirectionFilterArg,
    EndedByArg,
    EndReasonArg,
    LastArg,
    LimitArg,
    OutcomeFilterArg,
    PatternArg,
    ResultFilterArg,
    SinceArg,
    StatusFilterArg,
    ToolErrorArg,
    UntilArg,
)
from revox_mcp.server.registration import ToolSet
from revox_mcp.server.state import AppState
from revox_mcp.service.results import Answer

TOOLS = ToolSet()


@TOOLS.tool("List Revox calls", "CallList")
async def list_calls(
    app: AppState,
    assistant_id: AssistantFilterArg = None,
    status: StatusFilterArg = None,
    outcome: OutcomeFilterArg = None,
    result: ResultFilterArg = None,
    direction: DirectionFilterArg = None,
    query: CallQueryArg = None,
    since: SinceArg = None,
    until: UntilArg = None,
    days: DaysArg = None,
    end_reason: EndReasonArg = None,
    ended_by: EndedByArg = None,
    dial_error: DialErrorArg = None,
    tool_error: ToolErrorArg = None,
    pattern: PatternArg = None,
    limit: LimitArg = 20,
    cursor: CursorArg = None,
) -> Answer:
    """Calls, newest first, one row each; over a period, every call in it."""
    return await app.services.calls.list_calls(
        app.credential(),
        assistant_id=assistant_id,
        status=status,
        outcome=outcome,
        result=result,
        direction=direction,
        query=query,
        since=since,
        until=until,
        days=days,
        end_reason=end_reason,
        ended_by=ended_by,
        dial_error=dial_error,
        tool_error=tool_error,
        pattern=pattern,
        limit=limit,
        cursor=cursor,
    )


@TOOLS.tool("Get a Revox call", "CallView")
async def get_call(
    app: AppState,
    call_id: CallIdArg,
    detail: CallDetailArg = "summary",
    fields: CallFieldsArg = None,
    attempt: AttemptArg = None,
    offset: CallOffsetArg = 0,
) -> Answer:
    """One call: summary, transcript, or redacted JSON."""
    return await app.services.calls.get_call(app.credential(), call_id, detail, fields, attempt, offset)


@TOOLS.tool("Analyze Revox calls", "CallAnalysis")
async def analyze_calls(
    app: AppState,
    assistant_id: AnalyzeIdArg,
    last: LastArg = None,
    since: SinceArg = None,
    until: UntilArg = None,
    days: DaysArg = None,
) -> Answer:
    """What an assistant's calls show, and the fields to change; over a period, when it changed and why."""
    return await app.services.calls.analyze_calls(app.credential(), assistant_id, last, since, until, days)
