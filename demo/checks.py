"""Demo mode must never reach production: `manage.py check --deploy` fails while the demo app is installed."""

from django.apps import apps
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def demo_mode_is_off(app_configs, **kwargs) -> list[Error]:
    if not apps.is_installed("demo"):
        return []
    return [
        Error(
            "DEMO is on: the demo app (seed data, the demo mailbox) is installed.",
            hint="Unset DEMO (it is only for `make demo`) before deploying.",
            id="demo.E001",
        )
    ]
