"""Peak memory with 10,000 assistants, issue 15's scenario: list every page, fetch 200, diagnose all.

Each tree runs in a child process of its own (``python benchmarks/peak.py TREE BASE_URL``), its
``revox_mcp`` imported from ``TREE``, so that its peak RSS (``VmHWM`` from /proc) is its own; the
fake Revox runs in this parent process and serves every child the same 10,000 assistants. In the
child, the production server (``build_server`` with default settings but the key, the base URL and
a TTL longer than the run) is called through the official client:

* list: ``list_assistants`` page after page, following ``next_cursor`` to the last page (the first
  call fetches, parses, cleans and caches all 10,000);
* fetch 200: ``get_assistant`` of 200 ids spread over the list;
* diagnose all: ``diagnose_assistant`` without an id (a tally of every assistant, the ranking).

After each stage the child reads its ``VmHWM`` and ``VmRSS``. Against another tree in the same run
(``--against DIR``, e.g. main exported with ``git archive main | tar -x -C DIR``) the rows give
the ratio of the peaks. ``--trace N`` runs this tree once more under tracemalloc and prints the N
lines that hold the most memory at the traced peak (tracemalloc's own bookkeeping is not in RSS).

    python -m benchmarks.peak [--against DIR] [--trace N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ASSISTANTS = 10_000
FETCHED = 200
PEAK_GOAL_MB = 200.0
SECTION = "6. scale"


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


async def _scenario(base_url: str, key: str, trace: int) -> dict[str, Any]:
    """The child's run: the stages above, with the peak and the resident set after each."""
    import tracemalloc

    from mcp import Client

    from revox_mcp.server.app import build_server
    from revox_mcp.settings import Secret, Settings

    out: dict[str, Any] = {"stages": {}}

    def mark(stage: str) -> None:
        out["stages"][stage] = {"peak_mb": _status_mb("VmHWM"), "rss_mb": _status_mb("VmRSS")}
        if trace:
            held, peak = tracemalloc.get_traced_memory()
            out["stages"][stage] |= {"traced_mb": held / 2**20, "traced_peak_mb": peak / 2**20}
            tracemalloc.reset_peak()

    if trace:
        tracemalloc.start(1)
    server = build_server(Settings(api_key=Secret(key), base_url=base_url, cache_ttl=3600.0))
    async with Client(server, cache=None) as client:
        mark("started")
        ids: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            arguments: dict[str, Any] = {"limit": 100} | ({"cursor": cursor} if cursor else {})
            result = await client.call_tool("list_assistants", arguments)
            assert not result.is_error, result.content
            assert result.structured_content is not None
            pages += 1
            ids += [entry["id"] for entry in result.structured_content["assistants"]]
            cursor = result.structured_content.get("next_cursor")
            if pages == 1:
                mark("first page")
            if not cursor:
                break
        out["pages"], out["listed"] = pages, len(ids)
        mark("listed every page")
        for ident in ids[:: max(len(ids) // FETCHED, 1)][:FETCHED]:
            result = await client.call_tool("get_assistant", {"assistant_id": ident})
            assert not result.is_error, result.content
        mark(f"fetched {FETCHED}")
        result = await client.call_tool("diagnose_assistant", {})
        assert not result.is_error, result.content
        mark("diagnosed all")
        if trace:
            _, traced_peak = tracemalloc.get_traced_memory()
            snapshot = tracemalloc.take_snapshot()
            tracemalloc.stop()
            out["traced_peak_mb"] = traced_peak / 2**20
            out["top"] = [
                f"{stat.size / 2**20:7.1f} MB {stat.count:8} blocks {stat.traceback[0]}"
                for stat in snapshot.statistics("lineno")[:trace]
            ]
    return out


def _child(tree: str, base_url: str, key: str, trace: int) -> dict[str, Any]:
    """Run the scenario in a fresh process with ``tree``'s revox_mcp; its JSON report."""
    with tempfile.TemporaryDirectory() as state:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", tree, base_url, key, str(trace)],
            cwd=tree,
            env={
                "PATH": os.environ.get("PATH", ""),
                "HOME": state,
                "REVOX_MCP_STATE_DIR": state,
                "PYTHONDONTWRITEBYTECODE": "1",  # another tree is read, never written
            },
            capture_output=True,
            text=True,
            timeout=1200,
        )
    if done.returncode != 0:
        raise RuntimeError(f"the child over {tree} failed: {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def measure(trees: dict[str, str], trace: int = 0) -> dict[str, dict[str, Any]]:
    """Each tree's report, one child each, against one fake Revox of 10,000 assistants."""
    from .common import API_KEY, FakeRevox

    assistants = FakeRevox.make_assistants(ASSISTANTS)
    with FakeRevox(assistants, api_key=API_KEY) as fake:
        return {
            name: _child(tree, fake.base_url, API_KEY, trace if name == "this" else 0) for name, tree in trees.items()
        }


def rows(results: dict[str, dict[str, Any]]) -> list[Any]:
    from .common import Row

    here = results["this"]
    last = here["stages"]["diagnosed all"]
    stages = " / ".join(f"{stage['peak_mb']:.0f}" for stage in here["stages"].values())
    value = f"{last['peak_mb']:.0f} MB (peak after start / list / fetch / diagnose: {stages} MB)"
    for name, other in results.items():
        if name != "this":
            theirs = other["stages"]["diagnosed all"]["peak_mb"]
            value += f"; {name}: {theirs:.0f} MB, {last['peak_mb'] / theirs:.2f}×"
    return [
        Row(
            SECTION,
            f"peak RSS, {ASSISTANTS:,} assistants: list every page ({here['pages']} pages), "
            f"get {FETCHED}, diagnose all",
            value,
            f"≤ {PEAK_GOAL_MB:.0f} MB",
            last["peak_mb"] <= PEAK_GOAL_MB,
        )
    ]


def run() -> list[Any]:
    return rows(measure({"this": str(Path(__file__).resolve().parent.parent)}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        tree, base_url, key, trace = sys.argv[2:6]
        sys.path[0] = tree  # not this file's folder, and ahead of the editable install: TREE's revox_mcp
        import anyio

        print(json.dumps(anyio.run(_scenario, base_url, key, int(trace))))
        return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peak", description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="DIR", help="another tree (e.g. main exported), measured in the same run")
    parser.add_argument("--trace", type=int, default=0, metavar="N", help="also print the N lines holding most")
    args = parser.parse_args()
    trees = {"this": str(Path(__file__).resolve().parent.parent)}
    if args.against:
        trees["against"] = str(Path(args.against).resolve())
    results = measure(trees)
    for name, result in results.items():
        print(name, json.dumps(result["stages"]), f"pages={result['pages']} listed={result['listed']}")
    for row in rows(results):
        print(f"| {row.section} | {row.measure} | {row.value} | {row.goal} | {row.verdict} |")
    if args.trace:
        traced = measure({"this": trees["this"]}, args.trace)["this"]
        print(json.dumps(traced["stages"], indent=1))
        print(f"traced peak {traced['traced_peak_mb']:.0f} MB; held at the end, by line:")
        print("\n".join(traced["top"]))


if __name__ == "__main__":
    main()
