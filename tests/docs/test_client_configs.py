"""The client snippets of README.md and docs/, each as its client wants it, all reaching the server this
package installs; the quickstart, server.json and the bundle's manifest.

Each snippet follows a ``<!-- client-config: NAME -->`` marker.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from typing import Any

import pytest
from doc_support import DOCS, ROOT, documents, transcripts

from revox_mcp import __version__
from revox_mcp.__main__ import parse_args
from revox_mcp.settings import ConfigError, load_settings

README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIGURATION = (DOCS / "configuration.md").read_text(encoding="utf-8")
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib is 3.11+: plain lines will do
COMMAND = "revox-mcp"
MARKED = re.compile(r"<!-- client-config: ([a-z-]+) -->\n```(\w+)\n(.*?)```", re.DOTALL)
SNIPPETS: dict[str, str] = {name: body for text in documents().values() for name, _lang, body in MARKED.findall(text)}


def snippet_json(name: str) -> Any:
    return json.loads(SNIPPETS[name])


def starts_our_server(command: str, args: list[str]) -> None:
    """The console script pyproject installs, with arguments our own parser accepts."""
    assert command == COMMAND
    assert f'\n{COMMAND} = "revox_mcp.__main__:main"\n' in PYPROJECT
    parse_args(args)  # raises SystemExit on anything it does not take


def test_every_client_has_a_snippet():
    assert set(SNIPPETS) == {
        "claude-desktop",
        "claude-code-stdio",
        "claude-code-http",
        "vscode",
        "cursor",
        "inspector",
        "team-claude-code",
        "team-cursor",
        "team-vscode",
    }


def test_claude_desktop_block_is_the_example_file():
    config = snippet_json("claude-desktop")
    assert config == json.loads((ROOT / "claude_desktop_config.example.json").read_text(encoding="utf-8"))
    server = config["mcpServers"]["revox"]
    starts_our_server(server["command"], server["args"])
    assert set(server["env"]) == {"REVOX_API_KEY"}


def test_vscode_uses_servers_stdio_and_a_password_prompt_for_the_key():
    config = snippet_json("vscode")
    assert "mcpServers" not in config  # VS Code's key is "servers"
    server = config["servers"]["revox"]
    assert server["type"] == "stdio"
    starts_our_server(server["command"], server["args"])
    [prompt] = config["inputs"]
    assert (prompt["type"], prompt["password"]) == ("promptString", True)
    assert server["env"] == {"REVOX_API_KEY": "${input:" + prompt["id"] + "}"}


def test_cursor_uses_mcp_servers_with_command_args_env():
    server = snippet_json("cursor")["mcpServers"]["revox"]
    assert set(server) == {"command", "args", "env"}
    starts_our_server(server["command"], server["args"])
    assert set(server["env"]) == {"REVOX_API_KEY"}
    assert ".cursor/mcp.json" in README
    assert "~/.cursor/mcp.json" in README


def test_claude_code_over_stdio_passes_the_key_and_runs_our_command():
    words = shlex.split(SNIPPETS["claude-code-stdio"])
    assert words[:4] == ["claude", "mcp", "add", "revox"]
    assert words[words.index("--env") + 1].startswith("REVOX_API_KEY=")
    command = words[words.index("--") + 1 :]
    starts_our_server(command[0], command[1:])


def test_claude_code_over_http_starts_the_server_with_a_key_and_sends_the_token_it_requires():
    *exports, serve, add = (shlex.split(line) for line in SNIPPETS["claude-code-http"].strip().splitlines())
    assert all(export[0] == "export" for export in exports)
    env = dict(export[1].split("=", 1) for export in exports)
    assert set(env) == {"REVOX_API_KEY", "REVOX_MCP_AUTH_TOKEN"}
    starts_our_server(serve[0], serve[1:])
    args = parse_args(serve[1:])
    assert (args.transport, args.multi_user) == ("streamable-http", False)
    load_settings(env)  # the server this starts has its Revox key...
    without_key = {name: value for name, value in env.items() if name != "REVOX_API_KEY"}
    with pytest.raises(ConfigError, match="REVOX_API_KEY"):
        load_settings(without_key)  # ...which it needs over HTTP too
    assert add[:5] == ["claude", "mcp", "add", "--transport", "http"]
    assert add[5:7] == ["revox", "http://127.0.0.1:8000/mcp"]
    assert add[add.index("--header") + 1] == f"Authorization: Bearer {env['REVOX_MCP_AUTH_TOKEN']}"


# In a team (--multi-user) each person's Revox key is the bearer token: clients send their own.


def test_team_claude_code_sends_the_callers_own_key_as_the_bearer_token():
    words = shlex.split(SNIPPETS["team-claude-code"])
    assert words[:6] == ["claude", "mcp", "add", "--transport", "http", "revox"]
    assert words[6].startswith("https://")
    assert words[6].endswith("/mcp")
    assert words[words.index("--header") + 1] == "Authorization: Bearer $REVOX_API_KEY"


def test_team_cursor_sends_the_key_from_the_environment():
    server = snippet_json("team-cursor")["mcpServers"]["revox"]
    assert server["url"].startswith("https://")
    assert server["headers"] == {"Authorization": "Bearer ${env:REVOX_API_KEY}"}


def test_team_vscode_prompts_for_the_key_and_sends_it_over_http():
    config = snippet_json("team-vscode")
    server = config["servers"]["revox"]
    [prompt] = config["inputs"]
    assert (prompt["type"], prompt["password"]) == ("promptString", True)
    assert (server["type"], server["url"]) == ("http", snippet_json("team-cursor")["mcpServers"]["revox"]["url"])
    assert server["headers"] == {"Authorization": "Bearer ${input:" + prompt["id"] + "}"}


def test_inspector_starts_the_demo():
    words = shlex.split(SNIPPETS["inspector"])
    assert words[:2] == ["npx", "@modelcontextprotocol/inspector"]
    starts_our_server(words[2], words[3:])


def test_quickstart_makes_a_virtual_environment_then_installs_and_runs_the_demo():
    quickstart = re.search(r"^## Quickstart\n.*?```sh\n(.*?)```", README, re.DOTALL | re.MULTILINE)
    assert quickstart is not None
    venv, install = quickstart.group(1).strip().splitlines()
    assert venv == "python3 -m venv .venv && . .venv/bin/activate"
    assert re.fullmatch(r"pip install -e \. && revox-mcp --demo call \S+.*", install)


def test_quickstart_output_is_what_the_quickstart_command_prints_in_a_fresh_process_without_a_key():
    command = re.search(r"pip install -e \. && (revox-mcp [^\n]+)\n", README)
    assert command is not None
    first = transcripts.transcripts(ROOT / "README.md")[0]
    assert first.command == command.group(1)  # the first transcript is the quickstart's, shown whole
    words = shlex.split(command.group(1))
    done = subprocess.run(
        [sys.executable, "-m", "revox_mcp", *words[1:]],
        env={"PATH": ""},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == "\n".join(first.shown) + "\n"


# --------------------------------------------------------------------------- MCP Registry


SERVER = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
RANGE = re.compile(r"[\^~<>=*x]|\.x$")


def test_server_json_has_the_fields_the_registry_requires():
    """The official schema is not available offline; these are the rules the registry documents."""
    assert SERVER["$schema"].startswith("https://static.modelcontextprotocol.io/schemas/")
    assert re.fullmatch(r"[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+", SERVER["name"])
    assert 1 <= len(SERVER["description"]) <= 100
    assert SERVER["version"] == __version__
    assert not RANGE.search(SERVER["version"])
    for package in SERVER["packages"]:
        assert {"registryType", "identifier", "version", "transport"} <= set(package)
        assert package["version"] == __version__
        assert package["transport"] == {"type": "stdio"}
        for variable in package.get("environmentVariables", []):
            assert f"| `{variable['name']}` |" in CONFIGURATION
            assert variable["description"]


def test_server_json_names_our_pypi_package_and_the_readme_carries_the_ownership_marker():
    [package] = SERVER["packages"]
    assert (package["registryType"], package["registryBaseUrl"]) == ("pypi", "https://pypi.org")
    assert f'\nname = "{package["identifier"]}"\n' in PYPROJECT
    assert f"mcp-name: {SERVER['name']}" in README  # PyPI ownership: the registry reads the package README
    secret = next(v for v in package["environmentVariables"] if v["name"] == "REVOX_API_KEY")
    assert (secret["isRequired"], secret["isSecret"]) == (True, True)


def test_until_published_the_registry_entry_says_prepared_and_the_readme_says_how_to_install_from_a_clone():
    note = SERVER["_meta"]["io.modelcontextprotocol.registry/publisher-provided"]["status"]
    assert note.startswith("prepared, not published")
    install = README[README.index("## Install\n") : README.index("## Connect your client\n")]
    assert "not live" in install
    for step in ("pipx install .", "pip install .", "python bundle/build.py"):
        assert f"`{step}`" in install
    assert (ROOT / "bundle" / "build.py").is_file()


# --------------------------------------------------------------------------- MCP bundle


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    """What ``python bundle/build.py`` writes as the bundle's manifest.json."""
    spec = importlib.util.spec_from_file_location("revox_bundle_build", ROOT / "bundle" / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.manifest()  # type: ignore[no-any-return]


def test_bundle_asks_for_the_key_as_a_secret_and_offers_a_demo_toggle(manifest: dict[str, Any]):
    config = manifest["user_config"]
    assert (config["api_key"]["type"], config["api_key"]["sensitive"]) == ("string", True)
    assert (config["demo"]["type"], config["demo"]["default"]) == ("boolean", False)
    env = manifest["server"]["mcp_config"]["env"]
    assert env == {"REVOX_API_KEY": "${user_config.api_key}", "REVOX_MCP_DEMO": "${user_config.demo}"}


def test_bundle_runs_our_entry_point_with_uv_and_lists_every_tool(manifest: dict[str, Any]):
    server = manifest["server"]
    assert (server["type"], manifest["manifest_version"]) == ("uv", "0.4")
    assert server["mcp_config"]["command"] == "uv"
    assert server["mcp_config"]["args"] == ["run", "--directory", "${__dirname}", server["entry_point"]]
    assert "revox_mcp.__main__ import main" in (ROOT / "bundle" / "main.py").read_text(encoding="utf-8")
    assert manifest["version"] == __version__
    names = [tool["name"] for tool in manifest["tools"]]
    assert names[:2] == ["list_assistants", "get_assistant"]
    assert "revox_status" in names


def test_the_demo_toggle_variable_turns_demo_mode_on():
    done = subprocess.run(
        [sys.executable, "-m", "revox_mcp", "call", "--json", "revox_status"],
        env={"PATH": "", "REVOX_MCP_DEMO": "true", "REVOX_API_KEY": ""},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["demo"] is True
