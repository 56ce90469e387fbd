"""Shop settings, each with its default in one place (read as `app_settings.NAME`)."""

from decimal import Decimal

from django.conf import settings


class AppSettings:
    @property
    def MAX_QUANTITY(self) -> int:
        """The most of one product (and style) a cart may hold."""
        return getattr(settings, "SHOP_MAX_QUANTITY", 20)

    @property
    def CURRENCY(self) -> str:
        """The ISO 4217 code prices are in: new orders keep it, pages and emails format amounts in it."""
        return getattr(settings, "SHOP_CURRENCY", "EUR")

    @property
    def SHIPPING_COSTS(self) -> dict[str, Decimal]:
        """Flat shipping cost per carrier."""
        return getattr(settings, "SHOP_SHIPPING_COSTS", {"dhl": Decimal("5.90"), "ups": Decimal("7.50")})

    @property
    def TRACKING_URLS(self) -> dict[str, str]:
        """Each carrier's public tracking page; {number} becomes the (URL-quoted) tracking number."""
        return getattr(
            settings,
            "SHOP_TRACKING_URLS",
            {
                "dhl": "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?submit=1&tracking-id={number}",
                "ups": "https://www.ups.com/track?loc=en_US&tracknum={number}",
            },
        )

    @property
    def RESEND_AFTER_MINUTES(self) -> int:
        """Order emails still unsent this long after they were written are sent again by the beat task."""
        return getattr(settings, "SHOP_RESEND_AFTER_MINUTES", 10)

    @property
    def CONTACT_RATE_LIMIT(self) -> tuple[int, int]:
        """(messages, seconds): how many contact-form messages one client may send in a window."""
        return getattr(settings, "SHOP_CONTACT_RATE_LIMIT", (5, 3600))

    @property
    def CONTACT_ATTEMPT_LIMIT(self) -> tuple[int, int]:
        """(posts, seconds): posts of the contact form (valid or not) from one client, counted before any check."""
        return getattr(settings, "SHOP_CONTACT_ATTEMPT_LIMIT", (30, 3600))

    @property
    def CONTEST_ATTEMPT_LIMIT(self) -> tuple[int, int]:
        """(posts, seconds): contest entry posts from one client, counted before the form is checked."""
        return getattr(settings, "SHOP_CONTEST_ATTEMPT_LIMIT", (10, 3600))

    @property
    def PAYMENT_PROCESSOR_NAME(self) -> str:
        return getattr(settings, "SHOP_PAYMENT_PROCESSOR_NAME", "Test payment processor")

    CART_SESSION_KEY = "shop_cart"
    CHECKOUT_SESSION_KEY = "shop_checkout_key"


app_settings = AppSettings()
