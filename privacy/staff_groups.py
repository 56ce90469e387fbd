"""The staff groups of docs/privacy.md, kept after every `migrate` (post_migrate), so they exist on a fresh
database, come back after a test flush, and regain any permission a staff member removed by hand.

"Privacy officer": every privacy model (the consent ledger, the disclosure log, access logs, data requests and
exports, policy versions) and the right to run exports and erasures. "Support": nothing of privacy; shop adds its
order and ticket permissions to it (shop.apps). Staff may add permissions to a group; this only adds what is missing.
"""

from __future__ import annotations

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS

PRIVACY_OFFICER_GROUP = "Privacy officer"
SUPPORT_GROUP = "Support"
PRIVACY_OFFICER = [
    "view_consentevent",
    "view_disclosure",
    "view_accesslog",
    "view_privacysettings",
    "view_policyversion",
    "add_policyversion",
    "change_policyversion",
    "view_datarequest",
    "add_datarequest",
    "change_datarequest",
    "view_dataexport",
    "run_export",
    "run_erasure",
]


def ensure_group(name: str, app_label: str, codenames: list[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """The group exists and holds these permissions of `app_label` (those of them that exist)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.using(using).get_or_create(name=name)
    wanted = Permission.objects.using(using).filter(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.add(*wanted)


def group_keeper(name: str, codenames: list[str]):
    """A post_migrate receiver for an app: after Django has made the app's permissions, grant them to the group."""

    def keep(sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
        ensure_group(name, sender.label, codenames, using=using)

    return keep


keep_privacy_officer = group_keeper(PRIVACY_OFFICER_GROUP, PRIVACY_OFFICER)
keep_support = group_keeper(SUPPORT_GROUP, [])
