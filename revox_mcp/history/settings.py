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

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from revox_mcp.cache.clock import SYSTEM_CLOCK, Clock
from revox_mcp.history.sqlite import FILE_NAME, SqliteStore
from revox_mcp.history.store import History, Store
from revox_mcp.history.version import DEFAULT_LIMITS, Limits
from revox_mcp.settings import (
    APP_DIR,
    HISTORY_MODES,
    ConfigError,
    HistoryMode,
    Settings,
    default_state_dir,
    history_mode,
    state_dir_setting,
)

Mode = HistoryMode
MODES = HISTORY_MODES
__all__ = [
    "APP_DIR",
    "MODES",
    "HistorySettings",
    "check_settings",
    "default_state_dir",
    "erase_configured",
    "erase_history",
    "history_of",
    "history_settings",
    "open_history",
]


@dataclass(frozen=True)
class HistorySettings:
    mode: Mode = "auto"
    state_dir: Path | None = None  # None: default_state_dir()
    limits: Limits = DEFAULT_LIMITS

    def file(self, env: Mapping[str, str]) -> Path | None:
        """The SQLite file; None when there is no home directory to put it in (and no state directory set)."""
        directory = self.state_dir or default_state_dir(env)
        return directory / FILE_NAME if directory is not None else None


def history_settings(env: Mapping[str, str]) -> HistorySettings:
    """The history's settings from ``REVOX_MCP_HISTORY`` and ``REVOX_MCP_STATE_DIR``; ConfigError naming
    the variable when one is unusable. The bounds are ``Limits``' defaults."""
    return HistorySettings(history_mode(env), state_dir_setting(env))


def check_settings(settings: Settings) -> None:
    """At start-up: ConfigError when the history the settings ask for cannot be opened."""
    if settings.history == "redis" and not settings.demo:
        if settings.redis_url is None:
            raise ConfigError("REVOX_MCP_HISTORY=redis needs REVOX_MCP_REDIS_URL")
        try:
            import redis  # noqa: F401
        except ImportError:
            raise ConfigError("REVOX_MCP_HISTORY=redis needs the Redis client: pip install 'revox-mcp[team]'") from None


def history_of(settings: Settings, *, clock: Clock = SYSTEM_CLOCK) -> History:
    """The history the server's settings ask for (``Settings.history``, ``state_dir``, ``redis_url``,
    ``demo``): what the composition root opens, once per lifespan."""
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url is not None else None
    path = settings.state_dir / FILE_NAME if settings.state_dir is not None else None
    return _open(settings.history, path, DEFAULT_LIMITS, demo=settings.demo, redis_url=redis_url, clock=clock)


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
    return _open(settings.mode, settings.file(env), settings.limits, demo=demo, redis_url=redis_url, clock=clock)


def _open(mode: Mode, path: Path | None, limits: Limits, *, demo: bool, redis_url: str | None, clock: Clock) -> History:
    store: Store | None
    if mode == "off":
        return History(None, clock=clock.monotonic, wall=clock.wall)
    if demo or mode == "memory":
        from revox_mcp.history.memory import MemoryStore

        store = MemoryStore(limits=limits)
    elif mode == "redis" or (mode == "auto" and redis_url):
        if not redis_url:
            raise ConfigError("REVOX_MCP_HISTORY=redis needs REVOX_MCP_REDIS_URL")
        try:
            from revox_mcp.history.redis import RedisStore
        except ImportError:
            raise ConfigError("REVOX_MCP_HISTORY=redis needs the Redis client: pip install 'revox-mcp[team]'") from None
        store = RedisStore(redis_url, limits=limits)
    else:
        if path is None:
            # Not a reason to refuse to start: the server works without its history.
            reason = "no home directory to keep the history in: set REVOX_MCP_STATE_DIR"
            return History(None, clock=clock.monotonic, wall=clock.wall, off_reason=reason)
        store = SqliteStore(path, limits=limits)
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


async def erase_configured(settings: Settings) -> tuple[int, str]:
    """What ``revox-mcp --erase-history`` runs: every version in the store the settings name (with the
    history off, the store it would use, so that turning it off then erasing leaves nothing); how many
    and where. Raises StoreError when it cannot."""
    mode: Mode = "auto" if settings.history == "off" else settings.history
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url is not None else None
    path = settings.state_dir / FILE_NAME if settings.state_dir is not None else None
    history = _open(mode, path, DEFAULT_LIMITS, demo=False, redis_url=redis_url, clock=SYSTEM_CLOCK)
    where = history.store.where if history.store is not None else "nowhere (no state directory)"
    try:
        return await history.erase(None), where
    finally:
        await history.aclose()
