"""diagnose_assistant and compare_assistants, over cleaned, cached assistants.

Diagnoses and the per-assistant tallies used to rank all assistants are memoised by content (key
fingerprint, id, digest); the ranking itself by list version. An unchanged re-fetch re-diagnoses
nothing; a partly changed list re-diagnoses only what changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

import anyio
from pydantic import BaseModel

from revox_mcp.cache.memo import LRU, Latest
from revox_mcp.cache.store import Cached
from revox_mcp.credential import Credential
from revox_mcp.domain import budget
from revox_mcp.domain.catalog import check_limit
from revox_mcp.domain.compare import Comparison, compare
from revox_mcp.domain.cursor import decode_offset, encode_cursor
from revox_mcp.domain.facts import coerce_string_list
from revox_mcp.domain.findings import Diagnosis, DiagnosisRow, UsedBy
from revox_mcp.domain.ingest import Item, ItemSet
from revox_mcp.domain.render.diagnosis import comparison_text, diagnosis_text, ranking_text, top_line
from revox_mcp.domain.rules import RANK
from revox_mcp.errors import InputError, RevoxError, reason_of
from revox_mcp.service.answers import AssistantComparison, DiagnosisView
from revox_mcp.service.assistants import AssistantService
from revox_mcp.service.results import Answer, freshness, stale_note

Tally = tuple[int, int, str | None]

_SKIPPED = {
    "phone numbers": "from_phone_number and inbound routing not checked",
    "voices": "voice id, language and model not checked",
    "campaigns": "campaigns using it not listed",
}


def _diagnostics() -> ModuleType:
    """The checks, imported on first use: a server starts without paying for rules no call has needed yet."""
    from revox_mcp.domain import diagnostics

    return diagnostics


# Diagnoses, rankings and diffs: the structured content gets its share, the text the rest.
_FIT = budget.AnswerFit(
    budget.STRUCTURED_BUDGET, "the text lists more", "narrow the request (fields=[...]) for the rest"
)


def fit(model: BaseModel, text: str) -> Answer:
    return Answer(*_FIT(model, text))


class Troubleshooting:
    """Diagnosis and comparison for any credential."""

    def __init__(self, assistants: AssistantService, *, memo_entries: int) -> None:
        self.assistants = assistants
        self._diagnoses: LRU[tuple[str, str, str], Diagnosis] = LRU(max(memo_entries // 10, 100))
        self._tallies: LRU[tuple[str, str, str], Tally] = LRU(memo_entries)
        self._rankings: Latest[str, tuple[int, ...]] = Latest()
        # Fresh answers by content (key, digests or versions, page): warm calls send them as they are.
        self._answers: LRU[tuple[Any, ...], Answer] = LRU(256)
        # Comparisons by content: the structured result, its text, and the answer when fresh.
        self._comparisons: LRU[tuple[Any, ...], tuple[Comparison, str, Answer]] = LRU(256)

    def diagnosis(self, cred: Credential, item: Item) -> Diagnosis:
        key = (cred.fingerprint, str(item.value.get("id")), item.digest)
        return self._diagnoses.get_or_make(key, lambda: _diagnostics().diagnose(item.value))

    def _tally(self, cred: Credential, listing: ItemSet, position: int) -> Tally:
        item = listing.items[position]
        key = (cred.fingerprint, str(item.get("id")), listing.digests[position])

        def make() -> Tally:
            errors, warnings, top = _diagnostics().triage(item)
            return errors, warnings, top_line(top)

        return self._tallies.get_or_make(key, make)

    def _ranking(self, cred: Credential, listing: ItemSet) -> tuple[int, ...]:
        def make() -> tuple[int, ...]:
            tallies = [self._tally(cred, listing, i) for i in range(len(listing.items))]
            names = [name if isinstance(name := item.get("name"), str) else "" for item in listing.items]
            return tuple(sorted(range(len(tallies)), key=lambda i: (-tallies[i][0], -tallies[i][1], names[i])))

        return self._rankings.get_or_make(cred.fingerprint, listing.version, make)

    async def diagnose_one(self, cred: Credential, assistant_id: str) -> Answer:
        cached = await self.assistants.assistant(cred, assistant_id)
        account, not_checked, versions = await self._account(cred)
        if cached.stale or not_checked:
            return self._diagnose_one(cred, cached, account, not_checked)
        key = (cred.fingerprint, cached.value.digest, versions)
        return self._answers.get_or_make(key, lambda: self._diagnose_one(cred, cached, account, not_checked))

    def _diagnose_one(
        self,
        cred: Credential,
        cached: Cached[Item],
        account: dict[str, Sequence[Mapping[str, Any]]],
        not_checked: list[str],
    ) -> Answer:
        found = self.diagnosis(cred, cached.value)
        cross = _diagnostics().check_account(
            cached.value.value, account.get("phone numbers"), account.get("voices"), account.get("campaigns")
        )
        findings = sorted([*found.findings, *cross.findings], key=lambda f: RANK[f.severity])
        counts = {
            label: sum(1 for f in findings if f.severity == severity)
            for label, severity in (("errors", "error"), ("warnings", "warning"), ("info", "info"))
        }
        used_by = cross.used_by if cross.used_by != UsedBy() else None
        model = DiagnosisView(
            assistant_id=found.assistant_id,
            name=found.name,
            counts=counts,
            findings=findings,
            variables=found.variables,
            used_by=used_by,
            not_checked=not_checked or None,
            **freshness(cached),
        )
        text = diagnosis_text(found.assistant_id, found.name, counts, findings, found.variables, used_by, not_checked)
        return fit(model, text + stale_note(cached))

    async def _account(
        self, cred: Credential
    ) -> tuple[dict[str, Sequence[Mapping[str, Any]]], list[str], tuple[str, ...]]:
        """Phone numbers, voices and campaigns, fetched at once (each one cached request); what failed, and
        why; and the versions of the lists read (what a memoised diagnosis depends on)."""
        data = self.assistants.data
        sources: dict[str, tuple[str, Callable[[Credential], Awaitable[Cached[Any]]]]] = {
            "phone numbers": ("/phone-numbers", data.phone_numbers),
            "voices": ("/voices", data.voices),
            "campaigns": ("/campaigns", data.campaigns),
        }
        got: dict[str, Sequence[Mapping[str, Any]]] = {}
        failed: dict[str, str] = {}
        versions: dict[str, str] = {}
        # Warm, each list is cached fresh: read in turn (three tasks at once would cost more than the reads).
        for label, (path, _load) in sources.items():
            if (fresh := await data.fresh_account_list(cred, path)) is not None:
                got[label], versions[label] = fresh.value.items, fresh.value.version

        async def fetch(label: str, load: Callable[[Credential], Awaitable[Cached[Any]]]) -> None:
            try:
                cached = await load(cred)  # waits at most the lookup grace (RevoxPendingError)
            except RevoxError as exc:
                failed[label] = reason_of(exc)
                return
            got[label] = cached.value.items
            versions[label] = cached.value.version
            if cached.stale:
                failed[label] = f"shown from cache, {int(cached.age)} s old ({cached.stale_reason})"

        if len(got) < len(sources):  # the others at once: each may have to be fetched
            async with anyio.create_task_group() as group:
                for label, (_path, load) in sources.items():
                    if label not in got:
                        group.start_soon(fetch, label, load)
        if "voices" in got and not got["voices"]:
            del got["voices"]
            failed["voices"] = "the account's voice catalogue is empty"
        notes = [
            f"{label} ({reason})" + ("" if label in got else f": {_SKIPPED[label]}")
            for label, reason in sorted(failed.items())
        ]
        return got, notes, tuple(f"{label}:{versions[label]}" for label in sorted(versions))

    async def diagnose_all(self, cred: Credential, limit: int, cursor: str | None) -> Answer:
        check_limit(limit)
        cached, _index = await self.assistants.listing(cred)
        listing = cached.value
        offset = decode_offset(cursor, tool="diagnose_assistant", scope=cred.fingerprint, version=listing.version)
        if cached.stale:
            return self._diagnose_page(cred, cached, offset, limit)
        key = (cred.fingerprint, listing.version, offset, limit)
        return self._answers.get_or_make(key, lambda: self._diagnose_page(cred, cached, offset, limit))

    def _diagnose_page(self, cred: Credential, cached: Cached[ItemSet], offset: int, limit: int) -> Answer:
        listing = cached.value
        order = self._ranking(cred, listing)
        if offset > len(order):
            raise InputError("The cursor is past the end of the list. Call diagnose_assistant without a cursor.")
        chosen = order[offset : offset + limit]
        end = offset + len(chosen)
        rows = []
        for position in chosen:
            errors, warnings, top = self._tally(cred, listing, position)
            summary, _size = self.assistants.summary_of(cred, listing, position)
            rows.append(DiagnosisRow(id=summary.id, name=summary.name, errors=errors, warnings=warnings, top=top))
        next_cursor = (
            encode_cursor(tool="diagnose_assistant", scope=cred.fingerprint, version=listing.version, position=end)
            if end < len(order)
            else None
        )
        model = DiagnosisView(assistants=rows, total=len(order), next_cursor=next_cursor, **freshness(cached))
        return fit(model, ranking_text(rows, len(order), next_cursor) + stale_note(cached))

    async def compare(self, cred: Credential, id_a: str, id_b: str, fields: Sequence[str] | str | None) -> Answer:
        wanted = coerce_string_list(fields, "fields")
        first = await self.assistants.assistant(cred, id_a)
        second = await self.assistants.assistant(cred, id_b)
        key = (cred.fingerprint, first.value.digest, second.value.digest, tuple(wanted or ()), wanted is None)
        comparison, text, answer = self._comparisons.get_or_make(
            key, lambda: _comparison(first.value.value, second.value.value, wanted)
        )
        stale = first if first.stale else second
        if not stale.stale:
            return answer
        return fit(AssistantComparison(comparison=comparison, **freshness(stale)), text + stale_note(stale))


def _comparison(a: Mapping[str, Any], b: Mapping[str, Any], wanted: list[str] | None) -> tuple[Comparison, str, Answer]:
    """compare_assistants' structured result, its text (before any cut), and the fresh answer."""
    result = compare(a, b, wanted)
    text = comparison_text(result)
    return result, text, fit(AssistantComparison(comparison=result), text)
