"""The read operations the MCP edge exposes, over the cached client. No mcp, no httpx here.

Builds one ``Snapshot`` per fetched list (memoised by the list object the cache hands back), and
shapes every answer into an output model plus its compact text, inside the byte budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from . import budget
from .cache import Cached
from .catalog import Page, Snapshot, page, select_fields, valid_fields
from .client import AssistantList, RevoxClient
from .errors import InputError
from .models import JsonObject, coerce_string_list, text
from .render import render_tree, stale_note, summary_line
from .summary import AssistantDetail, AssistantSummary, detail, dump

# Structured content and text share the budget: the text carries the bulk of a configuration.
STRUCTURED_BUDGET = 10_000
TEXT_BUDGET = budget.MAX_RESPONSE_BYTES - STRUCTURED_BUDGET


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stale: bool | None = Field(None, description="true when Revox was unreachable and this is older cached data")
    age_seconds: int | None = Field(None, description="age of the cached data, when stale")


class AssistantPage(_Result):
    """One page of the assistant index."""

    assistants: list[AssistantSummary]
    total: int = Field(description="assistants matching the query")
    next_cursor: str | None = Field(None, description="pass as cursor for the next page; null on the last page")


class AssistantView(_Result):
    """One assistant: a summary, or (detail=full / fields) the redacted configuration in the text."""

    id: str
    name: str | None = None
    summary: AssistantDetail | None = None
    fields: list[str] | None = Field(None, description="configuration fields given as JSON in the text content")
    cut: list[str] | None = Field(None, description="paths shortened to fit; see the markers in the text")
    next_offset: int | None = Field(None, description="pass as offset to read more of a long text field")


@dataclass(frozen=True)
class Answer:
    """An output model and the text rendering that goes with it."""

    model: BaseModel
    text: str


def _freshness(cached: Cached[Any]) -> dict[str, Any]:
    return {"stale": True, "age_seconds": int(cached.age)} if cached.stale else {}


class AssistantService:
    def __init__(self, client: RevoxClient, *, demo: bool = False) -> None:
        self.client = client
        self.demo = demo
        self._snapshot: tuple[AssistantList, Snapshot] | None = None

    async def snapshot(self) -> tuple[Snapshot, Cached[AssistantList]]:
        cached = await self.client.list_assistants()
        memo = self._snapshot
        if memo is None or memo[0] is not cached.value:
            memo = (
                cached.value,
                Snapshot(cached.value.assistants, cached.value.version, cached.value.raw_bytes),
            )
            self._snapshot = memo
        return memo[1], cached

    async def list_assistants(self, query: str | None, limit: int, cursor: str | None) -> Answer:
        snap, cached = await self.snapshot()
        result: Page = page(snap, query=query or None, limit=limit, cursor=cursor, max_bytes=STRUCTURED_BUDGET)
        model = AssistantPage(
            assistants=result.assistants,
            total=result.total,
            next_cursor=result.next_cursor,
            **_freshness(cached),
        )
        shown = len(result.assistants)
        head = f"{shown} of {result.total} assistants" + (f' matching "{query}"' if query else "")
        lines = [head + " (id | name | type | llm | voice | opening | features | prompt chars | updated)"]
        lines += [summary_line(s) for s in result.assistants]
        if result.next_cursor:
            lines.append(f"More: call list_assistants with cursor={result.next_cursor}")
        if not shown:
            lines.append("No assistant matches; call list_assistants without query to see all.")
        text_out = "\n".join(lines) + stale_note(cached.stale, cached.age, cached.stale_reason)
        return Answer(model, text_out)

    async def assistant(self, assistant_id: str) -> Cached[JsonObject]:
        return await self.client.get_assistant(assistant_id)

    async def get_assistant(
        self,
        assistant_id: str,
        detail_level: Literal["summary", "full"] = "summary",
        fields: Sequence[str] | str | None = None,
        offset: int = 0,
    ) -> Answer:
        wanted = coerce_string_list(fields, "fields")
        cached = await self.assistant(assistant_id)
        assistant = cached.value
        name = text(assistant, "name")
        ident = str(assistant.get("id"))
        note = stale_note(cached.stale, cached.age, cached.stale_reason)
        if detail_level == "summary" and wanted is None:
            if offset:
                raise InputError('offset applies to a text field: pass fields=["prompt"] with it.')
            view = detail(assistant)
            model = AssistantView(id=ident, name=name, summary=view, **_freshness(cached))
            hint = 'Full detail: get_assistant with detail="full", or fields=["prompt"] for one field.'
            return Answer(model, render_tree(dump(view)) + "\n" + hint + note)
        config = select_fields(assistant, wanted)
        config, cuts, next_offset = self._cut(config, wanted, offset)
        model = AssistantView(
            id=ident,
            name=name,
            fields=list(config),
            cut=cuts or None,
            next_offset=next_offset,
            **_freshness(cached),
        )
        return Answer(model, budget.json_text(config) + note)

    @staticmethod
    def _cut(
        config: dict[str, Any], wanted: list[str] | None, offset: int
    ) -> tuple[dict[str, Any], list[str], int | None]:
        if offset < 0:
            raise InputError("offset must be 0 or more.")
        single = wanted[0] if wanted and len(wanted) == 1 else None
        value = config.get(single) if single else None
        if single and isinstance(value, str):
            if offset > len(value):
                raise InputError(f"offset {offset} is past the end of {single} ({len(value)} characters).")
            room = TEXT_BUDGET - budget.size({single: ""})
            # Cut on a UTF-8 boundary: encode, slice the bytes, drop a partial trailing character.
            chunk = value[offset:].encode()[: max(room - 200, 1000)].decode("utf-8", "ignore")
            while budget.size({single: chunk}) > room:
                chunk = chunk[: int(len(chunk) * 0.9)]
            end = offset + len(chunk)
            return (
                {single: chunk},
                ([single] if end < len(value) or offset else []),
                (end if end < len(value) else None),
            )
        if offset:
            raise InputError('offset applies to one text field: pass exactly one field, e.g. fields=["prompt"].')
        hint = 'get_assistant with fields=["<field>"] and offset to read it whole'
        fitted, cuts = budget.fit(config, TEXT_BUDGET, hint)
        return fitted, cuts, None

    def field_names(self, assistant: JsonObject) -> list[str]:
        return valid_fields(assistant)
