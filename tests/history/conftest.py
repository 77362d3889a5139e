"""Fixtures of the history tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    """A state directory that does not exist yet (the store creates it on first use)."""
    return tmp_path / "state" / "revox-mcp"
