"""One rule shape for every rule engine: severities in one order, each rule a spec in a table."""

from __future__ import annotations

from revox_mcp.domain.diagnostics import RULES as CONFIGURATION_RULES
from revox_mcp.domain.diagnostics.account import ACCOUNT_RULES
from revox_mcp.domain.evidence import RULES as CALL_RULES
from revox_mcp.domain.rules import RANK, SEVERITIES, RuleSpec, finding_fields, templated

TABLES = {"configuration": CONFIGURATION_RULES, "account": ACCOUNT_RULES, "calls": CALL_RULES}


def test_severities_rank_worst_first() -> None:
    assert sorted(["info", "error", "warning"], key=RANK.__getitem__) == ["error", "warning", "info"]
    assert list(SEVERITIES) == sorted(SEVERITIES, key=RANK.__getitem__)


def test_every_engine_keeps_its_rules_as_specs_with_one_line_about_them_and_no_id_twice() -> None:
    ids = [rule for table in TABLES.values() for rule in table]
    assert len(ids) == len(set(ids))
    for table in TABLES.values():
        for spec in table.values():
            assert isinstance(spec, RuleSpec)
            assert spec.severity in SEVERITIES
            assert spec.about
            assert "\n" not in spec.about


def test_rules_with_templates_fill_every_parameter_and_keep_literal_variables() -> None:
    spec = templated("warning", "about", "$path uses {{phone}} and $names.", "Remove $names from $path.")
    fields = finding_fields("x.rule", spec, "prompt", {"names": "a, b"})
    assert fields == {
        "rule": "x.rule",
        "severity": "warning",
        "path": "prompt",
        "message": "prompt uses {{phone}} and a, b.",
        "fix": "Remove a, b from prompt.",
    }
