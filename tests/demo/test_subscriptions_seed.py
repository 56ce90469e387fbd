import pytest

from demo.seeds import subscriptions as seed
from subscriptions.models import Subscriber
from subscriptions.selectors import explain_receipts
from tests.factories import launch_topics


@pytest.mark.django_db
def test_demo_subscribers_cover_every_state_and_seeding_twice_changes_nothing(settings, tmp_path):
    from demo import mailbox
    from demo.seeds import accounts as accounts_demo

    launch_topics()

    settings.EMAIL_BACKEND = "demo.mailbox.FileMailboxBackend"
    accounts_demo.seed()
    seed.seed()
    reasons = {
        s.email: {r.reason for r in explain_receipts(s)} for s in Subscriber.objects.prefetch_related("subscriptions")
    }
    assert Subscriber.objects.get(email="ada@example.com").user is not None
    assert "Twice a week." in reasons["ada@example.com"]
    assert "Once a week." in reasons["guest.weekly@example.com"]
    assert any(r.startswith("Paused until") for r in reasons["grace@example.com"])
    assert "Unsubscribed from all marketing." in reasons["tim@example.com"]
    assert "Waiting for the address to be confirmed (double opt-in)." in reasons["guest.unconfirmed@example.com"]
    assert "Address suppressed (hard bounce)." in reasons["guest.bounced@example.com"]
    assert "Address suppressed (spam complaint)." in reasons["guest.complained@example.com"]
    samples = {e.to for e in mailbox.list_emails()}
    # only the eligible get the sample
    assert samples == {"ada@example.com", "guest.weekly@example.com", "camille.fr@example.com", "lena.de@example.com"}
    # French and German subscribers, each sample in their language (issue 16)
    assert Subscriber.objects.get(email="camille.fr@example.com").language == "fr"
    assert Subscriber.objects.get(email="lena.de@example.com").language == "de"
    subjects = {e.to: e.subject.strip() for e in mailbox.list_emails()}  # (a folded non-ASCII header: a space)
    assert (
        subjects["camille.fr@example.com"] == "Lettre d'information et offres spéciales: notre sélection de la semaine"
    )
    assert subjects["lena.de@example.com"] == "Newsletter und Sonderangebote: unsere Auswahl der Woche"

    count = Subscriber.objects.count()
    seed.seed()
    assert Subscriber.objects.count() == count
    assert len(mailbox.list_emails()) == 4


@pytest.mark.django_db
def test_demo_editions_have_french_and_german_versions():
    from subscriptions.models import Edition

    launch_topics()
    seed.seed()
    for edition in Edition.objects.filter(topic__slug="newsletter"):
        assert set(edition.versions.values_list("language", flat=True)) == {"fr", "de"}
    assert Edition.objects.get(subject="Winter picks").versions.get(language="de").subject == "Unsere Winterauswahl"
    seed.seed()
    assert Edition.objects.get(subject="Winter picks").versions.count() == 2
