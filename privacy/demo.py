"""Demo data for privacy (idempotent): a few choices so the dashboard has something to show."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from . import services
from .models import PrivacySettings


def seed() -> list[str]:
    users = {
        user.email: user for user in get_user_model().objects.filter(email__in=["ada@example.com", "grace@example.com"])
    }
    ada, grace = users.get("ada@example.com"), users.get("grace@example.com")
    if ada is not None and not PrivacySettings.objects.filter(user=ada, cookies_chosen_at__isnull=False).exists():
        services.save_cookie_choice(user=ada, categories=["preferences"])
        services.set_ad_sharing(user=ada, share=False)
    if grace is not None and not PrivacySettings.objects.filter(user=grace, cookies_chosen_at__isnull=False).exists():
        services.save_cookie_choice(user=grace, categories=["preferences", "analytics", "advertising"])
    lines = seed_policy_change()
    return lines + [
        "Privacy: /privacy/ (dashboard), /privacy/export/ (download my data), /privacy/delete/",
        "Privacy: /privacy/ (dashboard), /privacy/cookies/, /privacy/ad-sharing/; "
        "ad feed: python manage.py export_ad_feed (ada opted out, grace shared)",
    ]


POLICY_V1 = """We collect what you give us when you register (email address, name, country, optional phone and gender) and an attestation of your age band; never your date of birth. Nobody under 13 may hold an account; 13 to 17 year olds need a parent or guardian's supervision.

Newsletters go only to addresses that asked for them and confirmed; you choose each topic and its frequency (at most twice a week), pause or stop in one click from every email, without logging in. Order, account, customer-service and service emails are not marketing and are sent whatever your choices.

Cookies: only necessary cookies until you choose; analytics (including newsletter open beacons) and advertising cookies only with your agreement. Global Privacy Control is honoured.

With your agreement we give our advertising partner a keyed hash of your email address, never the address itself. You can switch it off at any time.

We keep a log of visits to your account and privacy pages for 90 days, with the IP address truncated.

Reviews show the name and location you choose; your email address is never published.

We disclose personal data only to carriers (to deliver), the payment processor (to charge), our advertising partner (as above) and authorities with a lawful request; each disclosure is logged and shown in your privacy dashboard.

You can download your data and delete your account at any time from /privacy/. Orders are kept for 10 years for the accounts, without your name, email, phone or addresses."""

POLICY_V2_CHANGE = """

Changes in version 2: you can now download your data and delete your account yourself, and we explain how long each kind of data is kept."""


def seed_policy() -> list[str]:
    """Version 1 of the privacy policy (run first, so the seeded consent events name it)."""
    import datetime

    from django.utils import timezone

    from .models import PolicyVersion

    PolicyVersion.objects.get_or_create(
        version="1",
        defaults={
            "body": POLICY_V1,
            "effective_at": timezone.now() - datetime.timedelta(days=300),
            "is_material": False,
        },
    )
    return []


def seed_policy_change() -> list[str]:
    """Version 2, a material change in force from now: ada and grace (who joined before) are asked to review it."""
    from django.utils import timezone

    from .models import PolicyVersion

    PolicyVersion.objects.get_or_create(
        version="2",
        defaults={"body": POLICY_V1 + POLICY_V2_CHANGE, "effective_at": timezone.now(), "is_material": True},
    )
    return ["Privacy policy: /privacy/policy/ (version 2 is a material change: ada and grace are asked to review it)"]
