"""The README and docs/ say what the server does: the tools table is what tools/list, resources/list,
resources/templates/list and prompts/list say; the configuration table is every variable and flag the
server reads; the rules tables are every rule; every link lands on a file and a heading."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from doc_support import DOCS, README, ROOT, anchors, documents, links, slug, transcripts
from mcp import Client
from support import server_over

README_TEXT = README.read_text(encoding="utf-8")
CONFIGURATION = (DOCS / "configuration.md").read_text(encoding="utf-8")
RULES = (DOCS / "evidence-rules.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `([^`]+)` \| (tool|resource|resource template|prompt) \|", re.MULTILINE)
FIRST_CELL = re.compile(r"^\| `([^`]+)` \|", re.MULTILINE)
VARIABLE = re.compile(r"REVOX_[A-Z0-9_]*[A-Z0-9]")
OPTION_LINE = re.compile(r"^  (?:-\w, )?(--[a-z][a-z0-9-]*)", re.MULTILINE)  # argparse's option list
PACKAGE = ROOT / "revox_mcp"


def documented() -> dict[str, dict[str, set[str]]]:
    """kind -> name -> documented parameter names (the signature in the first column)."""
    out: dict[str, dict[str, set[str]]] = {}
    for signature, kind in ROW.findall(README_TEXT):
        name, _, params = signature.partition("(")
        names = {part.split("=")[0].strip().rstrip("?") for part in params.rstrip(")").split(",") if part.strip()}
        out.setdefault(kind, {}).setdefault(name, set()).update(names)
    return out


@pytest.mark.anyio
async def test_every_tool_in_tools_list_is_documented_with_its_parameters() -> None:
    async with Client(server_over()) as client:
        tools = {tool.name: set(tool.input_schema.get("properties", {})) for tool in (await client.list_tools()).tools}
        prompts = {
            prompt.name: {a.name for a in prompt.arguments or []} for prompt in (await client.list_prompts()).prompts
        }
        resources = {str(resource.uri) for resource in (await client.list_resources()).resources}
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
    table = documented()
    assert set(table["tool"]) == set(tools)
    for name, params in tools.items():
        assert table["tool"][name] == params, name  # every signature row of a tool, together
    assert table["prompt"] == prompts
    assert set(table["resource"]) == resources
    assert set(table["resource template"]) == templates


# --------------------------------------------------------------------------- configuration


def string_literals(root: Path) -> set[str]:
    """Every string constant in the package's source: where the variable names and rule ids it reads are."""
    found: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def help_text(*argv: str) -> str:
    code, out, err = transcripts.printed([*argv, "--help"])
    assert code == 0, err
    return str(out)


def test_the_configuration_table_names_every_variable_the_package_reads_and_no_other() -> None:
    configured = {name for cell in FIRST_CELL.findall(CONFIGURATION) for name in VARIABLE.findall(cell)}
    read = {literal for literal in string_literals(PACKAGE) if VARIABLE.fullmatch(literal)}
    assert {"REVOX_API_KEY", "REVOX_MCP_REDIS_URL", "REVOX_MCP_KEY_RATE_LIMIT"} <= read  # the scan finds them
    assert configured == read
    assert set(VARIABLE.findall(help_text())) <= configured


def test_the_configuration_table_names_every_flag_of_revox_mcp_help_and_no_other() -> None:
    first_cells = FIRST_CELL.findall(CONFIGURATION)
    configured = {flag for cell in first_cells for flag in re.findall(r"--[a-z][a-z0-9-]*", cell)}
    offered = set(OPTION_LINE.findall(help_text())) | set(OPTION_LINE.findall(help_text("call")))
    assert {"--multi-user", "--transport", "--json"} <= offered  # the help is parsed
    assert configured == offered
    commands = {cell.split()[0] for cell in first_cells if not cell.startswith(("-", "REVOX_"))}
    offered_commands = re.search(r"\{([a-z,]+)\} \.\.\.", help_text())
    assert offered_commands is not None
    assert commands == set(offered_commands.group(1).split(","))


# --------------------------------------------------------------------------- rules


def test_the_rules_tables_list_every_evidence_and_cross_check_rule_of_the_package() -> None:
    rule = re.compile(r"(calls|xcheck)\.[a-z_]+")
    documented_rules = {cell for cell in FIRST_CELL.findall(RULES) if rule.fullmatch(cell)}
    defined = {literal for literal in string_literals(PACKAGE) if rule.fullmatch(literal)}
    assert {"calls.tool_failing", "xcheck.voice_not_found"} <= defined
    assert documented_rules == defined


# --------------------------------------------------------------------------- links


def test_every_relative_link_lands_on_a_file_and_its_heading() -> None:
    texts = documents()
    checked = 0
    for path, text in texts.items():
        for target in links(text):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:: not ours to check offline
            file_part, _, anchor = target.partition("#")
            landing = (path.parent / file_part).resolve() if file_part else path
            assert landing.exists(), f"{path.name}: {target}"
            if anchor:
                text_there = texts.get(landing) or landing.read_text(encoding="utf-8")
                assert anchor in anchors(text_there), f"{path.name}: {target}"
            checked += 1
    assert checked > 30


def test_every_doc_is_linked_from_the_readme() -> None:
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in links(README_TEXT)}
    assert set(DOCS.glob("*.md")) <= linked
    assert len(list(DOCS.glob("*.md"))) >= 9


def test_heading_anchors_are_made_the_way_github_makes_them() -> None:
    assert slug("Tools, resources and prompts") == "tools-resources-and-prompts"
    assert slug("What Revox does not document, and how the call tools cope") == (
        "what-revox-does-not-document-and-how-the-call-tools-cope"
    )
