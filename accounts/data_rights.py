"""What accounts contributes to the privacy center: export sections, the eraser of the account row and the
addresses, and the age-attestation audit check (registered in AccountsConfig.ready)."""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from privacy.data_rights import erased_email, is_erased_email

from .models import Address, AgeBand, ConfirmedEmail, User


def export_profile(user: User) -> dict:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": str(user.phone or ""),
        "country": user.country.code if user.country else "",
        "gender": user.gender,
        "age_band": user.age_band,
        "age_attested_at": user.age_attested_at,
        "age_attestation_version": user.age_attestation_version,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def export_addresses(user: User) -> list[dict]:
    return [
        {
            "kind": a.kind,
            "full_name": a.full_name,
            "line1": a.line1,
            "line2": a.line2,
            "city": a.city,
            "region": a.region,
            "postal_code": a.postal_code,
            "country": a.country.code,
            "phone": str(a.phone or ""),
            "is_default": a.is_default,
        }
        for a in Address.objects.filter(user=user).order_by("created_at", "id")
    ]


def erase_account(user: User, *, retention: datetime.timedelta) -> dict:
    """Addresses and confirmed-address records are deleted; the account row is anonymised and deactivated
    (orders point at it and are kept for the retention period). Its email becomes a placeholder, so the person
    can sign up again as new, and the unusable password ends every session."""
    addresses = Address.objects.filter(user=user).delete()[0]
    email_addresses = EmailAddress.objects.filter(user=user).delete()[0]
    # Sign-in methods (TOTP secret, passkeys, recovery codes) and the session list (IPs, browsers) go too.
    authenticators = Authenticator.objects.filter(user=user).delete()[0]
    sessions = UserSession.objects.filter(user=user).delete()[0]
    ConfirmedEmail.objects.filter(user=user).delete()
    user.email = erased_email(user.pk)
    user.first_name = user.last_name = ""
    user.phone = ""
    user.country = ""
    user.gender = ""
    user.age_band = ""
    user.age_attested_at = None
    user.age_attestation_version = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return {
        "addresses_deleted": addresses,
        "email_addresses_deleted": email_addresses,
        "sign_in_methods_deleted": authenticators,
        "sessions_deleted": sessions,
        "account": "anonymised",
    }


def account_leftover(user: User) -> int:
    user.refresh_from_db()
    clear = int(
        not is_erased_email(user.email) or bool(user.first_name or user.last_name or user.phone) or user.is_active
    )
    return (
        clear
        + Address.objects.filter(user=user).count()
        + EmailAddress.objects.filter(user=user).count()
        + Authenticator.objects.filter(user=user).count()
        + UserSession.objects.filter(user=user).count()
        + ConfirmedEmail.objects.filter(user=user).count()
    )


def accounts_without_valid_age() -> tuple[int, list]:
    """Active shopper accounts (not staff) with no age attestation, or an age band other than 13-17 supervised
    or adult (nobody under 13 may hold an account)."""
    rows = User.objects.filter(is_active=True, is_staff=False).filter(
        Q(age_attested_at__isnull=True) | ~Q(age_band__in=AgeBand.values)
    )
    return rows.count(), list(rows.order_by("id").values_list("id", flat=True)[:5])


def minors() -> Q:
    """Accounts not attested 18 or over (relative to the user model): never in the ad-partner feed."""
    return ~Q(age_band=AgeBand.ADULT)


def unconfirmed_accounts() -> Q:
    """Accounts whose primary address was never confirmed through allauth's link: never in the ad-partner feed."""
    return ~Q(Exists(EmailAddress.objects.filter(user_id=OuterRef("pk"), primary=True, verified=True)))


def person_emails(user: User) -> list[str]:
    """Every address the account has confirmed, now or before (registered with privacy.registry.register_person_emails),
    in one query. A pending, unconfirmed change is not the person's address yet: typing a guest's address there must
    not bring the guest's reviews, subscriptions or orders into this account's export, preferences or erasure."""
    current = EmailAddress.objects.filter(user_id=user.pk, verified=True).values_list("email", flat=True)
    past = ConfirmedEmail.objects.filter(user_id=user.pk).order_by().values_list("email", flat=True)
    return list(current.order_by().union(past))


def account_for_email(email: str) -> User | None:
    """The account whose address this is, or that confirmed it once (registered with
    privacy.registry.register_account_finder): a guest request for it is sent to the account's own pages. An
    unconfirmed address another account merely typed is not that account's."""
    return (
        User.objects.filter(
            Q(email__iexact=email)
            | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
            | Q(pk__in=ConfirmedEmail.objects.filter(email__iexact=email).values("user_id"))
        )
        .order_by("pk")
        .first()
    )


def export_email_addresses(user: User) -> list[dict]:
    """The account's addresses: current ones (primary, confirmed or not) and every address it ever confirmed."""
    rows = {
        row.email.lower(): {"email": row.email, "primary": row.primary, "confirmed": row.verified, "confirmed_at": None}
        for row in EmailAddress.objects.filter(user_id=user.pk).order_by("id")
    }
    for past in ConfirmedEmail.objects.filter(user_id=user.pk):
        entry = rows.setdefault(
            past.email.lower(), {"email": past.email, "primary": False, "confirmed": True, "confirmed_at": None}
        )
        entry["confirmed_at"] = past.confirmed_at
    return list(rows.values())


def profile_section(user: User) -> list[dict]:
    """ "What we hold about you": the profile and every address of the account (labels in the reader's language)."""
    addresses = ", ".join(row["email"] for row in export_email_addresses(user)) or user.email
    return [
        {
            _("Name"): user.get_full_name(),
            _("Email addresses"): addresses,
            _("Phone"): str(user.phone or ""),
            _("Country"): user.country.name if user.country else "",
            _("Gender"): str(user.get_gender_display()) if user.gender else "",
            _("Age"): str(user.get_age_band_display()),
            _("Joined"): user.date_joined,
        }
    ]


def addresses_section(user: User) -> list[dict]:
    return [
        {_("Kind"): str(a.get_kind_display()), _("Address"): ", ".join(a.as_lines()), _("Phone"): str(a.phone or "")}
        for a in Address.objects.filter(user=user)
    ]
