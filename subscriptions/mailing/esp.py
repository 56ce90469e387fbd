"""What each ESP's API can do, in one place, and how the engine tells a passing failure from a permanent one.

The sending code never names an ESP: it asks `capabilities(connection)`, keyed by anymail's `esp_name`.

Brevo, Amazon SES and ESPs not listed take no per-message tracking choice (anymail refuses one, even "off"): their
account must have open and click tracking off. The others get track_opens per recipient and track_clicks off.

| ESP (anymail esp_name) | batch API, recipients per call | body merge field        | tags per message |
| ---------------------- | ------------------------------ | ----------------------- | ---------------- |
| SendGrid               | personalizations, 1,000        | SENDGRID_MERGE_FIELD_FORMAT (default: the key itself) | 10 |
| Mailgun                | recipient-variables, 1,000     | %recipient.KEY%         | 3                |
| Brevo                  | messageVersions, 1,000         | {{ params.KEY }}        | any              |
| Postmark               | batchWithTemplates, 500 (1)    | {{{KEY}}} (stored template) | 1            |
| Amazon SES             | SendBulkEmail, 50 (1)          | {{{KEY}}} (stored template) | any (2)      |
| any other anymail ESP  | one call per message           | -                       | 1                |
| SMTP (Django's backend) | one message per call, SMTP_CONNECTIONS connections at once (3) | -  | any              |
| console, files, memory | one message at a time on one connection | -              | any              |

(1) Their batch APIs personalise a body only from a template stored at the ESP (`stored_template`): each rendering
is stored once (templates.py) and deleted when the edition is done. SUBSCRIPTIONS_ESP_TEMPLATES=False, or an edition
whose text holds `{{`/`}}` of its own: one call per message, as for any other ESP.
(2) One with the AMAZON_SES_MESSAGE_TAG_NAME setting.
(3) The edition's MIME built once per batch and spliced per recipient (smtp.py).

Batch calls carry each recipient's links in `merge_data`, their List-Unsubscribe and Message-ID in
`merge_headers` and their delivery id in `merge_metadata` (anymail normalises all three). Per-message ESPs get
several calls in flight per worker (SUBSCRIPTIONS_SEND_CONCURRENCY), paced by SUBSCRIPTIONS_SEND_RATE_LIMITS.
Tags beyond an ESP's limit are dropped from the tags (they are all in the metadata already: kind and topic).
"""

from __future__ import annotations

import copy
import functools
import random
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from anymail.exceptions import AnymailAPIError, AnymailError
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from ..app_settings import app_settings

T = TypeVar("T")
TEMPLATE_FIELD = "{{{{{{{}}}}}}}"  # "{{{KEY}}}" in a stored template (Postmark's Mustachio, SES's Handlebars): raw


@dataclass(frozen=True)
class Capabilities:
    esp_name: str = ""
    batch_size: int = 1  # recipients per API call; 1: one message per call
    merge_field: str = ""  # how a merge field is written in the body: "%recipient.{}%" formats a key
    max_tags: int | None = None  # None: no limit
    concurrent: bool = False  # several calls in flight (HTTP APIs) or one connection in turn (local backends)
    tracking: bool = True  # takes per-message open/click tracking choices (else: anymail refuses even False)
    smtp: bool = False  # Django's SMTP backend: spliced messages on SMTP_CONNECTIONS connections (smtp.py)
    stored_template: bool = False  # the batch API personalises a body only from a template stored at the ESP

    @property
    def batches(self) -> bool:
        return self.batch_size > 1


def capabilities(connection: Any) -> Capabilities:
    esp_name = getattr(connection, "esp_name", None)
    if esp_name is None:  # not anymail: Django's SMTP, console, file or memory backends
        return Capabilities(smtp=isinstance(connection, SmtpBackend))
    if esp_name == "SendGrid":
        return Capabilities(esp_name, 1000, getattr(connection, "merge_field_format", None) or "{}", 10, True)
    if esp_name == "Mailgun":
        return Capabilities(esp_name, 1000, "%recipient.{}%", 3, True)
    if esp_name == "Brevo":
        return Capabilities(esp_name, 1000, "{{{{ params.{} }}}}", None, True, tracking=False)
    if esp_name == "Amazon SES":
        one_tag = getattr(connection, "message_tag_name", None) is not None
        if app_settings.ESP_TEMPLATES:  # SendBulkEmail, 50 destinations a call, through a stored template
            return Capabilities(
                esp_name, 50, TEMPLATE_FIELD, 1 if one_tag else None, True, tracking=False, stored_template=True
            )
        return Capabilities(esp_name, 1, "", 1 if one_tag else None, True, tracking=False)
    if esp_name == "Test":  # anymail's test backend (the test suite's outbox): takes everything, one at a time
        return Capabilities(esp_name)
    if esp_name == "Postmark":
        if app_settings.ESP_TEMPLATES:  # email/batchWithTemplates, 500 messages a call, through a stored template
            return Capabilities(esp_name, 500, TEMPLATE_FIELD, 1, True, stored_template=True)
        return Capabilities(esp_name, 1, "", 1, True)
    return Capabilities(esp_name, 1, "", 1, True, tracking=False)  # an ESP not studied yet: the safe choices


SES_BACKEND = "anymail.backends.amazon_ses.EmailBackend"  # (SES v2: anymail 15 has no other SES backend)


def engine_connection() -> Any:
    """A connection to settings.EMAIL_BACKEND for the mailing engine's own calls (sends, stored templates).

    Amazon SES: botocore's client-side parameter validation is off unless ANYMAIL's AMAZON_SES_CLIENT_PARAMS sets
    `parameter_validation` itself. The engine builds every SES payload the same way (tests check them against the
    stand-in), SES validates each call again and answers a bad one with a 400, which fails that chunk as before;
    validation cost about 2.5 ms of CPU in a 9 ms call (benchmarks/mailing.py --backend ses: worker CPU per 1,000).
    Transactional mail keeps Django's get_connection() and botocore's defaults."""
    if settings.EMAIL_BACKEND != SES_BACKEND:
        return get_connection()
    params = copy.deepcopy((getattr(settings, "ANYMAIL", None) or {}).get("AMAZON_SES_CLIENT_PARAMS") or {})
    config = params.get("config")
    if config is None or isinstance(config, dict):
        params["config"] = {"parameter_validation": False, **(config or {})}
    return get_connection(client_params=params)  # (a botocore Config object given in settings is kept as it is)


@functools.lru_cache(maxsize=4)
def _default_capabilities(backend: str) -> Capabilities:
    return capabilities(get_connection(backend))


def default_capabilities() -> Capabilities:
    """The capabilities of settings.EMAIL_BACKEND (built once per backend path)."""
    return _default_capabilities(settings.EMAIL_BACKEND)


def fit_tags(tags: list[str], caps: Capabilities | None = None) -> list[str]:
    caps = caps or default_capabilities()
    return tags if caps.max_tags is None else tags[: caps.max_tags]


def tracking_options(*, track_opens: bool, caps: Capabilities | None = None) -> dict[str, bool]:
    """anymail's track_opens/track_clicks for ESPs that take them per message. Brevo and SES set tracking per
    account (or configuration set): keep open and click tracking off there (docs/mailing.md)."""
    caps = caps or default_capabilities()
    return {"track_opens": track_opens, "track_clicks": False} if caps.tracking else {}


# --- failures ----------------------------------------------------------------------------------------------------


class Permanent(Exception):
    """The ESP refused this message for good (a 4xx other than 429, a refused recipient)."""


def _status_and_headers(error: BaseException) -> tuple[int | None, dict[str, str]]:
    """The HTTP status and headers behind an anymail error (requests-based ESPs, and boto3 for SES)."""
    seen: BaseException | None = error
    while seen is not None:
        status = getattr(seen, "status_code", None)
        response = getattr(seen, "response", None)
        if status is None and response is not None and hasattr(response, "status_code"):
            status = response.status_code
        if status is not None:
            headers = dict(getattr(response, "headers", None) or {})
            return int(status), headers
        if isinstance(response, dict) and "ResponseMetadata" in response:  # botocore ClientError
            meta = response["ResponseMetadata"]
            return meta.get("HTTPStatusCode"), dict(meta.get("HTTPHeaders", {}))
        seen = seen.__cause__
    return None, {}


def is_transient(error: BaseException) -> bool:
    """429, 408 and 5xx, timeouts and dropped connections pass; any other refusal is permanent."""
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        codes = [code for code, _ in getattr(error, "recipients", {}).values()] or [getattr(error, "smtp_code", 0)]
        return all(400 <= code < 500 for code in codes)  # SMTP 4xx: try again later; 5xx: refused
    status, _ = _status_and_headers(error)
    if status is not None:
        return status in {408, 429} or status >= 500
    if isinstance(error, AnymailAPIError):
        return True  # no answer at all: a timeout or a dropped connection
    if isinstance(error, AnymailError):
        return False  # refused recipients, an unsupported feature, an invalid address: trying again won't help
    return isinstance(error, OSError)  # (smtplib's errors are OSErrors: a dropped SMTP connection)


def describe(error: BaseException) -> str:
    status, _ = _status_and_headers(error)
    name = type(error).__name__
    text = f"{name} (HTTP {status})" if status else f"{name}: {str(error).splitlines()[0][:120] if str(error) else ''}"
    return text[:200]


def retry_after(error: BaseException) -> float | None:
    _, headers = _status_and_headers(error)
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def backoff(attempt: int, error: BaseException | None = None) -> float:
    """Exponential backoff with full jitter, at least the ESP's Retry-After, at most SEND_RETRY_MAX_WAIT."""
    ceiling = min(app_settings.SEND_RETRY_MAX_WAIT, app_settings.SEND_RETRY_BACKOFF * 2 ** (attempt - 1))
    wait = random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not a secret)
    asked = retry_after(error) if error is not None else None
    if asked is not None:
        wait = max(wait, asked)
    return min(wait, app_settings.SEND_RETRY_MAX_WAIT)


@dataclass
class RetryCounter:
    retries: int = 0
    api_calls: int = 0


COUNTER = RetryCounter()  # per process, read by the benchmark
_counter_lock = threading.Lock()


def call_with_retries(send: Callable[[], T], *, on_retry: Callable[[], None] | None = None) -> T:
    """Call `send`, retrying passing failures SEND_RETRIES times with backoff; raise the last error.

    A permanent failure raises at once. The caller decides what a still-failing call means for its deliveries.
    """
    attempt = 0
    while True:
        attempt += 1
        with _counter_lock:
            COUNTER.api_calls += 1
        try:
            return send()
        except Exception as error:
            if not is_transient(error) or attempt >= app_settings.SEND_RETRIES:
                raise
            with _counter_lock:
                COUNTER.retries += 1
            if on_retry is not None:
                on_retry()
            time.sleep(backoff(attempt, error))
