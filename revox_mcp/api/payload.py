"""Bytes from Revox to JSON values, whatever Revox sends. Pure, no I/O.

``json.loads`` with three guards: invalid UTF-8 becomes U+FFFD instead of failing the body,
integers too long to be numbers become a marker instead of a ``ValueError`` (Python refuses more
than 4,300 digits), and a body nested deeper than the parser's recursion limit is read element by
element, so one absurd assistant is dropped (and counted) instead of hiding all the others.
NaN, infinities and lone surrogates are left for ``domain.ingest`` to clean, with everything else.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Above this, an integer literal is kept as a marker (a JSON number no client can use exactly).
MAX_INT_DIGITS = 20
# Strings and structural characters: what the fallback reader needs to find element boundaries.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]', re.DOTALL)


@dataclass(frozen=True)
class Reply:
    """A successful answer: the parsed JSON, its size as received (decoded bytes), entries dropped while
    reading, and the digest of the body. ``unchanged``: the body had the digest the caller already has,
    so it was not parsed (``value`` is None)."""

    value: Any
    size: int
    dropped: int = 0
    digest: str = ""
    unchanged: bool = False


@dataclass(frozen=True)
class Parsed:
    """A parsed body, and how many top-level entries had to be dropped to read the rest."""

    value: Any
    dropped: int = 0


def _int(digits: str) -> int | str:
    if len(digits) <= MAX_INT_DIGITS:
        return int(digits)
    return f"[number of {len(digits.lstrip('-'))} digits]"


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=_int)


def parse_json(body: bytes | bytearray | str) -> Parsed:
    """The JSON value of ``body``; ValueError if it is not JSON at all. A bytearray is emptied once
    decoded, so a big body's bytes are freed before its objects are built."""
    text = body if isinstance(body, str) else body.decode("utf-8", "replace")
    if isinstance(body, bytearray):
        body.clear()
    try:
        return Parsed(_loads(text))
    except RecursionError:
        return _parse_by_element(text)


def _parse_by_element(text: str) -> Parsed:
    """Read a too-deep body member by member (and list entry by list entry), dropping what cannot be read."""
    members, elements = _top_level_spans(text)
    dropped = 0

    def read(span: tuple[int, int]) -> tuple[bool, Any]:
        nonlocal dropped
        try:
            return True, _loads(text[span[0] : span[1]])
        except (ValueError, RecursionError):
            dropped += 1
            return False, None

    if members is None:  # a top-level array
        return Parsed([value for ok, value in map(read, elements.get(None, [])) if ok], dropped)
    out: dict[str, Any] = {}
    for key, span in members.items():
        if key in elements:
            out[key] = [value for ok, value in map(read, elements[key]) if ok]
            continue
        ok, value = read(span)
        if ok:
            out[key] = value
    return Parsed(out, dropped)


def _top_level_spans(
    text: str,
) -> tuple[dict[str, tuple[int, int]] | None, dict[str | None, list[tuple[int, int]]]]:
    """Spans of the top-level object's member values (None for a top-level array), and of the
    entries of every array found at the first level (keyed by member name; None for a top-level array)."""
    start = len(text) - len(text.lstrip())
    if start >= len(text) or text[start] not in "{[":
        raise ValueError("not a JSON object or array")
    top_is_object = text[start] == "{"
    members: dict[str, tuple[int, int]] = {}
    elements: dict[str | None, list[tuple[int, int]]] = {}
    depth = 0
    key: str | None = None
    pending_key: str | None = None
    value_start = -1
    array_key: str | None = None
    in_array = False
    element_start = -1
    for match in _TOKEN.finditer(text, start):
        tok = match.group()
        pos = match.start()
        if tok in "{[":
            depth += 1
            if depth == 2 and top_is_object and tok == "[" and key is not None and value_start == pos:
                in_array, array_key, element_start = True, key, match.end()
                elements[key] = []
            elif depth == 1 and not top_is_object:
                in_array, array_key, element_start = True, None, match.end()
                elements[None] = []
            continue
        if tok in "}]":
            if in_array and depth == (2 if top_is_object else 1) and tok == "]":
                _add_span(text, elements[array_key], element_start, pos)
                in_array = False
            depth -= 1
            if depth == 0:
                if top_is_object and key is not None:
                    members[key] = (value_start, pos)
                break
            continue
        if tok == ",":
            if in_array and depth == (2 if top_is_object else 1):
                _add_span(text, elements[array_key], element_start, pos)
                element_start = match.end()
            elif top_is_object and depth == 1 and key is not None:
                members[key] = (value_start, pos)
                key = None
            continue
        if tok == ":":
            if top_is_object and depth == 1 and pending_key is not None:
                key, pending_key, value_start = pending_key, None, match.end()
                # the value starts at the next non-space character
                while value_start < len(text) and text[value_start].isspace():
                    value_start += 1
            continue
        # a string tok
        if top_is_object and depth == 1 and key is None:
            try:
                pending_key = json.loads(tok)
            except ValueError:
                pending_key = None
    return (members if top_is_object else None), elements


def _add_span(text: str, spans: list[tuple[int, int]], begin: int, end: int) -> None:
    if text[begin:end].strip():
        spans.append((begin, end))


# --- a list read entry by entry --------------------------------------------------------------------

_DECODER = json.JSONDecoder(parse_int=_int)
_NOT_SPACE = re.compile(r"[^ \t\n\r]")
# Strings, structural characters, and a quote whose string the text read so far cuts.
_SCAN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]|"', re.DOTALL)
_WINDOW_CHARS = 64 * 1024


class _Window:
    """A body's text decoded chunk by chunk: ``text[pos:]`` is what is left to read of what was decoded
    so far. Each chunk is let go once decoded, and text once read past."""

    def __init__(self, chunks: list[bytes] | list[memoryview]) -> None:
        self._chunks: list[bytes | memoryview] = list(chunks)
        self._next = 0
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self.text = ""
        self.pos = 0

    def grow(self) -> bool:
        """Decode at least as much again as is left unread (re-reading a long value stays linear overall);
        False at the end of the body."""
        if self._next >= len(self._chunks):
            return False
        parts = [self.text[self.pos :]]
        wanted, got = max(len(parts[0]), _WINDOW_CHARS), 0
        while got < wanted and self._next < len(self._chunks):
            chunk, self._chunks[self._next] = self._chunks[self._next], b""
            self._next += 1
            parts.append(self._utf8.decode(chunk, final=self._next == len(self._chunks)))
            if isinstance(chunk, memoryview):
                chunk.release()  # its block goes with it
            got += len(parts[-1])
        self.text, self.pos = "".join(parts), 0
        return True

    def rest(self) -> str:
        while self.grow():
            pass
        return self.text[self.pos :]

    def peek(self) -> str:
        """The next character that is not white space, with ``pos`` on it; "" at the end of the body."""
        while True:
            found = _NOT_SPACE.search(self.text, self.pos)
            if found is not None:
                self.pos = found.start()
                return self.text[self.pos]
            self.pos = len(self.text)
            if not self.grow():
                return ""

    def expect(self, chars: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            raise ValueError(f"expected one of {chars!r}")
        self.pos += 1
        return char

    def value(self) -> Any:
        """The JSON value at ``pos``, with ``pos`` after it. ValueError: not JSON; RecursionError: too deep."""
        self.peek()
        while True:
            try:
                found, end = _DECODER.raw_decode(self.text, self.pos)
            except ValueError:
                if self.grow():  # cut by the end of what was decoded, maybe
                    continue
                raise
            if end >= len(self.text) and self.grow():
                continue  # a number or a literal may go on in the next chunk
            self.pos = end
            return found

    def skip(self) -> None:
        """Past the object or array at ``pos`` (one too deep to read), counting its brackets."""
        depth, at = 0, self.pos
        while True:
            for match in _SCAN.finditer(self.text, at):
                piece = match.group()
                if piece == '"':  # a string cut by the end of what was decoded: read more, scan it again
                    at = match.start()
                    break
                at = match.end()
                if piece in "[{":
                    depth += 1
                elif piece in "]}":
                    depth -= 1
                    if depth == 0:
                        self.pos = at
                        return
            else:
                at = len(self.text)
            start = self.pos
            if not self.grow():
                raise ValueError("a value is not closed")
            at -= start


class Entries:
    """The entries of the list under one member of a JSON object body, parsed one at a time as they are
    iterated (once): the whole list never exists parsed, and the body's text is let go as it is read.
    The rest of the body is read, and checked, after the last entry. ``dropped``: entries nested too
    deep to read, counted as they are met. ValueError while iterating: the body is not JSON after all."""

    def __init__(self, walk: Iterator[Any]) -> None:
        self._walk: Iterator[Any] | None = walk
        self.dropped = 0

    def __iter__(self) -> Iterator[Any]:
        walk, self._walk = self._walk, None
        if walk is None:
            raise RuntimeError("the entries of a body are read once")
        return walk


_LIST = object()  # what the walk yields first when the list is found


def read_list(chunks: list[bytes] | list[memoryview], field: str) -> Parsed:
    """``parse_json`` of a body in ``chunks`` (let go as they are read) that is an object with a list under
    ``field`` (``{"assistants": [...]}``): that list as ``Entries``, the members before it parsed. A body
    of another shape is parsed whole. ValueError if it is not JSON; the first ``field`` list counts."""
    window = _Window(chunks)
    if window.peek() != "{":
        return parse_json(window.rest())
    members: dict[str, Any] = {}
    entries = Entries(iter(()))
    walk = _walk(window, field, members, entries)
    if next(walk, None) is not _LIST:
        return Parsed(members, entries.dropped)  # no such list: read whole
    dropped, entries.dropped = entries.dropped, 0
    entries._walk = walk
    members[field] = entries
    return Parsed(members, dropped)


def _walk(window: _Window, field: str, members: dict[str, Any], entries: Entries) -> Iterator[Any]:
    window.expect("{")
    listed = False
    if window.peek() == "}":
        window.pos += 1
    else:
        while True:
            if window.peek() != '"':
                raise ValueError("expected a member name")
            name = window.value()
            window.expect(":")
            if name == field and not listed and window.peek() == "[":
                listed = True
                yield _LIST
                yield from _entries(window, entries)
            else:
                try:
                    member = window.value()
                except RecursionError:
                    window.skip()
                    entries.dropped += 1
                else:
                    if not listed:
                        members[name] = member
            if window.expect(",}") == "}":
                break
    if window.peek():
        raise ValueError("extra data after the body")


def _entries(window: _Window, entries: Entries) -> Iterator[Any]:
    window.expect("[")
    if window.peek() == "]":
        window.pos += 1
        return
    while True:
        try:
            entry = window.value()
        except RecursionError:
            window.skip()
            entries.dropped += 1
        else:
            yield entry
        if window.expect(",]") == "]":
            return
