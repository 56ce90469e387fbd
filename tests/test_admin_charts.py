"""Issue 15, item 11: server-rendered SVG charts (privacy.charts) on the admin home and the relevant pages; no
JavaScript library, no third-party origin, each shown only with the permission to see its data."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from privacy.charts import DANGER, Segment, bar_chart, line_chart, stacked_bar
from privacy.models import DataRequest
from subscriptions import services
from subscriptions.models import Delivery, Edition
from tests.factories import ProductFactory, ReviewFactory, StaffFactory, SubscriberFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics(db):
    from tests.factories import launch_topics

    return launch_topics()


def test_a_stacked_bar_is_proportional_escaped_and_labelled():
    svg = stacked_bar([Segment("sent", 3), Segment("<script>", 1)], label="Progress")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert re.search(r'<rect x="0.00" y="0" width="360.00"', svg)  # 3 of 4 of 480
    assert 'aria-label="Progress: sent 3, &lt;script&gt; 1"' in svg
    assert 'width="100%"' in svg  # scales to its container
    assert "style=" not in svg  # the CSP allows no inline styles
    assert stacked_bar([Segment("none", 0)], label="Empty").count('width="0.00"') == 1


def test_a_bar_past_its_threshold_is_red_and_a_line_chart_spans_its_dates():
    svg = bar_chart([("ok", 0.001), ("bad", 0.004)], label="Complaints", threshold=0.003, value_format="{:.1%}")
    assert svg.count(DANGER) == 3  # the bad bar, the threshold line and its label
    assert "0.4%" in svg
    days = [datetime.date(2026, 11, 1), datetime.date(2026, 11, 29)]
    line = line_chart({"Newsletter": [(days[0], 2), (days[1], 5)]}, label="Subscribers")
    assert "01 Nov" in line
    assert "29 Nov" in line
    assert "Newsletter: 5" in line


@pytest.fixture
def mailing_history(topics):
    newsletter = topics["newsletter"]
    sent = Edition.objects.create(
        topic=newsletter,
        subject="November picks",
        body_text="Hi",
        body_html="<p>Hi</p>",
        slot_at=timezone.now() - datetime.timedelta(days=2),
        status=Edition.Status.SENT,
        sent_at=timezone.now() - datetime.timedelta(days=2),
    )
    subscriptions = [
        SubscriptionFactory(topic=newsletter, subscriber=SubscriberFactory(email=f"r{i}@example.com"), frequency=f)
        for i, f in enumerate(["twice_weekly", "weekly", "weekly", "monthly"])
    ]
    for subscription in subscriptions:
        Delivery.objects.create(
            edition=sent,
            subscriber=subscription.subscriber,
            subscription=subscription,
            status=Delivery.Status.SENT,
            sent_at=sent.sent_at,
        )
    services.suppress_subscriber(subscriber=subscriptions[0].subscriber, reason="complaint")  # 25%: way past 0.3%
    return sent


def test_the_admin_home_shows_the_charts(client, mailing_history):
    now = timezone.now()
    DataRequest.objects.create(kind="export", received_at=now, due_at=now + datetime.timedelta(days=3))
    ReviewFactory(product=ProductFactory(name="Merino scarf"), rating=5)
    client.force_login(StaffFactory(email="root@example.org"))
    page = client.get(reverse("admin:index")).content.decode()
    for chart in ["chart-subscribers", "chart-editions", "chart-requests-due"]:
        assert f'id="{chart}"' in page, chart
    assert "Once a week 2" in page  # the newsletter's frequencies
    assert "November picks: complaints 25.00%" in page
    assert "Ratings: Merino scarf" in page
    assert not re.search(r'<script[^>]+src="https?://', page)  # no third-party origin
    assert page.count('<svg class="chart') >= 4


def test_staff_without_the_permission_see_no_chart_of_that_data(client, mailing_history):
    staff = StaffFactory(email="support@example.org", is_superuser=False)
    staff.groups.add(Group.objects.get(name="Support"))
    client.force_login(staff)
    page = client.get(reverse("admin:index")).content.decode()
    assert "chart-subscribers" not in page
    assert "chart-editions" not in page
    assert "chart-requests-due" not in page


def test_the_relevant_pages_show_their_charts(client, mailing_history, topics):
    product = ProductFactory(name="Wool socks")
    for rating in [5, 5, 4, 1]:
        ReviewFactory(product=product, rating=rating)
    now = timezone.now()
    DataRequest.objects.create(kind="erasure", received_at=now, due_at=now + datetime.timedelta(days=2))
    client.force_login(StaffFactory(email="root@example.org"))
    reviews = client.get(reverse("admin:reviews_review_changelist")).content.decode()
    assert 'aria-label="Ratings of Wool socks: 1 star 1, 2 stars 0, 3 stars 0, 4 stars 1, 5 stars 2"' in reviews
    requests = client.get(reverse("admin:privacy_datarequest_changelist")).content.decode()
    assert "Open data requests: days left until due" in requests
    draft = Edition.objects.create(topic=topics["newsletter"], subject="Draft", body_text="Hi", body_html="<p>Hi</p>")
    edition = client.get(reverse("admin:subscriptions_edition_change", args=[draft.pk])).content.decode()
    assert "Audience of this edition: will receive" in edition
    report = client.get(reverse("admin:subscriptions_edition_progress", args=[mailing_history.pk])).content.decode()
    assert "What this edition caused, per email sent: complaints 25.00%" in report
