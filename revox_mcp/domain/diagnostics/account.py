"""Checks of one assistant against the rest of the account: phone numbers, voices, campaigns. Pure.

``diagnose`` reads one assistant alone; these rules need other endpoints (rules X20-X22 of
``docs/revox-api.md``), so the service fetches them (each one cached request) and passes what it got:
``None`` for an endpoint that could not be read, whose rules are then skipped (the service says why).
Rule ids:

| rule | severity | what |
|---|---|---|
| ``xcheck.from_number_not_owned`` | error | ``from_phone_number`` is not one of the account's numbers |
| ``xcheck.from_number_caller_id`` | warning | ``from_phone_number`` is only a verified caller id, not an owned number |
| ``xcheck.voice_not_found`` | error | ``voice.id`` is not in the account's voice catalogue for its provider |
| ``xcheck.voice_language`` | warning | the voice's language differs from the prompt's |
| ``xcheck.voice_model`` | error | a Cartesia ``voice.model`` the voice does not support (``modelCompat``) |
| ``xcheck.lookup_without_inbound`` | warning | ``precall_lookup_url`` set, but no number routes inbound calls to it |

Plus "used by": the numbers that route inbound calls to the assistant and those it and its campaigns
call from (provider, source, type), and the campaigns that use it (status, from_phone_number,
max_concurrent_calls, scheduled_at, call_retry_config, row and funnel stats).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from revox_mcp.domain.facts import campaigns_of, child, number, text, timestamp, unused_parts
from revox_mcp.domain.findings import CampaignUse, Finding, NumberUse, UsedBy
from revox_mcp.domain.named_fields import related, states_value
from revox_mcp.domain.redaction import redacted
from revox_mcp.domain.rules import RuleSpec, about_unused, finding_fields, rule_table, templated
from revox_mcp.domain.summary import retry_view

ACCOUNT_RULES: Mapping[str, RuleSpec] = rule_table(
    {
        "xcheck.from_number_not_owned": templated(
            "error",
            "from_phone_number is not one of the account's phone numbers",
            "$path $value is not one of the account's $count phone numbers, so Revox cannot call from it.",
            "Set $path to one of the account's owned numbers (GET /phone-numbers), or null for the organisation's "
            "default.",
        ),
        "xcheck.from_number_caller_id": templated(
            "warning",
            "from_phone_number is only a verified caller id",
            "$path $value is only a verified caller id on the account, not an owned number; Revox requires a "
            "number owned by the organisation.",
            "Set $path to an owned number (type owned_number), or import this one as owned.",
        ),
        "xcheck.voice_not_found": templated(
            "error",
            "voice.id is not in the voice catalogue for its provider",
            "$path $value ($provider) is not in the account's voice catalogue of $count voices.",
            "Pick a voice from GET /voices for this provider and set voice.id (and voice.provider) to it.",
        ),
        "xcheck.voice_language": templated(
            "warning",
            "the voice's language differs from the prompt's language",
            "The voice $voice speaks $language, but the prompt is written in $prompt_language.",
            "Choose a $prompt_language voice from GET /voices (provider $provider) and set voice.id to it.",
        ),
        "xcheck.voice_model": templated(
            "error",
            "a Cartesia voice.model the voice does not support",
            "$path is $value, but the voice $voice supports $compat only.",
            "Set $path to $compat, or choose a voice whose modelCompat is universal or $value.",
        ),
        "xcheck.lookup_without_inbound": templated(
            "warning",
            "precall_lookup_url set but no phone number routes inbound calls here",
            "$path is set (it runs on inbound calls only), but none of the account's phone numbers routes inbound "
            "calls to this assistant.",
            "Route a phone number's inbound calls to it, or remove $path.",
        ),
    }
)

_SHOWN = 10
LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {"en": "English", "fr": "French", "es": "Spanish", "de": "German", "it": "Italian", "pt": "Portuguese"}
)


def _words(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


# Frequent short words of the languages Revox voices speak (Russian and Chinese are told by script).
# Only the words of one language count (see _DISTINCT): "de", "la", "que" tell nothing apart.
_STOPWORDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "en": _words("the and you your to of is are with for this that be if not we our it on they"),
        "fr": _words("le les et vous votre des du est une pour avec pas nous ce je au aux sur qui être à ou"),
        "es": _words("el los las y usted su del es una para con por se lo al muy está pero qué le"),
        "de": _words("der die das und sie ist nicht ein eine mit für zu den dem wir ich auf sich ihr"),
        "it": _words("il gli e lei è per non che sono della del una con questo le di"),
        "pt": _words("o os você é não com uma um da do em seu sua que para"),
    }
)
_DISTINCT: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        lang: frozenset(w for w in words if all(w not in other for o, other in _STOPWORDS.items() if o != lang))
        for lang, words in _STOPWORDS.items()
    }
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}")


def guess_language(prompt: str | None) -> str | None:
    """The prompt's language by its frequent words (en, fr, es, de, it, pt; ru, zh by script), or None if unclear."""
    if not prompt:
        return None
    sample = _PLACEHOLDER.sub(" ", prompt[:20_000])
    if len(re.findall(r"[\u0400-\u04ff]", sample)) > 50:
        return "ru"
    if len(re.findall(r"[\u4e00-\u9fff]", sample)) > 30:
        return "zh"
    words = [word.lower() for word in _WORD.findall(sample)]
    scores = Counter({lang: sum(1 for w in words if w in vocabulary) for lang, vocabulary in _DISTINCT.items()})
    ranked = scores.most_common(2)
    if not ranked or ranked[0][1] < 5:
        return None
    best, score = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0
    return best if score >= 2 * runner else None


@dataclass(frozen=True)
class AccountCheck:
    findings: list[Finding]
    used_by: UsedBy


def _finding(rule: str, path: str, **params: str) -> Finding:
    return Finding.model_validate(finding_fields(rule, ACCOUNT_RULES[rule], path, params))


def _short(value: str | None, limit: int = 60) -> str:
    return redacted(" ".join((value or "").split()), limit)


def _digits(number: str | None) -> str:
    return re.sub(r"\D", "", number or "")


def check_phone_numbers(config: Mapping[str, Any], numbers: Sequence[Mapping[str, Any]]) -> list[Finding]:
    sender = text(config, "from_phone_number")
    found: list[Finding] = []
    if sender:
        wanted = _digits(sender)
        match = next((n for n in numbers if wanted and _digits(text(n, "phone_number")) == wanted), None)
        shown = _short(sender, 30)
        if match is None:
            found.append(
                _finding("xcheck.from_number_not_owned", "from_phone_number", value=shown, count=str(len(numbers)))
            )
        elif text(match, "type") == "verified_caller_id":
            found.append(_finding("xcheck.from_number_caller_id", "from_phone_number", value=shown))
    return found


def check_voice_in_catalogue(config: Mapping[str, Any], voices: Sequence[Mapping[str, Any]]) -> list[Finding]:
    voice = child(config, "voice")
    if voice is None or not text(voice, "id"):
        return []
    voice_id, provider = text(voice, "id") or "", text(voice, "provider")
    match = next(
        (v for v in voices if text(v, "id") == voice_id and (provider is None or text(v, "provider") == provider)),
        None,
    )
    if match is None:
        return [
            _finding(
                "xcheck.voice_not_found",
                "voice.id",
                value=repr(_short(voice_id, 40)),
                provider=provider or "no provider",
                count=str(len(voices)),
            )
        ]
    found: list[Finding] = []
    name = repr(_short(text(match, "name"), 40))
    language = text(match, "language")
    prompt_language = guess_language(text(config, "prompt"))
    if language and prompt_language and language != prompt_language:
        found.append(
            _finding(
                "xcheck.voice_language",
                "voice.id",
                voice=name,
                language=LANGUAGE_NAMES.get(language, language),
                prompt_language=LANGUAGE_NAMES.get(prompt_language, prompt_language),
                provider=str(provider),
            )
        )
    model = text(voice, "model")
    compat = text(match, "modelCompat") or text(match, "model_compat")
    if provider == "cartesia" and model and compat and compat != "universal" and compat != model:
        found.append(_finding("xcheck.voice_model", "voice.model", value=model, voice=name, compat=compat))
    return found


def _inbound(assistant_id: str, numbers: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [n for n in numbers if text(child(n, "inbound_assistant"), "id") == assistant_id]


def _stats(value: Mapping[str, Any] | None) -> dict[str, int] | None:
    if value is None:
        return None
    kept: dict[str, int] = {}
    for key in value:
        count = number(value, str(key))
        if count is not None:
            kept[str(key)] = int(count)
    return kept or None


def _number_use(entry: Mapping[str, Any]) -> NumberUse:
    return NumberUse(
        phone_number=_short(text(entry, "phone_number"), 30) or "?",
        label=_short(text(entry, "label"), 40) or None,
        provider=_short(text(entry, "provider"), 20) or None,
        source=_short(text(entry, "source"), 30) or None,
        type=_short(text(entry, "type"), 30) or None,
    )


def _calls_from(senders: Sequence[str], numbers: Sequence[Mapping[str, Any]]) -> list[NumberUse]:
    """The account's record of each number calls go out from (deduplicated), or a number it lacks."""
    by_digits = {_digits(text(n, "phone_number")): n for n in numbers if _digits(text(n, "phone_number"))}
    found: dict[str, NumberUse] = {}
    for sender in senders:
        digits = _digits(sender)
        if digits and digits not in found:
            match = by_digits.get(digits)
            found[digits] = (
                _number_use(match)
                if match is not None
                else NumberUse(phone_number=_short(sender, 30), on_account=False)
            )
    return list(found.values())[:_SHOWN]


def _campaign_use(campaign: Mapping[str, Any]) -> CampaignUse:
    concurrency = number(campaign, "max_concurrent_calls")
    return CampaignUse(
        id=_short(text(campaign, "id"), 80) or "?",
        name=_short(text(campaign, "name"), 80) or None,
        status=("cancelled" if campaign.get("is_cancelled") is True else _short(text(campaign, "status"), 20) or None),
        from_phone_number=_short(text(campaign, "from_phone_number"), 30) or None,
        max_concurrent_calls=int(concurrency) if concurrency is not None and abs(concurrency) < 1e9 else None,
        scheduled_at=_short(timestamp(campaign, "scheduled_at"), 40) or None,
        call_retry_config=retry_view(campaign),
        rows=_stats(child(campaign, "row_stats")),
        funnel=_stats(child(campaign, "funnel_stats")),
    )


def used_by(
    assistant_id: str,
    numbers: Sequence[Mapping[str, Any]] | None,
    campaigns: Sequence[Mapping[str, Any]] | None,
    sender: str | None = None,
) -> UsedBy:
    """Where the assistant is used: the numbers routing inbound calls to it, the numbers it (``sender``,
    its from_phone_number) and its campaigns call from, and its campaigns; an endpoint given as None was
    not read."""
    view = UsedBy()
    using = campaigns_of(assistant_id, campaigns) if campaigns is not None else []
    if numbers is not None:
        inbound = _inbound(assistant_id, numbers)
        view.inbound_total = len(inbound)
        view.inbound_numbers = [_number_use(n) for n in inbound[:_SHOWN]]
        senders = [s for s in (sender, *(text(c, "from_phone_number") for c in using)) if s]
        view.from_numbers = _calls_from(senders, numbers) or None
    if campaigns is not None:
        view.campaigns_total = len(using)
        view.campaigns = [_campaign_use(c) for c in using[:_SHOWN]]
    return view


def check_account(
    config: Mapping[str, Any],
    numbers: Sequence[Mapping[str, Any]] | None,
    voices: Sequence[Mapping[str, Any]] | None,
    campaigns: Sequence[Mapping[str, Any]] | None,
) -> AccountCheck:
    """The account-level rules for one assistant; an endpoint given as None is not checked."""
    assistant_id = text(config, "id") or ""
    found: list[Finding] = []
    if numbers is not None:
        found += check_phone_numbers(config, numbers)
        if text(config, "precall_lookup_url") and not _inbound(assistant_id, numbers):
            found.append(_finding("xcheck.lookup_without_inbound", "precall_lookup_url"))
    if voices is not None and voices:
        found += check_voice_in_catalogue(config, voices)
    unused = unused_parts(config)
    found = [_with_related(f, config) for f in found if not about_unused(f.rule, f.path, unused)]
    return AccountCheck(found, used_by(assistant_id, numbers, campaigns, text(config, "from_phone_number")))


def _with_related(finding: Finding, config: Mapping[str, Any]) -> Finding:
    spec = ACCOUNT_RULES[finding.rule]
    values = related(
        finding.fix, finding.path, config, shown_already=states_value(spec.message), names_base="{path}" in spec.fix
    )
    return finding.model_copy(update={"related": values}) if values else finding
