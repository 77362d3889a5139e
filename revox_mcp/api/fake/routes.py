"""The fake Revox's one routing: a request (method, path, Authorization, body) to an answer.

Framework-free (bytes in, bytes out), so an in-process httpx transport and a loopback HTTP server
answer exactly alike. The read endpoints the server uses: ``GET /assistants``,
``GET /assistants/{id}``, ``GET /auth-status``, ``POST /call/search``, ``GET /call/{id}``,
``GET /phone-numbers``, ``GET /voices``, ``GET /campaigns``. Every request needs a known Bearer key;
each key opens its own organisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from revox_mcp.api.fake.account import Organisation
from revox_mcp.api.fake.search import SearchRules, search

Headers = tuple[tuple[str, str], ...]
JSON_HEADERS: Headers = (("content-type", "application/json"),)


@dataclass(frozen=True)
class Answer:
    """What the fake sends back: a status, a body, headers."""

    status: int
    body: bytes
    headers: Headers = JSON_HEADERS


UNAUTHORISED = Answer(401, b'{"error":"Unauthorized"}', (*JSON_HEADERS, ("www-authenticate", "Bearer")))
NOT_FOUND = Answer(404, b'{"error":"Not found"}')


def _segment(path: str, prefix: str) -> str | None:
    """The one path segment after ``prefix`` (percent-decoded), or None when the path is not that shape."""
    rest = path.removeprefix(prefix)
    return unquote(rest) if rest != path and rest and "/" not in rest else None


class FakeApi:
    """The Revox API over organisations, one per API key."""

    def __init__(self, organisations: Mapping[str, Organisation], rules: SearchRules | None = None) -> None:
        self.organisations = dict(organisations)
        self.rules = rules if rules is not None else SearchRules()

    def organisation(self, authorization: str | None) -> Organisation | None:
        """The organisation whose key this ``Authorization`` header carries (None: no such key)."""
        scheme, _, token = (authorization or "").partition(" ")
        return self.organisations.get(token) if scheme.lower() == "bearer" else None

    def answer(self, method: str, path: str, authorization: str | None, body: bytes = b"") -> Answer:
        """The answer to one request; ``path`` is the raw path under the API's root (``/assistants/a%2Fb``)."""
        org = self.organisation(authorization)
        if org is None:
            return UNAUTHORISED
        if method == "POST":
            served = org.served
            if path == "/call/search" and served is not None and served.calls is not None:
                return Answer(*search(served.index, served.call_bodies, body, self.rules))
            return NOT_FOUND
        if method != "GET":
            return NOT_FOUND
        if path == "/assistants":
            return Answer(200, org.catalogue.list_body)
        if path == "/auth-status":
            return Answer(200, b'{"authenticated":true}')
        ident = _segment(path, "/assistants/")
        if ident is not None:
            found = org.catalogue.bodies.get(ident)
            return Answer(200, found) if found is not None else Answer(404, b'{"error":"Assistant not found"}')
        served = org.served  # the account is loaded here, on its first use
        if served is None:
            return NOT_FOUND
        if path in served.lists:
            return Answer(200, served.lists[path])
        ident = _segment(path, "/call/")
        if ident is None or served.calls is None:
            return NOT_FOUND
        call = served.by_id.get(ident)
        return (
            Answer(200, b'{"call":' + call + b"}") if call is not None else Answer(404, b'{"error":"Call not found"}')
        )
