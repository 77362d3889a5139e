"""Every answer inside its byte budget: values, models and texts cut at clean boundaries, saying what
was cut and how to read the rest."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field

from revox_mcp.domain import budget
from revox_mcp.domain.output import Out, dump


def test_fit_cuts_long_strings_at_a_marked_boundary() -> None:
    value = {"prompt": "é" * 50_000, "name": "x"}
    fitted, cuts = budget.fit(value, 10_000, "ask for more")
    assert budget.size(fitted) <= 10_000
    assert cuts == ["prompt"]
    assert "ask for more" in fitted["prompt"]
    assert fitted["name"] == "x"


def test_fit_cuts_long_lists_when_strings_are_not_enough() -> None:
    value = {"faq_items": [{"q": "short"}] * 5000}
    fitted, cuts = budget.fit(value, 5_000, "hint")
    assert budget.size(fitted) <= 5_000
    assert cuts == ["faq_items"]


def measured_string_cap(value: Any, max_bytes: int, hint: str) -> int:
    """The string length ``fit`` picks, found the slow way: each candidate cut serialised in full."""
    strings: list[int] = []
    pending = [value]
    while pending:
        item = pending.pop()
        strings += [len(item)] if isinstance(item, str) else []
        pending += list(item.values()) if isinstance(item, dict) else item if isinstance(item, list) else []
    low, high = 0, max(strings, default=0)
    while low < high:
        mid = (low + high + 1) // 2
        if budget.size(budget._cap_strings(value, mid, hint, [], "")) <= max_bytes:
            low = mid
        else:
            high = mid - 1
    return max(low, budget.MIN_STRING_CAP)


TEXT = st.text(st.characters(codec="utf-8"), max_size=2_000) | st.integers(0, 3_000).map(lambda n: 'é"\n\x1f' * n)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=20) | st.dictionaries(st.text(max_size=5), inner, max_size=8),
    max_leaves=40,
)


@given(JSON, st.integers(0, 3_000))
def test_a_cuts_size_is_what_serialising_the_cut_value_gives(value: Any, cap: int) -> None:
    size_capped_at, _longest = budget._string_cut_sizes(value, budget.size(value), "hint")
    assert size_capped_at(cap) == budget.size(budget._cap_strings(value, cap, "hint", [], ""))


@given(JSON, st.integers(50, 30_000), st.booleans())
def test_fit_cuts_as_serialising_every_candidate_in_full_would(value: Any, max_bytes: int, mark_lists: bool) -> None:
    """``fit`` sizes a cut from the parts it changes; it must pick what measuring each whole cut picks."""
    fitted, cuts = budget.fit(value, max_bytes, "hint", mark_lists=mark_lists)
    if budget.size(value) <= max_bytes:
        assert (fitted, cuts) == (value, [])
        return
    expected: list[str] = []
    capped = budget._cap_strings(value, measured_string_cap(value, max_bytes, "hint"), "hint", expected, "")
    if budget.size(capped) > max_bytes:  # then lists, as before
        low, high = 0, budget._longest_list(capped)
        while low < high:
            mid = (low + high + 1) // 2
            if budget.size(budget._cap_lists(capped, mid, [], "", mark_lists)) <= max_bytes:
                low = mid
            else:
                high = mid - 1
        capped = budget._cap_lists(capped, low, expected, "", mark_lists)
    assert (fitted, cuts) == (capped, expected)


def test_json_text_keeps_non_ascii_text() -> None:
    assert budget.json_text({"name": "Relance impayés"}) == '{"name":"Relance impayés"}'


class View(Out):
    text: str
    items: list[str] = Field(default_factory=list)
    cut: list[str] | None = None


def sent(model: Out, text: str) -> int:
    return budget.size(dump(model)) + budget.sent_size(text) + budget.ENVELOPE


FIT = budget.AnswerFit(5_000, "the text has more", "narrow it", cut_field="cut")


def test_a_small_answer_is_sent_as_it_is() -> None:
    model = View(text="hello")
    assert FIT(model, "line one\nline two") == (model, "line one\nline two")


def test_a_model_over_its_share_is_cut_and_the_text_and_its_cut_field_name_the_paths() -> None:
    model = View(text="x" * 20_000, items=[f"item {i}" for i in range(2_000)], cut=["earlier"])
    fitted, text = FIT(model, "the whole story")
    assert budget.size({**dump(fitted), "cut": ["earlier"]}) <= 5_000  # the paths it records come on top
    assert sent(fitted, text) <= budget.MAX_RESPONSE_BYTES
    assert fitted.cut is not None
    assert fitted.cut[0] == "earlier"
    assert "text" in fitted.cut
    share = "the structured content's share (5,000 bytes) of the answer's 32,000 bytes"
    assert text.startswith(f"the whole story\n…[cut to fit {share} (structured content and text together, as sent): ")
    assert "structured text" in text
    assert text.endswith("; the text has more]")


def test_the_text_gets_what_the_structured_content_leaves_and_is_cut_at_a_line() -> None:
    model = View(text="short")
    long_text = "\n".join(f"line {i} " + "é" * 100 for i in range(1_000))
    fitted, text = FIT(model, long_text)
    assert fitted == model
    assert text.endswith(
        "\n…[cut to fit the answer's 32,000 bytes (structured content and text together, as sent); narrow it]"
    )
    assert long_text.startswith(text.rsplit("\n…[cut", 1)[0] + "\n")  # whole lines only
    assert budget.sent_size(text) > budget.TEXT_BUDGET  # more than a fixed share: what the model leaves
    assert sent(fitted, text) <= budget.MAX_RESPONSE_BYTES


def test_a_value_carried_twice_fits_as_json_and_as_its_rendering() -> None:
    def render(value: Any) -> str:  # a rendering three times as long as the JSON
        return budget.json_text(value) * 3

    value = {"prompt": "p" * 30_000, "tools": [{"name": f"t{i}"} for i in range(500)]}
    fitted, cuts = budget.fit_rendered(value, 6_000, "read on", render)
    assert budget.fits_twice(fitted, 6_000, render)
    assert not budget.fits_twice(value, 6_000, render)
    assert "prompt" in cuts


def test_the_whole_answer_budget_is_named_by_its_true_number() -> None:
    assert f"{budget.MAX_RESPONSE_BYTES:,} bytes" in budget.WHOLE_ANSWER
    assert "structured content and text" in budget.WHOLE_ANSWER


def test_a_note_of_a_cut_names_the_budget_only_when_something_was_cut() -> None:
    assert budget.cut_note([], "read on", within="the x") == ""
    assert (
        budget.cut_note(["a", "b"], "read on", within="the x's 9 bytes")
        == "\n…[cut to fit the x's 9 bytes: a, b; read on]"
    )
    assert budget.clip("short", 100, "read on", within="the x") == "short"


def test_a_page_stopped_by_size_says_how_many_of_how_many_and_which_budget() -> None:
    line = budget.size_stop(52, 100, budget.WHOLE_ANSWER)
    assert line == (
        "52 of the 100 asked shown: no more fit the answer's 32,000 bytes "
        "(structured content and text together, as sent)."
    )
