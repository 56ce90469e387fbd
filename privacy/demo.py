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
    return [
        "Privacy: /privacy/ (dashboard), /privacy/cookies/, /privacy/ad-sharing/; "
        "ad feed: python manage.py export_ad_feed (ada opted out, grace shared)"
    ]
