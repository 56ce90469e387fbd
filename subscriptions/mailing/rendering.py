"""An edition rendered once per worker process, then personalised per recipient by swapping link marks."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

from anymail.message import AnymailMessage
from django.template import Context, Engine, Template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from ..app_settings import app_settings
from ..emails import commercial_message
from ..models import AlertItem, Edition, Subscriber, Topic
from ..services import render_email
from ..services.sending import email_language
from ..tokens import Purpose, make_email_token, make_token

UNSUBSCRIBE_MARK = "spc-unsubscribe-url-mark"
PREFERENCES_MARK = "spc-preferences-url-mark"
SECTION_MARK = "spc-section{}-unsubscribe-mark"  # a combined email: section i's own topic unsubscribe link

# The variables an edition's body may use (documented in the admin and docs/mailing.md).
EDITION_VARIABLES = {
    "topic": "the topic (topic.name, topic.slug)",
    "items": "alert items queued for this edition (item.title, item.link, item.image_url)",
    "SHOP_NAME": "the shop's name",
    "SITE_URL": "the shop's address, for links",
    "preferences_url": "this recipient's preferences page",
    "unsubscribe_url": "this recipient's unsubscribe page for the topic",
}

# Staff write edition bodies, so they are templates that must not reach the database: they compile in an engine
# that loads no template and no tag library (no {% include %}, {% extends %} or {% load %} of anything), and they
# render against plain values only (strings, and lists of dicts of strings), never a model instance whose related
# managers would walk to every subscriber and user (issue 12, item 6; tests/security/).
EDITION_ENGINE = Engine(loaders=[], libraries={}, app_dirs=False, debug=False, autoescape=True)

EDITION_SAMPLE_CONTEXT = {
    "topic": {"name": "Newsletter", "slug": "newsletter"},
    "items": [{"title": "A new brand", "link": "https://example.com/", "image_url": ""}],
    "SHOP_NAME": "Shop",
    "SITE_URL": "https://example.com",
    "unsubscribe_url": UNSUBSCRIBE_MARK,
    "preferences_url": PREFERENCES_MARK,
}


@dataclass(frozen=True)
class RenderedEdition:
    edition_id: int
    topic: Topic
    subject: str
    text: str
    html: str
    # A combined email (several topics due in one slot): every section's topic, in order, the lead's first. Its
    # UNSUBSCRIBE_MARK is then the link that unsubscribes from all of them; SECTION_MARK.format(i) is topic i's own.
    sections: tuple[Topic, ...] = ()
    edition_ids: tuple[int, ...] = ()
    language: str = ""  # the language it is written in (the recipients' saved language, or the default)

    def section_marks(self) -> list[str]:
        return [SECTION_MARK.format(i) for i in range(len(self.sections))]


def edition_template(source: str) -> Template:
    """Compile an edition body (raises TemplateSyntaxError, which the admin form shows)."""
    return EDITION_ENGINE.from_string(source)


def edition_context(edition: Edition) -> dict[str, object]:
    """The variables of EDITION_VARIABLES, as plain values (the topic's name in the active language)."""
    items = AlertItem.objects.filter(sent_in_edition_id=edition.pk).values("title", "link", "image_url")
    return {
        "topic": {"name": str(edition.topic.local_name), "slug": str(edition.topic.slug)},
        "items": [{key: str(value or "") for key, value in item.items()} for item in items] if edition.pk else [],
        "SHOP_NAME": str(app_settings.SITE_NAME),
        "SITE_URL": str(app_settings.SITE_URL),
        "unsubscribe_url": UNSUBSCRIBE_MARK,
        "preferences_url": PREFERENCES_MARK,
    }


def render_edition(edition: Edition, language: str | None = None) -> RenderedEdition:
    """Render subject, text and HTML once per language; the per-recipient links are marks that personalise() swaps.
    `language`: the recipients' saved language; they get that language's version of the edition, else the
    edition's own (the default language's), and the email's own words (footer, links) in their language."""
    language = email_language(language)
    with translation.override(language):
        content = edition.content_in(language)
        context = edition_context(edition)
        body_html = edition_template(content.body_html).render(Context(context))
        body_text = edition_template(content.body_text).render(Context(context, autoescape=False))
    subject, text, html = render_email(
        "email/subscriptions/edition",
        {
            **context,
            "subject": content.subject,
            "preheader": content.preheader,
            "body_html": body_html,
            "body_text": body_text,
        },
        language=language,
    )
    return RenderedEdition(edition.pk, edition.topic, subject, text, html or "", language=language)


def render_combined(editions: list[Edition], language: str | None = None) -> RenderedEdition:
    """Several editions due in one slot as one email: a section per edition (its own body, its own topic's
    unsubscribe link), the first edition's subject with the other topics named, one footer for all. Every section
    is the same language's version (else that edition's own)."""
    language = email_language(language)
    sections = []
    with translation.override(language):
        for i, edition in enumerate(editions):
            content = edition.content_in(language)
            context = {**edition_context(edition), "unsubscribe_url": SECTION_MARK.format(i)}
            sections.append(
                {
                    "topic": context["topic"],
                    "subject": content.subject,
                    "body_html": edition_template(content.body_html).render(Context(context)),
                    "body_text": edition_template(content.body_text).render(Context(context, autoescape=False)),
                    "unsubscribe_url": SECTION_MARK.format(i),
                }
            )
        lead = editions[0].content_in(language)
        others = ", ".join(str(edition.topic.local_name) for edition in editions[1:])
        # Translators: a combined email's subject: the first edition's subject, then the other topics it carries.
        subject_line = gettext("%(subject)s (also: %(others)s)") % {"subject": lead.subject, "others": others}
    subject, text, html = render_email(
        "email/subscriptions/combined",
        {
            "subject": subject_line,
            "preheader": lead.preheader,
            "sections": sections,
            "topic": sections[0]["topic"],
            "unsubscribe_url": UNSUBSCRIBE_MARK,
            "preferences_url": PREFERENCES_MARK,
        },
        language=language,
    )
    return RenderedEdition(
        editions[0].pk,
        editions[0].topic,
        subject,
        text,
        html or "",
        sections=tuple(edition.topic for edition in editions),
        edition_ids=tuple(edition.pk for edition in editions),
        language=language,
    )


_rendered_cache: dict[tuple, RenderedEdition] = {}


def rendered_for(
    edition: Edition, sections: list[Edition] | None = None, language: str | None = None
) -> RenderedEdition:
    """One rendering per edition (or per combination of editions) and language per worker process: an edition (and
    its versions) can't change once planned. `sections`: the other editions this email carries, in order."""
    editions = [edition, *(sections or [])]
    language = email_language(language)
    key = (language, *((e.pk, e.planned_at) for e in editions))
    if key not in _rendered_cache:
        if len(_rendered_cache) >= 32:
            _rendered_cache.clear()
        _rendered_cache[key] = (
            render_edition(edition, language) if len(editions) == 1 else render_combined(editions, language)
        )
    return _rendered_cache[key]


@functools.lru_cache(maxsize=8)
def _link_prefix(name: str, site_url: str) -> tuple[str, str]:
    """reverse() once per URL name; each message only slots its token in."""
    before, _, after = reverse(name, args=["TOKEN"]).partition("TOKEN")
    return f"{site_url}{before}", after


def recipient_links(rendered: RenderedEdition, subscriber: Subscriber) -> tuple[str, str]:
    """(unsubscribe_url, preferences_url) of one recipient: signed tokens bound to them (and the topic; for a
    combined email, the topics of all its sections: RFC 8058's one-click then stops everything this email brought)."""
    return Links(rendered).recipient(subscriber)


def section_links(rendered: RenderedEdition, subscriber: Subscriber) -> list[str]:
    """Each section's own unsubscribe link (that topic only), in section order; none for a single edition."""
    return Links(rendered).sections(subscriber)


class Links:
    """recipient_links, section_links and message_id_for with what is the same for every recipient of a rendering
    worked out once (the URLs around the token, the site's domain): a batch makes them for a thousand recipients."""

    def __init__(self, rendered: RenderedEdition) -> None:
        self.rendered = rendered
        site = app_settings.SITE_URL
        self.unsubscribe = _link_prefix(
            "subscriptions:unsubscribe_email" if rendered.sections else "subscriptions:unsubscribe", site
        )
        self.topic_unsubscribe = _link_prefix("subscriptions:unsubscribe", site)
        self.preferences = _link_prefix("subscriptions:preferences_token", site)
        self.message_id_format = f"<delivery-{{}}.edition-{rendered.edition_id}@{_domain(site)}>"

    def recipient(self, subscriber: Subscriber) -> tuple[str, str]:
        rendered = self.rendered
        if rendered.sections:
            token = make_email_token(subscriber, topics=list(rendered.sections))
        else:
            token = make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=rendered.topic)
        before, after = self.unsubscribe
        unsubscribe = f"{before}{token}{after}"
        before, after = self.preferences
        return unsubscribe, f"{before}{make_token(subscriber, purpose=Purpose.PREFERENCES)}{after}"

    def sections(self, subscriber: Subscriber) -> list[str]:
        before, after = self.topic_unsubscribe
        return [
            f"{before}{make_token(subscriber, purpose=Purpose.UNSUBSCRIBE, topic=topic)}{after}"
            for topic in self.rendered.sections
        ]

    def message_id(self, delivery_id: int) -> str:
        return self.message_id_format.format(delivery_id)


def message_id_for(rendered: RenderedEdition, delivery_id: int) -> str:
    """A Message-ID derived from the delivery row: a resend after a crash is the same message to the mailbox."""
    return f"<delivery-{delivery_id}.edition-{rendered.edition_id}@{_domain(app_settings.SITE_URL)}>"


@functools.lru_cache(maxsize=4)
def _domain(site_url: str) -> str:
    return urlsplit(site_url).hostname or "localhost"


def personalise(
    rendered: RenderedEdition,
    subscriber: Subscriber,
    *,
    delivery_id: int | None = None,
    test: bool = False,
    open_tracking: bool = False,
) -> AnymailMessage:
    """One recipient's whole message (the per-message path, previews and test sends)."""
    if test:
        unsubscribe = preferences = f"{app_settings.SITE_URL}{reverse('subscriptions:preferences')}"
        sections = [preferences] * len(rendered.sections)
    else:
        unsubscribe, preferences = recipient_links(rendered, subscriber)
        sections = section_links(rendered, subscriber)
    text = rendered.text.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(PREFERENCES_MARK, preferences)
    html = rendered.html.replace(UNSUBSCRIBE_MARK, unsubscribe).replace(PREFERENCES_MARK, preferences)
    for mark, link in zip(rendered.section_marks(), sections, strict=True):
        text, html = text.replace(mark, link), html.replace(mark, link)
    return commercial_message(
        subscriber=subscriber,
        topic=rendered.topic,
        subject=("[TEST] " if test else "") + rendered.subject,
        text=text,
        html=html,
        unsubscribe_url=unsubscribe,
        message_id=message_id_for(rendered, delivery_id) if delivery_id is not None else None,
        metadata={
            "edition_id": str(rendered.edition_id),
            "delivery_id": str(delivery_id or ""),
            **({"sections": ",".join(t.slug for t in rendered.sections)} if rendered.sections else {}),
        },
        track_opens=open_tracking,
    )
