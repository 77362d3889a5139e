"""The assistant tools, and the connection check: list, get, diagnose, compare; revox_status."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from revox_mcp.history.version import MAX_VERSIONS_PER_PAGE
from revox_mcp.server.params import (
    AssistantIdArg,
    CursorArg,
    DetailArg,
    FieldsArg,
    LimitArg,
    OffsetArg,
    OptionalIdArg,
    QueryArg,
)
from revox_mcp.server.registration import ToolSet
from revox_mcp.server.state import AppState
from revox_mcp.service.results import Answer

TOOLS = ToolSet()

VersionsArg = Annotated[int, Field(ge=1, le=MAX_VERSIONS_PER_PAGE, description="Versions per page.")]


@TOOLS.tool("List Revox assistants", "AssistantPage")
async def list_assistants(
    app: AppState, query: QueryArg = None, limit: LimitArg = 20, cursor: CursorArg = None
) -> Answer:
    """List the Revox voice assistants as compact summaries, optionally filtered by name or id."""
    return await app.services.assistants.list_assistants(app.credential(), query, limit, cursor)


@TOOLS.tool("Get a Revox assistant", "AssistantView")
async def get_assistant(
    app: AppState,
    assistant_id: AssistantIdArg,
    detail: DetailArg = "summary",
    fields: FieldsArg = None,
    offset: OffsetArg = 0,
) -> Answer:
    """Get one assistant: a summary, or its redacted configuration (detail="full" or fields)."""
    return await app.services.assistants.get_assistant(app.credential(), assistant_id, detail, fields, offset)


@TOOLS.tool("Diagnose Revox assistants", "DiagnosisView")
async def diagnose_assistant(
    app: AppState, assistant_id: OptionalIdArg = None, limit: LimitArg = 20, cursor: CursorArg = None
) -> Answer:
    # The docstring is the description models read, verbatim: its second line's indent is part of it.
    """Find configuration mistakes (with fixes, and the {{variables}} calls need) in one assistant,
        or rank all worst first."""  # fmt: skip
    if assistant_id is None:
        return await app.services.troubleshooting.diagnose_all(app.credential(), limit, cursor)
    return await app.services.troubleshooting.diagnose_one(app.credential(), assistant_id)


@TOOLS.tool("Compare two Revox assistants", "AssistantComparison")
async def compare_assistants(
    app: AppState, assistant_id_a: AssistantIdArg, assistant_id_b: AssistantIdArg, fields: FieldsArg = None
) -> Answer:
    """Show how two assistants' configurations differ: changed, added, removed fields; prompt diffs."""
    return await app.services.troubleshooting.compare(app.credential(), assistant_id_a, assistant_id_b, fields)


@TOOLS.tool("Revox assistant history", "AssistantHistory")
async def assistant_history(
    app: AppState, assistant_id: AssistantIdArg, limit: VersionsArg = 5, cursor: CursorArg = None
) -> Answer:
    """Show when an assistant's configuration changed: versions the server stored, with diffs, and
        prompt/model changes seen in its calls."""  # fmt: skip
    return await app.services.history.assistant_history(app.credential(), assistant_id, limit, cursor)


@TOOLS.tool("Revox connection status", "StatusView")
async def revox_status(app: AppState) -> Answer:
    """Check the connection first when nothing works: key set and accepted, latency, cache."""
    return await app.services.status.status(app.credentials.current())
