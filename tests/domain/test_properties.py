"""Property-based tests: the pure modules over arbitrary assistant-shaped JSON.

Revox payloads drift: any field may be missing, null, of the wrong type, unknown, deeply nested,
huge or exotic unicode. Whatever arrives, nothing raises out of the functions that build answers,
no planted secret survives into any output, and no invisible or bidi-control character reaches
the model through the redacted text.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdk_shapes import assistants as sdk_assistants
from support import examples

from revox_mcp.domain import catalog, compare, cursor, diagnostics, facts, ingest, redaction, summary
from revox_mcp.domain.facts import coerce_string_list, validate_assistant_id
from revox_mcp.domain.render.assistants import summary_line
from revox_mcp.domain.render.tree import render_tree
from revox_mcp.errors import InputError

CANARY = "FAKEcanary7Q2x9Lm4"
# In CI, 6 tests x 60 examples + 1 x 40, 400 in all; a tenth by hand.
FAST = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
SLOW = settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

SPECIAL_TEXT = [
    "",
    " ",
    "{{customer_name}}",
    "Hello\u202eevil\u200b",
    "\ufeff\u00adsoft\u2066iso\u2069",
    "tag\U000e0041\U000e007f",
    "lone \ud800 surrogate \udfff",
    "12:00",
    "9am",
    "Europe/Paris",
    "custom",
    "openrouter",
    "generated",
    "https://api.example.com/v1/x?mode=fast",
    "助手 🤖 ünïcødé",
    "\x00\x1b[31m\r\n",
]
huge_texts = st.sampled_from([5_000, 20_000]).map(lambda n: ("Ab{{v}} é " * n)[:n])
texts = st.one_of(st.text(max_size=40), st.sampled_from(SPECIAL_TEXT), huge_texts)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
keys = st.one_of(st.sampled_from(sorted(facts.KNOWN_FIELDS)), st.text(max_size=12))
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)
header_names = st.sampled_from(["Authorization", "X-Api-Key", "X-Custom", "Cookie", "x-token", "Ocp-Key"])
tools = st.fixed_dictionaries(
    {},
    optional={
        "name": texts,
        "method": st.sampled_from(["GET", "POST", "PATCH", 5, None]),
        "url": texts,
        "headers": st.lists(st.fixed_dictionaries({"key": header_names, "value": json_values}), max_size=3),
        "query_params": st.lists(st.fixed_dictionaries({"key": texts, "value": json_values}), max_size=3),
        "input_schema": json_values,
        "body_template": texts,
    },
)
shaped = {
    "id": st.one_of(st.uuids().map(str), texts, leaves),
    "name": texts,
    "prompt": texts,
    "llm_model": st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"type": st.sampled_from(["custom", "openrouter", "dedicated-instance", "realtime", "new-kind", 3])},
            optional={"name": texts, "api_url": texts, "api_key": texts, "openrouter_model_id": texts},
        ),
    ),
    "custom_tools": st.one_of(json_values, st.lists(tools, max_size=3)),
    "voice": st.one_of(json_values, st.fixed_dictionaries({}, optional={"provider": texts, "id": texts})),
    "call_retry_config": json_values,
    "transfer_destinations": json_values,
}
# Random known and unknown fields with random values, then the fields whose shape matters, shaped.
assistants = st.builds(
    lambda loose, typed: {**loose, **typed},
    st.dictionaries(keys, json_values, max_size=8),
    st.fixed_dictionaries({}, optional=shaped),
)


# --- secrets planted where a Revox assistant can carry them ---------------------------------------


def _nest(path: list[str], leaf: dict[str, Any]) -> dict[str, Any]:
    for key in reversed(path):
        leaf = {key: leaf}
    return leaf


_PLANTERS = {
    "llm api_key": lambda a, _p: a.update(llm_model={"type": "custom", "api_key": CANARY, "api_url": "https://x.io"}),
    "header value": lambda a, p: a.update(
        custom_tools=[{"name": "t", "headers": [{"key": p["header"], "value": CANARY}]}]
    ),
    "header map value": lambda a, p: a.update(custom_tools=[{"name": "t", "headers": {p["header"]: CANARY}}]),
    "query param value": lambda a, p: a.update(
        custom_tools=[{"name": "t", "query_params": [{"key": p["word"], "value": CANARY}]}]
    ),
    "url token": lambda a, p: a.update({p["url_field"]: f"https://hooks.example.com/x/y?token={CANARY}&a=1"}),
    "url in prompt": lambda a, _p: a.update(prompt=f"Call https://api.example.com/v1?api_key={CANARY} now"),
    "bearer in prompt": lambda a, _p: a.update(prompt=f"Send the header Authorization: Bearer {CANARY}"),
    "credential key at depth": lambda a, p: a.update(
        {p["field"]: _nest(p["path"], {p["secret_key"]: CANARY if p["as_text"] else {"inner": [CANARY]}})}
    ),
}
plants = st.fixed_dictionaries(
    {
        "which": st.lists(st.sampled_from(sorted(_PLANTERS)), min_size=1, max_size=3, unique=True),
        "header": header_names,
        "word": st.sampled_from(["key", "token", "sig", "q", "customer"]),
        "url_field": st.sampled_from(["webhook_url", "precall_lookup_url", "logo_url"]),
        "field": st.one_of(st.sampled_from(sorted(facts.KNOWN_FIELDS - {"id"})), st.text(min_size=1, max_size=8)),
        "path": st.lists(st.sampled_from(["a", "config", "auth", "settings", "0"]), max_size=6),
        "secret_key": st.sampled_from(["api_key", "client_secret", "password", "auth_token", "Authorization", "pwd"]),
        "as_text": st.booleans(),
    }
)


@st.composite
def secret_assistants(draw: st.DrawFn) -> dict[str, Any]:
    assistant = dict(draw(assistants))
    plan = draw(plants)
    for name in plan["which"]:
        _PLANTERS[name](assistant, plan)
    return assistant


# --- what the model may see -------------------------------------------------------------------------


def _outputs(raw_a: dict[str, Any], raw_b: dict[str, Any]) -> list[Any]:
    """Everything the answers are built from, for two assistants, cleaned at ingest as the server does."""
    a, b = ingest.clean(raw_a), ingest.clean(raw_b)
    detail = summary.detail(a)
    out: list[Any] = [
        summary.dump(summary.summarize(a)),
        summary.dump(detail),
        render_tree(summary.dump(detail)),
        summary_line(summary.summarize(a)),
        a,
        catalog.select_fields(a, None),
        compare.compare(a, b).model_dump(mode="json"),
        diagnostics.diagnose(a).model_dump(mode="json"),
    ]
    fields = [str(k) for k in a][:5]
    if fields:
        out.append(catalog.select_fields(a, fields))
        out.append(compare.compare(a, b, fields).model_dump(mode="json"))
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _invisible(text: str) -> list[str]:
    """Format characters, surrogates, and the whole tag block (U+E0000-U+E007F: its unassigned code
    points too, which smuggle text as well), as ``strip_invisible`` documents."""
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cf", "Cs") or 0xE0000 <= ord(c) <= 0xE007F]


@FAST
@given(assistants, assistants)
def test_nothing_raises_whatever_the_assistant_looks_like(a: dict[str, Any], b: dict[str, Any]) -> None:
    for output in _outputs(a, b):
        _text(output).encode()  # well-formed: encodable as UTF-8, so as JSON on the wire


@FAST
@given(sdk_assistants(), sdk_assistants())
def test_nothing_raises_on_assistants_shaped_like_the_sdks_and_no_llm_key_is_shown(
    a: dict[str, Any], b: dict[str, Any]
) -> None:
    """Every optional key sometimes absent, nullable ones null, every enum value (sdk_shapes)."""
    for output in _outputs(a, b):
        assert "sk-FAKE" not in _text(output)


@SLOW
@given(secret_assistants(), secret_assistants())
def test_no_planted_secret_survives_into_any_output(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert CANARY in json.dumps([a, b], default=str)
    for output in _outputs(a, b):
        assert CANARY not in _text(output)


@FAST
@given(assistants)
def test_redacted_and_summarised_text_has_no_invisible_characters(raw: dict[str, Any]) -> None:
    a = ingest.clean(raw)
    for output in (
        summary.dump(summary.summarize(a)),
        summary.dump(summary.detail(a)),
        a,
        catalog.select_fields(a, None),
    ):
        assert not _invisible(_text(output)), _invisible(_text(output))


@FAST
@given(st.text(), st.sampled_from(["", "\u202e", "\u200b", "\ud800", "\U000e0020", "\u00ad", "\ufeff", "\u2066"]))
def test_strip_invisible_leaves_clean_utf8_and_is_idempotent(text: str, invisible: str) -> None:
    cleaned = redaction.strip_invisible(invisible + text + invisible)
    assert not _invisible(cleaned)
    cleaned.encode()
    assert redaction.strip_invisible(cleaned) == cleaned
    if not _invisible(text):
        assert cleaned == text


def test_every_format_character_is_stripped() -> None:
    """The hard-coded class covers the whole Cf category of this Python's Unicode tables."""
    every = "".join(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cf", "Cs"))
    assert redaction.strip_invisible(every) == ""
    assert redaction.strip_invisible("Hello\u202eevil\u200b") == "Helloevil"


@FAST
@given(st.one_of(texts, leaves, st.lists(texts, max_size=2)))
def test_validate_assistant_id_returns_a_clean_id_or_an_input_error(value: Any) -> None:
    try:
        result = validate_assistant_id(value)
    except InputError as exc:
        message = str(exc)
        result = None
    if result is None:
        assert "assistant_id" in message
        return
    assert result == result.strip()
    assert 0 < len(result) <= 200
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") for c in result)


@FAST
@given(st.one_of(json_values, st.lists(texts).map(json.dumps)))
def test_fields_and_cursors_are_parsed_or_refused_with_an_input_error(value: Any) -> None:
    try:
        parsed = coerce_string_list(value, "fields")
    except InputError:
        pass
    else:
        assert parsed is None or all(isinstance(name, str) for name in parsed)
    if isinstance(value, str):
        try:
            offset = cursor.decode_offset(value, tool="list_assistants", scope="scope", version="v1")
        except InputError:
            return
        assert offset >= 0
