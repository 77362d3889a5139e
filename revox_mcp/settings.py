"""Configuration from the environment, loaded once in ``__main__`` and passed down.

Every default lives here, once: the modules that take these values as parameters get them from the
composition root (``server.app.build_server``), or name the constant below as their own default.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from revox_mcp.domain.personal import MODES, Mode

DEFAULT_BASE_URL = "https://www.getrevox.com/api"
# --demo: the in-process fake Revox's address and the key it accepts (not a secret).
DEMO_API_KEY = "demo-key-not-a-secret"
DEMO_BASE_URL = "https://demo.revox.invalid/api"
# The demo's present: a little after its newest call (2026-02-28 15:35Z). Relative periods count back
# from it in demo mode, so "the last 14 days" hold the demo's calls whatever the real date.
DEMO_NOW = datetime(2026, 2, 28, 18, 0, tzinfo=timezone.utc)
DEFAULT_TTL = 30.0
# One read, connect or write of a request must progress within this.
DEFAULT_TIMEOUT = 15.0
MAX_TIMEOUT = 30.0
# Many MCP clients abandon a call after 60 s: a request to Revox answers, retries, backoff and the whole
# body included, within this; a tool or resource call (which may wait for one) within a little more.
DEFAULT_CALL_BUDGET = 40.0
CALL_DEADLINE_MARGIN = 4.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_BACKOFF = 0.5  # seconds before the first retry; doubled each time, with jitter
# A caller with stale data at hand waits this long for a refresh, then answers the stale data.
DEFAULT_STALE_GRACE = 5.0
# A call waits this long at most for a fetch it can do without: one assistant for the whole list (then
# it asks for that one), a diagnosis for the account's lists (then it says what it could not check).
DEFAULT_LOOKUP_GRACE = 2.0
# Upstream requests per minute per key (REVOX_MCP_KEY_RATE_LIMIT): the accepted range.
KEY_RATE_LIMITS = (1, 100_000)
# Derived answers (summaries, diagnoses, call facts...) each service keeps, by content.
DEFAULT_MEMO_ENTRIES = 20_000
# Periods of calls (analyze_calls and list_calls with since/until/days): Revox has no date filter, so a
# period is read newest first, page by page, this many calls at most; this many pages at once per key.
DEFAULT_PERIOD_MAX_CALLS = 5_000
DEFAULT_PERIOD_CONCURRENCY = 4
# The period when none is given to a filter only a period scan can apply (end_reason, tool_error...).
DEFAULT_PERIOD_DAYS = 7
# Pages of a period scan stay this long while the newest page is unchanged: the calls of a period
# that are already finished do not change.
DEFAULT_PERIOD_PAGE_TTL = 300.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The versions of assistants the server observed (revox_mcp.history): where they are kept.
# auto: Redis when REVOX_MCP_REDIS_URL is set (team), else a SQLite file in the state directory.
HistoryMode = Literal["auto", "sqlite", "redis", "memory", "off"]
HISTORY_MODES: tuple[HistoryMode, ...] = ("auto", "sqlite", "redis", "memory", "off")
APP_DIR = "revox-mcp"
# assistant_history's changes seen in the calls: the calls of this many days back are read.
DEFAULT_HISTORY_CALL_DAYS = 30


@dataclass(frozen=True)
class Secret:
    """A configured secret (an API key, a Redis URL with a password): never in ``repr`` or ``str``."""

    _value: str = field(repr=False)

    def get_secret_value(self) -> str:
        return self._value

    def __str__(self) -> str:
        return "**********"


class ConfigError(ValueError):
    """Raised when the environment holds an unusable setting; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """What the server is built from (``server.app.build_server``)."""

    api_key: Secret | None
    base_url: str = DEFAULT_BASE_URL
    cache_ttl: float = DEFAULT_TTL
    timeout: float = DEFAULT_TIMEOUT
    log_level: str = "WARNING"
    demo: bool = False
    # Team deployment (multi-user HTTP, shared cache): see server/team.py and cache/redis.py.
    multi_user: bool = False
    redis_url: Secret | None = None  # may hold a password: never shown whole
    key_rate_limit: int | None = None  # upstream requests per minute per key, across replicas
    personal_data: Mode = "mask"
    # Not read from the environment: the defaults every layer is given from here.
    call_budget: float = DEFAULT_CALL_BUDGET
    max_retries: int = DEFAULT_MAX_RETRIES
    retry_backoff: float = DEFAULT_RETRY_BACKOFF
    stale_grace: float = DEFAULT_STALE_GRACE
    lookup_grace: float = DEFAULT_LOOKUP_GRACE
    memo_entries: int = DEFAULT_MEMO_ENTRIES
    period_max_calls: int = DEFAULT_PERIOD_MAX_CALLS
    period_concurrency: int = DEFAULT_PERIOD_CONCURRENCY
    period_days: int = DEFAULT_PERIOD_DAYS
    period_page_ttl: float = DEFAULT_PERIOD_PAGE_TTL
    # "Now" for periods ("the last 7 days"): None is the clock's (``periods_now``: the demo's own time).
    demo_now: datetime | None = None
    # REVOX_MCP_HISTORY, and the directory of its SQLite file (load_settings resolves REVOX_MCP_STATE_DIR
    # or default_state_dir). None: no directory, so no file: auto and sqlite keep the history off.
    history: HistoryMode = "auto"
    state_dir: Path | None = None
    history_call_days: int = DEFAULT_HISTORY_CALL_DAYS

    @property
    def periods_now(self) -> datetime | None:
        """ "Now" for relative periods: ``demo_now`` when set, the demo data's present in demo mode,
        else None (the clock's)."""
        if self.demo_now is not None:
            return self.demo_now
        return DEMO_NOW if self.demo else None

    @property
    def call_deadline(self) -> float:
        """No tool or resource answers later than this after it was called, whatever Revox does."""
        return self.call_budget + CALL_DEADLINE_MARGIN

    @property
    def shared_cache(self) -> bool:
        """Whether the cache is shared with other replicas through Redis (the demo never is)."""
        return self.redis_url is not None and not self.demo

    @property
    def replicated(self) -> bool:
        """Whether this process is one of several replicas (callers' own keys, or a shared cache):
        any replica answers any request, and a 429 is shared, never slept through."""
        return self.multi_user or self.shared_cache

    def secrets(self) -> tuple[str, ...]:
        """The configured secrets, to mask wherever they could show: the API key and the Redis password
        (the Redis address itself is shown: host and port say which Redis a log line is about)."""
        found = [self.api_key.get_secret_value()] if self.api_key is not None else []
        if self.redis_url is not None:
            try:
                found.append(urlsplit(self.redis_url.get_secret_value()).password or "")
            except ValueError:  # unparseable: never shown (shown_url), so masked whole
                found.append(self.redis_url.get_secret_value())
        return tuple(secret for secret in found if secret)


def _seconds(env: Mapping[str, str], name: str, default: float, *, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise ConfigError(f"{name} must be a number of seconds {accepted(low, high)}, got {raw[:20]!r}")
    return value


def accepted(low: float, high: float) -> str:
    """The accepted range as every setting's message says it: "from 0.1 to 30", "from 1 to 100,000"."""

    def said(value: float) -> str:
        return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"

    return f"from {said(low)} to {said(high)}"


def _redis_url(env: Mapping[str, str]) -> Secret | None:
    url = env.get("REVOX_MCP_REDIS_URL", "").strip()
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("REVOX_MCP_REDIS_URL must start with redis://, rediss:// or unix://")
    return Secret(url)


def _rate_limit(env: Mapping[str, str]) -> int | None:
    raw = env.get("REVOX_MCP_KEY_RATE_LIMIT", "").strip()
    if not raw:
        return None
    low, high = KEY_RATE_LIMITS
    if not raw.isdecimal() or not low <= int(raw) <= high:
        raise ConfigError(
            f"REVOX_MCP_KEY_RATE_LIMIT must be a whole number of requests per minute per key "
            f"{accepted(low, high)}, got {raw[:20]!r}"
        )
    return int(raw)


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


def history_mode(env: Mapping[str, str]) -> HistoryMode:
    """``REVOX_MCP_HISTORY`` (default auto); ConfigError naming every mode when it is none of them."""
    raw = env.get("REVOX_MCP_HISTORY", "").strip().lower() or "auto"
    mode = next((m for m in HISTORY_MODES if m == raw), None)
    if mode is None:
        raise ConfigError(f"REVOX_MCP_HISTORY must be one of {', '.join(HISTORY_MODES)}, got {raw[:20]!r}")
    return mode


def state_dir_setting(env: Mapping[str, str]) -> Path | None:
    """``REVOX_MCP_STATE_DIR`` as given (None when unset); ConfigError unless it is absolute."""
    state = env.get("REVOX_MCP_STATE_DIR", "").strip()
    if state and not Path(state).expanduser().is_absolute():
        raise ConfigError(f"REVOX_MCP_STATE_DIR must be an absolute path, got {state[:60]!r}")
    return Path(state).expanduser() if state else None


def load_settings(
    env: Mapping[str, str], *, demo: bool = False, multi_user: bool = False, key_needed: bool = True
) -> Settings:
    """Read ``REVOX_*`` variables; raise ConfigError naming the variable when one is unusable.

    In multi-user mode each request brings its own key: ``REVOX_API_KEY`` is neither needed nor used.
    ``key_needed=False``: what runs without talking to Revox (``--erase-history``).
    """
    key = "" if multi_user else env.get("REVOX_API_KEY", "").strip()
    if not key and not demo and not multi_user and key_needed:
        raise ConfigError(
            "REVOX_API_KEY is not set. Export your Revox API key (REVOX_API_KEY=sk_...), "
            "or run with --demo to try the built-in sample assistants."
        )
    base_url = env.get("REVOX_BASE_URL", "").strip() or DEFAULT_BASE_URL
    if not base_url.startswith(("https://", "http://")):
        raise ConfigError(
            f"REVOX_BASE_URL must start with https:// (or http:// for a local server), got {base_url[:40]!r}"
        )
    level = env.get("REVOX_MCP_LOG_LEVEL", "").strip().upper() or "WARNING"
    if level not in LOG_LEVELS:
        raise ConfigError(f"REVOX_MCP_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level[:20]!r}")
    personal = env.get("REVOX_MCP_PERSONAL_DATA", "").strip().lower() or "mask"
    mode = next((m for m in MODES if m == personal), None)
    if mode is None:
        raise ConfigError(
            f"REVOX_MCP_PERSONAL_DATA must be mask (the default: callees' personal data masked) or show, "
            f"got {personal[:20]!r}"
        )
    return Settings(
        api_key=Secret(key) if key else None,
        base_url=base_url.rstrip("/"),
        cache_ttl=_seconds(env, "REVOX_MCP_CACHE_TTL", DEFAULT_TTL, low=0, high=86_400),
        timeout=_seconds(env, "REVOX_MCP_TIMEOUT", DEFAULT_TIMEOUT, low=0.1, high=MAX_TIMEOUT),
        log_level=level,
        demo=demo,
        multi_user=multi_user,
        redis_url=_redis_url(env),
        key_rate_limit=_rate_limit(env),
        personal_data=mode,
        history=history_mode(env),
        state_dir=state_dir_setting(env) or default_state_dir(env),
    )


def shown_url(url: str) -> str:
    """A configured URL (Revox base URL, Redis URL) fit to show and log: scheme, host, port and path;
    never user info, password, query or fragment."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(unparseable URL)"
    if parts.scheme == "unix":
        return f"unix://{parts.path}"
    netloc = f"[{host}]{port}" if ":" in host else f"{host}{port}"
    return f"{parts.scheme}://{netloc}{parts.path}"
