"""Write revox_mcp/data/demo_calls.json: the calls, phone numbers, voices and campaigns ``--demo`` serves,
and the earlier versions of the assistants that have a history.

Deterministic (fixed seed and dates): run it again after changing a scenario, and commit the JSON.

    python scripts/make_demo_calls.py

Each demo assistant gets calls whose patterns the evidence rules should find (or, for the baseline,
not find), in several languages; Trial Follow-up gets two weeks of calls that tell a story over time
(a prompt edit that made them worse, a model switch that made them slower: see its section). Personal
data is invented (555 and 01 numbers, example.com emails). Secrets contain FAKE: tool arguments and
outputs, recording URL tokens. The embedded assistant (the version in use when the call was made),
the call-level llm_model (whose custom variant carries an api_key), each agent turn's prompt and
answering model are added when served (``revox_mcp.api.demo``), so the file stays small.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple

DATA = Path(__file__).resolve().parent.parent / "revox_mcp" / "data"
OUT = DATA / "demo_calls.json"
ASSISTANTS = DATA / "demo_assistants.json"
ORG = "5b0c7f0e-2d1a-4c8e-9a51-0f6f3c2b9e11"
START = datetime(2026, 2, 9, 8, 0, tzinfo=timezone.utc)

BASELINE = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
FRENCH = "1a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62"
SUPPORT = "2b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b63"
CONCIERGE = "3c6d5e4f-3a2b-4c1d-8e0f-9a8b7c6d5e64"
REMINDERS = "4d5e4f3a-2b1c-4d0e-9f8a-7b6c5d4e3f65"
REALESTATE = "5e4f3a2b-1c0d-4e9f-8a7b-6c5d4e3f2a66"
SCREENER = "6f3a2b1c-0d9e-4f8a-9b7c-5d4e3f2a1b67"
LEGACY = "7a2b1c0d-9e8f-4a7b-8c6d-4e3f2a1b0c68"

SEED = 20260209
rng = random.Random(SEED)  # noqa: S311 - invented demo data, not secrets
FIRST = ["Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Chloé", "Hugo", "Léa", "Mateo", "Sofía", "Jonas", "Giulia"]
LAST = ["Martin", "Bernard", "Dubois", "Garcia", "Smith", "Johnson", "Müller", "Rossi", "Lopez", "Moreau", "Brown"]


def ident() -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def phone(country: str) -> str:
    if country == "fr":
        return "+336" + "".join(rng.choice("0123456789") for _ in range(8))
    if country == "es":
        return "+346" + "".join(rng.choice("0123456789") for _ in range(8))
    if country == "de":
        return "+49151" + "".join(rng.choice("0123456789") for _ in range(7))
    if country == "gb":
        return "+447700900" + "".join(rng.choice("0123456789") for _ in range(3))
    if country == "be":
        return "+32470" + "".join(rng.choice("0123456789") for _ in range(6))
    if country == "ch":
        return "+4179" + "".join(rng.choice("0123456789") for _ in range(7))
    if country == "it":
        return "+39347" + "".join(rng.choice("0123456789") for _ in range(7))
    return "+1415555" + "".join(rng.choice("0123456789") for _ in range(4))


def person() -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local = f"{first.lower().replace('é', 'e').replace('í', 'i').replace('ü', 'u')}.{last.lower().replace('ü', 'u')}"
    email = f"{local}@example.com"
    return {"first_name": first, "last_name": last, "email": email}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def next_call(self) -> datetime:
        self.now += timedelta(minutes=rng.randint(40, 260))
        if self.now.hour >= 18:
            self.now = (self.now + timedelta(days=1)).replace(hour=8, minute=rng.randint(0, 50))
        return self.now


CLOCK = Clock()


def speech(
    turns: list[tuple[str, str]], *, ttft: tuple[int, int], ttfb: tuple[int, int], cut: float
) -> list[dict[str, Any]]:
    """Speech events for a conversation: one per user or assistant turn, with latencies."""
    events: list[dict[str, Any]] = []
    at = 900.0
    for role, content in turns:
        if role not in ("user", "assistant"):
            continue
        length = 400 + 55 * len(content.split())
        speaker = "agent" if role == "assistant" else "user"
        event: dict[str, Any] = {
            "id": ident(),
            "speaker": speaker,
            "started_speaking_at_ms": round(at),
            "stopped_speaking_at_ms": round(at + length),
            "transcript": content,
            "is_real_turn": True,
        }
        if speaker == "agent":
            event["llm_ttft_ms"] = rng.randint(*ttft)
            event["tts_ttfb_ms"] = rng.randint(*ttfb)
            event["was_cut"] = rng.random() < cut
        else:
            event["stt_transcription_delay_ms"] = rng.randint(120, 380)
        events.append(event)
        at += length + rng.randint(300, 900)
    return events


def transcript(turns: list[tuple[str, str]], tools: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, (role, content) in enumerate(turns):
        if role == "tool":
            entry = {"role": "tool", "content": "", **(tools or {})[index]}
        else:
            entry = {"role": role, "content": content}
        out.append(entry)
    return out


def attempt(
    assistant: str,
    started: datetime,
    *,
    result: str | None = "human",
    seconds: int | None = None,
    end_reason: str | None = None,
    ended_by: str | None = None,
    dial_error: str | None = None,
    turns: list[tuple[str, str]] | None = None,
    tools: dict[int, dict[str, Any]] | None = None,
    latency: tuple[tuple[int, int], tuple[int, int], float] | None = ((450, 900), (150, 350), 0.1),
    number: str = "",
    structured: dict[str, Any] | None = None,
    sms: list[dict[str, Any]] | None = None,
    emails: list[dict[str, Any]] | None = None,
    human: bool = False,
    recorded: bool = True,
) -> dict[str, Any]:
    ring = rng.randint(4, 18)
    answered = started + timedelta(seconds=ring) if seconds is not None else None
    ended = (
        (answered + timedelta(seconds=seconds))
        if answered is not None and seconds is not None
        else started + timedelta(seconds=ring + 20)
    )
    turns = turns or []
    body: dict[str, Any] = {
        "id": ident(),
        "status": "error" if dial_error else "completed",
        "phone_number": number,
        "started_at": iso(started),
        "answered_at": iso(answered) if answered else None,
        "ended_at": iso(ended),
        "result": result,
        "dial_error": dial_error,
        "end_reason": end_reason,
        "ended_by": ended_by,
        "handled_by_ai": bool(turns) and result == "human",
        "handled_by_human": human,
        "handled_by_user": None,
        "assistants_used": [assistant] if answered else [],
        "recording_url": (
            f"https://recordings.revox-demo.invalid/r/{ident()[:8]}.mp3?X-Amz-Credential=FAKEAKIADEMO%2F20260210"
            f"&X-Amz-Signature=FAKE{rng.getrandbits(64):016x}&X-Amz-Expires=3600"
        )
        if answered and recorded
        else None,
        "transcript": transcript(turns, tools) if turns else [],
        "post_call_transcript": None,
        "speech_events": speech(turns, ttft=latency[0], ttfb=latency[1], cut=latency[2]) if turns and latency else [],
        "sms_log": sms or [],
        "email_log": emails or [],
        "structured_output": structured,
    }
    return body


def order(
    assistant: str,
    attempts_: list[dict[str, Any]],
    *,
    direction: str = "outbound",
    sender: str | None = None,
    callee: str = "",
    contact: dict[str, Any] | None = None,
    variables: dict[str, str] | None = None,
    outcome: str | None = None,
    summary: str | None = None,
    status: str = "completed",
    campaign: dict[str, str] | None = None,
    created: datetime,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "id": ident(),
        "assistant_id": assistant,  # the served call embeds the whole assistant instead (api/demo.py)
        "status": status,
        "direction": direction,
        "from_phone_number": sender,
        "to_phone_number": callee,
        "created_at": iso(created),
        "scheduled_at": iso(created),
        "updated_at": iso(created + timedelta(hours=rng.randint(0, 30), minutes=5)),
        "calls_count": len(attempts_),
        "outcome": outcome,
        "outcome_summary": summary,
        "campaign": campaign,
        "assignee": None,
        "contact": contact or {},
        "prompt_variables": variables,
        "metadata": metadata,
        "call_retry_config": None,
        "first_sentence_delay_ms": 400,
        "is_cancelled": status == "cancelled",
        "is_completed": status == "completed",
        "organization_id": ORG,
        "call_attempts": list(reversed(attempts_)),  # Revox lists them newest first
    }


# --- Appointment Reminders: the misconfigured one --------------------------------------------------

REMINDER_CAMPAIGN = {"id": "c0a80101-0000-4000-8000-00000000f001", "name": "February reminders"}


def reminder_variables(who: dict[str, str], full: bool = True) -> dict[str, str]:
    variables = {
        "contact_name": f"{who['first_name']} {who['last_name']}",
        "appointment_date": rng.choice(["Monday 16 February", "Tuesday 17 February", "Thursday 19 February"]),
        "appointment_time": rng.choice(["9:30", "11:00", "14:15", "16:45"]),
    }
    if full:
        variables.update({"slot_1": "Friday 20 February 10:00", "slot_2": "Monday 23 February 15:30"})
    return variables


BOOK_ERROR = (
    'HTTP 400 from calendar.acme-fixtures.test: {"error": "slot must be an ISO 8601 datetime, got \'Friday 10am\'"}'
)


def reminder_attempt(when: datetime, number: str, **fields: Any) -> dict[str, Any]:
    """One attempt of the reminders assistant (whose calls carry no latency figures)."""
    return attempt(REMINDERS, when, latency=None, number=number, **fields)


def reminder_order(
    who: dict[str, str], when: datetime, number: str, attempts_: list[dict[str, Any]], full: bool = True, **fields: Any
) -> dict[str, Any]:
    """A call order of the reminders campaign to ``who`` at ``number``."""
    variables = reminder_variables(who, full)
    return order(
        REMINDERS,
        attempts_,
        callee=number,
        contact=who,
        variables=variables,
        campaign=REMINDER_CAMPAIGN,
        created=when,
        **fields,
    )


def reminder_silent() -> dict[str, Any]:
    """The callee says hello, hears nothing from the agent and hangs up."""
    who, when, number = person(), CLOCK.next_call(), phone("gb")
    turns = [("user", "Hello?"), ("user", "Hello? Is anyone there?"), ("user", "I can't hear anything.")]
    a = reminder_attempt(
        when,
        number,
        seconds=rng.randint(7, 12),
        ended_by="user",
        end_reason="client_initiated",
        turns=turns,
        structured={"confirmation_status": ""},
    )
    return reminder_order(
        who,
        when,
        number,
        [a],
        outcome="not_interested",
        summary="The callee said hello several times, heard nothing and hung up.",
    )


def reminder_cut_by_limit() -> dict[str, Any]:
    """A rescheduling cut by the call-duration limit; the booking tool fails 9 times in 10."""
    who, when, number = person(), CLOCK.next_call(), phone("gb")
    failing = rng.random() < 0.9
    turns = [
        ("user", "Hello, who is this?"),
        (
            "assistant",
            f"Hi {who['first_name']}, this is the clinic reminding you of your appointment on Tuesday at 11:00. "
            "Can you make it?",
        ),
        ("user", "Actually no, I need to move it. Do you have anything on Friday?"),
        ("assistant", "Let me check. I can offer Friday 20 February at 10:00 or Monday 23 February at 15:30."),
        ("user", "Friday at ten works. Can you book that, and send me a confirmation to my email?"),
        ("assistant", "I'm booking Friday at 10:00 for you now."),
        ("tool", ""),
        (
            "assistant",
            "Sorry, the booking didn't go through, let me try once more." if failing else "Done, you're booked.",
        ),
        ("user", "Okay, and my address changed too, it's 12 Baker Street, my number is 07700 900123 if you need"),
    ]
    tools = {
        6: {
            "tool_name": "Book-Slot",
            "tool_arguments": {"slot": "Friday 10am"},
            "tool_output": BOOK_ERROR if failing else '{"booked": true}',
            "tool_is_error": failing,
        }
    }
    a = reminder_attempt(
        when,
        number,
        seconds=45,
        ended_by="system",
        end_reason="max_duration",
        turns=turns,
        tools=tools,
        structured={"confirmation_status": ""},
    )
    return reminder_order(
        who,
        when,
        number,
        [a],
        outcome="requested_callback_later",
        summary="The patient wanted to move the appointment to Friday; "
        "the call was cut before the new slot was confirmed.",
    )


def reminder_voicemail() -> dict[str, Any]:
    """Voicemail: the agent ends the call after 5 s."""
    who, when, number = person(), CLOCK.next_call(), phone("gb")
    a = reminder_attempt(
        when,
        number,
        result="voicemail",
        seconds=5,
        ended_by="agent",
        end_reason="voicemail",
        recorded=False,
    )
    return reminder_order(
        who,
        when,
        number,
        [a],
        outcome=None,
    )


def reminder_ivr() -> dict[str, Any]:
    """A phone menu answers; the agent does not navigate it."""
    who, when, number = person(), CLOCK.next_call(), phone("gb")
    turns = [
        (
            "user",
            "Welcome to Northwind Logistics. For deliveries press 1, for accounts press 2, "
            "for anything else stay on the line.",
        )
    ]
    a = reminder_attempt(
        when,
        number,
        result="IVR",
        seconds=14,
        ended_by="agent",
        end_reason="ivr_no_navigate",
        turns=turns,
    )
    return reminder_order(
        who,
        when,
        number,
        [a],
        outcome=None,
    )


def reminder_wants_person() -> dict[str, Any]:
    """The callee asks twice for a receptionist and is not put through."""
    who, when, number = person(), CLOCK.next_call(), phone("gb")
    turns = [
        ("user", "Yes?"),
        ("assistant", f"Hi {who['first_name']}, this is the clinic about your appointment on Monday at 9:30."),
        ("user", "I have a question about my prescription. Can I speak to a receptionist please?"),
        ("assistant", "I'm sorry, I can only help with your appointment."),
        ("user", "Then let me talk to a real person, please."),
        ("assistant", "I understand. Is there anything about the appointment I can help with?"),
    ]
    a = reminder_attempt(
        when,
        number,
        seconds=rng.randint(28, 40),
        ended_by="user",
        end_reason="client_initiated",
        turns=turns,
        structured={"confirmation_status": ""},
    )
    return reminder_order(
        who,
        when,
        number,
        [a],
        outcome="not_interested",
        summary="The callee asked twice for a receptionist and hung up.",
    )


def reminder_confirms() -> dict[str, Any]:
    """The appointment confirmed: the path that works."""
    who, when, number = person(), CLOCK.next_call(), phone("gb")
    turns = [
        ("user", "Hello?"),
        (
            "assistant",
            f"Hi {who['first_name']}, this is the clinic: your appointment is on Thursday at 14:15. "
            "Does that still work?",
        ),
        ("user", "Yes, that's fine, see you then."),
        ("assistant", "Perfect, thank you. Goodbye!"),
    ]
    a = reminder_attempt(
        when,
        number,
        seconds=rng.randint(18, 26),
        ended_by="agent",
        end_reason="tool_end_call",
        turns=turns,
        structured={"confirmation_status": ""},
    )
    return reminder_order(
        who,
        when,
        number,
        [a],
        outcome="completed",
        summary="The patient confirmed the appointment.",
    )


def reminder_unreachable() -> dict[str, Any]:
    """Two attempts, no answer then busy."""
    who, number = person(), phone("gb")
    first = CLOCK.next_call()
    a1 = reminder_attempt(first, number, result=None, dial_error="no_answer")
    a2 = reminder_attempt(first + timedelta(seconds=5), number, result=None, dial_error="busy")
    return reminder_order(who, first, number, [a1, a2])


def reminder_errored() -> dict[str, Any]:
    """Errored before any attempt; its prompt variables lack the free slots."""
    who, when, number = person(), CLOCK.next_call(), phone("gb")
    return reminder_order(who, when, number, [], full=False, status="errored")


# Each scenario, and how many calls of it: in this order (the random draws follow it).
REMINDER_CALLS = (
    (reminder_silent, 5),
    (reminder_cut_by_limit, 7),
    (reminder_voicemail, 4),
    (reminder_ivr, 3),
    (reminder_wants_person, 3),
    (reminder_confirms, 3),
    (reminder_unreachable, 2),
    (reminder_errored, 2),
)


def reminders() -> list[dict[str, Any]]:
    return [make() for make, count in REMINDER_CALLS for _ in range(count)]


def french_variables(who: dict[str, str]) -> dict[str, str]:
    return {
        "company_name": "Énergie Plus",
        "contact_name": f"{who['first_name']} {who['last_name']}",
        "invoice_number": f"F-2026-{rng.randint(100, 999)}",
        "amount_due": "420,00 €",
        "due_date": "31/01/2026",
    }


def screener_variables(who: dict[str, str]) -> dict[str, str]:
    variables = {
        "agency_name": "Brightpath Recruiting",
        "candidate_first_name": who["first_name"],
        "candidate_last_name": who["last_name"],
        "job_title": "Warehouse operative",
        "job_city": "Leeds",
        "job_ref": f"WH-{rng.randint(100, 999)}",
        "callback_delay_days": "2",
        "job_details": "Night shifts, 38 h/week",
    }
    variables.update({f"step_{i}_context": "-" for i in range(1, 13)})
    return variables


# --- Relance impayés (French, OpenRouter) ----------------------------------------------------------

FR_CAMPAIGN = {"id": "c0a80101-0000-4000-8000-00000000f002", "name": "Relances impayés T1"}


FR_SENDER = "+33912345678"


def french_abroad(country: str) -> dict[str, Any]:
    """A number abroad, which the caller id has no international permission to call."""
    who, when, number = person(), CLOCK.next_call(), phone(country)
    a = attempt(FRENCH, when, result=None, dial_error="no_international_permission", latency=None, number=number)
    return order(
        FRENCH,
        [a],
        sender=FR_SENDER,
        callee=number,
        contact=who,
        status="errored",
        campaign=FR_CAMPAIGN,
        variables=french_variables(who),
        created=when,
    )


def french_dispute(transferred: bool) -> dict[str, Any]:
    """The invoice is disputed and an adviser asked for; transferred, or not."""
    who, when, number = person(), CLOCK.next_call(), phone("fr")
    turns = [
        ("user", "Allô ?"),
        (
            "assistant",
            f"Bonjour {who['first_name']}, je vous appelle au sujet de la facture F-2026-{rng.randint(100, 999)} "
            "de 420 euros, toujours impayée.",
        ),
        ("user", "Je l'ai contestée par courrier. Je voudrais parler à un conseiller, s'il vous plaît."),
        ("assistant", "Je comprends, je vous mets en relation avec le service Litiges."),
    ]
    if not transferred:
        turns[-1] = ("assistant", "Pouvez-vous me dire quand vous pensez régler la facture ?")
        turns.append(("user", "Non, je veux parler à quelqu'un du service, pas à un robot."))
    a = attempt(
        FRENCH,
        when,
        seconds=rng.randint(35, 70),
        ended_by="agent" if transferred else "user",
        end_reason="transfer" if transferred else "client_initiated",
        turns=turns,
        latency=((1300, 3400), (180, 420), 0.15),
        number=number,
        human=transferred,
        structured={"promise_to_pay_date": None, "dispute": "oui", "installments": None},
    )
    return order(
        FRENCH,
        [a],
        sender=FR_SENDER,
        callee=number,
        contact=who,
        variables=french_variables(who),
        outcome="requested_callback_later" if transferred else "not_interested",
        summary="Le client conteste la facture et demande un conseiller.",
        campaign=FR_CAMPAIGN,
        created=when,
    )


def french_instalments() -> dict[str, Any]:
    """Three instalments agreed; a summary SMS after the call."""
    who, when, number = person(), CLOCK.next_call(), phone("fr")
    turns = [
        ("user", "Oui, bonjour."),
        (
            "assistant",
            f"Bonjour {who['first_name']}, je vous appelle pour la facture impayée de 420 euros. "
            "Quand pensez-vous la régler ?",
        ),
        ("user", "Je peux payer en trois fois, à partir du 5 mars. Envoyez-moi le détail à " + who["email"] + "."),
        (
            "assistant",
            "Très bien, je note un paiement en trois fois à partir du 5 mars. Vous recevrez un SMS récapitulatif.",
        ),
    ]
    sms = [
        {
            "id": ident(),
            "type": "after_call",
            "to_phone_number": number,
            "provider": "twilio",
            "message_body": "Récapitulatif : paiement en 3 fois à partir du 05/03.",
            "created_at": iso(when + timedelta(minutes=2)),
        }
    ]
    a = attempt(
        FRENCH,
        when,
        seconds=rng.randint(50, 95),
        ended_by="agent",
        end_reason="tool_end_call",
        turns=turns,
        latency=((1400, 3100), (160, 380), 0.1),
        number=number,
        sms=sms,
        structured={"promise_to_pay_date": "2026-03-05", "dispute": "non", "installments": 3},
    )
    return order(
        FRENCH,
        [a],
        sender=FR_SENDER,
        callee=number,
        contact=who,
        variables=french_variables(who),
        outcome="completed",
        summary="Paiement en trois fois accepté à partir du 5 mars.",
        campaign=FR_CAMPAIGN,
        created=when,
    )


def french_voicemail() -> dict[str, Any]:
    """Voicemail."""
    who, when, number = person(), CLOCK.next_call(), phone("fr")
    a = attempt(
        FRENCH,
        when,
        result="voicemail",
        seconds=6,
        ended_by="agent",
        end_reason="voicemail",
        latency=None,
        number=number,
        recorded=False,
    )
    return order(
        FRENCH,
        [a],
        sender=FR_SENDER,
        callee=number,
        contact=who,
        campaign=FR_CAMPAIGN,
        created=when,
        variables=french_variables(who),
    )


def french() -> list[dict[str, Any]]:
    return [
        *(french_abroad(country) for country in ("gb", "be", "ch")),
        *(french_dispute(transferred) for transferred in (True, True, True, False)),
        *(french_instalments() for _ in range(3)),
        *(french_voicemail() for _ in range(2)),
    ]


# --- Inbound Support: custom LLM and CRM tools -----------------------------------------------------


def support() -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    line = "+14155550100"
    scripts = [
        ("en", "Hi, I'm calling about order A-1042, it hasn't arrived.", "Let me look it up."),
        ("en", "Hello, where is my package? Order A-2210.", "One moment, I'm checking that order."),
        ("es", "Hola, llamo por el pedido A-3301, no ha llegado.", "Un momento, lo compruebo."),
        ("en", "My order A-1187 arrived broken.", "I'm sorry to hear that, let me check the order."),
        ("es", "Buenas, quiero saber dónde está mi pedido A-4410.", "Claro, déjeme revisarlo."),
        ("en", "I need to change the address on order A-5120.", "Sure, let me pull it up."),
        ("en", "Order A-6003 was charged twice.", "Let me check that for you."),
        ("es", "Tengo un problema con la factura del pedido A-7004.", "Lo reviso enseguida."),
    ]
    for index, (language, opening, reply) in enumerate(scripts):
        who, when, caller = person(), CLOCK.next_call(), phone("es" if language == "es" else "us")
        failing = index % 2 == 0
        ask = "Quiero hablar con una persona, por favor." if language == "es" else "Can I talk to a human agent please?"
        turns = [
            (
                "assistant",
                "Acme support, how can I help?" if language == "en" else "Soporte de Acme, ¿en qué puedo ayudarle?",
            ),
            ("user", opening),
            ("assistant", reply),
            ("tool", ""),
            ("assistant", "I can't reach the order system right now." if failing else "I found it: it ships tomorrow."),
            ("user", ask if index in (0, 2, 4) else "Okay, thanks."),
            ("assistant", "Let me create a ticket so the team follows up."),
            ("tool", ""),
            ("assistant", "Done, your ticket number is T-88" + str(index)),
        ]
        tools = {
            3: {
                "tool_name": "lookup_order",
                "tool_arguments": {"order_id": opening.split("A-")[1][:4], "api_token": "FAKE_demo_tool_token_7c1e9a"},
                "tool_output": (
                    "401 Unauthorized: Authorization: Bearer FAKE-demo-crm-token-91f3 rejected (token expired)"
                    if failing
                    else '{"status": "shipped", "eta": "tomorrow"}'
                ),
                "tool_is_error": failing,
            },
            7: {
                "tool_name": "create_ticket",
                "tool_arguments": json.dumps({"subject": opening[:40], "email": who["email"], "phone": caller}),
                "tool_output": '{"ticket": "T-88' + str(index) + '"}',
                "tool_is_error": False,
            },
        }
        transferred = index == 4
        a = attempt(
            SUPPORT,
            when,
            seconds=rng.randint(60, 150),
            ended_by="agent" if transferred else "user",
            end_reason="transfer" if transferred else "client_initiated",
            turns=turns,
            tools=tools,
            latency=((500, 1000), (200, 400), 0.45),
            number=caller,
            human=transferred,
        )
        calls.append(
            order(
                SUPPORT,
                [a],
                direction="inbound",
                sender=caller,
                callee=line,
                contact=who,
                variables={
                    "company_name": "Acme",
                    "customer_first_name": who["first_name"],
                    "plan_name": "Pro",
                    "account_id": f"ACC-{rng.randint(1000, 9999)}",
                },
                outcome="completed",
                summary=f"{who['first_name']} called about an order; a ticket was created.",
                created=when,
                metadata={"crm_contact_id": f"crm_{rng.randint(10000, 99999)}"},
            )
        )
    return calls


# --- the others ------------------------------------------------------------------------------------


def baseline() -> list[dict[str, Any]]:
    calls = []
    for index in range(8):
        who, when, number = person(), CLOCK.next_call(), phone("us")
        if index == 7:
            a = attempt(
                BASELINE,
                when,
                result="voicemail",
                seconds=14,
                ended_by="agent",
                end_reason="voicemail",
                turns=[
                    ("assistant", "Hi, this is Lucy from Acme about the demo you asked for; I'll call back tomorrow.")
                ],
                latency=None,
                number=number,
                recorded=False,
            )
            calls.append(
                order(
                    BASELINE,
                    [a],
                    callee=number,
                    contact=who,
                    created=when,
                    variables={"contact_name": who["first_name"], "company_name": "Acme"},
                )
            )
            continue
        turns = [
            ("user", "Hello?"),
            (
                "assistant",
                f"Hi {who['first_name']}, this is Lucy from Acme - you asked for a demo, do you have two minutes?",
            ),
            ("user", "Sure, go ahead."),
            ("assistant", "Great. How many people would use it, and what budget range do you have in mind?"),
            ("user", "About twenty people, and something like five to ten thousand a year."),
            ("assistant", "Perfect. Can I book a demo with our team on Thursday at 3pm?"),
            ("user", "Thursday works."),
            ("assistant", "Booked. You'll get an invite by email. Thanks!"),
        ]
        emails = [
            {
                "id": ident(),
                "from_address": "notifications@acme-demo.invalid",
                "to_emails": ["sales@acme-demo.invalid"],
                "subject": f"New qualified lead: {who['first_name']} {who['last_name']}",
                "created_at": iso(when + timedelta(minutes=3)),
            }
        ]
        a = attempt(
            BASELINE,
            when,
            seconds=rng.randint(90, 240),
            ended_by="agent",
            end_reason="tool_end_call",
            turns=turns,
            latency=((380, 800), (120, 260), 0.05),
            number=number,
            emails=emails,
            structured={
                "budget_range": "5k-10k",
                "is_decision_maker": True,
                "meeting_datetime": "2026-02-19T15:00",
                "notes": "20 seats",
            },
        )
        calls.append(
            order(
                BASELINE,
                [a],
                callee=number,
                contact={**who, "company": "Globex", "job_title": "Head of Ops"},
                variables={"contact_name": who["first_name"], "company_name": "Acme"},
                outcome="interested",
                summary="Qualified lead, demo booked for Thursday 3pm.",
                created=when,
            )
        )
    return calls


def screener() -> list[dict[str, Any]]:
    calls = []
    campaign = {"id": "c0a80101-0000-4000-8000-00000000f003", "name": "Screening wave 3"}
    lines = {
        "de": ("Hallo?", "Nein danke, kein Interesse."),
        "it": ("Pronto?", "No grazie, non mi interessa."),
        "en": ("Hello?", "No thanks, not interested."),
    }
    for index in range(8):
        language = ("de", "it", "en", "de", "en", "it", "en", "de")[index]
        who, when, number = person(), CLOCK.next_call(), phone({"de": "de", "it": "it", "en": "gb"}[language])
        hello, bye = lines[language]
        opening = (
            "assistant",
            "Hi, this is an automated screening call from Brightpath Recruiting "
            "about the warehouse role you applied for.",
        )
        if index < 5:
            turns = [("user", hello), opening, ("user", bye)]
            a = attempt(
                SCREENER,
                when,
                seconds=rng.randint(6, 12),
                ended_by="user",
                end_reason="client_initiated",
                turns=turns,
                latency=((500, 900), (150, 300), 0.0),
                number=number,
            )
            outcome = "not_interested"
        else:
            turns = [
                ("user", hello),
                opening,
                ("user", "Yes, I can talk."),
                ("assistant", "When could you start?"),
                ("user", "From March, full time, night shifts are fine."),
                ("assistant", "Thanks, the team will call you back."),
            ]
            a = attempt(
                SCREENER,
                when,
                seconds=rng.randint(60, 120),
                ended_by="agent",
                end_reason="tool_end_call",
                turns=turns,
                latency=((500, 900), (150, 300), 0.1),
                number=number,
                structured={
                    "available_from": "2026-03-01",
                    "salary_expectation": None,
                    "shift_preference": "night",
                    "has_licence": True,
                },
            )
            outcome = "interested"
        calls.append(
            order(
                SCREENER,
                [a],
                callee=number,
                contact=who,
                campaign=campaign,
                outcome=outcome,
                created=when,
                variables=screener_variables(who),
            )
        )
    return calls


def legacy() -> list[dict[str, Any]]:
    calls = []
    for index in range(6):
        who, when, number = person(), CLOCK.next_call(), phone("us")
        if index < 4:
            a = attempt(LEGACY, when, result=None, dial_error="number_non_attributed", latency=None, number=number)
            calls.append(
                order(
                    LEGACY,
                    [a],
                    callee=number,
                    contact=who,
                    status="errored",
                    created=when,
                    variables={"contact_name": who["first_name"], "company_name": "Acme"},
                )
            )
        else:
            turns = [
                ("user", "Hello?"),
                ("assistant", "Hello, this is Acme calling about your subscription renewal."),
                ("user", "I already renewed, thanks."),
                ("assistant", "Great, sorry for the trouble. Goodbye."),
            ]
            a = attempt(
                LEGACY,
                when,
                seconds=rng.randint(20, 40),
                ended_by="agent",
                end_reason="tool_end_call",
                turns=turns,
                number=number,
            )
            calls.append(
                order(
                    LEGACY,
                    [a],
                    callee=number,
                    contact=who,
                    outcome="completed",
                    created=when,
                    variables={"contact_name": who["first_name"], "company_name": "Acme"},
                )
            )
    return calls


def realestate() -> list[dict[str, Any]]:
    calls = []
    for index in range(5):
        who, number = person(), phone("fr" if index % 2 else "es")
        when = CLOCK.next_call()
        tries = [attempt(REALESTATE, when, result=None, dial_error="too_many_calls", latency=None, number=number)]
        if index < 3:
            tries.append(
                attempt(
                    REALESTATE,
                    when + timedelta(minutes=1),
                    result=None,
                    dial_error="too_many_calls",
                    latency=None,
                    number=number,
                )
            )
        later = when + timedelta(hours=2)
        turns = (
            [
                ("assistant", "Bonjour, vous cherchez toujours un appartement à Lyon ?"),
                ("user", "Oui, un trois pièces, budget 350 000 euros."),
                ("assistant", "Très bien, je transmets à notre agent."),
            ]
            if index % 2
            else [
                ("assistant", "Hola, ¿sigue buscando piso en Valencia?"),
                ("user", "Sí, de dos habitaciones, hasta 250.000 euros."),
                ("assistant", "Perfecto, se lo paso a nuestro agente."),
            ]
        )
        tries.append(
            attempt(
                REALESTATE,
                later,
                seconds=rng.randint(40, 90),
                ended_by="agent",
                end_reason="tool_end_call",
                turns=turns,
                number=number,
            )
        )
        calls.append(
            order(
                REALESTATE,
                tries,
                callee=number,
                contact=who,
                outcome="interested",
                created=when,
                summary="Qualified buyer lead.",
                variables={"agency_name": "Habitat Conseil"},
            )
        )
    return calls


def concierge() -> list[dict[str, Any]]:
    calls = []
    for _ in range(4):
        who, when, caller = person(), CLOCK.next_call(), phone("fr")
        turns = [
            ("assistant", "Hôtel Lumière, bonjour !"),
            ("user", "Bonjour, je voudrais réserver une table pour ce soir."),
            ("assistant", "Pour combien de personnes ?"),
            ("user", "Deux, vers 20 heures."),
            ("assistant", "C'est noté, à ce soir !"),
        ]
        a = attempt(
            CONCIERGE,
            when,
            seconds=rng.randint(30, 60),
            ended_by="agent",
            end_reason="tool_end_call",
            turns=turns,
            latency=None,
            number=caller,
        )
        calls.append(
            order(
                CONCIERGE,
                [a],
                direction="inbound",
                sender=caller,
                callee="+33180000000",
                contact=who,
                outcome="completed",
                created=when,
            )
        )
    return calls


# --- Trial Follow-up: two weeks that tell a story (issue 17) ---------------------------------------
#
# Outbound calls to people on a free trial, 42 to 60 every weekday from Monday 16 to Friday 27
# February 2026 (497 calls). The assistant was edited three times (demo_assistants.json holds it as it
# is now, after the last edit; this file writes the versions before each edit, and the demo serves
# every call with the version in use when it was made):
# - 17 Feb 10:15Z, the voicemail message is reworded: nothing the calls measure changes.
# - 19 Feb 14:02Z, the prompt turns pushy: it opens with a discount instead of asking whether now is a
#   good time, and no longer lets people go. From the next call on (14:25), people hang up after the
#   opening (end_reason user_rejected, ended by the user) on about 45 % of answered calls instead of
#   9 %, and fewer of those who stay are interested.
# - 24 Feb 11:47Z, the model switches from openai/gpt-4.1 to openai/gpt-5: the LLM's first token takes
#   about 1,400 ms (p50) instead of 700 ms; the rates stay as they were.
# Around that, ordinary noise: voicemail, numbers that do not answer, a carrier error now and then, and
# a booking tool that fails on a few bookings. The draws are random; this seed's are checked to tell
# the story to the time axis (tests/api/test_demo.py): about 1 seed in 20 gives a spurious or misplaced
# change point, as noise does.

TRIALS = "9d0e8f7a-6b5c-4d4e-8f3a-2b1c0d9e8f70"
STORY_SEED = 20260216  # the story draws from its own seed: editing the scenarios above leaves it as it is
TRIAL_SENDER = "+442071234567"
TRIAL_CREATED = datetime(2026, 2, 2, 9, 12, 44, 120_000, tzinfo=timezone.utc)
VOICEMAIL_EDIT = datetime(2026, 2, 17, 10, 15, tzinfo=timezone.utc)
PROMPT_EDIT = datetime(2026, 2, 19, 14, 2, tzinfo=timezone.utc)
MODEL_SWITCH = datetime(2026, 2, 24, 11, 47, tzinfo=timezone.utc)
STORY_FIRST_DAY = datetime(2026, 2, 16, 9, 0, tzinfo=timezone.utc)  # a Monday
STORY_DAYS = 12
CALLING_HOURS = 9  # from 09:00 to 18:00 UTC

CAREFUL_PROMPT = (
    "# Identity\n"
    "You are Sam, a virtual assistant for {{company_name}}. You are calling {{contact_name}}, whose free trial "
    "ends on {{trial_end_date}}.\n\n"
    "# Opening\n"
    "Say who you are and why you call in one sentence, then ask whether now is a good time. If it is not, "
    "offer to call back later and end the call politely.\n\n"
    "# Rules\n"
    "- Stay concise: max 50 tokens per turn. One question at a time.\n"
    "- Your output goes to text-to-speech. Use naturally pronounceable sentences.\n"
    "- If asked whether you are an AI, confirm it clearly.\n"
    "- If the person is not interested, thank them for trying {{company_name}} and end the call.\n\n"
    "# Goal\n"
    "Learn how the trial is going and, if it helps them, book a 20-minute onboarding call with "
    "book_onboarding_call."
)
FIRST_VOICEMAIL = (
    "Hi {{contact_name}}, this is Sam from {{company_name}} about your free trial. I'll try you again tomorrow."
)
GPT_41 = {"type": "openrouter", "openrouter_model_id": "openai/gpt-4.1", "openrouter_provider": "openai"}

# The edits, oldest first: when each was made, and the fields it changed as they were before it.
TRIAL_EDITS: tuple[tuple[datetime, dict[str, Any]], ...] = (
    (VOICEMAIL_EDIT, {"voicemail_message": FIRST_VOICEMAIL}),
    (PROMPT_EDIT, {"prompt": CAREFUL_PROMPT}),
    (MODEL_SWITCH, {"llm_model": GPT_41}),
)


def trial_current() -> dict[str, Any]:
    """Trial Follow-up as it is now (demo_assistants.json), checked against the edits above."""
    assistants = json.loads(ASSISTANTS.read_text(encoding="utf-8"))["assistants"]
    current: dict[str, Any] = next(a for a in assistants if a["id"] == TRIALS)
    if current["updated_at"] != iso(TRIAL_EDITS[-1][0]):
        raise ValueError(f"{TRIALS}: updated_at must be the time of the last edit, {iso(TRIAL_EDITS[-1][0])}")
    for at, before in TRIAL_EDITS:
        if any(current[name] == value for name, value in before.items()):
            raise ValueError(f"{TRIALS}: the edit of {iso(at)} must change {sorted(before)}")
    return current


def version_at(current: dict[str, Any], moment: datetime) -> dict[str, Any]:
    """The assistant as it was at ``moment``: the current one with every later edit undone."""
    version = dict(current)
    for at, before in reversed(TRIAL_EDITS):  # the earliest edit of a field says what it was
        if moment < at:
            version.update(before)
    return version


def trial_versions(current: dict[str, Any]) -> list[dict[str, Any]]:
    """The versions before the current one, oldest first, as the file stores them: each is the current
    assistant with ``fields`` as they were then, in use from its ``updated_at`` until the next version's."""
    versions = []
    for start in (TRIAL_CREATED, *(at for at, _before in TRIAL_EDITS[:-1])):
        then = version_at(current, start)
        fields = {name: value for name, value in then.items() if name != "updated_at" and current[name] != value}
        versions.append({"updated_at": iso(start), "fields": fields})
    return versions


class Regime(NamedTuple):
    """How the calls of a moment behave, given the assistant's version then."""

    pushy: bool  # the prompt opens with the discount (after PROMPT_EDIT)
    rejected: float  # of answered calls: the person hangs up after the opening
    interested: float  # of the conversations that go on past the opening
    ttft: tuple[int, int]  # the LLM's first token, ms (uniform: p50 at the middle)
    voicemail: str  # the voicemail message left (with {{variables}})


def regime_of(version: dict[str, Any]) -> Regime:
    """How calls behave under a version of the assistant."""
    pushy = version["prompt"] != CAREFUL_PROMPT
    return Regime(
        pushy=pushy,
        rejected=0.45 if pushy else 0.09,
        interested=0.3 if pushy else 0.5,
        ttft=(500, 900) if version["llm_model"] == GPT_41 else (1000, 1800),
        voicemail=version["voicemail_message"],
    )


def story_moments() -> list[datetime]:
    """When each call was made: 42 to 60 a weekday, at random times within calling hours, in order."""
    moments = []
    for offset in range(STORY_DAYS):
        day = STORY_FIRST_DAY + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        count = rng.randint(42, 60)
        moments += sorted(day + timedelta(seconds=rng.randrange(CALLING_HOURS * 3600)) for _ in range(count))
    return moments


class Callee(NamedTuple):
    """The person a story call is made to, and the variables the call is given."""

    who: dict[str, str]
    number: str
    variables: dict[str, str]

    @property
    def first(self) -> str:
        return self.who["first_name"]


def trial_callee(when: datetime) -> Callee:
    ends = when + timedelta(days=rng.randint(2, 9))
    who = person()
    variables = {"contact_name": who["first_name"], "company_name": "Acme", "trial_end_date": f"{ends:%A} {ends.day}"}
    return Callee(who, phone("gb"), variables)


def spoken(template: str, variables: dict[str, str]) -> str:
    """A configured text as said on a call: its {{variables}} filled in."""
    for name, value in variables.items():
        template = template.replace("{{" + name + "}}", value)
    return template


def trial_order(when: datetime, callee: Callee, attempts_: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A call order of the trial follow-ups."""
    return order(
        TRIALS,
        attempts_,
        sender=TRIAL_SENDER,
        callee=callee.number,
        contact=callee.who,
        variables=callee.variables,
        created=when,
        **fields,
    )


def trial_attempt(when: datetime, callee: Callee, regime: Regime, **fields: Any) -> dict[str, Any]:
    """An answered attempt, with the LLM latency of the model in use."""
    return attempt(TRIALS, when, latency=(regime.ttft, (180, 320), 0.06), number=callee.number, **fields)


def trial_opening(callee: Callee, regime: Regime) -> str:
    if regime.pushy:
        return (
            f"Hi {callee.first}, Sam from Acme here: upgrade to the annual plan before your trial ends and you get "
            "30% off. Shall I set that up for you now?"
        )
    return f"Hi {callee.first}, this is Sam from Acme about your free trial. Is now a good time for two minutes?"


def trial_rejected(when: datetime, callee: Callee, regime: Regime) -> dict[str, Any]:
    """The person hears the opening and hangs up."""
    refusals = (
        ["No. I'm not interested in a sales call.", "I haven't even finished trying it. No thanks.", "Please don't."]
        if regime.pushy
        else ["No thanks, we're not interested.", "Sorry, not for us."]
    )
    turns = [("user", "Hello?"), ("assistant", trial_opening(callee, regime)), ("user", rng.choice(refusals))]
    a = trial_attempt(
        when, callee, regime, seconds=rng.randint(6, 14), ended_by="user", end_reason="user_rejected", turns=turns
    )
    summary = "The person hung up right after the opening."
    return trial_order(when, callee, [a], outcome="not_interested", summary=summary)


BOOKING_ERROR = "HTTP 503 from calendar.acme-fixtures.test: upstream timeout"


def trial_booking(callee: Callee, failing: bool) -> tuple[list[tuple[str, str]], dict[int, dict[str, Any]]]:
    """The agent books an onboarding call: its turns and tool result (at its position among these turns)."""
    turns = [
        ("assistant", "Thursday at 10:00, let me book it."),
        ("tool", ""),
        (
            "assistant",
            "Sorry, the calendar is not answering; a colleague will email you a link."
            if failing
            else f"Booked: you'll get an invite by email. Thanks, {callee.first}!",
        ),
    ]
    result = {
        "tool_name": "book_onboarding_call",
        "tool_arguments": {"slot": "2026-02-26T10:00:00Z"},
        "tool_output": BOOKING_ERROR if failing else '{"booked": true}',
        "tool_is_error": failing,
    }
    return turns, {1: result}


def trial_conversation(when: datetime, callee: Callee, regime: Regime) -> dict[str, Any]:
    """The person stays past the opening: books an onboarding call, asks to be called back, or declines."""
    turns = [("user", "Hello?"), ("assistant", trial_opening(callee, regime))]
    if regime.pushy:
        turns += [
            ("user", "Hmm, what does the annual plan include?"),
            ("assistant", "Everything in Pro, with 30% off if you upgrade today. Shall I do it now?"),
        ]
    else:
        turns += [
            ("user", "Sure, go ahead."),
            ("assistant", "How is the trial going so far?"),
            ("user", rng.choice(["Pretty well, two teams use it.", "Slowly, the integrations aren't set up."])),
            ("assistant", "Would a 20-minute onboarding call with a specialist help?"),
        ]
    draw, tools, ended_by, reason = rng.random(), None, "agent", "tool_end_call"
    if draw < regime.interested:
        outcome, summary = "interested", "Onboarding call booked for Thursday 10:00."
        asked = "Not the upgrade, but an onboarding call would help." if regime.pushy else "Yes, it would."
        turns.append(("user", asked + " Thursday at ten?"))
        more, results = trial_booking(callee, rng.random() < 0.05)
        tools = {len(turns) + at: result for at, result in results.items()}
        turns += more
    elif draw < regime.interested + 0.2:
        outcome, summary = "requested_callback_later", "Asked to be called back next week."
        turns += [("user", "Can you call me back next week?"), ("assistant", "Of course. Talk to you next week!")]
    elif regime.pushy:
        outcome, summary, ended_by, reason = "not_interested", "Declined the upgrade twice.", "user", "client_initiated"
        turns += [
            ("user", "Not today."),
            ("assistant", "Are you sure? The 30% ends with your trial."),
            ("user", "Yes. Goodbye."),
        ]
    else:
        outcome, summary = "not_interested", "Staying with their current tool."
        turns += [("user", "We'll stay with our current tool."), ("assistant", "Thanks for trying Acme. Goodbye!")]
    structured = {"trial_status": rng.choice(["active", "stalled"]), "wants_onboarding": outcome == "interested"}
    a = trial_attempt(
        when,
        callee,
        regime,
        seconds=rng.randint(45, 150),
        ended_by=ended_by,
        end_reason=reason,
        turns=turns,
        tools=tools,
        structured=structured,
    )
    return trial_order(when, callee, [a], outcome=outcome, summary=summary)


def trial_voicemail(when: datetime, callee: Callee, regime: Regime) -> dict[str, Any]:
    """Voicemail: the agent leaves the message of the version in use."""
    a = attempt(
        TRIALS,
        when,
        result="voicemail",
        seconds=rng.randint(12, 20),
        ended_by="agent",
        end_reason="voicemail",
        turns=[("assistant", spoken(regime.voicemail, callee.variables))],
        latency=None,
        number=callee.number,
        recorded=False,
    )
    return trial_order(when, callee, [a])


def trial_unreachable(when: datetime, callee: Callee, _regime: Regime) -> dict[str, Any]:
    """No answer, then busy two hours later."""
    a1 = attempt(TRIALS, when, result=None, dial_error="no_answer", latency=None, number=callee.number)
    later = when + timedelta(hours=2)
    a2 = attempt(TRIALS, later, result=None, dial_error="busy", latency=None, number=callee.number)
    return trial_order(when, callee, [a1, a2])


def trial_errored(when: datetime, callee: Callee, _regime: Regime) -> dict[str, Any]:
    """The carrier refused the call."""
    a = attempt(TRIALS, when, result=None, dial_error="temporarily_unavailable", latency=None, number=callee.number)
    return trial_order(when, callee, [a], status="errored")


def trial_call(current: dict[str, Any], when: datetime) -> dict[str, Any]:
    """One call of the story: what happened depends on chance and on the version in use at ``when``."""
    regime, callee, draw = regime_of(version_at(current, when)), trial_callee(when), rng.random()
    if draw < 0.03:
        return trial_errored(when, callee, regime)
    if draw < 0.10:
        return trial_unreachable(when, callee, regime)
    if draw < 0.24:
        return trial_voicemail(when, callee, regime)
    if rng.random() < regime.rejected:
        return trial_rejected(when, callee, regime)
    return trial_conversation(when, callee, regime)


def trial_story(current: dict[str, Any]) -> list[dict[str, Any]]:
    rng.seed(STORY_SEED)
    return [trial_call(current, when) for when in story_moments()]


# --- the rest of the account -----------------------------------------------------------------------

PHONE_NUMBERS = [
    {
        "id": "pn_1",
        "phone_number": "+33912345678",
        "provider": "twilio",
        "source": "user_imported",
        "type": "verified_caller_id",
        "label": "Relances FR",
        "inbound_assistant_id": None,
        "created_at": "2026-01-05T09:00:00.000Z",
    },
    {
        "id": "pn_2",
        "phone_number": "+14155550100",
        "provider": "telnyx",
        "source": "revox_purchased",
        "type": "owned_number",
        "label": "Support line",
        "inbound_assistant_id": SUPPORT,
        "created_at": "2026-01-06T09:00:00.000Z",
    },
    {
        "id": "pn_3",
        "phone_number": "+33180000000",
        "provider": "twilio",
        "source": "revox_provisioned",
        "type": "owned_number",
        "label": "Accueil Paris",
        "inbound_assistant_id": CONCIERGE,
        "created_at": "2026-01-07T09:00:00.000Z",
    },
    {
        "id": "pn_4",
        "phone_number": "+442071234567",
        "provider": "twilio",
        "source": "revox_purchased",
        "type": "owned_number",
        "label": "London outbound",
        "inbound_assistant_id": None,
        "created_at": "2026-01-08T09:00:00.000Z",
    },
]

VOICES = [
    {
        "id": "a167e0f3-df7e-4d52-a9c3-f949145efdab",
        "name": "Katie",
        "description": "Friendly American woman",
        "language": "en",
        "provider": "cartesia",
        "accent": "american",
        "gender": "female",
    },
    {
        "id": "694f9389-aac1-45b6-b726-9d9369183238",
        "name": "Support Man",
        "description": "Calm, clear support voice",
        "language": "en",
        "provider": "cartesia",
        "accent": "american",
        "gender": "male",
        "modelCompat": "universal",
    },
    {
        "id": "f9836c6e-a0bd-460e-9d3c-f7299fa60f94",
        "name": "Nova",
        "description": "Warm British voice",
        "language": "en",
        "provider": "cartesia",
        "accent": "british",
        "gender": "female",
        "modelCompat": "sonic-3",
    },
    {
        "id": "XrExE9yKIg1WjnnlVkGX",
        "name": "Matilda",
        "description": "Warm, friendly narration",
        "language": "en",
        "provider": "elevenlabs",
        "accent": "american",
        "gender": "female",
    },
    {
        "id": "21m00Tcm4TlvDq8ikWAM",
        "name": "Rachel",
        "description": "Calm young woman",
        "language": "en",
        "provider": "elevenlabs",
        "accent": "american",
        "gender": "female",
    },
    {
        "id": "pFZP5JQG7iQjIQuC4Bku",
        "name": "Hélène",
        "description": "Voix féminine posée",
        "language": "fr",
        "provider": "elevenlabs",
        "accent": "parisian",
        "gender": "female",
    },
    {
        "id": "8f2a9c1d-3b4e-4f5a-9c6d-7e8f9a0b1c2d",
        "name": "Camille",
        "description": "Voix française chaleureuse",
        "language": "fr",
        "provider": "cartesia",
        "accent": "french",
        "gender": "female",
        "modelCompat": "universal",
    },
    {
        "id": "Qm3xGb7TzR8pL2Wd",
        "name": "Lucía",
        "description": "Voz española clara",
        "language": "es",
        "provider": "gradium",
        "gender": "female",
    },
]

CAMPAIGNS = [
    {
        "id": REMINDER_CAMPAIGN["id"],
        "assistant_id": REMINDERS,
        "name": REMINDER_CAMPAIGN["name"],
        "status": "running",
        "is_cancelled": False,
        "organization_id": ORG,
        "created_at": "2026-02-08T10:00:00.000Z",
        "updated_at": "2026-02-20T17:00:00.000Z",
        "from_phone_number": None,
        "max_concurrent_calls": 5,
        "row_stats": {
            "total": 240,
            "pending": 96,
            "calling": 2,
            "completed": 118,
            "failed": 19,
            "retry": 5,
            "skipped": 0,
            "not_launched": 0,
        },
        "funnel_stats": {"total_leads": 240, "talked_to_human": 61, "hot": 8},
        "embed_assistant": True,
    },
    {
        "id": FR_CAMPAIGN["id"],
        "assistant_id": FRENCH,
        "name": FR_CAMPAIGN["name"],
        "status": "paused",
        "is_cancelled": False,
        "organization_id": ORG,
        "created_at": "2026-02-01T10:00:00.000Z",
        "updated_at": "2026-02-18T12:00:00.000Z",
        "from_phone_number": "+33912345678",
        "max_concurrent_calls": 3,
        "row_stats": {
            "total": 85,
            "pending": 40,
            "calling": 0,
            "completed": 31,
            "failed": 14,
            "retry": 0,
            "skipped": 0,
            "not_launched": 0,
        },
        "funnel_stats": {"total_leads": 85, "talked_to_human": 22, "hot": 6},
        "embed_assistant": True,
    },
    {
        "id": "c0a80101-0000-4000-8000-00000000f003",
        "assistant_id": SCREENER,
        "name": "Screening wave 3",
        "status": "completed",
        "is_cancelled": False,
        "organization_id": ORG,
        "created_at": "2026-01-20T10:00:00.000Z",
        "updated_at": "2026-02-15T12:00:00.000Z",
        "from_phone_number": None,
        "max_concurrent_calls": 10,
        "row_stats": {
            "total": 60,
            "pending": 0,
            "calling": 0,
            "completed": 52,
            "failed": 8,
            "retry": 0,
            "skipped": 0,
            "not_launched": 0,
        },
        "funnel_stats": {"total_leads": 60, "talked_to_human": 21, "hot": 4},
        "embed_assistant": False,
    },
]


def build() -> dict[str, Any]:
    """The demo account, the same every time: the random draws and the clock start over."""
    rng.seed(SEED)
    CLOCK.now = START
    calls = [*reminders(), *french(), *support(), *baseline(), *screener(), *legacy(), *realestate(), *concierge()]
    current = trial_current()
    calls += trial_story(current)
    calls.sort(key=lambda c: c["created_at"], reverse=True)
    return {
        "_meta": "Generated by scripts/make_demo_calls.py; served by revox_mcp/api/demo.py. Secrets contain FAKE.",
        "calls": calls,
        "assistant_versions": {TRIALS: trial_versions(current)},
        "phone_numbers": PHONE_NUMBERS,
        "voices": VOICES,
        "campaigns": CAMPAIGNS,
    }


def render(data: dict[str, Any]) -> str:
    """The file's text, as committed: a call per line (the file stays small, a diff shows the calls that
    changed), everything else indented."""
    parts = []
    for key, value in data.items():
        if key == "calls":
            lines = ",\n".join("  " + json.dumps(call, ensure_ascii=False, separators=(",", ":")) for call in value)
            text = "[\n" + lines + "\n ]"
        else:  # JSON escapes newlines inside strings: each line break here is between values
            text = json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n ")
        parts.append(f" {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main() -> None:
    data = build()
    OUT.write_text(render(data), encoding="utf-8")
    print(f"{OUT}: {len(data['calls'])} calls, {OUT.stat().st_size // 1024} kB")


if __name__ == "__main__":
    main()
