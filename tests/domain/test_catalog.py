"""The index: search by name or id, completion, and field selection over cleaned assistants."""

from __future__ import annotations

import pytest
from support import FRENCH_ID, LISTED

from revox_mcp.domain.catalog import Index, check_limit, select_fields
from revox_mcp.domain.ingest import clean
from revox_mcp.errors import InputError

INDEX = Index.of("v1", [clean(a) for a in LISTED])


def test_a_query_matches_name_or_id_case_insensitively() -> None:
    assert [INDEX.ids[i] for i in INDEX.matching("RELANCE IMPAYÉS")] == [FRENCH_ID]
    assert len(INDEX.matching("0F8E2C1A")) == 1
    assert INDEX.matching(None) == list(range(len(LISTED)))
    assert INDEX.matching("no such thing") == []


def test_completion_offers_ids_by_id_or_name_prefix() -> None:
    assert INDEX.complete("relance") == [FRENCH_ID]
    assert INDEX.complete("1a9b") == [FRENCH_ID]
    assert len(INDEX.complete("")) == len(LISTED)
    assert len(INDEX.complete("", limit=3)) == 3


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_limits_outside_1_to_100_are_refused(limit: int) -> None:
    with pytest.raises(InputError, match="between 1 and 100"):
        check_limit(limit)


def test_fields_are_selected_in_the_order_asked_once_each() -> None:
    assistant = clean(LISTED[0])
    assert list(select_fields(assistant, ["voice", "name", "voice"])) == ["voice", "name"]
    assert select_fields(assistant, None) == assistant


def test_a_documented_field_the_payload_lacks_is_null_and_an_unknown_one_an_error() -> None:
    assert select_fields({"id": "a"}, ["prompt"]) == {"prompt": None}
    with pytest.raises(InputError, match=r"Unknown field\(s\) 'promt'\. Valid fields: .*prompt"):
        select_fields({"id": "a"}, ["promt"])
    with pytest.raises(InputError, match="fields is empty"):
        select_fields({"id": "a"}, [])
