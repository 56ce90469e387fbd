"""Demo data for privacy (idempotent): a few choices so the dashboard has something to show."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model

from privacy import services
from privacy.models import PrivacySettings


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
        services.set_ad_sharing(user=grace, share=True)  # sharing needs this explicit yes
    return [
        *seed_policy_change(),
        "Privacy: /privacy/ (dashboard), /privacy/export/ (download my data), /privacy/delete/",
        "Privacy: /privacy/ (dashboard), /privacy/cookies/, /privacy/ad-sharing/; "
        "ad feed: python manage.py export_ad_feed (ada said no, grace said yes)",
    ]


_POLICY_DIR = Path(__file__).resolve().parent / "policy"
POLICY_V1 = (_POLICY_DIR / "v1.txt").read_text(encoding="utf-8")
POLICY_V2_CHANGE = "\n" + (_POLICY_DIR / "v2_change.txt").read_text(encoding="utf-8")
# The policy in the other languages (privacy.PolicyText): (title, version 1, version 2's added paragraph).
POLICY_TRANSLATIONS = {
    language: (
        title,
        (_POLICY_DIR / f"v1.{language}.txt").read_text(encoding="utf-8"),
        "\n" + (_POLICY_DIR / f"v2_change.{language}.txt").read_text(encoding="utf-8"),
    )
    for language, title in [("fr", "Politique de confidentialité"), ("de", "Datenschutzerklärung")]
}


def _seed_policy_texts(version, *, with_change: bool) -> None:
    from privacy.models import PolicyText

    for language, (title, v1, change) in POLICY_TRANSLATIONS.items():
        body = v1 + change if with_change else v1
        PolicyText.objects.get_or_create(
            policy_version=version, language=language, defaults={"title": title, "body": body}
        )


def seed_policy() -> list[str]:
    """Version 1 of the privacy policy (run first, so the seeded consent events name it)."""
    import datetime

    from django.utils import timezone

    from privacy.models import PolicyVersion

    version, _ = PolicyVersion.objects.get_or_create(
        version="1",
        defaults={
            "body": POLICY_V1,
            "effective_at": timezone.now() - datetime.timedelta(days=300),
            "is_material": False,
        },
    )
    _seed_policy_texts(version, with_change=False)
    return []


def seed_policy_change() -> list[str]:
    """Version 2, a material change in force from now: ada and grace (who joined before) are asked to review it."""
    from django.utils import timezone

    from privacy.models import PolicyVersion

    version, _ = PolicyVersion.objects.get_or_create(
        version="2",
        defaults={"body": POLICY_V1 + POLICY_V2_CHANGE, "effective_at": timezone.now(), "is_material": True},
    )
    _seed_policy_texts(version, with_change=True)
    return ["Privacy policy: /privacy/policy/ (version 2 is a material change: ada and grace are asked to review it)"]
