"""Everything from Revox is cleaned here, once, when it arrives. Pure, no I/O.

Cleaning makes a payload safe for every later reader, summaries, diagnostics, comparison, budgets,
caches (shared ones included) and logs:

* encodable: lone surrogates, invisible and bidirectional-control characters removed from every
  key and string; NaN and infinities become null; integers too long to be numbers become text;
* bounded: nesting deeper than ``MAX_DEPTH`` becomes a marker; huge strings, lists and objects are
  cut, with a marker saying so; ids are made single-line and at most ``MAX_ID_LENGTH`` long;
* redacted: every key and string goes through the redactor, whatever its field, before anything
  can cut it.

The walk is iterative, so no payload, however deep, can exhaust the stack. Later code reads only
cleaned data: it need not redact, and cannot forget to.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from revox_mcp.domain.facts import MAX_ID_LENGTH, JsonObject
from revox_mcp.domain.text import strip_invisible

if TYPE_CHECKING:
    from revox_mcp.domain.redaction import Redactor

MAX_DEPTH = 32
MAX_STRING_CHARS = 2_000_000
MAX_ITEMS = 10_000
MAX_KEY_CHARS = 200
TOO_DEEP = "[nested too deep]"

_INT_LIMIT = 2**63


def _clean_string(text: str) -> str:
    if text.isascii() and len(text) <= MAX_STRING_CHARS:  # most of what Revox sends: nothing to change
        return text
    text = strip_invisible(text)
    if len(text) > MAX_STRING_CHARS:
        return text[:MAX_STRING_CHARS] + f"…[cut: {len(text) - MAX_STRING_CHARS} more characters]"
    return text


def _clean_key(key: Any) -> str:
    if type(key) is str and len(key) <= MAX_KEY_CHARS and key.isascii():
        return key
    text = _clean_string(key if isinstance(key, str) else str(key) if isinstance(key, int | float | bool) else "?")
    return text if len(text) <= MAX_KEY_CHARS else text[: MAX_KEY_CHARS - 1] + "…"


def _scalar(value: Any) -> Any:
    if isinstance(value, str):
        return _clean_string(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -_INT_LIMIT < value < _INT_LIMIT else f"[number of {len(str(abs(value)))} digits]"
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return "[unsupported value]"


def _nested(value: Any) -> bool:
    """Whether ``value`` is a container to copy: a mapping, list or tuple. Parsed JSON is plain dicts,
    lists and scalars: those are told by type alone (the ABC check costs ten times as much)."""
    kind = type(value)
    if kind is dict or kind is list:
        return True
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return False
    return isinstance(value, Mapping | list | tuple)


def sanitize(value: Any) -> Any:
    """A copy of a JSON-like value made encodable and bounded (see the module docstring)."""
    if not _nested(value):
        return _scalar(value)
    root: list[Any] = [None]
    # (source container, destination container or setter, depth)
    stack: list[tuple[Any, Callable[[Any], None], int]] = [(value, lambda made: root.__setitem__(0, made), 0)]
    while stack:
        source, put, depth = stack.pop()
        if depth > MAX_DEPTH:
            put(TOO_DEEP)
            continue
        if type(source) is dict or isinstance(source, Mapping):
            made_obj: dict[str, Any] = {}
            put(made_obj)
            for count, (raw_key, item) in enumerate(source.items()):
                if count >= MAX_ITEMS:
                    made_obj["…"] = f"[cut: {len(source) - MAX_ITEMS} more keys]"
                    break
                key = _clean_key(raw_key)
                while key in made_obj:  # two keys that differ only by invisible characters
                    key += "~"
                if _nested(item):
                    made_obj[key] = None
                    stack.append((item, _setter(made_obj, key), depth + 1))
                else:
                    made_obj[key] = _scalar(item)
        else:
            made_list: list[Any] = []
            put(made_list)
            for index, item in enumerate(source):
                if index >= MAX_ITEMS:
                    made_list.append(f"[cut: {len(source) - MAX_ITEMS} more items]")
                    break
                if _nested(item):
                    made_list.append(None)
                    stack.append((item, _setter(made_list, index), depth + 1))
                else:
                    made_list.append(_scalar(item))
    return root[0]


def _setter(container: Any, key: Any) -> Callable[[Any], None]:
    def put(made: Any) -> None:
        container[key] = made

    return put


def clean(value: Any, redactor: Redactor | None = None) -> Any:
    """Sanitised, then redacted (keys and every string, and the redactor's known secrets by value):
    what every later reader sees."""
    if redactor is None:
        from revox_mcp.domain.redaction import Redactor

        redactor = Redactor()
    return redactor.value(sanitize(value))


def clean_id(value: Any) -> str | None:
    """An id fit to show and to look up: one line, no invisible characters, at most MAX_ID_LENGTH long.

    Longer ids keep their start and gain a hash of the whole, so two long ids never collide.
    """
    if not isinstance(value, str):
        return None
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in strip_invisible(value)
    ).strip()
    text = " ".join(text.split()) if any(char.isspace() for char in text) else text
    if not text:
        return None
    if len(text) > MAX_ID_LENGTH:
        tag = hashlib.sha256(text.encode()).hexdigest()[:10]
        text = f"{text[: MAX_ID_LENGTH - 11]}~{tag}"
    return text


def digest_of(raw: Any) -> str | None:
    """A content digest of a raw payload (None when it cannot be serialised, e.g. absurdly deep)."""
    try:
        text = json.dumps(raw, ensure_ascii=True, separators=(",", ":"), default=str)
    except (ValueError, TypeError, RecursionError):
        return None
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)  # one per listed object: no __dict__ each
class Item:
    """One cleaned object (an assistant, a call...) and the digest of what Revox sent for it."""

    value: JsonObject
    digest: str


@dataclass(frozen=True)
class ItemSet:
    """A cleaned list of objects with ids: in Revox's order, with their digests and an id index."""

    items: tuple[JsonObject, ...]
    digests: tuple[str, ...]
    raw_bytes: int = 0
    dropped: int = 0
    version: str = field(init=False)
    index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "version", hashlib.blake2b("".join(self.digests).encode(), digest_size=8).hexdigest())
        index: dict[str, int] = {}
        for position, item in enumerate(self.items):
            index.setdefault(str(item.get("id")), position)
        object.__setattr__(self, "index", index)

    @property
    def weight(self) -> int:
        """About how many bytes the list stands for, to bound a cache: what Revox sent for it (1 kB an
        object when that is not known)."""
        return self.raw_bytes if self.raw_bytes > 0 else 1024 * len(self.items)

    def get(self, ident: str) -> Item | None:
        position = self.index.get(ident)
        return None if position is None else Item(self.items[position], self.digests[position])

    def to_json(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "digests": list(self.digests),
            "raw_bytes": self.raw_bytes,
            "dropped": self.dropped,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ItemSet:
        return cls(tuple(data["items"]), tuple(data["digests"]), int(data["raw_bytes"]), int(data["dropped"]))


class ItemSetCodec:
    def encode(self, value: ItemSet) -> bytes:
        return json.dumps(value.to_json(), ensure_ascii=False, separators=(",", ":")).encode()

    def decode(self, data: bytes) -> ItemSet:
        return ItemSet.from_json(json.loads(data))


class ItemCodec:
    def encode(self, value: Item) -> bytes:
        return json.dumps(
            {"value": value.value, "digest": value.digest}, ensure_ascii=False, separators=(",", ":")
        ).encode()

    def decode(self, data: bytes) -> Item:
        loaded = json.loads(data)
        return Item(loaded["value"], loaded["digest"])


@runtime_checkable
class Streamed(Protocol):
    """Raw entries read one at a time as they are iterated, once (a list as its body arrives: the API's
    ``Entries``), so that each is cleaned and let go before the next is parsed; ``dropped``: those that
    could not be read, known once iterated."""

    dropped: int

    def __iter__(self) -> Iterator[Any]: ...


CleanMemo = Callable[[str, Callable[[], Item | None]], Item | None]


def ingest_object(raw: Any, redactor: Redactor, memo: CleanMemo | None = None) -> Item | None:
    """One object with a usable id, cleaned (through ``memo`` keyed by its raw digest), or None."""
    if not isinstance(raw, Mapping):
        return None
    ident = clean_id(raw.get("id"))
    if ident is None:
        return None
    digest = digest_of(raw)

    def make() -> Item | None:
        value = clean(raw, redactor)
        if not isinstance(value, dict):
            return None
        value["id"] = ident
        return Item(value, digest or hashlib.blake2b(json.dumps(value).encode(), digest_size=12).hexdigest())

    if digest is None or memo is None:
        return make()
    return memo(digest, make)


def ingest_list(
    entries: Any,
    ingest: Callable[[Any], Item | None],
    *,
    raw_bytes: int = 0,
    dropped: int = 0,
    consume: bool = False,
) -> ItemSet:
    """A list of objects, each cleaned on its own by ``ingest`` (``ingest_object`` with the reader's
    redactor, or ``call_cleaning.clean_call``), so one bad entry is dropped (and counted), never the
    list; a repeated id is kept once. ``entries``: a list, or ``Streamed`` (parsed as it is read);
    ``consume``: the list is the caller's own parse, emptied as it is read."""
    items: list[JsonObject] = []
    digests: list[str] = []
    seen: set[str] = set()
    streamed = isinstance(entries, Streamed) and not isinstance(entries, list)
    raws = entries if isinstance(entries, list) or streamed else []
    for position, raw in enumerate(raws):
        if consume and not streamed:
            raws[position] = None  # each raw object freed once cleaned: raw and clean never peak together
        item = ingest(raw)
        if item is None or str(item.value["id"]) in seen:
            dropped += 1
            continue
        seen.add(str(item.value["id"]))
        items.append(item.value)
        digests.append(item.digest)
    if streamed:
        dropped += entries.dropped
    return ItemSet(tuple(items), tuple(digests), raw_bytes, dropped)
