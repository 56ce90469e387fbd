"""The two staff groups of docs/privacy.md. "Privacy officer": every privacy model (the consent ledger, the
disclosure log, access logs, data requests and exports, policy versions) and the right to run exports and
erasures. "Support": nothing of privacy; shop adds its order and ticket view permissions to it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    officer, _ = Group.objects.get_or_create(name="Privacy officer")
    officer.permissions.add(
        *Permission.objects.filter(content_type__app_label="privacy", codename__in=PRIVACY_OFFICER)
    )
    Group.objects.get_or_create(name="Support")


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Privacy officer", "Support"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0007_datarequest_dataexport"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
