"""Summaries, paging, field selection and byte budgets: pure functions over the fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from revox_mcp.domain import budget
from revox_mcp.domain.catalog import select_fields
from revox_mcp.domain.ingest import clean
from revox_mcp.domain.summary import detail, dump, summarize
from revox_mcp.errors import InputError
from revox_mcp.settings import ConfigError, load_settings

FIXTURES = json.loads((Path(__file__).parents[1] / "fixtures_assistants.json").read_text(encoding="utf-8"))
ASSISTANTS: list[dict[str, Any]] = FIXTURES["assistants"]
LISTED = [a for a in ASSISTANTS if FIXTURES["fixture_index"][a["id"]]["appears_in_list"]]


def by_key(key: str) -> dict[str, Any]:
    return next(a for a in ASSISTANTS if FIXTURES["fixture_index"][a["id"]]["key"] == key)


def test_summary_of_the_baseline_assistant() -> None:
    assert dump(summarize(by_key("baseline_dedicated_gpt41_cartesia"))) == {
        "id": "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61",
        "name": "Lead Qualification - EN (baseline)",
        "type": "standalone",
        "llm": "dedicated-instance",
        "model": "gpt-4.1",
        "voice": "cartesia",
        "first_sentence": "static",
        "features": ["email", "webhook"],
        "updated_at": "2026-02-03T16:42:51.904Z",
        "prompt_chars": 509,
    }


def test_summary_invents_nothing_for_a_minimal_legacy_payload() -> None:
    summary = dump(summarize({"id": "a1"}))
    assert summary == {"id": "a1"}


@pytest.mark.parametrize("assistant", ASSISTANTS, ids=lambda a: str(a["id"])[:8])
def test_summaries_and_details_of_every_fixture_carry_no_secret_and_no_prompt_body(assistant: dict[str, Any]) -> None:
    cleaned = clean(assistant)
    out = json.dumps([dump(summarize(cleaned)), dump(detail(cleaned))], ensure_ascii=False)
    assert "FAKE" not in out
    prompt = assistant.get("prompt") or ""
    if len(prompt) > 400:
        assert prompt not in out


def test_detail_names_unknown_fields_and_tolerates_drift() -> None:
    legacy = dump(detail(by_key("legacy_shape_and_drift")))
    assert legacy["unknown_fields"] == ["some_future_field"]
    assert legacy["created_at"] == "1736676903218"
    assert "updated_at" not in legacy  # {} upstream: not a timestamp, so not shown
    assert legacy["transfer"] == {"legacy_phone_number_set": True}


def test_detail_stays_under_4_kb_for_every_fixture() -> None:
    for assistant in ASSISTANTS:
        assert budget.size(dump(detail(assistant))) <= 4096


def test_select_fields_of_a_cleaned_assistant_has_no_secret_and_refuses_unknown_names() -> None:
    assistant = clean(by_key("custom_llm_inbound_tools_with_secrets"))
    chosen = select_fields(assistant, ["llm_model", "webhook_url"])
    assert list(chosen) == ["llm_model", "webhook_url"]
    assert "FAKE" not in json.dumps(chosen)
    with pytest.raises(InputError, match=r"Valid fields: .*prompt"):
        select_fields(assistant, ["promt"])


def test_settings_require_a_key_unless_demo_and_validate_numbers() -> None:
    with pytest.raises(ConfigError, match="REVOX_API_KEY"):
        load_settings({})
    assert load_settings({}, demo=True).api_key is None
    settings = load_settings({"REVOX_API_KEY": " sk_x ", "REVOX_MCP_CACHE_TTL": "0"})
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == "sk_x"
    assert settings.cache_ttl == 0
    assert "sk_x" not in repr(settings)
    with pytest.raises(ConfigError, match="REVOX_MCP_TIMEOUT"):
        load_settings({"REVOX_API_KEY": "k", "REVOX_MCP_TIMEOUT": "600"})
    with pytest.raises(ConfigError, match="REVOX_BASE_URL"):
        load_settings({"REVOX_API_KEY": "k", "REVOX_BASE_URL": "ftp://x"})
