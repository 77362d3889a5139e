"""The tests behind change points give SciPy's p-values (the oracle, a test-only dependency)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import examples

from revox_mcp.domain.timeline.stats import (
    fisher_exact,
    holm,
    mann_whitney,
    midranks,
    proportions,
    significance,
    two_proportion_z,
    two_sided,
)

GENERATED = settings(max_examples=examples(400), deadline=None)


def scipy_stats() -> Any:
    """SciPy's stats, the oracle (imported here: it takes a second or more, and only this module needs it)."""
    from scipy import stats

    return stats


@st.composite
def tables(draw: st.DrawFn, most: int = 400) -> tuple[int, int, int, int]:
    n1 = draw(st.integers(1, most))
    n2 = draw(st.integers(1, most))
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n2)), n2


def close(ours: float, theirs: float) -> bool:
    """Equal to SciPy's up to floating-point noise, tails included (relative), or both negligible."""
    return math.isclose(ours, theirs, rel_tol=1e-6, abs_tol=1e-300)


@GENERATED
@given(tables())
def test_the_two_proportion_z_test_matches_scipys_chi_square_without_correction(
    table: tuple[int, int, int, int],
) -> None:
    k1, n1, k2, n2 = table
    ours = two_sided(two_proportion_z(k1, n1, k2, n2))
    if (k1 + k2) in (0, n1 + n2):  # one outcome only: nothing could differ, SciPy refuses the table
        assert ours == 1.0
        return
    expected = scipy_stats().chi2_contingency([[k1, n1 - k1], [k2, n2 - k2]], correction=False).pvalue
    assert close(ours, expected)


@GENERATED
@given(tables(most=150))
def test_fishers_exact_test_matches_scipys(table: tuple[int, int, int, int]) -> None:
    k1, n1, k2, n2 = table
    expected = scipy_stats().fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue
    assert close(fisher_exact(k1, n1, k2, n2), expected)


def test_fishers_exact_test_on_a_known_table() -> None:
    """0 of 6 against 6 of 6: only this table and its mirror are as extreme, 2 of C(12, 6) = 924."""
    assert fisher_exact(0, 6, 6, 6) == pytest.approx(2 / 924)


@pytest.mark.parametrize(
    ("table", "test"),
    [
        ((2, 10, 3, 12), "Fisher's exact test"),  # expected counts under 5
        ((20, 100, 40, 100), "two-proportion z-test"),
        ((1, 1000, 2, 1000), "Fisher's exact test"),  # a rare category: 1.5 expected
    ],
)
def test_small_expected_counts_use_fishers_exact_test(table: tuple[int, int, int, int], test: str) -> None:
    assert proportions(*table).test == test


samples = st.lists(st.integers(0, 60).map(float), min_size=1, max_size=40)
untied = st.lists(st.floats(0, 5_000, allow_nan=False), min_size=2, max_size=20, unique=True)


@GENERATED
@given(samples, samples)
def test_mann_whitney_matches_scipy_with_ties(first: list[float], second: list[float]) -> None:
    ours = mann_whitney(first, second)
    if len(set(first + second)) == 1:  # all equal: no evidence either way
        assert ours.p_value == 1.0
        return
    method = "exact" if ours.test.endswith("(exact)") else "asymptotic"
    expected = scipy_stats().mannwhitneyu(first, second, method=method).pvalue
    assert close(ours.p_value, expected)


@GENERATED
@given(untied, st.data())
def test_mann_whitney_is_exact_for_small_untied_samples_and_matches_scipy(
    values: list[float], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(1, len(values) - 1))
    first, second = values[:cut], values[cut:]
    ours = mann_whitney(first, second)
    assert ours.test.endswith("(exact)")
    assert close(ours.p_value, scipy_stats().mannwhitneyu(first, second, method="exact").pvalue)


def test_mann_whitney_uses_the_normal_approximation_for_large_samples() -> None:
    first = [float(i) for i in range(0, 60, 2)]
    second = [float(i) for i in range(1, 61, 2)]
    ours = mann_whitney(first, second)
    assert not ours.test.endswith("(exact)")
    assert close(ours.p_value, scipy_stats().mannwhitneyu(first, second, method="asymptotic").pvalue)


def test_midranks_share_the_average_rank_of_a_tie() -> None:
    ranked = midranks([30.0, 10.0, 20.0, 10.0])
    assert ranked.ranks == [4.0, 1.5, 3.0, 1.5]
    assert ranked.tie_term == 2**3 - 2


def test_holm_multiplies_by_the_tests_left_and_keeps_the_order() -> None:
    assert holm([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert holm([]) == []


@pytest.mark.parametrize(
    ("p_value", "words"), [(1e-9, "p < 0.001"), (0.000999, "p < 0.001"), (0.03, "p = 0.03"), (0.0312, "p = 0.031")]
)
def test_significance_in_words(p_value: float, words: str) -> None:
    assert significance(p_value) == words
