"""Run the benchmarks, print the results table; a full run also writes it to benchmarks/results.md.

    python -m benchmarks                 # the default sections, in order; writes results.md
    python -m benchmarks all             # every section, the opt-in ones too; writes results.md
    python -m benchmarks slow warm       # only these sections; prints, writes nothing
    python -m benchmarks --list          # the section names
    python -m benchmarks team            # the team deployment (needs redis-server)

Goals are ratios against a baseline measured in the same run (the fair floor, the minimal SDK
server, the first refresh), or memory and CPU figures read from /proc or ``time.process_time``;
the slow-Revox figures are seconds waited on timers. Absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable

from . import cold, history, memory, peak, periods, refresh, scale, size, slow, team, timeline, upstream, warm
from .common import ROOT, Row

RESULTS = ROOT / "benchmarks" / "results.md"

# name -> (what it measures, how, whether the default run includes it). New sections add one line here.
SECTIONS: dict[str, tuple[str, Callable[[], list[Row]], bool]] = {
    "memory": ("server RSS and CPU over 20 refreshes of 10,000: unchanged, one renamed", memory.run, True),
    "churn": ("the same with every assistant renamed at each refresh (~4 min)", memory.run_churn, False),
    "soak": ("1,000 refreshes of 1,000 assistants, one renamed each time: RSS flat?", memory.run_soak, False),
    "slow": ("seconds to answer while Revox is slow, drips, or never answers", slow.run, True),
    "refresh": ("where an unchanged refresh of 10,000 spends its CPU", refresh.run, True),
    "warm": ("warm calls over stdio against the fair floor", warm.run, True),
    "cold": ("cold start over stdio against the minimal SDK server; import costs", cold.run, True),
    "scale": ("scale curve at 100 / 1,000 / 10,000 assistants", scale.run, True),
    "peak": ("peak RSS with 10,000 assistants: list every page, get 200, diagnose all", peak.run, True),
    "upstream": ("upstream requests under 1,000 mixed and 50 concurrent cold calls", upstream.run, True),
    "bytes": ("bytes an agent reads, raw API vs revox-mcp", size.run, True),
    "team": ("team deployment: 1 and 3 replicas with Redis, 1 without (needs redis-server)", team.run, False),
    "timeline": ("the time axis alone: 30 days x 3,000 calls, change points against the series", timeline.run, True),
    "periods": ("analyze_calls over 30 days x 3,000 calls: cold paging and warm repeats", periods.run, True),
    "history": ("the history store at 10,000 assistants: recording against cleaning, reading", history.run, True),
}


def _number(row: Row) -> int:
    """The table's order: by the number that starts each benchmark's name (a section may fill two)."""
    head = row.section.split(".", 1)[0]
    return int(head) if head.isdigit() else 1_000


def table(rows: list[Row]) -> str:
    rows = sorted(rows, key=_number)  # stable: each benchmark's rows keep their order
    lines = ["| benchmark | measure | result | goal | met |", "|---|---|---|---|---|"]
    lines += [f"| {r.section} | {r.measure} | {r.value} | {r.goal} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", metavar="SECTION", help='default: the default ones; "all": every one')
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, (label, _run, default) in SECTIONS.items():
            print(f"{name:10} {label}" + ("" if default else " [opt-in]"))
        return
    full = args.sections in ([], ["all"])
    if args.sections == ["all"]:
        chosen = list(SECTIONS)
    elif not args.sections:
        chosen = [name for name, (_label, _run, default) in SECTIONS.items() if default]
    else:
        chosen = args.sections
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from all, {', '.join(SECTIONS)}")
    started = time.perf_counter()
    rows: list[Row] = []
    for name in chosen:
        label, run, _default = SECTIONS[name]
        print(f"running {name}: {label}…", file=sys.stderr, flush=True)
        section_started = time.perf_counter()
        rows += run()
        print(f"  {name}: {time.perf_counter() - section_started:.0f} s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    python = f"{platform.python_implementation()} {platform.python_version()}"
    machine = f"{python}, {platform.system()}, {os.cpu_count()} CPUs"
    body = table(rows)
    print(body)
    if not full:
        print(f"\n{machine}; {elapsed:.0f} s; sections {', '.join(chosen)} (results.md is written by a full run)")
        return
    command = "python -m benchmarks" + (" all" if args.sections else "")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    RESULTS.write_text(
        f"# Benchmark results\n\n`{command}` on {machine} (load average {load:.1f} at the end, from other "
        f"users of the machine); whole run {elapsed:.0f} s; sections {', '.join(chosen)}.\n\n{body}\n",
        encoding="utf-8",
    )
    print(f"\n{machine}; {elapsed:.0f} s; written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
