"""The statistical tests behind change points, in plain Python (no NumPy at run time). Pure.

Two-sided tests of "the same before and after":
- two proportions: the pooled two-proportion z-test while every expected cell count is at least 5
  (Cochran's rule: there the normal approximation holds), Fisher's exact test below that;
- two samples of latencies: the Mann-Whitney U test, exact while both samples are small and
  untied, otherwise the normal approximation with tie and continuity corrections.
Their p-values agree with SciPy's (``chi2_contingency(correction=False)``, ``fisher_exact``,
``mannwhitneyu``): ``tests/domain/timeline/test_stats.py`` holds them to it.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# Fisher's exact test below this expected count in any cell of the 2x2 table.
MIN_EXPECTED = 5.0
# The exact Mann-Whitney distribution while both samples hold at most this many values, untied.
EXACT_MANN_WHITNEY = 20
# Tables whose probability is within this relative distance of the observed one count as "as
# extreme" (floating-point noise would otherwise drop ties of the hypergeometric pmf); SciPy's too.
_RELATIVE_TIE = 1 + 1e-7


@dataclass(frozen=True)
class TestResult:
    """A two-sided p-value, the name of the test that gave it, and for normal approximations |z|
    (which still orders two results whose p-values both underflowed to 0)."""

    p_value: float
    test: str
    strength: float = 0.0


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z, accurate far into the tail (erfc, not 1 - cdf)."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def two_proportion_z(k1: int, n1: int, k2: int, n2: int) -> float:
    """|z| of the pooled two-proportion z-test of k1/n1 against k2/n2 (0 when undefined)."""
    if n1 <= 0 or n2 <= 0:
        return 0.0
    pooled = (k1 + k2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 0.0
    return abs(k2 / n2 - k1 / n1) / math.sqrt(variance)


def two_sided(z: float) -> float:
    """The two-sided p-value of a standard normal statistic."""
    return min(1.0, math.erfc(abs(z) / math.sqrt(2)))


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of Fisher's exact test on the table [[k1, n1-k1], [k2, n2-k2]].

    The sum of the hypergeometric probabilities of every table with the same margins that is no
    more likely than the one observed.
    """
    if n1 <= 0 or n2 <= 0:
        return 1.0
    total, hits = n1 + n2, k1 + k2
    low, high = max(0, hits - n2), min(hits, n1)
    denominator = _log_choose(total, n1)

    def log_pmf(x: int) -> float:
        return _log_choose(hits, x) + _log_choose(total - hits, n1 - x) - denominator

    observed = log_pmf(k1) + math.log(_RELATIVE_TIE)
    p = math.fsum(math.exp(lp) for x in range(low, high + 1) if (lp := log_pmf(x)) <= observed)
    return min(1.0, p)


def proportions(k1: int, n1: int, k2: int, n2: int) -> TestResult:
    """Whether k1 of n1 and k2 of n2 differ: the z-test when every expected count is ≥ 5, else Fisher's."""
    total, hits = n1 + n2, k1 + k2
    if total == 0:
        return TestResult(1.0, "two-proportion z-test")
    smallest = min(n1, n2) * min(hits, total - hits) / total
    if smallest < MIN_EXPECTED:
        return TestResult(fisher_exact(k1, n1, k2, n2), "Fisher's exact test")
    z = two_proportion_z(k1, n1, k2, n2)
    return TestResult(two_sided(z), "two-proportion z-test", z)


# --- Mann-Whitney U ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranks:
    """Mid-ranks (1-based; ties share their average rank) and the tie term Σ(t³ - t) over tie groups."""

    ranks: list[float]
    tie_term: float

    @property
    def tied(self) -> bool:
        return self.tie_term > 0


def midranks(values: Sequence[float]) -> Ranks:
    counts = Counter(values)
    rank_of: dict[float, float] = {}
    below = 0
    for value in sorted(counts):  # tied values share the average of the places they take
        rank_of[value] = below + (counts[value] + 1) / 2
        below += counts[value]
    tie_term = float(sum(t**3 - t for t in counts.values() if t > 1))
    return Ranks([rank_of[value] for value in values], tie_term)


@functools.lru_cache(maxsize=256)
def _u_upper_tail(n1: int, n2: int) -> tuple[float, ...]:
    """P(U >= u) for u = 0 .. n1*n2 under the null, untied: from the Gaussian binomial coefficient.

    The number of arrangements giving U = u is the coefficient of q^u in
    prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i); integer arithmetic keeps it exact.
    """
    small, large = sorted((n1, n2))
    top = small * large
    counts = [0] * (top + 1)
    counts[0] = 1
    for i in range(1, small + 1):
        shift = large + i
        for u in range(top, shift - 1, -1):  # multiply by (1 - q^shift)
            counts[u] -= counts[u - shift]
        for u in range(i, top + 1):  # divide by (1 - q^i): a running sum with stride i
            counts[u] += counts[u - i]
    total = math.comb(n1 + n2, n1)
    tail: list[float] = [0.0] * (top + 1)
    running = 0
    for u in range(top, -1, -1):
        running += counts[u]
        tail[u] = running / total
    return tuple(tail)


def mann_whitney_p(u1: float, n1: int, n2: int, tie_term: float) -> TestResult:
    """Two-sided p-value of the Mann-Whitney U test given U of the first sample.

    ``tie_term`` is Σ(t³ - t) over the tie groups of both samples pooled (0: no ties).
    """
    if n1 <= 0 or n2 <= 0:
        return TestResult(1.0, "Mann-Whitney U test")
    u = max(u1, n1 * n2 - u1)
    if tie_term == 0 and n1 <= EXACT_MANN_WHITNEY and n2 <= EXACT_MANN_WHITNEY:
        tail = _u_upper_tail(n1, n2)
        return TestResult(min(1.0, 2 * tail[round(u)]), "Mann-Whitney U test (exact)")
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)))
    if variance <= 0:
        return TestResult(1.0, "Mann-Whitney U test")
    z = (u - n1 * n2 / 2 - 0.5) / math.sqrt(variance)
    return TestResult(min(1.0, 2 * normal_sf(z)), "Mann-Whitney U test", max(z, 0.0))


def mann_whitney(first: Sequence[float], second: Sequence[float]) -> TestResult:
    """Whether two samples come from the same distribution (two-sided Mann-Whitney U)."""
    ranked = midranks([*first, *second])
    n1 = len(first)
    u1 = sum(ranked.ranks[:n1]) - n1 * (n1 + 1) / 2
    return mann_whitney_p(u1, n1, len(second), ranked.tie_term)


# --- many tests at once -----------------------------------------------------------------------------


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (same order as given): family-wise error control under any
    dependence between the tests. A test is significant at level alpha when its adjusted value is below."""
    order = sorted(range(len(p_values)), key=p_values.__getitem__)
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def significance(p_value: float) -> str:
    """A p-value in words: "p < 0.001", or "p = 0.03" (two significant digits)."""
    if p_value < 0.001:
        return "p < 0.001"
    return f"p = {p_value:.2g}"
