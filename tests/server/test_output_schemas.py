"""The output schemas the server lists without importing a model (``output_schemas.json``) are what the
SDK derives from the answer models, for every tool and no other."""

from __future__ import annotations

import json
import re

import pytest
from mcp import Client
from support import demo_server

from revox_mcp.server import output_schemas

pytestmark = pytest.mark.anyio


def test_the_file_is_what_the_sdk_derives_from_the_models_the_tools_declare() -> None:
    fresh = output_schemas.text(output_schemas.derived(output_schemas.declared_models().values()))
    assert output_schemas.FILE.read_text(encoding="utf-8") == fresh, (
        "stale: run python -m revox_mcp.server.output_schemas"
    )


def test_each_declared_model_is_in_the_file_and_nothing_else() -> None:
    declared = list(output_schemas.declared_models().values())
    assert len(declared) == len(set(declared))  # one model per tool
    assert set(json.loads(output_schemas.FILE.read_text(encoding="utf-8"))) == set(declared)


def test_a_model_missing_from_the_file_names_the_command_that_writes_it() -> None:
    with pytest.raises(KeyError, match=re.escape("python -m revox_mcp.server.output_schemas")):
        output_schemas.published("NoSuchAnswer")


def test_the_check_command_says_up_to_date_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert output_schemas.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().err


async def test_each_tool_lists_its_models_schema() -> None:
    models = output_schemas.declared_models()
    derived = output_schemas.derived(models.values())
    async with Client(demo_server()) as client:
        listed = {tool.name: tool.output_schema for tool in (await client.list_tools()).tools}
    for tool, model in models.items():
        # As listed: made self-contained (no $ref), otherwise the model's schema.
        assert listed[tool] is not None
        assert listed[tool]["properties"].keys() == derived[model]["properties"].keys(), tool
    assert listed.keys() == models.keys()
