"""The "Support" group (created by privacy's 0006) reads orders, shipments and support tickets and answers
tickets; it has no privacy permission (no consent ledger, no export, no erasure). See docs/privacy.md."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPPORT = [
    "view_order",
    "view_orderline",
    "view_shipment",
    "view_supportticket",
    "change_supportticket",
    "view_supportreply",
    "add_supportreply",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    support, _ = Group.objects.get_or_create(name="Support")
    support.permissions.add(*Permission.objects.filter(content_type__app_label="shop", codename__in=SUPPORT))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    support = Group.objects.filter(name="Support").first()
    if support is not None:
        support.permissions.remove(*Permission.objects.filter(content_type__app_label="shop", codename__in=SUPPORT))


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_resend_order_emails_schedule"),
        ("privacy", "0008_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
