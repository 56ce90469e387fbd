"""Privacy settings, each with its default in one place (read as `app_settings.NAME`)."""

from django.conf import settings


class AppSettings:
    @property
    def CONSENT_COOKIE_NAME(self) -> str:
        """The signed cookie that stores a browser's cookie choice (itself a necessary cookie)."""
        return getattr(settings, "PRIVACY_CONSENT_COOKIE_NAME", "cookie_choice")

    @property
    def CONSENT_COOKIE_DAYS(self) -> int:
        """How long a cookie choice is remembered before the banner asks again."""
        return getattr(settings, "PRIVACY_CONSENT_COOKIE_DAYS", 180)

    @property
    def THIRD_PARTY_TAGS(self) -> dict[str, list[str]]:
        """Script URLs rendered by `{% consent_tags %}`, per cookie category, only with consent for it."""
        return getattr(
            settings,
            "PRIVACY_THIRD_PARTY_TAGS",
            {"advertising": ["https://tags.ad-partner.example/tag.js"], "analytics": []},
        )

    @property
    def TAG_PAGES(self) -> frozenset[str]:
        """The only pages where third-party tags may run (with consent): namespaced URL names of catalogue and
        content pages. Everything else (checkout, payment, orders, account, privacy, token links, admin, error
        pages) never runs one. Empty by default: a host lists its own pages (config/settings/ does)."""
        return frozenset(getattr(settings, "PRIVACY_TAG_PAGES", ()))

    @property
    def AD_PARTNER_NAME(self) -> str:
        """The advertising partner named in the Disclosure log and on the ad-sharing page."""
        return getattr(settings, "PRIVACY_AD_PARTNER_NAME", "Example Ad Partner")

    @property
    def AD_FEED_HASH_KEY(self) -> str:
        """The key of the keyed SHA-256 (HMAC) of each email in the ad-partner feed. Defaults to one derived
        from SECRET_KEY; set it explicitly to keep hashes stable across a SECRET_KEY rotation."""
        return getattr(settings, "PRIVACY_AD_FEED_HASH_KEY", "") or f"privacy.ad_feed:{settings.SECRET_KEY}"

    @property
    def AD_FEED_DIR(self):
        """Where the Celery task writes feed files for the partner to collect (default: var/ad-feed under the working
        directory; never a public media directory: the files hold hashes of addresses)."""
        from pathlib import Path

        return Path(getattr(settings, "PRIVACY_AD_FEED_DIR", Path("var") / "ad-feed"))

    @property
    def ACCESS_LOG_RETENTION_DAYS(self) -> int:
        """AccessLog rows older than this are deleted by the nightly task."""
        return getattr(settings, "PRIVACY_ACCESS_LOG_RETENTION_DAYS", 180)

    @property
    def ACCESS_LOG_IP_DAYS(self) -> int:
        """How long the access log keeps a full IP address; after that only its /24 (IPv4) or /48 (IPv6) network."""
        return getattr(settings, "PRIVACY_ACCESS_LOG_IP_DAYS", 30)

    @property
    def ACCESS_LOG_PATH_PREFIXES(self) -> tuple[str, ...]:
        """Signed-in requests under these paths are written to the AccessLog. Empty by default (nothing is logged):
        privacy doesn't know where the host mounts its pages, so the host lists them (config/settings/ does)."""
        return tuple(getattr(settings, "PRIVACY_ACCESS_LOG_PATH_PREFIXES", ()))

    @property
    def ACCESS_LOG_TOKEN_PATTERNS(self) -> tuple[str, ...]:
        """Regexes whose group 1 is kept and whose following path segment is a secret, logged as "<token>" (any
        other long token-like segment is redacted anyway). Empty by default; the host lists its token URLs."""
        return tuple(getattr(settings, "PRIVACY_ACCESS_LOG_TOKEN_PATTERNS", ()))

    @property
    def ACCESS_LOG_PURGE_BATCH(self) -> int:
        return getattr(settings, "PRIVACY_ACCESS_LOG_PURGE_BATCH", 5000)

    @property
    def ORDER_RETENTION_YEARS(self) -> int:
        """How long an erased person's orders are kept (with name, email, phone and addresses replaced)."""
        return getattr(settings, "PRIVACY_ORDER_RETENTION_YEARS", 10)

    @property
    def EXPORT_DAYS(self) -> int:
        """How long a "download my data" file is offered before the nightly task deletes it."""
        return getattr(settings, "PRIVACY_EXPORT_DAYS", 7)

    @property
    def REQUEST_DUE_DAYS(self) -> int:
        """A data request is due this many days after it was received."""
        return getattr(settings, "PRIVACY_REQUEST_DUE_DAYS", 30)

    @property
    def ERASED_EMAIL_DOMAIN(self) -> str:
        """Erased addresses become erased-<id>@<this domain> (a reserved, undeliverable domain)."""
        return getattr(settings, "PRIVACY_ERASED_EMAIL_DOMAIN", "erased.invalid")

    @property
    def GUEST_LINK_HOURS(self) -> int:
        """How long the emailed link of a guest's data request (/privacy/request/) works; used once."""
        return getattr(settings, "PRIVACY_GUEST_LINK_HOURS", 24)

    @property
    def GUEST_REQUEST_RATE_PER_IP(self) -> int:
        """Guest data requests one IP address may make per hour (past it: a 429 page, nothing sent)."""
        return getattr(settings, "PRIVACY_GUEST_REQUEST_RATE_PER_IP", 5)

    @property
    def GUEST_REQUEST_RATE_PER_ADDRESS(self) -> int:
        """Links one address may be sent per day (past it the page answers the same and nothing is sent)."""
        return getattr(settings, "PRIVACY_GUEST_REQUEST_RATE_PER_ADDRESS", 3)

    CONSENT_COOKIE_SALT = "privacy.cookie_choice"
    GPC_HEADER = "HTTP_SEC_GPC"
    AD_SHARING_PURPOSE = "ad_sharing"
    POLICY_PURPOSE = "policy"
    ERASURE_PURPOSE = "erasure"


app_settings = AppSettings()
