"""The shell transcripts in README.md and docs/*.md, checked against what their commands print now.

A transcript is a fenced code block of ``$ revox-mcp --demo ...`` lines, each followed by exactly what
the command prints on stdout; two commands in one block are separated by one blank line. A transcript
shortened on purpose says so where it cuts, with a line of its own::

    … (3 lines not shown)

and those lines must exist in the real output: everything else is compared whole. Commands run
in-process through the CLI entry point (``revox_mcp.__main__.main``), with no ``REVOX_*`` variable
set, so every transcript is the demo's answer whatever the shell around it holds.

    python scripts/update_transcripts.py           rewrite every stale transcript from real output
    python scripts/update_transcripts.py --check   list the stale ones (exit 1 if any), change nothing

When rewriting a shortened transcript, the lines it showed stay shown where they still match, its
cuts stay where they were with their new counts, and any new line that is not at a cut is shown.
``tests/docs/test_transcripts.py`` holds every transcript to this.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import logging
import os
import re
import shlex
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(`{3,}|~{3,})")
PROMPT = "$ "
CUT = re.compile(r"^… \(([1-9][0-9]*) lines? not shown\)$")


class TranscriptError(ValueError):
    """Raised when a code block looks like a transcript but cannot be one (it names file and line)."""


@dataclass(frozen=True)
class Transcript:
    """One command of a transcript: its ``$`` line and the output lines written under it."""

    path: Path
    line: int  # 1-based line of the ``$`` command in ``path``
    command: str
    shown: tuple[str, ...]  # as written, cut lines included
    start: int  # index of the first output line among the file's lines
    end: int  # index after the last one

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path}:{self.line}"


def documents(root: Path = ROOT) -> list[Path]:
    """README.md and every docs/*.md: where transcripts may be."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def fenced_blocks(lines: Sequence[str]) -> Iterator[tuple[int, int]]:
    """(first, end) line indices of each fenced block's body."""
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        index += 1
        if opening is None:
            continue
        first = index
        while index < len(lines) and not lines[index].startswith(opening.group(1)):
            index += 1
        yield first, index
        index += 1


def transcripts(path: Path, text: str | None = None) -> list[Transcript]:
    """Every transcript command in ``path`` (or in ``text``, read as ``path``), in order."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).split("\n")
    found: list[Transcript] = []
    for first, end in fenced_blocks(lines):
        commands = [index for index in range(first, end) if lines[index].startswith(PROMPT)]
        if not commands:
            continue
        if commands[0] != first:
            raise TranscriptError(f"{path}:{first + 1}: a transcript starts with its $ command")
        for index, next_command in zip(commands, [*commands[1:], None], strict=True):
            stop = end
            if next_command is not None:
                if lines[next_command - 1] != "":
                    raise TranscriptError(f"{path}:{next_command + 1}: a blank line goes before each next $ command")
                stop = next_command - 1
            found.append(
                Transcript(
                    path, index + 1, lines[index][len(PROMPT) :], tuple(lines[index + 1 : stop]), index + 1, stop
                )
            )
    return found


@contextlib.contextmanager
def _isolated() -> Iterator[None]:
    """No ``REVOX_*`` variable, and the logging set-up the CLI replaces put back afterwards."""
    saved = {name: value for name, value in os.environ.items() if name.startswith("REVOX_")}
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    for name in saved:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(saved)
        root.handlers[:] = handlers
        root.setLevel(level)


def printed(argv: Sequence[str]) -> tuple[object, str, str]:
    """``revox-mcp ARGV`` run in-process through the CLI entry point: (exit code, stdout, stderr)."""
    from revox_mcp.__main__ import main  # here, so --help of this script works without the package

    out, err = io.StringIO(), io.StringIO()
    code: object = 0
    with _isolated(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(argv))
        except SystemExit as exit_:
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def run(command: str) -> list[str]:
    """What ``command`` prints on stdout now, as lines; it must be ``revox-mcp --demo ...`` and succeed."""
    words = shlex.split(command)
    if words[:1] != ["revox-mcp"] or "--demo" not in words:
        raise TranscriptError(f"transcripts run `revox-mcp --demo ...` (offline, no key), not: {command}")
    code, out, err = printed(words[1:])
    if code not in (0, None):
        raise TranscriptError(f"`{command}` exited with {code}: {err.strip()}")
    return out.removesuffix("\n").split("\n")


def matches(shown: Sequence[str], printed: Sequence[str]) -> bool:
    """Whether ``shown`` is ``printed`` whole, but for cut lines standing for exactly their count of lines."""
    at = 0
    for line in shown:
        cut = CUT.match(line)
        if cut is not None:
            at += int(cut.group(1))
        elif at < len(printed) and printed[at] == line:
            at += 1
        else:
            return False
    return at == len(printed)


def _cut(count: int) -> str:
    return f"… ({count} line{'s' if count != 1 else ''} not shown)"


def refreshed(shown: Sequence[str], printed: Sequence[str]) -> list[str]:
    """``printed`` written the way ``shown`` was: whole, or cut where ``shown`` was cut (new counts)."""
    if matches(shown, printed):
        return list(shown)
    kept = [line for line in shown if CUT.match(line) is None]
    cuts = _cut_places(shown)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, kept, list(printed), autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        new = list(printed[new_start:new_end])
        place = next((c for c in cuts if old_start <= c <= old_end), None)
        if tag == "equal" or place is None:
            out.extend(new)
            continue
        # The printed lines in place of kept[old_start:old_end], a cut among them: the lines standing
        # where shown lines stood before and after the cut stay shown, the rest is cut.
        before, after = place - old_start, old_end - place
        hidden = len(new) - before - after
        if hidden <= 0:
            out.extend(new)
        else:
            out.extend([*new[:before], _cut(hidden), *new[len(new) - after :]])
    return out


def _cut_places(shown: Sequence[str]) -> list[int]:
    """Where each cut is: how many shown lines come before it."""
    places: list[int] = []
    seen = 0
    for line in shown:
        if CUT.match(line) is None:
            seen += 1
        else:
            places.append(seen)
    return places


def stale(paths: Sequence[Path]) -> Iterator[tuple[Transcript, list[str]]]:
    """Each transcript whose output is not what its command prints now, with what it should say."""
    for path in paths:
        for transcript in transcripts(path):
            printed = run(transcript.command)
            if not matches(transcript.shown, printed):
                yield transcript, refreshed(transcript.shown, printed)


def rewrite(path: Path, fixes: Sequence[tuple[Transcript, list[str]]]) -> None:
    """Put each fix in place of its transcript's output in ``path``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for transcript, new in sorted(fixes, key=lambda fix: fix[0].start, reverse=True):
        lines[transcript.start : transcript.end] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def diff(transcript: Transcript, new: Sequence[str]) -> str:
    return "\n".join(
        difflib.unified_diff(list(transcript.shown), list(new), "as written", "as printed now", lineterm="", n=1)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only list stale transcripts; exit 1 if any")
    parser.add_argument("paths", nargs="*", type=Path, help="default: README.md and docs/*.md")
    args = parser.parse_args(argv)
    paths = [path.resolve() for path in args.paths] or documents()
    try:
        fixes = list(stale(paths))
    except TranscriptError as exc:
        print(f"update_transcripts: {exc}", file=sys.stderr)
        return 2
    for transcript, new in fixes:
        print(f"{transcript.where}: $ {transcript.command}\n{diff(transcript, new)}")
    if args.check:
        return 1 if fixes else 0
    for path in paths:
        mine = [fix for fix in fixes if fix[0].path == path]
        if mine:
            rewrite(path, mine)
    print(f"{len(fixes)} transcript(s) {'rewritten' if fixes else 'stale: none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
