"""scripts/make_demo_calls.py: the demo account it writes is the one committed, and the same every run."""

from __future__ import annotations

import importlib.util
import json
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


def test_the_file_holds_exactly_the_account_built_a_call_per_line() -> None:
    script = generator()
    data = script.build()
    text = script.render(data)
    assert json.loads(text) == data
    assert sum(line.startswith('  {"id":') for line in text.splitlines()) == len(data["calls"])


def test_the_story_calls_behave_as_the_version_in_use_when_they_were_made() -> None:
    """Before the prompt edit people rarely hang up after the opening; after it, often."""
    script = generator()
    calls = [call for call in script.build()["calls"] if call["assistant_id"] == script.TRIALS]
    edit = script.iso(script.PROMPT_EDIT)
    rejected = {False: [0, 0], True: [0, 0]}  # after the edit? -> [rejected, answered]
    for call in calls:
        for attempt in call["call_attempts"]:
            if attempt["result"] == "human":
                counts = rejected[call["created_at"] >= edit]
                counts[0] += attempt["end_reason"] == "user_rejected"
                counts[1] += 1
    assert rejected[False][0] / rejected[False][1] < 0.15
    assert rejected[True][0] / rejected[True][1] > 0.35
