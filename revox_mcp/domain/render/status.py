"""The text of revox_status. Pure."""

from __future__ import annotations

from typing import Any

from revox_mcp.domain.render.tree import render_tree

_VERDICT = {True: "accepted", False: "REJECTED (check REVOX_API_KEY)", None: "unknown (Revox unreachable)"}


def status_text(status: dict[str, Any], key_accepted: bool | None) -> str:
    """The status as ``key: value`` lines, then what Revox said of the key."""
    return render_tree(status) + f"\nAPI key: {_VERDICT[key_accepted]}"
