"""Demo subscribers in every state (idempotent). Needs accounts' demo shoppers for the linked ones."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from demo import mailbox
from privacy.models import ConsentEvent
from subscriptions import services
from subscriptions.emails import build_commercial_message
from subscriptions.models import Frequency, Subscriber, Topic
from subscriptions.selectors import eligible_subscriptions, shop_today

Method = ConsentEvent.Method

# (email, state, {topic slug: frequency}); linked to a user when an account with that email exists.
DEMO_SUBSCRIBERS = [
    ("ada@example.com", "active", {"newsletter": Frequency.TWICE_WEEKLY, "new-brands-and-styles": Frequency.WEEKLY}),
    ("grace@example.com", "paused", {"newsletter": Frequency.WEEKLY}),
    ("tim@example.com", "unsubscribed_all", {"newsletter": Frequency.TWICE_WEEKLY}),
    ("guest.weekly@example.com", "active", {"newsletter": Frequency.WEEKLY, "contests": Frequency.MONTHLY}),
    ("guest.unconfirmed@example.com", "unconfirmed", {"newsletter": Frequency.TWICE_WEEKLY}),
    ("guest.bounced@example.com", "bounce", {"newsletter": Frequency.TWICE_WEEKLY}),
    ("guest.complained@example.com", "complaint", {"new-brands-and-styles": Frequency.WEEKLY}),
]


def seed() -> list[str]:
    topics = {t.slug: t for t in Topic.objects.all()}
    users = {u.email: u for u in get_user_model().objects.filter(email__in=[e for e, _, _ in DEMO_SUBSCRIBERS])}
    created = []
    for email, state, choices in DEMO_SUBSCRIBERS:
        if Subscriber.objects.filter(email=email).exists():
            continue
        wanted = [topics[slug] for slug in choices if slug in topics]  # staff may have removed a topic
        user = users.get(email)
        if user is not None:
            subscriber = services.subscribe_from_signup(user=user, email=email, topics=wanted)
        else:
            subscriber = services.subscribe_guest(email=email, topics=wanted)
        created.append(email)
        if state == "unconfirmed":
            continue
        services.confirm_subscriber(subscriber=subscriber, method=Method.SIGNUP_FORM if user else Method.EMAILED_LINK)
        pending_choices = {topics[slug]: frequency for slug, frequency in choices.items()}
        services.update_topics(subscriber=subscriber, choices=pending_choices, method=Method.PREFERENCE_CENTER)
        if state == "paused":
            until = shop_today() + datetime.timedelta(days=30)
            services.pause_all(subscriber=subscriber, until=until, method=Method.PREFERENCE_CENTER)
        elif state == "unsubscribed_all":
            services.unsubscribe_all(subscriber=subscriber, method=Method.EMAILED_LINK)
        elif state in ("bounce", "complaint"):
            services.suppress_subscriber(subscriber=subscriber, reason=state)
    lines = [f"Subscribers: {Subscriber.objects.count()} (in every state; see Admin > Email subscriptions)"]
    lines += seed_editions()
    if created:
        lines.append(f"  added: {', '.join(created)}")
        if mailbox.is_enabled():
            lines.append(f"  sample newsletters in the demo mailbox: {send_samples(created)}")
    return lines


def send_samples(emails: list[str]) -> int:
    """One sample newsletter per eligible new demo subscriber, so the mailbox has unsubscribe links to try."""
    newsletter = Topic.objects.get(slug="newsletter")
    sent = 0
    for subscription in (
        eligible_subscriptions(newsletter).filter(subscriber__email__in=emails).select_related("subscriber")
    ):
        build_commercial_message(
            subscriber=subscription.subscriber, topic=newsletter, template="email/subscriptions/sample"
        ).send()
        sent += 1
    return sent


def seed_editions() -> list[str]:
    """An edition in the latest slot (`manage.py send_mailing` sends it) and a draft for the next slot."""
    from subscriptions.models import Edition
    from subscriptions.schedule import latest_slot, upcoming_slots

    newsletter = Topic.objects.filter(slug="newsletter").first()
    if newsletter is None or Edition.objects.filter(topic=newsletter).exists():
        return []
    body_html = (
        '<h1 style="font-size:20px;">Winter picks from {{ SHOP_NAME }}</h1>'
        "<p>Warm knits, linen for the brave, and a tote that carries it all.</p>"
        '<p><a href="{{ SITE_URL }}/shop/" style="color:#0b5cad;">See the shop</a></p>'
    )
    body_text = (
        "Winter picks from {{ SHOP_NAME }}\n\nWarm knits, linen for the brave.\nSee the shop: {{ SITE_URL }}/shop/"
    )
    Edition.objects.create(
        topic=newsletter,
        subject="Winter picks",
        preheader="Warm knits and a tote that carries it all",
        body_text=body_text,
        body_html=body_html,
        slot_at=latest_slot(),
        status=Edition.Status.SCHEDULED,
    )
    Edition.objects.create(
        topic=newsletter,
        subject="New year, new styles",
        preheader="A draft for the next slot",
        body_text=body_text,
        body_html=body_html,
        slot_at=upcoming_slots(1)[0],
        status=Edition.Status.DRAFT,
    )
    return ["Editions: one scheduled in the latest slot (python manage.py send_mailing sends it), one draft"]
