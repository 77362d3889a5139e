"""Keep every answer inside a byte budget, cutting at clean boundaries and saying how to get the rest.

Pure functions. Sizes are UTF-8 bytes of compact JSON (``ensure_ascii=False``), which is how
answers are sent. Long strings are cut first (at a character boundary, never inside a UTF-8
sequence), then long lists; each cut leaves a marker naming what was cut and the next step.
"""

from __future__ import annotations

import json
from typing import Any

# About 8k tokens: the most one answer may cost an agent, whatever the data.
MAX_RESPONSE_BYTES = 32_000


def json_text(value: Any) -> str:
    """Compact JSON that keeps non-ASCII text as itself (no \\uXXXX escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def size(value: Any) -> int:
    return len(json_text(value).encode())


def _cap_strings(value: Any, cap: int, hint: str, cuts: list[str], path: str) -> Any:
    if isinstance(value, str):
        if len(value) <= cap:
            return value
        cuts.append(path)
        return f"{value[:cap]}…[cut: {len(value) - cap} more chars of {len(value)}; {hint}]"
    if isinstance(value, dict):
        return {k: _cap_strings(v, cap, hint, cuts, f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, list):
        return [_cap_strings(v, cap, hint, cuts, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _cap_lists(value: Any, cap: int, cuts: list[str], path: str, mark: bool = True) -> Any:
    if isinstance(value, list):
        kept = [_cap_lists(v, cap, cuts, f"{path}[{i}]", mark) for i, v in enumerate(value[:cap])]
        if len(value) > cap:
            cuts.append(path)
            if mark:
                kept.append(f"…[cut: {len(value) - cap} more items of {len(value)}]")
        return kept
    if isinstance(value, dict):
        return {k: _cap_lists(v, cap, cuts, f"{path}.{k}" if path else k, mark) for k, v in value.items()}
    return value


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max((_longest_string(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max((_longest_string(v) for v in value), default=0)
    return 0


def _longest_list(value: Any) -> int:
    if isinstance(value, dict):
        return max((_longest_list(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max([len(value), *(_longest_list(v) for v in value)])
    return 0


def fit(value: Any, max_bytes: int, hint: str, *, mark_lists: bool = True) -> tuple[Any, list[str]]:
    """``value`` cut to fit ``max_bytes``, and the paths that were cut (empty when nothing was).

    ``mark_lists=False`` drops a cut list's tail without a marker item, so the result still
    validates against a typed output model (the caller reports the cut paths instead).
    """
    if size(value) <= max_bytes:
        return value, []
    # The largest string length that still fits (binary search), then lists if strings alone cannot.
    low, high = 0, _longest_string(value)
    while low < high:
        mid = (low + high + 1) // 2
        if size(_cap_strings(value, mid, hint, [], "")) <= max_bytes:
            low = mid
        else:
            high = mid - 1
    cuts: list[str] = []
    capped = _cap_strings(value, max(low, 200), hint, cuts, "")
    if size(capped) <= max_bytes:
        return capped, cuts
    low, high = 0, _longest_list(capped)
    while low < high:
        mid = (low + high + 1) // 2
        if size(_cap_lists(capped, mid, [], "", mark_lists)) <= max_bytes:
            low = mid
        else:
            high = mid - 1
    return _cap_lists(capped, low, cuts, "", mark_lists), cuts


def window(text: str, offset: int, max_chars: int) -> tuple[str, int | None]:
    """``text[offset:]`` cut to ``max_chars`` characters, and the offset to continue from (or None)."""
    chunk = text[offset : offset + max_chars]
    end = offset + len(chunk)
    return chunk, end if end < len(text) else None
