"""What the prompt and its outputs cause: interrupted replies, structured output always empty,
calls lacking the prompt's {{variables}}. Pure.
"""

from __future__ import annotations

from collections import Counter

from revox_mcp.domain.evidence.context import MIN_COUNT, Context, Tally, finding, short_json
from revox_mcp.domain.facts import items, placeholders, text
from revox_mcp.domain.findings import Evidence

INTERRUPTION_SHARE = 0.3
MIN_AGENT_TURNS = 20


def check_interruptions(ctx: Context) -> list[Evidence]:
    agg = ctx.agg
    if agg.agent_turns < MIN_AGENT_TURNS or agg.cut_turns / agg.agent_turns < INTERRUPTION_SHARE:
        return []
    tally = Tally()
    for call in ctx.calls:
        cut = sum(a.cut_turns for a in call.attempts)
        if cut:
            tally.add(call.id, cut)
    return [
        finding(
            "calls.interrupted",
            tally,
            agg.agent_turns,
            "agent turns interrupted by the caller",
            "prompt",
            ctx.shown("prompt"),
            "Keep replies short: add to the prompt 'answer in one or two sentences, then wait'.",
        )
    ]


def check_structured_output(ctx: Context) -> list[Evidence]:
    configured = items(ctx.config, "structured_output_config")
    names = [str(entry.get("name")) for entry in configured if entry.get("name")]
    extracted = [(c, a) for c in ctx.calls for a in c.attempts if a.structured is not None and a.answered_by_human]
    if not names or len(extracted) < 3:
        return []
    found: list[Evidence] = []
    for name in dict.fromkeys(names):
        tally = Tally()
        for call, attempt in extracted:
            if dict(attempt.structured or ()).get(name, True):
                tally.add(call.id)
        if tally.count == len(extracted):
            entry = next((e for e in configured if e.get("name") == name), None)
            found.append(
                finding(
                    "calls.structured_output_empty",
                    tally,
                    len(extracted),
                    f"answered attempts with structured output had {name} empty",
                    f"structured_output_config[name={name}]",
                    short_json({k: entry[k] for k in ("type", "description") if entry and k in entry}),
                    f"Say what {name} must hold in its description (or structured_output_prompt), or remove it.",
                    drill={"pattern": f"calls.structured_output_empty:{name}"},
                )
            )
    return found[:4]


def check_variables(ctx: Context) -> list[Evidence]:
    if ctx.config is None:
        return []
    used = placeholders(text(ctx.config, "prompt")) + placeholders(text(ctx.config, "first_sentence"))
    used = list(dict.fromkeys(used))
    if not used:
        return []
    tally = Tally()
    missing: Counter[str] = Counter()
    errored = 0
    # Inbound calls may get their variables from precall_lookup_url without recording them: only
    # inbound calls that record prompt_variables count.
    counted = [c for c in ctx.calls if c.direction != "inbound" or c.variables is not None]
    for call in counted:
        given = call.variables or frozenset()
        lacking = [name for name in used if name not in given]
        if lacking:
            tally.add(call.id)
            missing.update(lacking)
            errored += call.status in ("errored", "not_launched")
    if tally.count < MIN_COUNT:
        return []
    names = ", ".join(name for name, _n in missing.most_common(6))
    failed = f"; {errored} of them errored or were not launched" if errored else ""
    lookup = " With precall_lookup_url, the lookup must return them." if text(ctx.config, "precall_lookup_url") else ""
    return [
        finding(
            "calls.missing_variables",
            tally,
            len(counted),
            f"calls lacked variables the prompt uses ({names}){failed}",
            "prompt",
            short_json("uses " + ", ".join("{{" + n + "}}" for n in used)),
            f"Pass prompt_variables {names} with every call, or remove them from the prompt.{lookup}",
        )
    ]
