"""Field-level diff of two assistants' configurations (cleaned, hence redacted, at ingest). Pure, no I/O.

"Why does agent A behave differently from agent B?": changed, added and removed paths with both
values; long texts (prompts) as a bounded unified diff; identical fields counted, not listed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from revox_mcp.domain.catalog import check_fields
from revox_mcp.domain.facts import KNOWN_FIELDS
from revox_mcp.domain.output import Out

# Bookkeeping that always differs between two assistants and says nothing about behaviour.
IGNORED = ("id", "created_at", "updated_at", "organization_id", "created_by", "position", "prompt_flow")
LONG_TEXT = 160
MAX_DIFF_LINES = 60
MAX_DIFF_LINE_CHARS = 200
# All the diffs of one comparison together: several changed prompts must still fit one answer.
MAX_DIFF_CHARS = 8000
MAX_VALUE_CHARS = 300
_IDENTITY_KEYS = ("name", "label", "key", "id", "question")


class Change(Out):
    path: str
    kind: Literal["changed", "added", "removed"] = Field(description="added: only in B; removed: only in A")
    a: Any = None
    b: Any = None
    diff: str | None = Field(None, description="unified diff (A → B) for long texts, bounded")

    @model_serializer(mode="wrap")
    def _keep_null_sides(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A side's value stays in the output even when null (dumps use exclude_none), so a null
        value is told apart from a missing key: changed has a and b, removed has a, added has b."""
        out = handler(self)
        if not isinstance(out, dict):
            return out
        sides = {"a": self.kind != "added", "b": self.kind != "removed"}
        return {key: out.get(key) for key in ("path", "kind", "a", "b", "diff") if key in out or sides.get(key)}


class Comparison(Out):
    a: dict[str, str | None] = Field(description="id and name of assistant A")
    b: dict[str, str | None] = Field(description="id and name of assistant B")
    changes: list[Change]
    identical_fields: int = Field(description="top-level fields with the same value in both")
    ignored: list[str] = Field(description="bookkeeping fields not compared")


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[: MAX_VALUE_CHARS - 1] + f"…[{len(value)} chars]"
    if isinstance(value, dict | list):
        text = repr(value)
        if len(text) > MAX_VALUE_CHARS:
            kind = "object" if isinstance(value, dict) else "list"
            return f"[{kind} of {len(value)} entries; compare with fields=[...] on a narrower path]"
    return value


def text_diff(a: str, b: str) -> str:
    """A unified diff of two texts: at most ``MAX_DIFF_LINES`` lines of ``MAX_DIFF_LINE_CHARS`` each."""
    lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), "A", "B", lineterm="", n=1))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"… {len(lines) - MAX_DIFF_LINES} more diff lines"]
    # A prompt written on one line would otherwise make a single diff line of any length.
    return "\n".join(
        line if len(line) <= MAX_DIFF_LINE_CHARS else f"{line[: MAX_DIFF_LINE_CHARS - 1]}…[{len(line)} chars]"
        for line in lines
    )


def _identity(items: Sequence[Any]) -> str | None:
    """The key that identifies list entries (tools by name, destinations by label...), if any."""
    if not items or not all(isinstance(i, Mapping) for i in items):
        return None
    for key in _IDENTITY_KEYS:
        values = [i.get(key) for i in items]
        if all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
            return key
    return None


def _diff_keyed(a: Mapping[Any, Any], b: Mapping[Any, Any], path_of: Callable[[Any], str], out: list[Change]) -> None:
    """Entries only in A are removed, only in B added, in both compared (objects by key, list items by name)."""
    for key in dict.fromkeys([*a, *b]):
        sub = path_of(key)
        if key not in b:
            out.append(Change(path=sub, kind="removed", a=_short(a[key])))
        elif key not in a:
            out.append(Change(path=sub, kind="added", b=_short(b[key])))
        else:
            _diff(sub, a[key], b[key], out)


def _diff(path: str, a: Any, b: Any, out: list[Change]) -> None:
    if a == b:
        return
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        _diff_keyed(a, b, lambda key: f"{path}.{key}", out)
        return
    if isinstance(a, list) and isinstance(b, list):
        ident = _identity(a) if _identity(a) == _identity(b) else None
        if ident is not None:
            left = {i[ident]: i for i in a}
            right = {i[ident]: i for i in b}
            _diff_keyed(left, right, lambda name: f"{path}[{ident}={name}]", out)
            return
        if len(a) == len(b) and all(isinstance(i, Mapping) for i in [*a, *b]):
            for index, (left_item, right_item) in enumerate(zip(a, b, strict=True)):
                _diff(f"{path}[{index}]", left_item, right_item, out)
            return
    if isinstance(a, str) and isinstance(b, str) and (len(a) > LONG_TEXT or len(b) > LONG_TEXT or "\n" in a + b):
        out.append(
            Change(path=path, kind="changed", a=f"[{len(a)} chars]", b=f"[{len(b)} chars]", diff=text_diff(a, b))
        )
        return
    out.append(Change(path=path, kind="changed", a=_short(a), b=_short(b)))


def compare(a: Mapping[str, Any], b: Mapping[str, Any], fields: Sequence[str] | None = None) -> Comparison:
    """Differences between two assistants (redacted), restricted to ``fields`` when given."""
    names = list(dict.fromkeys([*a, *b]))
    if fields is not None:
        check_fields(fields, sorted(KNOWN_FIELDS | set(names)))
        names = list(dict.fromkeys(fields))
    else:
        names = [n for n in names if n not in IGNORED]
    redacted_a, redacted_b = a, b  # cleaned at ingest: already redacted, keys included
    changes: list[Change] = []
    identical = 0
    for name in dict.fromkeys(str(n) for n in names):
        left, right = redacted_a.get(name), redacted_b.get(name)
        if name not in redacted_b and name in redacted_a:
            changes.append(Change(path=name, kind="removed", a=_short(left)))
        elif name not in redacted_a and name in redacted_b:
            changes.append(Change(path=name, kind="added", b=_short(right)))
        elif left == right:
            identical += 1
        else:
            _diff(name, left, right, changes)
    _bound_diffs(changes)
    return Comparison(
        a={"id": _str(a.get("id")), "name": _str(redacted_a.get("name"))},
        b={"id": _str(b.get("id")), "name": _str(redacted_b.get("name"))},
        changes=changes,
        identical_fields=identical,
        ignored=[] if fields is not None else [n for n in IGNORED if n in a or n in b],
    )


def _bound_diffs(changes: list[Change]) -> None:
    """Cut the diffs, in order, to ``MAX_DIFF_CHARS`` in total, saying how to see the rest."""
    room = MAX_DIFF_CHARS
    for change in changes:
        if change.diff is None or len(change.diff) <= room:
            room -= len(change.diff or "")
            continue
        field = change.path.split(".")[0].split("[")[0]
        hint = f'; compare_assistants with fields=["{field}"] shows more' if room < MAX_DIFF_CHARS else ""
        note = f"… diff cut: all diffs share {MAX_DIFF_CHARS:,} characters{hint}"
        room -= len(note)  # the note counts too
        kept = change.diff[:room].rsplit("\n", 1)[0] if room > 0 else ""
        change.diff = f"{kept}\n{note}" if kept else note
        room = 0


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
