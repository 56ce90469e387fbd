import factory
from django.utils import timezone

from accounts.models import Address, AgeBand, User

PASSWORD = "correct-horse-battery-staple-42"
# Staff must have a second factor before the admin opens (config/admin.py): StaffFactory gives them this TOTP app.
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = STAFF_TOTP_SECRET, not_before: int | None = None) -> str:
    """The code an authenticator app shows for `secret`, as a person would type it: never in the last seconds of
    its 30-second window (allauth accepts only the current window, MFA_TOTP_TOLERANCE 0, so a code read at 29.9 s
    and checked at 30.1 s on a loaded CI machine is refused), and from window `not_before` on when given (allauth
    refuses a code its user has already used: a second sign-in waits for the next code, as a person does)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    while True:
        now = time.time()
        counter, into = divmod(now, 30)
        if into < 25 and (not_before is None or counter >= not_before):
            return format_hotp_value(hotp_value(secret, int(counter)))
        time.sleep(30 - into + 0.05)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    country = "FR"
    age_band = AgeBand.ADULT
    age_attested_at = factory.LazyFunction(timezone.now)
    age_attestation_version = "2026-11"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            if extracted is not False:
                from allauth.account.models import EmailAddress

                EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


class StaffFactory(UserFactory):
    """A superuser (pass is_superuser=False for plain staff) with a TOTP app; totp=False: no second factor."""

    is_staff = True
    is_superuser = True

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(obj, STAFF_TOTP_SECRET)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    kind = Address.Kind.SHIPPING
    full_name = factory.LazyAttribute(lambda a: a.user.get_full_name() or "Alex Martin")
    line1 = "12 Rue de la Paix"
    city = "Paris"
    postal_code = "75002"
    country = "FR"
    is_default = True


# Subscriptions (preference center)


class TopicFactory(factory.django.DjangoModelFactory):
    """The three launch topics come from a data migration; get_or_create keeps them (and works after a flush)."""

    class Meta:
        model = "subscriptions.Topic"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").capitalize())
    allowed_frequencies = factory.LazyFunction(lambda: ["twice_weekly", "weekly", "monthly"])
    default_frequency = "weekly"
    position = factory.Sequence(lambda n: 100 + n)


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed guest by default; pass confirmed_at=None for an unconfirmed one."""

    class Meta:
        model = "subscriptions.Subscriber"

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    confirmed_at = factory.LazyFunction(timezone.now)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "subscriptions.Subscription"

    subscriber = factory.SubFactory(SubscriberFactory)
    topic = factory.SubFactory(TopicFactory)
    frequency = "weekly"
    state = "active"


def launch_topics() -> dict:
    """The three seeded topics (re-created if a transactional test flushed them)."""
    rows = [
        ("newsletter", "Newsletter and special offers", ["twice_weekly", "weekly", "monthly"], "twice_weekly", 10),
        ("new-brands-and-styles", "New brands and product styles", ["twice_weekly", "weekly", "monthly"], "weekly", 20),
        ("contests", "Contests and giveaways", ["weekly", "monthly"], "monthly", 30),
    ]
    return {
        slug: TopicFactory(
            slug=slug, name=name, allowed_frequencies=allowed, default_frequency=default, position=position
        )
        for slug, name, allowed, default, position in rows
    }


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "shop.Brand"

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    is_published = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "shop.Category"

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "shop.Product"

    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    price = "19.90"


class ProductStyleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "shop.ProductStyle"

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"Style {n}")
    is_published = True


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review as stored. Published ones get a publication date; use reviews.services to publish with masking."""

    class Meta:
        model = "reviews.Review"

    product = factory.SubFactory(ProductFactory)
    rating = 4
    title = factory.Sequence(lambda n: f"Review title {n}")
    body = "Comfortable and well made. Runs a little large."
    display_name = factory.Faker("first_name")
    email = factory.Sequence(lambda n: f"reviewer{n}@example.net")
    city = "Lyon"
    country = "FR"
    status = "published"
    confirmed_at = factory.LazyFunction(timezone.now)
    published_at = factory.LazyFunction(timezone.now)


def age_answer(iso_date: str) -> dict:
    """The age screen's three boxes (Day, Month, Year) filled with a YYYY-MM-DD date."""
    year, month, day = ([*iso_date.split("-"), "", "", ""])[:3]
    return {"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}


def past_age_screen(client):
    """Make a test client a browser that answered the guest forms' age screen once, as an adult (the signed
    cookie accounts.age_screen.pass_browser sets)."""
    from django.core.signing import get_cookie_signer

    from accounts.age_screen import SALT
    from accounts.app_settings import app_settings

    signer = get_cookie_signer(salt=app_settings.PASS_COOKIE + SALT + ".pass")
    client.cookies[app_settings.PASS_COOKIE] = signer.sign("adult")
    return client
