"""How hard a run tests: full strength in CI, a quick profile by hand. Imports nothing heavy, so that
``conftest.py`` (loaded by pytest-xdist's controller too, which runs no test) stays cheap."""

from __future__ import annotations

import os

import pytest

# CI (``.ci/run`` sets REVOX_MCP_CI=1) runs every generated test at full strength and allows no skip;
# the README's test command, run by hand, runs a quick profile of the same tests.
IN_CI = os.environ.get("REVOX_MCP_CI", "") == "1"


def examples(full: int, quick: int | None = None) -> int:
    """How many generated examples a property test runs: ``full`` in CI, ``quick`` (default a tenth,
    at least 5) otherwise. Every test keeps its strength where it counts; a laptop run stays fast."""
    if IN_CI:
        return full
    return quick if quick is not None else max(5, full // 10)


def require(reason: str | None) -> None:
    """A test that needs a tool CI installs (redis-server, npm packages, chromium): skip with ``reason``
    by hand; in CI, where every such tool is installed, fail instead."""
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


def scale(full: int, quick: int) -> int:
    """How big a scale test's data or load is (assistants, sessions, prompt characters): ``full`` in CI,
    ``quick`` otherwise. ``quick`` must still take every path ``full`` does (a cut, a second page, a
    shared listing), so a run by hand checks the same rules on less data."""
    return full if IN_CI else quick
