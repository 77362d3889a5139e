"""Lint one raw Revox assistant: a pure function from the wire JSON to a list of findings.

``diagnose()`` reads the assistant exactly as ``GET /assistants/{id}`` returns it and never raises:
any field may be missing, null, of the wrong type or carry an enum value this package has never seen.
No I/O happens here. The rules come from ``docs/revox-api.md`` section 4:

* single-field rules V1-V46. V47 is left out: it constrains the voice *preview* endpoint, which is not
  an assistant field;
* cross-field rules X1-X19 and X23-X25. X20-X22 need other endpoints (phone numbers, voices): the
  service fetches them and ``check_account`` (``account``) runs them.

``rules`` holds every rule (in the one rule shape of ``domain.rules``), ``reference`` what they compare
against, ``context`` what the checks share; the checks themselves are grouped by area (``schema``,
``voice_llm``, ``calling``, ``transfer_messaging``, ``urls``, ``custom_tools``, ``content``, ``account``).
Fields, the placeholder grammar, the credential-name rule and the lenient readers come from
``domain.facts``.

Messages never quote secrets: not ``llm_model.api_key``, tool header or query values, tool body
templates, nor URL query strings (URLs are quoted as scheme and host only). Other free text is passed
through ``redact_text`` and truncated. Input that was redacted at ingest gives the same findings: the
redaction marker stands for the literal credential it replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from revox_mcp.domain.diagnostics.account import AccountCheck, check_account
from revox_mcp.domain.diagnostics.calling import check_duration, check_first_sentence, check_retry
from revox_mcp.domain.diagnostics.content import (
    check_faq,
    check_integrations,
    check_prompt,
    check_structured_output,
    collect_variables,
)
from revox_mcp.domain.diagnostics.context import Context, kind_of
from revox_mcp.domain.diagnostics.custom_tools import check_custom_tools
from revox_mcp.domain.diagnostics.rules import RULES
from revox_mcp.domain.diagnostics.schema import check_enums, check_schema
from revox_mcp.domain.diagnostics.transfer_messaging import check_messaging, check_transfer
from revox_mcp.domain.diagnostics.urls import check_urls
from revox_mcp.domain.diagnostics.voice_llm import check_llm, check_sounds, check_voice
from revox_mcp.domain.facts import OBJECT_TYPES, unused_parts
from revox_mcp.domain.findings import Diagnosis, Finding, VariableUse
from revox_mcp.domain.named_fields import related, states_value
from revox_mcp.domain.rules import RANK, RuleSpec, about_unused
from revox_mcp.domain.text import strip_invisible

__all__ = [
    "RULES",
    "AccountCheck",
    "Diagnosis",
    "Finding",
    "VariableUse",
    "check_account",
    "diagnose",
    "triage",
]


_CHECKS: tuple[Callable[[Context], None], ...] = (
    check_schema,
    check_enums,
    check_voice,
    check_sounds,
    check_llm,
    check_first_sentence,
    check_duration,
    check_retry,
    check_transfer,
    check_messaging,
    check_urls,
    check_custom_tools,
    check_prompt,
    check_structured_output,
    check_faq,
    collect_variables,
    check_integrations,  # after collect_variables: templates may use call variables
)


def _finding_order(finding: dict[str, str]) -> tuple[int, str, str]:
    return RANK[finding["severity"]], finding["path"], finding["rule"]


def _label(value: Any) -> str:
    if isinstance(value, str):
        # Unlike the messages, the name is not passed through redact_text: strip what would break UTF-8.
        return strip_invisible(value[:200])
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**15:
        return str(value)
    return ""


def _run(assistant: Mapping[str, Any]) -> Context:
    """Every check over one assistant; the findings come back sorted, as plain dicts."""
    ctx = Context(raw=assistant if isinstance(assistant, OBJECT_TYPES) else {})
    if not isinstance(assistant, OBJECT_TYPES):
        ctx.add("schema.not_an_object", "", kind=kind_of(assistant))
        return ctx
    for check in _CHECKS:
        try:
            check(ctx)
        except Exception:  # a bug in one check must neither hide the others nor crash the caller
            ctx.add("diagnose.check_failed", "", group=check.__name__.split("_", 1)[1])
    unused = unused_parts(assistant)
    if unused:
        ctx.findings = [f for f in ctx.findings if not about_unused(f["rule"], f["path"], unused)]
    if len(ctx.findings) > 1:
        ctx.findings.sort(key=_finding_order)
    return ctx


def with_related(finding: dict[str, str], spec: RuleSpec, config: Any) -> dict[str, Any]:
    """The finding with the current value of each field its fix names that its message does not state."""
    try:
        values = related(
            finding["fix"],
            finding["path"],
            config,
            shown_already=states_value(spec.message),
            names_base="{path}" in spec.fix,
        )
    except Exception:  # a payload whose reads fail (a broken Mapping): the finding stands without values
        return finding
    return {**finding, "related": values} if values else finding


def diagnose(assistant: Mapping[str, Any]) -> Diagnosis:
    """Lint one assistant as the Revox API returns it; never raises, whatever the input."""
    ctx = _run(assistant)
    if not isinstance(assistant, OBJECT_TYPES):
        return Diagnosis.model_validate({"assistant_id": "", "name": "", "findings": ctx.findings, "variables": []})
    findings = [with_related(f, RULES[f["rule"]], assistant) for f in ctx.findings]
    uses = ctx.variables
    variables = [{"name": name, "sources": sorted(uses[name])} for name in sorted(uses)]
    # One validation call builds every nested model (much cheaper than a constructor call per model).
    return Diagnosis.model_validate(
        {
            "assistant_id": _label(assistant.get("id")),
            "name": _label(assistant.get("name")),
            "findings": findings,
            "variables": variables,
        }
    )


def triage(assistant: Mapping[str, Any]) -> tuple[int, int, Finding | None]:
    """Errors, warnings and the most severe finding: what ranking many assistants needs, without
    building every finding's model (a fifth of ``diagnose``'s cost)."""
    findings = _run(assistant).findings
    errors = sum(1 for f in findings if f["severity"] == "error")
    warnings = sum(1 for f in findings if f["severity"] == "warning")
    if not findings:
        return errors, warnings, None
    return errors, warnings, Finding.model_validate(with_related(findings[0], RULES[findings[0]["rule"]], assistant))
