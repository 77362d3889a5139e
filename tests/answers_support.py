"""Checks of what answers say: a fix names only fields whose value the answer shows; a page cut short by
the size budget says so.

For each field a fix names (``named_fields``), the finding shows its current value: the finding's own
field when the finding states it, else an entry of ``related`` holding exactly what ``shown`` reads
where the field lives (the assistant, or each campaign that uses it); and the text shows the same
``field = value``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mcp.types import CallToolResult
from support import text_of

from revox_mcp.domain.named_fields import CAMPAIGN_FIELDS, campaign_values, named_fields, resolve, shown


def unshown_fields(
    fix: str,
    base: str,
    related: Mapping[str, str] | None,
    text: str,
    config: Any,
    *,
    base_shown: bool,
    names_base: bool = False,
    campaigns: Sequence[Mapping[str, Any]] | None = None,
) -> list[str]:
    """The fields ``fix`` names whose value the finding (``related``, or its own ``base`` when
    ``base_shown``) or its ``text`` does not show; [] when every one is shown."""
    values = dict(related or {})
    missing: list[str] = []
    tokens = list(named_fields(fix))
    if names_base and base and base not in tokens:
        tokens.insert(0, base)
    for token in tokens:
        if token in CAMPAIGN_FIELDS:
            expected = campaign_values(token, campaigns)
        else:
            path = resolve(token, base, config)
            if path == base and base_shown:
                continue
            expected = {path: shown(config, path)}
        for path, value in expected.items():
            written = (path, path.removeprefix(f"{base}.")) if path.startswith(f"{base}.") else (path,)
            if values.get(path) != value or not any(f"{key} = {value}" in text for key in written):
                missing.append(f"{token} ({path} = {value})")
    return missing


def assert_stopped_by_size(full: CallToolResult, short: CallToolResult, rows: str, within: str) -> None:
    """``full`` (limit=100) was ended by the size budget and says so, naming the budget (``within``);
    ``short`` (a small limit) holds what was asked and says nothing of the kind."""
    body = full.structured_content
    assert body is not None
    shown_rows = len(body[rows])
    assert 0 < shown_rows < 100
    assert body["stopped_by"] == "size"
    assert body["next_cursor"]
    line = f"{shown_rows} of the 100 asked shown: no more fit {within}"
    assert line in text_of(full)
    assert text_of(full).index(line) < text_of(full).index("More: ")
    assert short.structured_content is not None
    assert "stopped_by" not in short.structured_content
    assert "no more fit" not in text_of(short)
