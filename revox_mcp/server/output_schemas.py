"""Writes each tool's output schema as data: what the SDK derives from the tool's answer model (a model
of ``service.answers``, named where the tool is declared), into ``output_schemas.json``, which
``registration`` reads.

Listing the tools then needs neither the answer models nor pydantic's derivation of their schemas:
importing the models (and the domain types they hold) and deriving the schemas were about half of
what a cold start costs on top of the SDK's own. The first call that answers with a model imports it.
Nothing in the package imports this module.

    python -m revox_mcp.server.output_schemas           rewrite the file from the models
    python -m revox_mcp.server.output_schemas --check   exit 1 if it differs from them, change nothing

``tests/server/test_output_schemas.py`` holds the file to the models, and the ``tools/list`` snapshot
holds what is listed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult

from revox_mcp.server import assistant_tools, call_tools
from revox_mcp.server.registration import OUTPUT_SCHEMAS as FILE
from revox_mcp.server.registration import published
from revox_mcp.service import answers

__all__ = ["FILE", "declared_models", "derived", "main", "published", "text"]


def derived(models: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What the SDK derives for each answer model named in ``models``: the output schema of a tool
    returning ``Annotated[CallToolResult, Model]``, as the tools were declared before the file."""
    schemas: dict[str, dict[str, Any]] = {}
    for name in sorted(set(models)):
        returns = Annotated[CallToolResult, getattr(answers, name)]

        async def answer() -> CallToolResult:  # only its return annotation is read
            raise NotImplementedError

        answer.__annotations__ = {"return": returns}
        schema = Tool.from_function(answer, name="answer").output_schema
        assert schema is not None, name
        schemas[name] = schema
    return schemas


def text(schemas: dict[str, dict[str, Any]]) -> str:
    """The file's content for ``schemas``."""
    return json.dumps(schemas, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def declared_models() -> dict[str, str]:
    """The answer model each of the server's tools declares: tool name -> model name."""
    return {**assistant_tools.TOOLS.outputs(), **call_tools.TOOLS.outputs()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revox_mcp.server.output_schemas", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale; change nothing")
    options = parser.parse_args(argv)
    fresh = text(derived(declared_models().values()))
    current = FILE.read_text(encoding="utf-8") if FILE.exists() else ""
    if fresh == current:
        print(f"{FILE.name} is up to date", file=sys.stderr)
        return 0
    if options.check:
        print(f"{FILE.name} is stale: run python -m revox_mcp.server.output_schemas", file=sys.stderr)
        return 1
    FILE.write_text(fresh, encoding="utf-8")
    print(f"{FILE.name} rewritten", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
