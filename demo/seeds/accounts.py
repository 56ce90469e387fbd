"""Demo data for accounts (idempotent)."""

from __future__ import annotations

import secrets

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Address, AgeBand, User

STAFF_EMAIL = "staff@example.com"
SHOPPERS = [
    ("ada@example.com", "Ada", "Lovelace", "GB", AgeBand.ADULT),
    ("grace@example.com", "Grace", "Hopper", "US", AgeBand.ADULT),
    ("tim@example.com", "Tim", "Berners", "FR", AgeBand.TEEN_SUPERVISED),
]
SHOPPER_PASSWORD = "demo-shopper-pass-2026"  # noqa: S105 (published demo credentials)


def seed() -> list[str]:
    lines = []
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is None:
        password = secrets.token_urlsafe(12)
        staff = User.objects.create_superuser(STAFF_EMAIL, password, first_name="Sam", last_name="Staff")
        lines.append(f"Staff login: {STAFF_EMAIL} / {password}  (shown once; re-run with --reset-staff-password)")
    else:
        lines.append(f"Staff login: {STAFF_EMAIL} (password printed on the first run; --reset-staff-password)")
    EmailAddress.objects.get_or_create(user=staff, email=staff.email, defaults={"primary": True, "verified": True})
    for email, first, last, country, band in SHOPPERS:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "country": country,
                "age_band": band,
                "age_attested_at": timezone.now(),
                "age_attestation_version": "2026-11",
            },
        )
        if created:
            user.set_password(SHOPPER_PASSWORD)
            user.save()
            Address.objects.create(
                user=user,
                kind=Address.Kind.SHIPPING,
                full_name=f"{first} {last}",
                line1="10 Demo Street",
                city="Paris",
                postal_code="75001",
                country=country,
                is_default=True,
            )
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
    lines.append(f"Shoppers: {', '.join(s[0] for s in SHOPPERS)} / {SHOPPER_PASSWORD}")
    return lines


def reset_staff_password() -> str:
    password = secrets.token_urlsafe(12)
    staff = User.objects.get(email=STAFF_EMAIL)
    staff.set_password(password)
    staff.save(update_fields=["password"])
    return f"Staff login: {STAFF_EMAIL} / {password}"
