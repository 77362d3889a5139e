"""A client-side load balancer: each HTTP request of an MCP session to the next replica in turn."""

from __future__ import annotations

from collections import Counter

import httpx2
from loopback import NO_TLS


class RoundRobin(httpx2.AsyncBaseTransport):
    """Each request to the next replica in turn; a replica that refuses connections is skipped."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.served: Counter[int] = Counter()
        self._next = 0
        self._inner = httpx2.AsyncHTTPTransport(verify=NO_TLS)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        for _ in range(len(self.ports)):
            port = self.ports[self._next % len(self.ports)]
            self._next += 1
            request.url = request.url.copy_with(port=port)
            request.headers["host"] = f"127.0.0.1:{port}"
            try:
                response = await self._inner.handle_async_request(request)
            except httpx2.ConnectError:
                continue  # that replica is gone: the next one
            self.served[port] += 1
            return response
        raise httpx2.ConnectError("no replica accepts connections")

    async def aclose(self) -> None:
        await self._inner.aclose()
