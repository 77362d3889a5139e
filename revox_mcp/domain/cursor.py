"""Opaque pagination cursors. Pure.

A cursor names what it belongs to: the tool, the key fingerprint that made it, the version of the
data it pages through, the query or filters, and a position. Any mismatch is a clear InputError
that says how to start again, never a silently wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from revox_mcp.errors import InputError

_PREFIX = "c2"


def tag_of(query: Any) -> str:
    """A short digest of a query or filter set (canonical JSON, case-folded strings)."""
    canonical = json.dumps(query, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.casefold().encode()).hexdigest()[:10]


def encode_cursor(*, tool: str, scope: str, version: str, position: str | int, query: Any = None) -> str:
    raw = ":".join([_PREFIX, tool, scope[:8], version, str(position), tag_of(query)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, tool: str, scope: str, version: str | None, query: Any = None) -> str:
    """The position a cursor points at; InputError if it is malformed, stale, or for another tool, key or query.

    ``version=None`` skips the version check (data paged upstream has no version of ours).
    """
    restart = f"Call {tool} again without a cursor to start from the first page."
    text = cursor.strip()
    try:
        raw = base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode()).decode()
        prefix, cursor_tool, cursor_scope, cursor_version, position, tag = raw.split(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InputError(f"The cursor is not one {tool} returned. {restart}") from None
    if prefix != _PREFIX or not position:
        raise InputError(f"The cursor is not one {tool} returned. {restart}")
    if cursor_tool != tool:
        raise InputError(f"The cursor belongs to {cursor_tool[:40]}, not {tool}. {restart}")
    if cursor_scope != scope[:8]:
        raise InputError(f"The cursor was issued for another API key. {restart}")
    if version is not None and cursor_version != version:
        raise InputError(f"The cursor is stale: the data changed since it was issued. {restart}")
    if tag != tag_of(query):
        raise InputError(f"The cursor belongs to a different query or filters. {restart}")
    return position


def decode_offset(cursor: str | None, *, tool: str, scope: str, version: str | None, query: Any = None) -> int:
    """An integer position (0 without a cursor)."""
    if not cursor:
        return 0
    position = decode_cursor(cursor, tool=tool, scope=scope, version=version, query=query)
    if not position.isdigit():
        raise InputError(f"The cursor is not one {tool} returned. Call {tool} again without a cursor.")
    return int(position)
