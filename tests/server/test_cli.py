"""`revox-mcp [--demo] call|read ...` and `--version`, run as a real process (`python -m revox_mcp`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from processes import child_env

import revox_mcp.__main__ as entry
from revox_mcp import __version__
from revox_mcp.__main__ import main, parse_args

BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
# A bare environment: no REVOX_API_KEY leaks in from the developer's shell, and no locale is set,
# so printing "impayés" also proves the output does not depend on one.
CHILD_ENV = child_env()


# The commands run as real processes, concurrently, once: each is a cold Python start (~2 s of CPU).
# They prove what only a process shows: the console script's exit codes, stdout and stderr kept
# apart, and non-ASCII output with no locale set.
PROCESSES: dict[str, tuple[str, ...]] = {
    "list": ("--demo", "call", "list_assistants"),
    "unknown tool": ("--demo", "call", "delete_everything"),
    "version": ("--version",),
}
# The rest run `main` in this process (``ran``): the same parsing, settings, server and printing.
IN_PROCESS: dict[str, tuple[str, ...]] = {
    "get": ("--demo", "call", "get_assistant", f"assistant_id={BASELINE_ID}"),
    "get json": ("--demo", "call", "get_assistant", f"assistant_id={BASELINE_ID}", 'fields=["prompt"]', "--json"),
    "read": ("--demo", "read", "revox://assistants"),
    "tool error": ("--demo", "call", "get_assistant", "assistant_id=no-such-assistant"),
    "unknown resource": ("--demo", "read", "revox://assistants/no-such-assistant"),
    "flags among arguments": ("call", "list_assistants", "--json", "limit=1", "--demo"),
    "no tool": ("--demo", "call"),
}


@pytest.fixture(scope="module")
def processes() -> Iterator[dict[str, subprocess.CompletedProcess[str]]]:
    started = {
        name: subprocess.Popen(
            [sys.executable, "-m", "revox_mcp", *args],
            env=CHILD_ENV,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
        )
        for name, args in PROCESSES.items()
    }
    try:
        done = {}
        for name, process in started.items():
            stdout, stderr = process.communicate(timeout=120)  # a loaded CI machine
            done[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        yield done
    finally:
        for process in started.values():
            if process.poll() is None:
                process.kill()
                process.communicate()


def ran(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str, **environ: str
) -> subprocess.CompletedProcess[str]:
    """``revox-mcp ARGV`` run by ``main`` in this process, in the children's environment. Only the
    logging set-up is left out: it configures this process's root logger (the processes above and
    tests/e2e/test_logging.py check it)."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in {**CHILD_ENV, **environ}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(entry, "configure_logging", lambda *_args, **_kwargs: None)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    code = exited.value.code
    return subprocess.CompletedProcess(list(argv), code if isinstance(code, int) else 1, out, err)


Run = Callable[[str], subprocess.CompletedProcess[str]]


@pytest.fixture
def run(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """A command's run by name: the module's process, or ``main`` run now in this process."""

    def by_name(name: str) -> subprocess.CompletedProcess[str]:
        if name in PROCESSES:
            done: subprocess.CompletedProcess[str] = request.getfixturevalue("processes")[name]
            return done
        return ran(monkeypatch, capsys, *IN_PROCESS[name])

    return by_name


def test_call_list_assistants_prints_the_index(run: Run):
    done = run("list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("9 of 9 assistants")
    assert len(lines) == 10
    assert any(line.startswith(f"{BASELINE_ID} | Lead Qualification") for line in lines)
    assert "Relance impayés - FR (OpenRouter)" in done.stdout
    assert "Traceback" not in done.stderr


def test_call_get_assistant_prints_the_summary(run: Run):
    done = run("get")
    assert done.returncode == 0, done.stderr
    assert f"id: {BASELINE_ID}" in done.stdout
    assert "name: Lead Qualification - EN (baseline)" in done.stdout
    assert 'detail="full"' in done.stdout


def test_call_with_json_values_and_json_output(run: Run):
    done = run("get json")
    assert done.returncode == 0, done.stderr
    structured = json.loads(done.stdout)
    assert structured["id"] == BASELINE_ID
    assert list(structured["config"]) == ["prompt"]


def test_read_the_index_resource_prints_json(run: Run):
    done = run("read")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["total"] == 9
    assert body["assistants"][0]["id"] == BASELINE_ID
    assert "\\u00e9" not in done.stdout


def test_unknown_tool_exits_2_and_lists_the_tools(run: Run):
    done = run("unknown tool")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "unknown tool 'delete_everything'" in done.stderr
    assert "list_assistants" in done.stderr


def test_tool_error_exits_1_with_the_message_on_stderr(run: Run):
    done = run("tool error")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "no-such-assistant" in done.stderr
    assert "list_assistants" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_resource_exits_1(run: Run):
    done = run("unknown resource")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "list_assistants" in done.stderr
    assert "Traceback" not in done.stderr


def test_version_prints_the_package_version(run: Run):
    done = run("version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"revox-mcp {__version__}"


def test_demo_reports_no_api_key_even_with_one_exported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    """--demo uses built-in data and a built-in key: an exported REVOX_API_KEY is not in use."""
    done = ran(monkeypatch, capsys, "--demo", "call", "--json", "revox_status", REVOX_API_KEY="sk-exported-but-unused")
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["demo"] is True
    assert status["api_key_configured"] is False


def test_flags_may_come_anywhere_after_the_command(run: Run):
    """`call list_assistants --json limit=1` used to fail: a flag ended the name=value arguments."""
    done = run("flags among arguments")
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    assert (len(page["assistants"]), page["total"]) == (1, 9)


DETAIL = "detail=full"


@pytest.mark.parametrize(
    ("argv", "tool", "arguments", "as_json"),
    [
        (["call", "list_assistants", "--json", "limit=1"], "list_assistants", ["limit=1"], True),
        (
            ["call", "--json", "--demo", "get_call", "call_id=x", "detail=full"],
            "get_call",
            ["call_id=x", "detail=full"],
            True,
        ),
        (["call", "get_call", "call_id=x", "--demo", "detail=full"], "get_call", ["call_id=x", "detail=full"], False),
        (["--demo", "call", "revox_status"], "revox_status", [], False),
    ],
)
def test_call_takes_its_flags_anywhere_and_keeps_every_argument(
    argv: list[str], tool: str, arguments: list[str], as_json: bool
):
    args = parse_args(argv)
    assert (args.tool, args.arguments, args.json) == (tool, arguments, as_json)
    assert args.demo is ("--demo" in argv)


@pytest.mark.parametrize("argv", [["read", "revox://assistants", "--demo"], ["--demo", "read", "revox://assistants"]])
def test_read_takes_demo_before_or_after_the_uri(argv: list[str]):
    args = parse_args(argv)
    assert (args.command, args.uri, args.demo) == ("read", "revox://assistants", True)


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--demo", "call", "list_assistants", "--limit", "3"], "unrecognized arguments: --limit"),
        (["call", "list_assistants", "--port", "3"], "unrecognized arguments: --port"),
        (
            ["read", "revox://assistants", "revox://other"],
            "read takes one URI, got 2: revox://assistants revox://other",
        ),
        (["--tansport"], "unrecognized arguments: --tansport"),
    ],
)
def test_a_flag_nobody_takes_exits_2_naming_it(argv: list[str], said: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err.strip().endswith(said)


def helped(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What ``revox-mcp ARGV`` prints, run in this process: help needs no key and no network."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_call_help_lists_every_tool_and_says_arguments_are_optional(capsys: pytest.CaptureFixture[str]):
    out = helped(capsys, "call", "--help")
    assert out.startswith("usage: revox-mcp [--demo] call TOOL [name=value ...] [--json]")
    assert "arguments are optional" in out
    assert "\n  --json " in out
    for tool in ("list_assistants", "get_assistant", "diagnose_assistant", "analyze_calls", "revox_status"):
        assert f"\n  {tool} " in out


def test_tool_help_lists_its_parameters_from_its_schema(capsys: pytest.CaptureFixture[str]):
    lines = helped(capsys, "call", "get_assistant", "-h").splitlines()
    assert lines[0] == "usage: revox-mcp [--demo] call get_assistant [name=value ...] [--json]"
    assert "  assistant_id  string; required" in lines
    assert '  detail        one of "summary", "full"; optional' in lines
    assert "  fields        JSON list of strings; at most 60 items; optional" in lines
    assert "  offset        integer; at least 0; optional" in lines
    assert any("Id from list_assistants." in line for line in lines)  # each parameter's description
    analyze = helped(capsys, "--demo", "call", "analyze_calls", "--help").splitlines()
    assert "  last          integer; from 10 to 200; optional" in analyze


def test_read_help_lists_the_resources(capsys: pytest.CaptureFixture[str]):
    out = helped(capsys, "read", "--help")
    assert "\n  revox://assistants\n" in out
    assert "\n  revox://assistants/{assistant_id}" in out


def test_help_for_a_tool_that_does_not_exist_exits_2_and_lists_the_tools(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exited:
        main(["call", "delete_everything", "--help"])
    assert exited.value.code == 2
    assert "unknown tool 'delete_everything'; tools: analyze_calls, " in capsys.readouterr().err


def test_call_without_a_tool_exits_2_and_names_the_tools(run: Run):
    missing = run("no tool")
    assert missing.returncode == 2
    assert missing.stderr.startswith("revox-mcp: name a tool; tools: analyze_calls, ")
