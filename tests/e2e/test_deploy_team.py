"""`deploy/team.sh up`, for real: a real redis-server, real replicas, real ports, real failures.

Each way it cannot start (no redis-server, a port in use, a replica that crashes on import or on its
settings) is one line on stderr, a non-zero exit, and no process left: every pid it started (it
lists them in $LOG_DIR/pids) is gone. A replica is announced only once it answers /healthz; one that
dies later stops the team the same way; SIGTERM (Ctrl-C) stops it all with exit 0. The Redis
address, in its lines and in the replicas' logs, keeps host and port and hides only a password.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import httpx
import pytest
from loopback import NO_TLS
from processes import child_env
from redis_server import TEAM_SCRIPT, free_port, require_redis_server

CANARY = "pw-canary-7f3a"


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free loopback ports."""
    while True:
        first = free_port()
        try:
            for port in range(first + 1, first + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first


def team_env(log_dir: Path, replicas: int = 1, **extra: str) -> dict[str, str]:
    return {
        **child_env(),
        "PYTHON": sys.executable,
        "LOG_DIR": str(log_dir),
        "PORT": str(free_ports(replicas)),
        "REDIS_PORT": str(free_port()),
        "STARTUP_TIMEOUT": "90",  # a loaded machine; a failure is seen at once, not at the deadline
        "REVOX_MCP_LOG_LEVEL": "INFO",
        **extra,
    }


def up(env: dict[str, str], replicas: int = 1) -> subprocess.CompletedProcess[str]:
    """``team.sh up N`` that is expected to fail: it must exit on its own."""
    return subprocess.run(
        ["bash", str(TEAM_SCRIPT), "up", str(replicas)],  # noqa: S607  # bash from PATH, as the README
        env=env,
        cwd=Path(env["LOG_DIR"]).parent,  # outside the repository: `-m revox_mcp` must not find it in the cwd
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def started(log_dir: Path) -> dict[int, str]:
    """pid -> name of everything team.sh started (its $LOG_DIR/pids)."""
    path = log_dir / "pids"
    lines = path.read_text().splitlines() if path.exists() else []
    return {int(pid): name for pid, name in (line.split(" ", 1) for line in lines)}


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, or a pid taken since by another program, is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z" and (b"revox_mcp" in command or b"redis" in command)


def assert_one_line(stderr: str, *parts: str) -> None:
    """The failure is one line, the last (announcements of what did start may come before it)."""
    failures = [line for line in stderr.splitlines() if line.startswith("team.sh: ")]
    assert len(failures) == 1, stderr
    assert stderr.strip().splitlines()[-1] == failures[0], stderr
    for part in parts:
        assert part in failures[0], stderr


def assert_nothing_left(log_dir: Path) -> None:
    survivors = {pid: name for pid, name in started(log_dir).items() if running(pid)}
    assert survivors == {}


@contextmanager
def listening(port: int, *, listen: bool = True) -> Iterator[None]:
    """Something else holding ``port``: listening, or only bound (the pre-flight check cannot see that)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        if listen:
            holder.listen()
        yield


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "logs"


def test_without_redis_server_on_path_it_fails_in_one_line_and_starts_nothing(tmp_path: Path, log_dir: Path):
    # Every program on PATH but Redis's (on a merged /usr, /bin is /usr/bin: no directory can be left out).
    tools = tmp_path / "bin"
    tools.mkdir()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        for program in Path(folder).glob("*") if Path(folder).is_dir() else []:
            if not program.name.startswith("redis") and not (tools / program.name).exists():
                (tools / program.name).symlink_to(program)
    done = up(team_env(log_dir, PATH=str(tools)))
    assert done.returncode == 1
    assert_one_line(done.stderr, "redis-server is not on PATH")
    assert started(log_dir) == {}


@pytest.mark.parametrize("holder", ["redis", "replica 2"])
def test_a_port_in_use_fails_in_one_line_naming_it_and_starts_nothing(log_dir: Path, holder: str):
    env = team_env(log_dir, replicas=2)
    port = int(env["REDIS_PORT"]) if holder == "redis" else int(env["PORT"]) + 1
    with listening(port):
        done = up(env, replicas=2)
    assert done.returncode == 1
    assert_one_line(done.stderr, f"port {port} ", "already in use")
    assert started(log_dir) == {}


@pytest.mark.parametrize(
    ("breakage", "said"),
    [
        ("shadowing-module", "ImportError: a module shadowing revox_mcp"),
        ("bad-setting", "REVOX_MCP_CACHE_TTL"),
        ("port-bound-not-listening", "is already in use"),
    ],
)
def test_a_replica_that_cannot_start_is_never_announced_and_everything_started_is_stopped(
    tmp_path: Path, log_dir: Path, breakage: str, said: str
):
    require_redis_server()
    env = team_env(log_dir, replicas=2)
    shadow = tmp_path / "shadow" / "revox_mcp"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("a module shadowing revox_mcp")\n')
    if breakage == "shadowing-module":
        env["PYTHONPATH"] = str(shadow.parent)
    if breakage == "bad-setting":
        env["REVOX_MCP_CACHE_TTL"] = "soon"
    failing = int(env["PORT"]) + (1 if breakage == "port-bound-not-listening" else 0)
    with listening(failing, listen=False) if breakage == "port-bound-not-listening" else nullcontext():
        done = up(env, replicas=2)
    assert done.returncode == 1
    number = 2 if breakage == "port-bound-not-listening" else 1
    assert_one_line(done.stderr, f"replica {number} (port {failing}) exited", said, str(log_dir))
    assert f"replica {number}:" not in done.stderr  # never announced
    names = set(started(log_dir).values())
    assert "redis" in names  # Redis was up, and is stopped too
    assert_nothing_left(log_dir)


class Team:
    """A running ``team.sh up``, its announcements read from stderr."""

    def __init__(self, env: dict[str, str], replicas: int) -> None:
        self.env = env
        self.process = subprocess.Popen(
            ["bash", str(TEAM_SCRIPT), "up", str(replicas)],  # noqa: S607  # bash from PATH, as the README
            env=env,
            cwd=Path(env["LOG_DIR"]).parent,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.lines: list[str] = []

    def announced(self, timeout: float = 180) -> list[str]:
        """Its stderr lines up to the last announcement ("Logs: ..."), read as they come (unbuffered)."""
        assert self.process.stderr is not None
        deadline, received = time.monotonic() + timeout, b""
        with selectors.DefaultSelector() as ready:
            ready.register(self.process.stderr, selectors.EVENT_READ)
            while b"\nLogs: " not in b"\n" + received or not received.endswith(b"\n"):
                assert ready.select(timeout=max(0.0, deadline - time.monotonic())), received
                chunk = os.read(self.process.stderr.fileno(), 65536)
                assert chunk, f"team.sh exited ({self.process.wait()}): {received.decode()}"
                received += chunk
        self.lines = received.decode().splitlines()
        return self.lines

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        """Its exit status and the rest of its stderr."""
        _, rest = self.process.communicate(timeout=timeout)
        return self.process.returncode, rest.decode()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


@contextmanager
def team(env: dict[str, str], replicas: int) -> Iterator[Team]:
    running_team = Team(env, replicas)
    try:
        yield running_team
    finally:
        running_team.stop()


def test_the_team_answers_once_announced_and_sigterm_stops_it_all_with_exit_0(log_dir: Path):
    require_redis_server()
    env = team_env(log_dir, replicas=2)
    first, redis_port = int(env["PORT"]), env["REDIS_PORT"]
    with team(env, replicas=2) as running_team:
        lines = running_team.announced()
        assert lines[:3] == [
            f"replica 1: http://127.0.0.1:{first}/mcp",
            f"replica 2: http://127.0.0.1:{first + 1}/mcp",
            f"Redis: redis://127.0.0.1:{redis_port}/0",
        ]
        for port in (first, first + 1):
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10, verify=NO_TLS).status_code == 200
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10, verify=NO_TLS)
            assert ready.json() == {"status": "ready", "cache": "shared"}
        assert sorted(started(log_dir).values()) == [
            "redis",
            f"replica 1 (port {first})",
            f"replica 2 (port {first + 1})",
        ]
        running_team.process.send_signal(signal.SIGTERM)
        status, rest = running_team.finish()
    assert status == 0, rest
    assert_nothing_left(log_dir)


def test_a_replica_dying_later_stops_the_team_in_one_line(log_dir: Path):
    require_redis_server()
    env = team_env(log_dir, replicas=2)
    second = int(env["PORT"]) + 1
    with team(env, replicas=2) as running_team:
        running_team.announced()
        victim = next(pid for pid, name in started(log_dir).items() if name.startswith("replica 2"))
        os.kill(victim, signal.SIGKILL)
        status, rest = running_team.finish()
    assert status == 1
    assert_one_line(rest, f"replica 2 (port {second}) exited (status 137)", "stopping the team")
    assert_nothing_left(log_dir)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://127.0.0.1:{port}/0", "redis://127.0.0.1:{port}/0"),
        (f"redis://:{CANARY}@127.0.0.1:{{port}}/0", "redis://:***@127.0.0.1:{port}/0"),
        (f"redis://cache-user:{CANARY}@127.0.0.1:{{port}}/2", "redis://cache-user:***@127.0.0.1:{port}/2"),
    ],
    ids=["no-password", "password", "user-and-password"],
)
def test_the_redis_address_shows_host_and_port_and_hides_only_a_password(log_dir: Path, url: str, shown: str):
    """A Redis of one's own (not started by team.sh; here nothing listens there): the replica says so."""
    port = free_port()
    env = team_env(log_dir, REVOX_MCP_REDIS_URL=url.format(port=port))
    with team(env, replicas=1) as running_team:
        lines = running_team.announced()
        assert f"Redis: {shown.format(port=port)}" in lines
        assert "redis" not in started(log_dir).values()
        ready = httpx.get(f"http://127.0.0.1:{env['PORT']}/readyz", timeout=10, verify=NO_TLS)
        assert ready.status_code == 503
        running_team.process.send_signal(signal.SIGTERM)
        status, rest = running_team.finish()
    assert status == 0
    replica_log = (log_dir / f"replica-{env['PORT']}.log").read_text()
    assert f"Redis at redis://127.0.0.1:{port}/" in replica_log  # host and port, not [REDACTED]
    assert CANARY not in replica_log + "\n".join(lines) + rest
    assert_nothing_left(log_dir)
