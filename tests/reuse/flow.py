"""Run inside the bare host project (DJANGO_SETTINGS_MODULE=tests.reuse.host.settings, REUSE_DATABASE_URL set):
migrate, then subscribe -> confirm -> mailing -> one-click unsubscribe, asserting what a subscriber would notice.
tests/reuse/test_host_project.py runs it in a subprocess; it prints REUSE FLOW OK when every step held."""

from __future__ import annotations

import re

import django


def main() -> None:
    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the locmem outbox
    call_command("check", fail_level="WARNING")
    call_command("migrate", verbosity=0, interactive=False)

    from privacy.models import ConsentEvent
    from subscriptions import schedule
    from subscriptions.models import Edition, Subscriber, Subscription, Topic

    topic, _ = Topic.objects.get_or_create(
        slug="host-news",
        defaults={"name": "Host news", "description": "News from the host shop.", "default_frequency": "twice_weekly"},
    )
    browser = Client(enforce_csrf_checks=False)

    # Subscribe: nothing is active until the address confirms.
    response = browser.post("/subscribe/", {"email": "Reader@Example.com", "topics": [topic.slug]})
    assert response.status_code == 302, response.status_code
    subscriber = Subscriber.objects.get(email="reader@example.com")
    assert subscriber.subscriptions.get().state == Subscription.State.PENDING
    [confirmation] = mail.outbox
    assert confirmation.to == ["reader@example.com"]
    confirm_path = re.search(r"https?://[^/\s]+(/subscribe/confirm/[^\s\"<]+)", confirmation.body).group(1)

    # Confirm: the GET changes nothing, the button does.
    assert browser.get(confirm_path).status_code == 200
    assert subscriber.subscriptions.get().state == Subscription.State.PENDING
    assert browser.post(confirm_path).status_code == 200
    assert subscriber.subscriptions.get().state == Subscription.State.ACTIVE

    # Mailing: an edition scheduled for the latest slot goes to the confirmed subscriber, with RFC 8058 headers.
    slot_at = schedule.latest_slot()
    Edition.objects.create(
        topic=topic,
        subject="Host news of the week",
        body_text="Hello from the host.",
        body_html="<p>Hello from the host.</p>",
        slot_at=slot_at,
        status=Edition.Status.SCHEDULED,
    )
    mail.outbox.clear()
    call_command("send_mailing", verbosity=0)
    [edition_email] = mail.outbox
    assert edition_email.subject == "Host news of the week"
    assert edition_email.to == ["reader@example.com"]
    assert "2 Harbour Road" in edition_email.body  # the host's own SUBSCRIPTIONS_POSTAL_ADDRESS, in the footer
    headers = edition_email.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_path = re.search(r"<https?://[^/>]+(/unsubscribe/[^>]+)>", headers["List-Unsubscribe"]).group(1)

    # One-click unsubscribe: the mail provider posts with no cookie and no CSRF token.
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        unsubscribe_path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200, response.status_code
    assert subscriber.subscriptions.get().state == Subscription.State.UNSUBSCRIBED
    actions = list(
        ConsentEvent.objects.filter(subject=subscriber.ledger_subject).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["requested", "granted", "withdrawn"], actions
    print("REUSE FLOW OK")


if __name__ == "__main__":
    main()
