"""The MCP edge: tools, resources and completions. The only module (with ``cli``) importing ``mcp``.

Handlers are thin: they call ``AssistantService`` and translate typed failures, once, into
messages that say what happened and what to do. No traceback, raw upstream body or secret ever
reaches the model.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import (
    CallToolResult,
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
    TextContent,
    ToolAnnotations,
)
from pydantic import Field

from revox_mcp import __version__
from revox_mcp.api.client import RevoxClient, key_fingerprint
from revox_mcp.domain import budget
from revox_mcp.domain.redaction import redact_text
from revox_mcp.domain.summary import dump, lean_optional
from revox_mcp.errors import (
    InputError,
    RevoxAuthError,
    RevoxError,
    RevoxNotFoundError,
    RevoxRateLimitError,
    RevoxResponseError,
    RevoxStatusError,
    RevoxTimeoutError,
    RevoxUnavailableError,
)
from revox_mcp.server.arguments import ToolContractServer
from revox_mcp.server.http import StaticTokenVerifier, add_healthz, auth_settings
from revox_mcp.server.protocol import ICONS, cache_hints
from revox_mcp.service.assistants import (
    Answer,
    AssistantComparison,
    AssistantPage,
    AssistantService,
    AssistantView,
    DiagnosisView,
    StatusView,
    Troubleshooting,
)

log = logging.getLogger(__name__)

INSTRUCTIONS = """\
Read-only access to the voice assistants configured on Revox (getrevox.com).
Start with list_assistants (compact index; filter with query). Then get_assistant for one
assistant's summary; ask for detail="full" or fields=["prompt"] only when you need the raw
configuration. Secrets (API keys, tool headers, URL tokens) are always shown as [REDACTED]."""

TROUBLESHOOT_PROMPT = """\
A Revox voice assistant misbehaves. Assistant: {assistant_id}. Symptom reported: "{symptom}".

Work through it with the revox tools, reading only what you need:
1. get_assistant(assistant_id="{assistant_id}") for its behaviour summary. If the id is unknown,
   find it with list_assistants(query=...). If calls fail entirely, run revox_status first.
2. diagnose_assistant(assistant_id="{assistant_id}") and keep the findings related to the symptom
   (errors first). Note the {{{{variables}}}} each call must supply: a missing one breaks prompts.
3. Fetch only the fields that bear on the symptom with get_assistant(fields=[...]). For example:
   hangs up early -> max_call_duration_secs, max_duration_end_message, end_of_call_sentence, prompt;
   never transfers -> transfer_destinations, human_transfer_mode, prompt;
   speaks too fast or sounds wrong -> voice, llm_model, stt_model;
   no SMS -> sms_enabled, sms_template, after_call_sms_outcomes, after_call_sms_prompt, voicemail_sms_prompt;
   does not call back -> call_retry_config; silent at the start -> first_sentence_mode, first_sentence,
   first_sentence_delay_ms; tools fail -> custom_tools.
   If a similar assistant works, compare_assistants shows what differs.
4. Answer with the likely causes ranked by likelihood, each with its evidence (the field and its
   value) and the exact change to make (field -> new value). Say what you could not check from the
   configuration alone (for example carrier or call-log issues). Never ask for or repeat secrets:
   values shown as [REDACTED] are hidden on purpose.
"""

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

# Length and characters are checked by models.validate_assistant_id, whose errors say what to do next.
AssistantIdArg = Annotated[str, Field(description="Id from list_assistants.")]
QueryArg = Annotated[
    str | None,
    Field(
        max_length=200,
        description="Text in the name or id (any case).",
        json_schema_extra=lean_optional,
    ),
]
LimitArg = Annotated[int, Field(ge=1, le=100, description="Page size.")]
CursorArg = Annotated[
    str | None,
    Field(max_length=500, description="next_cursor of the previous page.", json_schema_extra=lean_optional),
]
DetailArg = Annotated[
    Literal["summary", "full"],
    Field(description='"full": the whole redacted configuration.'),
]
FieldsArg = Annotated[
    list[str] | None,
    Field(max_length=60, description='Only these top-level fields, e.g. ["prompt"].', json_schema_extra=lean_optional),
]
OptionalIdArg = Annotated[
    str | None,
    Field(max_length=200, description="Assistant id; omit to rank all.", json_schema_extra=lean_optional),
]
OffsetArg = Annotated[
    int,
    Field(ge=0, description="With one text field: next_offset of the previous answer."),
]


_LOG_LEVELS: dict[int, Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]] = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}


def error_message(exc: RevoxError | InputError) -> str:
    """One actionable sentence or two for each failure; never a body, a header or the key."""
    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, RevoxAuthError):
        return (
            f"Revox rejected the API key (HTTP {exc.status}). Check REVOX_API_KEY in this MCP server's "
            "configuration (create a key in the Revox dashboard), then restart the server."
        )
    if isinstance(exc, RevoxNotFoundError):
        shown = redact_text(exc.assistant_id)[:80]
        return f"No assistant with id {shown!r}. Call list_assistants (optionally with query=<name>) to find its id."
    if isinstance(exc, RevoxRateLimitError):
        wait = f"retry after {int(exc.retry_after) + 1} s" if exc.retry_after is not None else "retry in a minute"
        return f"Revox is rate limiting requests (HTTP 429): {wait}."
    if isinstance(exc, RevoxTimeoutError):
        return f"Revox did not answer in time ({exc.reason}). It may be slow or down: retry in a minute."
    if isinstance(exc, RevoxUnavailableError):
        return (
            f"Revox is unavailable right now ({exc.reason}). Retry in a minute; if it persists, "
            "check REVOX_BASE_URL and the network."
        )
    if isinstance(exc, RevoxResponseError):
        return (
            f"Revox sent an unexpected answer ({exc.reason}). Usually temporary: retry; if it persists, "
            "check that REVOX_BASE_URL points at the Revox API."
        )
    if isinstance(exc, RevoxStatusError) and exc.status == 404:
        return "Revox answered HTTP 404 for a listing: REVOX_BASE_URL probably does not point at the Revox API."
    if isinstance(exc, RevoxStatusError):
        return f"Revox refused the request (HTTP {exc.status})."
    return "Revox could not answer."


def _result(answer: Answer) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=answer.text)],
        structured_content=dump(answer.model),
    )


@dataclass
class AppState:
    """What a server lifespan owns: one client, the service over it, and troubleshooting."""

    service: AssistantService
    fingerprint: str | None
    troubleshooting: Troubleshooting = field(init=False)

    def __post_init__(self) -> None:
        self.troubleshooting = Troubleshooting(self.service)


def _state(ctx: Context) -> AppState:
    state = ctx.request_context.lifespan_context
    assert isinstance(state, AppState)
    return state


def _service(ctx: Context) -> AssistantService:
    return _state(ctx).service


def build_server(
    client_factory: Callable[[], RevoxClient],
    *,
    demo: bool = False,
    api_key: str | None = None,
    auth_token: str | None = None,
    cache_ttl: float | None = None,
) -> MCPServer:
    """The revox-mcp server over clients made by ``client_factory`` (one per server lifespan).

    ``auth_token``: the bearer token HTTP transports require (stdio ignores it); /healthz stays open.
    ``cache_ttl``: seconds clients may reuse list and read results (cache hints); None sends none.
    """

    # Static resources and completions get no Context: they reach the live service through this.
    live: list[AssistantService] = []
    fingerprint = key_fingerprint(api_key)[:8] if api_key else None

    @asynccontextmanager
    async def lifespan(_server: MCPServer) -> AsyncIterator[AppState]:
        async with client_factory() as client:
            service = AssistantService(client, demo=demo)
            live.append(service)
            try:
                yield AppState(service, fingerprint)
            finally:
                live.remove(service)

    server: MCPServer = ToolContractServer(  # strict-mode input schemas and argument checks for every tool
        "revox-mcp",
        title="Revox assistants" + (" (demo data)" if demo else ""),
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        log_level=_LOG_LEVELS.get(logging.getLogger().getEffectiveLevel(), "WARNING"),
        token_verifier=StaticTokenVerifier(auth_token) if auth_token else None,
        auth=auth_settings() if auth_token else None,
        icons=ICONS,
        cache_hints=cache_hints(cache_ttl),
    )
    add_healthz(server)

    @server.tool(title="List Revox assistants", annotations=READ_ONLY)
    async def list_assistants(
        ctx: Context,
        query: QueryArg = None,
        limit: LimitArg = 20,
        cursor: CursorArg = None,
    ) -> Annotated[CallToolResult, AssistantPage]:
        """List the Revox voice assistants as compact summaries, optionally filtered by name or id."""
        try:
            return _result(await _service(ctx).list_assistants(query, limit, cursor))
        except (RevoxError, InputError) as exc:
            raise ToolError(error_message(exc)) from None

    @server.tool(title="Get a Revox assistant", annotations=READ_ONLY)
    async def get_assistant(
        ctx: Context,
        assistant_id: AssistantIdArg,
        detail: DetailArg = "summary",
        fields: FieldsArg = None,
        offset: OffsetArg = 0,
    ) -> Annotated[CallToolResult, AssistantView]:
        """Get one assistant: a summary, or its redacted configuration (detail="full" or fields)."""
        try:
            return _result(await _service(ctx).get_assistant(assistant_id, detail, fields, offset))
        except (RevoxError, InputError) as exc:
            raise ToolError(error_message(exc)) from None

    @server.tool(title="Diagnose Revox assistants", annotations=READ_ONLY)
    async def diagnose_assistant(
        ctx: Context,
        assistant_id: OptionalIdArg = None,
        limit: LimitArg = 20,
        cursor: CursorArg = None,
    ) -> Annotated[CallToolResult, DiagnosisView]:
        """Find configuration mistakes (with fixes, and the {{variables}} calls need) in one assistant,
        or rank all worst first."""
        try:
            if assistant_id is None:
                return _result(await _state(ctx).troubleshooting.diagnose_all(limit, cursor))
            return _result(await _state(ctx).troubleshooting.diagnose_one(assistant_id))
        except (RevoxError, InputError) as exc:
            raise ToolError(error_message(exc)) from None

    @server.tool(title="Compare two Revox assistants", annotations=READ_ONLY)
    async def compare_assistants(
        ctx: Context,
        assistant_id_a: AssistantIdArg,
        assistant_id_b: AssistantIdArg,
        fields: FieldsArg = None,
    ) -> Annotated[CallToolResult, AssistantComparison]:
        """Show how two assistants' configurations differ: changed, added, removed fields; prompt diffs."""
        try:
            return _result(await _state(ctx).troubleshooting.compare(assistant_id_a, assistant_id_b, fields))
        except (RevoxError, InputError) as exc:
            raise ToolError(error_message(exc)) from None

    @server.tool(title="Revox connection status", annotations=READ_ONLY)
    async def revox_status(ctx: Context) -> Annotated[CallToolResult, StatusView]:
        """Check the connection first when nothing works: key set and accepted, latency, cache."""
        state = _state(ctx)
        return _result(await state.troubleshooting.status(__version__, state.fingerprint, time.perf_counter))

    @server.prompt(title="Troubleshoot a Revox assistant")
    def troubleshoot_assistant(
        assistant_id: Annotated[str, Field(description="The assistant that misbehaves (id from list_assistants)")],
        symptom: Annotated[
            str, Field(description='What goes wrong, e.g. "hangs up early", "never transfers", "no SMS sent"')
        ],
    ) -> str:
        """Guide the diagnosis of a misbehaving assistant, from its summary to the exact fields to change."""
        return TROUBLESHOOT_PROMPT.format(assistant_id=assistant_id.strip()[:200], symptom=symptom.strip()[:2000])

    @server.resource(
        "revox://assistants",
        name="assistants",
        title="Revox assistants index",
        description="Compact summaries of every assistant (JSON).",
        mime_type="application/json",
    )
    async def assistants_index() -> str:
        try:
            snapshot, cached = await live[-1].snapshot()
        except (RevoxError, InputError) as exc:
            raise ResourceError(error_message(exc)) from None
        entries, used = [], 0
        for summary, size in zip(snapshot.summaries, snapshot.summary_bytes, strict=True):
            used += size
            if used > budget.MAX_RESPONSE_BYTES - 500:
                break
            entries.append(dump(summary))
        body: dict[str, object] = {"total": len(snapshot.summaries), "assistants": entries}
        if len(entries) < len(snapshot.summaries):
            body["truncated"] = (
                f"showing {len(entries)} of {len(snapshot.summaries)}; "
                "page through all with the list_assistants tool (cursor)"
            )
        if cached.stale:
            body["stale"] = True
            body["age_seconds"] = int(cached.age)
        return budget.json_text(body)

    @server.resource(
        "revox://assistants/{assistant_id}",
        name="assistant",
        title="One Revox assistant",
        description="One assistant's whole configuration, secrets redacted (JSON).",
        mime_type="application/json",
    )
    async def assistant_config(assistant_id: str, ctx: Context) -> str:
        try:
            answer = await _service(ctx).get_assistant(assistant_id, "full")
        except RevoxNotFoundError as exc:
            raise ResourceNotFoundError(error_message(exc)) from None
        except (RevoxError, InputError) as exc:
            raise ResourceError(error_message(exc)) from None
        return answer.text

    @server.completion()  # type: ignore[untyped-decorator, no-untyped-call]  # untyped in mcp 2.3
    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion | None:
        if argument.name != "assistant_id":
            return None
        try:
            snapshot, _cached = await live[-1].snapshot()
        except (RevoxError, InputError):
            return Completion(values=[], total=0, has_more=False)  # completion is a hint, never an error
        values = snapshot.complete(argument.value)
        return Completion(values=values, total=len(values), has_more=False)

    return server
