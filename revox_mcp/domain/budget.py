"""Keep every answer inside a byte budget, cutting at clean boundaries and saying how to get the rest.

Pure functions. Sizes are UTF-8 bytes of compact JSON (``ensure_ascii=False``), which is how
answers are sent. Long strings are cut first (at a character boundary, never inside a UTF-8
sequence), then long lists; each cut leaves a marker naming what was cut and the next step. Every
note of a cut says which budget it was cut to and what that budget counts (``within``): the whole
answer as sent, the structured content's share of it, or one value that is sent twice.

``fit`` cuts a value, ``bounded`` a model, ``clip`` a text; an ``AnswerFit`` is the one way to fit a
whole answer (its model and its text), and ``fit_rendered`` the way to fit a value an answer carries
twice (as JSON and rendered as text).
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from json.encoder import encode_basestring
from typing import Any, TypeVar

from pydantic import BaseModel

from revox_mcp.domain.output import dump

# About 8k tokens: the most one answer may cost an agent, whatever the data.
MAX_RESPONSE_BYTES = 32_000
# What MAX_RESPONSE_BYTES counts, as a cut note says it.
# No string is cut shorter than this: below it, lists are cut instead.
MIN_STRING_CAP = 200
WHOLE_ANSWER = f"the answer's {MAX_RESPONSE_BYTES:,} bytes (structured content and text together, as sent)"


def json_text(value: Any) -> str:
    """Compact JSON that keeps non-ASCII text as itself (no \\uXXXX escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def size(value: Any) -> int:
    return len(json_text(value).encode())


def _string_size(text: str) -> int:
    """``size(text)`` for a string, without the encoder's set-up."""
    encoded: str = encode_basestring(text)
    return len(encoded) if encoded.isascii() else len(encoded.encode())


def _capped(text: str, cap: int, hint: str) -> str:
    return f"{text[:cap]}…[cut: {len(text) - cap} more chars of {len(text)}; {hint}]"


def _cap_strings(value: Any, cap: int, hint: str, cuts: list[str], path: str) -> Any:
    if isinstance(value, str):
        if len(value) <= cap:
            return value
        cuts.append(path)
        return _capped(value, cap, hint)
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


def _strings_longest_first(value: Any) -> list[str]:
    """The string values (not keys) in ``value``, longest first."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    found.sort(key=len, reverse=True)
    return found


def _longest_list(value: Any) -> int:
    if isinstance(value, dict):
        return max((_longest_list(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max([len(value), *(_longest_list(v) for v in value)])
    return 0


def _string_cut_sizes(value: Any, whole: int, hint: str) -> tuple[Callable[[int], int], int]:
    """``size(_cap_strings(value, cap, hint, ...))`` as a function of ``cap`` (``whole``: the size of
    ``value``), and the longest string's length. Compact JSON is the sum of its parts, so a cap's size
    is the whole's with each string longer than the cap swapped for its cut: nothing else is
    serialised again."""
    strings = _strings_longest_first(value)
    shorter = [-len(text) for text in strings]  # ascending, for bisect
    sent = list(accumulate(map(_string_size, strings), initial=0))

    def size_capped_at(cap: int) -> int:
        count = bisect_left(shorter, -cap)  # the strings longer than the cap
        if count == 0:
            return whole
        # Their cuts serialised at once, as one list: its size less the brackets and commas.
        cut = size([_capped(text, cap, hint) for text in strings[:count]]) - count - 1
        return whole - sent[count] + cut

    return size_capped_at, len(strings[0]) if strings else 0


def fit(value: Any, max_bytes: int, hint: str, *, mark_lists: bool = True) -> tuple[Any, list[str]]:
    """``value`` cut to fit ``max_bytes``, and the paths that were cut (empty when nothing was).

    ``mark_lists=False`` drops a cut list's tail without a marker item, so the result still
    validates against a typed output model (the caller reports the cut paths instead).
    """
    whole = size(value)
    if whole <= max_bytes:
        return value, []
    # The largest string length that still fits (binary search; never under MIN_STRING_CAP), then
    # lists if strings alone cannot.
    size_capped_at, longest = _string_cut_sizes(value, whole, hint)
    low, high = 0, longest
    while low < high:
        mid = (low + high + 1) // 2
        if size_capped_at(mid) <= max_bytes:
            low = mid
        else:
            high = mid - 1
    cuts: list[str] = []
    capped = _cap_strings(value, max(low, MIN_STRING_CAP), hint, cuts, "")
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


# --- whole answers ---------------------------------------------------------------------------------

# What the result's JSON around the structured content and the text may take: content list, keys,
# isError, and the serverInfo (name, title, version, icon) the SDK stamps into every 2026-07-28 result.
ENVELOPE = 900
# Most answers: the structured content gets this much, the text the rest (counted as sent: a JSON
# string, its quotes, backslashes and newlines escaped).
STRUCTURED_BUDGET = 10_000
TEXT_BUDGET = MAX_RESPONSE_BYTES - STRUCTURED_BUDGET - ENVELOPE
# Answers whose structured content and text both carry the same data (a configuration) share evenly.
HALF_BUDGET = (MAX_RESPONSE_BYTES - ENVELOPE) // 2

M = TypeVar("M", bound=BaseModel)


def sent_size(text: str) -> int:
    """Bytes ``text`` takes as sent: a JSON string."""
    return size(text)


def bounded(model: M, max_bytes: int) -> tuple[M, list[str]]:
    """``model`` with its longest strings, then its longest lists, shortened until its JSON fits.

    Lists lose their tail (no marker item, so the output model still validates); the cut paths
    are returned for the text to name. Whatever the data (10,000 tools, 50,000 variables), the
    structured content stays inside its share of the response budget.
    """
    data = model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    if size(data) <= max_bytes:
        return model, []
    fitted, cuts = fit(data, max_bytes, "the text content has more", mark_lists=False)
    return type(model).model_validate(fitted), cuts


def twice_words(max_bytes: int) -> str:
    """What the budget of a value an answer carries twice counts, as a cut note says it."""
    return f"{max_bytes:,} bytes, once as structured content and once as text (the answer carries it twice)"


def size_stop(shown: int, asked: int, within: str) -> str:
    """The line of a page that the size budget stopped before ``asked`` items: how many it holds, of
    how many asked, and the budget (``within``: what it counts)."""
    return f"{shown} of the {asked} asked shown: no more fit {within}."


def structured_words(max_bytes: int) -> str:
    """What the budget of a value measured as structured content counts (its text shows the same)."""
    return f"{max_bytes:,} bytes of structured content (the text shows the same)"


def cut_note(cuts: list[str], hint: str, *, within: str) -> str:
    """One line naming what was cut (at most 8 paths), the budget it was cut to (``within``: what it
    counts) and how to get the rest; "" when nothing was."""
    if not cuts:
        return ""
    shown = ", ".join(cuts[:8]) + (f" and {len(cuts) - 8} more" if len(cuts) > 8 else "")
    return f"\n…[cut to fit {within}: {shown}; {hint}]"


def clip(text: str, max_bytes: int, hint: str, *, within: str) -> str:
    """``text`` cut at a line boundary to fit ``max_bytes`` as sent, ending with the budget it was cut
    to (``within``: what it counts) and what to do for the rest."""
    if sent_size(text) <= max_bytes:
        return text
    marker = f"\n…[cut to fit {within}; {hint}]"
    room = max_bytes - sent_size(marker)
    kept = text.encode()[: max(room, 0)].decode("utf-8", "ignore")
    while kept and sent_size(kept) > room:  # escapes made it bigger on the wire than in UTF-8
        kept = kept[: int(len(kept) * 0.9)]
    return (kept.rsplit("\n", 1)[0] if "\n" in kept else kept) + marker


@dataclass(frozen=True)
class AnswerFit:
    """The one way to fit an answer: the model cut to ``structured`` bytes, the text cut at a line boundary
    to what the response has left, both naming what was cut.

    The text names the model's cut paths (``hint``: where the rest is; ``clip_hint``: how to read the
    rest of a cut text); a model with a ``cut_field`` list records them there too (at most 20).
    """

    structured: int
    hint: str
    clip_hint: str
    cut_field: str | None = None

    def __call__(self, model: M, text: str) -> tuple[M, str]:
        fitted, cuts = bounded(model, self.structured)
        if cuts and self.cut_field is not None:
            listed = [*(getattr(fitted, self.cut_field) or []), *cuts][:20]
            fitted = fitted.model_copy(update={self.cut_field: listed})
        share = f"the structured content's share ({self.structured:,} bytes) of {WHOLE_ANSWER}"
        note = cut_note([f"structured {path}" for path in cuts], self.hint, within=share)
        room = MAX_RESPONSE_BYTES - ENVELOPE - size(dump(fitted)) - sent_size(note)
        return fitted, clip(text, room, self.clip_hint, within=WHOLE_ANSWER) + note


def fits_twice(value: Any, room: int, render: Callable[[Any], str]) -> bool:
    """Whether ``value`` fits ``room`` both as JSON and rendered as text (each as sent)."""
    return size(value) <= room and sent_size(render(value)) <= room


def fit_rendered(value: Any, room: int, hint: str, render: Callable[[Any], str]) -> tuple[Any, list[str]]:
    """``value`` cut (as ``fit`` does) until it fits ``room`` both as JSON and rendered as text, and the
    paths that were cut: a value an answer carries twice, in its structured content and its text."""
    limit = room
    fitted, cuts = fit(value, limit, hint)
    while not fits_twice(fitted, room, render) and limit > 1_000:
        limit = int(limit * 0.85)
        fitted, cuts = fit(value, limit, hint)
    return fitted, cuts
