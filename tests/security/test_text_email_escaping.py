"""Issue 12, item 19: plain-text emails were HTML-escaped ("O&#x27;Hopper &amp; Co" in the shopper's inbox).

Attack (and plain bug): a name, subject or message with ', & and < comes out as HTML entities in a text email, and
someone counting on escaping for the text part gets it wrong. Every text template of every email (message, subject,
footer) now renders without autoescape, so these characters arrive as typed; the HTML parts stay escaped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone

from shop.models import SupportTicket
from tests.factories import UserFactory

NAME = "Grace O'Hopper & Co <Ltd>"
ESCAPED = ["&#x27;", "&#39;", "&amp;", "&lt;", "&gt;"]
ROOT = Path(settings.BASE_DIR)


class Anything(str):
    """Any variable, attribute, key or loop of a template: the name again (so every {{ ... }} prints it)."""

    def __new__(cls) -> Anything:
        return super().__new__(cls, NAME)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return timezone.now() if name.endswith("_at") else Anything()  # placed_at|date:"j F Y" needs a date

    def __getitem__(self, key):
        return self.__getattr__(str(key))

    def __iter__(self):
        return iter([Anything()])


class EverythingContext(dict):
    def __contains__(self, key) -> bool:
        return True

    def __missing__(self, key) -> Anything:
        return Anything()


def email_templates(suffix: str) -> dict[str, Path]:
    """Every email part with this suffix, in every app and in the project's allauth overrides: name -> file."""
    found = {}
    for path in sorted(ROOT.glob(f"**/templates/**/*{suffix}")):
        if ".venv" in path.parts or "var" in path.parts:
            continue
        parts = path.parts
        start = len(parts) - parts[::-1].index("templates")
        if parts[start] in ("email", "account"):
            found["/".join(parts[start:])] = path
    return found


TEXT_TEMPLATES = email_templates(".txt")


def test_every_email_has_its_text_templates_found():
    assert len(TEXT_TEMPLATES) >= 20
    assert "email/shop/support_reply_message.txt" in TEXT_TEMPLATES
    assert "account/email/email_confirmation_signup_message.txt" in TEXT_TEMPLATES


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(TEXT_TEMPLATES))
def test_text_templates_render_names_raw(name):
    text = render_to_string(name, EverythingContext())
    assert not any(entity in text for entity in ESCAPED), text
    if name.endswith("_message.txt"):
        assert NAME in text, text


# The edition's HTML body is HTML that staff write (a template of its own, rendered for its recipients): not escaped;
# a combined email (several topics due in one slot) carries several such bodies, one per section.
STAFF_HTML = {"email/subscriptions/edition_message.html", "email/subscriptions/combined_message.html"}


@pytest.mark.django_db
def test_a_combined_emails_own_words_stay_escaped_around_the_staff_bodies():
    section = {"topic": {"name": NAME}, "subject": NAME, "body_html": "<p>staff</p>", "unsubscribe_url": NAME}
    html = render_to_string(
        "email/subscriptions/combined_message.html",
        {"sections": [section, section], "subject": NAME, "preheader": NAME, "unsubscribe_url": NAME},
    )
    assert NAME not in html
    assert "Grace O&#x27;Hopper &amp; Co &lt;Ltd&gt;" in html
    assert "<p>staff</p>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(set(email_templates("_message.html")) - STAFF_HTML))
def test_html_parts_stay_escaped(name):
    html = render_to_string(name, EverythingContext())
    assert NAME not in html
    assert "Grace O&#x27;Hopper &amp; Co &lt;Ltd&gt;" in html


@pytest.mark.django_db
def test_a_support_reply_reaches_the_inbox_as_typed(client, mailoutbox, django_capture_on_commit_callbacks):
    from shop import services

    client.post(
        "/shop/contact/", {"name": NAME, "email": "grace@example.com", "subject": "Size & fit <XL>", "message": "Hi"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_ticket(ticket=SupportTicket.objects.get(), body="Try 'L' & <M>.", author=None)
    [message] = mail.outbox
    assert message.subject.startswith("Re: Size & fit <XL>")
    assert f"Hello {NAME}," in message.body
    assert "Try 'L' & <M>." in message.body
    html = message.alternatives[0][0] if message.alternatives else ""
    assert NAME not in html


@pytest.mark.django_db
def test_the_welcome_email_prints_the_name_raw(mailoutbox):
    from accounts import emails

    user = UserFactory(first_name="O'Hopper & <Co>")
    emails.send_welcome(user)
    assert "Hello O'Hopper & <Co>," in mail.outbox[0].body
