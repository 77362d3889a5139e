"""get_assistant's fields, through the official MCP client over the fixtures.

A field the assistant schema documents (``domain.facts.FIELDS``, optional keys included) is valid
even when one assistant lacks it: it is answered as null, in the structured content and the text.
"""

from __future__ import annotations

import pytest
from answers_support import assert_stopped_by_size
from fake_revox import FakeRevox
from mcp import Client
from support import ASSISTANTS, BY_ID, assert_ok, server_over, text_of

from revox_mcp.domain.facts import FIELDS, KNOWN_FIELDS

pytestmark = pytest.mark.anyio

REALTIME_ID = "3c6d5e4f-3a2b-4c1d-8e0f-9a8b7c6d5e64"  # no faq_items, created_by, pending_faq_count...


async def test_a_documented_field_an_assistant_lacks_is_answered_null():
    absent = sorted(name for name in FIELDS if name not in BY_ID[REALTIME_ID])
    assert {"faq_items", "created_by", "pending_faq_count"} <= set(absent)
    async with Client(server_over()) as client:
        result = await client.call_tool("get_assistant", {"assistant_id": REALTIME_ID, "fields": absent})
    assert_ok(result)
    assert result.structured_content is not None
    assert result.structured_content["config"] == dict.fromkeys(absent)
    for name in absent:
        assert f"{name}: null" in text_of(result)


async def test_every_documented_field_is_valid_for_every_assistant():
    async with Client(server_over()) as client:
        for assistant in ASSISTANTS:
            result = await client.call_tool(
                "get_assistant", {"assistant_id": assistant["id"], "fields": sorted(KNOWN_FIELDS)}
            )
            assert_ok(result)


async def test_a_name_the_schema_does_not_document_and_the_assistant_lacks_is_an_error_listing_valid_fields():
    async with Client(server_over()) as client:
        result = await client.call_tool("get_assistant", {"assistant_id": REALTIME_ID, "fields": ["voices"]})
    assert result.is_error is True
    assert "Unknown field(s) 'voices'" in text_of(result)
    assert "faq_items" in text_of(result)


async def test_a_page_of_assistants_the_size_budget_stopped_says_so_in_text_and_structured_content():
    many = FakeRevox.make_assistants(300)
    async with Client(server_over(many)) as client:
        full = await client.call_tool("list_assistants", {"limit": 100})
        short = await client.call_tool("list_assistants", {"limit": 3})
    assert_stopped_by_size(full, short, "assistants", "the structured content's share (10,000 bytes)")
