"""The one fake Revox (``revox_mcp.api.fake``) served to tests, with fault injection and a request log.

`FakeRevox` answers through the package's `FakeApi`, the routing and call-search semantics the demo
uses too, in either of two ways:

* over real loopback HTTP: uvicorn's h11 protocol with a tiny raw-ASGI app on 127.0.0.1 (ephemeral
  port) in a background thread that owns its own event loop, so sync tests, anyio tests and a
  server under test in a subprocess all reach it the same way, through `base_url`;
* in process: `transport()` is an httpx transport for a `RevoxApi` in the test's own process (no
  socket, no thread), with the same faults and the same request log.

    with FakeRevox() as fake:
        fake.inject(Fault.status(429, headers={"Retry-After": "1"}))
        ...  # the next request gets a 429, later ones the fixtures
        assert fake.requests[0].path == "/assistants"

Every request is recorded (its body too), the faulted and the unauthorised ones included, before
it is answered. `POST /call/search` is as strict as the SDK (`revox_mcp.api.fake.search`); its page
base (`page_base`), page-size cap (`max_page_size`) and accepted `sort_by` values (`sortable`) are
settable, since Revox documents none of them.

Several organisations: `FakeRevox(keys={"sk-a": assistants_a, "sk-b": assistants_b})` knows each key
with its own assistants (calls and account data are the main key's only); `inject(..., key="sk-a")`
faults that key's requests only.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import random
import socket
import struct
import threading
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import httpx
from uvicorn import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from revox_mcp.api.fake import Account, Answer, FakeApi, Organisation, SearchRules
from revox_mcp.api.fake.account import dumps
from revox_mcp.api.fake.transport import BASE_PATH, path_under

__all__ = ["FakeRevox", "Fault", "FaultKind", "RecordedRequest"]

_FIXTURES = Path(__file__).with_name("fixtures_assistants.json")
_CALL_FIXTURES = Path(__file__).with_name("fixtures_calls.json")
_HOST = "127.0.0.1"
# How long stop() lets in-flight responses finish before it aborts their connections.
_GRACE_SECONDS = 2.0
# How long start() and stop() wait for the server thread before giving up.
_THREAD_TIMEOUT_SECONDS = 10.0
# Room for load tests' bursts of simultaneous connects; asyncio's default (100) drops SYNs,
# which the client retries only after a second.
_BACKLOG = 4096
# Far above h11's 16 KiB default, so hostile requests with huge paths or headers reach the
# app and the request log instead of being refused by the protocol layer.
_MAX_REQUEST_HEAD_BYTES = 1024 * 1024

_Scope = MutableMapping[str, Any]
_Message = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[_Message], Awaitable[None]]
_Headers = tuple[tuple[str, str], ...]

_JSON_HEADERS: _Headers = (("content-type", "application/json"),)
_TEXT_HEADERS: _Headers = (("content-type", "text/plain; charset=utf-8"),)
_HTML_HEADERS: _Headers = (("content-type", "text/html; charset=utf-8"),)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str
    """The raw path under the API's root, percent-encoding preserved (`/assistants/a%2Fb`)."""
    query: str
    """The raw query string, without `?`."""
    headers: dict[str, str]
    """Lower-case names; repeated headers joined with `, `."""
    body: bytes = b""
    """The request body as received (POST /call/search's JSON)."""

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def key(self) -> str:
        """The Bearer key the request carried ("" without one)."""
        return self.headers.get("authorization", "").partition(" ")[2]


class FaultKind(enum.Enum):
    STATUS = "status"
    SLOW = "slow"
    RESET = "reset"
    TRUNCATED_JSON = "truncated_json"
    INVALID_JSON = "invalid_json"
    WRONG_SHAPE = "wrong_shape"
    HTML_ERROR = "html_error"


@dataclass(frozen=True)
class Fault:
    """What to do to one request instead of serving it normally. Build it with the constructors."""

    kind: FaultKind
    status_code: int = 200
    body: bytes = b""
    headers: _Headers = ()
    seconds: float = 0.0

    @classmethod
    def status(
        cls,
        code: int,
        body: bytes | str | dict[str, Any] | list[Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """Answer `code`. The default body is `{"error": "<reason phrase>"}`; str/bytes go as text."""
        if body is None:
            body = {"error": _phrase(code)}
        if isinstance(body, (dict, list)):
            payload, defaults = dumps(body), _JSON_HEADERS
        else:
            payload = body.encode() if isinstance(body, str) else body
            defaults = _TEXT_HEADERS
        return cls(FaultKind.STATUS, code, payload, _merge_headers(defaults, headers or {}))

    @classmethod
    def rate_limited(cls, retry_after: str | None = None) -> Fault:
        """429, with `Retry-After: <retry_after>` when given (e.g. "1" or "3600")."""
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        return cls.status(429, headers=headers)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Wait `seconds`, then answer normally; gives up early if the client goes away.

        In process, a wait as long as the client's read timeout is that timeout at once (httpx.ReadTimeout).
        """
        return cls(FaultKind.SLOW, seconds=seconds)

    @classmethod
    def reset(cls) -> Fault:
        """Drop the connection with a TCP reset and no response (in process: httpx.ReadError)."""
        return cls(FaultKind.RESET)

    @classmethod
    def truncated_json(cls) -> Fault:
        """200 `application/json` whose body is the normal one cut in half (Content-Length matches)."""
        return cls(FaultKind.TRUNCATED_JSON, headers=_JSON_HEADERS)

    @classmethod
    def invalid_json(cls) -> Fault:
        """200 `application/json` with the body `not json{`."""
        return cls(FaultKind.INVALID_JSON, 200, b"not json{", _JSON_HEADERS)

    @classmethod
    def wrong_shape(cls, payload: object = ("not", "an", "object")) -> Fault:
        """200 with valid JSON of the wrong shape; the default (a list) fits no endpoint."""
        return cls(FaultKind.WRONG_SHAPE, 200, dumps(payload), _JSON_HEADERS)

    @classmethod
    def html_error(cls, status: int = 502) -> Fault:
        """An HTML error page, as a reverse proxy in front of the API would send."""
        title = f"{status} {_phrase(status)}"
        page = (
            f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        )
        return cls(FaultKind.HTML_ERROR, status, page.encode(), _HTML_HEADERS)


class _Connections:
    """Open connections of one server, so a handler can reset its own and stop() can close all."""

    def __init__(self) -> None:
        self.transports: dict[tuple[str, int], asyncio.Transport] = {}
        self.protocols: set[H11Protocol] = set()
        self.none_open = asyncio.Event()
        self.none_open.set()

    def opened(self, protocol: H11Protocol) -> None:
        self.protocols.add(protocol)
        if protocol.client is not None:
            self.transports[protocol.client] = protocol.transport
        self.none_open.clear()

    def closed(self, protocol: H11Protocol) -> None:
        self.protocols.discard(protocol)
        if protocol.client is not None:
            self.transports.pop(protocol.client, None)
        if not self.protocols:
            self.none_open.set()


class _TrackedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, reporting its connection's life to a `_Connections`."""

    def __init__(self, connections: _Connections, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tracked = connections

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # asyncio only sets TCP_NODELAY on sockets created with proto=IPPROTO_TCP; without it,
        # Nagle plus delayed ACKs add 40 ms to every request on a reused keep-alive connection.
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._tracked.opened(self)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self._tracked.closed(self)


class FakeRevox:
    """The fake Revox for tests: fixture data by default, Bearer auth, a request log, faults."""

    def __init__(
        self,
        assistants: list[dict[str, Any]] | None = None,
        *,
        api_key: str = "sk-test-key",
        listed_ids: set[str] | None = None,
        keys: Mapping[str, list[dict[str, Any]]] | None = None,
        calls: list[dict[str, Any]] | None = None,
        page_base: int = 0,
        max_page_size: int = 100,
        sortable: frozenset[str] = frozenset({"created_at"}),
    ) -> None:
        self.api_key = api_key
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._faults: list[tuple[Fault, str | None, str | None]] = []
        self._standing: tuple[Fault, str | None, str | None] | None = None
        if assistants is None:
            assistants, fixture_listed = _load_fixtures()
            listed_ids = fixture_listed if listed_ids is None else listed_ids
        fixtures = _call_fixtures()
        account = Account(
            calls if calls is not None else fixtures["calls"],
            fixtures["phone_numbers"],
            fixtures["voices"],
            fixtures["campaigns"],
        )
        self.api = FakeApi(
            {api_key: Organisation(assistants, listed_ids, account)}, SearchRules(page_base, max_page_size, sortable)
        )
        for other_key, other_assistants in (keys or {}).items():
            if other_key == api_key:
                self.set_assistants(other_assistants)
            else:
                self.add_key(other_key, other_assistants)
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._connections: _Connections | None = None
        self._error: BaseException | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`, no trailing slash. Only valid while started."""
        if self._port is None:
            raise RuntimeError("FakeRevox is not started")
        return f"http://{_HOST}:{self._port}"

    def start(self) -> FakeRevox:
        """Bind an ephemeral loopback port and return once the server answers requests."""
        if self._thread is not None:
            raise RuntimeError("FakeRevox is already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((_HOST, 0))
            sock.listen(_BACKLOG)
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        port: int = sock.getsockname()[1]
        ready = threading.Event()
        self._error = None
        thread = threading.Thread(target=self._run, args=(sock, ready), name=f"fake-revox-{port}", daemon=True)
        self._thread = thread
        thread.start()
        if not ready.wait(_THREAD_TIMEOUT_SECONDS) or self._error is not None:
            self.stop()
            raise RuntimeError("FakeRevox failed to start") from self._error
        self._port = port
        return self

    def stop(self) -> None:
        """Close every connection and join the server thread. Safe to call twice."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                loop.call_soon_threadsafe(stopping.set)
        thread.join(_THREAD_TIMEOUT_SECONDS)
        self._thread = self._loop = self._stopping = self._connections = None
        self._port = None
        if thread.is_alive():
            raise RuntimeError("FakeRevox server thread did not stop")
        if self._error is not None:
            raise RuntimeError("FakeRevox server thread failed") from self._error

    def __enter__(self) -> FakeRevox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def transport(self, base_path: str = BASE_PATH) -> httpx.MockTransport:
        """The same fake in process, for a RevoxApi whose base URL's path is ``base_path``: same data,
        same log, same faults (a reset is httpx.ReadError, a long wait httpx.ReadTimeout); no socket."""

        async def handle(request: httpx.Request) -> httpx.Response:
            recorded = RecordedRequest(
                method=request.method,
                path=path_under(request, base_path),
                query=request.url.query.decode("ascii"),
                headers={name.lower(): value for name, value in request.headers.multi_items()},
                body=request.content,
            )
            answer = await self._answer_in_process(recorded, request)
            return httpx.Response(answer.status, headers=list(answer.headers), content=answer.body)

        return httpx.MockTransport(handle)

    # -- control ---------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the request log, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_log(self) -> None:
        with self._lock:
            self._requests.clear()

    def inject(self, *faults: Fault, path: str | None = None, key: str | None = None) -> None:
        """Give the next matching requests these faults, one each, in order; then serve normally.

        `path` matches the request path exactly, either raw or percent-decoded; None matches all.
        `key` matches requests sent with that Bearer key only; None matches every key.
        """
        with self._lock:
            self._faults.extend((fault, path, key) for fault in faults)

    def fail_every(self, fault: Fault | None, *, path: str | None = None, key: str | None = None) -> None:
        """Give every matching request this fault (after any queued by `inject`), until `fail_every(None)`."""
        with self._lock:
            self._standing = (fault, path, key) if fault is not None else None

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    @property
    def page_base(self) -> int:
        return self.api.rules.page_base

    @property
    def max_page_size(self) -> int:
        return self.api.rules.max_page_size

    @property
    def sortable(self) -> frozenset[str]:
        return self.api.rules.sortable

    def add_key(self, key: str, assistants: list[dict[str, Any]]) -> None:
        """Know ``key`` too, as another organisation's, with these assistants (all listed) and no calls."""
        self.api.organisations[key] = Organisation(assistants, None, Account(calls=[]))

    def set_assistants(self, assistants: list[dict[str, Any]], listed_ids: set[str] | None = None) -> None:
        """Serve these assistants: all retrievable by id; listed if in `listed_ids` (None: all)."""
        self.api.organisations[self.api_key] = Organisation(assistants, listed_ids, self._main.account)

    def set_account(
        self,
        calls: list[dict[str, Any]],
        *,
        phone_numbers: list[dict[str, Any]] | None = None,
        voices: list[dict[str, Any]] | None = None,
        campaigns: list[dict[str, Any]] | None = None,
    ) -> None:
        """Serve these calls (and, when given, these phone numbers, voices, campaigns; else keep the current)."""
        current = self._main.account or Account()
        account = Account(
            calls,
            phone_numbers if phone_numbers is not None else current.phone_numbers,
            voices if voices is not None else current.voices,
            campaigns if campaigns is not None else current.campaigns,
        )
        self.api.organisations[self.api_key] = self._main.with_account(account)

    @property
    def _main(self) -> Organisation:
        return self.api.organisations[self.api_key]

    @staticmethod
    def make_calls(
        n: int,
        *,
        assistant_id: str = "4d5e4f3a-2b1c-4d0e-9f8a-7b6c5d4e3f65",
        turns: int = 6,
        turn_chars: int = 0,
        speech_events: int = 0,
        seed: int = 0,
    ) -> list[dict[str, Any]]:
        """`n` calls cloned from the first fixture call (personal data and FAKE canaries kept), newest first.

        `turns` transcript entries each `turn_chars` long (0: the fixture's texts), and
        `speech_events` agent/user events, make a 1 MB transcript or 5,000 events possible.
        """
        template = _call_fixtures()["calls"][0]
        assistant = next((a for a in _load_fixtures()[0] if a["id"] == assistant_id), template["assistant"])
        rng = random.Random(seed)
        calls: list[dict[str, Any]] = []
        serialised = json.dumps(template)  # each call is a fresh copy of it
        for index in range(n):
            call = json.loads(serialised)
            call["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            call["assistant"] = assistant
            minute = n - index
            call["created_at"] = (
                f"2026-02-{1 + (minute // 1440) % 28:02d}T{(minute // 60) % 24:02d}:{minute % 60:02d}:00.000Z"
            )
            attempt = call["call_attempts"][0]
            if turn_chars:
                attempt["transcript"] = [
                    {
                        "role": "user" if i % 2 else "assistant",
                        "content": _sized_prompt(f"Turn {i}. Jeanne Dupont 06 12 34 56 78.", turn_chars),
                    }
                    for i in range(turns)
                ]
            if speech_events:
                attempt["speech_events"] = [
                    {
                        "id": f"e{i}",
                        "speaker": "agent" if i % 2 else "user",
                        "started_speaking_at_ms": i * 1000,
                        "stopped_speaking_at_ms": i * 1000 + 800,
                        "transcript": f"turn {i}",
                        "is_real_turn": True,
                        **(
                            {
                                "llm_ttft_ms": 400 + i % 700,
                                "tts_ttfb_ms": 150 + i % 300,
                                "was_cut": i % 5 == 0,
                                "llm_system_prompt": "You are Lucy. Bearer FAKE-per-turn-prompt-token "
                                + "history " * 50,
                            }
                            if i % 2
                            else {"stt_transcription_delay_ms": 200}
                        ),
                    }
                    for i in range(speech_events)
                ]
            calls.append(call)
        return calls

    @staticmethod
    def make_assistants(n: int, *, prompt_chars: int = 400, seed: int = 0) -> list[dict[str, Any]]:
        """`n` assistants cloned from the fixtures in turn, with unique ids and names.

        Deterministic for a given `seed`. Each prompt is exactly `prompt_chars` long (the
        fixture's prompt repeated or cut), so `prompt_chars=1_000_000` gives a 1 MB prompt.
        Canary secrets (`FAKE`) are kept, so redaction can be checked at scale.
        """
        templates = _fixture_texts()
        rng = random.Random(seed)
        seen: set[str] = set()
        assistants: list[dict[str, Any]] = []
        for index in range(n):
            assistant: dict[str, Any] = json.loads(templates[index % len(templates)])
            assistant_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            while assistant_id in seen:
                assistant_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            seen.add(assistant_id)
            assistant["id"] = assistant_id
            assistant["name"] = f"{assistant.get('name') or 'Assistant'} #{index + 1}"
            assistant["prompt"] = _sized_prompt(assistant.get("prompt") or "", prompt_chars)
            assistants.append(assistant)
        return assistants

    # -- server thread -------------------------------------------------------------------------

    def _run(self, sock: socket.socket, ready: threading.Event) -> None:
        try:
            asyncio.run(self._serve(sock, ready))
        except BaseException as exc:  # reported by start() or stop(), never lost
            self._error = exc
        finally:
            sock.close()  # no-op once the asyncio server has closed it
            ready.set()

    async def _serve(self, sock: socket.socket, ready: threading.Event) -> None:
        loop = asyncio.get_running_loop()
        config = Config(
            self._asgi,
            interface="asgi3",
            http="h11",
            ws="none",
            lifespan="off",
            log_level="warning",
            log_config=None,
            access_log=False,
            proxy_headers=False,  # or X-Forwarded-For in a hostile test would rewrite the client
            server_header=False,
            date_header=False,
            h11_max_incomplete_event_size=_MAX_REQUEST_HEAD_BYTES,
        )
        config.load()
        state = ServerState()
        connections = _Connections()

        def protocol() -> _TrackedH11Protocol:
            return _TrackedH11Protocol(connections, config=config, server_state=state, app_state={}, _loop=loop)

        self._stopping = asyncio.Event()
        self._connections = connections
        server = await loop.create_server(protocol, sock=sock, backlog=_BACKLOG)
        self._loop = loop
        ready.set()
        await self._stopping.wait()

        server.close()
        for connection in list(connections.protocols):
            connection.shutdown()  # closes idle keep-alive connections, ends busy ones after the response
        try:
            await asyncio.wait_for(connections.none_open.wait(), _GRACE_SECONDS)
        except asyncio.TimeoutError:
            for transport in list(connections.transports.values()):
                transport.abort()
        if state.tasks:
            await asyncio.wait(set(state.tasks), timeout=_GRACE_SECONDS)
        await server.wait_closed()

    # -- ASGI app ------------------------------------------------------------------------------

    async def _asgi(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] != "http":
            return
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        body = b""
        if scope["method"] in ("POST", "PUT", "PATCH"):
            while True:
                message = await receive()
                body += message.get("body", b"")
                if message["type"] != "http.request" or not message.get("more_body"):
                    break
        request = RecordedRequest(
            method=scope["method"],
            path=raw_path.decode("utf-8", "backslashreplace"),
            query=scope["query_string"].decode("utf-8", "backslashreplace"),
            headers=headers,
            body=body,
        )
        fault = self._record(request)
        if fault is None:
            await _send_response(send, self._route(request))
        elif fault.kind is FaultKind.RESET:
            await self._reset(scope, receive)
        elif fault.kind is FaultKind.SLOW:
            outcome = await self._delay(fault.seconds, receive)
            if outcome == "elapsed":
                await _send_response(send, self._route(request))
            elif outcome == "stopping":
                await self._reset(scope, receive)
            # "gone": the client timed out and left; there is no one to answer.
        else:
            await _send_response(send, self._faulted(fault, request))

    async def _answer_in_process(self, request: RecordedRequest, sent: httpx.Request) -> Answer:
        """`_asgi`'s answer without a socket: a reset or a wait past the client's timeout raise as httpx would."""
        fault = self._record(request)
        if fault is None:
            return self._route(request)
        if fault.kind is FaultKind.RESET:
            raise httpx.ReadError("connection reset by the fake", request=sent)
        if fault.kind is FaultKind.SLOW:
            read_timeout = (sent.extensions.get("timeout") or {}).get("read")
            if read_timeout is not None and fault.seconds >= read_timeout:
                raise httpx.ReadTimeout("the fake answered too slowly", request=sent)
            await anyio.sleep(fault.seconds)
            return self._route(request)
        return self._faulted(fault, request)

    def _faulted(self, fault: Fault, request: RecordedRequest) -> Answer:
        """The answer a fault sends in place of the normal one (every kind but a reset or a wait)."""
        if fault.kind is FaultKind.TRUNCATED_JSON:
            normal = self._route(request)
            whole = normal.body if normal.status == 200 else self._main.catalogue.list_body
            text = whole.decode()  # cut on a character, so the failure is JSON, not UTF-8
            return Answer(200, text[: len(text) // 2].encode(), fault.headers)
        return Answer(fault.status_code, fault.body, fault.headers)

    def _record(self, request: RecordedRequest) -> Fault | None:
        """Log the request and take the first queued fault whose path and key match it, else the standing one."""
        decoded = unquote(request.path)

        def matches(path: str | None, key: str | None) -> bool:
            return (path is None or path in (request.path, decoded)) and (key is None or key == request.key)

        with self._lock:
            self._requests.append(request)
            for index, (fault, path, key) in enumerate(self._faults):
                if matches(path, key):
                    del self._faults[index]
                    return fault
            if self._standing is not None and matches(self._standing[1], self._standing[2]):
                return self._standing[0]
        return None

    def _route(self, request: RecordedRequest) -> Answer:
        return self.api.answer(request.method, request.path, request.headers.get("authorization"), request.body)

    async def _delay(self, seconds: float, receive: _Receive) -> str:
        """Sleep `seconds` unless the client leaves or the server stops first; say which happened."""
        assert self._stopping is not None
        sleep = asyncio.ensure_future(asyncio.sleep(seconds))
        gone = asyncio.ensure_future(_wait_for_disconnect(receive))
        stopping = asyncio.ensure_future(self._stopping.wait())
        tasks = {sleep, gone, stopping}
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if stopping.done() and not stopping.cancelled():
            return "stopping"
        if gone.done() and not gone.cancelled():
            return "gone"
        return "elapsed"

    async def _reset(self, scope: _Scope, receive: _Receive) -> None:
        """Close this request's connection with RST (SO_LINGER 0) and no response at all."""
        assert self._connections is not None
        transport = self._connections.transports.get(scope["client"])
        if transport is not None and not transport.is_closing():
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        # Returning before uvicorn sees the disconnect would make it log and send a 500.
        await _wait_for_disconnect(receive)


async def _wait_for_disconnect(receive: _Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _send_response(send: _Send, response: Answer) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers]
    if not any(name == "content-length" for name, _ in response.headers):
        headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body, "more_body": False})


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


def _merge_headers(defaults: _Headers, overrides: Mapping[str, str]) -> _Headers:
    lowered = {name.lower(): value for name, value in overrides.items()}
    kept = tuple((name, value) for name, value in defaults if name not in lowered)
    return kept + tuple(lowered.items())


def _sized_prompt(base: str, chars: int) -> str:
    """`base` repeated and cut to exactly `chars`, never ending inside a `{{variable}}`."""
    if chars <= 0:
        return ""
    unit = (base or "You are a helpful voice assistant.") + "\n\n"
    text = (unit * (chars // len(unit) + 1))[:chars]
    opened = text.rfind("{{")
    if opened > text.rfind("}}"):
        text = text[:opened] + " " * (chars - opened)
    return text


@lru_cache(maxsize=1)
def _fixture_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_FIXTURES.read_text(encoding="utf-8"))
    return document


@lru_cache(maxsize=1)
def _fixture_texts() -> tuple[str, ...]:
    return tuple(json.dumps(assistant) for assistant in _fixture_document()["assistants"])


@lru_cache(maxsize=1)
def _call_fixture_text() -> str:
    return _CALL_FIXTURES.read_text(encoding="utf-8")


def _call_fixtures() -> dict[str, Any]:
    """Fresh copies of the calls, phone numbers, voices and campaigns fixtures."""
    document: dict[str, Any] = json.loads(_call_fixture_text())
    return document


def _load_fixtures() -> tuple[list[dict[str, Any]], set[str]]:
    """Fresh copies of the fixture assistants, and the ids the list endpoint shows."""
    index: dict[str, Any] = _fixture_document()["fixture_index"]
    assistants: list[dict[str, Any]] = [json.loads(text) for text in _fixture_texts()]
    listed = {
        str(assistant["id"]) for assistant in assistants if index.get(assistant["id"], {}).get("appears_in_list", True)
    }
    return assistants, listed
