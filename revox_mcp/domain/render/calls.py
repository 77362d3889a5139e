"""The texts of list_calls, get_call and analyze_calls. Pure.

One row per call; a call's summary, transcript or JSON; an assistant's calls aggregated with the
findings that tie them to its configuration. Text from calls appears only inside a quoted
``<call_data>`` block, or flattened by ``neutral``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from revox_mcp.domain.budget import cut_note, structured_words
from revox_mcp.domain.call_fields import FILTERS, when_text
from revox_mcp.domain.call_views import CallRow, CallSummary, Turn
from revox_mcp.domain.compare import Change
from revox_mcp.domain.evidence import Aggregate
from revox_mcp.domain.findings import Evidence
from revox_mcp.domain.quoting import neutral, neutral_block, quoted_block
from revox_mcp.domain.render.diagnosis import values_text
from revox_mcp.domain.render.tree import render_tree
from revox_mcp.domain.timeline.change import Cause, ChangePoint
from revox_mcp.domain.timeline.config import ConfigChange
from revox_mcp.domain.timeline.period import PeriodView, as_utc
from revox_mcp.domain.timeline.series import SeriesRow

# How to read the rest of a call's JSON.
READ_CALL_ON = 'get_call with fields=["<field>"] (and offset) to read it'
ROW_HEADER = (
    "id | created | direction | status | attempts | result/end_reason/ended_by/dial_error | talk | outcome "
    "| assistant | campaign"
)
# The list_calls argument each array of the search body comes from.
_ARGUMENTS = {"assistant_ids": "assistant_id", **{array: name for name, (array, _valid) in FILTERS.items()}}


def _counts(values: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items()) or "-"


def _pct(count: int, of: int) -> str:
    return f"{round(100 * count / of)}%" if of else "-"


# --- list_calls ------------------------------------------------------------------------------------


def row_line(row: CallRow) -> str:
    """One line per call, in ``ROW_HEADER``'s order."""
    ending = "/".join(value or "-" for value in (row.result, row.end_reason, row.ended_by, row.dial_error))
    return " | ".join(
        [
            row.id,
            row.when or "-",
            row.direction or "-",
            row.status or "-",
            f"{row.attempts if row.attempts is not None else '-'} att",
            ending,
            f"{row.duration_s} s" if row.duration_s is not None else "-",
            row.outcome or "-",
            row.assistant or row.assistant_id or "-",
            row.campaign or "-",
        ]
    )


def call_list_text(
    lines: Sequence[str],
    total: int | None,
    order: str | None,
    filters: Mapping[str, Sequence[str]],
    query: str | None,
    next_cursor: str | None,
    stopped: str | None = None,
    *,
    period: PeriodView | None = None,
    local: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """A page of calls: what it holds and in which order, the rows (``row_line``), how to go on.
    ``order`` None: newest first; ``stopped``: the line saying the size budget ended the page early;
    ``period``: the calls were read by a period scan (``local``: the filters applied to them here)."""
    named = [*filters.items(), *(local or {}).items()]
    shown = " ".join(f"{_ARGUMENTS.get(name, name)}={','.join(values)}" for name, values in named)
    if query:
        shown += f' query="{query}"'
    head = f"{len(lines)} of {total if total is not None else '?'} calls"
    head += f" ({order or 'newest first'})" + (f" matching {shown.strip()}" if shown else "")
    if period is not None:
        head += f", created {when(period.since)} to {when(period.until)}"
    out = [head]
    if period is not None and period.note:
        out.append(f"NOTE: {period.note}")
    out += [ROW_HEADER, *lines]
    if stopped:
        out.append(stopped)
    if next_cursor:
        out.append(f"More: list_calls with the same filters and cursor={next_cursor}")
    if not lines:
        out.append("No call matches; drop some filters, or check the assistant id with list_assistants.")
    else:
        out.append("One call: get_call(call_id=...); patterns for one assistant: analyze_calls(assistant_id=...).")
    return "\n".join(out)


# --- get_call ----------------------------------------------------------------------------------------


def summary_text(ident: str, summary: CallSummary) -> str:
    """A call's summary: its timeline, the facts of one attempt, and its quoted text (outcome summary,
    tool outputs)."""
    lines = [
        f"Call {ident}: {summary.direction or '?'} · {summary.status or '?'} · created {summary.created or '?'}"
        f" · outcome {summary.outcome or '-'}",
        f"Assistant: {summary.assistant or '?'} ({summary.assistant_id or '?'})"
        + (f" · campaign: {summary.campaign}" if summary.campaign else ""),
        f"Attempts (oldest first; #{summary.attempt or '-'} is described below):",
    ]
    for view in summary.attempts:
        ending = "/".join(v or "-" for v in (view.result, view.end_reason, view.ended_by, view.dial_error))
        talk = f"{view.duration_s} s" if view.duration_s is not None else "not answered"
        lines.append(
            f"  #{view.n} {view.started or '?'} {view.status or '?'} · result/end_reason/ended_by/dial_error "
            f"{ending} · {talk} · handled by {view.handled_by or '-'}"
        )
    facts: list[str] = []
    if summary.tool_calls:
        tools: dict[str, list[int]] = {}
        for use in summary.tool_calls:
            tally = tools.setdefault(use.name, [0, 0])
            tally[0 if use.ok else 1] += 1
        facts.append("tools " + ", ".join(f"{n} ok {t[0]}/error {t[1]}" for n, t in tools.items()))
    if summary.latency_ms:
        facts.append("latency ms " + ", ".join(f"{k} {v}" for k, v in summary.latency_ms.items()))
    if summary.agent_turns:
        facts.append(f"interrupted on {summary.interrupted} of {summary.agent_turns} agent turns")
    facts.append(f"SMS {_counts(summary.sms or {})}; emails {summary.emails or 0}")
    if summary.structured_output is not None:
        facts.append("structured output: " + (", ".join(summary.structured_output) or "{}"))
    if summary.prompt_variables:
        facts.append("prompt_variables: " + ", ".join(summary.prompt_variables))
    if summary.recording:
        facts.append("recording: yes")
    if summary.attempt:
        lines.append(f"Attempt #{summary.attempt}: " + "; ".join(facts))
    else:
        lines.append("; ".join(facts[-3:]))
    quoted: list[str] = []
    if summary.outcome_summary:
        quoted.append(f"[outcome_summary] {neutral(summary.outcome_summary)}")
    for use in summary.tool_calls or []:
        if use.output:
            quoted.append(f"[tool {neutral(use.name)} {'ok' if use.ok else 'error'}] {neutral(use.output)}")
    if quoted:
        lines.append(quoted_block(ident, quoted))
    lines.append(
        f'Transcript: get_call(call_id="{ident}", detail="transcript"); raw JSON: detail="full" or fields=[...].'
    )
    return "\n".join(lines)


def turn_line(turn: Turn) -> str:
    tag = turn.role
    if turn.tool:
        tag += f" {neutral(turn.tool)}" + (" error" if turn.error else "")
    return f"[{tag}] {neutral(turn.text)}"


def transcript_text(
    ident: str, attempt: int, turns: Sequence[Turn], offset: int, total: int, next_offset: int | None, budget: int
) -> str:
    """Turns of one attempt's transcript from ``offset``, quoted, and how to read on (the rest did not
    fit ``budget`` bytes of structured content)."""
    end = offset + len(turns)
    head = f"Call {ident}, attempt #{attempt or '-'}: turns {offset + 1 if turns else offset}-{end} of {total}"
    lines = [head, quoted_block(ident, [turn_line(turn) for turn in turns])]
    if next_offset is not None:
        lines.append(f"No more turns fit {structured_words(budget)}.")
        lines.append(f'More: get_call(call_id="{ident}", offset={next_offset})')
    if not total:
        lines.append("This attempt has no transcript (not answered, or not transcribed yet).")
    return "\n".join(lines)


def call_json_text(
    ident: str, call: dict[str, Any], cuts: list[str], next_offset: int | None, whole: bool, budget: int
) -> str:
    """A call's (redacted) JSON as quoted ``key: value`` lines; what was cut (to ``budget`` bytes of
    structured content), how to read on. ``whole``: every field, per-turn LLM prompts left out."""
    text = quoted_block(ident, [neutral_block(render_tree(call))])
    if next_offset is not None:
        text += f"\nNo more items fit {structured_words(budget)}."
        text += f"\nMore: get_call with the same fields and offset={next_offset}"
    elif cuts:
        text += cut_note(cuts, READ_CALL_ON, within=structured_words(budget))
    if whole:
        text += '\nPer-turn LLM prompts are left out: fields=["llm_system_prompt"] shows them.'
    return text


# --- analyze_calls ---------------------------------------------------------------------------------


def evidence_line(finding: Evidence, examples: int) -> str:
    """One finding: its rule, count of what it counted, up to ``examples`` call ids, the field and the change."""
    shown = ", ".join(finding.examples[:examples])
    others = f"; {values_text(finding.related, finding.field)}" if finding.related else ""
    return (
        f"{finding.severity.upper()} {finding.rule}: {finding.count}/{finding.of} "
        f"({_pct(finding.count, finding.of)}) {finding.what}; example calls: {shown}\n"
        f"  {finding.field} = {finding.value}{others} → {finding.change}"
    )


def dropped_note(dropped: Sequence[Evidence], examples: tuple[int, int] | None, budget: int) -> str | None:
    """What an analysis cut to fit ``budget`` bytes (the whole answer as sent): the example calls kept per
    finding (``examples``: in the structured content, in the text; None: not cut) and the findings left
    out, one short item each. None when nothing was cut."""
    if not dropped and examples is None:
        return None
    parts = [f"example calls to {examples[0]} per finding"] if examples else []
    if dropped:
        parts.append(
            f"{len(dropped)} more findings left out: "
            + "; ".join(f"{f.severity} {f.rule} {f.count}/{f.of} ({f.field})" for f in dropped)
        )
    within = f"the answer's {budget:,} bytes (structured content and text together, as sent)"
    return f"Cut to fit {within}: " + "; ".join(parts)


def span_text(agg: Aggregate) -> str | None:
    """When the calls analysed were created, oldest to newest."""
    return f"{when_text(agg.since)} to {when_text(agg.until)}" if agg.since is not None else None


def analysis_text(
    ident: str,
    name: str | None,
    total: int | None,
    agg: Aggregate,
    notes: Sequence[str],
    found: int,
    kept: Sequence[Evidence],
    examples: int,
    dropped: str | None,
) -> str:
    """An assistant's calls aggregated, then its findings (``kept`` of ``found``, ``examples`` call ids
    each, ``dropped`` naming the rest), and what to do next."""
    span = span_text(agg)
    lines = [
        f"{name or ident} ({ident}): {agg.calls} most recent finished calls"
        + (f" of {total}" if total is not None else "")
        + (f", {span}" if span is not None else "")
        + f"; {agg.attempts} attempts.",
        *_aggregate_lines(agg),
    ]
    lines += [f"NOTE: {note}" for note in notes]
    lines.append(f"Findings ({found}; each: count/of, share, what was counted):" if found else "No finding.")
    lines += [evidence_line(f, examples) for f in kept]
    if dropped:
        lines.append(dropped)
    lines.append("Next: get_call(call_id=<an example>) to see one call; diagnose_assistant for configuration checks.")
    return "\n".join(lines)


# --- analyze_calls over a period -----------------------------------------------------------------

_BARS = "▁▂▃▄▅▆▇█"


def when(moment: datetime, *, after: datetime | None = None) -> str:
    """A moment as people read it: ``2026-02-16 14:05Z``, or ``14:02Z`` on the day of ``after``."""
    moment = as_utc(moment)
    if after is not None and as_utc(after).date() == moment.date():
        return moment.strftime("%H:%MZ")
    return moment.strftime("%Y-%m-%d %H:%MZ")


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value, ▁ (lowest) to █ (highest); a space where there is none."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    return "".join(
        " " if v is None else _BARS[0 if span == 0 else min(int((v - low) / span * len(_BARS)), len(_BARS) - 1)]
        for v in values
    )


def _share(count: int, of: int) -> float | None:
    return 100 * count / of if of else None


def _series_rows(series: Sequence[SeriesRow]) -> list[tuple[str, list[float | None], str]]:
    """The rows of the text's series: label, a value per bucket, the unit of its range."""
    rows: list[tuple[str, list[float | None], str]] = [("calls", [float(r.calls) for r in series], "")]
    rows.append(("reached a person %", [_share(r.reached_person, r.calls) for r in series], "%"))
    rows.append(("voicemail %", [_share(r.voicemail, r.calls) for r in series], "%"))
    totals: dict[str, int] = {}
    for row in series:
        for name, count in row.end_reasons.items():
            if name != "other":
                totals[name] = totals.get(name, 0) + count
    for name in sorted(totals, key=lambda n: (-totals[n], n))[:3]:
        rows.append((f"{name} %", [_share(r.end_reasons.get(name, 0), r.calls) for r in series], "%"))
    if any(r.tool_results for r in series):
        rows.append(("tool errors %", [_share(r.tool_errors, r.tool_results) for r in series], "%"))
    for label, values in (
        ("LLM first token p50", [r.llm_ttft_p50_ms for r in series]),
        ("TTS first byte p50", [r.tts_ttfb_p50_ms for r in series]),
    ):
        if any(v is not None for v in values):
            rows.append((label, [None if v is None else float(v) for v in values], " ms"))
    return [row for row in rows if any(v is not None for v in row[1])]


def _range(values: Sequence[float | None], unit: str) -> str:
    known = [v for v in values if v is not None]
    return f"{min(known):.0f}–{max(known):.0f}{unit}" if known else "-"


def bucket_line(row: SeriesRow, bucket: str) -> str:
    """One bucket of the series on one line."""
    label = row.start.strftime("%Y-%m-%d") if bucket == "day" else row.start.strftime("%m-%d %Hh")
    parts = [f"{label}: {row.calls} calls"]
    if row.calls:
        parts.append(f"person {row.reached_person}, voicemail {row.voicemail}")
        if row.end_reasons:
            parts.append(_counts(row.end_reasons))
        if row.dial_errors:
            parts.append("dial " + _counts(row.dial_errors))
        if row.tool_results:
            parts.append(f"tool errors {row.tool_errors}/{row.tool_results}")
        if row.llm_ttft_p50_ms is not None:
            parts.append(f"ttft {row.llm_ttft_p50_ms}/{row.llm_ttft_p95_ms} ms")
    return " · ".join(parts)


def _diff_text(changes: Sequence[Change]) -> str:
    """A cause's diff in a few words: each changed path, its values or a line of its text diff."""
    shown: list[str] = []
    for change in changes[:3]:
        if change.diff:
            lines = [line for line in change.diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
            added = sum(1 for line in lines if line.startswith("+"))
            # The first line it took out and the first it put in.
            firsts = [next((line for line in lines if line[0] == sign), None) for sign in "-+"]
            sample = "; ".join(neutral(line)[:70] for line in firsts if line is not None)
            shown.append(f"{change.path} (+{added} −{len(lines) - added} lines: {sample})")
        elif change.kind == "changed":
            shown.append(f"{change.path}: {_value(change.a)} → {_value(change.b)}")
        else:
            shown.append(f"{change.path} {change.kind}")
    more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
    return "; ".join(shown) + more


def _value(value: Any) -> str:
    return neutral(value if isinstance(value, str) else repr(value))[:60]


def cause_text(cause: Cause, at: datetime, label: str | None = None) -> str:
    """What came just before a change point: the edit and when (``label``: its line among the
    configuration changes, which shows what it changed)."""
    if cause.source == "stored":
        head = f"{cause.summary} (a version the server stored at {when(cause.at, after=at)})"
    else:
        head = f"{cause.summary} at {when(cause.at, after=at)}"
    return f"{label}: {head}" if label else head


def _side(point: ChangePoint, side: str) -> str:
    chosen = point.before if side == "before" else point.after
    if point.kind == "latency":
        return f"{chosen.value:.0f} ms ({chosen.of} calls)"
    count = chosen.count or 0
    return f"{count} of {chosen.of} ({_pct(count, chosen.of)})"


Labels = Mapping[tuple[datetime, str], str]


def change_point_line(point: ChangePoint, labels: Labels | None = None) -> str:
    """``metric`` went from k of n to k of n from <when>, the first call after <cause>, <significance>."""
    measure = f"`{point.metric}`" + (" (median per call) " if point.kind == "latency" else " ")
    line = f"{measure}went from {_side(point, 'before')} to {_side(point, 'after')} from {when(point.at)}"
    if point.cause is not None:
        label = (labels or {}).get((as_utc(point.cause.at), point.cause.kind))
        line += f", the first call after {cause_text(point.cause, point.at, label)}"
    # The test's name; how it was corrected for the splits and metrics tried is in the structured content.
    return f"{line}; {point.significance} ({point.test.split(',')[0]}, corrected)"


def config_change_line(change: ConfigChange, label: str) -> str:
    """A configuration change: when, what, where it was seen, and (when read) what it changed."""
    where = "stored version" if change.source == "stored" else "seen in calls"
    line = f"{label} {when(change.at)} {change.summary} ({where}"
    if change.first_call:
        line += f"; first call {change.first_call}"
    if change.last_before is not None:
        line += f", the last before at {when(change.last_before, after=change.at)}"
    line += ")"
    if change.diff:
        line += f"; diff: {_diff_text(change.diff)}"
    elif change.diff is not None:
        line += "; the two calls' assistants differ in no field shown (only in redacted values)"
    return line


def drill_text(drill: Mapping[str, str], base: Mapping[str, str]) -> str:
    """A drill-down as a list_calls call, without the arguments every drill-down shares (``base``)."""
    own = ", ".join(f"{k}={v}" for k, v in drill.items() if base.get(k) != v)
    return f"list_calls({own})"


@dataclass(frozen=True)
class PeriodText:
    """What the text of analyze_calls over a period shows (all of it is in the structured content)."""

    ident: str
    name: str | None
    agg: Aggregate
    period: PeriodView
    series: Sequence[SeriesRow]
    changes: Sequence[ConfigChange]
    points: Sequence[ChangePoint]
    findings: Sequence[Evidence]
    found: int
    notes: Sequence[str]
    examples: int
    bucket_lines: bool
    drill: Mapping[str, str]
    cut: Sequence[str]


def _aggregate_lines(agg: Aggregate) -> list[str]:
    lines = [
        f"status: {_counts(agg.status)} · outcome: {_counts(agg.outcome)}",
        f"attempt result: {_counts(agg.result)} · end_reason: {_counts(agg.end_reason)}",
        f"ended_by: {_counts(agg.ended_by)} · dial_error: {_counts(agg.dial_error)}",
        f"talk time s: {_counts(agg.duration)} · reached a person: {agg.reached_human} of {agg.calls} calls "
        f"({_pct(agg.reached_human, agg.calls)}) · voicemail: {agg.voicemail} of {agg.attempts} attempts",
    ]
    extra = []
    if agg.tool_calls:
        extra.append("tool errors/results: " + ", ".join(f"{n} {e}/{r}" for n, (e, r) in agg.tool_calls.items()))
    if agg.latency:
        extra.append("latency ms: " + _counts(agg.latency))
    if agg.agent_turns:
        extra.append(f"interrupted agent turns: {agg.cut_turns}/{agg.agent_turns}")
    if extra:
        lines.append(" · ".join(extra))
    return lines


def period_analysis_text(t: PeriodText) -> str:
    """An assistant's calls over a period: the aggregate, the series (a sparkline per measure, and a
    line per bucket), the configuration changes, the change points with their causes, the findings,
    each with the list_calls call that returns its calls."""
    period = t.period
    state = "" if period.complete else " (not all read: see NOTE)"
    lines = [
        f"{t.name or t.ident} ({t.ident}): {period.calls} finished calls created {when(period.since)} to "
        f"{when(period.until)}{state}; {t.agg.attempts} attempts.",
        *_aggregate_lines(t.agg),
    ]
    if period.note:
        lines.append(f"NOTE: {period.note}")
    lines += [f"NOTE: {note}" for note in t.notes]
    if t.series:
        first, last = t.series[0].start, t.series[-1].start
        lines.append(f"Per {period.bucket}, {when(first)} to {when(last)} ({len(t.series)} buckets; low ▁ to high █):")
        rows = _series_rows(t.series)
        width = max(len(label) for label, _v, _u in rows)
        lines += [f"  {label:<{width}} {sparkline(v)} {_range(v, unit)}" for label, v, unit in rows]
        if t.bucket_lines:
            lines += ["  " + bucket_line(row, period.bucket) for row in t.series]
    labels = {(as_utc(change.at), change.kind): f"C{n}" for n, change in enumerate(t.changes, 1)}
    if t.changes:
        lines.append(f"Configuration changes ({len(t.changes)}):")
        lines += [f"  {config_change_line(change, f'C{n}')}" for n, change in enumerate(t.changes, 1)]
    if t.points:
        lines.append(f"Change points ({len(t.points)}):")
        for point in t.points:
            lines.append(f"  {change_point_line(point, labels)}")
            lines.append(f"    calls: {drill_text(point.drill_down, t.drill)}")
    else:
        lines.append("Change points: none (no rate or latency shifted beyond chance).")
    lines.append(f"Findings ({t.found}; each: count/of, share, what was counted):" if t.found else "No finding.")
    for finding in t.findings:
        lines.append(evidence_line(finding, t.examples))
        if finding.drill_down:
            lines.append(f"  calls: {drill_text(finding.drill_down, t.drill)}")
    shared = ", ".join(f"{k}={v}" for k, v in t.drill.items())
    lines.append(f"Each list_calls above also takes {shared} (the calls analysed).")
    if t.cut:
        lines.append(f"Cut to fit 16 kB: {'; '.join(t.cut)}.")
    lines.append("Next: get_call(call_id=<an example>) to see one call; diagnose_assistant for configuration checks.")
    return "\n".join(lines)
