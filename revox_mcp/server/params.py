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
