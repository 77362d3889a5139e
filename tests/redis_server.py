"""A real redis-server on a free loopback port, started the way deploy/team.sh starts it.

No persistence, in a temporary directory; stop() and start() again on the same port let a test
take Redis away mid-run and bring it back.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import redis
from processes import free_port, poll_until
from strength import require

TEAM_SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "team.sh"
INSTALL_HINT = "redis-server is not installed: apt-get install -y redis-server"


def require_redis_server() -> None:
    """Fail (in CI) or skip (elsewhere) when there is no redis-server: never silently skipped in CI."""
    require(INSTALL_HINT if shutil.which("redis-server") is None else None)


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="revox-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)

    def start(self) -> RedisServer:
        command = ["bash", str(TEAM_SCRIPT), "redis", str(self.port), self._dir.name]
        self._process = subprocess.Popen(
            command,  # bash from PATH, as the README runs it
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        process = self._process
        with self.client() as probe:

            def answers() -> bool:
                assert process.poll() is None, f"redis-server exited at start on port {self.port}"
                try:
                    return bool(probe.ping())
                except redis.ConnectionError:
                    return False

            poll_until(answers, within=10, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def dump(self) -> dict[bytes, tuple[bytes, int]]:
        """Every key (SCAN) with its value and its TTL in ms: GET for strings, DUMP for any other type.

        GET, not DUMP, for strings: DUMP may LZF-compress a value, which would hide a canary from a search.
        """
        found: dict[bytes, tuple[bytes, int]] = {}
        with self.client() as client:
            for key in client.scan_iter(count=1000):
                value = client.get(key) if client.type(key) == b"string" else client.dump(key)
                if value is not None:
                    found[key] = (value, int(client.pttl(key)))
        return found
