"""Property tests of the redactor over generated secrets in generated places (issue 9's guarantees).

Five generated tests, 820 cases in all in CI (a tenth by hand, ``support.examples``), reproducible
(``derandomize``, no example database): no planted secret survives (in documents and in free text),
redacting twice changes nothing, non-secrets survive, and any JSON-like value is copied without raising.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import examples

from revox_mcp.domain import ingest
from revox_mcp.domain.redaction import REDACTED, Redactor
from tests.sdk_shapes import FACT_KINDS, at, leaves, objects
from tests.secret_strategies import Planted, benign_documents, leaks, own_secrets, planted_documents, secrets


def _settings(full: int) -> settings:
    return settings(
        max_examples=examples(full),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


@_settings(300)
@given(planted_documents())
def test_no_planted_secret_survives_in_any_field_key_or_string(case: tuple[dict[str, Any], list[Planted]]) -> None:
    document, planted = case
    assert leaks(_dump(document), planted) == planted  # every secret really is in the input
    redactor = Redactor(own_secrets(planted))
    redacted = redactor.value(document)
    assert leaks(_dump(redacted), planted) == []
    assert redactor.value(redacted) == redacted  # redacting twice changes nothing more


@_settings(150)
@given(
    secrets(),
    st.sampled_from(["", "Note: ", "Use this one (", "Voici la config :\n"]),
    st.sampled_from(["", ".", ")", "\nThanks"]),
)
def test_no_secret_survives_in_free_text_whatever_surrounds_it(secret: Planted, before: str, after: str) -> None:
    named = f"{before}password: {secret.value}{after}"
    text = named if secret.named else f"{before}{secret.value}{after}"
    redactor = Redactor(own_secrets([secret]))
    redacted = redactor.text(text)
    assert leaks(redacted, [secret]) == []
    assert redactor.text(redacted) == redacted


@_settings(100)
@given(benign_documents())
def test_ids_voice_ids_enums_timestamps_phone_numbers_and_prose_survive(
    case: tuple[dict[str, Any], dict[str, Any], list[Planted]],
) -> None:
    document, benign, planted = case
    redacted = Redactor(own_secrets(planted)).value(document)
    assert {key: redacted[key] for key in benign} == benign
    assert leaks(_dump(redacted), planted) == []


_keys = st.one_of(st.text(max_size=12), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none())
_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.sampled_from(["", "{{x}}", "Bearer {{t}}", "\ud800", "a" * 5_000, "%" * 300, "{" * 300, "key=" * 100]),
)
_json = st.recursive(
    _leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(_keys, children, max_size=4)
    ),  # type: ignore[arg-type]
    max_leaves=20,
)


@_settings(150)
@given(_json)
def test_value_never_raises_and_keeps_the_shape_of_arbitrary_json(value: Any) -> None:
    redacted = Redactor(["own-secret-value"]).value(value)
    _assert_same_shape(value, redacted)


def test_value_walks_nesting_far_deeper_than_the_recursion_limit() -> None:
    deep: Any = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    for _ in range(20_000):
        deep = {"a": [deep]}
    redacted = Redactor().value(deep)
    for _ in range(4_000):  # 8,000 containers deep: still copied (deeper than 10,000 is masked whole)
        redacted = redacted["a"][0]
    assert isinstance(redacted, dict)


def _assert_same_shape(before: Any, after: Any) -> None:
    """Containers stay containers of the same size; non-string scalars stay; strings stay strings."""
    stack = [(before, after)]
    while stack:
        left, right = stack.pop()
        if isinstance(left, dict):
            assert isinstance(right, dict)
            assert len(right) == len(left)
            assert all(isinstance(key, str) for key in right)
            stack.extend(zip(left.values(), right.values(), strict=True))
        elif isinstance(left, list | tuple):
            assert isinstance(right, list)
            assert len(right) == len(left)
            stack.extend(zip(left, right, strict=True))
        elif isinstance(left, str):
            assert isinstance(right, str)
            if left == "":
                assert right == ""
        elif isinstance(left, float) and math.isnan(left):
            assert isinstance(right, float)
            assert math.isnan(right)
        else:
            assert right in (left, REDACTED)


@_settings(120)
@given(
    st.sampled_from(["Call", "PhoneNumber", "Campaign", "Voice", "Assistant"]).flatmap(
        lambda model: st.tuples(st.just(model), objects(model))
    )
)
def test_cleaning_sdk_shaped_data_keeps_every_fact_and_masks_every_credential(case: tuple[str, dict[str, Any]]) -> None:
    """Ids (8+ digits in a row included), enums, timestamps, numbers, booleans and labels are what Revox
    sent; the custom LLM's api_key and every custom tool header and parameter value are gone."""
    model, value = case
    cleaned = ingest.clean(value, Redactor(["sk-own-revox-key-0123456789"]))
    for leaf in leaves(model, value):
        if leaf.kind in FACT_KINDS:
            assert at(cleaned, leaf.path) == leaf.value, leaf.path
        elif leaf.kind == "secret":
            assert at(cleaned, leaf.path) == REDACTED, leaf.path
    assert "sk-FAKE" not in _dump(cleaned)
