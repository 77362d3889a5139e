"""One fake Revox: organisations (assistants listed and hidden, calls, phone numbers, voices,
campaigns), one per API key, and one routing and call-search semantics, strict like the SDK.

It is served two ways: in process, as an httpx transport (``transport.fake_transport``: the demo and
unit tests), and, in tests, by a loopback HTTP server (``tests/fake_revox.py``, which adds faults and
a request log). Both answer through ``FakeApi.answer``, so they cannot disagree.
"""

from revox_mcp.api.fake.account import Account, Organisation
from revox_mcp.api.fake.routes import Answer, FakeApi
from revox_mcp.api.fake.search import SearchRules

__all__ = ["Account", "Answer", "FakeApi", "Organisation", "SearchRules"]
