"""The shop's transactional kinds must be declared to subscriptions, or every order email would be refused."""

from django.core.checks import Error, register

from subscriptions.app_settings import app_settings as subscriptions_settings


@register()
def shop_email_kinds_declared(app_configs, **kwargs) -> list[Error]:
    from .emails import ShopEmailKind

    missing = [kind.value for kind in ShopEmailKind if kind.value not in subscriptions_settings.MESSAGE_KINDS]
    if not missing:
        return []
    return [
        Error(
            f"SUBSCRIPTIONS_MESSAGE_KINDS lacks the shop's email kinds {missing}.",
            hint='Add them, e.g. SUBSCRIPTIONS_MESSAGE_KINDS = {"order": "Order", ...}.',
            id="shop.E001",
        )
    ]
