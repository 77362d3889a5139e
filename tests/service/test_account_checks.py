"""diagnose_assistant with the account checks: used-by and cross-checks from one cached request per
endpoint, and an endpoint that fails named while the rest still answers."""

from __future__ import annotations

from typing import Any

import pytest
import support
from calls_support import REMINDERS_ID
from fake_revox import FakeRevox, Fault
from mcp import Client
from support import FRENCH_ID, SECRETS_ID, assert_ok, text_of


def server_over_fake(fake: FakeRevox) -> Any:
    """The server over the fake, in process: its faults too (a slow answer times out at once)."""
    return support.make_server(base_url=fake.base_url, transport=fake.transport(), timeout=2.0, max_retries=1)


@pytest.mark.anyio
async def test_diagnose_adds_the_cross_checks_and_used_by_one_cached_request_each(fake: FakeRevox):
    async with Client(server_over_fake(fake)) as client:
        french = await client.call_tool("diagnose_assistant", {"assistant_id": FRENCH_ID})
        reminders = await client.call_tool("diagnose_assistant", {"assistant_id": REMINDERS_ID})
        support_line = await client.call_tool("diagnose_assistant", {"assistant_id": SECRETS_ID})
    for result in (french, reminders, support_line):
        assert_ok(result)  # no FAKE: not from inbound_assistant, campaigns' assistant, anything
    assert french.structured_content is not None
    found = {f["rule"] for f in french.structured_content["findings"]}
    assert {"xcheck.from_number_caller_id", "xcheck.voice_language"} <= found
    assert "Used by campaigns: none" in text_of(french)
    assert "February reminders (running; rows 240" in text_of(reminders)
    assert "+14155550100 (Support line; telnyx, revox_purchased, owned_number)" in text_of(support_line)
    paths = [r.path for r in fake.requests]
    for path in ("/phone-numbers", "/voices", "/campaigns"):
        assert paths.count(path) == 1, path


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/phone-numbers", "/voices", "/campaigns"])
@pytest.mark.parametrize("fault", ["503", "403", "garbled", "slow"])
async def test_an_account_endpoint_that_fails_is_named_and_the_rest_still_answers(
    fake: FakeRevox, path: str, fault: str
):
    faults = {
        "503": (Fault.status(503),) * 3,
        "403": (Fault.status(403),),
        "garbled": (Fault.invalid_json(),),
        "slow": (Fault.slow(6.0),) * 2,
    }[fault]
    fake.inject(*faults, path=path)
    async with Client(server_over_fake(fake)) as client:
        result = await client.call_tool("diagnose_assistant", {"assistant_id": FRENCH_ID})
        if fault == "403":  # a refusal is an answer, cached: the warm diagnosis (the other two lists
            # read fresh from the cache, this one looked up) names it again and asks Revox nothing
            asked = len(fake.requests)
            again = await client.call_tool("diagnose_assistant", {"assistant_id": FRENCH_ID})
            assert again.structured_content is not None
            assert again.structured_content["not_checked"] == result.structured_content["not_checked"]  # type: ignore[index]
            assert len(fake.requests) == asked
    assert_ok(result)
    assert result.structured_content is not None
    [note] = result.structured_content["not_checked"]
    label = path.strip("/").replace("-", " ")
    assert note.startswith(label)
    assert f"Not checked: {label}" in text_of(result)
    found = {f["rule"] for f in result.structured_content["findings"]}
    assert "transfer.labels_not_in_prompt" in found  # the assistant's own diagnosis is whole
    if path != "/phone-numbers":
        assert "xcheck.from_number_caller_id" in found
    if path != "/voices":
        assert "xcheck.voice_language" in found
