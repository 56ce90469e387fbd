"""Subscriptions settings, each with its default in one place (read as `app_settings.NAME`)."""

from django.conf import settings


class AppSettings:
    @property
    def SITE_NAME(self) -> str:
        """The sender's name in email headers, footers and pages."""
        return getattr(settings, "SUBSCRIPTIONS_SITE_NAME", "Our shop")

    @property
    def SITE_URL(self) -> str:
        """The absolute base of every link in an email (https in production)."""
        return getattr(settings, "SUBSCRIPTIONS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

    @property
    def POSTAL_ADDRESS(self) -> str:
        """The sender's postal address, printed in every email footer (the law wants it in commercial email)."""
        return getattr(settings, "SUBSCRIPTIONS_POSTAL_ADDRESS", "")

    @property
    def TIME_ZONE(self) -> str:
        """The calendar of mailing slots, pauses and "today" (an IANA zone name)."""
        return getattr(settings, "SUBSCRIPTIONS_TIME_ZONE", None) or settings.TIME_ZONE

    @property
    def MAILING_SLOTS(self) -> str:
        """Weekly mailing slots in TIME_ZONE, comma-separated, like "tue@09:00,fri@09:00" (see schedule.py)."""
        return getattr(settings, "SUBSCRIPTIONS_MAILING_SLOTS", "tue@09:00,fri@09:00")

    @property
    def WEEKLY_CAP(self) -> int:
        """The most marketing emails one person gets per ISO week (in TIME_ZONE), across all topics: the policy's
        "twice a week". Topics due in the same slot arrive as one email with a section each (it counts once)."""
        return getattr(settings, "SUBSCRIPTIONS_WEEKLY_CAP", 2)

    @property
    def ALERTS_TOPIC(self) -> str:
        """The slug of the topic whose editions gather queued alerts (subscriptions.services.queue_alert)."""
        return getattr(settings, "SUBSCRIPTIONS_ALERTS_TOPIC", "new-brands-and-styles")

    @property
    def MESSAGE_KINDS(self) -> dict[str, str]:
        """The host's own transactional message kinds (value: label), e.g. {"order": "Order"}."""
        return dict(getattr(settings, "SUBSCRIPTIONS_MESSAGE_KINDS", {}))

    @property
    def TOKEN_MAX_AGE_DAYS(self) -> int:
        """How long an emailed unsubscribe or preferences link keeps working (the law wants at least a year)."""
        return getattr(settings, "SUBSCRIPTIONS_TOKEN_MAX_AGE_DAYS", 400)

    @property
    def CONFIRM_MAX_AGE_DAYS(self) -> int:
        """How long a double opt-in confirmation link keeps working."""
        return getattr(settings, "SUBSCRIPTIONS_CONFIRM_MAX_AGE_DAYS", 14)

    @property
    def UNSUBSCRIBE_MAILTO(self) -> str:
        """An address for `List-Unsubscribe: <mailto:...>` (empty: only the https link is offered)."""
        return getattr(settings, "SUBSCRIPTIONS_UNSUBSCRIBE_MAILTO", "")

    @property
    def SUBSCRIBE_RATE_PER_IP(self) -> int:
        """Subscribe form posts allowed per client IP per hour; past it the form answers 429."""
        return getattr(settings, "SUBSCRIPTIONS_SUBSCRIBE_RATE_PER_IP", 20)

    @property
    def SUBSCRIBE_RATE_PER_ADDRESS(self) -> int:
        """Confirmation emails per address per day; past it the form gives the same answer and sends nothing."""
        return getattr(settings, "SUBSCRIPTIONS_SUBSCRIBE_RATE_PER_ADDRESS", 3)

    @property
    def UNCONFIRMED_DAYS(self) -> int:
        """A guest subscription never confirmed is deleted this many days after it was asked for (nightly task)."""
        return getattr(settings, "SUBSCRIPTIONS_UNCONFIRMED_DAYS", 30)

    @property
    def PAUSE_MAX_DAYS(self) -> int:
        """The furthest date "pause everything until" accepts."""
        return getattr(settings, "SUBSCRIPTIONS_PAUSE_MAX_DAYS", 366)

    @property
    def FEWER_EMAILS_PAUSE_DAYS(self) -> int:
        """The "pause instead" choice on the unsubscribe page pauses a topic for this many days."""
        return getattr(settings, "SUBSCRIPTIONS_FEWER_EMAILS_PAUSE_DAYS", 90)

    @property
    def SEND_BATCH_SIZE(self) -> int:
        """Deliveries one batch task claims (and so at most one task's work)."""
        return getattr(settings, "SUBSCRIPTIONS_SEND_BATCH_SIZE", 1000)

    @property
    def SEND_CHUNK(self) -> int:
        """Messages handed to the ESP connection between two commits: the most a worker crash can resend (times
        SEND_PIPELINE when that is above 1; per-message ESPs: times SEND_PIPELINE + 1). A batch ESP whose limit per call
        is smaller (SES: 50) gets the chunk as several calls, SEND_CONCURRENCY of them at once."""
        return getattr(settings, "SUBSCRIPTIONS_SEND_CHUNK", 500)

    @property
    def SEND_LEASE_SECONDS(self) -> int:
        """How long a claimed batch belongs to its worker; after that a sweep hands it to another."""
        return getattr(settings, "SUBSCRIPTIONS_SEND_LEASE_SECONDS", 300)

    @property
    def SEND_MAX_ATTEMPTS(self) -> int:
        """Claims of a delivery (each with SEND_RETRIES calls) before one the ESP keeps failing is marked failed."""
        return getattr(settings, "SUBSCRIPTIONS_SEND_MAX_ATTEMPTS", 5)

    @property
    def SEND_RETRIES(self) -> int:
        """Calls per chunk inside one batch task when the ESP answers 429, 5xx or not at all (then it waits)."""
        return getattr(settings, "SUBSCRIPTIONS_SEND_RETRIES", 4)

    @property
    def SEND_RETRY_BACKOFF(self) -> float:
        """Seconds before the first retry; doubled each time, with jitter, never less than the ESP's Retry-After."""
        return getattr(settings, "SUBSCRIPTIONS_SEND_RETRY_BACKOFF", 1.0)

    @property
    def SEND_RETRY_MAX_WAIT(self) -> float:
        """The longest wait between two tries of a chunk (a longer Retry-After is cut to this)."""
        return getattr(settings, "SUBSCRIPTIONS_SEND_RETRY_MAX_WAIT", 30.0)

    @property
    def SEND_CONCURRENCY(self) -> int:
        """API calls in flight per worker process for ESPs without a batch API (threads; 1: one at a time). The ESP's
        own limit is SEND_RATE_LIMITS' job: concurrency only covers its latency (32 calls at 50 ms: 640/s at most)."""
        return getattr(settings, "SUBSCRIPTIONS_SEND_CONCURRENCY", 32)

    @property
    def SEND_PIPELINE(self) -> int:
        """Batch-API ESPs: chunks whose call may be in flight (a background thread, its own connection) while the
        worker builds the next chunk and records the last; per-message ESPs: one chunk more (the next chunk's
        messages join the pool while the last is recorded); 0: build, call and record one chunk at a time."""
        return getattr(settings, "SUBSCRIPTIONS_SEND_PIPELINE", 1)

    @property
    def SMTP_CONNECTIONS(self) -> int:
        """Django's SMTP backend: connections a worker process sends a batch on at once (each in its own thread)."""
        return getattr(settings, "SUBSCRIPTIONS_SMTP_CONNECTIONS", 4)

    @property
    def SEND_RATE_LIMITS(self) -> dict[str, float]:
        """Most API calls per second per worker process, by anymail esp_name ({"Postmark": 100}); unset: no cap."""
        return getattr(settings, "SUBSCRIPTIONS_SEND_RATE_LIMITS", {})

    @property
    def ESP_TEMPLATES(self) -> bool:
        """Postmark and Amazon SES: send each chunk as one batch call through a template stored at the ESP (created
        per rendering, deleted when the edition is done); False: one call per message (docs/mailing.md)."""
        return getattr(settings, "SUBSCRIPTIONS_ESP_TEMPLATES", True)

    @property
    def SOFT_BOUNCE_LIMIT(self) -> int:
        """Soft bounces (temporary failures) after which an address is suppressed."""
        return getattr(settings, "SUBSCRIPTIONS_SOFT_BOUNCE_LIMIT", 3)

    @property
    def SUPPRESSION_KEY(self) -> str:
        """The key of the suppression list's email hashes (keep it when rotating SECRET_KEY)."""
        return getattr(settings, "SUBSCRIPTIONS_SUPPRESSION_KEY", "") or settings.SECRET_KEY


app_settings = AppSettings()
