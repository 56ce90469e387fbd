"""Issue 13, item 8: "we will email you only if you win" holds: the draw emails each winner (transactional mail,
sent whatever their marketing choices), nobody else, once; the public list shows first name and city only, and
only for winners who agreed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.models import Contest, ContestEntry
from subscriptions.models import SentEmail
from tests.factories import StaffFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_contest(client):
    now = timezone.now()
    contest = Contest.objects.create(
        title="Winter draw",
        slug="winter-draw",
        prize="A wool coat",
        starts_at=now - timedelta(days=10),
        ends_at=now + timedelta(days=1),
        winners_count=2,
    )
    for i, listed in enumerate([True, False, True]):
        ContestEntry.objects.create(
            contest=contest,
            first_name=f"Entrant{i}",
            city=f"Town{i}",
            email=f"entrant{i}@example.com",
            list_publicly=listed,
        )
    # an entrant who unsubscribed from every marketing email still hears that they won
    SubscriberFactory(email="entrant0@example.com", unsubscribed_all_at=timezone.now())
    Contest.objects.filter(pk=contest.pk).update(ends_at=now - timedelta(minutes=1))
    assert ContestEntry.objects.filter(contest=contest).count() == 3
    return contest


def test_each_winner_and_nobody_else_gets_one_email(
    client, ended_contest, mailoutbox_anymail, django_capture_on_commit_callbacks
):
    client.force_login(StaffFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:shop_contest_changelist"), {"action": "draw", "_selected_action": [ended_contest.pk]}
        )
    winners = list(ContestEntry.objects.filter(is_winner=True).order_by("email"))
    assert len(winners) == 2
    assert sorted(m.to[0] for m in mailoutbox_anymail) == [w.email for w in winners]
    message = mailoutbox_anymail[0]
    assert "Winter draw" in message.subject
    assert "A wool coat" in message.body
    assert "List-Unsubscribe" not in message.extra_headers
    assert message.tags != ["commercial"]
    assert SentEmail.objects.count() == 2

    # a second draw is refused and mails nobody again
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:shop_contest_changelist"), {"action": "draw", "_selected_action": [ended_contest.pk]}
        )
    assert len(mailoutbox_anymail) == 2

    client.logout()
    html = client.get(reverse("shop:contest_winners", args=[ended_contest.slug])).content.decode()
    for winner in winners:
        assert (f"{winner.first_name}, {winner.city}" in html) == winner.list_publicly
    assert "@example.com" not in html
