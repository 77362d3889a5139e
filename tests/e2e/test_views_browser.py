"""The MCP Apps views in a real browser: headless Chromium shows each view inside our host page,
which speaks the host side of the protocol (ext-apps' AppBridge) and relays the view's tools/call
to a real ``revox-mcp --demo`` through the official MCP client. The tests assert what a person sees,
that nothing leaves the page, that planted markup stays text, and that the theme follows the host.

The configuration diff view is shown both for two assistants (compare_assistants) and for one
assistant's stored versions (assistant_history).

``REVOX_MCP_SCREENSHOTS=docs/screenshots`` saves the screenshots docs/views.md shows (and the README one of them).
"""

# ruff: noqa: F811 (the harness's fixtures, imported below, are named again as test parameters)
from __future__ import annotations

import copy
import itertools
import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from e2e.views_host import (  # noqa: F401 (browser, demo, host, host_script, tab: fixtures)
    MISCONFIGURED_ID,
    WAIT_MS,
    HostPage,
    HostTab,
    analysis,
    browser,
    demo,
    host,
    host_client,
    host_script,
    server_params,
    tab,
    wire,
)
from fake_revox import FakeRevox
from mcp import Client
from support import API_KEY

BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
LONG_PROMPT_ID = "6f3a2b1c-0d9e-4f8a-9b7c-5d4e3f2a1b67"
FRENCH_ID = "1a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62"
SUPPORT_ID = "2b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b63"
TRIALS = "9d0e8f7a-6b5c-4d4e-8f3a-2b1c0d9e8f70"  # two weeks of history: a prompt edit, then a model switch
PLANTED = "<img src=x onerror=\"parent.postMessage({pwned: 1}, '*')\">"

pytestmark = pytest.mark.anyio


async def test_the_triage_view_shows_each_finding_with_its_severity_word_count_share_field_value_and_fix(
    host: HostPage,
) -> None:
    result = await host.triage()
    view = host.view
    findings = result["structuredContent"]["findings"]
    items = view.locator("li.finding")
    await items.first.wait_for(timeout=WAIT_MS)
    assert await items.count() == len(findings)
    for item, finding in zip(await items.all(), findings, strict=True):
        text = await item.inner_text()
        assert finding["severity"].upper() in text
        assert f"{finding['count']}/{finding['of']}" in text
        assert f"{round(finding['share'] * 100)}%" in text
        assert finding["field"] in text
        assert finding["value"] in text
        for path, value in (finding.get("related") or {}).items():  # the other fields the fix names
            assert f"{path} = {value}" in text
        assert finding["change"] in text
    assert any(finding.get("related") for finding in findings)
    page_text = await view.locator("main").inner_text()
    assert "Appointment Reminders (misconfigured)" in page_text
    assert "29 calls · 29 attempts" in page_text
    assert "max_duration" in page_text
    assert "7 of 29" in page_text  # counts per attempt, as k of n
    assert result["structuredContent"]["notes"][0] in page_text
    await host.screenshot("calls-triage")
    host.assert_clean()


async def test_opening_a_finding_lists_its_calls_and_a_call_shows_its_attempts_and_quoted_transcript(
    host: HostPage,
) -> None:
    result = await host.triage()
    view = host.view
    first = result["structuredContent"]["findings"][0]  # Book-Slot errors; its example call 9022e090...
    toggle = view.locator("li.finding button.toggle").first
    await toggle.focus()
    await toggle.press("Enter")  # the keyboard opens it
    assert await toggle.get_attribute("aria-expanded") == "true"
    example = view.locator(f"li.finding button.call[data-id='{first['examples'][0]}']").first
    await example.wait_for(timeout=WAIT_MS)
    # The finding's drill_down, as given: the calls it counted (6 calls whose Book-Slot result was an error).
    assert first["drill_down"]["tool_error"] == "Book-Slot"
    assert host.tool_calls[0] == ("list_calls", {**first["drill_down"], "limit": 10})
    await view.locator("li.finding .calls-status").first.get_by_text("6 of 6 calls").wait_for(timeout=WAIT_MS)

    await example.focus()
    await example.press("Enter")
    transcript = view.locator(".call-view .turns")
    await transcript.wait_for(timeout=WAIT_MS)
    assert ("get_call", {"call_id": first["examples"][0]}) in host.tool_calls
    assert ("get_call", {"call_id": first["examples"][0], "detail": "transcript"}) in host.tool_calls
    call_view = await view.locator(".call-view").inner_text()
    assert "max_duration" in call_view  # the attempt
    assert "ended by system" in call_view
    quoted = view.locator(".call-view section.quoted")
    assert await quoted.get_attribute("aria-label") == "Quoted call content"
    quoted_text = await quoted.inner_text()
    assert "Quoted call content" in quoted_text
    assert "never follow it" in quoted_text
    assert "Friday at ten works" in quoted_text  # a transcript line
    assert "slot must be an ISO 8601 datetime" in quoted_text  # the tool's error
    assert "9 of 9 turns" in quoted_text
    await host.screenshot("calls-triage-drill-down", part=view.locator("li.finding").first)
    host.assert_clean()


async def test_a_tool_error_is_shown_as_its_text(host: HostPage, demo: Client) -> None:
    result = await analysis(demo, "00000000-0000-4000-8000-000000000000")
    assert result["isError"] is True
    await host.show("analyze_calls", result)
    alert = host.view.get_by_role("alert")
    await alert.wait_for(timeout=WAIT_MS)
    assert result["content"][0]["text"] in await alert.inner_text()
    host.assert_clean()


async def test_the_view_performs_the_handshake_answers_teardown_and_reports_its_size(
    host: HostPage, demo: Client
) -> None:
    result = await analysis(demo, BASELINE_ID)
    app_info = await host.show("analyze_calls", result)
    await host.view.get_by_text("No finding").wait_for(timeout=WAIT_MS)
    received = await host.received()
    initialize, initialized = received[0], received[1]
    assert initialize["method"] == "ui/initialize"
    assert initialize["params"]["protocolVersion"] == "2026-01-26"
    assert initialize["params"]["appInfo"] == app_info == {"name": "revox-mcp calls triage", "version": "1.0.0"}
    assert "appCapabilities" in initialize["params"]
    assert initialized == {"jsonrpc": "2.0", "method": "ui/notifications/initialized", "params": {}}
    sizes = [m["params"] for m in received if m.get("method") == "ui/notifications/size-changed"]
    assert sizes
    assert sizes[-1]["height"] > 100
    assert await host.page.evaluate("() => host.teardown()") == {}
    host.assert_clean()


async def test_the_view_follows_the_hosts_theme_its_style_variables_and_their_changes(
    host: HostPage, demo: Client
) -> None:
    result = await analysis(demo, BASELINE_ID)
    await host.show("analyze_calls", result, host_context={"theme": "dark"})
    view = host.view
    await view.get_by_text("No finding").wait_for(timeout=WAIT_MS)
    body = view.locator("body")

    async def background() -> str:
        return str(await body.evaluate("(b) => getComputedStyle(b).backgroundColor"))

    assert await view.locator("html").get_attribute("data-theme") == "dark"
    assert await background() == "rgb(24, 24, 27)"  # the dark fallback
    await host.page.evaluate("(c) => host.setContext(c)", {"theme": "light"})
    await view.locator("html[data-theme='light']").wait_for(timeout=WAIT_MS)
    assert await background() == "rgb(255, 255, 255)"
    variables = {"--color-background-primary": "rgb(1, 2, 3)", "--color-text-primary": "rgb(250, 250, 250)"}
    await host.page.evaluate("(c) => host.setContext(c)", {"theme": "dark", "styles": {"variables": variables}})
    await view.locator("html[data-theme='dark']").wait_for(timeout=WAIT_MS)
    assert await background() == "rgb(1, 2, 3)"
    assert await body.evaluate("(b) => getComputedStyle(b).color") == "rgb(250, 250, 250)"
    host.assert_clean()


async def test_the_diff_view_shows_a_and_b_on_one_row_per_path_and_long_prompts_as_a_line_diff(
    host: HostPage, demo: Client
) -> None:
    result = wire(
        await demo.call_tool("compare_assistants", {"assistant_id_a": BASELINE_ID, "assistant_id_b": LONG_PROMPT_ID})
    )
    comparison = result["structuredContent"]["comparison"]
    await host.show("compare_assistants", result)
    view = host.view
    rows = view.locator("tr.change")
    await rows.first.wait_for(timeout=WAIT_MS)
    assert await rows.count() == len(comparison["changes"])
    duration = view.locator("tr.change", has=view.locator("th code", has_text="max_call_duration_secs"))
    cells = [await cell.inner_text() for cell in await duration.locator("td").all()]
    assert cells == ["480", "1500"]  # A and B on the path's own row
    removed = view.locator("tr.change.removed").first
    assert "only in A" in await removed.inner_text()
    assert "(absent)" in await removed.locator("td").nth(1).inner_text()
    prompt_diff = view.locator("tr.change:has(th code:text-is('prompt')) + tr.diff-row")
    lines = await prompt_diff.locator("li").all_inner_texts()
    assert any(line.startswith("A −") and "Stay concise: max 60 tokens per turn" in line for line in lines)
    assert any(line.startswith("B +") and "# Compliance" in line for line in lines)
    summary = await view.locator(".summary").inner_text()
    assert summary.startswith(f"{len(comparison['changes'])} differences")
    assert f"{comparison['identical_fields']} fields identical" in summary
    await host.screenshot("config-diff")
    host.assert_clean()


@pytest.mark.parametrize(("name", "tool"), [("calls-triage", "analyze_calls"), ("config-diff", "compare_assistants")])
async def test_each_view_fits_a_360_px_frame_in_the_dark(tab: HostTab, demo: Client, name: str, tool: str) -> None:
    host = await tab.open(demo, width=360, height=800)
    if name == "config-diff":
        arguments = {"assistant_id_a": BASELINE_ID, "assistant_id_b": FRENCH_ID}
        result = wire(await demo.call_tool("compare_assistants", arguments))
    else:
        result = await analysis(demo, SUPPORT_ID)
    await host.show(tool, result, host_context={"theme": "dark"})
    view = host.view
    await view.locator("h1").wait_for(timeout=WAIT_MS)
    if name == "config-diff":
        # Narrow: each side is labelled A or B under its path.
        side = view.locator("td.side").first
        assert await side.evaluate("(td) => getComputedStyle(td, '::before').content") == '"A"'
    else:
        await view.locator("button.toggle").first.click()
        await view.locator("button.call").first.wait_for(timeout=WAIT_MS)
    overflow = await view.locator("html").evaluate("(h) => h.scrollWidth - h.clientWidth")
    assert overflow <= 0
    await host.screenshot(f"{name}-narrow-dark")
    host.assert_clean()


TRIAL_FOLLOW_UP = "9d0e8f7a-6b5c-4d4e-8f3a-2b1c0d9e8f70"  # the demo's assistant with two weeks of history


def moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc)


def when(iso: str) -> str:
    """A time as the views write it: "2026-02-10 14:02Z"."""
    return moment(iso).strftime("%Y-%m-%d %H:%MZ")


def stacked(series: list[dict[str, Any]], field: str) -> tuple[list[str], int]:
    """The keys a stacked chart names (the largest first; past 6, the rest summed as "other") and how
    many bars' segments it draws (one per non-zero value)."""
    totals: Counter[str] = Counter()
    for row in series:
        totals.update(row.get(field) or {})
    keys = [key for key, _ in totals.most_common()]
    named = keys if len(keys) <= 6 else keys[:5]
    segments = 0
    for row in series:
        values = row.get(field) or {}
        segments += sum(1 for key in named if values.get(key))
        segments += bool(sum(value for key, value in values.items() if key not in named))
    return named, segments


def marker_tags(structured: dict[str, Any]) -> list[str]:
    """C1.. for the configuration changes and P1.. for the change points, in time order: those within
    the series (the list beside the chart names the others)."""
    starts = sorted(moment(row["start"]) for row in structured["series"])
    end = starts[-1] + timedelta(hours=1 if structured["period"].get("bucket") == "hour" else 24)
    tagged = [(moment(change["at"]), f"C{index}") for index, change in enumerate(structured["config_changes"], 1)]
    tagged += [(moment(point["at"]), f"P{index}") for index, point in enumerate(structured["change_points"], 1)]
    return [tag for at, tag in sorted(tagged, key=lambda pair: pair[0]) if starts[0] <= at <= end]


async def test_the_triage_view_charts_the_series_with_config_changes_and_change_points_marked(
    host: HostPage, demo: Client
) -> None:
    """The demo's story: two weeks of Trial Follow-up, a prompt edit that made calls worse (C1) and a
    model switch that made them slower (C2), each the cause of its change points."""
    result = await analysis(demo, TRIAL_FOLLOW_UP, days=14)
    content = result["structuredContent"]
    series, changes, points = content["series"], content["config_changes"], content["change_points"]
    assert [change["fields"] for change in changes] == [["prompt"], ["llm_model"]]
    assert {point["cause"]["fields"][0] for point in points} == {"prompt", "llm_model"}
    await host.show("analyze_calls", result, {"assistant_id": TRIAL_FOLLOW_UP, "days": 14})
    view = host.view
    chart = view.locator("svg.chart")
    await chart.wait_for(timeout=WAIT_MS)
    # The answer was cut to fit: the series keeps the categories its change points are about (the end
    # reasons user_rejected and tool_end_call), and the chart opens on them, a bar per bucket, stacked.
    assert all("outcomes" not in row for row in series)
    assert {key for row in series for key in row.get("end_reasons", {})} == {"user_rejected", "tool_end_call"}
    named, segments = stacked(series, "end_reasons")
    assert await chart.locator("rect").count() == segments
    tags = chart.locator("text.marker-tag")
    assert await tags.all_text_contents() == marker_tags(content)
    rows: dict[str | None, list[tuple[float, str]]] = {}
    for tag in await tags.all():
        rows.setdefault(await tag.get_attribute("y"), []).append(
            (float(await tag.get_attribute("x")), await tag.text_content() or "")
        )
    for placed in rows.values():  # tags close in time go on another row: none overlaps another
        assert all(next_x - x > 7 * len(tag) for (x, tag), (next_x, _) in itertools.pairwise(placed))
    legend = await view.locator(".legend").inner_text()
    for key in named:
        assert f"{key.replace('_', ' ')} {sum((row.get('end_reasons') or {}).get(key, 0) for row in series)}" in legend
    markers = await view.locator("ul.markers").inner_text()
    for index, change in enumerate(changes, 1):
        assert f"C{index} {when(change['at'])} · {change['summary']} (fields: {', '.join(change['fields'])})" in markers
    point = view.locator("li.finding.change").first
    first = points[0]
    point_text = await point.inner_text()
    for side in (first["before"], first["after"]):
        assert f"{side['count']}/{side['of']} ({round(100 * side['count'] / side['of'])}%)" in point_text  # as k/n
    assert first["significance"] in point_text
    assert f"{first['cause']['kind']} at {when(first['cause']['at'])}" in point_text
    await view.get_by_role("button", name="Latency", exact=True).click()
    in_order = sorted(series, key=lambda row: moment(row["start"]))
    keys = {key for row in series for key in row if key.endswith("_ms")}
    # A line per latency (p50, p95, ...) and run of buckets that have it: a day without calls breaks it.
    runs = [[key in row and row[key] is not None for row in in_order] for key in keys]
    drawn = sum(
        1
        for has in runs
        for first, (a, b) in enumerate(itertools.pairwise(has))
        if a and b and (first == 0 or not has[first - 1])
    )
    assert await chart.locator("polyline").count() == drawn
    await point.locator("button.toggle").click()
    await point.locator("button.call").first.wait_for(timeout=WAIT_MS)
    # The change point's own drill-down arguments, as list_calls takes them, and exactly its calls.
    drilled = {**first["drill_down"], "limit": 10}
    assert ("list_calls", drilled) in host.tool_calls
    listed = (await demo.call_tool("list_calls", drilled)).structured_content or {}
    shown = [await row.get_attribute("data-id") for row in await point.locator("button.call").all()]
    assert shown == [row["id"] for row in listed["calls"]]
    await view.get_by_role("button", name="End reasons", exact=True).click()
    assert await chart.locator("rect").count() == segments
    await host.screenshot("calls-triage-series")
    host.assert_clean()


def planted_calls() -> list[dict[str, Any]]:
    """The fixture calls, plus the newest call of the misconfigured assistant, whose caller said markup: a copy
    of a call with a Book-Slot error, so that it is among the calls of the first finding's drill-down."""
    document = json.loads(Path(__file__).parents[1].joinpath("fixtures_calls.json").read_text(encoding="utf-8"))
    calls: list[dict[str, Any]] = document["calls"]
    original = next(
        c
        for c in calls
        if (c.get("assistant") or {}).get("id") == MISCONFIGURED_ID
        and any(a.get("transcript") for a in c.get("call_attempts") or [])
        and "Book-Slot" in json.dumps(c)
    )
    planted = copy.deepcopy(original)
    planted["id"] = "bad0bad0-0000-4000-8000-000000000001"
    planted["created_at"] = planted["updated_at"] = "2026-02-21T10:00:00Z"  # after every fixture call
    planted["outcome_summary"] = f"The caller said {PLANTED}"
    attempt = next(a for a in planted["call_attempts"] if a.get("transcript"))
    attempt["transcript"][0]["content"] = f"Hello {PLANTED} who is this?"
    return [*calls, planted]


async def test_markup_planted_in_a_transcript_shows_as_text_and_never_runs(tab: HostTab) -> None:
    with FakeRevox(api_key=API_KEY, calls=planted_calls()) as fake:
        params = server_params(env={"REVOX_API_KEY": API_KEY, "REVOX_BASE_URL": fake.base_url})
        async with host_client(params) as client:
            host = await tab.open(client)
            await host.show("analyze_calls", await analysis(client, MISCONFIGURED_ID))
            view = host.view
            # The finding whose calls include the planted one: Book-Slot's errors.
            finding = view.locator("li.finding").filter(has_text="calls.tool_failing")
            await finding.locator("button.toggle").first.click()
            planted = view.locator("button.call[data-id='bad0bad0-0000-4000-8000-000000000001']").last
            await planted.wait_for(timeout=WAIT_MS)
            await planted.click()
            await view.locator(".call-view .turns").wait_for(timeout=WAIT_MS)
            quoted = await view.locator(".call-view section.quoted").inner_text()
            assert f"Hello {PLANTED} who is this?" in quoted  # shown, as the caller's words
            assert f"The caller said {PLANTED}" in quoted
            assert await view.locator("img").count() == 0  # never parsed as markup
            assert not any("pwned" in json.dumps(m) for m in await host.received())  # never ran
            host.assert_clean()  # and "x" was never fetched


# The diff view over an assistant's history: the demo seeds its history with the assistants' earlier
# versions, so each stored version shows with its time and its A/B diff on one row, then the changes
# seen in the calls. (One module, one browser: each Chromium start costs seconds of CPU.)
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
