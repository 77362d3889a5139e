"""list_assistants, get_assistant and the assistant resources, over cleaned, cached data.

Everything derived from an assistant (its summary line, its detailed view) is memoised by content
(key fingerprint, id, digest of what Revox sent), so warm calls, unchanged re-fetches and other
replicas' copies reuse it; a partly changed list recomputes only what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from revox_mcp.cache.memo import LRU, Latest
from revox_mcp.cache.store import Cached
from revox_mcp.credential import Credential
from revox_mcp.domain import budget
from revox_mcp.domain.catalog import Index, check_limit, select_fields
from revox_mcp.domain.cursor import decode_offset, encode_cursor
from revox_mcp.domain.facts import coerce_string_list
from revox_mcp.domain.ingest import Item, ItemSet
from revox_mcp.domain.output import dump
from revox_mcp.domain.render.assistants import (
    READ_FIELD,
    READ_FIELD_ON,
    configuration_text,
    detail_text,
    page_text,
)
from revox_mcp.domain.render.tree import render_tree
from revox_mcp.domain.summary import AssistantSummary, detail, summarize
from revox_mcp.errors import InputError
from revox_mcp.service.answers import AssistantPage, AssistantView
from revox_mcp.service.data import RevoxData
from revox_mcp.service.results import Answer, freshness, stale_note

# A get_assistant summary (its structured content, and its text, each): about 1k tokens.
SUMMARY_BUDGET = 4_000
# Room kept for the list of cut paths added after a model is cut to fit.
_CUT_LIST_ROOM = 600
# Around a configuration in get_assistant's answer: id, name, cut paths, offsets, staleness.
_CONFIG_FRAME = 1_200
# A configuration is carried twice (structured content and text): each gets this much.
_CONFIG_ROOM = budget.HALF_BUDGET - _CONFIG_FRAME
_SUMMARY_TEXT = f"the summary text's {SUMMARY_BUDGET:,} bytes"
# A page of summaries: the structured content's share of the answer (the text is terser).
_PAGE_WITHIN = f"the structured content's share ({budget.STRUCTURED_BUDGET:,} bytes) of {budget.WHOLE_ANSWER}"


_MAX_NAME = 120
_MAX_CUTS = 20


def _name(item: Item) -> str | None:
    name = item.value.get("name")
    if not isinstance(name, str):
        return None
    return name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 1] + "…"


def _cut_list(cuts: list[str]) -> list[str] | None:
    """The cut paths to show: at most _MAX_CUTS, the rest counted."""
    if not cuts:
        return None
    if len(cuts) <= _MAX_CUTS:
        return cuts
    return [*cuts[: _MAX_CUTS - 1], f"… and {len(cuts) - _MAX_CUTS + 1} more paths"]


class AssistantService:
    """The assistant index and views for any credential."""

    def __init__(self, data: RevoxData, *, memo_entries: int) -> None:
        self.data = data
        self._summaries: LRU[tuple[str, str, str], tuple[AssistantSummary, int]] = LRU(memo_entries)
        self._details: LRU[tuple[str, str, str], tuple[AssistantView, str]] = LRU(max(memo_entries // 10, 100))
        self._indexes: Latest[str, Index] = Latest()
        self._configurations: LRU[tuple[Any, ...], tuple[AssistantView, str]] = LRU(256)
        # Fresh answers by content: warm calls send them as they are (structured content dumped once).
        self._answers: LRU[tuple[Any, ...], Answer] = LRU(512)

    # --- the index ----------------------------------------------------------------------------------

    async def listing(self, cred: Credential, *, patience: float | None = None) -> tuple[Cached[ItemSet], Index]:
        cached = await self.data.assistants(cred, patience=patience)
        listing = cached.value
        index = self._indexes.get_or_make(
            cred.fingerprint, listing.version, lambda: Index.of(listing.version, listing.items)
        )
        return cached, index

    def summary_of(self, cred: Credential, listing: ItemSet, position: int) -> tuple[AssistantSummary, int]:
        """The index entry of one assistant and its size in bytes, memoised by content."""
        item = listing.items[position]
        key = (cred.fingerprint, str(item.get("id")), listing.digests[position])

        def make() -> tuple[AssistantSummary, int]:
            summary = summarize(item)
            return summary, budget.size(dump(summary)) + 1

        return self._summaries.get_or_make(key, make)

    async def list_assistants(self, cred: Credential, query: str | None, limit: int, cursor: str | None) -> Answer:
        check_limit(limit)
        query = query or None
        cached, index = await self.listing(cred)
        version = cached.value.version
        offset = decode_offset(cursor, tool="list_assistants", scope=cred.fingerprint, version=version, query=query)
        if cached.stale:
            return self._page(cred, cached, index, query, offset, limit)
        key = (cred.fingerprint, version, query, offset, limit)
        return self._answers.get_or_make(key, lambda: self._page(cred, cached, index, query, offset, limit))

    def _page(
        self, cred: Credential, cached: Cached[ItemSet], index: Index, query: str | None, offset: int, limit: int
    ) -> Answer:
        listing = cached.value
        matches = index.matching(query)
        if offset > len(matches):
            raise InputError("The cursor is past the end of the list. Call list_assistants without a cursor.")
        chosen: list[AssistantSummary] = []
        used = 0
        full = False
        for position in matches[offset : offset + limit]:
            summary, size = self.summary_of(cred, listing, position)
            used += size
            if used > budget.STRUCTURED_BUDGET and chosen:
                full = True
                break
            chosen.append(summary)
        end = offset + len(chosen)
        next_cursor = (
            encode_cursor(
                tool="list_assistants", scope=cred.fingerprint, version=listing.version, position=end, query=query
            )
            if end < len(matches)
            else None
        )
        model = AssistantPage(
            assistants=chosen,
            total=len(matches),
            query=query,
            next_cursor=next_cursor,
            stopped_by="size" if full else None,
            **freshness(cached),
        )
        stop = budget.size_stop(len(chosen), limit, _PAGE_WITHIN) if full else None
        return Answer(model, page_text(chosen, len(matches), query, next_cursor, stop) + stale_note(cached))

    async def complete(self, cred: Credential, prefix: str) -> list[str]:
        # A hint is never worth a wait: until the list is in (RevoxPendingError), nothing is offered.
        _cached, index = await self.listing(cred, patience=self.data.settings.lookup_grace)
        return index.complete(prefix)

    # --- one assistant ------------------------------------------------------------------------------

    async def assistant(self, cred: Credential, assistant_id: str) -> Cached[Item]:
        return await self.data.assistant(cred, assistant_id)

    async def get_assistant(
        self,
        cred: Credential,
        assistant_id: str,
        detail_level: Literal["summary", "full"] = "summary",
        fields: Sequence[str] | str | None = None,
        offset: int = 0,
    ) -> Answer:
        wanted = coerce_string_list(fields, "fields")
        if offset < 0:
            raise InputError("offset must be 0 or more.")
        cached = await self.assistant(cred, assistant_id)
        item = cached.value
        if detail_level == "summary" and wanted is None:
            if offset:
                raise InputError('offset applies to a text field: pass fields=["prompt"] with it.')
            model, body = self._summary(cred, item)
            if not cached.stale:
                summary_key: tuple[Any, ...] = (cred.fingerprint, item.digest, "summary")
                return self._answers.get_or_make(
                    summary_key,
                    lambda: Answer(model, budget.clip(body, SUMMARY_BUDGET, READ_FIELD, within=_SUMMARY_TEXT)),
                )
            model = model.model_copy(update=freshness(cached))
            text = budget.clip(body + stale_note(cached), SUMMARY_BUDGET, READ_FIELD, within=_SUMMARY_TEXT)
            return Answer(model, text)
        view, text = self._configuration(cred, item, wanted, offset)
        if not cached.stale:
            config_key: tuple[Any, ...] = (cred.fingerprint, item.digest, tuple(wanted or ()), wanted is None, offset)
            return self._answers.get_or_make(config_key, lambda: Answer(view, text))
        return Answer(view.model_copy(update=freshness(cached)), text + stale_note(cached))

    def _configuration(
        self, cred: Credential, item: Item, wanted: list[str] | None, offset: int
    ) -> tuple[AssistantView, str]:
        """The configuration view (whole, some fields, or one text field from ``offset``) and its text,
        memoised by content: reading a long prompt chunk by chunk cuts and renders each chunk once."""
        key = (cred.fingerprint, str(item.value.get("id")), item.digest, tuple(wanted or ()), wanted is None, offset)

        def make() -> tuple[AssistantView, str]:
            config = select_fields(item.value, wanted)
            fitted, cuts, next_offset = _fit_config(config, wanted, offset)
            view = AssistantView(
                id=str(item.value.get("id")),
                name=_name(item),
                config=fitted,
                cut=_cut_list(cuts),
                next_offset=next_offset,
            )
            return view, configuration_text(fitted, cuts, next_offset, _CONFIG_ROOM)

        return self._configurations.get_or_make(key, make)

    def _summary(self, cred: Credential, item: Item) -> tuple[AssistantView, str]:
        """The summary view and its text for one assistant, memoised by content."""
        key = (cred.fingerprint, str(item.value.get("id")), item.digest)

        def make() -> tuple[AssistantView, str]:
            view = AssistantView(id=str(item.value.get("id")), name=_name(item), summary=detail(item.value))
            model, cuts = budget.bounded(view, SUMMARY_BUDGET - _CUT_LIST_ROOM)
            if cuts:
                model = model.model_copy(update={"cut": _cut_list(cuts)})
            shown = dump(model.summary) if model.summary is not None else None
            return model, detail_text(shown, cuts, SUMMARY_BUDGET)

        return self._details.get_or_make(key, make)

    # --- resources ----------------------------------------------------------------------------------

    async def index_resource(self, cred: Credential) -> str:
        """``revox://assistants``: every summary as JSON, inside the response budget."""
        cached, _index = await self.listing(cred)
        listing = cached.value
        entries: list[dict[str, Any]] = []
        used = 0
        for position in range(len(listing.items)):
            summary, size = self.summary_of(cred, listing, position)
            used += size
            if used > budget.MAX_RESPONSE_BYTES - 500:
                break
            entries.append(dump(summary))
        body: dict[str, object] = {"total": len(listing.items), "assistants": entries}
        if len(entries) < len(listing.items):
            body["truncated"] = (
                f"showing {len(entries)} of {len(listing.items)}: no more fit this resource's "
                f"{budget.MAX_RESPONSE_BYTES:,} bytes; page through all with the list_assistants tool (cursor)"
            )
        body.update(freshness(cached))
        return budget.json_text(body)

    async def config_resource(self, cred: Credential, assistant_id: str) -> str:
        """``revox://assistants/{id}``: the whole redacted configuration as JSON, inside the budget."""
        cached = await self.assistant(cred, assistant_id)
        room = budget.MAX_RESPONSE_BYTES - 1_000
        config, _cuts = budget.fit(
            dict(cached.value.value), room, f"{READ_FIELD_ON} (this resource holds {room:,} bytes)"
        )
        return budget.json_text(config)


def _fit_config(
    config: dict[str, Any], wanted: list[str] | None, offset: int
) -> tuple[dict[str, Any], list[str], int | None]:
    """The configuration cut so that it fits twice (structured content and text), and how to read on."""
    room = _CONFIG_ROOM
    single = wanted[0] if wanted and len(wanted) == 1 else None
    value = config.get(single) if single else None
    if single and isinstance(value, str):
        if offset > len(value):
            raise InputError(f"offset {offset} is past the end of {single} ({len(value)} characters).")
        chunk = value[offset:].encode()[: max(room - 200, 1000)].decode("utf-8", "ignore")
        while not budget.fits_twice({single: chunk}, room, render_tree):
            chunk = chunk[: int(len(chunk) * 0.9)]
        end = offset + len(chunk)
        return {single: chunk}, ([single] if end < len(value) or offset else []), (end if end < len(value) else None)
    if offset:
        raise InputError('offset applies to one text field: pass exactly one field, e.g. fields=["prompt"].')
    fitted, cuts = budget.fit_rendered(config, room, READ_FIELD_ON, render_tree)
    return fitted, cuts, None
