"""What the documentation tests share: the documents, their links, and scripts/update_transcripts.py."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def _load_transcripts() -> ModuleType:
    """scripts/update_transcripts.py as a module: the one parser and runner of transcripts."""
    spec = importlib.util.spec_from_file_location("update_transcripts", ROOT / "scripts" / "update_transcripts.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


transcripts = _load_transcripts()


def documents() -> dict[Path, str]:
    """README.md and every docs/*.md, by path."""
    return {path: path.read_text(encoding="utf-8") for path in transcripts.documents(ROOT)}


def outside_blocks(text: str) -> str:
    """``text`` with its fenced blocks blanked out."""
    lines = text.split("\n")
    for first, end in transcripts.fenced_blocks(lines):
        lines[first - 1 : end + 1] = [""] * len(lines[first - 1 : end + 1])
    return "\n".join(lines)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {slug(heading) for heading in re.findall(r"^#{1,6} (.+)$", outside_blocks(text), re.MULTILINE)}


def links(text: str) -> list[str]:
    """Every link target in ``text``'s prose (inline code stripped, so ``[`x`](y)`` still counts)."""
    return re.findall(r"\]\(([^)\s]+)\)", re.sub(r"`[^`\n]*`", "", outside_blocks(text)))
