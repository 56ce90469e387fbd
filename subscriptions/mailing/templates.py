"""Templates stored at the ESP, so that Postmark's and Amazon SES's batch APIs can personalise a body (issue 14).

Postmark's batch API (email/batchWithTemplates, 500 messages a call) and SES v2's SendBulkEmail (50 destinations a
call) fill each recipient's merge fields only into a template stored at the ESP. So an edition's rendering (per
language and combination of sections: what `rendered_for` returns, with the merge fields already in it as
BatchSender writes them) is stored once as a template named from a hash of its content, `spc-<edition>-<sha256[:16]>`:
two workers, or a retry, store the same one, and "it already exists" is success. The name carries no recipient data.
anymail builds and sends every message (its `template_id`); this small client only creates and deletes templates,
with anymail's own settings (Postmark: the backend's server token and API URL; SES: the backend's boto3 client).

A rendering whose subject, text or HTML holds `{{` or `}}` of its own (staff may write them) is not stored: its
recipients get one call per message, as without templates. A template that can't be stored (the ESP refuses, or
keeps failing) means the same. The templates an edition used are deleted once it is sent or cancelled
(`forget_later`, a Celery task; Postmark limits templates per server).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from typing import Any

import requests
from anymail.message import AnymailMessage
from django.core.mail import get_connection
from django.db import transaction

from ..app_settings import app_settings
from .esp import call_with_retries, capabilities, engine_connection

logger = logging.getLogger(__name__)

PREFIX = "spc-{}-"  # then the hash: a template's name (Postmark alias, SES template name)
SES_RETRY = {"TRANSIENT_FAILURE", "ACCOUNT_THROTTLED", "ACCOUNT_SENDING_PAUSED", "ACCOUNT_DAILY_QUOTA_EXCEEDED"}


def template_name(edition_id: int, subject: str, text: str, html: str) -> str:
    digest = hashlib.sha256("\0".join((subject, text, html)).encode()).hexdigest()[:16]
    return f"{PREFIX.format(edition_id)}{digest}"


def storable(subject: str, text: str, html: str, placeholders: list[str]) -> bool:
    """True when the only merge tags in subject, text and HTML are our placeholders: no `{{`/`}}` of the edition's
    own, and no brace or backslash right next to one of ours (that would change how the ESP reads it)."""
    if "{{" in subject or "}}" in subject:
        return False
    pattern = re.compile("|".join(re.escape(p) for p in placeholders)) if placeholders else None
    for body in (text, html):
        pieces = pattern.split(body) if pattern else [body]
        for i, piece in enumerate(pieces):
            if "{{" in piece or "}}" in piece:
                return False
            if i > 0 and piece.startswith("}"):
                return False
            if i < len(pieces) - 1 and (piece.endswith("{") or piece.endswith("\\")):
                return False
    return True


def ensure(connection: Any, edition_id: int, subject: str, text: str, html: str, placeholders: list[str]) -> str | None:
    """The name of the stored template for this rendering (created if need be), or None: send one per message."""
    if not storable(subject, text, html, placeholders):
        logger.info("Edition %s: its text holds {{ or }}: one call per message, no stored template.", edition_id)
        return None
    name = template_name(edition_id, subject, text, html)
    try:
        call_with_retries(lambda: _client(connection).create(name, subject, text, html))
    except Exception:
        logger.warning("Edition %s: template %s not stored: one call per message.", edition_id, name, exc_info=True)
        return None
    return name


def use(message: AnymailMessage, name: str, esp_name: str) -> AnymailMessage:
    """A batch message sent through the stored template: subject and bodies come from it (anymail refuses them
    beside a template for SES; Postmark wants no Subject with one). Postmark would inline the HTML's style blocks
    in a templated send: not asked, so the HTML is the one per-message sends deliver."""
    message.template_id = name
    message.subject, message.body, message.alternatives = "", "", []
    if esp_name == "Postmark":
        message.esp_extra = {"InlineCss": False}
    return message


def entry_retry(message: AnymailMessage, email: str) -> str | None:
    """SES SendBulkEmail answers per destination; anymail says "failed" for any refusal. Why, if it may pass
    (throttled, a transient failure), else None (refused for good)."""
    response = getattr(getattr(message, "anymail_status", None), "esp_response", None)
    results = response.get("BulkEmailEntryResults") if isinstance(response, dict) else None
    if not results:
        return None
    for address, result in zip(message.to, results, strict=False):
        if address.lower() == email.lower() and result.get("Status") in SES_RETRY:
            return f"Amazon SES {result['Status']}"
    return None


def forget_later(edition_id: int) -> None:
    """After commit, enqueue the deletion of an edition's templates (when the ESP stores them), after the lease:
    calls still in flight for a cancelled edition finish first."""
    if not app_settings.ESP_TEMPLATES or not capabilities(get_connection()).stored_template:
        return  # (an ESP that stores none: nothing to delete; building the backend opens nothing)
    from ..tasks import delete_edition_templates

    transaction.on_commit(
        lambda: delete_edition_templates.apply_async((edition_id,), countdown=app_settings.SEND_LEASE_SECONDS)
    )


def forget(edition_id: int) -> int:
    """Delete every template of this edition at the ESP (listed by their name's prefix); returns how many."""
    with engine_connection() as connection:
        if not capabilities(connection).stored_template:
            return 0
        client = _client(connection)
        names = [name for name in client.names() if name.startswith(PREFIX.format(edition_id))]
        for name in names:
            call_with_retries(lambda name=name: client.delete(name))
    return len(names)


# --- the ESPs' template APIs ---------------------------------------------------------------------------------------


def _client(connection: Any) -> _Postmark | _Ses:
    if connection.esp_name == "Postmark":
        return _Postmark(connection)
    return _Ses(connection)


class _Postmark:
    """Postmark's Templates API, with the anymail backend's server token, API URL and timeout."""

    def __init__(self, connection: Any) -> None:
        self.url = connection.api_url.rstrip("/") + "/templates"
        self.timeout = getattr(connection, "timeout", 30)
        self.headers = {
            "X-Postmark-Server-Token": connection.server_token,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def _call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, url, headers=self.headers, timeout=self.timeout, **kwargs)

    def create(self, name: str, subject: str, text: str, html: str) -> None:
        body = {"Name": name, "Alias": name, "Subject": subject, "HtmlBody": html, "TextBody": text}
        response = self._call("POST", self.url, json={**body, "TemplateType": "Standard"})
        if response.status_code == 422 and self._call("GET", f"{self.url}/{name}").status_code == 200:
            return  # already there (another worker, or an earlier try): same name, same content
        response.raise_for_status()

    def delete(self, name: str) -> None:
        response = self._call("DELETE", f"{self.url}/{name}")
        if response.status_code not in (404, 422):  # 422 (1101): no such template any more
            response.raise_for_status()

    def names(self) -> list[str]:
        names, offset = [], 0
        while True:
            response = self._call("GET", self.url, params={"Count": 500, "Offset": offset, "TemplateType": "Standard"})
            response.raise_for_status()
            page = response.json().get("Templates", [])
            names += [t.get("Alias") or "" for t in page]
            offset += len(page)
            if not page or offset >= response.json().get("TotalCount", 0):
                return names


class _Ses:
    """SES v2's template calls, through the anymail backend's boto3 client (its session and client settings)."""

    def __init__(self, connection: Any) -> None:
        if connection.client is None:
            connection.open()
        self.client = connection.client

    def create(self, name: str, subject: str, text: str, html: str) -> None:
        content = {"Subject": subject, "Text": text, "Html": html}
        with contextlib.suppress(self.client.exceptions.AlreadyExistsException):  # same name, same content
            self.client.create_email_template(TemplateName=name, TemplateContent=content)

    def delete(self, name: str) -> None:
        with contextlib.suppress(self.client.exceptions.NotFoundException):
            self.client.delete_email_template(TemplateName=name)

    def names(self) -> list[str]:
        names, token = [], None
        while True:
            page = self.client.list_email_templates(PageSize=100, **({"NextToken": token} if token else {}))
            names += [t["TemplateName"] for t in page.get("TemplatesMetadata", [])]
            token = page.get("NextToken")
            if not token:
                return names
