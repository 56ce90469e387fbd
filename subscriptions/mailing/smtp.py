"""Sending through Django's SMTP backend: the edition's MIME built once, each recipient's values spliced into the
bytes, SUBSCRIPTIONS_SMTP_CONNECTIONS connections per batch at once (docs/mailing.md, "SMTP").

Per rendering (edition or combination, language) and open-tracking choice, `SpliceTemplate.build` takes the message
the per-message path builds for the chunk's first recipient (`personalise`, hence `commercial_message`: the same
headers, List-Unsubscribe, Message-ID, bodies), puts unguessable marks in place of that recipient's values (To, the
delivery id in the Message-ID, the unsubscribe, preferences and section links, each mark as long as the value it
stands for, so header folding and the body's encoding are decided the same way), serialises it once with Django
and cuts the bytes at the marks. A recipient's message is the pieces joined with their own values. Quoted-printable
bodies (Django's choice when a line is longer than 998 bytes) are encoded line by line, so only the lines that hold
a link are encoded per recipient, with the same function Django uses.

The template is trusted only after a check: the splice of a second, made-up recipient's values must be byte for
byte the message Django builds for them (same Date and boundary). Anything else falls back to the per-message path
(`personalise` for each recipient): a template that fails the check, a body part in another encoding, and per
recipient an address that is not plain ASCII (it would need encoding, or is refused by Django as before: CR/LF)
or a link line that would pass 998 bytes in an 8bit body.

The messages go through Django's own SMTP backend (its connection, TLS, auth, errors): `SplicedMessage` is an
EmailMessage whose `message()` gives the spliced bytes. A batch sends on SMTP_CONNECTIONS connections at once (the
batch's own in the task's thread, the others in threads of a per-process pool, each thread with one connection,
opened for the batch and closed after it): while one waits for the server's answer, another builds or sends.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email import quoprimime
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import sanitize_address

from ..app_settings import app_settings
from ..models import Delivery, Subscriber
from .esp import Capabilities, call_with_retries, describe, is_transient
from .inflight import reopen, shared_pool
from .rendering import RenderedEdition, message_id_for, personalise, recipient_links, section_links
from .senders import Outcome

logger = logging.getLogger(__name__)

MAX_LINE = 998  # RFC 5322: longer lines make Django encode the body quoted-printable
TO, MESSAGE_ID, UNSUBSCRIBE, PREFERENCES = 0, 1, 2, 3  # value slots; 4, 5, …: each section's own link
# A To that needs no encoding and no folding: an ASCII address (anything else takes the per-message path, which
# encodes it, or refuses it as before: a CR or LF in it is a header injection Django stops).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
PLAIN_LINK = re.compile(r"[!#-;=?-~]{1,2000}")  # printable ASCII without space, quote or angle bracket
PLAIN_MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,250}>")
_QP_LINE = re.compile(r"\r\n|\r|\n")  # the line ends quoprimime.body_encode keeps (it escapes every other one)


class SpliceMismatch(Exception):
    """The template does not reproduce Django's message: this rendering goes message by message."""


# --- the template --------------------------------------------------------------------------------------------------


@dataclass
class SpliceTemplate:
    """A message cut at its per-recipient values. `pieces` alternate: bytes, a value slot (int), or a
    quoted-printable line to encode per recipient (a tuple of str and slots)."""

    pieces: list[bytes | int | tuple[str | int, ...]]
    # 8bit lines that hold a value: (their length without the values, the slots in them): none may pass MAX_LINE
    long_lines: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    slots: int = 4
    marks: tuple[str, ...] = ()  # what stood for each value (unguessable: a random nonce per template)

    def splice(self, values: list[str]) -> bytes:
        encoded = [value.encode("ascii") for value in values]
        out: list[bytes] = []
        for piece in self.pieces:
            if type(piece) is bytes:
                out.append(piece)
            elif type(piece) is int:
                out.append(encoded[piece])
            else:
                line = "".join(values[part] if type(part) is int else part for part in piece)
                out.append(quoprimime.body_encode(line, eol="\r\n").encode("ascii"))
        return b"".join(out)

    def fits(self, values: list[str]) -> bool:
        """Every 8bit line stays within MAX_LINE with these values (else Django would have encoded the body)."""
        return all(base + sum(len(values[slot]) for slot in slots) <= MAX_LINE for base, slots in self.long_lines)

    @classmethod
    def build(cls, message: EmailMessage, values: list[str]) -> tuple[SpliceTemplate, Any]:
        """The template of `message` (one recipient's, Django's own), whose per-recipient `values` are replaced by
        marks; returns it with the marked MIME object (whose Date and boundary the check reuses)."""
        nonce = secrets.token_hex(6)
        marks = [_mark(nonce, slot, len(value)) for slot, value in enumerate(values)]
        mime = _marked_copy(message, values, marks).message()
        raw = mime.as_bytes(linesep="\r\n")
        # The Message-ID is marked in the bytes, after Django folded its header for the real value's length (a
        # mark longer than a delivery id could fold a line the real one does not): it must be there once, whole.
        message_id = values[MESSAGE_ID].encode("ascii")
        if raw.count(message_id) != 1:
            raise SpliceMismatch("the Message-ID is not found once in the message")
        raw = raw.replace(message_id, marks[MESSAGE_ID].encode("ascii"))
        slot_of = {mark: slot for slot, mark in enumerate(marks)}
        pattern = re.compile("|".join(re.escape(mark) for mark in marks))
        bpattern = re.compile(pattern.pattern.encode("ascii"))

        # Quoted-printable parts: their encoded payload is replaced by lines, those with a mark encoded per recipient.
        regions: list[tuple[int, int, list[bytes | tuple[str | int, ...]]]] = []
        long_lines: list[tuple[int, tuple[int, ...]]] = []
        for part in mime.walk():
            if part.is_multipart():
                continue
            encoding = str(part.get("Content-Transfer-Encoding", "7bit")).lower()
            if encoding in {"7bit", "8bit"}:
                continue
            if encoding != "quoted-printable":
                raise SpliceMismatch(f"a body part in {encoding}")
            payload = part.get_payload()
            source = part.get_payload(decode=True).decode("latin1")  # what quoprimime.body_encode was given
            lines = _QP_LINE.split(source)
            if "\n".join(quoprimime.body_encode(line) for line in lines) != payload:
                raise SpliceMismatch("the quoted-printable body is not encoded line by line")
            encoded_payload = payload.replace("\n", "\r\n").encode("ascii")
            start = raw.find(encoded_payload)
            if start < 0 or raw.find(encoded_payload, start + 1) >= 0:
                raise SpliceMismatch("a quoted-printable body is not found once in the message")
            pieces: list[bytes | tuple[str | int, ...]] = []
            for i, line in enumerate(lines):
                end = "\r\n" if i < len(lines) - 1 else ""
                if pattern.search(line):
                    pieces.append(_cut(line, pattern, slot_of))
                    if end:
                        pieces.append(end.encode("ascii"))
                else:
                    pieces.append((quoprimime.body_encode(line, eol="\r\n") + end).encode("ascii"))
            regions.append((start, start + len(encoded_payload), pieces))

        out: list[bytes | int | tuple[str | int, ...]] = []
        at = 0
        for start, end, pieces in sorted(regions, key=lambda region: region[0]):
            out += _cut_bytes(raw[at:start], bpattern, slot_of, long_lines)
            out += pieces
            at = end
        out += _cut_bytes(raw[at:], bpattern, slot_of, long_lines)
        merged: list[bytes | int | tuple[str | int, ...]] = []
        for piece in out:  # adjacent bytes as one
            if type(piece) is bytes and merged and type(merged[-1]) is bytes:
                merged[-1] += piece
            elif piece != b"":
                merged.append(piece)
        template = cls(merged, long_lines, len(values), tuple(marks))
        if not template.fits(values):
            raise SpliceMismatch("a line of the marked message is too long")
        return template, mime


def _mark(nonce: str, slot: int, length: int) -> str:
    """An unguessable ASCII mark without spaces, as long as the value it stands for (at least 16 characters)."""
    mark = f"spc{nonce}s{slot:03d}"
    return mark + "z" * max(0, length - len(mark))


def _marked_copy(message: EmailMessage, values: list[str], marks: list[str]) -> EmailMessage:
    """`message` with its recipient's values replaced by marks: To and every link (in the bodies and the headers;
    the Message-ID is marked in the bytes)."""
    links = list(zip(values[UNSUBSCRIBE:], marks[UNSUBSCRIBE:], strict=True))

    def swap(text: str) -> str:
        for value, mark in links:
            text = text.replace(value, mark)
        return text

    marked = copy.copy(message)
    marked.to = [marks[TO] if address == values[TO] else address for address in message.to]
    marked.body = swap(message.body)
    marked.alternatives = [
        alternative._replace(content=swap(alternative.content)) for alternative in message.alternatives
    ]
    marked.extra_headers = {name: swap(str(value)) for name, value in message.extra_headers.items()}
    return marked


def _cut(text: str, pattern: re.Pattern, slot_of: dict[str, int]) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    at = 0
    for match in pattern.finditer(text):
        parts += [text[at : match.start()], slot_of[match.group()]]
        at = match.end()
    parts.append(text[at:])
    return tuple(part for part in parts if part != "")


def _cut_bytes(
    raw: bytes, pattern: re.Pattern, slot_of: dict[str, int], long_lines: list[tuple[int, tuple[int, ...]]]
) -> list[bytes | int]:
    """Headers, boundaries and 8bit bodies cut at the marks; each line holding a mark noted for the length check."""
    pieces: list[bytes | int] = []
    at = 0
    for match in pattern.finditer(raw):
        pieces += [raw[at : match.start()], slot_of[match.group().decode("ascii")]]
        at = match.end()
    pieces.append(raw[at:])
    for line in raw.split(b"\r\n"):
        found = [slot_of[m.decode("ascii")] for m in pattern.findall(line)]
        if found:
            marks = sum(len(m) for m in pattern.findall(line))
            long_lines.append((len(line) - marks, tuple(found)))
    return pieces


# --- one recipient's message ----------------------------------------------------------------------------------------


class _Bytes:
    """What Django's SMTP backend asks of `EmailMessage.message()`: the bytes to send."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.raw if linesep == "\r\n" else self.raw.replace(b"\r\n", linesep.encode("ascii"))


class SplicedMessage(EmailMessage):
    """One recipient's spliced message, sent by Django's SMTP backend like any EmailMessage (envelope: from_email
    and this one address). The addresses are (name, address) pairs, which Django's sanitize_address takes as they
    are instead of parsing them for every message (the same result for a plain address: `envelope_from`)."""

    def __init__(self, raw: bytes, *, from_email: str | tuple[str, str], to: str) -> None:
        super().__init__(from_email=from_email, to=[("", to)])
        self.raw = raw

    def message(self) -> Any:
        return _Bytes(self.raw)


# --- the sender ----------------------------------------------------------------------------------------------------


class SmtpSender:
    """The SMTP sender of one rendering (EachSender's interface: prepare, dispatch, outcome, send, close)."""

    def __init__(self, mail: Any, caps: Capabilities, rendered: RenderedEdition) -> None:
        self.mail, self.caps, self.rendered = mail, caps, rendered
        self.templates: dict[bool, SpliceTemplate | None] = {}
        self.from_email = ""

    # (EachSender's interface; the chunk's rows are the parts)
    def prepare(self, chunk: list[Delivery]) -> list[Delivery]:
        """Build the templates this chunk needs (here, in the task's thread: the rendering's language is set)."""
        for tracking in (False, True):
            rows = [row for row in chunk if bool(row.open_tracking) is tracking]
            if rows and tracking not in self.templates:
                self.templates[tracking] = self._template(rows, tracking)
        return chunk

    def dispatch(self, chunk: list[Delivery], connection: Any = None) -> Any:
        return self.send(chunk)

    def outcome(self, chunk: list[Delivery], outcome: Any) -> Any:
        return outcome

    def send(self, chunk: list[Delivery]) -> Any:
        self.prepare(chunk)
        outcome = Outcome()
        for delivery_id, kind, value in _run_on_connections(self.mail, chunk, self.send_one):
            getattr(outcome, kind)[delivery_id] = value
        return outcome

    def close(self) -> None:
        close_connections(self.mail)

    # building
    def values(self, row: Delivery, subscriber: Subscriber | None = None) -> list[str]:
        subscriber = subscriber or row.subscriber
        unsubscribe, preferences = recipient_links(self.rendered, subscriber)
        links = [unsubscribe, preferences, *section_links(self.rendered, subscriber)]
        return [subscriber.email, message_id_for(self.rendered, row.id), *links]

    def plain(self, values: list[str]) -> bool:
        """Values the splice carries as they are (else: that recipient goes the per-message way)."""
        return (
            PLAIN_ADDRESS.fullmatch(values[TO]) is not None
            and len(values[TO]) <= 70  # "To: " + it fits one line: Django would not fold it either
            and PLAIN_MESSAGE_ID.fullmatch(values[MESSAGE_ID]) is not None
            and all(PLAIN_LINK.fullmatch(link) is not None for link in values[UNSUBSCRIBE:])
        )

    def _personalised(self, row: Delivery, subscriber: Subscriber, tracking: bool) -> tuple[EmailMessage, list[str]]:
        """The per-message path's message for a recipient, with the values in it (links are signed with a
        timestamp: made again in the rare case the second changed between the two)."""
        for _ in range(3):
            values = self.values(row, subscriber)
            message = personalise(self.rendered, subscriber, delivery_id=row.id, open_tracking=tracking)
            if self.values(row, subscriber) == values:  # the same second before and after: the same links in it
                return message, values
        raise SpliceMismatch("the links of the per-message path differ from the recipient's")

    def _template(self, rows: list[Delivery], tracking: bool) -> SpliceTemplate | None:
        """This rendering's template for one open-tracking choice, checked against a second recipient; None: the
        per-message path for everyone (logged)."""
        first = next((row for row in rows if self.plain(self.values(row))), None)
        if first is None:
            return None
        try:
            message, values = self._personalised(first, first.subscriber, tracking)
            self.from_email = envelope_from(message.from_email, message.encoding or settings.DEFAULT_CHARSET)
            template, mime = SpliceTemplate.build(message, values)
            other, probe = _made_up(first)
            expected_message, expected_values = self._personalised(other, probe, tracking)
            if not self.plain(expected_values):
                raise SpliceMismatch("the made-up recipient is not plain")
            expected = expected_message.message()
            expected.replace_header("Date", mime["Date"])
            if mime.get_boundary() is not None:
                expected.set_boundary(mime.get_boundary())
            if template.splice(expected_values) != expected.as_bytes(linesep="\r\n"):
                raise SpliceMismatch("a second recipient's splice differs from Django's message")
        except Exception as error:  # whatever went wrong, the per-message path is the one that is known right
            # (the error's type only: Django's address errors quote the address, and no log line carries one)
            logger.warning(
                "SMTP: edition %s sent message by message (%s)", self.rendered.edition_id, type(error).__name__
            )
            return None
        return template

    def send_one(self, row: Delivery, connection: Any) -> tuple[int, str, str]:
        """One recipient's message on this thread's connection: spliced, or built the per-message way."""
        try:
            message = self.message_for(row)
        except Exception as error:  # a value Django refuses (say, a CR or LF in the address): this one fails
            return row.id, "failed", describe(error)

        def call() -> None:
            connection.send_messages([message])

        try:
            call_with_retries(call, on_retry=lambda: reopen(connection))
        except Exception as error:
            return row.id, ("retry" if is_transient(error) else "failed"), describe(error)
        return row.id, "sent", ""

    def message_for(self, row: Delivery) -> EmailMessage:
        tracking = bool(row.open_tracking)
        template = self.templates.get(tracking)
        if template is not None:
            values = self.values(row)
            if len(values) == template.slots and self.plain(values) and template.fits(values):
                return SplicedMessage(template.splice(values), from_email=self.from_email, to=values[TO])
        return personalise(self.rendered, row.subscriber, delivery_id=row.id, open_tracking=tracking)


def envelope_from(from_email: str, encoding: str) -> str | tuple[str, str]:
    """DEFAULT_FROM_EMAIL as the (name, address) pair Django's SMTP backend reads without parsing, if that gives
    the same envelope sender; else as it is."""
    pair = parseaddr(from_email)
    try:
        if pair[1] and sanitize_address(pair, encoding) == sanitize_address(from_email, encoding):
            return pair
    except ValueError:
        pass
    return from_email


def _made_up(row: Delivery) -> tuple[Delivery, Subscriber]:
    """A second recipient for the check: other id, address and key, the same lengths and language."""
    real = row.subscriber
    pk = real.pk + 1 if len(str(real.pk + 1)) == len(str(real.pk)) else real.pk - 1
    local, _, domain = real.email.partition("@")
    email = "p" * len(local) + "@" + ("x" * max(1, len(domain) - 4)) + ".net"
    subscriber = Subscriber(pk=pk, email=email, secret_key=secrets.token_hex(32), language=real.language)
    delivery_id = row.id + 1 if len(str(row.id + 1)) == len(str(row.id)) else row.id - 1
    delivery = Delivery(id=delivery_id)
    delivery.open_tracking = row.open_tracking  # (an annotation of the claim's load)
    delivery.subscriber = subscriber
    return delivery, subscriber


# --- several connections ---------------------------------------------------------------------------------------------

_ATTRIBUTE = "_spc_smtp_connections"


def batch_connections(mail: Any) -> list[Any]:
    """The batch's connections: its own (`mail`, open) and SMTP_CONNECTIONS - 1 more, made once per batch (shared
    by the batch's senders: one per language and combination) and closed after it."""
    connections = getattr(mail, _ATTRIBUTE, None)
    if connections is None:
        connections = [mail, *(get_connection() for _ in range(max(1, app_settings.SMTP_CONNECTIONS) - 1))]
        setattr(mail, _ATTRIBUTE, connections)
    return connections


def close_connections(mail: Any) -> None:
    for connection in getattr(mail, _ATTRIBUTE, [])[1:]:
        with contextlib.suppress(Exception):  # (closing after the batch: its sends are recorded already)
            connection.close()
    if hasattr(mail, _ATTRIBUTE):
        delattr(mail, _ATTRIBUTE)


def _run_on_connections(
    mail: Any, rows: list[Delivery], send_one: Callable[[Delivery, Any], tuple[int, str, str]]
) -> list[tuple[int, str, str]]:
    """Send `rows` on the batch's connections at once: each connection in one thread (the first in this one),
    taking the next row when it is free. Every row is sent exactly once; the results come back in any order."""
    connections = batch_connections(mail)[: max(1, len(rows))]
    queue = deque(rows)
    results: list[tuple[int, str, str]] = []
    lock = threading.Lock()

    def work(connection: Any, extra: bool = True) -> None:
        done = []
        # Open for the batch (else Django's send_messages opens and closes it around each message). An extra one
        # the server refuses (say, a limit of connections per client) takes no recipient: the others send them.
        # The batch's own (open already, unless it dropped): its first send opens it again and reports the error.
        try:
            connection.open()
        except Exception as error:
            if extra:
                logger.info("SMTP: an extra connection could not open (%s); the others send", describe(error))
                return
        while True:
            try:
                row = queue.popleft()
            except IndexError:
                break
            done.append(send_one(row, connection))
        with lock:
            results.extend(done)

    others = connections[1:]
    futures = []
    if others:
        pool = shared_pool(max(1, app_settings.SMTP_CONNECTIONS - 1), "smtp")
        futures = [pool.submit(work, connection) for connection in others]
    try:
        work(connections[0], extra=False)
    finally:
        for future in futures:
            future.result()
    return results
