"""End to end with a real third-party client: the MCP Inspector CLI (Node) drives `revox-mcp --demo`
over stdio (a server started per command, as desktop hosts do) and over streamable HTTP (one server
for the module, the way a shared deployment is reached).

`.ci/run` installs the Inspector and sets REVOX_MCP_INSPECTOR. By hand the test installs it once into
the same place (.ci/node, git-ignored); without npm or the npm registry it skips with one line saying
why (and fails in CI, ``support.require``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from processes import demo_over_http
from support import require

INSPECTOR_PACKAGE = "@modelcontextprotocol/inspector@0.15.0"  # the last release that runs on Node 20
ROOT = Path(__file__).resolve().parents[2]
NODE_PREFIX = ROOT / ".ci" / "node"
DEFAULT_INSPECTOR = NODE_PREFIX / "node_modules" / ".bin" / "mcp-inspector"
WITH_SECRETS = "2b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b63"  # demo assistant whose LLM key, headers and URL hold FAKE


@pytest.fixture(scope="module")
def inspector() -> Path:
    configured = os.environ.get("REVOX_MCP_INSPECTOR")
    if configured:
        path = Path(configured)
        assert path.exists(), f"REVOX_MCP_INSPECTOR={configured} does not exist (.ci/run installs it)"
        return path
    if not DEFAULT_INSPECTOR.exists():
        require(installed(INSPECTOR_PACKAGE))
    assert DEFAULT_INSPECTOR.exists()
    return DEFAULT_INSPECTOR


def installed(package: str) -> str | None:
    """Install ``package`` into .ci/node; None when done, else why not, in one line."""
    npm = shutil.which("npm")
    if npm is None:
        return "the MCP Inspector test needs npm (Node 20+), or REVOX_MCP_INSPECTOR set to an mcp-inspector binary"
    command = [npm, "install", "--no-audit", "--no-fund", "--fetch-retries=1", "--prefix", str(NODE_PREFIX), package]
    try:
        done = subprocess.run(command, timeout=300, capture_output=True, text=True, check=False)
    except subprocess.TimeoutExpired:
        return f"npm could not install {package} within 300 s (is the npm registry reachable?)"
    if done.returncode != 0:
        first = next((line for line in done.stderr.splitlines() if line.startswith("npm error")), "npm error")
        return f"npm could not install {package} (is the npm registry reachable?): {first}"
    return None


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    with demo_over_http() as url:
        yield url


STDIO = (sys.executable, "-m", "revox_mcp", "--demo")


def run_inspector(inspector: Path, target: Sequence[str], *args: str, expect_exit: int = 0) -> str:
    """`mcp-inspector --cli <target> <args>`, the target a command (stdio) or a /mcp URL; its stdout,
    which must hold no secret."""
    done = subprocess.run(
        [str(inspector), "--cli", *target, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == expect_exit, done.stdout[-2000:] + done.stderr[-2000:]
    assert "FAKE" not in done.stdout + done.stderr
    return done.stdout


def run_json(inspector: Path, target: Sequence[str], *args: str) -> Any:
    return json.loads(run_inspector(inspector, target, *args))


def test_inspector_lists_the_read_only_tools(inspector: Path) -> None:
    tools = {tool["name"]: tool for tool in run_json(inspector, STDIO, "--method", "tools/list")["tools"]}
    assert {"list_assistants", "get_assistant", "diagnose_assistant", "compare_assistants", "revox_status"} <= set(
        tools
    )
    for tool in tools.values():
        assert tool["annotations"]["readOnlyHint"] is True
        assert tool["annotations"]["destructiveHint"] is False
        assert tool["description"]
        assert tool["inputSchema"]["type"] == "object"
    assert tools["get_assistant"]["inputSchema"]["required"] == ["assistant_id"]


def test_inspector_calls_list_assistants(inspector: Path, http_url: str) -> None:
    result = run_json(
        inspector, (http_url,), "--method", "tools/call", "--tool-name", "list_assistants", "--tool-arg", "limit=3"
    )
    assert result.get("isError") is not True
    page = result["structuredContent"]
    assert page["total"] == 9
    assert len(page["assistants"]) == 3
    assert page["next_cursor"]
    assert result["content"][0]["text"].startswith("3 of 9 assistants")


def test_inspector_calls_get_assistant_and_sees_secrets_redacted(inspector: Path) -> None:
    result = run_json(
        inspector,
        STDIO,
        "--method",
        "tools/call",
        "--tool-name",
        "get_assistant",
        "--tool-arg",
        f"assistant_id={WITH_SECRETS}",
        "--tool-arg",
        "detail=full",
    )
    assert result.get("isError") is not True
    assert result["structuredContent"]["id"] == WITH_SECRETS
    config = result["structuredContent"]["config"]
    assert config["llm_model"]["api_key"] == "[REDACTED]"
    assert "token=[REDACTED]" in config["webhook_url"]
    assert "api_key: [REDACTED]" in result["content"][0]["text"]


def test_inspector_reads_an_assistant_resource(inspector: Path, http_url: str) -> None:
    result = run_json(
        inspector, (http_url,), "--method", "resources/read", "--uri", f"revox://assistants/{WITH_SECRETS}"
    )
    [content] = result["contents"]
    assert content["uri"] == f"revox://assistants/{WITH_SECRETS}"
    assert content["mimeType"] == "application/json"
    assert json.loads(content["text"])["id"] == WITH_SECRETS


def test_inspector_gets_a_protocol_error_for_an_unknown_assistant(inspector: Path, http_url: str) -> None:
    output = run_inspector(
        inspector, (http_url,), "--method", "resources/read", "--uri", "revox://assistants/nope", expect_exit=1
    )
    assert "contents" not in output
