"""RFC 5322 messages: drafts we build, and the parts of received mail we read."""

from __future__ import annotations

import email.header
import email.policy
import email.utils
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser

from . import untrusted
from .model import InboundMessage, Person
from .templates import Draft

KEY_HEADER = "X-Interview-Followup-Key"
READ_LIMIT = 512 * 1024
"""Bytes of a message we parse; a 1 GB attachment must not cost 1 GB."""
_PART_LIMIT = 50
_KEPT_HEADERS = (
    "auto-submitted",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "precedence",
    "list-id",
    "list-unsubscribe",
    "return-path",
    "x-failed-recipients",
    "x-ms-exchange-generated-message-source",
    "x-ms-exchange-inbox-rules-loop",
    KEY_HEADER.lower(),
)


def message_id(key: str, sender: Person) -> str:
    return f"<if.{key}@{sender.domain or 'localhost'}>"


def build_draft(key: str, sender: Person, draft: Draft, when: datetime) -> bytes:
    """A draft as RFC 5322 bytes; names and subjects are stripped of line breaks first."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = Address(display_name=untrusted.line(sender.name, 100), addr_spec=sender.email)
    message["To"] = Address(display_name=untrusted.line(draft.to.name, 100), addr_spec=draft.to.email)
    message["Subject"] = untrusted.line(draft.subject, 300)
    message["Date"] = email.utils.format_datetime(when.astimezone(timezone.utc))
    message["Message-ID"] = message_id(key, sender)
    message[KEY_HEADER] = key
    long_lines = any(len(line) > 900 for line in draft.body.splitlines())
    message.set_content(draft.body, cte="quoted-printable" if long_lines else "8bit")
    return message.as_bytes()


def parse(raw: bytes, key: str, received: datetime) -> InboundMessage:
    """Read what classification needs; never raises on malformed mail."""
    message = BytesParser(policy=email.policy.compat32).parsebytes(raw[:READ_LIMIT])
    headers = {name: _header_text(message, name) for name in _KEPT_HEADERS if message.get(name) is not None}
    senders = _addresses(message, "From")
    calendar_method = ""
    body = ""
    for index, part in enumerate(message.walk()):
        if index >= _PART_LIMIT:
            break
        kind = part.get_content_type()
        if kind == "text/calendar" and not calendar_method:
            calendar_method = untrusted.line(part.get_param("method") or "", 20).upper()
        elif kind in ("text/plain", "text/html") and not body and not part.get_filename():
            text = _decoded(part)
            body = untrusted.plain(text) if kind == "text/html" else untrusted.text(text)
    return InboundMessage(
        key=key,
        sender=senders[0] if senders else None,
        subject=_header_text(message, "Subject"),
        received=_received(message) or received,
        message_id=untrusted.line(message.get("Message-ID", ""), 300).strip(),
        reply_to=tuple(_addresses(message, "Reply-To")),
        recipients=tuple(_addresses(message, "To") + _addresses(message, "Cc")),
        in_reply_to=tuple(_ids(message.get("In-Reply-To", "")) + _ids(message.get("References", ""))),
        headers=headers,
        content_type=message.get_content_type(),
        report_type=untrusted.line(message.get_param("report-type") or "", 60).lower()
        if message.get_content_type() == "multipart/report"
        else "",
        calendar_method=calendar_method,
        body=body,
        date=_date(message.get("Date")),
    )


def _header_text(message: Message, name: str) -> str:
    """A header as text: RFC 2047 words decoded, raw 8-bit (RFC 6532, or sloppy) read as UTF-8."""
    value = message.get(name)
    if value is None:
        return ""
    source = value if isinstance(value, email.header.Header) else str(value)
    try:
        parts = email.header.decode_header(source)
    except (ValueError, LookupError, UnicodeError):
        return untrusted.line(str(value), 500)
    return untrusted.line("".join(_decode_part(part, charset) for part, charset in parts), 500)


def _decode_part(part: bytes | str, charset: str | None) -> str:
    if isinstance(part, str):
        return part
    try:
        return part.decode(charset if charset and charset != "unknown-8bit" else "utf-8", "replace")
    except LookupError:
        return part.decode("utf-8", "replace")


def _addresses(message: Message, name: str) -> list[Person]:
    found = []
    for display, addr in email.utils.getaddresses([_header_text(message, name)] if message.get(name) else []):
        normal = untrusted.address(addr)
        if normal:
            found.append(Person(normal, untrusted.line(display, 100)))
    return found


def _ids(value: object) -> list[str]:
    return [token for token in str(value or "").split() if token.startswith("<") and token.endswith(">")][:50]


def _received(message: Message) -> datetime | None:
    """The receiving server's timestamp: the sender's Date header can say anything."""
    for header in message.get_all("Received", [])[:1]:
        return _date(str(header).rpartition(";")[2])
    return None


def _date(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(str(value).strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload[:200_000].decode(charset, errors="replace")
    except LookupError:
        return payload[:200_000].decode("utf-8", errors="replace")
