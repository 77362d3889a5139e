"""The history's variables: where it lives, its bounds, the off switch; and which store they open."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from history.samples import ACCOUNT, assistants, listing, version
from support import FakeClock

from revox_mcp.cache.clock import Clock
from revox_mcp.history.memory import MemoryStore
from revox_mcp.history.redis import RedisStore
from revox_mcp.history.settings import (
    HistorySettings,
    default_state_dir,
    erase_history,
    history_settings,
    open_history,
)
from revox_mcp.history.sqlite import SqliteStore
from revox_mcp.settings import ConfigError


def test_by_default_the_file_is_in_the_xdg_state_directory() -> None:
    assert default_state_dir({"XDG_STATE_HOME": "/x/state", "HOME": "/home/u"}) == Path("/x/state/revox-mcp")
    assert default_state_dir({"HOME": "/home/u"}) == Path("/home/u/.local/state/revox-mcp")
    assert default_state_dir({"XDG_STATE_HOME": "relative", "HOME": "/home/u"}) == Path(
        "/home/u/.local/state/revox-mcp"
    )
    assert history_settings({}).file({"HOME": "/home/u"}) == Path("/home/u/.local/state/revox-mcp/history.sqlite3")


def test_the_variables_set_the_store_and_its_directory() -> None:
    env = {"REVOX_MCP_HISTORY": "SQLite", "REVOX_MCP_STATE_DIR": "/srv/revox"}
    assert history_settings(env) == HistorySettings("sqlite", Path("/srv/revox"))
    assert history_settings({}) == HistorySettings()


@pytest.mark.parametrize(
    ("name", "value"),
    [("REVOX_MCP_HISTORY", "maybe"), ("REVOX_MCP_HISTORY", "on"), ("REVOX_MCP_STATE_DIR", "relative/dir")],
)
def test_an_unusable_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        history_settings({name: value})


def test_auto_is_a_file_alone_and_redis_in_a_team(tmp_path: Path) -> None:
    env = {"REVOX_MCP_STATE_DIR": str(tmp_path)}
    local = open_history(history_settings(env), env).store
    assert isinstance(local, SqliteStore)
    assert local.path == tmp_path / "history.sqlite3"
    team = open_history(history_settings(env), env, redis_url="redis://127.0.0.1:1/0").store
    assert isinstance(team, RedisStore)
    forced = open_history(history_settings({**env, "REVOX_MCP_HISTORY": "sqlite"}), env, redis_url="redis://h:1/0")
    assert isinstance(forced.store, SqliteStore)


@pytest.mark.anyio
async def test_without_a_home_directory_the_server_starts_with_history_off(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", no_home)  # a service account with neither HOME nor a passwd entry
    history = open_history(history_settings({}), {})
    health = await history.health()
    assert (health.state, health.store) == ("off", "off")
    assert "REVOX_MCP_STATE_DIR" in health.reason


@pytest.mark.anyio
async def test_the_history_takes_the_servers_clock(tmp_path: Path) -> None:
    wall = FakeClock(1_771_250_000.0)
    env = {"REVOX_MCP_HISTORY": "memory"}
    history = open_history(history_settings(env), env, clock=Clock(wall=wall, monotonic=FakeClock()))
    (seen,) = await history.record_listing(ACCOUNT, listing(assistants(1)))
    assert seen.seen_at == 1_771_250_000.0


def test_redis_without_its_url_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="REVOX_MCP_REDIS_URL"):
        open_history(history_settings({"REVOX_MCP_HISTORY": "redis"}), {})


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "demo"), [("off", False), ("off", True), ("sqlite", True), ("memory", False)])
async def test_off_the_demo_and_memory_write_nothing_to_disk(tmp_path: Path, mode: str, demo: bool) -> None:
    env = {"REVOX_MCP_STATE_DIR": str(tmp_path / "state"), "REVOX_MCP_HISTORY": mode}
    history = open_history(history_settings(env), env, demo=demo)
    assert (history.store is None) == (mode == "off")
    assert history.store is None or isinstance(history.store, MemoryStore)
    await history.record(ACCOUNT, [version()])
    await history.history(ACCOUNT, "a-1")
    health = await history.health()
    assert health.state == ("off" if mode == "off" else "ok")
    await history.aclose()
    assert not await anyio.Path(tmp_path / "state").exists()


@pytest.mark.anyio
async def test_erasing_the_history_deletes_the_versions_and_creates_nothing(tmp_path: Path) -> None:
    env = {"REVOX_MCP_STATE_DIR": str(tmp_path / "state")}
    settings = history_settings(env)
    assert await erase_history(settings, env) == 0
    assert not await anyio.Path(tmp_path / "state").exists()
    history = open_history(settings, env)
    await history.record(ACCOUNT, [version("a-1", "d1"), version("a-2", "d1")])
    await history.aclose()
    assert await erase_history(settings, env) == 2
    again = open_history(settings, env)
    assert await again.history(ACCOUNT, "a-1") == []
    await again.aclose()
