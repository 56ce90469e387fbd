"""The staff console in a real browser (issue 15, items 10 and 11): a sending edition's live progress refreshes by
itself (the page polls its JSON endpoint), and it and the admin home (to-dos and charts) fit 390 px and 1280 px
without sideways scrolling. Screenshots go to var/screenshots/ (CI artifacts)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from subscriptions.models import Delivery, Edition
from tests.e2e.sign_in import log_in
from tests.factories import ReviewFactory, StaffFactory, SubscriberFactory, SubscriptionFactory, launch_topics

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = [390, 1280]


def fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def shoot(page, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def sending_edition() -> Edition:
    topics = launch_topics()
    edition = Edition.objects.create(
        topic=topics["newsletter"],
        subject="Winter coats are in: the warmest picks of the season",
        preheader="Warm coats, warm prices",
        body_text="Hello",
        body_html="<p>Hello</p>",
        slot_at=timezone.now() - datetime.timedelta(minutes=5),
        status=Edition.Status.SENDING,
    )
    now = timezone.now()
    for index in range(10):
        subscription = SubscriptionFactory(
            topic=topics["newsletter"], subscriber=SubscriberFactory(email=f"reader{index}@example.com")
        )
        sent = index < 4
        Delivery.objects.create(
            edition=edition,
            subscriber=subscription.subscriber,
            subscription=subscription,
            status=Delivery.Status.SENT if sent else Delivery.Status.QUEUED,
            attempts=1 if sent or index == 9 else 0,
            sent_at=now if sent else None,
        )
    return edition


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_live_progress_refreshes_by_itself_and_fits_the_screen(page, width, axe_check):
    edition = sending_edition()
    staff = StaffFactory(email=f"console-{width}@example.com")
    page.set_viewport_size({"width": width, "height": 900})
    url = reverse("admin:subscriptions_edition_progress", args=[edition.pk])
    log_in(page, staff.email, next_url=url)
    page.goto(url)
    sent = page.locator('[data-progress="sent"]')
    expect(sent).to_have_text("4")
    expect(page.locator('[data-progress="retrying"]')).to_have_text("1")
    fits(page)
    axe_check(page)
    shoot(page, "edition-sending", width)
    # The workers send three more: the page shows it without a reload.
    queued = Delivery.objects.filter(edition=edition, status=Delivery.Status.QUEUED).order_by("pk")[:3]
    Delivery.objects.filter(pk__in=[row.pk for row in queued]).update(
        status=Delivery.Status.SENT, sent_at=timezone.now()
    )
    expect(sent).to_have_text("7", timeout=30_000)
    expect(page.locator('[data-progress="percent"]')).to_have_text("70")
    width_of_sent = float(page.locator('#edition-progress rect[data-part="sent"]').get_attribute("width"))
    assert round(width_of_sent) == 336  # 7 of 10 of the 480-unit bar
    fits(page)
    # Everything sent: the page reloads itself into the report.
    Delivery.objects.filter(edition=edition, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENT, sent_at=timezone.now()
    )
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT, sent_at=timezone.now())
    expect(page.locator("#edition-report")).to_be_visible(timeout=30_000)
    fits(page)
    axe_check(page)
    shoot(page, "edition-report", width)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_home_fits_the_screen(page, width, axe_check):
    sending_edition()
    ReviewFactory(status="pending", published_at=None)
    staff = StaffFactory(email=f"home-{width}@example.com")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, staff.email, next_url=reverse("admin:index"))
    page.goto(reverse("admin:index"))
    expect(page.locator("#todos")).to_contain_text("1 review awaiting moderation")
    fits(page)
    axe_check(page)
    shoot(page, "admin-dashboard", width)
