"""The verdict of one conformance run (scripts/conformance.sh): a table of every server scenario of the
official MCP conformance suite, per protocol revision, and an exit code.

    python scripts/conformance_report.py RESULTS_DIR

RESULTS_DIR holds ``scenarios.txt`` (``conformance list --server``) and one folder per revision run
(``2025-11-25/``, ``2026-07-28/``), each with the suite's ``server-<scenario>-<time>/checks.json``.

A scenario applies unless NOT_APPLICABLE says why it cannot apply to a read-only Revox server (most
call the suite's own fixture tools, prompts and resources, e.g. ``test_image_content``); an
applicable scenario passes when none of its checks is a FAILURE. Even a scenario that does not apply
must keep ``wire-schema-valid``: every message revox-mcp sent is checked against the revision's
JSON schema. A scenario in the suite's list that no revision ran and that NOT_APPLICABLE does not
name fails the run, so a new suite version cannot skip anything silently.

Exit 0 when every applicable scenario passed, 1 otherwise, 2 when the results are missing.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REVISIONS = ("2025-11-25", "2026-07-28")
WIRE_SCHEMA = "wire-schema-valid"
_RESULT_DIR = re.compile(r"^server-(?P<scenario>.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$")
_LISTED = re.compile(r"^\s+- (?P<scenario>\S+)")


def _fixture(kind: str, name: str, why: str = "") -> str:
    reason = f"needs the fixture {kind} {name}"
    return f"{reason} ({why})" if why else reason


_ASKS_CLIENT = "no revox-mcp tool asks the client for input"
_INPUT_REQUIRED = _fixture("tool", "test_input_required_result_*", _ASKS_CLIENT + " (SEP-2322)")
_TASKS = "the tasks extension is not offered: every revox-mcp tool answers at once"
_SKILLS = "the skills extension (SEP-2640) is not offered"

# Scenario (or "scenario:check-id") -> why it cannot apply to revox-mcp.
NOT_APPLICABLE: dict[str, str] = {
    "logging-set-level": "no logging capability is declared (logs go to stderr; SEP-2577 deprecates "
    "protocol logging), so logging/setLevel is -32601 as the spec requires",
    "tools-call-simple-text": _fixture("tool", "test_simple_text"),
    "tools-call-image": _fixture("tool", "test_image_content", "answers are text and structured content"),
    "tools-call-audio": _fixture("tool", "test_audio_content", "answers are text and structured content"),
    "tools-call-embedded-resource": _fixture("tool", "test_embedded_resource"),
    "tools-call-mixed-content": _fixture("tool", "test_multiple_content_types"),
    "tools-call-with-logging": _fixture("tool", "test_tool_with_logging", "and no logging capability"),
    "tools-call-error": _fixture(
        "tool", "test_error_handling", "isError results: tests/e2e/test_conformance_errors.py"
    ),
    "tools-call-with-progress": _fixture("tool", "test_tool_with_progress"),
    "tools-call-sampling": _fixture("tool", "test_sampling", _ASKS_CLIENT),
    "tools-call-elicitation": _fixture("tool", "test_elicitation", _ASKS_CLIENT),
    "elicitation-sep1034-defaults": _fixture("tool", "test_elicitation_sep1034_defaults", _ASKS_CLIENT),
    "elicitation-sep1330-enums": _fixture("tool", "test_elicitation_sep1330_enums", _ASKS_CLIENT),
    "json-schema-2020-12": _fixture("tool", "json_schema_2020_12_tool"),
    "server-sse-polling": _fixture("tool", "test_reconnection"),
    "resources-read-text": _fixture("resource", "test://static-text"),
    "resources-read-binary": _fixture("resource", "test://static-binary"),
    "resources-templates-read": _fixture("resource", "test://template/{id}/data"),
    "resources-subscribe": "resources.subscribe is not declared (the SDK's MCPServer has no resources/subscribe; "
    "2026-07-28 clients use subscriptions/listen)",
    "resources-unsubscribe": "resources.subscribe is not declared (see resources-subscribe)",
    "prompts-get-simple": _fixture("prompt", "test_simple_prompt"),
    "prompts-get-with-args": _fixture("prompt", "test_prompt_with_arguments"),
    "prompts-get-embedded-resource": _fixture("prompt", "test_prompt_with_embedded_resource"),
    "prompts-get-with-image": _fixture("prompt", "test_prompt_with_image"),
    "http-custom-header-server-validation": "no tool declares x-mcp-header parameters (SEP-2243), so "
    "there is no custom header to validate",
    "server-stateless:sep-2575-server-rejects-undeclared-capability": _fixture(
        "tool", "test_missing_capability", _ASKS_CLIENT
    ),
    "server-stateless:sep-2575-missing-capability-http-400": _fixture("tool", "test_missing_capability", _ASKS_CLIENT),
    "server-stateless:sep-2575-http-server-no-independent-requests-on-stream": _fixture(
        "tool", "test_streaming_elicitation", _ASKS_CLIENT
    ),
    "server-stateless:sep-2575-server-no-log-without-loglevel": _fixture(
        "tool", "test_logging_tool", "and no logging capability"
    ),
    "server-stateless:sep-2575-server-sends-tools-list-changed-on-subscription": _fixture(
        "tool", "test_trigger_tool_change", "revox-mcp's lists never change"
    ),
    "server-stateless:sep-2575-server-sends-prompts-list-changed-on-subscription": _fixture(
        "tool", "test_trigger_prompt_change", "revox-mcp's lists never change"
    ),
    **{
        f"input-required-result-{name}": _INPUT_REQUIRED
        for name in (
            "basic-elicitation",
            "basic-sampling",
            "basic-list-roots",
            "request-state",
            "multiple-input-requests",
            "multi-round",
            "missing-input-response",
            "non-tool-request",
            "result-type",
            "tampered-state",
            "capability-check",
            "ignore-extra-params",
            "validate-input",
        )
    },
    **{
        f"tasks-{name}": _TASKS
        for name in (
            "lifecycle",
            "capability-negotiation",
            "wire-fields",
            "request-state-removal",
            "mrtr-input",
            "request-headers",
            "dispatch-and-envelope",
            "status-notifications",
            "required-task-error",
            "mrtr-composition",
        )
    },
    **{f"sep-2640-skills-{name}": _SKILLS for name in ("directory", "enumeration", "manifest")},
}


@dataclass
class Outcome:
    """One scenario run at one revision: its checks, judged."""

    checks: list[dict[str, object]]
    failures: list[str] = field(default_factory=list)  # "check-id: message" of the failures that count
    warnings: list[str] = field(default_factory=list)  # "check-id: message" of SHOULDs missed (no failure)
    excused: list[str] = field(default_factory=list)  # check ids not applicable here

    @property
    def passed(self) -> bool:
        return not self.failures


def judge(scenario: str, checks: list[dict[str, object]]) -> Outcome:
    """Which failed or warned checks count: all of an applicable scenario's but the excused ones;
    only wire-schema-valid of a scenario that does not apply."""
    outcome = Outcome(checks)
    whole = scenario in NOT_APPLICABLE
    for check in checks:
        ident, status = str(check.get("id", "?")), check.get("status")
        if status not in ("FAILURE", "WARNING"):
            continue
        excused = f"{scenario}:{ident}" in NOT_APPLICABLE or (whole and ident != WIRE_SCHEMA)
        message = " ".join(str(check.get("errorMessage") or check.get("description") or "").split())
        if excused:
            outcome.excused.append(ident)
        else:
            (outcome.failures if status == "FAILURE" else outcome.warnings).append(f"{ident}: {message[:300]}")
    return outcome


def required(listing: str) -> set[str]:
    """The server scenarios of ``conformance list --requirements REV``: scored and reported-only."""
    names, section = set(), ""
    for line in listing.splitlines():
        if not line.startswith(" "):
            section = line
        found = _LISTED.match(line)
        if found is not None and (section.startswith("Server scenarios") or line.rstrip().endswith("[server]")):
            names.add(found.group("scenario"))
    return names


def load(results: Path) -> tuple[list[str], dict[str, dict[str, Outcome]], list[str]]:
    """The suite's server scenarios, each revision's outcome per scenario it ran, and what is missing."""
    listed = [
        m.group("scenario") for m in map(_LISTED.match, (results / "scenarios.txt").read_text().splitlines()) if m
    ]
    runs: dict[str, dict[str, Outcome]] = {}
    for revision in REVISIONS:
        runs[revision] = {}
        for checks in sorted((results / revision).glob("server-*/checks.json")):
            found = _RESULT_DIR.match(checks.parent.name)
            if found is not None:
                scenario = found.group("scenario")
                runs[revision][scenario] = judge(scenario, json.loads(checks.read_text()))
    missing = [
        f"{scenario} @ {revision}: required by the revision, but the suite wrote no result"
        for revision in REVISIONS
        for scenario in sorted(required((results / f"{revision}.txt").read_text()) - set(runs[revision]))
    ]
    return listed, runs, missing


def _cell(outcome: Outcome | None, scenario: str, ran: bool) -> str:
    if outcome is None:
        return "-" if ran or scenario not in NOT_APPLICABLE else "n/a (not run)"
    if not outcome.passed:
        return "FAIL"
    if scenario in NOT_APPLICABLE:
        return "n/a"
    return "pass" + ("*" if outcome.excused else "")


def report(listed: list[str], runs: dict[str, dict[str, Outcome]], missing: list[str]) -> int:
    """Print the table, the reasons, the warnings and the failures; return the exit code."""
    width = max(len(name) for name in listed) + 2
    print(f"{'scenario':<{width}}" + "".join(f"{revision:<15}" for revision in REVISIONS))
    failed, warned, passed, unclassified = list(missing), [], 0, []
    for scenario in listed:
        outcomes = [runs[revision].get(scenario) for revision in REVISIONS]
        ran = any(outcome is not None for outcome in outcomes)
        print(f"{scenario:<{width}}" + "".join(f"{_cell(o, scenario, ran):<15}" for o in outcomes).rstrip())
        if not ran and scenario not in NOT_APPLICABLE:
            unclassified.append(scenario)
        for revision, outcome in zip(REVISIONS, outcomes, strict=True):
            if outcome is None:
                continue
            warned += [f"{scenario} @ {revision}: {warning}" for warning in outcome.warnings]
            if not outcome.passed:
                failed += [f"{scenario} @ {revision}: {failure}" for failure in outcome.failures]
            elif scenario not in NOT_APPLICABLE:
                passed += 1
    print("\n(-: not in that revision's requirement set; *: passed, some checks not applicable, see below)")
    print("\nNot applicable to a read-only Revox server (scenario, or scenario:check). A fixture is a tool, prompt")
    print("or resource of the suite's own reference server; revox-mcp serves only its Revox ones:")
    by_reason: dict[str, list[str]] = {}
    for name, reason in NOT_APPLICABLE.items():
        if name.split(":")[0] in listed:
            by_reason.setdefault(reason, []).append(name)
    for reason, names in by_reason.items():
        print(f"  {', '.join(names)}:\n      {reason}")
    print("\nNot tested: stdio. The suite tests servers over streamable HTTP only (`conformance server --url`).")
    if warned:
        print("\nWarnings (a SHOULD the suite checks; not failures):")
        for line in warned:
            print(f"  {line}")
    for scenario in unclassified:
        failed.append(f"{scenario}: in the suite's list, run by no revision and not in NOT_APPLICABLE")
    if failed:
        print("\nFailures of applicable scenarios:")
        for line in failed:
            print(f"  {line}")
    verdict = "FAILED" if failed else "ok"
    print(f"\nconformance {verdict}: {passed} applicable scenario runs passed, {len(failed)} failures")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    results = Path(argv[1])
    expected = ["scenarios.txt", *REVISIONS, *(f"{revision}.txt" for revision in REVISIONS)]
    if not all((results / name).exists() for name in expected):
        print(f"conformance: no results in {results} (did the suite run?)", file=sys.stderr)
        return 2
    listed, runs, missing = load(results)
    if not any(runs.values()):
        print(f"conformance: the suite wrote no scenario result in {results}", file=sys.stderr)
        return 2
    return report(listed, runs, missing)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
