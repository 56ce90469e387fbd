"""Demo subscribers in every state (idempotent). Needs accounts' demo shoppers for the linked ones."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from demo import mailbox
from privacy.models import ConsentEvent
from subscriptions import services
from subscriptions.emails import build_commercial_message
from subscriptions.models import EditionVersion, Frequency, Subscriber, Topic, TopicTranslation
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
    # French and German readers: their emails and the pages their links open are in their language (issue 16).
    ("camille.fr@example.com", "active", {"newsletter": Frequency.TWICE_WEEKLY, "contests": Frequency.MONTHLY}),
    ("mathieu.fr@example.com", "active", {"new-brands-and-styles": Frequency.WEEKLY}),
    ("lena.de@example.com", "active", {"newsletter": Frequency.WEEKLY, "new-brands-and-styles": Frequency.WEEKLY}),
    ("jonas.de@example.com", "paused", {"newsletter": Frequency.TWICE_WEEKLY}),
]
# Each address's language (the page they subscribed on); the others: the default, English.
DEMO_LANGUAGES = {
    "camille.fr@example.com": "fr",
    "mathieu.fr@example.com": "fr",
    "lena.de@example.com": "de",
    "jonas.de@example.com": "de",
}

# The launch topics' names and descriptions in French and German (the topics themselves are English).
TOPIC_TRANSLATIONS = {
    "newsletter": {
        "fr": ("Lettre d'information et offres spéciales", "Notre sélection, les soldes et les offres."),
        "de": ("Newsletter und Sonderangebote", "Unsere Empfehlungen, Sales und Angebote."),
    },
    "new-brands-and-styles": {
        "fr": (
            "Nouvelles marques et nouveaux styles",
            "Soyez les premiers informés de l'arrivée d'une marque ou d'un style.",
        ),
        "de": (
            "Neue Marken und Produkt-Styles",
            "Erfahren Sie als Erste(r), wenn eine Marke oder ein Style eintrifft.",
        ),
    },
    "contests": {
        "fr": ("Jeux concours", "Des occasions de gagner, annoncées à l'ouverture de chaque jeu."),
        "de": ("Gewinnspiele", "Gewinnchancen, angekündigt, sobald ein Gewinnspiel startet."),
    },
}


def seed() -> list[str]:
    seed_topic_translations()
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
            subscriber = services.subscribe_guest(email=email, topics=wanted, language=DEMO_LANGUAGES.get(email, ""))
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
    lines += seed_edition_versions()
    if created:
        lines.append(f"  added: {', '.join(created)}")
        if mailbox.is_enabled():
            lines.append(f"  sample newsletters in the demo mailbox: {send_samples(created)}")
    return lines


def seed_topic_translations() -> None:
    for topic in Topic.objects.filter(slug__in=TOPIC_TRANSLATIONS):
        for language, (name, description) in TOPIC_TRANSLATIONS[topic.slug].items():
            TopicTranslation.objects.get_or_create(
                topic=topic, language=language, defaults={"name": name, "description": description}
            )


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


# The demo editions in French and German, keyed by the English subject (natural text, not word for word).
EDITION_VERSIONS = {
    "Winter picks": {
        "fr": {
            "subject": "Notre sélection d'hiver",
            "preheader": "Des mailles douillettes et un cabas qui emporte tout",
            "body_html": (
                '<h1 style="font-size:20px;">La sélection d\'hiver de {{ SHOP_NAME }}</h1>'
                "<p>Des mailles bien chaudes, du lin pour les plus audacieux et un cabas qui emporte tout.</p>"
                '<p><a href="{{ SITE_URL }}/shop/" style="color:#0b5cad;">Découvrir la boutique</a></p>'
            ),
            "body_text": (
                "La sélection d'hiver de {{ SHOP_NAME }}\n\nDes mailles bien chaudes, du lin pour les plus audacieux.\n"
                "Découvrir la boutique : {{ SITE_URL }}/shop/"
            ),
        },
        "de": {
            "subject": "Unsere Winterauswahl",
            "preheader": "Kuschelige Strickteile und eine Tasche, in die alles passt",
            "body_html": (
                '<h1 style="font-size:20px;">Die Winterauswahl von {{ SHOP_NAME }}</h1>'
                "<p>Warme Strickteile, Leinen für Mutige und eine Tasche, in die alles passt.</p>"
                '<p><a href="{{ SITE_URL }}/shop/" style="color:#0b5cad;">Zum Shop</a></p>'
            ),
            "body_text": (
                "Die Winterauswahl von {{ SHOP_NAME }}\n\nWarme Strickteile, Leinen für Mutige.\n"
                "Zum Shop: {{ SITE_URL }}/shop/"
            ),
        },
    },
    "New year, new styles": {
        "fr": {
            "subject": "Nouvelle année, nouveaux styles",
            "preheader": "Un brouillon pour le prochain envoi",
            "body_html": (
                '<h1 style="font-size:20px;">Nouvelle année, nouveaux styles chez {{ SHOP_NAME }}</h1>'
                "<p>Les premières pièces de la saison sont arrivées : venez les voir avant tout le monde.</p>"
                '<p><a href="{{ SITE_URL }}/shop/" style="color:#0b5cad;">Découvrir la boutique</a></p>'
            ),
            "body_text": (
                "Nouvelle année, nouveaux styles chez {{ SHOP_NAME }}\n\n"
                "Les premières pièces de la saison sont arrivées.\nDécouvrir la boutique : {{ SITE_URL }}/shop/"
            ),
        },
        "de": {
            "subject": "Neues Jahr, neue Styles",
            "preheader": "Ein Entwurf für den nächsten Versand",
            "body_html": (
                '<h1 style="font-size:20px;">Neues Jahr, neue Styles bei {{ SHOP_NAME }}</h1>'
                "<p>Die ersten Stücke der Saison sind da: Entdecken Sie sie vor allen anderen.</p>"
                '<p><a href="{{ SITE_URL }}/shop/" style="color:#0b5cad;">Zum Shop</a></p>'
            ),
            "body_text": (
                "Neues Jahr, neue Styles bei {{ SHOP_NAME }}\n\nDie ersten Stücke der Saison sind da.\n"
                "Zum Shop: {{ SITE_URL }}/shop/"
            ),
        },
    },
}


def seed_edition_versions() -> list[str]:
    """The demo editions' French and German versions (idempotent: a version staff already wrote stays)."""
    from subscriptions.models import Edition

    added = 0
    for edition in Edition.objects.filter(subject__in=EDITION_VERSIONS, topic__slug="newsletter"):
        for language, fields in EDITION_VERSIONS[edition.subject].items():
            _, created = EditionVersion.objects.get_or_create(edition=edition, language=language, defaults=fields)
            added += created
    return [f"  edition versions in French and German: {added} added"] if added else []
