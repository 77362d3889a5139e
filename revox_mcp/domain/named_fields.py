"""Which configuration fields a fix names, and the values an answer shows for them. Pure.

A fix may only name a field whose value the answer shows: every rule engine (configuration,
account, calls) runs its findings through ``related``, which reads each field a fix names where it
lives (the assistant, or the campaigns that use it) and returns its current value. So a new rule
cannot name a field the answer leaves out.

A field is named by a token of the fix that is a path into the assistant (``voice.id``,
``call_retry_config.calling_windows[0]``, ``custom_tools[name=book].url``), a top-level field with
an underscore (``first_sentence_mode``), a nested field (``max_retry_attempts``, ``body_template``:
read under the finding's own path first) or a campaign's field (``max_concurrent_calls``). One-word
fields (``prompt``, ``voice``) are ordinary words too: they count only as the finding's own path.

Values are shown the way findings quote configuration: short JSON, long texts as their length, URLs
as scheme and host, header and query parameter names without values, credentials as "(set)".
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from revox_mcp.domain.facts import ANY_PLACEHOLDER, KNOWN_FIELDS, is_credential_name
from revox_mcp.domain.redaction import redact_text

# Fields nested in the assistant, and where each lives when the finding's own path does not say
# (None: inside a list's items, so only under the finding's path).
NESTED: Mapping[str, str | None] = MappingProxyType(
    {
        "allowed_days": "call_retry_config",
        "calling_windows": "call_retry_config",
        "call_twice_in_a_row": "call_retry_config",
        "max_retry_attempts": "call_retry_config",
        "calling_window_start_time": "call_retry_config.calling_windows[0]",
        "calling_window_end_time": "call_retry_config.calling_windows[0]",
        "retry_delay_seconds": "call_retry_config.calling_windows[0]",
        "realtime_voice_id": "llm_model",
        "realtime_model_id": "llm_model",
        "openrouter_model_id": "llm_model",
        "openrouter_provider": "llm_model",
        "api_url": "llm_model",
        "api_key": "llm_model",
        "model_name": "llm_model",
        "body_template": None,
        "input_schema": None,
        "query_params": None,
        "enum_options": None,
        "needs_human_answer": None,
        "phone_number": None,
        "connection_id": None,
        "field_mapping": None,
        "log_call_activity": None,
        "event_type_id": None,
    }
)
# A campaign's own fields (SDK 0.5.0 ``Campaign``), read from the campaigns that use the assistant.
CAMPAIGN_FIELDS = frozenset(
    {
        "max_concurrent_calls",
        "scheduled_at",
        "row_stats",
        "funnel_stats",
        "metadata_keys",
        "structured_output_extraction",
    }
)
CAMPAIGNS_NOT_READ = "(campaigns not read)"
NO_CAMPAIGN = "(no campaign uses this assistant)"
NOT_FOUND = "(not found)"
VALUE_CHARS = 80
_CAMPAIGNS_SHOWN = 3

_TOKEN = re.compile(r"[A-Za-z_]\w*(?:\[[^\]\n]*\])*(?:\.[A-Za-z_]\w*(?:\[[^\]\n]*\])*)*")
_STEP = re.compile(r"\.?([A-Za-z_]\w*)|\[([^\]]*)\]")
_LONG_TEXTS = frozenset({"prompt", "body_template", "warm_transfer_summary_instructions", "sms_template"})
_PAIR_LISTS = frozenset({"headers", "query_params"})


@functools.lru_cache(maxsize=2048)  # fix texts recur across assistants
def named_fields(text: str) -> tuple[str, ...]:
    """The configuration fields a text names, as written, in order (``{{variables}}`` are not fields)."""
    found: list[str] = []
    for match in _TOKEN.finditer(ANY_PLACEHOLDER.sub(" ", text)):
        token = match.group()
        head = re.split(r"[.\[]", token, maxsplit=1)[0]
        is_path = head in KNOWN_FIELDS and (token != head or "_" in head)
        if (is_path or token in NESTED or token in CAMPAIGN_FIELDS) and token not in found:
            found.append(token)
    return tuple(found)


def _steps(path: str) -> list[str]:
    return [name or f"[{index}]" for name, index in _STEP.findall(path)]


def value_at(config: Any, path: str) -> tuple[bool, Any]:
    """(found, value) at ``path``: ``a.b``, ``a[0]``, ``a[name=X]`` (an item whose name or label is X)."""
    current = config
    for step in _steps(path):
        if step.startswith("["):
            inner = step[1:-1]
            if not isinstance(current, list):
                return False, None
            if inner.isdigit():
                if int(inner) >= len(current):
                    return False, None
                current = current[int(inner)]
                continue
            key, _eq, wanted = inner.partition("=")
            match = next((i for i in current if isinstance(i, Mapping) and str(i.get(key)) == wanted), None)
            if match is None:
                return False, None
            current = match
        elif isinstance(current, Mapping) and step in current:
            current = current[step]
        else:
            return False, None
    return True, current


def _ancestors(path: str) -> list[str]:
    """``path`` and the paths above it, longest first (``a.b[0].c``: itself, ``a.b[0]``, ``a.b``, ``a``)."""
    out = [path] if path else []
    while path:
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
        if path:
            out.append(path)
    return out


def resolve(token: str, base: str, config: Any) -> str:
    """The path in the assistant a token of a fix names: itself when it is a path or a top-level field;
    a nested field under the finding's path (``base``) first, then where it usually lives."""
    if token not in NESTED:
        return token
    for prefix in _ancestors(base):
        if prefix == token or prefix.endswith(f".{token}"):
            return prefix  # the finding's own field
        if value_at(config, f"{prefix}.{token}")[0]:
            return f"{prefix}.{token}"
    parent = NESTED[token] or base
    return f"{parent}.{token}" if parent else token


def _host(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return "(not a URL)"
    return f"{parts.scheme}://{host}" if parts.scheme and host else "(not a URL)"


def _clean(key: str | None, value: Any) -> Any:
    """A configuration value as a finding may show it: no credential, header or query value, body
    template or long text; URLs as scheme and host."""
    if isinstance(value, str):
        if key is not None and is_credential_name(key):
            return "(set)" if value.strip() else value
        if key is not None and (key in _LONG_TEXTS or key.endswith("_prompt")):
            return f"({len(value)} characters)"
        if key is not None and (key.endswith("url") or key.endswith("uri")) and value.strip():
            return _host(value)
        return redact_text(value[:1_000])[:VALUE_CHARS]
    if isinstance(value, Mapping):
        if "key" in value and "value" in value:
            return {"key": _clean("key", value.get("key"))}  # a header or parameter: its name only
        return {str(k): _clean(str(k), v) for k, v in list(value.items())[:20]}
    if isinstance(value, list):
        if key in _PAIR_LISTS:
            return [item.get("key") if isinstance(item, Mapping) else None for item in value[:20]]
        return [_clean(None, item) for item in value[:20]]
    if isinstance(value, float) and value != value:
        return None
    return value


def show(key: str | None, value: Any) -> str:
    """``value`` (of a field named ``key``) as a finding shows it: short JSON (``VALUE_CHARS`` at most)."""
    try:
        text = json.dumps(_clean(key, value), ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        text = '"?"'
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def shown(config: Any, path: str) -> str:
    """The value at ``path`` of the assistant as a finding shows it; ``null`` when absent."""
    found, value = value_at(config, path)
    if not found:
        return "null"
    steps = _steps(path)
    key = next((step for step in reversed(steps) if not step.startswith("[")), None)
    return show(key, value)


def campaign_values(
    field: str, campaigns: Sequence[Mapping[str, Any]] | None, not_read: str = CAMPAIGNS_NOT_READ
) -> dict[str, str]:
    """A campaign field's value in each campaign that uses the assistant (the first few), keyed
    ``campaigns[name=...].field``; one entry saying why when there is none to show."""
    if campaigns is None:
        return {f"campaigns.{field}": not_read}
    if not campaigns:
        return {f"campaigns.{field}": NO_CAMPAIGN}
    out: dict[str, str] = {}
    for campaign in campaigns[:_CAMPAIGNS_SHOWN]:
        name = campaign.get("name") if isinstance(campaign.get("name"), str) else campaign.get("id")
        out[f"campaigns[name={str(name)[:60]}].{field}"] = show(field, campaign.get(field))
    return out


@functools.lru_cache(maxsize=256)
def states_value(message: str) -> bool:
    """Whether a rule's message template states its path's value (``{value}``, "is empty", "is null")."""
    return "{value}" in message or re.search(r"\{path\} is (?:missing or )?(?:empty|null)\b", message) is not None


def related(
    fix: str,
    base: str,
    config: Any,
    *,
    shown_already: bool,
    names_base: bool = False,
    campaigns: Sequence[Mapping[str, Any]] | None = None,
    not_read: str | None = None,
) -> dict[str, str] | None:
    """The current value of each field ``fix`` names, by path; None when there is none to add.

    ``base`` is the finding's own path (or field): named by the fix when ``names_base`` (a one-word path
    is not found in the text), and left out when ``shown_already`` (the finding states its value).
    ``not_read``: the configuration could not be read; every value says so instead.
    """
    out: dict[str, str] = {}
    tokens = named_fields(fix)
    if names_base and base and base not in tokens:
        tokens = (base, *tokens)
    for token in tokens:
        if token in CAMPAIGN_FIELDS:
            out.update(campaign_values(token, campaigns, not_read or CAMPAIGNS_NOT_READ))
            continue
        path = resolve(token, base, config)
        if path == base and shown_already:
            continue
        out[path] = not_read if not_read is not None else shown(config, path)
    return out or None
