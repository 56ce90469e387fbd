"""The demo mail sink: every outgoing email becomes one .eml file under MAILBOX_DIR.

Only for the zero-setup demo and local runs; production points EMAIL_BACKEND at an anymail ESP backend.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage as ParsedMessage
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

FILE_NAME = re.compile(r"^[0-9]{8}T[0-9]{12}-[0-9a-f]{32}\.eml$")
LINK = re.compile(r"""https?://[^\s"'<>]+""")


class FileMailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        directory = Path(settings.MAILBOX_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            parsed = message.message()
            tags = getattr(message, "tags", None)
            if tags:
                parsed["X-Demo-Tags"] = ",".join(tags)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            final = directory / f"{stamp}-{uuid.uuid4().hex}.eml"
            partial = final.with_suffix(".part")  # written whole, then renamed: never half an email in the list
            partial.write_bytes(parsed.as_bytes())
            os.replace(partial, final)
            sent += 1
        return sent


@dataclass
class StoredEmail:
    name: str
    message: ParsedMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def to(self) -> str:
        return str(self.message["To"] or "")

    @property
    def date(self) -> str:
        return str(self.message["Date"] or "")

    def part(self, subtype: str) -> str | None:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else None

    @property
    def text(self) -> str:
        return self.part("plain") or ""

    @property
    def html(self) -> str | None:
        return self.part("html")

    @property
    def links(self) -> list[str]:
        found = LINK.findall(self.text) + LINK.findall(self.html or "")
        return list(dict.fromkeys(link.rstrip(".,)") for link in found))

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [(key, str(value)) for key, value in self.message.items()]


def _read(path: Path) -> StoredEmail:
    return StoredEmail(path.name, email.message_from_bytes(path.read_bytes(), policy=email.policy.default))


def list_emails(limit: int = 200) -> list[StoredEmail]:
    directory = Path(settings.MAILBOX_DIR)
    if not directory.is_dir():
        return []
    paths = sorted((p for p in directory.iterdir() if FILE_NAME.match(p.name)), reverse=True)[:limit]
    return [_read(path) for path in paths]


def get_email(name: str) -> StoredEmail | None:
    if not FILE_NAME.match(name):
        return None
    path = Path(settings.MAILBOX_DIR) / name
    return _read(path) if path.is_file() else None


def is_enabled() -> bool:
    return f"{__name__}.FileMailboxBackend" == settings.EMAIL_BACKEND
