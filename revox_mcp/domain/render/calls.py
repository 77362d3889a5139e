"""The texts of list_calls, get_call and analyze_calls. Pure.

One row per call; a call's summary, transcript or JSON; an assistant's calls aggregated with the
findings that tie them to its configuration. Text from calls appears only inside a quoted
``<call_data>`` block, or flattened by ``neutral``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from revox_mcp.domain.budget import cut_note, structured_words
from revox_mcp.domain.call_fields import FILTERS, when_text
from revox_mcp.domain.call_views import CallRow, CallSummary, Turn
from revox_mcp.domain.evidence import Aggregate
from revox_mcp.domain.findings import Evidence
from revox_mcp.domain.quoting import neutral, neutral_block, quoted_block
from revox_mcp.domain.render.diagnosis import values_text
from revox_mcp.domain.render.tree import render_tree

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
) -> str:
    """A page of calls: what it holds and in which order, the rows (``row_line``), how to go on.
    ``order`` None: newest first; ``stopped``: the line saying the size budget ended the page early."""
    shown = " ".join(f"{_ARGUMENTS.get(name, name)}={','.join(values)}" for name, values in filters.items())
    if query:
        shown += f' query="{query}"'
    head = f"{len(lines)} of {total if total is not None else '?'} calls"
    head += f" ({order or 'newest first'})" + (f" matching {shown.strip()}" if shown else "")
    out = [head, ROW_HEADER, *lines]
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
    lines += [f"NOTE: {note}" for note in notes]
    lines.append(f"Findings ({found}; each: count/of, share, what was counted):" if found else "No finding.")
    lines += [evidence_line(f, examples) for f in kept]
    if dropped:
        lines.append(dropped)
    lines.append("Next: get_call(call_id=<an example>) to see one call; diagnose_assistant for configuration checks.")
    return "\n".join(lines)
