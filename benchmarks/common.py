"""Small shared pieces: timing statistics, result rows, the loopback fake Revox import."""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_revox import FakeRevox  # noqa: E402

__all__ = ["ROOT", "FakeRevox", "Row", "Stats", "stats"]


@dataclass(frozen=True)
class Stats:
    median_ms: float
    p95_ms: float


def stats(seconds: list[float]) -> Stats:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Stats(statistics.median(ordered) * 1000, p95 * 1000)


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    section: str
    measure: str
    value: str
    goal: str = ""
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "**no**", None: ""}[self.met]
