"""Every shell transcript in README.md and docs/*.md is what its command prints now, compared whole
(a deliberate cut says so, and counts the lines it hides); scripts/update_transcripts.py rewrites stale
ones from real output. Commands run in-process through the CLI entry point."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from doc_support import documents, transcripts

FOUND = [transcript for path in documents() for transcript in transcripts.transcripts(path)]
LIST_ONE = "revox-mcp --demo call list_assistants limit=1"


@functools.cache
def printed_by(command: str) -> tuple[str, ...]:
    """What ``command`` prints now, run once per command: the README and the docs show some of the same
    commands, and the demo answers the same command the same way."""
    return tuple(transcripts.run(command))


@pytest.mark.parametrize("transcript", FOUND, ids=[transcript.where for transcript in FOUND])
def test_transcript_is_what_its_command_prints_now(transcript: Any) -> None:
    printed = list(printed_by(transcript.command))
    assert transcripts.matches(transcript.shown, printed), (
        f"{transcript.where} is stale; python scripts/update_transcripts.py rewrites it:\n"
        + transcripts.diff(transcript, transcripts.refreshed(transcript.shown, printed))
    )


def test_the_readme_and_the_docs_hold_transcripts_of_every_troubleshooting_tool() -> None:
    commands = {(t.path.name, t.command.split()[3]) for t in FOUND if t.command.split()[2] == "call"}
    commands |= {(t.path.name, t.command.split()[4]) for t in FOUND if t.command.split()[3] == "--json"}
    assert {("README.md", "list_assistants"), ("README.md", "analyze_calls")} <= commands
    tools = {"analyze_calls", "get_call", "diagnose_assistant", "get_assistant", "list_calls"}
    assert {("troubleshooting.md", tool) for tool in tools} <= commands


def test_a_transcript_is_compared_whole() -> None:
    printed = ["a", "b", "c"]
    assert transcripts.matches(["a", "b", "c"], printed)
    assert not transcripts.matches(["a", "b"], printed)  # a missing tail is stale
    assert not transcripts.matches(["b", "c"], printed)
    assert not transcripts.matches(["a", "b", "c", ""], printed)
    assert not transcripts.matches(["a", "B", "c"], printed)


def test_a_cut_stands_for_exactly_the_lines_it_counts() -> None:
    printed = ["head", "x", "y", "z", "tail"]
    assert transcripts.matches(["head", "… (3 lines not shown)", "tail"], printed)
    assert transcripts.matches(["head", "… (4 lines not shown)"], printed)
    assert transcripts.matches(["… (1 line not shown)", "x", "y", "z", "tail"], printed)
    assert not transcripts.matches(["head", "… (2 lines not shown)", "tail"], printed)
    assert not transcripts.matches(["head", "… (4 lines not shown)", "tail"], printed)
    assert not transcripts.matches(["head", "…", "tail"], printed)  # a bare ellipsis is a line like any other
    assert not transcripts.matches(["head", "… (0 lines not shown)", "x", "y", "z", "tail"], printed)


def test_rewriting_keeps_the_cuts_and_shows_what_changed_where_lines_were_shown() -> None:
    shown = ["head", "keep 1", "… (2 lines not shown)", "keep 2", "tail"]
    printed = ["head", "keep 1", "hidden", "hidden", "hidden", "keep 2", "changed tail"]
    assert transcripts.refreshed(shown, printed) == [
        "head",
        "keep 1",
        "… (3 lines not shown)",
        "keep 2",
        "changed tail",
    ]
    assert transcripts.refreshed(shown, ["head", "keep 1", "keep 2", "tail"]) == ["head", "keep 1", "keep 2", "tail"]
    new_at_a_shown_place = ["head", "new", "keep 1", "hidden", "keep 2", "tail"]
    assert transcripts.refreshed(shown, new_at_a_shown_place) == [
        "head",
        "new",
        "keep 1",
        "… (1 line not shown)",
        "keep 2",
        "tail",
    ]
    assert transcripts.refreshed(["a", "b"], ["a", "c"]) == ["a", "c"]  # an uncut transcript: all of it


def test_commands_in_one_block_are_split_at_the_blank_line_before_each_prompt(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("Intro\n\n```text\n$ revox-mcp --demo one\nout 1\n\n$ revox-mcp --demo two\nout 2\n```\n")
    first, second = transcripts.transcripts(doc)
    assert (first.command, first.shown, first.line) == ("revox-mcp --demo one", ("out 1",), 4)
    assert (second.command, second.shown, second.line) == ("revox-mcp --demo two", ("out 2",), 7)
    assert transcripts.transcripts(tmp_path / "doc.md", "```sh\npip install .\n```\n") == []


@pytest.mark.parametrize(
    "block",
    [
        "```\nout first\n$ revox-mcp --demo one\n```\n",
        "```\n$ revox-mcp --demo one\nout\n$ revox-mcp --demo two\n```\n",
    ],
    ids=["output before the command", "no blank line between commands"],
)
def test_a_block_that_cannot_be_a_transcript_is_an_error(block: str) -> None:
    with pytest.raises(transcripts.TranscriptError):
        transcripts.transcripts(Path("doc.md"), block)


@pytest.mark.parametrize("command", ["revox-mcp call list_assistants", "curl https://example.com"])
def test_only_offline_demo_commands_are_run(command: str) -> None:
    with pytest.raises(transcripts.TranscriptError, match="--demo"):
        transcripts.run(command)


def test_a_failing_command_is_an_error_not_a_transcript() -> None:
    with pytest.raises(transcripts.TranscriptError, match="exited with 2"):
        transcripts.run("revox-mcp --demo call no_such_tool")


def test_the_update_script_names_a_transcript_it_cannot_run_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("```text\n$ revox-mcp --demo call no_such_tool\nout\n```\n", encoding="utf-8")
    assert transcripts.main([str(doc)]) == 2
    assert "no_such_tool" in capsys.readouterr().err
    assert doc.read_text(encoding="utf-8").endswith("out\n```\n")


def test_the_update_script_rewrites_stale_transcripts_then_finds_none(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"Before.\n\n```text\n$ {LIST_ONE}\nstale line\n```\n\nAfter.\n", encoding="utf-8")
    assert transcripts.main(["--check", str(doc)]) == 1
    assert "stale line" in doc.read_text(encoding="utf-8")  # --check changes nothing
    assert transcripts.main([str(doc)]) == 0
    [fixed] = transcripts.transcripts(doc)
    assert list(fixed.shown) == transcripts.run(LIST_ONE)
    assert doc.read_text(encoding="utf-8").endswith("```\n\nAfter.\n")
    assert transcripts.main(["--check", str(doc)]) == 0


def test_commands_run_without_the_callers_revox_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVOX_MCP_PERSONAL_DATA", "not-a-mode")  # would stop the server at start-up
    assert transcripts.run(LIST_ONE)[0].startswith("1 of 9 assistants")
