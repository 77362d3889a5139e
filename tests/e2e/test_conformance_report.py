"""The verdict of scripts/conformance.sh (scripts/conformance_report.py) on planted suite results:
a failed check of an applicable scenario fails the run; a scenario that cannot apply is listed with
its reason and cannot fail it, except through an invalid message on the wire; nothing is skipped
silently.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "conformance_report.py"
APPLIES, FIXTURE, EXTENSION = "tools-list", "tools-call-image", "sep-2640-skills-directory"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("conformance_report", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


report = _load()


def check(ident: str, status: str = "SUCCESS", message: str = "") -> dict[str, str]:
    return {"id": ident, "status": status, "errorMessage": message}


def results(tmp_path: Path, runs: dict[str, dict[str, list[dict[str, str]]]], listed: list[str]) -> Path:
    """A results directory as conformance.sh leaves it: the lists, and one checks.json per scenario run."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "scenarios.txt").write_text("Server scenarios:\n" + "".join(f"  - {name} [x]\n" for name in listed))
    for revision in report.REVISIONS:
        ran = runs.get(revision, {})
        listing = "Required:\n\nServer scenarios (test against a server):\n" + "".join(f"  - {n}\n" for n in ran)
        (tmp_path / f"{revision}.txt").write_text(listing + "Client scenarios:\n  - tools_call\n")
        for scenario, checks in ran.items():
            folder = tmp_path / revision / f"server-{scenario}-2026-12-07T06-13-22-239Z"
            folder.mkdir(parents=True)
            (folder / "checks.json").write_text(json.dumps(checks))
        (tmp_path / revision).mkdir(exist_ok=True)
    return tmp_path


def verdict(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = report.main(["conformance_report.py", str(path)])
    return code, capsys.readouterr().out


def test_a_failed_check_of_an_applicable_scenario_fails_the_run_and_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    runs = {"2026-07-28": {APPLIES: [check("tools-list", "FAILURE", "Tool 0: missing description")]}}
    code, out = verdict(results(tmp_path, runs, [APPLIES, EXTENSION]), capsys)
    assert code == 1
    assert "tools-list @ 2026-07-28: tools-list: Tool 0: missing description" in out


def test_fixture_scenarios_are_listed_with_their_reason_and_cannot_fail_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    runs = {
        "2025-11-25": {APPLIES: [check("tools-list")], FIXTURE: [check(FIXTURE, "FAILURE", "No image")]},
        "2026-07-28": {APPLIES: [check("tools-list"), check("wire-schema-valid")]},
    }
    code, out = verdict(results(tmp_path, runs, [APPLIES, FIXTURE, EXTENSION]), capsys)
    assert code == 0
    assert "needs the fixture tool test_image_content" in out
    assert "the skills extension (SEP-2640) is not offered" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith(("tools-", "sep-"))}
    assert rows[APPLIES] == ["pass", "pass"]
    assert rows[FIXTURE] == ["n/a", "-"]


def test_an_invalid_message_on_the_wire_fails_even_a_scenario_that_does_not_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    checks = [check(FIXTURE, "FAILURE"), check("wire-schema-valid", "FAILURE", "result: must have required 'content'")]
    code, out = verdict(results(tmp_path, {"2026-07-28": {FIXTURE: checks}}, [FIXTURE]), capsys)
    assert code == 1
    assert "wire-schema-valid: result: must have required 'content'" in out


def test_a_check_excused_within_an_applicable_scenario_leaves_its_other_checks_counting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    excused = check("sep-2575-missing-capability-http-400", "FAILURE", "Not testable")
    runs = {"2026-07-28": {"server-stateless": [excused, check("sep-2575-server-implements-discover")]}}
    assert verdict(results(tmp_path, runs, ["server-stateless"]), capsys)[0] == 0
    runs["2026-07-28"]["server-stateless"].append(check("sep-2575-server-implements-discover", "FAILURE"))
    code, _ = verdict(results(tmp_path / "again", runs, ["server-stateless"]), capsys)
    assert code == 1


@pytest.mark.parametrize("gap", ["unclassified", "required-but-missing"])
def test_nothing_is_skipped_silently(tmp_path: Path, capsys: pytest.CaptureFixture[str], gap: str):
    runs = {"2026-07-28": {APPLIES: [check("tools-list")]}}
    path = results(tmp_path, runs, [APPLIES, "a-new-scenario"] if gap == "unclassified" else [APPLIES])
    if gap == "required-but-missing":
        listing = (path / "2026-07-28.txt").read_text()
        (path / "2026-07-28.txt").write_text(listing.replace(f"  - {APPLIES}\n", f"  - {APPLIES}\n  - caching\n"))
    code, out = verdict(path, capsys)
    assert code == 1
    assert ("a-new-scenario" if gap == "unclassified" else "caching @ 2026-07-28") in out


def test_missing_results_are_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert report.main(["conformance_report.py", str(tmp_path)]) == 2
    assert "no results" in capsys.readouterr().err
