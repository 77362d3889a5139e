"""The built-in demo data served by ``--demo``, through an in-process fake of the Revox API.

The demo goes through the real code path (client, cache, ingest, services): only the transport is
fake. Every secret in the data contains FAKE.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any
from urllib.parse import unquote

import httpx

DEMO_API_KEY = "demo-key-not-a-secret"
DEMO_BASE_URL = "https://demo.revox.invalid/api"


def demo_assistants() -> tuple[list[dict[str, Any]], set[str]]:
    """All sample assistants, and the ids that ``GET /assistants`` lists (sub-assistants are hidden)."""
    raw = resources.files("revox_mcp").joinpath("data/demo_assistants.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    return list(data["assistants"]), set(data["listed"])


def demo_transport(
    assistants: list[dict[str, Any]] | None = None, listed_ids: set[str] | None = None
) -> httpx.MockTransport:
    """An in-process fake of the Revox API over the demo data (or the assistants given)."""
    if assistants is None:
        assistants, listed_ids = demo_assistants()
    listed = listed_ids if listed_ids is not None else {str(a["id"]) for a in assistants}
    by_id = {str(a["id"]): a for a in assistants}
    listing = json.dumps({"assistants": [a for a in assistants if a["id"] in listed]}).encode()

    def handle(request: httpx.Request) -> httpx.Response:
        segments = [unquote(s) for s in request.url.raw_path.decode().split("?")[0].split("/") if s]
        if segments[-1:] == ["assistants"]:
            return httpx.Response(200, content=listing, headers={"content-type": "application/json"})
        if segments[-1:] == ["auth-status"]:
            return httpx.Response(200, json={"authenticated": True})
        if len(segments) >= 2 and segments[-2] == "assistants" and segments[-1] in by_id:
            return httpx.Response(200, json=by_id[segments[-1]])
        return httpx.Response(404, json={"error": "Not found"})

    return httpx.MockTransport(handle)
