"""Where the history lives and how it is bounded: read from the environment once, then opened.

- ``REVOX_MCP_HISTORY``: ``auto`` (default: Redis when ``REVOX_MCP_REDIS_URL`` is set, else a SQLite
  file), ``sqlite``, ``redis``, ``memory`` (this process only) or ``off`` (nothing recorded, nothing
  written anywhere). The demo always keeps its history in memory.
- ``REVOX_MCP_STATE_DIR``: the directory of the SQLite file ``history.sqlite3``; default
  ``$XDG_STATE_HOME/revox-mcp``, else ``~/.local/state/revox-mcp`` (``%LOCALAPPDATA%\\revox-mcp`` on
  Windows); created 0700 on first use.
- The bounds (``Limits``): 50 versions per assistant, 256 kB per version, 256 MB of file content;
  in Redis, an assistant's versions expire 120 days after they were last written or confirmed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from revox_mcp.cache.clock import SYSTEM_CLOCK, Clock
from revox_mcp.history.sqlite import FILE_NAME, SqliteStore
from revox_mcp.history.store import History, Store
from revox_mcp.history.version import (
    DEFAULT_LIMITS,
    Limits,
)
from revox_mcp.settings import ConfigError

Mode = Literal["auto", "sqlite", "redis", "memory", "off"]
MODES: tuple[Mode, ...] = ("auto", "sqlite", "redis", "memory", "off")
APP_DIR = "revox-mcp"


@dataclass(frozen=True)
class HistorySettings:
    mode: Mode = "auto"
    state_dir: Path | None = None  # None: default_state_dir()
    limits: Limits = DEFAULT_LIMITS

    def file(self, env: Mapping[str, str]) -> Path | None:
        """The SQLite file; None when there is no home directory to put it in (and no state directory set)."""
        directory = self.state_dir or default_state_dir(env)
        return directory / FILE_NAME if directory is not None else None


def default_state_dir(env: Mapping[str, str]) -> Path | None:
    """``$XDG_STATE_HOME/revox-mcp``, else ``~/.local/state/revox-mcp`` (``%LOCALAPPDATA%\\revox-mcp`` on
    Windows); None when there is no home directory (a service account without one)."""
    xdg = env.get("XDG_STATE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():  # the XDG spec: a relative value is to be ignored
        return Path(xdg) / APP_DIR
    local = env.get("LOCALAPPDATA", "").strip()
    if os.name == "nt" and local:
        return Path(local) / APP_DIR
    home = env.get("HOME", "").strip()
    if not home:
        try:
            home = str(Path.home())
        except (RuntimeError, KeyError):
            return None
    return Path(home) / ".local" / "state" / APP_DIR


def history_settings(env: Mapping[str, str]) -> HistorySettings:
    """The history's settings from ``REVOX_MCP_HISTORY`` and ``REVOX_MCP_STATE_DIR``; ConfigError naming
    the variable when one is unusable. The bounds are ``Limits``' defaults."""
    raw = env.get("REVOX_MCP_HISTORY", "").strip().lower() or "auto"
    mode = next((m for m in MODES if m == raw), None)
    if mode is None:
        raise ConfigError(f"REVOX_MCP_HISTORY must be one of {', '.join(MODES)}, got {raw[:20]!r}")
    state = env.get("REVOX_MCP_STATE_DIR", "").strip()
    if state and not Path(state).expanduser().is_absolute():
        raise ConfigError(f"REVOX_MCP_STATE_DIR must be an absolute path, got {state[:60]!r}")
    return HistorySettings(mode, Path(state).expanduser() if state else None)


def open_history(
    settings: HistorySettings,
    env: Mapping[str, str],
    *,
    demo: bool = False,
    redis_url: str | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> History:
    """The history the settings ask for (one per process); nothing is opened or created until it is
    first used. ``clock``: the server's time sources (seen times, retry intervals).

    The demo keeps it in memory (it writes nothing to disk) unless it is off. Redis needs its URL
    and the ``team`` extra (ConfigError otherwise).
    """
    store: Store | None
    if settings.mode == "off":
        return History(None, clock=clock.monotonic, wall=clock.wall)
    if demo or settings.mode == "memory":
        from revox_mcp.history.memory import MemoryStore

        store = MemoryStore(limits=settings.limits)
    elif settings.mode == "redis" or (settings.mode == "auto" and redis_url):
        if not redis_url:
            raise ConfigError("REVOX_MCP_HISTORY=redis needs REVOX_MCP_REDIS_URL")
        try:
            from revox_mcp.history.redis import RedisStore
        except ImportError:
            raise ConfigError("REVOX_MCP_HISTORY=redis needs the Redis client: pip install 'revox-mcp[team]'") from None
        store = RedisStore(redis_url, limits=settings.limits)
    else:
        path = settings.file(env)
        if path is None:
            # Not a reason to refuse to start: the server works without its history.
            reason = "no home directory to keep the history in: set REVOX_MCP_STATE_DIR"
            return History(None, clock=clock.monotonic, wall=clock.wall, off_reason=reason)
        store = SqliteStore(path, limits=settings.limits)
    return History(store, clock=clock.monotonic, wall=clock.wall)


async def erase_history(
    settings: HistorySettings,
    env: Mapping[str, str],
    *,
    redis_url: str | None = None,
    account: str | None = None,
) -> int:
    """What ``revox-mcp --erase-history`` runs: the configured store's versions deleted (one key
    fingerprint's when ``account`` is given); how many. Raises StoreError when it cannot."""
    history = open_history(settings, env, redis_url=redis_url)
    try:
        return await history.erase(account)
    finally:
        await history.aclose()
