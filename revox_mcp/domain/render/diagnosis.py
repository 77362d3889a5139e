"""The texts of diagnose_assistant and compare_assistants: findings with their fixes, the ranking of
every assistant, where an assistant is used, and the differences between two. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from revox_mcp.domain.budget import json_text
from revox_mcp.domain.compare import Comparison
from revox_mcp.domain.findings import CampaignUse, DiagnosisRow, Finding, NumberUse, UsedBy, VariableUse
from revox_mcp.domain.summary import RetryView


def top_line(finding: Finding | None) -> str | None:
    """The worst finding of an assistant, in one short line (the ranking's last column)."""
    if finding is None:
        return None
    return f"{finding.severity} {finding.rule} @ {finding.path or '(assistant)'}"


def values_text(values: Mapping[str, str] | None, under: str = "") -> str:
    """Fields and their current values: ``a = 1; b = "x"`` ("" for none); paths under ``under`` are
    written from there (``custom_tools[0].url`` under ``custom_tools[0]``: ``url``)."""
    prefix = f"{under}." if under else ""
    return "; ".join(
        f"{path.removeprefix(prefix) if prefix and path.startswith(prefix) else path} = {value}"
        for path, value in (values or {}).items()
    )


def finding_line(finding: Finding) -> str:
    """One finding: severity, rule, path, message, the current values of the fields its fix names, the fix."""
    where = finding.path or "(assistant)"
    now = f" Now: {values_text(finding.related)}." if finding.related else ""
    return f"{finding.severity.upper()} {finding.rule} @ {where}: {finding.message}{now} Fix: {finding.fix}"


def number_line(number: NumberUse) -> str:
    """``+33180000000 (Accueil Paris; twilio, revox_provisioned, owned_number)``."""
    if number.on_account is False:
        return f"{number.phone_number} (not one of the account's numbers)"
    details = ", ".join(v for v in (number.provider, number.source, number.type) if v)
    inside = "; ".join(v for v in (number.label, details) if v)
    return f"{number.phone_number} ({inside})" if inside else number.phone_number


def retry_text(retry: RetryView) -> str:
    """``max_retry_attempts 3, allowed_days monday,tuesday, calling_windows 10:00-18:00 (7200s), timezone X``."""
    parts = []
    if retry.max_retry_attempts is not None:
        parts.append(f"max_retry_attempts {retry.max_retry_attempts:g}")
    if retry.call_twice_in_a_row is not None:
        parts.append(f"call_twice_in_a_row {'yes' if retry.call_twice_in_a_row else 'no'}")
    if retry.allowed_days is not None:
        parts.append(f"allowed_days {','.join(retry.allowed_days) or 'none'}")
    parts.append(f"calling_windows {', '.join(retry.windows) or 'none'}")
    if retry.timezone:
        parts.append(f"timezone {retry.timezone}")
    return ", ".join(parts)


def campaign_line(campaign: CampaignUse) -> str:
    """``Spring reminders (running; from_phone_number +33...; max_concurrent_calls 5; rows 120: completed 80,
    failed 12; talked_to_human 40)``."""
    parts = [campaign.status or "?"]
    for name in ("from_phone_number", "max_concurrent_calls", "scheduled_at"):
        value = getattr(campaign, name)
        if value is not None:
            parts.append(f"{name} {value}")
    if campaign.call_retry_config is not None:
        parts.append(f"call_retry_config: {retry_text(campaign.call_retry_config)}")
    if campaign.rows:
        total = campaign.rows.get("total")
        rest = ", ".join(f"{k} {v}" for k, v in campaign.rows.items() if k != "total" and v)
        parts.append(f"rows {total if total is not None else '?'}" + (f": {rest}" if rest else ""))
    if campaign.funnel:
        parts.append(", ".join(f"{k} {v}" for k, v in campaign.funnel.items()))
    return f"{campaign.name or campaign.id} ({'; '.join(parts)})"


def used_by_lines(used_by: UsedBy | None) -> list[str]:
    if used_by is None:
        return []
    lines = []
    if used_by.inbound_total is not None:
        shown = ", ".join(number_line(n) for n in used_by.inbound_numbers or []) or "none"
        more = (
            f" (+{used_by.inbound_total - len(used_by.inbound_numbers or [])} more)"
            if used_by.inbound_total > 10
            else ""
        )
        lines.append(f"Used by inbound numbers: {shown}{more}")
    if used_by.from_numbers:
        lines.append("Calls from: " + ", ".join(number_line(n) for n in used_by.from_numbers))
    if used_by.campaigns_total is not None:
        shown = "; ".join(campaign_line(c) for c in used_by.campaigns or []) or "none"
        more = (
            f" (+{used_by.campaigns_total - len(used_by.campaigns or [])} more)" if used_by.campaigns_total > 10 else ""
        )
        lines.append(f"Used by campaigns: {shown}{more}")
    return lines


def diagnosis_text(
    assistant_id: str,
    name: str,
    counts: Mapping[str, int],
    findings: Sequence[Finding],
    variables: Sequence[VariableUse],
    used_by: UsedBy | None,
    not_checked: Sequence[str],
) -> str:
    """One assistant's findings with their fixes, the variables its calls need, where it is used."""
    summary = f"{counts['errors']} errors, {counts['warnings']} warnings, {counts['info']} info"
    lines = [f"{name} ({assistant_id}): {summary}"]
    lines += [finding_line(f) for f in findings]
    if variables:
        needed = "; ".join(f"{v.name} ({', '.join(v.sources)})" for v in variables)
        lines.append(f"Variables each call must supply: {needed}")
    lines += used_by_lines(used_by)
    if not_checked:
        lines.append("Not checked: " + "; ".join(not_checked))
    lines.append(f'What its calls did: analyze_calls(assistant_id="{assistant_id}").')
    return "\n".join(lines)


def ranking_text(rows: Sequence[DiagnosisRow], total: int, next_cursor: str | None) -> str:
    """A page of every assistant ranked worst first, one line each."""
    lines = [f"{len(rows)} of {total} assistants, worst first (id | name | errors | warnings | top finding)"]
    lines += [f"{r.id} | {r.name or '-'} | {r.errors} | {r.warnings} | {r.top or '-'}" for r in rows]
    if next_cursor:
        lines.append(f"More: call diagnose_assistant with cursor={next_cursor}")
    lines.append("Details: diagnose_assistant with assistant_id=<id>.")
    return "\n".join(lines)


def comparison_text(result: Comparison) -> str:
    """Two assistants' differences: ~ changed, + only in B, - only in A; long texts as a diff."""
    lines = [
        f"A = {result.a['name']} ({result.a['id']}); B = {result.b['name']} ({result.b['id']})",
        f"{len(result.changes)} differences; {result.identical_fields} fields identical"
        + (f"; not compared: {', '.join(result.ignored)}" if result.ignored else ""),
    ]
    for change in result.changes:
        if change.diff is not None:
            lines.append(f"~ {change.path}: {change.a} → {change.b}\n{change.diff}")
        elif change.kind == "changed":
            lines.append(f"~ {change.path}: {json_text(change.a)} → {json_text(change.b)}")
        elif change.kind == "added":
            lines.append(f"+ {change.path} (only in B): {json_text(change.b)}")
        else:
            lines.append(f"- {change.path} (only in A): {json_text(change.a)}")
    return "\n".join(lines)
