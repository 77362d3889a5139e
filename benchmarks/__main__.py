"""Run every benchmark, print the results table and write it to benchmarks/results.md.

    python -m benchmarks
    python -m benchmarks team     (only the team deployment; written to benchmarks/results-team.md)

Figures are ratios against a baseline measured in the same run where a goal is relative
(the no-op SDK server, the raw API JSON); absolute times depend on the machine.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable

from . import scale, size, stdio, team, upstream
from .common import ROOT, Row

RESULTS = ROOT / "benchmarks" / "results.md"
SECTIONS: tuple[tuple[str, Callable[[], list[Row]]], ...] = (
    ("warm calls and cold start over stdio", stdio.run),
    ("scale curve and diagnose", scale.run),
    ("upstream requests", upstream.run),
    ("bytes", size.run),
    ("team deployment: replicas and Redis", team.run),
)
# Sections that can be run alone: python -m benchmarks NAME
NAMED: dict[str, tuple[str, Callable[[], list[Row]]]] = {"team": SECTIONS[-1]}


def table(rows: list[Row]) -> str:
    lines = ["| benchmark | measure | result | goal | met |", "|---|---|---|---|---|"]
    lines += [f"| {r.section} | {r.measure} | {r.value} | {r.goal} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else None
    if name is not None and name not in NAMED:
        raise SystemExit(f"usage: python -m benchmarks [{'|'.join(NAMED)}]")
    sections = SECTIONS if name is None else (NAMED[name],)
    results = RESULTS if name is None else RESULTS.with_name(f"results-{name}.md")
    started = time.perf_counter()
    rows: list[Row] = []
    for label, run in sections:
        print(f"running: {label}…", file=sys.stderr, flush=True)
        rows += run()
    elapsed = time.perf_counter() - started
    python = f"{platform.python_implementation()} {platform.python_version()}"
    machine = f"{python}, {platform.system()}, {os.cpu_count()} CPUs"
    body = table(rows)
    results.write_text(
        f"# Benchmark results\n\n`python -m benchmarks` on {machine}; whole run {elapsed:.0f} s.\n\n{body}\n",
        encoding="utf-8",
    )
    print(body)
    print(f"\n{machine}; {elapsed:.0f} s; written to {results.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
