"""Privacy-policy versions: which material change is in force and who still has to acknowledge it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..app_settings import app_settings
from ..models import ConsentEvent, PolicyVersion
from ..services import record_consent
from ..subjects import user_subject

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest


def material_policy_in_force() -> PolicyVersion | None:
    """The newest material version already in force (the one shoppers are asked to review)."""
    return (
        PolicyVersion.objects.filter(effective_at__lte=timezone.now(), is_material=True)
        .order_by("-effective_at")
        .first()
    )


def needs_policy_review(user: AbstractBaseUser, version: PolicyVersion | None) -> bool:
    """A signed-in shopper who joined before a material change and hasn't acknowledged it yet."""
    if version is None or not user.is_authenticated or getattr(user, "is_staff", False):
        return False
    joined = getattr(user, "date_joined", None)
    if joined is not None and joined >= version.effective_at:
        return False
    return not ConsentEvent.objects.filter(
        user_id=user.pk,
        purpose=app_settings.POLICY_PURPOSE,
        action=ConsentEvent.Action.ACKNOWLEDGED,
        value=version.version,
    ).exists()


@transaction.atomic
def acknowledge_policy(
    *, user: AbstractBaseUser, version: PolicyVersion, request: HttpRequest | None = None
) -> ConsentEvent | None:
    """The shopper read the changed policy. One ConsentEvent per version (repeating it writes nothing)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if not needs_policy_review(user, version):
        return None
    return record_consent(
        subject=user_subject(user.pk),
        purpose=app_settings.POLICY_PURPOSE,
        action=ConsentEvent.Action.ACKNOWLEDGED,
        method=ConsentEvent.Method.PREFERENCE_CENTER,
        value=version.version,
        user=user,
        request=request,
    )
