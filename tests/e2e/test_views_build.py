"""The views as shipped: self-contained HTML under a CSP that allows their own script and style and
nothing else, small, readable by name from the package, and the same bytes a fresh build makes."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from e2e.views_host import VIEWS_SOURCE, missing_node, require

from revox_mcp.views import VIEW_NAMES, view_html

# A view travels in every resources/read: keep it small.
MAX_VIEW_BYTES = 150_000


class Document(HTMLParser):
    """The tags, attributes and inline blocks of one HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.blocks:
            self._open = tag
            self.blocks[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.blocks[self._open][-1] += data


def parse(html: str) -> Document:
    document = Document()
    document.feed(html)
    document.close()
    return document


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


@pytest.mark.parametrize("name", VIEW_NAMES)
def test_each_view_is_one_small_document_that_loads_nothing_and_runs_only_its_own_script(name: str) -> None:
    html = view_html(name)
    assert len(html.encode("utf-8")) < MAX_VIEW_BYTES
    document = parse(html)
    (script,) = document.blocks["script"]
    (style,) = document.blocks["style"]
    for tag, attrs in document.tags:
        assert tag not in {"link", "img", "iframe", "object", "embed", "base", "form"}, tag
        assert not {"src", "href", "srcdoc", "action", "style"} & attrs.keys(), (tag, attrs)
        assert not any(attr.startswith("on") for attr in attrs), (tag, attrs)
    (policy,) = [
        attrs["content"] for _tag, attrs in document.tags if attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    directives = dict(part.strip().split(" ", 1) for part in (policy or "").split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"] == "'none'"
    assert directives["script-src"] == csp_hash(script)  # no inline handler, no eval, nothing injected runs
    assert directives["style-src"] == csp_hash(style)
    # No storage, cookies or code from strings: views run in an opaque origin under the host's CSP.
    for forbidden in ("localStorage", "sessionStorage", "indexedDB", "document.cookie", "new Function", "innerHTML"):
        assert forbidden not in script, forbidden
    assert not re.search(r"\beval\(", script)


def test_a_view_is_read_by_name_and_an_unknown_name_is_refused() -> None:
    assert view_html("config-diff").startswith("<!doctype html>")
    with pytest.raises(ValueError, match="calls-triage, config-diff"):
        view_html("nope")  # type: ignore[arg-type]


def build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(VIEWS_SOURCE / "build.mjs"), *args],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_committed_views_are_what_a_fresh_build_of_views_src_makes() -> None:
    require(missing_node())
    checked = build("--check")
    assert checked.returncode == 0, checked.stderr


def test_two_builds_make_the_same_bytes(tmp_path: Path) -> None:
    require(missing_node())
    for folder in ("one", "two"):
        assert build("--out", str(tmp_path / folder)).returncode == 0
    for name in VIEW_NAMES:
        assert (tmp_path / "one" / f"{name}.html").read_bytes() == (tmp_path / "two" / f"{name}.html").read_bytes()
