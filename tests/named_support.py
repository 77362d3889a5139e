"""The check every rule engine's findings are held to: a fix names only fields whose value the answer shows.

For each field a fix names (``named_fields``), the finding shows its current value: the finding's own
field when the finding states it, else an entry of ``related`` holding exactly what ``shown`` reads
where the field lives (the assistant, or each campaign that uses it); and the text shows the same
``field = value``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
