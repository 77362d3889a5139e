"""Slow replies: LLM first token and TTS first byte, with the model or voice in use. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from revox_mcp.domain.call_fields import percentile
from revox_mcp.domain.evidence.context import NOT_READ, Context, Tally, finding, short_json
from revox_mcp.domain.facts import child, text
from revox_mcp.domain.findings import Evidence

SLOW_LLM_P95_MS = 1_500
SLOW_LLM_P50_MS = 1_000
SLOW_TTS_P95_MS = 1_000
SLOW_TTS_P50_MS = 600
MIN_LATENCY_SAMPLES = 10


def check_latency(ctx: Context) -> list[Evidence]:
    found: list[Evidence] = []
    for rule, attr, p50_limit, p95_limit, where in (
        ("calls.slow_llm", "ttft", SLOW_LLM_P50_MS, SLOW_LLM_P95_MS, "llm_model"),
        ("calls.slow_tts", "ttfb", SLOW_TTS_P50_MS, SLOW_TTS_P95_MS, "voice"),
    ):
        tally = Tally()
        values: list[float] = []
        slow_models: Counter[str] = Counter()  # the models that answered in attempts with slow turns
        for call in ctx.calls:
            for attempt in call.attempts:
                measured: tuple[float, ...] = getattr(attempt, attr)
                values.extend(measured)
                slow = sum(1 for v in measured if v > p95_limit)
                if slow:
                    tally.add(call.id, slow)
                    slow_models.update(attempt.winner_models)
        if len(values) < MIN_LATENCY_SAMPLES:
            continue
        p50, p95 = percentile(values, 0.5) or 0, percentile(values, 0.95) or 0
        if p50 <= p50_limit and p95 <= p95_limit:
            continue
        label = "LLM first token" if attr == "ttft" else "TTS first byte"
        if attr == "ttft":
            model = slow_models.most_common(1)[0][0] if slow_models else None
            prompt = len(text(ctx.config, "prompt") or "")
            openrouter = text(child(ctx.config, "llm_model"), "type") == "openrouter"
            change = (
                "Choose a faster llm_model"
                + (" (or openrouter_provider)" if openrouter else "")
                + (f"; the slow replies came mostly from {model}" if model else "")
                + (f"; a shorter prompt ({prompt} characters) also helps." if prompt > 6_000 else ".")
            )
        else:
            change = "Choose a lower-latency voice (another provider or model) in voice."
        found.append(
            finding(
                rule,
                tally,
                len(values),
                f"agent turns with {label} over {p95_limit} ms (p50 {p50:.0f} ms, p95 {p95:.0f} ms)",
                where,
                short_json(_short_model(child(ctx.config, where))) if ctx.config is not None else NOT_READ,
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
