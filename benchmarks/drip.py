"""A loopback Revox whose ``GET /assistants`` body drips: steady, slow, never stalled long enough to time out.

The first ``fast`` requests get the whole body at once (to fill a cache); the later ones get it
``rate`` bytes per second, in ten chunks a second, so that no single read ever waits long: only a
deadline over the whole body stops such an answer. Any other path is a 404.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

_CHUNKS_PER_SECOND = 10


class DripRevox:
    """``with DripRevox(body, rate=64 * 1024, fast=1) as drip: ... drip.base_url``"""

    def __init__(self, body: bytes, *, rate: int, fast: int = 0) -> None:
        self.body = body
        self.rate = rate
        self.fast = fast
        self.requests = 0
        self._port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), name="drip-revox", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def __enter__(self) -> DripRevox:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("DripRevox did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(10)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self._port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stopping.wait()
        server.close()
        for writer in list(self._writers):
            writer.transport.abort()  # a handler reading a request sees the connection end
        # A dripping handler notices the stop within one chunk; cancelling it instead would make
        # asyncio's stream callback log the CancelledError (Python 3.11).
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self._writers.add(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].split(b"?")[0]
            if path != b"/assistants":
                writer.write(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                await writer.drain()
                return
            self.requests += 1
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n"
                b"content-length: %d\r\n\r\n" % len(self.body)
            )
            if self.requests <= self.fast:
                writer.write(self.body)
                await writer.drain()
                return
            step = max(self.rate // _CHUNKS_PER_SECOND, 1)
            for start in range(0, len(self.body), step):
                if self._stopping is None or self._stopping.is_set():
                    return
                writer.write(self.body[start : start + step])
                await writer.drain()
                await asyncio.sleep(1 / _CHUNKS_PER_SECOND)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, IndexError):
            pass  # the client left, or sent something that is not a request
        finally:
            self._handlers.discard(task)
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
