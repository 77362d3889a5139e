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


def test_call_help_says_arguments_are_optional_and_only_the_tool_is_required():
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "revox_mcp", *args],
            env=CHILD_ENV,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    helped = run("call", "--help")
    assert helped.returncode == 0
    assert "[name=value ...]" in helped.stdout
    assert "optional" in helped.stdout
    missing = run("--demo", "call")
    assert missing.returncode == 2
    assert missing.stderr.strip().endswith("the following arguments are required: tool")
