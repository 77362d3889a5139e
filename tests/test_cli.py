"""`revox-mcp [--demo] call|read ...` and `--version`, run as a real process (`python -m revox_mcp`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from revox_mcp import __version__

BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
# A bare environment: no REVOX_API_KEY leaks in from the developer's shell, and no locale is set,
# so printing "impayés" also proves the output does not depend on one.
CHILD_ENV = {"PATH": os.environ.get("PATH", "")}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# Every command this module checks. They run concurrently, once: each is a cold Python start (~1 s).
COMMANDS: dict[str, tuple[str, ...]] = {
    "list": ("--demo", "call", "list_assistants"),
    "get": ("--demo", "call", "get_assistant", f"assistant_id={BASELINE_ID}"),
    "get json": ("--demo", "call", "get_assistant", f"assistant_id={BASELINE_ID}", 'fields=["prompt"]', "--json"),
    "read": ("--demo", "read", "revox://assistants"),
    "unknown tool": ("--demo", "call", "delete_everything"),
    "tool error": ("--demo", "call", "get_assistant", "assistant_id=no-such-assistant"),
    "unknown resource": ("--demo", "read", "revox://assistants/no-such-assistant"),
    "version": ("--version",),
    # Flags anywhere after the command; help listed from the server's own schemas, no key needed.
    "flags among arguments": ("call", "list_assistants", "--json", "limit=1", "--demo"),
    "flag after read": ("read", "revox://assistants", "--demo"),
    "tools help": ("call", "--help"),
    "tool help": ("call", "get_assistant", "-h"),
    "read help": ("read", "--help"),
    "a flag nobody takes": ("--demo", "call", "list_assistants", "--limit", "3"),
    "no tool": ("--demo", "call"),
}


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, subprocess.CompletedProcess[str]]]:
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "revox_mcp", *args],
            env=CHILD_ENV,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
        )
        for name, args in COMMANDS.items()
    }
    try:
        done = {}
        for name, process in processes.items():
            stdout, stderr = process.communicate(timeout=60)
            done[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        yield done
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.communicate()


def test_call_list_assistants_prints_the_index(runs: dict[str, subprocess.CompletedProcess[str]]):
    done = runs["list"]
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("8 of 8 assistants")
    assert len(lines) == 9
    assert any(line.startswith(f"{BASELINE_ID} | Lead Qualification") for line in lines)
    assert "Relance impayés - FR (OpenRouter)" in done.stdout
    assert "Traceback" not in done.stderr


def test_call_get_assistant_prints_the_summary(runs: dict[str, subprocess.CompletedProcess[str]]):
    done = runs["get"]
    assert done.returncode == 0, done.stderr
    assert f"id: {BASELINE_ID}" in done.stdout
    assert "name: Lead Qualification - EN (baseline)" in done.stdout
    assert 'detail="full"' in done.stdout


def test_call_with_json_values_and_json_output(runs: dict[str, subprocess.CompletedProcess[str]]):
    done = runs["get json"]
    assert done.returncode == 0, done.stderr
    structured = json.loads(done.stdout)
    assert structured["id"] == BASELINE_ID
    assert list(structured["config"]) == ["prompt"]


def test_read_the_index_resource_prints_json(runs: dict[str, subprocess.CompletedProcess[str]]):
    done = runs["read"]
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["total"] == 8
    assert body["assistants"][0]["id"] == BASELINE_ID
    assert "\\u00e9" not in done.stdout


def test_unknown_tool_exits_2_and_lists_the_tools(runs: dict[str, subprocess.CompletedProcess[str]]):
    done = runs["unknown tool"]
    assert done.returncode == 2
    assert done.stdout == ""
    assert "unknown tool 'delete_everything'" in done.stderr
    assert "list_assistants" in done.stderr


def test_tool_error_exits_1_with_the_message_on_stderr(runs: dict[str, subprocess.CompletedProcess[str]]):
    done = runs["tool error"]
    assert done.returncode == 1
    assert done.stdout == ""
    assert "no-such-assistant" in done.stderr
    assert "list_assistants" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_resource_exits_1(runs: dict[str, subprocess.CompletedProcess[str]]):
    done = runs["unknown resource"]
    assert done.returncode == 1
    assert done.stdout == ""
    assert "list_assistants" in done.stderr
    assert "Traceback" not in done.stderr


def test_version_prints_the_package_version(runs: dict[str, subprocess.CompletedProcess[str]]):
    done = runs["version"]
    assert done.returncode == 0
    assert done.stdout.strip() == f"revox-mcp {__version__}"


def test_demo_reports_no_api_key_even_with_one_exported():
    """--demo uses built-in data and a built-in key: an exported REVOX_API_KEY is not in use."""
    done = subprocess.run(
        [sys.executable, "-m", "revox_mcp", "--demo", "call", "--json", "revox_status"],
        env={**CHILD_ENV, "REVOX_API_KEY": "sk-exported-but-unused"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["demo"] is True
    assert status["api_key_configured"] is False


def test_flags_may_come_anywhere_after_the_command(runs: dict[str, subprocess.CompletedProcess[str]]):
    """`call list_assistants --json limit=1` used to fail: a flag ended the name=value arguments."""
    done = runs["flags among arguments"]
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    assert (len(page["assistants"]), page["total"]) == (1, 8)
    read = runs["flag after read"]
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)["total"] == 8


def test_call_help_lists_every_tool_and_says_arguments_are_optional(
    runs: dict[str, subprocess.CompletedProcess[str]],
):
    done = runs["tools help"]
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: revox-mcp [--demo] call TOOL [name=value ...] [--json]")
    assert "arguments are optional" in done.stdout
    for tool in ("list_assistants", "get_assistant", "diagnose_assistant", "analyze_calls", "revox_status"):
        assert f"\n  {tool} " in done.stdout


def test_tool_help_lists_its_parameters_from_its_schema(runs: dict[str, subprocess.CompletedProcess[str]]):
    done = runs["tool help"]
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "usage: revox-mcp [--demo] call get_assistant [name=value ...] [--json]"
    assert "  assistant_id  string; required" in lines
    assert '  detail        one of "summary", "full"; optional' in lines
    assert "  fields        JSON list of strings; at most 60 items; optional" in lines
    assert "  offset        integer; at least 0; optional" in lines
    assert any("Id from list_assistants." in line for line in lines)  # each parameter's description


def test_read_help_lists_the_resources(runs: dict[str, subprocess.CompletedProcess[str]]):
    done = runs["read help"]
    assert done.returncode == 0, done.stderr
    assert "  revox://assistants\n" in done.stdout
    assert "  revox://assistants/{assistant_id}" in done.stdout


def test_a_flag_nobody_takes_and_a_missing_tool_exit_2_with_one_clear_line(
    runs: dict[str, subprocess.CompletedProcess[str]],
):
    stray = runs["a flag nobody takes"]
    assert stray.returncode == 2
    assert stray.stderr.strip().endswith("error: unrecognized arguments: --limit")
    missing = runs["no tool"]
    assert missing.returncode == 2
    assert missing.stderr.startswith("revox-mcp: name a tool; tools: analyze_calls, ")
