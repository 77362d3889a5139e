"""Cold start over stdio: process start to the first ``tools/list`` answer, and what the imports cost.

``revox-mcp --demo`` against the minimal SDK server (``floor_server.py``: one no-op tool, nothing
else imported), run in turn, several times each; the first run of each is discarded (it writes
the bytecode caches). Then ``python -X importtime`` of both: the modules revox-mcp imports that the
floor does not, grouped (revox_mcp modules one by one, other packages by top-level name), with the
revox_mcp module that first pulled each package in.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from .common import ROOT, Row, Stats, child_env, stats

SECTION = "5. cold start"
RUNS = 9
IMPORT_RUNS = 3
GOAL = 1.2  # issue 15: within 1.2x a minimal server on the same SDK
TOP_IMPORTS = 8

SERVERS = {
    "floor": [str(ROOT / "benchmarks" / "floor_server.py")],
    "revox": ["-m", "revox_mcp", "--demo"],
}


def _params(server: str, *python_options: str) -> StdioServerParameters:
    # The child gets our PATH and quiet logs only: no PYTHONDONTWRITEBYTECODE, so, as in an
    # installed package, modules are compiled once, not at every start.
    args = [*python_options, *SERVERS[server]]
    return StdioServerParameters(command=sys.executable, args=args, env=child_env(), cwd=str(ROOT))


async def _start(server: str) -> float:
    start = time.perf_counter()
    async with Client(_params(server), cache=None) as client:
        await client.list_tools()
        return time.perf_counter() - start


async def cold_starts() -> dict[str, Stats]:
    seconds: dict[str, list[float]] = {name: [] for name in SERVERS}
    for run in range(RUNS + 1):
        order = list(SERVERS) if run % 2 else list(reversed(SERVERS))
        for name in order:
            elapsed = await _start(name)
            if run:
                seconds[name].append(elapsed)
    return {name: stats(values) for name, values in seconds.items()}


@dataclass(frozen=True)
class Imported:
    name: str
    self_us: int
    depth: int
    importer: str  # the nearest revox_mcp module above it, or ""


def parse_importtime(text: str) -> list[Imported]:
    """``-X importtime`` lines (children listed before their parent) with each module's revox_mcp importer."""
    rows: list[tuple[str, int, int]] = []
    for line in text.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line.split("|")
        self_us = int(parts[0].removeprefix("import time:").strip())
        label = parts[2]
        name = label.strip()
        depth = (len(label) - len(label.lstrip(" ")) - 1) // 2
        rows.append((name, self_us, depth))
    # Walk parents before children: reversed, the list is in pre-order.
    out: list[Imported] = []
    ancestors: list[tuple[int, str]] = []  # (depth, name)
    for name, self_us, depth in reversed(rows):
        while ancestors and ancestors[-1][0] >= depth:
            ancestors.pop()
        importer = next((n for _, n in reversed(ancestors) if n.startswith("revox_mcp")), "")
        out.append(Imported(name, self_us, depth, importer))
        ancestors.append((depth, name))
    return out


async def _importtime(server: str) -> list[Imported]:
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        async with Client(stdio_client(_params(server, "-X", "importtime"), errlog=errors), cache=None) as client:
            await client.list_tools()
        errors.seek(0)
        return parse_importtime(errors.read())


def _group(module: Imported) -> str:
    if module.name.startswith("revox_mcp"):
        return module.name
    return module.name.split(".")[0]


async def extra_imports() -> tuple[list[tuple[str, float, str]], float]:
    """Groups of modules revox-mcp imports and the floor does not: (group, median ms, importer); and the total."""
    floor_modules = {module.name for module in await _importtime("floor")}
    per_run: list[dict[str, float]] = []
    importers: dict[str, str] = {}
    for _ in range(IMPORT_RUNS):
        groups: dict[str, float] = defaultdict(float)
        for module in await _importtime("revox"):
            if module.name in floor_modules:
                continue
            group = _group(module)
            groups[group] += module.self_us / 1000
            if not group.startswith("revox_mcp"):
                importers.setdefault(group, module.importer)
        per_run.append(groups)
    names = set().union(*per_run)
    medians = {name: statistics.median(run.get(name, 0.0) for run in per_run) for name in names}
    ranked = sorted(medians.items(), key=lambda item: -item[1])
    total = statistics.median(sum(run.values()) for run in per_run)
    return [(name, ms, importers.get(name, "")) for name, ms in ranked], total


def run() -> list[Row]:
    starts = anyio.run(cold_starts)
    floor, revox = starts["floor"], starts["revox"]
    ratio = revox.median_ms / floor.median_ms
    ranked, total = anyio.run(extra_imports)
    top = "; ".join(f"{name} {ms:.0f}" + (f" (via {via})" if via else "") for name, ms, via in ranked[:TOP_IMPORTS])
    return [
        Row(SECTION, f"minimal SDK server (no-op floor), median of {RUNS}", f"{floor.median_ms:.0f} ms"),
        Row(
            SECTION,
            f"revox-mcp --demo to first tools/list, median of {RUNS}",
            f"{revox.median_ms:.0f} ms = {ratio:.2f}× floor",
            f"≤ {GOAL}× floor",
            ratio <= GOAL,
        ),
        Row(
            SECTION,
            "imports beyond the floor's (self time, ms; median of 3 runs under -X importtime)",
            f"{total:.0f} ms in all; top: {top}",
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
