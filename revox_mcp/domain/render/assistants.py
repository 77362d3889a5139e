"""The texts of list_assistants and get_assistant: one line per assistant, a summary or a configuration
as ``key: value`` lines, and how to read what was cut. Pure.

The structured content carries the JSON; the text is a terser rendering of the same answer, so an
agent does not pay twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from revox_mcp.domain.budget import cut_note, twice_words
from revox_mcp.domain.render.tree import cell, render_tree
from revox_mcp.domain.summary import AssistantSummary

# How to read on, where a summary, a configuration or a field was cut.
READ_FIELD = 'get_assistant with fields=["<field>"] for a whole field'
READ_FIELD_ON = 'get_assistant with fields=["<field>"] and offset to read it whole'
_FULL_HINT = 'Full detail: get_assistant with detail="full", or fields=["prompt"] for one field.'
_COLUMNS = "(id | name | type | llm | voice | opening | features | prompt chars | updated)"


def summary_line(summary: AssistantSummary) -> str:
    """One assistant in one line: id | name | type | llm | voice | opening | features | prompt chars | updated.

    No per-cell labels: the page's header line names the columns once (a label per cell cost 5% more).
    """
    llm = "/".join(x for x in (summary.llm, summary.model) if x) or "-"
    parts = [
        cell(summary.id),
        cell(summary.name),
        cell(summary.type),
        cell(llm),
        cell(summary.voice),
        cell(summary.first_sentence),
        cell(",".join(summary.features)),
        str(summary.prompt_chars) if summary.prompt_chars is not None else "-",
        cell((summary.updated_at or "")[:10]),
    ]
    return " | ".join(parts)


def page_text(
    summaries: Sequence[AssistantSummary],
    total: int,
    query: str | None,
    next_cursor: str | None,
    stopped: str | None = None,
) -> str:
    """A page of the assistant index: a header naming the columns, then one line per assistant; ``stopped``:
    the line saying the size budget ended the page early (``budget.size_stop``)."""
    head = f"{len(summaries)} of {total} assistants" + (f' matching "{query}"' if query else "")
    lines = [f"{head} {_COLUMNS}", *(summary_line(s) for s in summaries)]
    if stopped:
        lines.append(stopped)
    if next_cursor:
        lines.append(f"More: call list_assistants with cursor={next_cursor}")
    if not summaries:
        lines.append("No assistant matches; call list_assistants without query to see all.")
    return "\n".join(lines)


def detail_text(detail: dict[str, Any] | None, cuts: list[str], budget: int) -> str:
    """get_assistant's summary: the detail as ``key: value`` lines, what was cut (to ``budget`` bytes of
    structured content), how to see it all."""
    tree = render_tree(detail) if detail is not None else ""
    within = f"the summary's {budget:,} bytes of structured content"
    return tree + cut_note(cuts, READ_FIELD, within=within) + "\n" + _FULL_HINT


def configuration_text(config: dict[str, Any], cuts: list[str], next_offset: int | None, budget: int) -> str:
    """get_assistant's configuration (whole, some fields, or a chunk of one text field from an offset),
    cut to ``budget`` bytes as structured content and as text."""
    text = render_tree(config)
    if next_offset is not None:
        text += (
            f"\n…[more: no more fit {twice_words(budget)}; call get_assistant with the same fields and "
            f"offset={next_offset}]"
        )
    elif cuts:
        text += cut_note(cuts, READ_FIELD_ON, within=twice_words(budget))
    return text
