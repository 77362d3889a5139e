"""The harness of the views' browser tests: Debian's headless Chromium driven by Playwright, our host
page (tests/e2e/host: ext-apps' AppBridge playing the host side of MCP Apps), and a real revox-mcp
reached through the official MCP client, which advertises the Apps extension as a host does. Like a
host, the harness finds a tool's view in its ``_meta.ui.resourceUri``, reads the view's HTML with
``resources/read`` (served as ``text/html;profile=mcp-app``), shows it the tool's real result, and
relays the view's own tools/call requests to the same server.

The page is served from an origin that never resolves (``http://views.test``): every request the
browser makes is answered by a route that records it, serves the host page and its script, and
refuses anything else. A view that reached for the network would show up in ``requests``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.extension import ClientExtension, advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from processes import STATE_DIR
from support import require

REPO = Path(__file__).resolve().parents[2]
VIEWS_SOURCE = REPO / "views"
HOST_DIR = Path(__file__).with_name("host")
ORIGIN = "http://views.test"
HOST_URL = f"{ORIGIN}/host.html"
HOST_SCRIPT_URL = f"{ORIGIN}/host.js"
CHROMIUM = os.environ.get("REVOX_MCP_CHROMIUM", "/usr/bin/chromium")
# Debian's chromium on a closed network: no sandbox (root in CI), no GPU, and none of the background
# connections (updates, sync, QUIC probes) that the network would refuse at every start.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SETTLED_HEIGHT = """() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
    const root = document.documentElement;
    const before = root.style.height;
    root.style.height = "max-content";
    const height = Math.ceil(root.getBoundingClientRect().height);
    root.style.height = before;
    resolve(height);
})))"""
# The demo's assistant with the most findings (tool errors, max duration, a silent opening, ...).
MISCONFIGURED_ID = "4d5e4f3a-2b1c-4d0e-9f8a-7b6c5d4e3f65"
# How long a locator waits for what a view shows after a tools/call through the relay.
WAIT_MS = 15_000
# What the relay's server child inherits (the stdio client adds HOME, PATH, ...).
CHILD_ENV = {"REVOX_MCP_LOG_LEVEL": "WARNING", "REVOX_MCP_STATE_DIR": STATE_DIR}


def missing_tools() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    return missing_node()


def missing_node() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (VIEWS_SOURCE / "node_modules").is_dir():
        return "views/node_modules is missing (npm ci --prefix views)"
    return None


def build_host_script(out: Path) -> str:
    """The host page's script, bundled with the ext-apps package it uses."""
    subprocess.run(
        ["node", str(VIEWS_SOURCE / "build.mjs"), "--host", str(out)],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    return out.read_text(encoding="utf-8")


def server_params(*args: str, env: dict[str, str] | None = None) -> StdioServerParameters:
    """A real revox-mcp process over stdio (the venv's console script when there is one)."""
    script = Path(sys.executable).with_name("revox-mcp")
    if script.exists():
        return StdioServerParameters(command=str(script), args=list(args), env={**CHILD_ENV, **(env or {})})
    return StdioServerParameters(
        command=sys.executable, args=["-m", "revox_mcp", *args], env={**CHILD_ENV, **(env or {})}
    )


def renders_views() -> ClientExtension:
    """What a host that renders views advertises to the server."""
    return advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})


def host_client(params: StdioServerParameters) -> Client:
    """The official MCP client of the server ``params`` starts, as a host that renders views."""
    return Client(params, extensions=[renders_views()])


async def served_view(client: Client, tool: str) -> str:
    """The HTML of ``tool``'s view as a host gets it: named by the tool's ``_meta.ui.resourceUri``,
    read with ``resources/read``, rendered only when served as ``text/html;profile=mcp-app``."""
    listed = {listed.name: listed for listed in (await client.list_tools()).tools}
    uri = (listed[tool].meta or {})["ui"]["resourceUri"]
    (content,) = (await client.read_resource(uri)).contents
    assert content.mime_type == APP_MIME_TYPE, content.mime_type
    html: str = getattr(content, "text", "")
    return html


def wire(result: Any) -> dict[str, Any]:
    """A CallToolResult as it travels in JSON (camelCase keys, no nulls)."""
    dumped: dict[str, Any] = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


async def analysis(client: Client, assistant_id: str, **period: Any) -> dict[str, Any]:
    """analyze_calls as the host received it: over the last calls, or over a period (``days=14``...)."""
    return wire(await client.call_tool("analyze_calls", {"assistant_id": assistant_id, **period}))


@dataclass
class HostPage:
    """One browser page holding the host page and, inside it, one view."""

    page: Any
    client: Client
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def view(self) -> Any:
        """The view's document, for locators."""
        return self.page.frame_locator("iframe")

    async def relay(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["name"]
        arguments = params.get("arguments") or {}
        self.tool_calls.append((name, arguments))
        return wire(await self.client.call_tool(name, arguments))

    async def show(
        self,
        tool: str,
        result: dict[str, Any],
        arguments: dict[str, Any] | None = None,
        host_context: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Load ``tool``'s view as the server serves it, complete its handshake, then send it the
        tool input and ``result``. Returns the view's app info as the host received it."""
        html = await served_view(self.client, tool)
        context = {"theme": "light", "displayMode": "inline", "locale": "en-US", **(host_context or {})}
        app_info: dict[str, Any] = await self.page.evaluate(
            "(a) => host.load(a)", {"html": html, "hostContext": context}
        )
        await self.page.evaluate("(a) => host.toolInput(a)", arguments or {})
        await self.page.evaluate("(r) => host.toolResult(r)", result)
        return app_info

    async def triage(self, assistant_id: str = MISCONFIGURED_ID) -> dict[str, Any]:
        """The calls triage view showing analyze_calls of ``assistant_id``; returns that result."""
        result = await analysis(self.client, assistant_id)
        await self.show("analyze_calls", result, {"assistant_id": assistant_id})
        return result

    async def received(self) -> list[dict[str, Any]]:
        """Every message the view posted to the host, in order."""
        messages: list[dict[str, Any]] = await self.page.evaluate("() => host.state.received")
        return messages

    async def screenshot(self, name: str, part: Any = None, max_height: int = 1600) -> None:
        """Saved under REVOX_MCP_SCREENSHOTS when set (docs/screenshots refreshes those of docs/views.md): the
        top of the view, or one ``part`` of it (a locator in the view), once the host has sized its
        frame to the view's content."""
        folder = os.environ.get("REVOX_MCP_SCREENSHOTS")
        if not folder:
            return
        frame = await (await self.page.wait_for_selector("iframe")).content_frame()
        for _ in range(100):
            # The content's height two animation frames on, as the view measures it for the host.
            content = await frame.evaluate(SETTLED_HEIGHT)
            if content == await self.page.evaluate("() => host.state.iframe.clientHeight"):
                break
        else:
            raise AssertionError("the host never sized the view's frame to its content")
        height = await self.page.evaluate("() => document.documentElement.scrollHeight")
        await self.page.set_viewport_size({"width": self.page.viewport_size["width"], "height": height})
        await frame.evaluate(SETTLED_HEIGHT)  # two frames painted at the new size
        await anyio.Path(folder).mkdir(parents=True, exist_ok=True)
        path = str(Path(folder) / f"{name}.png")
        if part is not None:
            await part.screenshot(path=path)
        else:
            width = self.page.viewport_size["width"]
            await self.page.screenshot(
                path=path, clip={"x": 0, "y": 0, "width": width, "height": min(height, max_height)}
            )

    def assert_clean(self) -> None:
        """Nothing left the page but the host page's own two files, and no console error."""
        assert set(self.requests) <= {HOST_URL, HOST_SCRIPT_URL}, self.requests
        assert self.errors == []


class HostTab:
    """One browser page for a module's tests, showing the host page. Each test loads the host page
    again (a fresh document) and gets its own ``HostPage``: what the page logs, asks for and relays
    goes to the current one. A new page per test would cost a renderer process start each time."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.current: HostPage | None = None

    def _now(self) -> HostPage:
        assert self.current is not None, "no test has opened the host page"
        return self.current

    async def open(self, client: Client, width: int = 760, height: int = 900) -> HostPage:
        """The host page loaded afresh at this size, relaying the view's tool calls to ``client``."""
        host = self.current = HostPage(page=self.page, client=client)
        await self.page.set_viewport_size({"width": width, "height": height})
        await self.page.goto(HOST_URL)
        return host


async def open_tab(browser: Any, host_script: str) -> tuple[HostTab, Callable[[], Awaitable[None]]]:
    """A fresh browser context with one page that serves the host page; returns it and its closer."""
    context = await browser.new_context()
    page = await context.new_page()
    tab = HostTab(page)
    page.on("console", lambda message: tab._now().errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: tab._now().errors.append(str(error)))
    page.on("request", lambda request: tab._now().requests.append(request.url))

    async def answer(route: Any) -> None:
        url = route.request.url
        if url == HOST_URL:
            await route.fulfill(
                body=(HOST_DIR / "host.html").read_text(encoding="utf-8"), content_type="text/html; charset=utf-8"
            )
        elif url == HOST_SCRIPT_URL:
            await route.fulfill(body=host_script, content_type="text/javascript; charset=utf-8")
        else:
            await route.abort()

    async def relay(params: dict[str, Any]) -> dict[str, Any]:
        return await tab._now().relay(params)

    await page.route("**/*", answer)
    await page.expose_function("relayToolCall", relay)
    return tab, context.close


# Fixtures of the browser test modules (conftest.py's anyio_backend is session-wide): one browser, one
# page and one demo server for a whole module, the host page loaded afresh for each test.


@pytest.fixture(scope="module")
def host_script(tmp_path_factory: pytest.TempPathFactory) -> str:
    require(missing_tools())
    return build_host_script(tmp_path_factory.mktemp("host") / "host.js")


@pytest.fixture(scope="module")
async def browser(host_script: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
async def demo(host_script: str) -> AsyncIterator[Client]:
    """The official MCP client of one real ``revox-mcp --demo`` process, over stdio, as a host."""
    async with host_client(server_params("--demo")) as client:
        yield client


@pytest.fixture(scope="module")
async def tab(browser: Any, host_script: str) -> AsyncIterator[HostTab]:
    opened, close = await open_tab(browser, host_script)
    yield opened
    await close()


@pytest.fixture
async def host(tab: HostTab, demo: Client) -> HostPage:
    return await tab.open(demo)
