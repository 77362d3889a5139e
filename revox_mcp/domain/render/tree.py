"""The shapes every text renderer shares: a JSON value as ``key: value`` lines, a table cell. Pure."""

from __future__ import annotations

from typing import Any


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value == "":
        return '""'
    return str(value)


def _text_block(text: str, indent: str) -> str:
    """A multi-line text as an indented block under its key."""
    return "|\n" + "\n".join(f"{indent}  {line}" for line in text.split("\n"))


def render_tree(value: Any, indent: str = "") -> str:
    """``key: value`` lines; lists of scalars inline, nested objects indented, multi-line texts as blocks."""
    lines: list[str] = []
    if isinstance(value, dict):
        if not value and not indent:
            return "{}"
        for key, item in value.items():
            if isinstance(item, dict) and item:
                lines.append(f"{indent}{key}:")
                lines.append(render_tree(item, indent + "  "))
            elif isinstance(item, dict):
                lines.append(f"{indent}{key}: {{}}")
            elif isinstance(item, list) and any(isinstance(x, dict | list) for x in item):
                lines.append(f"{indent}{key}:")
                for entry in item:
                    body = render_tree(entry, indent + "    ").lstrip()
                    lines.append(f"{indent}  - {body}")
            elif isinstance(item, list):
                lines.append(f"{indent}{key}: [{', '.join(_scalar(x) for x in item)}]")
            elif isinstance(item, str) and "\n" in item:
                lines.append(f"{indent}{key}: {_text_block(item, indent)}")
            else:
                lines.append(f"{indent}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        lines.extend(f"{indent}- {render_tree(entry, indent + '  ').lstrip()}" for entry in value)
    elif isinstance(value, str) and "\n" in value:
        lines.append(indent + _text_block(value, indent))
    else:
        lines.append(f"{indent}{_scalar(value)}")
    return "\n".join(line for line in lines if line)


def cell(value: str | None) -> str:
    """One table cell: on one line, never empty, never a column separator."""
    if not value:
        return "-"
    return " ".join(value.split()).replace(" | ", " / ") or "-"
