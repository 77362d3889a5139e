"""One version of an assistant as the server saw it, its bounds, and how every store encodes it.

A version is what ingest made of a fetched assistant (cleaned: redacted, bounded, encodable) with
the digest of what Revox sent, the assistant's own ``updated_at`` and the time the server saw it.
The store never sees a raw payload: callers build versions from cleaned items only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from revox_mcp.domain.facts import timestamp

StoreKind = Literal["sqlite", "redis", "memory", "off"]
State = Literal["ok", "off", "unavailable"]

# Versions kept per assistant: the newest; a quarter of daily edits, far more than a period shows.
DEFAULT_MAX_VERSIONS = 50
# One version's configuration as stored (JSON bytes): a 100,000-character prompt fits; beyond it,
# long texts are cut (after redaction, so a cut never reveals part of a secret).
DEFAULT_MAX_CONFIG_BYTES = 256 * 1024
# The SQLite file's content (in-memory store: its bytes): beyond it, the oldest versions go first.
DEFAULT_MAX_TOTAL_BYTES = 256 * 1024 * 1024
# Redis: an assistant's versions expire this long after they were last written or confirmed.
DEFAULT_EXPIRE_AFTER = 120 * 86_400.0

_CUT_FROM = 65_536  # the first length long strings are cut to when a configuration is too big
_CUT_TO = 256  # the shortest


@dataclass(frozen=True)
class Limits:
    """What bounds a store: versions per assistant, bytes per version, bytes in all, and expiry (Redis)."""

    max_versions: int = DEFAULT_MAX_VERSIONS
    max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES
    expire_after: float = DEFAULT_EXPIRE_AFTER


DEFAULT_LIMITS = Limits()

# assistant_history's page of versions: by default, and at most.
VERSIONS_PER_PAGE, MAX_VERSIONS_PER_PAGE = 5, 20


@dataclass(frozen=True, slots=True)
class Version:
    """An assistant's cleaned configuration as seen at ``seen_at`` (epoch seconds).

    ``digest`` identifies the content (ingest's digest of what Revox sent); ``updated_at`` is the
    assistant's own field as Revox gave it, if any. Read back from a store, ``config`` may have had
    long texts cut to fit ``Limits.max_config_bytes``.
    """

    assistant_id: str
    digest: str
    seen_at: float
    config: Mapping[str, Any]
    updated_at: str | None = None

    @classmethod
    def of(cls, config: Mapping[str, Any], digest: str, seen_at: float) -> Version | None:
        """The version of a cleaned assistant (an ingest ``Item``'s value and digest); None without an id."""
        ident = config.get("id")
        if not isinstance(ident, str) or not ident:
            return None
        return cls(ident, digest, seen_at, config, timestamp(config, "updated_at"))


@dataclass(frozen=True)
class Health:
    """Whether versions are being recorded, in which store, and why not, in one line."""

    state: State
    store: StoreKind
    reason: str
    where: str | None = None  # the SQLite file, or the Redis URL without credentials
    versions: int | None = None  # stored for the key asked about (None: not counted)
    failures: int = 0  # calls to the store that failed or were late since the process started


class StoreError(Exception):
    """Raised by a store when it cannot do what was asked (unreachable, unwritable, corrupt); the
    message is one line, fit for a log and for ``health()`` (which add where), and holds no secret."""


# --- encoding ------------------------------------------------------------------------------------------


def encode_config(config: Mapping[str, Any], max_bytes: int) -> bytes:
    """``config`` as compact UTF-8 JSON of at most ``max_bytes``: long texts cut first, then, if even
    that is too big, a marker saying how big it was (keeping its id and name)."""
    data = _dumps(config)
    if len(data) <= max_bytes:
        return data
    limit = _CUT_FROM
    while limit >= _CUT_TO:
        cut = _dumps(_cut_strings(config, limit))
        if len(cut) <= max_bytes:
            return cut
        limit //= 4
    marker = {
        "id": config.get("id"),
        "name": config.get("name") if isinstance(config.get("name"), str) else None,
        "…": f"[configuration of {len(data)} bytes not stored: more than {max_bytes}]",
    }
    return _dumps(marker)  # a few hundred bytes: Limits keep max_bytes above that


def decode_config(data: bytes | str) -> dict[str, Any]:
    """A stored configuration; a marker object when it is unreadable (a store written by hand)."""
    try:
        value = json.loads(data)
    except ValueError:
        return {"…": "[stored configuration unreadable]"}
    return value if isinstance(value, dict) else {"…": "[stored configuration unreadable]"}


def _dumps(value: Any) -> bytes:
    # default=str: ingest leaves only JSON values; anything else must not fail a fetch.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _cut_strings(value: Any, limit: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + f"…[cut: {len(value)} chars]"
    if isinstance(value, Mapping):
        return {key: _cut_strings(item, limit) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut_strings(item, limit) for item in value]
    return value
