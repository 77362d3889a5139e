"""list_calls: a page of calls, one row each, newest first.

Without a period, paging is Revox's (``POST /call/search``): our cursor names the filters and holds
where the next page starts and the page size in use, so a page-size cap Revox applies
(undocumented) never skips calls. Revox filters by assistant, status, outcome, result and
direction; free text is its ``query``.

With a period (``since``/``until`` or the last ``days``), or a filter Revox cannot apply (the end
reason, who ended it or the dial error of any attempt, a tool's error result, a finding's or a
change point's ``pattern``), the calls are read by a period scan (``call_period``: every call of
the period, from compact records) and filtered here; the cursor then also holds the period, so the
pages of "the last 7 days" stay the same period. This is how every drill-down of
``analyze_calls`` returns exactly the calls it counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Literal

from revox_mcp.cache.memo import LRU
from revox_mcp.credential import Credential
from revox_mcp.domain import budget
from revox_mcp.domain.call_fields import FILTERS, parse_filter
from revox_mcp.domain.call_views import CallRow, row_of
from revox_mcp.domain.catalog import check_limit
from revox_mcp.domain.cursor import decode_cursor, encode_cursor
from revox_mcp.domain.evidence import is_rule_pattern, pattern_calls
from revox_mcp.domain.facts import validate_assistant_id
from revox_mcp.domain.output import dump
from revox_mcp.domain.render.calls import call_list_text, row_line
from revox_mcp.domain.timeline.observation import METRIC_PATTERNS
from revox_mcp.domain.timeline.period import MAX_LIST_DAYS, Period, argument
from revox_mcp.domain.timeline.record import ATTEMPT_FILTERS, CallRecord
from revox_mcp.errors import InputError, RevoxError
from revox_mcp.service.answers import CallList
from revox_mcp.service.assistants import AssistantService
from revox_mcp.service.call_period import PeriodScans
from revox_mcp.service.data import RevoxData
from revox_mcp.service.results import Answer, freshness, stale_note

_MAX_LOCAL = 40  # characters of an end reason, a dial error, a tool name: values from Revox are bounded so
_ROOM = budget.MAX_RESPONSE_BYTES - 4_000  # the rows of a page, structured and text


def _filters(
    assistant_id: str | None,
    status: str | Sequence[str] | None,
    outcome: str | Sequence[str] | None,
    result: str | Sequence[str] | None,
    direction: str | Sequence[str] | None,
) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    if assistant_id:
        chosen["assistant_ids"] = [validate_assistant_id(assistant_id)]
    for name, value in (("status", status), ("outcome", outcome), ("result", result), ("direction", direction)):
        values = parse_filter(value, name)
        if values:
            chosen[FILTERS[name][0]] = values
    return chosen


def _values(name: str, value: str | None, *, split: bool = True) -> list[str]:
    """A filter Revox cannot apply: its values (several comma-separated, where ``split``), bounded."""
    if value is None:
        return []
    parts = value.split(",", 10) if split else [value]
    chosen = [" ".join(part.split()) for part in parts if part.strip()]
    if any(len(part) > _MAX_LOCAL for part in chosen):
        raise InputError(f"{name}: at most {_MAX_LOCAL} characters per value.")
    return chosen


def _pattern(pattern: str | None) -> str | None:
    if pattern is None or not pattern.strip():
        return None
    chosen = pattern.strip()
    if chosen in METRIC_PATTERNS or is_rule_pattern(chosen):
        return chosen
    metrics = ", ".join(METRIC_PATTERNS)
    raise InputError(
        f"pattern {chosen[:60]!r} is neither a rule id of analyze_calls' findings (calls.…) nor one of: {metrics}. "
        "Copy it from a drill_down."
    )


def _position(raw: str) -> tuple[int, int]:
    offset, _sep, size = raw.partition(".")
    if not offset.isdigit() or not size.isdigit() or not 1 <= int(size) <= 100:
        raise InputError("The cursor is not one list_calls returned. Call list_calls again without a cursor.")
    return int(offset), int(size)


def _micro(moment: datetime) -> int:
    return round(moment.timestamp() * 1_000_000)


def _period_position(raw: str, scans: PeriodScans) -> tuple[int, Period]:
    parts = raw.split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise InputError("The cursor is not one list_calls returned. Call list_calls again without a cursor.")
    offset, since, until = (int(part) for part in parts)
    ends = [datetime.fromtimestamp(value / 1_000_000, tz=timezone.utc) for value in (since, until)]
    return offset, scans.period(argument(ends[0]), argument(ends[1], end=True), None, max_days=MAX_LIST_DAYS)


class CallLister:
    """list_calls for any credential."""

    def __init__(self, data: RevoxData, assistants: AssistantService, scans: PeriodScans, *, memo_entries: int) -> None:
        self.data = data
        self.assistants = assistants
        self.scans = scans
        self._rows: LRU[tuple[str, str, str], tuple[CallRow, str]] = LRU(memo_entries)

    def _row(self, cred: Credential, call: Mapping[str, Any], digest: str) -> tuple[CallRow, str]:
        key = (cred.fingerprint, str(call.get("id")), digest)

        def make() -> tuple[CallRow, str]:
            row = row_of(call)
            return row, row_line(row)

        return self._rows.get_or_make(key, make)

    async def list_calls(
        self,
        cred: Credential,
        *,
        assistant_id: str | None = None,
        status: str | Sequence[str] | None = None,
        outcome: str | Sequence[str] | None = None,
        result: str | Sequence[str] | None = None,
        direction: str | Sequence[str] | None = None,
        query: str | None = None,
        since: str | None = None,
        until: str | None = None,
        days: int | None = None,
        end_reason: str | None = None,
        ended_by: str | None = None,
        dial_error: str | None = None,
        tool_error: str | None = None,
        pattern: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Answer:
        check_limit(limit)
        filters = _filters(assistant_id, status, outcome, result, direction)
        query = " ".join(query.split()) if query and query.strip() else None
        local = {
            name: values
            for name, values in (
                ("end_reason", _values("end_reason", end_reason)),
                ("ended_by", _values("ended_by", ended_by)),
                ("dial_error", _values("dial_error", dial_error)),
                ("tool_error", _values("tool_error", tool_error, split=False)),
            )
            if values
        }
        chosen = _pattern(pattern)
        if local or chosen or since is not None or until is not None or days is not None:
            asked = {"since": since, "until": until, "days": days}
            return await self._over_period(cred, filters, query, local, chosen, asked, limit, cursor)
        return await self._page(cred, filters, query, limit, cursor)

    # --- Revox's pages ------------------------------------------------------------------------------

    async def _page(
        self, cred: Credential, filters: dict[str, list[str]], query: str | None, limit: int, cursor: str | None
    ) -> Answer:
        tag = {"filters": filters, "query": query}
        if cursor:
            offset, size = _position(
                decode_cursor(cursor, tool="list_calls", scope=cred.fingerprint, version=None, query=tag)
            )
        else:
            offset, size = 0, min(limit, self.data.page_cap(cred) or limit)
        page_number, skip = divmod(offset, size)
        cached = await self.data.call_page(cred, filters, query, page_number, size)
        page = cached.value
        capped = 0 < page.received < size and page.total is not None and page.received < page.total
        if capped and page_number * size + page.received < page.total:  # type: ignore[operator]
            # Revox sent fewer than asked while more exist: it caps the page size. Page in its size.
            size = page.received
            if page_number:
                page_number, skip = divmod(offset, size)
                cached = await self.data.call_page(cred, filters, query, page_number, size)
                page = cached.value
        candidates = [
            self._row(cred, page.calls.items[position], page.calls.digests[position])
            for position in range(skip, min(len(page.calls.items), skip + limit))
        ]
        rows, lines = _fitting(candidates)
        end = offset + len(rows)
        if page.received < size and page.calls.items and skip + len(rows) >= len(page.calls.items):
            more = page.total is not None and end < page.total and page.received > 0
        else:
            more = (page.total is None and page.received >= size) or (page.total is not None and end < page.total)
        # Only a cursor that moves forward: an empty page never loops.
        next_cursor = (
            encode_cursor(tool="list_calls", scope=cred.fingerprint, version="0", position=f"{end}.{size}", query=tag)
            if more and rows
            else None
        )
        order = None if page.sorted else "as Revox returned it (it refused sort_by=created_at)"
        stopped_by = _stopped_by(rows, candidates)
        model = CallList(
            calls=rows,
            total=page.total,
            next_cursor=next_cursor,
            order=order,
            stopped_by=stopped_by,
            **freshness(cached),
        )
        stopped = budget.size_stop(len(rows), limit, budget.WHOLE_ANSWER) if stopped_by else None
        text = call_list_text(lines, page.total, order, filters, query, next_cursor, stopped)
        return Answer(model, text + stale_note(cached))

    # --- a period, read whole ---------------------------------------------------------------------

    async def _over_period(
        self,
        cred: Credential,
        filters: dict[str, list[str]],
        query: str | None,
        local: dict[str, list[str]],
        pattern: str | None,
        asked: dict[str, Any],
        limit: int,
        cursor: str | None,
    ) -> Answer:
        tag = {"filters": filters, "query": query, "local": local, "pattern": pattern, "period": asked}
        if cursor:
            position = decode_cursor(cursor, tool="list_calls", scope=cred.fingerprint, version=None, query=tag)
            offset, period = _period_position(position, self.scans)
        else:
            offset, period = 0, self.scans.period(asked["since"], asked["until"], asked["days"], max_days=MAX_LIST_DAYS)
        scan = await self.scans.scan(cred, filters, query, since=period.since.timestamp())
        records = scan.in_period(period)
        if pattern is not None:
            shown = await self._shows(cred, pattern, records, filters)
            records = [r for r in records if shown(r)]
        records = [r for r in records if _matches(r, local)]
        candidates = [(r.row, row_line(r.row)) for r in records[offset : offset + limit]]
        rows, lines = _fitting(candidates)
        end = offset + len(rows)
        next_cursor = None
        if end < len(records) and rows:
            position = f"{end}.{_micro(period.since)}.{_micro(period.until)}"
            next_cursor = encode_cursor(
                tool="list_calls", scope=cred.fingerprint, version="p", position=position, query=tag
            )
        view = period.view(len(records), complete=scan.complete, note=scan.note(period))
        stopped_by = _stopped_by(rows, candidates)
        model = CallList(
            calls=rows,
            total=len(records),
            next_cursor=next_cursor,
            period=view,
            stopped_by=stopped_by,
            **freshness(scan.cached),
        )
        narrowed = {**local, **({"pattern": [pattern]} if pattern else {})}
        stopped = budget.size_stop(len(rows), limit, budget.WHOLE_ANSWER) if stopped_by else None
        text = call_list_text(
            lines, len(records), None, filters, query, next_cursor, stopped, period=view, local=narrowed
        )
        return Answer(model, text + stale_note(scan.cached))

    async def _shows(
        self, cred: Credential, pattern: str, records: list[CallRecord], filters: Mapping[str, Sequence[str]]
    ) -> Callable[[CallRecord], bool]:
        """Whether a call shows ``pattern``: a timeline metric's, or the calls a rule counts over these calls
        (with the assistant's configuration, as analyze_calls ran it)."""
        metric = METRIC_PATTERNS.get(pattern)
        if metric is not None:
            return lambda record: (obs := record.observation) is not None and metric(obs)
        assistants = filters.get("assistant_ids") or []
        if len(assistants) != 1:
            raise InputError(f"pattern {pattern} is a rule over one assistant's calls: give its assistant_id too.")
        config: Mapping[str, Any] | None = None
        try:
            config = (await self.assistants.assistant(cred, assistants[0])).value.value
        except RevoxError:
            config = None  # as analyze_calls: the rule reads what it can without it
        ids = pattern_calls(pattern, [record.facts for record in records], config)
        return lambda record: record.id in ids


def _matches(record: CallRecord, local: Mapping[str, list[str]]) -> bool:
    """Whether a call passes the filters Revox cannot apply: some attempt shows one of each's values."""
    return all(ATTEMPT_FILTERS[name](record.facts) & set(values) for name, values in local.items())


def _stopped_by(rows: Sequence[CallRow], candidates: Sequence[tuple[CallRow, str]]) -> Literal["size"] | None:
    """ "size" when the answer's size budget, not the limit, ended the page."""
    return "size" if len(rows) < len(candidates) else None


def _fitting(rows: Sequence[tuple[CallRow, str]]) -> tuple[list[CallRow], list[str]]:
    """The rows (and their lines) that fit one answer, at least one."""
    kept: list[CallRow] = []
    lines: list[str] = []
    used = 0
    for row, line in rows:
        used += budget.size(dump(row)) + budget.sent_size(line)
        if used > _ROOM and kept:
            break
        kept.append(row)
        lines.append(line)
    return kept, lines
