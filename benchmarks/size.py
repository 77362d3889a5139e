"""Bytes an agent reads for the same questions, raw API (or a raw-JSON server) vs revox-mcp.

The raw side is the compact JSON of what the API returns. The revox-mcp side is the whole
CallToolResult as sent (text + structured content + envelope), and the text alone, which is what
most clients show the model.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult, TextContent

from .common import ROOT, FakeRevox, Row, in_process, in_process_server

SECTION = "8. bytes"

SAMPLE = json.loads((ROOT / "tests" / "fixtures_assistants.json").read_text(encoding="utf-8"))


def _compact(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _text(result: CallToolResult) -> int:
    return _compact("".join(block.text for block in result.content if isinstance(block, TextContent)))


def _wire(result: CallToolResult) -> int:
    return len(result.model_dump_json(by_alias=True, exclude_none=True).encode())


def _client(assistants: list[dict[str, Any]], listed: set[str]) -> Client:
    from revox_mcp.api.demo import DEMO_BASE_URL

    # The fake Revox in process over these assistants: bytes, not time, are measured.
    transport = in_process(assistants, listed)
    return Client(in_process_server(DEMO_BASE_URL, transport=transport), cache=None)


async def _compare(assistants: list[dict[str, Any]], listed: set[str], label: str) -> list[Row]:
    shown = [a for a in assistants if a["id"] in listed]
    long_prompt = max(shown, key=lambda a: len(a.get("prompt") or ""))
    async with _client(assistants, listed) as client:
        page = await client.call_tool("list_assistants", {})
        one = await client.call_tool("get_assistant", {"assistant_id": long_prompt["id"]})
        prompt = await client.call_tool("get_assistant", {"assistant_id": long_prompt["id"], "fields": ["prompt"]})
    raw_list = _compact({"assistants": shown})
    raw_one = _compact(long_prompt)
    return [
        Row(
            SECTION,
            f"{label}: list (raw GET /assistants vs default page: sent / text / structured)",
            f"{raw_list:,} vs {_wire(page):,} / {_text(page):,} ({_text(page) / raw_list:.1%}) / "
            f"{_compact(page.structured_content):,} ({_compact(page.structured_content) / raw_list:.1%})",
            "text and structured ≤ 5% of raw" if label == "sample" else "",
            (_text(page) <= 0.05 * raw_list and _compact(page.structured_content) <= 0.05 * raw_list)
            if label == "sample"
            else None,
        ),
        Row(
            SECTION,
            f"{label}: one assistant (raw GET /assistants/{{id}} vs get_assistant summary, sent)",
            f"{raw_one:,} vs {_wire(one):,} ({_wire(one) / raw_one:.0%})",
        ),
        Row(
            SECTION,
            f"{label}: one prompt (raw: the whole assistant vs get_assistant fields=[prompt], sent)",
            f"{raw_one:,} vs {_wire(prompt):,} ({_wire(prompt) / raw_one:.0%})",
        ),
    ]


def run() -> list[Row]:
    sample = SAMPLE["assistants"]
    listed = {a["id"] for a in sample if SAMPLE["fixture_index"][a["id"]]["appears_in_list"]}
    many = FakeRevox.make_assistants(10_000)
    return anyio.run(_compare, sample, listed, "sample") + anyio.run(
        _compare, many, {str(a["id"]) for a in many}, "10,000"
    )
