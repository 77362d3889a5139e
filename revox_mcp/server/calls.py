"""The call tools: list_calls, get_call, analyze_calls. Thin, like every tool: find the state and
credential, call the service, return its answer; failures are translated once by ``tool_call``."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult

from revox_mcp.server.app import READ_ONLY, AppState, _result, _state
from revox_mcp.server.errors import tool_call
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
    DirectionFilterArg,
    LastArg,
    LimitArg,
    OutcomeFilterArg,
    ResultFilterArg,
    StatusFilterArg,
)
from revox_mcp.service.call_review import CallAnalysis, CallList, CallView


def add_call_tools(server: MCPServer[AppState]) -> None:
    @server.tool(title="List Revox calls", annotations=READ_ONLY)
    @tool_call
    async def list_calls(
        ctx: Context[AppState, Any],
        assistant_id: AssistantFilterArg = None,
        status: StatusFilterArg = None,
        outcome: OutcomeFilterArg = None,
        result: ResultFilterArg = None,
        direction: DirectionFilterArg = None,
        query: CallQueryArg = None,
        limit: LimitArg = 20,
        cursor: CursorArg = None,
    ) -> Annotated[CallToolResult, CallList]:
        """Calls, newest first, one row each."""
        state = _state(ctx)
        answer = await state.calls.list_calls(
            state.credential(),
            assistant_id=assistant_id,
            status=status,
            outcome=outcome,
            result=result,
            direction=direction,
            query=query,
            limit=limit,
            cursor=cursor,
        )
        return _result(answer)

    @server.tool(title="Get a Revox call", annotations=READ_ONLY)
    @tool_call
    async def get_call(
        ctx: Context[AppState, Any],
        call_id: CallIdArg,
        detail: CallDetailArg = "summary",
        fields: CallFieldsArg = None,
        attempt: AttemptArg = None,
        offset: CallOffsetArg = 0,
    ) -> Annotated[CallToolResult, CallView]:
        """One call: summary, transcript, or redacted JSON."""
        state = _state(ctx)
        return _result(await state.calls.get_call(state.credential(), call_id, detail, fields, attempt, offset))

    @server.tool(title="Analyze Revox calls", annotations=READ_ONLY)
    @tool_call
    async def analyze_calls(
        ctx: Context[AppState, Any],
        assistant_id: AnalyzeIdArg,
        last: LastArg = 50,
    ) -> Annotated[CallToolResult, CallAnalysis]:
        """What an assistant's recent calls show, and the fields to change."""
        state = _state(ctx)
        return _result(await state.calls.analyze_calls(state.credential(), assistant_id, last))
