"""What one fake Revox organisation holds, as Revox sends it, serialised once.

Bodies are built once per organisation, so a 10,000-assistant list or a 1 MB call costs a copy of
bytes per request, not an encoding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from revox_mcp.api.fake.search import CallIndex

Json = Mapping[str, Any]

# Compact UTF-8, like the API's JSON.stringify. One encoder: building one per object costs more than
# encoding a small assistant, which adds up over 10,000 of them.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: object) -> bytes:
    """``value`` as Revox would send it."""
    try:
        return _ENCODER.encode(value).encode()
    except UnicodeEncodeError:  # lone surrogates in planted data: sent as JSON escapes, as a real API would
        return json.dumps(value, ensure_ascii=True).encode()


@dataclass(frozen=True)
class Account:
    """An organisation's calls, phone numbers, voices and campaigns, in Revox's wire shape.

    ``None``: an endpoint this organisation does not model, answered 404 (an empty list is served
    as an empty list).
    """

    calls: Sequence[Json] | None = None
    phone_numbers: Sequence[Json] | None = None
    voices: Sequence[Json] | None = None
    campaigns: Sequence[Json] | None = None


@dataclass(frozen=True)
class Served:
    """An account's bodies: each call's JSON (in the account's order, and by id) and each list's."""

    calls: tuple[Json, ...] | None
    call_bodies: tuple[bytes, ...]
    by_id: Mapping[str, bytes]
    lists: Mapping[str, bytes] = field(default_factory=dict)

    @cached_property
    def index(self) -> CallIndex:
        """What searches look at, read once, on the first search."""
        return CallIndex.of(self.calls or ())

    @classmethod
    def of(cls, account: Account) -> Served:
        calls = tuple(account.calls) if account.calls is not None else None
        bodies = tuple(dumps(call) for call in calls or ())
        by_id = {str(call.get("id")): body for call, body in zip(calls or (), bodies, strict=True)}
        lists = {
            path: dumps({name: list(values)})
            for path, name, values in (
                ("/phone-numbers", "phone_numbers", account.phone_numbers),
                ("/voices", "voices", account.voices),
                ("/campaigns", "campaigns", account.campaigns),
            )
            if values is not None
        }
        return cls(calls, bodies, by_id, lists)


@dataclass(frozen=True)
class Catalogue:
    """The assistants' bodies: the list ``GET /assistants`` answers, and each one by id."""

    list_body: bytes
    bodies: Mapping[str, bytes]

    @classmethod
    def of(cls, assistants: Sequence[Json], listed: set[str] | None) -> Catalogue:
        bodies = {str(assistant["id"]): dumps(assistant) for assistant in assistants}
        shown = (bodies[str(a["id"])] for a in assistants if listed is None or a["id"] in listed)
        return cls(b'{"assistants":[' + b",".join(shown) + b"]}", bodies)


class Organisation:
    """One Revox organisation: its assistants (``listed``: the ids ``GET /assistants`` shows, None for
    all; the others, sub-assistants, are reached by id only) and its account.

    ``account`` may be a function that makes it, called on first use: a session that reads only
    assistants never loads the calls. ``served``, a function that gives the account's bodies already
    made (the demo's, made once per process), saves serialising them again.
    """

    def __init__(
        self,
        assistants: Sequence[Json],
        listed: set[str] | None = None,
        account: Account | Callable[[], Account] | None = None,
        *,
        served: Callable[[], Served] | None = None,
    ) -> None:
        self.assistants = list(assistants)
        self.listed = listed
        self.catalogue = Catalogue.of(self.assistants, listed)
        self._account = account
        self._served = served

    @cached_property
    def account(self) -> Account | None:
        return self._account() if callable(self._account) else self._account

    @cached_property
    def served(self) -> Served | None:
        if self._served is not None:
            return self._served()
        return Served.of(self.account) if self.account is not None else None

    def with_account(self, account: Account | None) -> Organisation:
        """The same assistants (not serialised again), this account."""
        other = Organisation((), None, account)
        other.assistants, other.listed, other.catalogue = self.assistants, self.listed, self.catalogue
        return other
