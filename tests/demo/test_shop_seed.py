import pytest

from demo.seeds import accounts as accounts_demo
from demo.seeds import shop as seed
from privacy.models import Disclosure
from shop.models import Contest, ContestEntry, Order, Product


@pytest.mark.django_db
def test_demo_seed_is_idempotent_and_believable(django_capture_on_commit_callbacks, mailoutbox):
    accounts_demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        seed.seed()
    seed.seed()
    assert Product.objects.filter(is_published=True).count() == 12
    assert all(p.styles.exists() for p in Product.objects.all())
    assert Order.objects.filter(user__email=seed.DEMO_SHOPPER).count() == 2
    assert Disclosure.objects.filter(recipient_kind="carrier").count() == 1
    assert Contest.objects.filter(drawn_at__isnull=False).exists()
    winners = sorted(ContestEntry.objects.filter(is_winner=True).values_list("email", flat=True))
    assert winners
    won = [m for m in mailoutbox if m.subject.startswith("You won:")]
    assert sorted(m.to[0] for m in won) == winners  # each winner emailed once, the re-seed sends nothing again
    assert len(mailoutbox) - len(won) == 5  # Ada's two confirmations and shipping notice, Camille's and Lena's


@pytest.mark.django_db
def test_the_french_and_german_shoppers_have_an_order_confirmed_in_their_language(
    django_capture_on_commit_callbacks, mailoutbox
):
    accounts_demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        seed.seed()
    for email, language, subject, total in [
        ("camille@example.com", "fr", "Votre commande", "94,90\u00a0€"),
        ("lena@example.com", "de", "Ihre Bestellung", "196,50\u00a0€"),
    ]:
        order = Order.objects.get(user__email=email)
        assert order.user.language == order.language == language
        [mail] = [m for m in mailoutbox if m.to == [email]]
        assert mail.subject.startswith(f"{subject} {order.number}")
        assert total in mail.body
    assert "In French: camille@example.com; in German: lena@example.com" in accounts_demo.seed()
