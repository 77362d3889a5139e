"""Lenient reading of Revox payloads, and validation of what callers send. Pure, no I/O.

The API drifts (fields added, enum values added and removed, three shapes of
``call_retry_config``, untyped timestamps), so an assistant is kept as the JSON object Revox sent
and read through accessors that return ``None`` instead of raising on a missing, null or
wrong-typed value. Output models (``summary.py``) then list exactly what is emitted.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from revox_mcp.errors import InputError, RevoxResponseError

JsonObject = dict[str, Any]

MAX_ID_LENGTH = 200
_PLACEHOLDER = re.compile(r"\{\{\s*([\w.\-]+)\s*\}\}")


def text(obj: Mapping[str, Any] | None, key: str) -> str | None:
    """A string field, or None when absent, null or not a string."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, str) else None


def number(obj: Mapping[str, Any] | None, key: str) -> float | None:
    """A numeric field (bools excluded), or None."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def flag(obj: Mapping[str, Any] | None, key: str) -> bool | None:
    """A boolean field, or None."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, bool) else None


def child(obj: Mapping[str, Any] | None, key: str) -> Mapping[str, Any] | None:
    """A nested object, or None."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    return value if isinstance(value, Mapping) else None


def items(obj: Mapping[str, Any] | None, key: str) -> list[Mapping[str, Any]]:
    """The objects of a list field (non-object entries skipped); [] when absent or not a list."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]


def strings(obj: Mapping[str, Any] | None, key: str) -> list[str]:
    """The strings of a list field; [] when absent or not a list."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, str)]


def timestamp(obj: Mapping[str, Any] | None, key: str) -> str | None:
    """``created_at``/``updated_at`` are untyped upstream: strings as is, numbers as text, else None."""
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def placeholders(value: str | None) -> list[str]:
    """The ``{{variable}}`` names used in a text, in order of first appearance."""
    if not value:
        return []
    return list(dict.fromkeys(_PLACEHOLDER.findall(value)))


def assistant_id_of(obj: Mapping[str, Any]) -> str | None:
    """The id of an assistant payload, or None when it has no usable id."""
    value = obj.get("id")
    return value if isinstance(value, str) and value else None


def parse_assistant_list(payload: Any) -> list[JsonObject]:
    """Check the ``GET /assistants`` shape ``{"assistants": [...]}`` and keep the usable entries."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("assistants"), list):
        raise RevoxResponseError('expected an object with an "assistants" list')
    # json.loads already made plain dicts: keep them rather than copying 10,000 of them.
    return [
        entry if isinstance(entry, dict) else dict(entry)
        for entry in payload["assistants"]
        if isinstance(entry, Mapping) and assistant_id_of(entry)
    ]


def parse_assistant(payload: Any) -> JsonObject:
    """Check the ``GET /assistants/{id}`` shape: a bare assistant object with an id."""
    if isinstance(payload, Mapping) and isinstance(payload.get("assistant"), Mapping):
        payload = payload["assistant"]  # create/update wrap it; tolerate that shape too
    if not isinstance(payload, Mapping) or not assistant_id_of(payload):
        raise RevoxResponseError("expected an assistant object with an id")
    return dict(payload)


def validate_assistant_id(value: Any) -> str:
    """Return a usable assistant id or raise InputError saying what is wrong with it.

    Surrounding whitespace is trimmed (a common copy-paste accident); anything else unusual is
    refused rather than guessed at. The id is later sent URL-encoded as one path segment.
    """
    if not isinstance(value, str):
        raise InputError("assistant_id must be a string; call list_assistants to see valid ids.")
    candidate = value.strip()
    if not candidate:
        raise InputError("assistant_id is empty; call list_assistants to see valid ids.")
    if len(candidate) > MAX_ID_LENGTH:
        raise InputError(
            f"assistant_id is {len(candidate)} characters long (at most {MAX_ID_LENGTH}); "
            "call list_assistants to see valid ids."
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in candidate):
        raise InputError(
            "assistant_id contains control or invisible characters; call list_assistants to see valid ids."
        )
    return candidate


def coerce_string_list(value: Any, name: str) -> list[str] | None:
    """Accept a list of strings, a JSON-encoded list (some clients send that) or one string."""
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except ValueError:
                raise InputError(f'{name} must be a list of strings, e.g. ["prompt"].') from None
        else:
            value = [part.strip() for part in stripped.split(",") if part.strip()]
    if not isinstance(value, Sequence) or isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise InputError(f'{name} must be a list of strings, e.g. ["prompt"].')
    return list(value)
