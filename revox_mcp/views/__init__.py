"""The MCP Apps views: self-contained HTML documents (script, styles and CSP inlined), built from
``views/`` with ``npm --prefix views run build`` and shipped in the package, so installing the
server needs no Node. Pure: a view is read from the package's files, on demand."""

from __future__ import annotations

from importlib.resources import files
from typing import Literal

ViewName = Literal["calls-triage", "config-diff"]

# calls-triage renders analyze_calls; config-diff renders compare_assistants (and version history).
VIEW_NAMES: tuple[ViewName, ...] = ("calls-triage", "config-diff")


def view_html(name: ViewName) -> str:
    """The HTML document of the view ``name``; ``ValueError`` for a name that is not a view."""
    if name not in VIEW_NAMES:
        raise ValueError(f"No view named {name!r}: the views are {', '.join(VIEW_NAMES)}.")
    return files(__name__).joinpath(f"{name}.html").read_text(encoding="utf-8")
