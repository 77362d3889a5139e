"""The built-in sample assistants served by ``--demo`` (package data; every secret contains FAKE)."""

from __future__ import annotations

import json
from importlib import resources

from revox_mcp.domain.facts import JsonObject

DEMO_API_KEY = "demo-key-not-a-secret"


def demo_assistants() -> tuple[list[JsonObject], set[str]]:
    """All sample assistants, and the ids that ``GET /assistants`` lists (sub-assistants are hidden)."""
    raw = resources.files("revox_mcp").joinpath("data/demo_assistants.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    return list(data["assistants"]), set(data["listed"])
