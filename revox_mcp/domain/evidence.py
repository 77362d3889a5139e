"""What an assistant's calls show, and which configuration field explains it. Pure, no I/O.

``facts_of`` reads one cleaned call into the few facts the rules need (memoised by the service, by
content). ``aggregate`` turns the facts of many calls into distributions, percentiles and shares.
``findings`` runs the rules: each ties a pattern in the calls to a configuration field, with the
evidence (how many of how many calls, attempts or turns, the share, up to three example call ids),
the field's current value and the exact change to make. A rule never claims more than its evidence:
it says what it counted and over what, and a small sample lowers its severity to "info".

Text from calls (transcripts, tool outputs) is never repeated in a finding beyond a short quote.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from pydantic import Field

from revox_mcp.domain import calls as C
from revox_mcp.domain.facts import child, flag, items, number, placeholders, strings, text
from revox_mcp.domain.output import Out

Severity = Literal["error", "warning", "info"]

# Below this many calls, attempts or turns counted, a finding is only "info": too few to be sure.
SMALL_SAMPLE = 5
# A pattern is reported when it shows in at least this many calls...
MIN_COUNT = 2
# ...and (for rate-based rules) at least this share of what was counted.
MIN_SHARE = 0.1
SLOW_LLM_P95_MS = 1_500
SLOW_LLM_P50_MS = 1_000
SLOW_TTS_P95_MS = 1_000
SLOW_TTS_P50_MS = 600
MIN_LATENCY_SAMPLES = 10
INTERRUPTION_SHARE = 0.3
MIN_AGENT_TURNS = 20
QUICK_HANGUP_SECONDS = 20
_QUOTE = 90
_VALUE_CHARS = 80


@functools.cache  # compiled on first use: a server that never analyses calls never pays for it
def _human_request() -> re.Pattern[str]:
    """Someone asking for a person, in the languages Revox voices speak (en, fr, es, de, it, pt)."""
    return re.compile(
        r"(?i)\b(?:"
        r"(?:speak|talk)\s+(?:to|with)\s+(?:a|an|some|the|your|a\s+real)?\s*"
        r"(?:human|person|agent|someone|somebody|manager|representative|operator|receptionist|real\s+person)"
        r"|real\s+person|human\s+being|customer\s+service\s+rep"
        r"|parler\s+(?:à|a|avec)\s+(?:un|une|le|la|quelqu'un|quelqu’un|un\s+vrai)?\s*"
        r"(?:humain|personne|conseill\w*|quelqu|responsable|opérat\w*|agent|vrai)"
        r"|hablar\s+con\s+(?:un|una|el|la|alguien)?\s*(?:humano|persona|agente|alguien|operador\w*|encargad\w*)"
        r"|mit\s+(?:einem|einer|jemandem)\s*(?:echten\s+)?(?:menschen|mitarbeiter\w*|person|berater\w*)?\s*sprechen"
        r"|echten\s+menschen"
        r"|parlare\s+con\s+(?:un|una|qualcuno|l'|un\s+vero)?\s*(?:operatore|operatrice|persona|umano|qualcuno)"
        r"|falar\s+com\s+(?:um|uma|alguém)?\s*(?:atendente|pessoa|humano|alguém)"
        r")"
    )


# --- one call's facts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptFacts:
    status: str | None
    result: str | None
    end_reason: str | None
    ended_by: str | None
    dial_error: str | None
    destination: str | None  # the number called, as shown (masked in mask mode)
    duration: float | None
    agent_turns: int
    cut_turns: int
    user_turns: int
    agent_spoke: bool
    human_asked: bool
    transferred: bool
    ttft: tuple[float, ...]
    ttfb: tuple[float, ...]
    stt: tuple[float, ...]
    winner_models: tuple[str, ...]
    tools: tuple[C.ToolResult, ...]
    sms: tuple[tuple[str, int], ...]
    structured: tuple[tuple[str, bool], ...] | None  # (key, empty?) when structured output was extracted

    @property
    def connected(self) -> bool:
        return self.result is not None or self.duration is not None

    @property
    def answered_by_human(self) -> bool:
        return self.result == "human" or (self.result is None and self.duration is not None and self.agent_spoke)


@dataclass(frozen=True)
class CallFacts:
    id: str
    status: str | None
    outcome: str | None
    direction: str | None
    created: float | None
    attempts: tuple[AttemptFacts, ...]
    variables: frozenset[str] | None  # the prompt_variables keys the call was given (None: none at all)

    @property
    def last(self) -> AttemptFacts | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def reached_human(self) -> bool:
        return any(attempt.answered_by_human for attempt in self.attempts)


def _attempt_facts(attempt: Mapping[str, Any]) -> AttemptFacts:
    transcript = C.transcript_of(attempt)
    events = items(attempt, "speech_events")
    user_texts = [text(entry, "content") or "" for entry in transcript if entry.get("role") == "user"]
    user_texts += [text(e, "transcript") or "" for e in events if e.get("speaker") == "user" and not transcript]
    turns, cut = C.agent_turns(attempt)
    agent_lines = sum(1 for entry in transcript if entry.get("role") == "assistant" and text(entry, "content"))
    human_lines = any(entry.get("role") == "human_agent" for entry in transcript)
    structured = C.structured_output(attempt)
    sms, _emails = C.message_counts(attempt)
    return AttemptFacts(
        status=C.enum(attempt, "status"),
        result=C.enum(attempt, "result"),
        end_reason=C.enum(attempt, "end_reason"),
        ended_by=C.enum(attempt, "ended_by"),
        dial_error=C.enum(attempt, "dial_error"),
        destination=C.enum(attempt, "phone_number"),
        duration=C.duration_seconds(attempt),
        agent_turns=max(turns, agent_lines),
        cut_turns=cut,
        user_turns=len([t for t in user_texts if t.strip()]),
        agent_spoke=turns > 0 or agent_lines > 0,
        human_asked=any(_human_request().search(t) for t in user_texts),
        transferred=(
            C.enum(attempt, "end_reason") == "transfer" or flag(attempt, "handled_by_human") is True or human_lines
        ),
        ttft=tuple(C.numbers(events, "llm_ttft_ms", "agent")),
        ttfb=tuple(C.numbers(events, "tts_ttfb_ms", "agent")),
        stt=tuple(C.numbers(events, "stt_transcription_delay_ms", "user")),
        winner_models=tuple(m for e in events if (m := C.enum(e, "llm_winner_model"))),
        tools=tuple(C.tool_results(attempt)),
        sms=tuple(sorted(sms.items())),
        structured=tuple((str(k), C.is_empty(v)) for k, v in structured.items()) if structured is not None else None,
    )


def facts_of(call: Mapping[str, Any]) -> CallFacts:
    """The facts the rules read from one cleaned call. Never raises."""
    variables = child(call, "prompt_variables")
    return CallFacts(
        id=str(call.get("id")),
        status=C.enum(call, "status"),
        outcome=C.enum(call, "outcome"),
        direction=C.enum(call, "direction"),
        created=C.seconds_of(call.get("created_at")),
        attempts=tuple(_attempt_facts(attempt) for attempt in C.attempts(call)),
        variables=frozenset(str(k) for k in variables) if variables is not None else None,
    )


# --- aggregates ------------------------------------------------------------------------------------


def _share(count: int, of: int) -> float | None:
    return round(count / of, 2) if of else None


def _top(counter: Counter[str], keep: int = 6) -> dict[str, int]:
    """The most frequent values, the rest summed as "other"."""
    ranked = counter.most_common()
    shown = dict(ranked[:keep])
    rest = sum(count for _value, count in ranked[keep:])
    if rest:
        shown["other"] = rest
    return shown


@dataclass(frozen=True)
class Aggregate:
    calls: int
    attempts: int
    since: float | None
    until: float | None
    status: dict[str, int]
    outcome: dict[str, int]
    result: dict[str, int]
    end_reason: dict[str, int]
    ended_by: dict[str, int]
    dial_error: dict[str, int]
    duration: dict[str, int]
    reached_human: int
    voicemail: int
    tool_calls: dict[str, tuple[int, int]]  # name -> (errors, results)
    latency: dict[str, int]
    agent_turns: int
    cut_turns: int


def aggregate(calls: Sequence[CallFacts]) -> Aggregate:
    attempts = [attempt for call in calls for attempt in call.attempts]
    created = [call.created for call in calls if call.created is not None]
    durations = [attempt.duration for attempt in attempts if attempt.duration is not None]
    tools: dict[str, list[int]] = {}
    for attempt in attempts:
        for result in attempt.tools:
            tally = tools.setdefault(result.name, [0, 0])
            tally[0] += result.error
            tally[1] += 1
    latency: dict[str, int] = {}
    for label, values in (
        ("llm_ttft", [v for a in attempts for v in a.ttft]),
        ("tts_ttfb", [v for a in attempts for v in a.ttfb]),
        ("stt_delay", [v for a in attempts for v in a.stt]),
    ):
        for share, suffix in ((0.5, "p50"), (0.95, "p95")):
            value = C.percentile(values, share)
            if value is not None:
                latency[f"{label}_{suffix}"] = round(value)
    duration: dict[str, int] = {}
    for share, label in ((0.5, "p50"), (0.9, "p90")):
        value = C.percentile(durations, share)
        if value is not None:
            duration[label] = round(value)
    return Aggregate(
        calls=len(calls),
        attempts=len(attempts),
        since=min(created) if created else None,
        until=max(created) if created else None,
        status=_top(Counter(call.status or "none" for call in calls)),
        outcome=_top(Counter(call.outcome or "none" for call in calls)),
        result=_top(Counter(attempt.result or "none" for attempt in attempts)),
        end_reason=_top(Counter(a.end_reason for a in attempts if a.end_reason)),
        ended_by=_top(Counter(a.ended_by for a in attempts if a.ended_by)),
        dial_error=_top(Counter(a.dial_error for a in attempts if a.dial_error)),
        duration=duration,
        reached_human=sum(call.reached_human for call in calls),
        voicemail=sum(1 for attempt in attempts if attempt.result == "voicemail" or attempt.end_reason == "voicemail"),
        tool_calls=dict(
            sorted(((name, (tally[0], tally[1])) for name, tally in tools.items()), key=lambda kv: -kv[1][0])[:12]
        ),
        latency=latency,
        agent_turns=sum(a.agent_turns for a in attempts),
        cut_turns=sum(a.cut_turns for a in attempts),
    )


# --- findings --------------------------------------------------------------------------------------


class Evidence(Out):
    """One pattern in the calls, tied to the configuration field that explains it: count of `of` <what>."""

    rule: str
    severity: Severity
    count: int
    of: int
    share: float
    what: str = Field(description="what was counted, e.g. answered attempts cut by the limit")
    examples: list[str] = Field(description="up to 3 call ids")
    field: str = Field(description="configuration field")
    value: str = Field(description="its current value (JSON)")
    change: str


@dataclass(frozen=True)
class RuleSpec:
    severity: Severity  # at full strength; a small sample makes any finding "info"
    about: str


RULES: Mapping[str, RuleSpec] = MappingProxyType(
    {
        "calls.max_duration": RuleSpec("error", "answered attempts cut by the max-duration limit"),
        "calls.ivr_stuck": RuleSpec("warning", "attempts stuck in phone menus (result IVR, ivr_no_navigate)"),
        "calls.voicemail_no_message": RuleSpec("warning", "voicemail reached with no voicemail_message"),
        "calls.human_asked_no_transfer": RuleSpec("warning", "callers ask for a person; no transfer configured"),
        "calls.transfer_not_made": RuleSpec("warning", "callers ask for a person; the transfer does not happen"),
        "calls.tool_failing": RuleSpec("error", "a tool fails often (per tool, with a sample error)"),
        "calls.dial_international": RuleSpec("error", "dial error no_international_permission vs from_phone_number"),
        "calls.dial_non_attributed": RuleSpec("error", "dial error number_non_attributed vs from_phone_number"),
        "calls.dial_too_many": RuleSpec("warning", "dial error too_many_calls (concurrency) vs retry spacing"),
        "calls.unreachable": RuleSpec("warning", "calls never reach a person while retries are few"),
        "calls.hangup_after_opening": RuleSpec("warning", "people hang up right after the agent's opening line"),
        "calls.silent_opening": RuleSpec("error", "answered calls where the agent never speaks"),
        "calls.slow_llm": RuleSpec("warning", "slow LLM first token (p50/p95) with the model in use"),
        "calls.slow_tts": RuleSpec("warning", "slow TTS first byte (p50/p95) with the voice in use"),
        "calls.interrupted": RuleSpec("info", "the agent is interrupted on many turns"),
        "calls.after_call_sms_missing": RuleSpec("warning", "after-call SMS configured, none sent"),
        "calls.structured_output_empty": RuleSpec("warning", "a structured output field always empty"),
        "calls.missing_variables": RuleSpec("error", "calls lack {{variables}} the prompt uses"),
    }
)

_RANK: Mapping[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass
class _Tally:
    """Calls showing a pattern (their ids, most recent first) and a count in some unit."""

    count: int = 0
    ids: list[str] = field(default_factory=list)

    def add(self, call_id: str, amount: int = 1) -> None:
        self.count += amount
        if call_id not in self.ids:
            self.ids.append(call_id)


def _pct(count: int, of: int) -> str:
    return f"{round(100 * count / of)}%" if of else "-"


def _value(value: Any) -> str:
    """A configuration value as short JSON."""
    try:
        shown = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        shown = "?"
    return shown if len(shown) <= _VALUE_CHARS else shown[: _VALUE_CHARS - 1] + "…"


def _quote(value: str) -> str:
    """A short quote of call text, marked as such (never more than _QUOTE characters)."""
    return "“" + C.one_line(value, _QUOTE).replace("“", '"').replace("”", '"') + "”"


@dataclass(frozen=True)
class _Context:
    calls: Sequence[CallFacts]  # most recent first
    config: Mapping[str, Any] | None
    agg: Aggregate

    def get(self, key: str) -> Any:
        return self.config.get(key) if self.config is not None else None

    def shown(self, key: str) -> str:
        return _value(self.get(key)) if self.config is not None else "(configuration not read)"


def _finding(
    rule: str,
    tally: _Tally,
    of: int,
    what: str,
    field_name: str,
    value: str,
    change: str,
    severity: Severity | None = None,
) -> Evidence:
    base = severity or RULES[rule].severity
    level: Severity = "info" if of < SMALL_SAMPLE else base
    return Evidence(
        rule=rule,
        severity=level,
        count=tally.count,
        of=of,
        share=round(tally.count / of, 2) if of else 0.0,
        what=what,
        examples=tally.ids[:3],
        field=field_name,
        value=value,
        change=change,
    )


def _enough(tally: _Tally, of: int, share: float = MIN_SHARE) -> bool:
    return tally.count >= MIN_COUNT and of > 0 and tally.count / of >= share


Rule = Callable[[_Context], list[Evidence]]


def _max_duration(ctx: _Context) -> list[Evidence]:
    limit = number(ctx.config, "max_call_duration_secs")
    answered = [(c, a) for c in ctx.calls for a in c.attempts if a.duration is not None or a.result == "human"]
    tally = _Tally()
    uncut: list[float] = []
    for call, attempt in answered:
        by_limit = attempt.end_reason == "max_duration" or (
            attempt.ended_by == "system"
            and limit is not None
            and attempt.duration is not None
            and attempt.duration >= limit - 2
        )
        if by_limit:
            tally.add(call.id)
        elif attempt.duration is not None:
            uncut.append(attempt.duration)
    if not _enough(tally, len(answered)):
        return []
    longest = C.percentile(uncut, 0.9) or 0
    target = max(300, int(math.ceil(max(longest * 1.5, (limit or 0) * 2) / 60) * 60))
    announced = text(ctx.config, "max_duration_end_message")
    ending = "" if announced else " and set max_duration_end_message"
    severity: Severity = "error" if tally.count / len(answered) >= 0.25 else "warning"
    shown_limit = f" ({limit:g} s)" if limit is not None else ""
    return [
        _finding(
            "calls.max_duration",
            tally,
            len(answered),
            f"answered attempts ended by the max-duration limit{shown_limit}",
            "max_call_duration_secs",
            ctx.shown("max_call_duration_secs"),
            f"Raise max_call_duration_secs to {target}{ending}.",
            severity,
        )
    ]


def _connected(ctx: _Context) -> list[tuple[CallFacts, AttemptFacts]]:
    return [(c, a) for c in ctx.calls for a in c.attempts if a.connected]


def _ivr(ctx: _Context) -> list[Evidence]:
    connected = _connected(ctx)
    tally = _Tally()
    for call, attempt in connected:
        if attempt.result == "IVR" or attempt.end_reason == "ivr_no_navigate":
            tally.add(call.id)
    if not _enough(tally, len(connected)):
        return []
    if flag(ctx.config, "ivr_navigation_enabled") is True:
        prompt = text(ctx.config, "prompt") or ""
        return [
            _finding(
                "calls.ivr_stuck",
                tally,
                len(connected),
                "connected attempts stuck in a phone menu although ivr_navigation_enabled is true",
                "prompt",
                f'"({len(prompt)} characters)"',
                "Say in the prompt which menu options lead to the person to reach (e.g. 'press 2 for accounts').",
                "info",
            )
        ]
    return [
        _finding(
            "calls.ivr_stuck",
            tally,
            len(connected),
            "connected attempts stuck in a phone menu (result IVR or ivr_no_navigate)",
            "ivr_navigation_enabled",
            ctx.shown("ivr_navigation_enabled"),
            "Set ivr_navigation_enabled to true.",
        )
    ]


def _voicemail(ctx: _Context) -> list[Evidence]:
    if ctx.config is not None and text(ctx.config, "voicemail_message"):
        return []
    connected = _connected(ctx)
    tally = _Tally()
    for call, attempt in connected:
        if attempt.result == "voicemail" or attempt.end_reason == "voicemail":
            tally.add(call.id)
    if not _enough(tally, len(connected)):
        return []
    return [
        _finding(
            "calls.voicemail_no_message",
            tally,
            len(connected),
            "connected attempts reached voicemail, where the agent hangs up without a word",
            "voicemail_message",
            ctx.shown("voicemail_message"),
            "Set voicemail_message (who calls, why, how to call back).",
        )
    ]


def _human_requests(ctx: _Context) -> tuple[list[tuple[CallFacts, AttemptFacts]], int]:
    """(attempts where the caller asked for a person, attempts where the caller spoke)."""
    talked = [(c, a) for c in ctx.calls for a in c.attempts if a.user_turns > 0]
    return [(c, a) for c, a in talked if a.human_asked], len(talked)


def _transfers(ctx: _Context) -> list[Evidence]:
    asked, talked = _human_requests(ctx)
    destinations = items(ctx.config, "transfer_destinations")
    if ctx.config is not None and not destinations:
        tally = _Tally()
        for call, _attempt in asked:
            tally.add(call.id)
        if tally.count < MIN_COUNT:
            return []
        return [
            _finding(
                "calls.human_asked_no_transfer",
                tally,
                talked,
                "attempts where the caller spoke: they asked for a person; no transfer is configured",
                "transfer_destinations",
                ctx.shown("transfer_destinations"),
                "Add transfer_destinations and a human_transfer_mode, or say in the prompt how to reach a person.",
            )
        ]
    if not destinations:
        return []
    missed = _Tally()
    for call, attempt in asked:
        if not attempt.transferred:
            missed.add(call.id)
    if missed.count < MIN_COUNT or missed.count * 2 < len(asked):
        return []
    labels = ", ".join(str(d.get("label")) for d in destinations if d.get("label"))[:80]
    mode = text(ctx.config, "human_transfer_mode")
    cold = " With human_transfer_mode cold, the SIP trunk must allow REFER." if mode == "cold" else ""
    return [
        _finding(
            "calls.transfer_not_made",
            missed,
            len(asked),
            "attempts where the caller asked for a person ended without a transfer",
            "prompt",
            _value(f"transfer_destinations: {labels}; human_transfer_mode: {mode}"),
            "Say in the prompt when to transfer and to which label (" + (labels or "…") + ")." + cold,
        )
    ]


def _tools(ctx: _Context) -> list[Evidence]:
    configured = {str(tool.get("name")): tool for tool in items(ctx.config, "custom_tools")}
    per_tool: dict[str, tuple[_Tally, _Tally, str]] = {}
    for call in ctx.calls:
        for attempt in call.attempts:
            for result in attempt.tools:
                errors, uses, sample = per_tool.get(result.name, (_Tally(), _Tally(), ""))
                uses.add(call.id)
                if result.error:
                    errors.add(call.id)
                    sample = sample or result.output
                per_tool[result.name] = (errors, uses, sample)
    found: list[Evidence] = []
    for name, (errors, uses, sample) in per_tool.items():
        if errors.count < MIN_COUNT or errors.count / uses.count < 0.2:
            continue
        tool = configured.get(name)
        if tool is not None:
            url = text(tool, "url") or ""
            host = re.sub(r"^(\w+://[^/?#]+)?.*$", r"\1", url) or "?"
            value = _value(f"{text(tool, 'method') or '?'} {host}")
            where = f"custom_tools[name={name}]"
        else:
            value = _value("(not among custom_tools: a built-in tool)")
            where = "custom_tools"
        quoted = f"; e.g. {_quote(sample)}" if sample else ""
        found.append(
            _finding(
                "calls.tool_failing",
                errors,
                uses.count,
                f"results of tool {name} were errors{quoted}",
                where,
                value,
                f"Fix {where}: compare its url, method, body_template and input_schema with the error.",
                "error" if errors.count / uses.count >= 0.5 else "warning",
            )
        )
    return found


def _dial(ctx: _Context) -> list[Evidence]:
    attempts = [(c, a) for c in ctx.calls for a in c.attempts]
    found: list[Evidence] = []
    by_error: dict[str, _Tally] = {}
    destinations: dict[str, Counter[str]] = {}
    for call, attempt in attempts:
        if attempt.dial_error:
            by_error.setdefault(attempt.dial_error, _Tally()).add(call.id)
            code = re.match(r"\+(\d{1,3})", attempt.destination or "")
            destinations.setdefault(attempt.dial_error, Counter())[f"+{code.group(1)}" if code else "?"] += 1
    sender = ctx.shown("from_phone_number")
    unset = ctx.config is not None and ctx.get("from_phone_number") is None
    origin = "from the organisation's default number (from_phone_number null)" if unset else f"from {sender}"
    tally = by_error.get("no_international_permission")
    if tally is not None and tally.count >= MIN_COUNT:
        countries = ", ".join(code for code, _n in destinations["no_international_permission"].most_common(4))
        found.append(
            _finding(
                "calls.dial_international",
                tally,
                len(attempts),
                f"attempts failed with no_international_permission (to {countries}) {origin}",
                "from_phone_number",
                sender,
                "Allow those countries on the carrier account of from_phone_number, or call from a local number.",
            )
        )
    tally = by_error.get("number_non_attributed")
    if tally is not None and tally.count >= MIN_COUNT:
        found.append(
            _finding(
                "calls.dial_non_attributed",
                tally,
                len(attempts),
                f"attempts failed with number_non_attributed {origin}",
                "from_phone_number",
                sender,
                "Set from_phone_number to an owned number; check that callee numbers are valid E.164.",
            )
        )
    tally = by_error.get("too_many_calls")
    if tally is not None and _enough(tally, len(attempts)):
        retry = child(ctx.config, "call_retry_config")
        windows = items(retry, "calling_windows")
        delay = number(windows[0], "retry_delay_seconds") if windows else None
        found.append(
            _finding(
                "calls.dial_too_many",
                tally,
                len(attempts),
                "attempts refused for too many simultaneous calls (too_many_calls)",
                "call_retry_config.calling_windows[0].retry_delay_seconds",
                _value(delay) if ctx.config is not None else "(configuration not read)",
                "Lower the campaign's max_concurrent_calls; space retries (retry_delay_seconds ≥ 3600).",
            )
        )
    return found


def _unreachable(ctx: _Context) -> list[Evidence]:
    retry = child(ctx.config, "call_retry_config")
    retries = number(retry, "max_retry_attempts")
    if ctx.config is not None and (retry is None or (retries is not None and retries >= 3)):
        return []  # null: Revox's defaults (3 attempts) apply
    outbound = [c for c in ctx.calls if c.direction != "inbound" and c.attempts and c.status == "completed"]
    tally = _Tally()
    for call in outbound:
        if not call.reached_human:
            tally.add(call.id)
    if not _enough(tally, len(outbound), 0.3) or tally.count < 3:
        return []
    return [
        _finding(
            "calls.unreachable",
            tally,
            len(outbound),
            "completed outbound calls never reached a person",
            "call_retry_config.max_retry_attempts",
            _value(retries) if ctx.config is not None else "(configuration not read)",
            "Raise max_retry_attempts to 3-5 and spread retries over more calling_windows and days.",
        )
    ]


def _answered(ctx: _Context) -> list[tuple[CallFacts, AttemptFacts]]:
    return [(c, a) for c in ctx.calls for a in c.attempts if a.answered_by_human]


def _silent_fix(ctx: _Context) -> tuple[str, str, str]:
    mode = text(ctx.config, "first_sentence_mode")
    delay = number(ctx.config, "first_sentence_delay_ms")
    if mode == "none":
        change = "Set first_sentence_mode to static (with a first_sentence) or generated, so the agent opens the call."
        return "first_sentence_mode", ctx.shown("first_sentence_mode"), change
    if mode == "static" and not text(ctx.config, "first_sentence"):
        change = "Write the opening line in first_sentence (mode static: said verbatim)."
        return "first_sentence", ctx.shown("first_sentence"), change
    if delay is not None and delay > 2_000:
        change = "Lower first_sentence_delay_ms to 400-1000 so the agent speaks before people hang up."
        return "first_sentence_delay_ms", ctx.shown("first_sentence_delay_ms"), change
    change = "Make the agent open the call: first_sentence_mode static with a first_sentence."
    return "first_sentence_mode", ctx.shown("first_sentence_mode"), change


def _openings(ctx: _Context) -> list[Evidence]:
    answered = _answered(ctx)
    silent = _Tally()
    quick = _Tally()
    for call, attempt in answered:
        if not attempt.agent_spoke and (attempt.ended_by == "user" or attempt.end_reason == "user_inactive"):
            silent.add(call.id)
        elif (
            attempt.agent_spoke
            and attempt.ended_by == "user"
            and attempt.agent_turns <= 1
            and (attempt.duration is None or attempt.duration <= QUICK_HANGUP_SECONDS)
        ):
            quick.add(call.id)
    found: list[Evidence] = []
    if _enough(silent, len(answered)):
        where, value, change = _silent_fix(ctx)
        what = "answered attempts: the agent never spoke before the person hung up"
        found.append(_finding("calls.silent_opening", silent, len(answered), what, where, value, change))
    if _enough(quick, len(answered), 0.2):
        generated = text(ctx.config, "first_sentence_mode") == "generated"
        found.append(
            _finding(
                "calls.hangup_after_opening",
                quick,
                len(answered),
                f"answered attempts: the person hung up after the agent's first turn (≤ {QUICK_HANGUP_SECONDS} s)",
                "first_sentence",
                ctx.shown("first_sentence"),
                "Rewrite first_sentence: who calls and why in one sentence, then a question"
                + (" (mode generated: in the prompt too)." if generated else "."),
            )
        )
    return found


def _latency(ctx: _Context) -> list[Evidence]:
    found: list[Evidence] = []
    for rule, attr, p50_limit, p95_limit, where in (
        ("calls.slow_llm", "ttft", SLOW_LLM_P50_MS, SLOW_LLM_P95_MS, "llm_model"),
        ("calls.slow_tts", "ttfb", SLOW_TTS_P50_MS, SLOW_TTS_P95_MS, "voice"),
    ):
        tally = _Tally()
        values: list[float] = []
        for call in ctx.calls:
            for attempt in call.attempts:
                measured: tuple[float, ...] = getattr(attempt, attr)
                values.extend(measured)
                slow = sum(1 for v in measured if v > p95_limit)
                if slow:
                    tally.add(call.id, slow)
        if len(values) < MIN_LATENCY_SAMPLES:
            continue
        p50, p95 = C.percentile(values, 0.5) or 0, C.percentile(values, 0.95) or 0
        if p50 <= p50_limit and p95 <= p95_limit:
            continue
        label = "LLM first token" if attr == "ttft" else "TTS first byte"
        if attr == "ttft":
            winners = Counter(m for c in ctx.calls for a in c.attempts for m in a.winner_models)
            model = winners.most_common(1)[0][0] if winners else None
            prompt = len(text(ctx.config, "prompt") or "")
            change = (
                "Choose a faster llm_model (or openrouter_provider)"
                + (f"; replies came from {model}" if model else "")
                + (f"; a shorter prompt ({prompt} characters) also helps." if prompt > 6_000 else ".")
            )
        else:
            change = "Choose a lower-latency voice (another provider or model) in voice."
        found.append(
            _finding(
                rule,
                tally,
                len(values),
                f"agent turns with {label} over {p95_limit} ms (p50 {p50:.0f} ms, p95 {p95:.0f} ms)",
                where,
                _value(_short_model(child(ctx.config, where)))
                if ctx.config is not None
                else "(configuration not read)",
                change,
            )
        )
    return found


def _short_model(config: Mapping[str, Any] | None) -> Any:
    if config is None:
        return None
    keep: tuple[str, ...] = ("type", "name", "provider", "openrouter_model_id", "openrouter_provider")
    keep = (*keep, "model_name", "realtime_model_id", "id", "model")
    return {key: config[key] for key in keep if key in config}


def _interruptions(ctx: _Context) -> list[Evidence]:
    agg = ctx.agg
    if agg.agent_turns < MIN_AGENT_TURNS or agg.cut_turns / agg.agent_turns < INTERRUPTION_SHARE:
        return []
    tally = _Tally()
    for call in ctx.calls:
        cut = sum(a.cut_turns for a in call.attempts)
        if cut:
            tally.add(call.id, cut)
    prompt = text(ctx.config, "prompt") or ""
    return [
        _finding(
            "calls.interrupted",
            tally,
            agg.agent_turns,
            "agent turns interrupted by the caller",
            "prompt",
            _value(f"({len(prompt)} characters)") if ctx.config is not None else "(configuration not read)",
            "Keep replies short: add to the prompt 'answer in one or two sentences, then wait'.",
        )
    ]


def _after_call_sms(ctx: _Context) -> list[Evidence]:
    if ctx.config is None or not text(ctx.config, "after_call_sms_prompt"):
        return []
    outcomes = strings(ctx.config, "after_call_sms_outcomes")
    eligible = [c for c in ctx.calls if c.outcome and (not outcomes or c.outcome in outcomes)]
    tally = _Tally()
    for call in eligible:
        if not any(kind == "after_call" for a in call.attempts for kind, _n in a.sms):
            tally.add(call.id)
    if tally.count < MIN_COUNT or tally.count < 0.8 * len(eligible):
        return []
    if not outcomes:
        return [
            _finding(
                "calls.after_call_sms_missing",
                tally,
                len(eligible),
                "calls with an outcome got no after-call SMS (after_call_sms_prompt is set)",
                "after_call_sms_outcomes",
                ctx.shown("after_call_sms_outcomes"),
                'Set after_call_sms_outcomes, e.g. ["completed","interested"]: empty means no after-call SMS.',
            )
        ]
    return [
        _finding(
            "calls.after_call_sms_missing",
            tally,
            len(eligible),
            "calls with an outcome in after_call_sms_outcomes got no after-call SMS",
            "after_call_sms_prompt",
            _value("(set)"),
            "Check that the callees' numbers accept SMS from the sending number; simplify after_call_sms_prompt "
            "if it asks for data calls lack.",
        )
    ]


def _structured_output(ctx: _Context) -> list[Evidence]:
    configured = items(ctx.config, "structured_output_config")
    names = [str(entry.get("name")) for entry in configured if entry.get("name")]
    extracted = [(c, a) for c in ctx.calls for a in c.attempts if a.structured is not None and a.answered_by_human]
    if not names or len(extracted) < 3:
        return []
    found: list[Evidence] = []
    for name in dict.fromkeys(names):
        tally = _Tally()
        for call, attempt in extracted:
            if dict(attempt.structured or ()).get(name, True):
                tally.add(call.id)
        if tally.count == len(extracted):
            entry = next((e for e in configured if e.get("name") == name), None)
            found.append(
                _finding(
                    "calls.structured_output_empty",
                    tally,
                    len(extracted),
                    f"answered attempts with structured output had {name} empty",
                    f"structured_output_config[name={name}]",
                    _value({k: entry[k] for k in ("type", "description") if entry and k in entry}),
                    f"Say what {name} must hold in its description (or structured_output_prompt), or remove it.",
                )
            )
    return found[:4]


def _variables(ctx: _Context) -> list[Evidence]:
    if ctx.config is None:
        return []
    used = placeholders(text(ctx.config, "prompt")) + placeholders(text(ctx.config, "first_sentence"))
    used = list(dict.fromkeys(used))
    if not used:
        return []
    tally = _Tally()
    missing: Counter[str] = Counter()
    errored = 0
    # Inbound calls may get their variables from precall_lookup_url without recording them: only
    # inbound calls that record prompt_variables count.
    counted = [c for c in ctx.calls if c.direction != "inbound" or c.variables is not None]
    for call in counted:
        given = call.variables or frozenset()
        lacking = [name for name in used if name not in given]
        if lacking:
            tally.add(call.id)
            missing.update(lacking)
            errored += call.status in ("errored", "not_launched")
    if tally.count < MIN_COUNT:
        return []
    names = ", ".join(name for name, _n in missing.most_common(6))
    failed = f"; {errored} of them errored or were not launched" if errored else ""
    lookup = " With precall_lookup_url, the lookup must return them." if text(ctx.config, "precall_lookup_url") else ""
    return [
        _finding(
            "calls.missing_variables",
            tally,
            len(counted),
            f"calls lacked variables the prompt uses ({names}){failed}",
            "prompt",
            _value("uses " + ", ".join("{{" + n + "}}" for n in used)),
            f"Pass prompt_variables {names} with every call, or remove them from the prompt.{lookup}",
        )
    ]


_CHECKS: tuple[Rule, ...] = (
    _max_duration,
    _ivr,
    _voicemail,
    _transfers,
    _tools,
    _dial,
    _unreachable,
    _openings,
    _latency,
    _interruptions,
    _after_call_sms,
    _structured_output,
    _variables,
)


def findings(
    calls: Sequence[CallFacts], config: Mapping[str, Any] | None, agg: Aggregate | None = None
) -> list[Evidence]:
    """Every rule over ``calls`` (most recent first), worst first. ``config`` None: not read (values unknown)."""
    ctx = _Context(calls, config, agg or aggregate(calls))
    found = [finding for check in _CHECKS for finding in check(ctx)]
    return sorted(found, key=lambda f: (_RANK[f.severity], -f.share, f.rule))
