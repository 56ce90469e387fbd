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
    ("camille@example.com", "Camille", "Durand", "FR", AgeBand.ADULT),
    ("lena@example.com", "Lena", "Schmidt", "DE", AgeBand.ADULT),
]
# The shoppers who chose a language (User.language): their pages and emails are in it. The others use the default.
LANGUAGES = {"camille@example.com": "fr", "lena@example.com": "de"}
# Each shopper's delivery address: (line1, city, postal code); the default is the Paris demo street.
ADDRESSES = {"lena@example.com": ("Torstraße 12", "Berlin", "10119")}
DEFAULT_ADDRESS = ("10 Demo Street", "Paris", "75001")
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
                "language": LANGUAGES.get(email, ""),
            },
        )
        if created:
            user.set_password(SHOPPER_PASSWORD)
            user.save()
            line1, city, postal_code = ADDRESSES.get(email, DEFAULT_ADDRESS)
            Address.objects.create(
                user=user,
                kind=Address.Kind.SHIPPING,
                full_name=f"{first} {last}",
                line1=line1,
                city=city,
                postal_code=postal_code,
                country=country,
                is_default=True,
            )
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
    lines.append(f"Shoppers: {', '.join(s[0] for s in SHOPPERS)} / {SHOPPER_PASSWORD}")
    lines.append(
        f"In French: {', '.join(e for e, code in LANGUAGES.items() if code == 'fr')}; in German: "
        f"{', '.join(e for e, code in LANGUAGES.items() if code == 'de')}"
    )
    return lines


def reset_staff_password() -> str:
    password = secrets.token_urlsafe(12)
    staff = User.objects.get(email=STAFF_EMAIL)
    staff.set_password(password)
    staff.save(update_fields=["password"])
    return f"Staff login: {STAFF_EMAIL} / {password}"
