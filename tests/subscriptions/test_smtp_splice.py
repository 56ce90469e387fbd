"""Django's SMTP backend (subscriptions/mailing/smtp.py): the edition's MIME built once and each recipient's values
spliced into the bytes must be, for every recipient, the message Django builds for them the per-message way
(`personalise`): the same headers but Date, the same text and HTML bodies, their own List-Unsubscribe, links and
Message-ID. Single-topic and combined emails, two languages, open tracking on and off, quoted-printable bodies,
the fallbacks, and recipients who try to inject headers or someone else's links. Then the real thing: an aiosmtpd
on several connections, with one address refused (5xx) and one deferred (4xx)."""

from __future__ import annotations

import email
import re
import smtplib
import socket
from collections import Counter
from email import policy
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.mail.message import sanitize_address

from subscriptions import mailing
from subscriptions.app_settings import app_settings
from subscriptions.mailing import smtp
from subscriptions.mailing.esp import Capabilities, capabilities
from subscriptions.mailing.rendering import personalise, recipient_links, rendered_for
from subscriptions.mailing.smtp import PREFERENCES, TO, UNSUBSCRIBE, SmtpSender, SplicedMessage
from subscriptions.models import Delivery, EditionVersion, TopicTranslation
from subscriptions.tokens import Purpose, read_token
from tests.factories import SubscriberFactory, SubscriptionFactory

from .test_mailing import make_edition

LONG = "Lorem ipsum dolor sit amet. " * 40  # 1,120 characters on one line: Django encodes quoted-printable


@pytest.fixture(autouse=True)
def one_second(monkeypatch):
    """Signed links carry a timestamp: one instant for the whole test, so both ways make the same links."""
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: 1_796_000_000.0))


def people(topics, *emails, language="", topic="newsletter", also=None):
    out = []
    for address in emails:
        subscriber = SubscriberFactory(email=address, language=language)
        SubscriptionFactory(subscriber=subscriber, topic=topics[topic], frequency="twice_weekly")
        if also:
            SubscriptionFactory(subscriber=subscriber, topic=topics[also], frequency="twice_weekly")
        out.append(subscriber)
    return out


def rows_of(edition, tracking=False) -> list[Delivery]:
    rows = list(
        Delivery.objects.filter(edition=edition, carried_by__isnull=True).select_related("subscriber").order_by("id")
    )
    for row in rows:
        row.open_tracking = tracking  # (an annotation of the claim's load)
    return rows


def sender_for(rendered, rows) -> SmtpSender:
    sender = SmtpSender(None, Capabilities(smtp=True), rendered)
    sender.prepare(rows)
    return sender


def django_bytes(rendered, row, spliced: bytes) -> bytes:
    """What the per-message path sends this recipient, with the splice's Date and boundary (both per batch)."""
    mime = personalise(rendered, row.subscriber, delivery_id=row.id, open_tracking=bool(row.open_tracking)).message()
    sent = email.message_from_bytes(spliced, policy=policy.compat32)
    mime.replace_header("Date", sent["Date"])
    mime.set_boundary(sent.get_boundary())
    return mime.as_bytes(linesep="\r\n")


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def assert_same_message(spliced: bytes, expected: bytes) -> None:
    ours, theirs = parsed(spliced), parsed(expected)
    assert [(k, str(v)) for k, v in ours.items() if k != "Date"] == [
        (k, str(v)) for k, v in theirs.items() if k != "Date"
    ]
    for kind in ("plain", "html"):
        assert ours.get_body((kind,)).get_content() == theirs.get_body((kind,)).get_content()
    assert spliced == expected  # and byte for byte, once Date and boundary are the same


def assert_own_links(raw: bytes, row: Delivery, others: list[Delivery], sender: SmtpSender, *, combined: bool) -> None:
    message = parsed(raw)
    subscriber = row.subscriber
    assert message["To"] == subscriber.email
    assert message["Message-ID"].startswith(f"<delivery-{row.id}.edition-{row.edition_id}@")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.match(r"<([^>]+)>", message["List-Unsubscribe"].strip()).group(1)
    token = re.search(r"/unsubscribe/(?:email/)?([^/]+)/", url).group(1)
    purpose = Purpose.UNSUBSCRIBE_EMAIL if combined else Purpose.UNSUBSCRIBE
    assert read_token(token, purpose=purpose).subscriber == subscriber
    text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    assert url in text
    assert url in html
    for token in re.findall(r"/(?:unsubscribe|preferences)/(?:email/)?([^/\s\"<>]+)/", text + html):
        for purpose in Purpose:
            try:
                assert read_token(token, purpose=purpose).subscriber == subscriber
                break
            except Exception:  # noqa: S112 (a token of another purpose)
                continue
        else:
            pytest.fail(f"a link nobody can read: {token}")
    for other in others:
        if other.subscriber != subscriber:
            for link in sender.values(other)[UNSUBSCRIBE:]:  # (the same instant: the same links)
                assert link not in raw.decode("utf-8") + text + html
    for mark in sender.templates[bool(row.open_tracking)].marks:
        assert mark[:16] not in raw.decode("utf-8").replace(subscriber.email, "")  # no mark left (but their own)


@pytest.fixture
def editions(topics):
    """The newsletter (with a French version) and contests editions of one slot; readers in English and French,
    each reading both topics (one combined email each) or the newsletter alone."""
    for language, name in (("fr", "Lettre d'information et offres spéciales"),):
        TopicTranslation.objects.create(topic=topics["newsletter"], language=language, name=name)
    newsletter = make_edition(
        topics["newsletter"],
        body_text="Hello {{ topic.name }}. Leave: {{ unsubscribe_url }} or {{ preferences_url }}",
        body_html='<p>Hello {{ topic.name }}</p><a href="{{ unsubscribe_url }}">Leave</a>',
    )
    EditionVersion.objects.create(
        edition=newsletter,
        language="fr",
        subject="Nos idées de décembre",
        preheader="Des manteaux chauds",
        body_text="Bonjour {{ topic.name }}. Partir : {{ unsubscribe_url }}",
        body_html='<p>Bonjour {{ topic.name }} é</p><a href="{{ unsubscribe_url }}">Partir</a>',
    )
    contests = make_edition(topics["contests"], subject="Win a coat", body_text="Play", body_html="<p>Play</p>")
    return SimpleNamespace(newsletter=newsletter, contests=contests, topics=topics)


@pytest.mark.django_db
@pytest.mark.parametrize("combined", [False, True], ids=["single", "combined"])
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("tracking", [False, True], ids=["no-beacon", "open-tracking"])
def test_each_recipients_spliced_message_is_the_one_django_builds_for_them(editions, combined, language, tracking):
    also = "contests" if combined else None
    readers = people(
        editions.topics, *(f"{language}-reader{i}@example.com" for i in range(3)), language=language, also=also
    )
    mailing.plan_editions(edition_ids=[editions.newsletter.pk, editions.contests.pk])
    rows = rows_of(editions.newsletter, tracking)
    assert {row.subscriber for row in rows} == set(readers)
    rendered = rendered_for(editions.newsletter, [editions.contests] if combined else [], language)
    assert bool(rendered.sections) is combined
    sender = sender_for(rendered, rows)
    assert sender.templates[tracking] is not None  # the splice is used, not the fallback
    for row in rows:
        message = sender.message_for(row)
        assert isinstance(message, SplicedMessage)
        assert message.recipients() == [("", row.subscriber.email)]
        assert_same_message(message.raw, django_bytes(rendered, row, message.raw))
        assert_own_links(message.raw, row, rows, sender, combined=combined)
    if language == "fr":
        assert "Bonjour" in parsed(sender.message_for(rows[0]).raw).get_body(("plain",)).get_content()


@pytest.mark.django_db
def test_a_body_with_lines_over_998_characters_is_quoted_printable_and_still_spliced_right(topics):
    readers = people(topics, "long1@example.com", "long2@example.com")
    edition = make_edition(
        topics["newsletter"],
        body_text=f"{LONG}{{{{ unsubscribe_url }}}} {LONG}\n{LONG}",
        body_html=f'<p>{LONG}<a href="{{{{ unsubscribe_url }}}}">x</a>{LONG}</p>',
    )
    mailing.plan_edition(edition_id=edition.pk)
    rows = rows_of(edition)
    rendered = rendered_for(edition)
    sender = sender_for(rendered, rows)
    for row in rows:
        message = sender.message_for(row)
        assert isinstance(message, SplicedMessage)
        assert b"Content-Transfer-Encoding: quoted-printable" in message.raw
        assert_same_message(message.raw, django_bytes(rendered, row, message.raw))
        assert_own_links(message.raw, row, rows, sender, combined=False)
    assert {row.subscriber for row in rows} == set(readers)


@pytest.mark.django_db
def test_a_recipient_whose_link_would_push_an_8bit_line_past_998_takes_the_per_message_path(topics):
    short = SubscriberFactory(pk=7, email="short@example.com")
    longer = SubscriberFactory(pk=1234567890123, email="longer@example.com")
    for subscriber in (short, longer):
        SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"], frequency="twice_weekly")
    probe = make_edition(topics["newsletter"])
    url = recipient_links(rendered_for(probe), short)[0]
    assert len(recipient_links(rendered_for(probe), longer)[0]) > len(url)
    probe.delete()
    filler = "x" * (998 - len(url) - 1)
    edition = make_edition(topics["newsletter"], body_text=f"{filler} {{{{ unsubscribe_url }}}}")
    mailing.plan_edition(edition_id=edition.pk)
    rows = sorted(rows_of(edition), key=lambda row: row.subscriber.pk)  # the template is made from `short`
    rendered = rendered_for(edition)
    sender = sender_for(rendered, rows)
    spliced = sender.message_for(rows[0])
    assert isinstance(spliced, SplicedMessage)
    assert b"Content-Transfer-Encoding: 8bit" in spliced.raw or b"Content-Transfer-Encoding: 7bit" in spliced.raw
    assert_same_message(spliced.raw, django_bytes(rendered, rows[0], spliced.raw))
    fallback = sender.message_for(rows[1])  # Django would encode this one's body quoted-printable
    assert not isinstance(fallback, SplicedMessage)
    assert b"quoted-printable" in fallback.message().as_bytes()
    assert fallback.to == [longer.email]


@pytest.mark.django_db
def test_a_non_ascii_sender_name_is_spliced_and_a_non_ascii_address_takes_the_per_message_path(topics, settings):
    settings.DEFAULT_FROM_EMAIL = "Boutique Élégante <shop@example.com>"
    people(topics, "plain@example.com", "josé@example.com", "zoë@exämple.com")
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    rows = rows_of(edition)
    rendered = rendered_for(edition)
    sender = sender_for(rendered, rows)
    by_email = {row.subscriber.email: row for row in rows}
    spliced = sender.message_for(by_email["plain@example.com"])
    assert isinstance(spliced, SplicedMessage)
    assert_same_message(spliced.raw, django_bytes(rendered, by_email["plain@example.com"], spliced.raw))
    assert str(parsed(spliced.raw)["From"]) == "Boutique Élégante <shop@example.com>"
    assert sanitize_address(spliced.from_email, "utf-8") == sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")
    for address in ("josé@example.com", "zoë@exämple.com"):
        message = sender.message_for(by_email[address])
        assert not isinstance(message, SplicedMessage)  # encoded by Django, the per-message way
        assert message.to == [address]


class Recorder:
    """A stand-in connection: what Django's SMTP backend would put on the wire, and to whom."""

    def __init__(self) -> None:
        self.sent: list[tuple[list[str], bytes]] = []

    def send_messages(self, messages) -> int:
        for message in messages:
            raw = message.message().as_bytes(linesep="\r\n")
            self.sent.append(([sanitize_address(a, "utf-8") for a in message.recipients()], raw))
        return len(messages)

    def open(self) -> bool:
        return False

    def close(self) -> None:
        pass


@pytest.mark.django_db
@pytest.mark.parametrize(
    "evil",
    [
        "evil@example.com\r\nBcc: victim@example.com",
        "evil@example.com\nList-Unsubscribe: <https://attacker.example/>",
        "evil\r\n@example.com",
    ],
)
def test_an_address_with_cr_or_lf_cannot_inject_a_header_and_fails_alone(topics, evil):
    people(topics, "first@example.com")
    [intruder] = people(topics, "intruder@example.com")
    people(topics, "last@example.com")
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    rows = rows_of(edition)
    rows.sort(key=lambda row: row.subscriber != intruder)  # the intruder first: the template is not made from it
    rows[0].subscriber.email = evil  # (the forms and a database constraint refuse it: as if one got through)
    sender = sender_for(rendered_for(edition), rows)
    assert sender.templates[False] is not None
    connection = Recorder()
    results = {delivery_id: (kind, why) for delivery_id, kind, why in (sender.send_one(r, connection) for r in rows)}
    kind, why = results[rows[0].id]
    assert kind == "failed"
    assert "BadHeaderError" in why or "ValueError" in why
    assert len(connection.sent) == 2
    for to, raw in connection.sent:
        assert to in (["first@example.com"], ["last@example.com"])
        assert b"victim" not in raw
        assert b"attacker" not in raw
        assert parsed(raw)["To"] == to[0]


@pytest.mark.django_db
def test_an_address_or_body_holding_a_mark_cannot_pull_in_another_recipients_link(topics):
    people(topics, "first@example.com", "second@example.com")
    edition = make_edition(topics["newsletter"], body_text="Hi spc000000000000s002zz {{ unsubscribe_url }}")
    mailing.plan_edition(edition_id=edition.pk)
    rows = rows_of(edition)
    rendered = rendered_for(edition)
    sender = sender_for(rendered, rows)
    marks = sender.templates[False].marks
    # A subscriber who knew this batch's marks (they can't: a random nonce per template) and used them as an address
    sneaky = SubscriberFactory(email=f"{marks[UNSUBSCRIBE][:20]}@example.com")
    tricky = SubscriberFactory(email=f"{marks[TO]}@example.com")
    for subscriber in (sneaky, tricky):
        SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"], frequency="twice_weekly")
    mailing.plan_edition(edition_id=edition.pk)
    rows = rows_of(edition)
    for row in rows:
        message = sender.message_for(row)
        assert isinstance(message, SplicedMessage)
        assert_same_message(message.raw, django_bytes(rendered, row, message.raw))
        assert_own_links(message.raw, row, rows, sender, combined=False)
        assert parsed(message.raw).get_body(("plain",)).get_content().startswith("Hi spc000000000000s002zz http")


@pytest.mark.django_db
def test_a_template_that_does_not_reproduce_djangos_message_is_not_used(topics, monkeypatch):
    people(topics, "a@example.com", "b@example.com")
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    rows = rows_of(edition)
    rendered = rendered_for(edition)
    real = smtp.personalise

    def with_the_address_in_the_body(rendered, subscriber, **kwargs):  # a change the marks do not cover
        message = real(rendered, subscriber, **kwargs)
        message.body += f"\nSent to {subscriber.pk}"
        return message

    monkeypatch.setattr(smtp, "personalise", with_the_address_in_the_body)
    sender = sender_for(rendered, rows)
    assert sender.templates[False] is None
    for row in rows:
        message = sender.message_for(row)
        assert not isinstance(message, SplicedMessage)
        assert f"Sent to {row.subscriber.pk}" in message.body


def test_a_failed_template_logs_no_address(topics, monkeypatch, caplog):
    """Django's address errors quote the address: the fallback's log line names the error's type, never the text."""
    people(topics, "secret.reader@example.com", "b@example.com")
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    rows = rows_of(edition)

    def refuse(message, values):
        raise ValueError(f'Invalid address "{rows[0].subscriber.email}"')

    monkeypatch.setattr(smtp.SpliceTemplate, "build", staticmethod(refuse))
    with caplog.at_level("WARNING", logger="subscriptions.mailing.smtp"):
        sender = sender_for(rendered_for(edition), rows)
    assert sender.templates[False] is None
    assert "sent message by message (ValueError)" in caplog.text
    assert "@" not in caplog.text


def test_only_djangos_smtp_backend_gets_the_splice():
    from django.core.mail import get_connection

    assert capabilities(get_connection("django.core.mail.backends.smtp.EmailBackend")).smtp
    for backend in ("locmem", "console", "dummy"):
        assert not capabilities(get_connection(f"django.core.mail.backends.{backend}.EmailBackend")).smtp
    assert not capabilities(get_connection("anymail.backends.test.EmailBackend")).smtp


@pytest.fixture
def smtp_server(settings):
    """A real aiosmtpd in this process; `refuse` maps an address to its RCPT answer."""
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self) -> None:
            self.messages: list[tuple[str, bytes]] = []
            self.connections = 0
            self.refuse: dict[str, str] = {}
            self.rcpts: Counter = Counter()

        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            self.connections += 1
            session.host_name = hostname
            return responses

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            self.rcpts[address] += 1
            if address in self.refuse:
                return self.refuse[address]
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos[0], envelope.content))
            return "250 OK"

    handler = Collect()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.SUBSCRIPTIONS_SEND_RETRY_BACKOFF = 0.01
    yield handler
    controller.stop()


@pytest.mark.django_db
def test_a_batch_goes_over_several_connections_once_each_and_a_refusal_fails_only_its_address(
    topics, smtp_server, settings
):
    settings.SUBSCRIPTIONS_SMTP_CONNECTIONS = 3
    readers = people(topics, *(f"reader{i}@example.com" for i in range(12)))
    smtp_server.refuse["reader3@example.com"] = "550 5.1.1 No such mailbox"
    smtp_server.refuse["reader7@example.com"] = "451 4.3.0 Try again later"
    edition = make_edition(topics["newsletter"], body_html=f"<p>{LONG}</p>")
    mailing.plan_edition(edition_id=edition.pk)

    result = mailing.send_batch(edition_id=edition.pk)

    assert (result.sent, result.failed, result.released) == (10, 1, 1)
    # three connections for the batch, and a fresh one before each retry of the deferred address (esp.reopen)
    assert smtp_server.connections == 3 + app_settings.SEND_RETRIES - 1
    assert Counter(to for to, _ in smtp_server.messages) == Counter(
        {s.email: 1 for s in readers if s.email not in smtp_server.refuse}
    )
    assert smtp_server.rcpts["reader3@example.com"] == 1  # refused for good: not tried again
    assert smtp_server.rcpts["reader7@example.com"] == app_settings.SEND_RETRIES  # 4xx: tried again
    rows = {row.subscriber.email: row for row in Delivery.objects.select_related("subscriber")}
    assert rows["reader3@example.com"].status == Delivery.Status.FAILED
    assert "SMTPRecipientsRefused" in rows["reader3@example.com"].error
    assert rows["reader7@example.com"].status == Delivery.Status.QUEUED  # released for a later try
    for to, content in smtp_server.messages:
        message = parsed(content)
        assert message["To"] == to
        assert message["Message-ID"].startswith(f"<delivery-{rows[to].id}.")
        url = re.fullmatch(r"<([^>]+)>", message["List-Unsubscribe"].strip()).group(1)
        assert read_token(
            re.search(r"/unsubscribe/([^/]+)/", url).group(1), purpose=Purpose.UNSUBSCRIBE
        ).subscriber == (rows[to].subscriber)
        assert url in message.get_body(("html",)).get_content()
        assert rows[to].status == Delivery.Status.SENT


def test_the_values_are_checked_before_they_are_spliced():
    sender = SmtpSender(None, Capabilities(smtp=True), None)
    link = "https://shop.example/unsubscribe/WzEsMSwidSJd:1xXsw3:8bvbTz66ndD/"
    good = ["reader@example.com", "<delivery-12.edition-3@shop.example>", link, link]
    assert sender.plain(good)
    for slot, bad in [
        (TO, "reader@example.com\r\nBcc: x@example.com"),
        (TO, "José <reader@example.com>"),
        (TO, "josé@example.com"),
        (TO, '"quoted"@example.com'),
        (TO, "a" * 70 + "@example.com"),
        (1, "<delivery-12.edition-3@shop.example>\r\nX: y"),
        (1, "<delivery-12 x@shop.example>"),
        (UNSUBSCRIBE, link + "\r\nBcc: x@example.com"),
        (PREFERENCES, link + " x"),
        (PREFERENCES, link + '">'),
    ]:
        values = list(good)
        values[slot] = bad
        assert not sender.plain(values), bad


def test_an_extra_connection_the_server_refuses_takes_no_recipient_and_the_others_send_them_all(settings, monkeypatch):
    class Refused(Recorder):
        def open(self) -> bool:
            raise smtplib.SMTPConnectError(421, b"Too many connections from your host")

    class Opens(Recorder):
        opened = 0

        def open(self) -> bool:
            Opens.opened += 1
            return True

    settings.SUBSCRIPTIONS_SMTP_CONNECTIONS = 4
    made = iter([Refused(), Opens(), Refused()])
    monkeypatch.setattr(smtp, "get_connection", lambda: next(made))
    mail = Recorder()
    rows = [SimpleNamespace(id=i) for i in range(40)]
    seen: Counter = Counter()

    def send_one(row, connection):
        assert not isinstance(connection, Refused)
        seen[row.id] += 1
        return row.id, "sent", type(connection).__name__

    results = smtp._run_on_connections(mail, rows, send_one)
    smtp.close_connections(mail)

    assert seen == Counter(range(40))  # each exactly once, none on a refused connection
    assert sorted(delivery_id for delivery_id, _, _ in results) == list(range(40))
    assert Opens.opened == 1


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["shop.example", "newsletter.example-shop.co.uk", "n" * 40 + ".example.com"])
def test_a_long_site_host_folds_the_message_id_header_as_django_does(topics, settings, host):
    settings.SUBSCRIPTIONS_SITE_URL = f"https://{host}"
    people(topics, "a@example.com", "b@example.com")
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    rows = rows_of(edition)
    rendered = rendered_for(edition)
    sender = sender_for(rendered, rows)
    assert sender.templates[False] is not None
    for row in rows:
        message = sender.message_for(row)
        assert isinstance(message, SplicedMessage)
        assert_same_message(message.raw, django_bytes(rendered, row, message.raw))
        assert parsed(message.raw)["Message-ID"].strip() == f"<delivery-{row.id}.edition-{edition.pk}@{host}>"


@pytest.mark.django_db
def test_a_list_unsubscribe_with_a_mailto_is_spliced_as_django_folds_it(topics, settings):
    settings.SUBSCRIPTIONS_UNSUBSCRIBE_MAILTO = "unsubscribe@shop.example"
    people(topics, "a@example.com", "b@example.com", "c@example.com")
    edition = make_edition(topics["newsletter"])
    mailing.plan_edition(edition_id=edition.pk)
    rows = rows_of(edition)
    rendered = rendered_for(edition)
    sender = sender_for(rendered, rows)
    assert sender.templates[False] is not None
    for row in rows:
        message = sender.message_for(row)
        assert isinstance(message, SplicedMessage)
        assert_same_message(message.raw, django_bytes(rendered, row, message.raw))
        assert "<mailto:unsubscribe@shop.example?subject=unsubscribe>" in parsed(message.raw)["List-Unsubscribe"]
        assert_own_links(message.raw, row, rows, sender, combined=False)
