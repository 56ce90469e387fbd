import os

# The shop as it presents itself in pages and email footers.
SHOP_NAME = env("SHOP_NAME", default="Example Shop")
SHOP_POSTAL_ADDRESS = env("SHOP_POSTAL_ADDRESS", default="Example Shop, 1 Market Street, 75001 Paris, France")

# The reusable apps' own settings: each default lives only in the app's app_settings.py. The shop wires its own
# identity into them, and any of the variables below, when set in the environment, overrides the app's default.
SUBSCRIPTIONS_SITE_NAME = SHOP_NAME
SUBSCRIPTIONS_SITE_URL = SITE_URL
SUBSCRIPTIONS_POSTAL_ADDRESS = SHOP_POSTAL_ADDRESS
SUBSCRIPTIONS_TIME_ZONE = SHOP_TIME_ZONE
PRIVACY_AD_FEED_DIR = VAR_DIR / "ad-feed"
# The shop's own transactional kinds (shop.emails.ShopEmailKind, reviews.emails.KIND), tagged on its emails and in
# the sent-email log.
SUBSCRIPTIONS_MESSAGE_KINDS = {
    "order": "Order",
    "shipping": "Shipping",
    "support": "Customer service",
    "contest": "Contest result (winners only)",
    "review": "Review confirmation",
}
if "MAILING_SLOTS" in os.environ:
    SUBSCRIPTIONS_MAILING_SLOTS = env("MAILING_SLOTS")
_APP_VARIABLES = {
    "SUBSCRIPTIONS_WEEKLY_CAP": int,
    "SUBSCRIPTIONS_SEND_BATCH_SIZE": int,
    "SUBSCRIPTIONS_SEND_CHUNK": int,
    "SUBSCRIPTIONS_SEND_LEASE_SECONDS": int,
    "SUBSCRIPTIONS_SEND_MAX_ATTEMPTS": int,
    "SUBSCRIPTIONS_SEND_RETRIES": int,
    "SUBSCRIPTIONS_SEND_RETRY_BACKOFF": float,
    "SUBSCRIPTIONS_SEND_RETRY_MAX_WAIT": float,
    "SUBSCRIPTIONS_SEND_CONCURRENCY": int,
    "SUBSCRIPTIONS_SEND_PIPELINE": int,
    "SUBSCRIPTIONS_SMTP_CONNECTIONS": int,
    "SUBSCRIPTIONS_ESP_TEMPLATES": bool,
    "SUBSCRIPTIONS_SUPPRESSION_KEY": str,
    "SUBSCRIPTIONS_UNSUBSCRIBE_MAILTO": str,
    "SHOP_CURRENCY": str,
    "ACCOUNTS_AGE_REFUSAL_HOURS": int,
    "ACCOUNTS_AGE_PASS_DAYS": int,
    "ACCOUNTS_ATTESTATION_VERSION": str,
    "PRIVACY_ACCESS_LOG_RETENTION_DAYS": int,
    "PRIVACY_ACCESS_LOG_IP_DAYS": int,
    "PRIVACY_AD_FEED_HASH_KEY": str,
    "PRIVACY_ORDER_RETENTION_YEARS": int,
}
globals().update({name: env(name, cast=cast) for name, cast in _APP_VARIABLES.items() if name in os.environ})
if "SUBSCRIPTIONS_SEND_RATE_LIMITS" in os.environ:  # e.g. Postmark=100,Amazon SES=14 (calls/s per worker process)
    SUBSCRIPTIONS_SEND_RATE_LIMITS = {
        name.strip(): float(rate) for name, rate in env.dict("SUBSCRIPTIONS_SEND_RATE_LIMITS").items()
    }
# The only pages where third-party tags may run (with consent): catalogue and content pages. Never checkout,
# payment, orders, account, privacy, token or admin pages (tests/privacy/test_tag_allow_list.py crawls them all).
PRIVACY_TAG_PAGES = ["home", "shop:product_list", "shop:product", "shop:contests", "shop:contest_winners"]
# Signed-in requests under these paths go to the AccessLog (account, privacy and token pages); the secret segment
# after each token URL's prefix is stored as "<token>". Privacy knows none of these paths: the host mounts them.
PRIVACY_ACCESS_LOG_PATH_PREFIXES = ["/accounts/", "/privacy/", "/preferences/", "/unsubscribe/", "/subscribe/"]
PRIVACY_ACCESS_LOG_TOKEN_PATTERNS = [
    r"^(/unsubscribe/)[^/]+",
    r"^(/preferences/)[^/]+",
    r"^(/subscribe/confirm/)[^/]+",
    r"^(/accounts/confirm-email/)[^/]+",
    r"^(/accounts/password/reset/key/)[^/]+",
    r"^(/privacy/request/)[^/]+",
]
