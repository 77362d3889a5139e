"""Print the interop results table (client, version, transport, era, result); exit 1 if any check failed."""

from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    with open(path, encoding="utf-8") as lines:
        runs = [json.loads(line) for line in lines if line.startswith("{")]
    header = ("client", "version", "transport", "era", "result")
    rows, failures = [], []
    for run in runs:
        failed = [c for c in run["checks"] if c["ok"] is not True]
        passed = len(run["checks"]) - len(failed)
        result = f"{'FAIL' if failed else 'pass'} {passed}/{len(run['checks'])}"
        rows.append((run["client"], run["version"], run["transport"], run["era"], result))
        failures += [(run, c) for c in failed]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) + " |")
    for run, c in failures:
        print(f"FAILED {run['client']} {run['transport']} {run['era']}: {c['name']}: {c['detail']}")
    if not runs:
        print("no interop run reported anything")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
