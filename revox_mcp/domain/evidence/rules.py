"""Every rule ``findings`` can emit: its severity at full strength and what it is about.

Rules have the one shape of ``domain.rules``; a small sample makes any finding "info". Each check
writes its finding's text (what was counted, the field's value, the change) from what it counted.
"""

from __future__ import annotations

from collections.abc import Mapping

from revox_mcp.domain.rules import RuleSpec, rule_table

RULES: Mapping[str, RuleSpec] = rule_table(
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
