from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import ConsentEvent
from shop import services
from shop.models import Contest, ContestEntry
from subscriptions.models import AlertItem
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest():
    now = timezone.now()
    return Contest.objects.create(
        title="Summer draw",
        slug="summer-draw",
        prize="A linen shirt",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=7),
        winners_count=2,
    )


ENTRY = {"first_name": "Lea", "city": "Lyon", "email": "lea@example.com"}


def test_entering_subscribes_to_nothing_and_the_box_is_unticked(client, contest):
    html = client.get(contest.get_absolute_url()).content.decode()
    assert 'name="list_publicly"' in html
    assert 'name="list_publicly" checked' not in html
    response = client.post(contest.get_absolute_url(), ENTRY, follow=True)
    assert "You are entered" in response.content.decode()
    entry = ContestEntry.objects.get()
    assert entry.list_publicly is False
    assert not ConsentEvent.objects.exists()
    assert not AlertItem.objects.exists()


@pytest.mark.parametrize(
    "override",
    [{"first_name": "x" * 61}, {"email": "nope"}, {"city": ""}, {"city": "4111-1111-1111-1111"}],
)
def test_bad_entries_write_nothing(client, contest, override):
    response = client.post(contest.get_absolute_url(), {**ENTRY, **override})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not ContestEntry.objects.exists()


def test_one_entry_per_email_and_only_while_open(client, contest):
    client.post(contest.get_absolute_url(), ENTRY)
    response = client.post(contest.get_absolute_url(), {**ENTRY, "email": "LEA@example.com"}, follow=True)
    assert "You are entered" in response.content.decode()  # the same answer: see tests/security/test_contest_entries.py
    assert ContestEntry.objects.count() == 1
    contest.ends_at = timezone.now() - timedelta(minutes=1)
    contest.save()
    response = client.post(contest.get_absolute_url(), {**ENTRY, "email": "other@example.com"})
    assert ContestEntry.objects.count() == 1


def test_staff_draw_winners_and_the_page_lists_only_consenting_winners(client, contest):
    for i, listed in enumerate([True, False]):
        services.enter_contest(
            contest=contest, first_name=f"Winner{i}", city=f"City{i}", email=f"w{i}@example.com", list_publicly=listed
        )
    contest.ends_at = timezone.now() - timedelta(minutes=1)
    contest.save()
    client.force_login(StaffFactory())
    client.post(reverse("admin:shop_contest_changelist"), {"action": "draw", "_selected_action": [contest.pk]})
    assert ContestEntry.objects.filter(is_winner=True).count() == 2

    client.logout()
    html = client.get(reverse("shop:contest_winners", args=[contest.slug])).content.decode()
    assert "Winner0, City0" in html
    assert "Winner1" not in html
    assert "City1" not in html
    assert "@example.com" not in html

    with pytest.raises(services.ContestError):
        services.draw_winners(contest=contest)


def test_draw_before_the_end_is_refused(contest):
    with pytest.raises(services.ContestError, match="not ended"):
        services.draw_winners(contest=contest)
