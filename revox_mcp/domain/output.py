"""Output models' shared base and schema shaping: what every tool's structured content is made of. Pure.

Output models list exactly what is emitted (an allowlist) and forbid anything else. Their JSON
schemas are trimmed to what they say about the emitted JSON: tools/list is paid by every session.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, WithJsonSchema


def lean_optional(prop: dict[str, Any]) -> None:
    """An optional property as "absent or X": drop the null branch and the null default."""
    if "default" in prop and prop["default"] is None:
        del prop["default"]
    options = [option for option in prop.pop("anyOf", []) if option != {"type": "null"}]
    if len(options) == 1:
        prop.update(options[0])
    elif options:
        prop["anyOf"] = options


def lean_schema(schema: dict[str, Any]) -> None:
    """Shrink a generated output schema to what it says about the emitted JSON (``json_schema_extra``).

    tools/list is paid by every session. ``dump`` leaves out None and default values, so an optional
    field is absent or X, never null; the auto-generated titles repeat the names; model docstrings
    repeat the tool descriptions. Only types, required fields and field descriptions are kept.
    """
    for key in ("title", "description", "additionalProperties"):
        schema.pop(key, None)
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        prop.pop("title", None)
        if name not in required:
            prop.pop("default", None)  # dump never emits a default: absent means the default
            lean_optional(prop)


class Out(BaseModel):
    """Base of output models: no extra fields, lean schema. Each model's validator is built when it is
    first used (``defer_build``), not at import: a process that answers one tool builds that tool's
    models only (about 0.2 s of CPU less to start a server and answer its first call)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=lean_schema, defer_build=True)


def dump(model: BaseModel) -> dict[str, Any]:
    """JSON-ready dict without the fields Revox did not send (None) and without empty defaults."""
    return model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


# tools/list is paid by every session (16 kB for all tools): nested views are typed and validated,
# but their schemas say only "object"; each answer's text names every field it holds.
AnObject = WithJsonSchema({"type": "object"})
Objects = WithJsonSchema({"type": "array", "items": {"type": "object"}})
