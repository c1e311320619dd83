"""Has the employer answered? Pure functions of a received message and the known interviews."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from . import domains
from .model import InboundMessage, Interview


class MessageKind(str, Enum):
    HUMAN = "human"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    RECEIPT = "receipt"
    CALENDAR = "calendar"
    BULK = "bulk"
    OWN = "own"


@dataclass(frozen=True)
class Classification:
    kind: MessageKind
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    interview: Interview
    matched_by: str


def _phrases(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


_BOUNCE_SUBJECT = _phrases(
    r"^undeliverable",
    r"^undelivered mail",
    r"delivery status notification",
    r"mail delivery (failed|failure|problem)",
    r"returned mail",
    r"^failure notice",
    r"delivery (has )?failed",
    r"^non remis",
    r"^unzustellbar",
    r"nicht zustellbar",
    r"^non recapitabile",
    r"^no se puede entregar",
    r"^delivery failure",
)
_RECEIPT_SUBJECT = _phrases(r"^read:", r"^gelesen:", r"^lu\s?:", r"^le[ií]do:", r"^read receipt", r"^return receipt")
_CALENDAR_SUBJECT = _phrases(
    r"^(accepted|declined|tentative|tentatively accepted|canceled|cancelled|updated invitation|invitation):",
    r"^(angenommen|abgelehnt|mit vorbehalt angenommen|einladung|abgesagt):",
    r"^(accepté|refusé|provisoire|invitation mise à jour|annulé)\s?:",
    r"^(aceptado|rechazado|provisional|invitación|cancelado):",
)
_AUTO_SUBJECT = _phrases(
    r"automatic reply",
    r"auto[- ]?reply",
    r"auto[- ]?response",
    r"autorespons",
    r"out of (the )?office",
    r"\booo\b",
    r"abwesenheit",
    r"automatische antwort",
    r"r[ée]ponse automatique",
    r"absent du bureau",
    r"respuesta autom[aá]tica",
    r"fuera de la oficina",
    r"on vacation",
    r"away from (my|the) (desk|office)",
)
_AUTO_BODY = _phrases(
    r"i am (currently )?(out of (the )?office|away|on (annual )?leave|on vacation)",
    r"i'?m (currently )?(out of (the )?office|away|on (annual )?leave|on vacation)",
    r"this is an automatic(ally generated)? (reply|response|message)",
    r"ich bin (derzeit |zurzeit )?(nicht im büro|abwesend|im urlaub)",
    r"je suis (actuellement )?(absent|en congés?)",
    r"estoy (actualmente )?(fuera de la oficina|de vacaciones)",
)


def classify(message: InboundMessage, me: Iterable[str]) -> Classification:
    """Sort a message into one kind, standards first, then vendor headers, then wording."""
    h = message.headers
    sender = message.sender.email if message.sender else ""
    local = sender.partition("@")[0]
    if sender and sender in set(me):
        return Classification(MessageKind.OWN, ("sent from one of your own addresses",))
    if message.content_type == "multipart/report" and message.report_type == "delivery-status":
        return Classification(MessageKind.BOUNCE, ("multipart/report delivery-status (RFC 3464)",))
    if message.content_type == "multipart/report" and message.report_type == "disposition-notification":
        return Classification(MessageKind.RECEIPT, ("disposition notification (RFC 8098)",))
    if message.content_type == "multipart/report":
        return Classification(
            MessageKind.BOUNCE, (f"machine-generated report ({message.report_type or 'unknown type'}, RFC 6522)",)
        )
    if "x-failed-recipients" in h or local in ("mailer-daemon", "postmaster"):
        return Classification(MessageKind.BOUNCE, (f"sent by {local or 'the mail system'}",))
    if h.get("return-path", "").strip() in ("<>", "") and "return-path" in h and _BOUNCE_SUBJECT.search(message.subject):
        return Classification(MessageKind.BOUNCE, ("null return path and a delivery-failure subject",))
    if _BOUNCE_SUBJECT.search(message.subject) and ("auto-submitted" in h or domains.is_robot(sender)):
        return Classification(MessageKind.BOUNCE, ("delivery-failure subject from the mail system",))
    if _RECEIPT_SUBJECT.search(message.subject):
        return Classification(MessageKind.RECEIPT, ("read-receipt subject",))
    if message.calendar_method:
        return Classification(MessageKind.CALENDAR, (f"text/calendar METHOD:{message.calendar_method} (RFC 5546)",))
    if _CALENDAR_SUBJECT.search(message.subject):
        return Classification(MessageKind.CALENDAR, ("calendar response subject",))
    auto = h.get("auto-submitted", "").lower()
    if auto and not auto.startswith("no"):
        return Classification(MessageKind.AUTO_REPLY, (f"Auto-Submitted: {auto} (RFC 3834)",))
    for name in ("x-autoreply", "x-autorespond"):
        if name in h:
            return Classification(MessageKind.AUTO_REPLY, (f"{name} header",))
    precedence = h.get("precedence", "").lower()
    if precedence == "auto_reply":
        return Classification(MessageKind.AUTO_REPLY, ("Precedence: auto_reply",))
    if _AUTO_SUBJECT.search(message.subject):
        return Classification(MessageKind.AUTO_REPLY, ("out-of-office subject",))
    if _AUTO_BODY.search(message.body[:1500]):
        return Classification(MessageKind.AUTO_REPLY, ("out-of-office wording in the body",))
    if "list-id" in h or precedence in ("bulk", "list", "junk"):
        return Classification(MessageKind.BULK, ("mailing-list or bulk headers",))
    if "list-unsubscribe" in h and domains.is_robot(sender):
        return Classification(MessageKind.BULK, ("unsubscribe link from a no-reply sender",))
    return Classification(MessageKind.HUMAN, ("no automatic-mail signal",))


def match(message: InboundMessage, interviews: Iterable[Interview], our_ids: dict[str, str]) -> list[Match]:
    """The interviews this message belongs to; only mail received after an interview began counts.

    ``our_ids`` maps the Message-IDs of our drafts to their interview id, so an answer in our
    thread counts even from an unexpected address.
    """
    sender = message.sender.email if message.sender else ""
    thread = {our_ids[i] for i in message.in_reply_to if i in our_ids}
    found = []
    for interview in interviews:
        if message.received < interview.start:
            continue
        if interview.id in thread:
            found.append(Match(interview, "answers our thank-you thread"))
        elif sender and any(p.email == sender for p in interview.interviewers):
            found.append(Match(interview, f"from the interviewer {sender}"))
        elif sender and interview.employer and domains.same_organisation(sender.partition("@")[2], interview.employer):
            found.append(Match(interview, f"from the employer's domain {interview.employer}"))
    return found
