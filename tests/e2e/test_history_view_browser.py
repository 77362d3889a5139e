"""The configuration diff view showing an assistant's history, in a real browser against a real
``revox-mcp --demo`` (whose history is seeded with the demo assistants' earlier versions): each stored
version with its time and A/B diff on the same row, then the changes seen in the calls."""

# ruff: noqa: F811 (the harness's fixtures, imported below, are named again as test parameters)
from __future__ import annotations

import pytest
from e2e.views_host import (  # noqa: F401 (browser, demo, host, host_script: fixtures)
    WAIT_MS,
    HostPage,
    browser,
    demo,
    host,
    host_script,
    wire,
)
from mcp import Client

TRIALS = "9d0e8f7a-6b5c-4d4e-8f3a-2b1c0d9e8f70"

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


async def test_the_diff_view_shows_each_stored_version_with_its_time_and_a_and_b_on_one_row(
    host: HostPage, demo: Client
) -> None:
    result = wire(await demo.call_tool("assistant_history", {"assistant_id": TRIALS}))
    history = result["structuredContent"]
    await host.show("assistant_history", result, {"assistant_id": TRIALS})
    view = host.view
    versions = view.locator("section.version")
    await versions.first.wait_for(timeout=WAIT_MS)
    assert await versions.count() == len(history["versions"])
    heading = await versions.first.locator("h2").inner_text()
    assert heading.startswith("V1 · 2026-02-24 11:47Z")  # the model switch, dated by its updated_at
    assert "openai/gpt-4.1 → openai/gpt-5" in await versions.first.locator(".summary").inner_text()
    model = versions.first.locator("tr.change", has=view.locator("th code", has_text="llm_model.openrouter_model_id"))
    cells = [await cell.inner_text() for cell in await model.locator("td").all()]
    assert cells == ["openai/gpt-4.1", "openai/gpt-5"]  # A before, B after, on the path's own row
    prompt = view.locator("section.version", has=view.locator(".summary", has_text="prompt changed"))
    assert "2026-02-19 14:02Z" in await prompt.locator("h2").inner_text()
    lines = await prompt.locator("tr.diff-row li").all_inner_texts()
    assert any(line.startswith("B +") and "30% off the annual plan" in line for line in lines)
    assert any(line.startswith("A −") and "ask whether now is a good time" in line for line in lines)
    seen = await view.locator("ul.call-changes li").all_inner_texts()
    assert len(seen) == len(history["call_changes"])
    assert any("2026-02-19 14:25Z" in line and "prompt changed" in line for line in seen)
    await host.screenshot("config-history")
    host.assert_clean()
