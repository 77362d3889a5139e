"""The resources (the assistants index, one assistant's configuration) and argument completion."""

from __future__ import annotations

import functools

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.resources import FunctionResource
from mcp.types import (
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
)

from revox_mcp.errors import InputError, RevoxError
from revox_mcp.server.errors import resource_read
from revox_mcp.server.state import AppState, current_state


@resource_read
async def assistants_index() -> str:
    app = current_state()
    return await app.services.assistants.index_resource(app.credential())


@resource_read
async def assistant_config(assistant_id: str) -> str:
    app = current_state()
    return await app.services.assistants.config_resource(app.credential(), assistant_id)


async def complete(
    ref: PromptReference | ResourceTemplateReference,
    argument: CompletionArgument,
    context: CompletionContext | None,
) -> Completion | None:
    """Assistant ids starting with what was typed, for any ``assistant_id`` argument."""
    if argument.name != "assistant_id":
        return None
    app = current_state()
    try:
        values = await app.services.assistants.complete(app.credential(), argument.value)
    except (RevoxError, InputError):
        return Completion(values=[], total=0, has_more=False)  # completion is a hint, never an error
    return Completion(values=values, total=len(values), has_more=False)


@functools.cache
def _index() -> FunctionResource:
    """The index resource, built once per process; servers share it (it reads the request's state)."""
    return FunctionResource.from_function(
        assistants_index,
        uri="revox://assistants",
        name="assistants",
        title="Revox assistants index",
        description="Compact summaries of every assistant (JSON).",
        mime_type="application/json",
    )


def add_resources(server: MCPServer[AppState]) -> None:
    server.add_resource(_index())
    server.resource(
        "revox://assistants/{assistant_id}",
        name="assistant",
        title="One Revox assistant",
        description="One assistant's whole configuration, secrets redacted (JSON).",
        mime_type="application/json",
    )(assistant_config)
    server.completion()(complete)  # type: ignore[no-untyped-call]  # untyped in mcp 2.3
