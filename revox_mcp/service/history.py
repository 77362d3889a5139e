"""The versions of assistants the server observed (issue 17, ``revox_mcp.history``), on the data path
and in answers: recording, the stored changes ``analyze_calls`` attributes change points to, and
``assistant_history``.

Recording: ``RevoxData`` hands every assistant list and single assistant it fetched (cleaned at
ingest: never raw data) to ``HistoryService.listing``/``one`` before the fetch returns, so a version
is stored before the answer that saw it. ``History`` compares content digests (an unchanged refresh
writes nothing) and never fails a caller: a store error is logged once, counted, shown by
revox_status, and the answer goes on.

``assistant_history`` shows both sources, each change with its time: the versions the server stored
(newest first, each with its field-level diff from the version before it: redacted at ingest, long
texts as a bounded line diff) and the prompt, model and configuration changes seen in the calls of
the last ``history_call_days`` days.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone

import anyio

from revox_mcp.cache.memo import LRU
from revox_mcp.credential import Credential
from revox_mcp.domain import budget
from revox_mcp.domain.call_fields import ANALYZED_STATUSES, name_of
from revox_mcp.domain.compare import Change
from revox_mcp.domain.cursor import decode_offset, encode_cursor
from revox_mcp.domain.facts import validate_assistant_id
from revox_mcp.domain.ingest import Item, ItemSet, ingest_object
from revox_mcp.domain.output import dump
from revox_mcp.domain.redaction import Redactor
from revox_mcp.domain.timeline.config import ConfigChange, changes_in_calls
from revox_mcp.domain.timeline.period import iso
from revox_mcp.errors import InputError, RevoxError, RevoxNotFoundError
from revox_mcp.history.diff import change_between, edited_at, version_diff
from revox_mcp.history.store import History
from revox_mcp.history.version import MAX_VERSIONS_PER_PAGE, VERSIONS_PER_PAGE, Health, Version
from revox_mcp.service.answers import (
    AssistantHistory,
    CallsSeen,
    StoredVersion,
)
from revox_mcp.service.assistants import AssistantService
from revox_mcp.service.call_period import PeriodScans
from revox_mcp.service.data import RevoxData
from revox_mcp.service.results import Answer

TOOL = "assistant_history"
# Stored versions read for analyze_calls' attributions: every one a store keeps (its limit applies).
STORED_READ = 50
# Each shape is tried in turn until the answer fits: every text diff this long, then fewer versions.
_DIFF_CHARS = (None, 1_500, 400, 0)

# Seeds a history before its first use (the demo's versions), for the credential given.
Seed = Callable[[History, Credential, Redactor], Awaitable[None]]


class HistoryService:
    """Records what ``RevoxData`` fetches (it is its ``recorder``) and answers from what was recorded."""

    def __init__(
        self,
        history: History,
        data: RevoxData,
        assistants: AssistantService,
        *,
        call_days: int,
        seed: Seed | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.history = history
        self.data = data
        self.assistants = assistants
        self.scans = PeriodScans(data)
        self.call_days = call_days
        self._seed = seed
        self._seeding = anyio.Lock()
        self._wall = wall
        self._stored: LRU[tuple[str, str, tuple[str, ...]], list[ConfigChange]] = LRU(256)

    async def _ready(self, cred: Credential) -> None:
        """The seed, once, before anything is recorded or read."""
        if self._seed is None:
            return
        async with self._seeding:
            seed, self._seed = self._seed, None
            if seed is not None:
                await seed(self.history, cred, self.data.redactor(cred))

    # --- recording (RevoxData's recorder) ---------------------------------------------------------

    async def listing(self, cred: Credential, listing: ItemSet) -> None:
        if self.history.on:
            await self._ready(cred)
            await self.history.record_listing(cred.fingerprint, listing)

    async def one(self, cred: Credential, item: Item) -> None:
        if self.history.on and (version := Version.of(item.value, item.digest, self._wall())) is not None:
            await self._ready(cred)
            await self.history.record(cred.fingerprint, [version])

    # --- reading ----------------------------------------------------------------------------------

    async def versions(self, cred: Credential, ident: str, limit: int = STORED_READ) -> list[Version]:
        """The assistant's stored versions, newest first ([] when off or failing)."""
        if not self.history.on:
            return []
        await self._ready(cred)
        return await self.history.history(cred.fingerprint, ident, limit)

    async def stored_changes(self, cred: Credential, ident: str) -> list[ConfigChange]:
        """The changes between consecutive stored versions, oldest first, each with its diff (what
        ``analyze_calls`` attributes change points to)."""
        versions = await self.versions(cred, ident)
        slot = (cred.fingerprint, ident, tuple(version.digest for version in versions))
        return self._stored.get_or_make(slot, lambda: _changes(versions))

    async def health(self, cred: Credential | None) -> Health:
        """The store's health (probed), with how many versions it holds for ``cred``'s key."""
        if cred is not None:
            await self._ready(cred)
        return await self.history.health(probe=True, account=cred.fingerprint if cred is not None else None)

    async def assistant_history(
        self, cred: Credential, assistant_id: str, limit: int = VERSIONS_PER_PAGE, cursor: str | None = None
    ) -> Answer:
        ident = validate_assistant_id(assistant_id)
        if not 1 <= limit <= MAX_VERSIONS_PER_PAGE:
            raise InputError(f"limit must be between 1 and {MAX_VERSIONS_PER_PAGE}.")
        notes: list[str] = []
        name: str | None = None
        try:  # fetched first: the version it sees is stored before the history is read
            name = name_of((await self.assistants.assistant(cred, ident)).value.value.get("name"))
        except RevoxNotFoundError:
            notes.append("Revox does not know this id any more: these are the versions stored before")
        except RevoxError as exc:
            notes.append(f"the assistant was not read ({exc})")
        stored = await self.versions(cred, ident)
        if not stored and any(note.startswith("Revox does not know") for note in notes):
            raise RevoxNotFoundError("assistant", ident)
        newest = stored[0].digest if stored else "-"
        offset = decode_offset(cursor, tool=TOOL, scope=cred.fingerprint, version=newest, query=ident)
        calls, call_changes = await self._calls(cred, ident, notes)
        health = await self.history.health()
        store: dict[str, str | int | None] = {"state": health.state, "kind": health.store, "reason": health.reason}
        page = _Page(ident, name, store, stored, offset, limit, calls, call_changes, notes)
        return _fitted(page, cred.fingerprint)

    async def _calls(
        self, cred: Credential, ident: str, notes: list[str]
    ) -> tuple[CallsSeen | None, list[ConfigChange]]:
        """The prompt, model and configuration changes seen in the calls of the last ``call_days`` days."""
        period = self.scans.period(None, None, self.call_days)
        filters = {"assistant_ids": [ident], "statuses": list(ANALYZED_STATUSES)}
        try:
            scan = await self.scans.scan(cred, filters, since=period.since.timestamp())
        except RevoxError as exc:
            notes.append(f"calls not read ({exc}): only the stored versions are shown")
            return None, []
        records = scan.in_period(period)
        observations = sorted(
            (obs for record in records if (obs := record.observation) is not None), key=lambda obs: obs.at
        )
        seen = CallsSeen(
            since=period.since,
            until=period.until,
            calls=len(records),
            complete=scan.complete,
            note=scan.note(period),
        )
        return seen, list(reversed(changes_in_calls(observations)))


def _changes(versions: Sequence[Version]) -> list[ConfigChange]:
    out: list[ConfigChange] = []
    for older, newer in itertools.pairwise(reversed(versions)):
        change = change_between(older, newer)
        if change is not None:
            out.append(change.model_copy(update={"diff": version_diff(older, newer).changes}))
    return out


# --- the answer -----------------------------------------------------------------------------------


class _Page:
    """What one answer shows, before it is fitted to the budget."""

    def __init__(
        self,
        ident: str,
        name: str | None,
        store: dict[str, str | int | None],
        stored: list[Version],
        offset: int,
        limit: int,
        calls: CallsSeen | None,
        call_changes: list[ConfigChange],
        notes: list[str],
    ) -> None:
        self.ident, self.name, self.store = ident, name, store
        self.stored, self.offset, self.limit = stored, offset, limit
        self.calls, self.call_changes, self.notes = calls, call_changes, notes

    def versions(self, shown: int, diff_chars: int | None) -> list[StoredVersion]:
        chosen = self.stored[self.offset : self.offset + shown]
        return [
            _stored_version(
                version,
                self.stored[self.offset + at + 1] if self.offset + at + 1 < len(self.stored) else None,
                diff_chars,
            )
            for at, version in enumerate(chosen)
        ]


def _stored_version(version: Version, before: Version | None, diff_chars: int | None) -> StoredVersion:
    seen = datetime.fromtimestamp(version.seen_at, tz=timezone.utc)
    if before is None:
        return StoredVersion(at=seen, seen_at=seen, dated="seen", summary="the oldest version stored")
    edited = edited_at(before, version)
    change = change_between(before, version)
    changes = version_diff(before, version).changes
    cut = False
    if diff_chars is not None:
        shortened = [_cut_diff(c, diff_chars) for c in changes]
        cut = shortened != changes
        changes = shortened
    return StoredVersion(
        at=datetime.fromtimestamp(edited, tz=timezone.utc) if edited is not None else seen,
        seen_at=seen,
        dated="updated_at" if edited is not None else "seen",
        summary=change.summary.split(" (dated", 1)[0] if change is not None else "only bookkeeping fields changed",
        fields=change.fields if change is not None else None,
        changes=changes or None,
        diff_cut=cut or None,
    )


def _cut_diff(change: Change, chars: int) -> Change:
    if change.diff is None or len(change.diff) <= chars:
        return change
    text = change.diff[:chars].rsplit("\n", 1)[0] + "\n… diff cut to fit" if chars else None
    return change.model_copy(update={"diff": text})


def _fitted(page: _Page, scope: str) -> Answer:
    """The answer at the first shape that fits the budget: shorter diffs, then fewer versions."""
    available = max(len(page.stored) - page.offset, 0)
    shown = min(page.limit, available)
    while True:
        for chars in _DIFF_CHARS:
            model, text = _render(page, scope, shown, chars)
            if _sent(model, text) <= budget.MAX_RESPONSE_BYTES:
                return Answer(model, text)
        if shown <= 1:
            return Answer(model, text)
        shown -= 1


def _render(page: _Page, scope: str, shown: int, diff_chars: int | None) -> tuple[AssistantHistory, str]:
    versions = page.versions(shown, diff_chars)
    end = page.offset + len(versions)
    newest = page.stored[0].digest if page.stored else "-"
    more = (
        encode_cursor(tool=TOOL, scope=scope, version=newest, position=end, query=page.ident)
        if end < len(page.stored)
        else None
    )
    model = AssistantHistory(
        assistant_id=page.ident,
        name=page.name,
        store=page.store,
        versions=versions,
        total_versions=len(page.stored),
        calls=page.calls,
        call_changes=page.call_changes or None,
        next_cursor=more,
        notes=page.notes or None,
    )
    return model, history_text(model, page.offset)


def history_text(model: AssistantHistory, offset: int = 0) -> str:
    """The history as text: the same facts as the structured content, one line per change."""
    lines = [
        f"History of {model.name or '(unnamed)'} ({model.assistant_id}): stored versions, and changes seen in calls."
    ]
    store = model.store
    if store.get("state") != "ok":
        lines.append(f"Store: {store.get('kind')} {store.get('state')}: {store.get('reason')}")
    count = len(model.versions)
    lines.append(
        f"Stored versions ({store.get('kind')}), newest first: {offset + 1}-{offset + count} of {model.total_versions}"
        if count
        else f"Stored versions ({store.get('kind')}): none"
    )
    for number, version in enumerate(model.versions, start=offset + 1):
        dated = "updated_at" if version.dated == "updated_at" else "first seen"
        lines.append(f"V{number} {iso(version.at)} ({dated}): {version.summary}")
        for change in version.changes or []:
            if change.diff is not None:
                lines.append(f"  ~ {change.path}:\n{change.diff}")
            elif change.kind == "changed":
                lines.append(f"  ~ {change.path}: {budget.json_text(change.a)} → {budget.json_text(change.b)}")
            elif change.kind == "added":
                lines.append(f"  + {change.path}: {budget.json_text(change.b)}")
            else:
                lines.append(f"  - {change.path}: {budget.json_text(change.a)}")
        if version.diff_cut:
            lines.append("  (diffs shortened to fit: compare fewer versions with limit)")
    if model.next_cursor:
        lines.append(f"More versions: call {TOOL} with cursor={model.next_cursor}")
    if model.calls is not None:
        calls = model.calls
        lines.append(
            f"Changes seen in calls ({calls.calls} calls from {iso(calls.since)} to {iso(calls.until)}"
            f"{'' if calls.complete else ', not all read'}), newest first:"
        )
        for seen in model.call_changes or []:
            around = [f"first call {seen.first_call}"] if seen.first_call else []
            if seen.last_call_before:
                around.append(f"last before it {seen.last_call_before}")
            lines.append(f"{iso(seen.at)} {seen.summary}" + (f" ({', '.join(around)})" if around else ""))
        if not model.call_changes:
            lines.append("none")
        if calls.note:
            lines.append(f"NOTE: {calls.note}")
    lines += [f"NOTE: {note}" for note in model.notes or []]
    return "\n".join(lines)


def _sent(model: AssistantHistory, text: str) -> int:
    return budget.size(dump(model)) + budget.sent_size(text) + budget.ENVELOPE


async def seed_demo(history: History, cred: Credential, redactor: Redactor) -> None:
    """The demo's history: each earlier version of its assistants as if observed when it was made,
    cleaned at ingest like every answer from Revox."""
    from revox_mcp.api.demo import demo_versions  # the demo's data: read on first use only

    versions = [
        Version(version.assistant_id, item.digest, version.at.timestamp(), item.value, item_updated(item))
        for version in demo_versions()
        if (item := ingest_object(version.config, redactor)) is not None
    ]
    await history.record(cred.fingerprint, versions)


def item_updated(item: Item) -> str | None:
    found = Version.of(item.value, item.digest, 0.0)
    return found.updated_at if found is not None else None
