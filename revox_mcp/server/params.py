"""Tool parameters, defined once: their types, bounds and the descriptions models read."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from revox_mcp.domain.output import lean_optional

# Length and characters are checked by facts.validate_assistant_id, whose errors say what to do next.
AssistantIdArg = Annotated[str, Field(description="Id from list_assistants.")]
QueryArg = Annotated[
    str | None,
    Field(max_length=200, description="Text in the name or id (any case).", json_schema_extra=lean_optional),
]
LimitArg = Annotated[int, Field(ge=1, le=100, description="Page size.")]
CursorArg = Annotated[
    str | None,
    Field(max_length=500, description="next_cursor of the previous page.", json_schema_extra=lean_optional),
]
DetailArg = Annotated[Literal["summary", "full"], Field(description='"full": the whole redacted configuration.')]
FieldsArg = Annotated[
    list[str] | None,
    Field(max_length=60, description='Only these top-level fields, e.g. ["prompt"].', json_schema_extra=lean_optional),
]
OptionalIdArg = Annotated[
    str | None,
    Field(max_length=200, description="Assistant id; omit to rank all.", json_schema_extra=lean_optional),
]
OffsetArg = Annotated[int, Field(ge=0, description="With one text field: next_offset of the previous answer.")]

# --- calls (list_calls, get_call, analyze_calls) ------------------------------------------------------
# Kept terse: tools/list (every tool, 20 kB at most) is paid by every session.

_opt = lean_optional
AssistantFilterArg = Annotated[str | None, Field(description="From list_assistants.", json_schema_extra=_opt)]
# No maxLength: domain.call_fields.parse_filter reads at most 10 values, and its error lists the valid ones.
StatusFilterArg = Annotated[str | None, Field(description="e.g. errored", json_schema_extra=_opt)]
OutcomeFilterArg = Annotated[str | None, Field(description="e.g. interested", json_schema_extra=_opt)]
ResultFilterArg = Annotated[str | None, Field(description="e.g. human,IVR", json_schema_extra=_opt)]
DirectionFilterArg = Annotated[str | None, Field(description="inbound|outbound", json_schema_extra=_opt)]
CallQueryArg = Annotated[str | None, Field(max_length=200, description="Free text.", json_schema_extra=_opt)]
CallIdArg = Annotated[str, Field(description="From list_calls.")]
CallDetailArg = Annotated[Literal["summary", "transcript", "full"], Field(description="What to show.")]
CallFieldsArg = Annotated[
    list[str] | None,
    Field(max_length=30, description='e.g. ["llm_system_prompt"]', json_schema_extra=_opt),
]
AttemptArg = Annotated[int | None, Field(ge=1, description="1 = first", json_schema_extra=_opt)]
CallOffsetArg = Annotated[int, Field(ge=0, description="next_offset")]
LastArg = Annotated[
    int | None, Field(ge=10, le=200, description="Last N calls (50 if no period).", json_schema_extra=_opt)
]
AnalyzeIdArg = Annotated[str, Field(description="Id from list_assistants.")]

# A period (both tools): parsed and checked by domain.timeline.period, whose errors say what to give.
SinceArg = Annotated[
    str | None, Field(max_length=40, description="ISO date or date-time (UTC if no offset).", json_schema_extra=_opt)
]
UntilArg = Annotated[str | None, Field(max_length=40, description="Inclusive; like since.", json_schema_extra=_opt)]
DaysArg = Annotated[int | None, Field(ge=1, le=92, description="Last N days.", json_schema_extra=_opt)]
# What Revox cannot filter on: list_calls reads the period (default 7 days) and filters each call's attempts.
EndReasonArg = Annotated[str | None, Field(max_length=200, description="Any attempt's.", json_schema_extra=_opt)]
EndedByArg = Annotated[str | None, Field(max_length=200, description="agent|user|system", json_schema_extra=_opt)]
DialErrorArg = Annotated[str | None, Field(max_length=200, description="e.g. no_answer", json_schema_extra=_opt)]
ToolErrorArg = Annotated[str | None, Field(max_length=80, description="Tool name: its errors.", json_schema_extra=_opt)]
PatternArg = Annotated[
    str | None, Field(max_length=200, description="From an analyze_calls drill_down.", json_schema_extra=_opt)
]
