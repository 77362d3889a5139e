"""scripts/make_demo_calls.py: the demo account it writes is the one committed, and the same every run."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_demo_calls.py"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo_calls", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerating_reproduces_the_committed_demo_account_exactly() -> None:
    script = generator()
    assert script.render(script.build()) == script.OUT.read_text(encoding="utf-8")


def test_building_twice_in_one_process_gives_the_same_account() -> None:
    script = generator()
    assert script.build() == script.build()
