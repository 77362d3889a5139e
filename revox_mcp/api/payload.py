"""Bytes from Revox to JSON values, whatever Revox sends. Pure, no I/O.

``json.loads`` with three guards: invalid UTF-8 becomes U+FFFD instead of failing the body,
integers too long to be numbers become a marker instead of a ``ValueError`` (Python refuses more
than 4,300 digits), and a body nested deeper than the parser's recursion limit is read element by
element, so one absurd assistant is dropped (and counted) instead of hiding all the others.
NaN, infinities and lone surrogates are left for ``domain.ingest`` to clean, with everything else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# Above this, an integer literal is kept as a marker (a JSON number no client can use exactly).
MAX_INT_DIGITS = 20
# Strings and structural characters: what the fallback reader needs to find element boundaries.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]', re.DOTALL)


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
