"""Data rights for people without an account: "download my data" and "delete my data" by an emailed link.

The page (/privacy/request/) answers the same for every address and writes one GuestLink; a task then decides, out
of the request's sight, what to send: an address of an account gets "sign in and use your account pages", an
address we hold data under gets a signed, single-use link that expires (PRIVACY_GUEST_LINK_HOURS), any other gets
nothing. Opening the link shows a button (a GET changes nothing); its POST runs the export or the erasure of what
is held under that address only, with the registry's guest=True exporters and erasers.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from outbox import services as outbox

from .. import registry
from ..app_settings import app_settings
from ..models import ConsentEvent, DataRequest, GuestLink
from ..services import record_consent
from .export import build_export_payload, jsonable
from .person import Person, account_for_email
from .requests import _complete, open_request, retention_period

logger = logging.getLogger(__name__)

_SALT = "privacy.guest_link"


class LinkState:
    OK = "ok"
    USED = "used"
    EXPIRED = "expired"
    INVALID = "invalid"
    ACCOUNT = "account"


@dataclass(frozen=True)
class OpenedLink:
    state: str
    link: GuestLink | None = None


def request_link(*, email: str, kind: str, data_request: DataRequest | None = None, language: str = "") -> GuestLink:
    """Record the request and queue the decision (the caller's transaction); the same work for every address.
    `language` is the page's (the person's): the email, sent later by a task, is written in it."""
    from ..services import known_language
    from ..tasks import send_guest_link

    now = timezone.now()
    link = GuestLink.objects.create(
        email=Person.from_email(email).emails[0],
        kind=kind,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=app_settings.GUEST_LINK_HOURS),
        data_request=data_request,
        language=known_language(language),
    )
    outbox.enqueue(send_guest_link, link.pk)
    return link


def make_token(link: GuestLink) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(str(link.public_id))


def holds_data(person: Person) -> bool:
    """Whether any guest exporter finds something under the person's address."""
    return any(exporter.fn(person) for exporter in registry.exporters(guest=True))


def send_guest_link(*, link_id: int) -> str:
    """Send what the request calls for (see the module docstring); idempotent: a link is mailed at most once."""
    sender = registry.transactional_sender()
    with transaction.atomic():
        link = GuestLink.objects.select_for_update().filter(pk=link_id).first()
        if link is None or link.mailed_at or link.used_at or not link.email or link.expires_at <= timezone.now():
            return "gone"
        email, language = link.email, link.language
        if account_for_email(email) is not None:
            GuestLink.objects.filter(pk=link.pk).delete()
            outcome, template, context = "account", "email/privacy/guest_request_account", {}
        elif holds_data(Person.from_email(email)):
            # The row stays (until used or expired), marked as mailed: a re-run of the task sends nothing twice.
            GuestLink.objects.filter(pk=link.pk).update(mailed_at=timezone.now())
            outcome, template = "link", "email/privacy/guest_request_link"
            context = {
                "kind": link.kind,
                "staff": link.data_request_id is not None,
                "link_path": reverse("privacy:guest_confirm", args=[make_token(link)]),
                "hours": app_settings.GUEST_LINK_HOURS,
            }
        else:
            GuestLink.objects.filter(pk=link.pk).delete()
            return "nothing"
    if sender is not None:
        sender(
            to=email,
            template=template,
            context={**context, "account_paths": _account_paths()},
            kind="service",
            object_id=f"privacy-guest-request:{link_id}",
            language=language,
        )
    return outcome


def _account_paths() -> dict[str, str]:
    return {"export": reverse("privacy:export"), "delete": reverse("privacy:delete")}


def open_link(token: str) -> OpenedLink:
    """What an emailed token leads to, changing nothing."""
    try:
        public_id = signing.TimestampSigner(salt=_SALT).unsign(
            token, max_age=datetime.timedelta(hours=app_settings.GUEST_LINK_HOURS)
        )
    except signing.SignatureExpired:
        return OpenedLink(LinkState.EXPIRED)
    except signing.BadSignature:
        return OpenedLink(LinkState.INVALID)
    link = GuestLink.objects.filter(public_id=public_id).first()
    return _state_of(link)


def _state_of(link: GuestLink | None) -> OpenedLink:
    if link is None:
        return OpenedLink(LinkState.EXPIRED)  # purged: expired (or used) long ago
    if link.used_at is not None:
        return OpenedLink(LinkState.USED, link)
    if link.expires_at <= timezone.now() or not link.email or link.mailed_at is None:
        return OpenedLink(LinkState.EXPIRED, link)
    if link.data_request_id is not None and link.data_request.status not in _OPEN:
        return OpenedLink(LinkState.EXPIRED, link)  # the officer closed (completed or rejected) the request meanwhile
    return OpenedLink(LinkState.OK, link)


@dataclass(frozen=True)
class GuestResult:
    state: str
    kind: str = ""
    payload: dict | None = None
    data_request: DataRequest | None = None


@transaction.atomic
def use_link(token: str, *, request: Any = None) -> GuestResult:
    """Run the export or the erasure the link was sent for, once. Anything but a working link changes nothing."""
    opened = open_link(token)
    if opened.state != LinkState.OK:
        return GuestResult(opened.state)
    link = GuestLink.objects.select_for_update().get(pk=opened.link.pk)
    state = _state_of(link).state  # a second click waiting on the lock finds it used
    if state != LinkState.OK:
        return GuestResult(state)
    if account_for_email(link.email) is not None:
        # An account took this address after the link went out: its data is erased or exported from the account.
        return GuestResult(LinkState.ACCOUNT)
    person = Person.from_email(link.email)
    # A staff request: the link completes it, recorded as handled by the officer who opened it.
    staff_request = link.data_request
    handled_by = staff_request.handled_by if staff_request is not None else None
    if link.kind == GuestLink.Kind.EXPORT:
        payload = build_guest_export(person)
        data_request = run_guest_export(
            person, payload=payload, handled_by=handled_by, data_request=staff_request, language=link.language
        )
    else:
        payload = None
        data_request = erase_guest(
            person,
            request=request,
            handled_by=handled_by,
            data_request=staff_request,
            method=ConsentEvent.Method.EMAILED_LINK,
            language=link.language,
        )
    GuestLink.objects.filter(pk=link.pk).update(used_at=timezone.now(), email="")
    return GuestResult(LinkState.OK, kind=link.kind, payload=payload, data_request=data_request)


def build_guest_export(person: Person) -> dict:
    """The guest's export: the same format as an account's, with the sections that answer for an address."""
    return build_export_payload(person, guest=True)


def run_guest_export(
    person: Person, *, payload: dict, handled_by: Any = None, data_request=None, language: str = ""
) -> DataRequest:
    if data_request is None:
        data_request = open_request(
            kind=DataRequest.Kind.EXPORT,
            user=None,
            subject=person.subject,
            self_service=handled_by is None,
            language=language,
        )
    return _complete(
        data_request, summary={"guest": True, "sections": sorted(payload["sections"])}, handled_by=handled_by
    )


@transaction.atomic
def erase_guest(
    person: Person,
    *,
    request: Any = None,
    handled_by: Any = None,
    data_request=None,
    method: str = "",
    language: str = "",
) -> DataRequest:
    """Erase what is held under the address only, every guest eraser in one transaction, with the account
    erasure's retention rules (the address stays as a keyed hash on the suppression list; ledgers stay)."""
    from ..services import stop_logging_request

    if request is not None:
        stop_logging_request(request)
    retention = retention_period()
    summary: dict[str, Any] = {"guest": True}
    for eraser in registry.erasers(guest=True):
        summary[eraser.key] = jsonable(eraser.fn(person, retention=retention))
    record_consent(
        subject=person.subject,
        purpose=app_settings.ERASURE_PURPOSE,
        action=ConsentEvent.Action.WITHDRAWN,
        method=method or (ConsentEvent.Method.EMAILED_LINK if handled_by is None else ConsentEvent.Method.STAFF),
        value="erased",
        request=request,
    )
    if data_request is None:
        data_request = open_request(
            kind=DataRequest.Kind.ERASURE,
            user=None,
            subject=person.subject,
            self_service=handled_by is None,
            language=language,
        )
    data_request = _complete(data_request, summary=summary, handled_by=handled_by)
    logger.info("Erased a guest's data (data request %s)", data_request.pk)
    return data_request


_OPEN = (DataRequest.Status.RECEIVED, DataRequest.Status.VERIFIED)


class StaffOutcome:
    SENT = "sent"
    NOTHING = "nothing"
    ACCOUNT = "account"


@dataclass(frozen=True)
class StaffRequestResult:
    outcome: str
    data_request: DataRequest | None = None
    account: Any = None
    reused: bool = False


@transaction.atomic
def open_staff_request(
    *, email: str, kind: str, handled_by: Any, notes: str = "", language: str = ""
) -> StaffRequestResult:
    """A person wrote or phoned in about an address without an account; a privacy officer opens the request.

    The officer never runs it blind and never sees the data: the address gets the same single-use link as the
    public page, so the person proves the address is theirs, and the link completes this request (handled_by the
    officer). The address is used now and kept only on the link until it is used or expires; the DataRequest holds
    its keyed hash. An address of an account: nothing recorded, the officer opens the request for the account.
    An address we hold nothing under: the request is recorded as completed ("nothing held"), nothing is sent.
    A second call for the same address and kind reuses the open request and replaces its unused link."""
    if kind not in (DataRequest.Kind.EXPORT, DataRequest.Kind.ERASURE):
        raise ValueError(f"Not a guest request kind: {kind}")
    person = Person.from_email(email)
    account = account_for_email(email)
    if account is not None:
        return StaffRequestResult(StaffOutcome.ACCOUNT, account=account)
    if not holds_data(person):
        data_request = open_request(kind=kind, user=None, subject=person.subject, notes=notes, language=language)
        _complete(data_request, summary={"guest": True, "held_nothing": True}, handled_by=handled_by)
        return StaffRequestResult(StaffOutcome.NOTHING, data_request)
    data_request = (
        DataRequest.objects.select_for_update()
        .filter(kind=kind, user__isnull=True, subject=person.subject, status__in=_OPEN)
        .order_by("pk")
        .first()
    )
    reused = data_request is not None
    if data_request is None:
        data_request = open_request(kind=kind, user=None, subject=person.subject, notes=notes, language=language)
        data_request.handled_by = handled_by
        data_request.save(update_fields=["handled_by"])
    GuestLink.objects.filter(data_request=data_request, used_at__isnull=True).delete()  # one working link
    request_link(email=email, kind=kind, data_request=data_request, language=language or data_request.language)
    logger.info("Staff opened guest data request %s; link queued", data_request.pk)
    return StaffRequestResult(StaffOutcome.SENT, data_request, reused=reused)


def purge_guest_links() -> int:
    """Nightly: delete links past their expiry (used ones hold no address already)."""
    return GuestLink.objects.filter(expires_at__lte=timezone.now()).delete()[0]
