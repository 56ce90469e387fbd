"""subscriptions' writes, one module per feature; import them from here (`from subscriptions import services`).

sending: render_email, send_transactional (the one way out for transactional mail) · subscribers: subscribe,
confirm, the account's Subscriber, key rotation · preferences: topics, frequencies, pause, unsubscribe, resubscribe ·
suppression: the suppression list and suppressing a subscriber · alerts: the alerts topic's queue · consent: the
row lock and the ConsentEvent every write above shares.
"""

from ..addresses import email_hash, normalise_email
from .alerts import queue_alert
from .consent import ALL_MARKETING, OFF, topic_purpose
from .preferences import (
    change_frequency,
    pause_all,
    resubscribe_all,
    resubscribe_topic,
    unsubscribe_all,
    unsubscribe_topic,
    update_topics,
)
from .sending import render_email, send_transactional
from .subscribers import (
    change_subscriber_email,
    confirm_account_subscriber,
    confirm_subscriber,
    purge_unconfirmed_subscribers,
    rotate_subscriber_key,
    set_subscriber_language,
    subscribe_from_signup,
    subscribe_guest,
    subscriber_for_user,
)
from .suppression import add_suppression, suppress_subscriber, suppression_reason

__all__ = [
    "ALL_MARKETING",
    "OFF",
    "add_suppression",
    "change_frequency",
    "change_subscriber_email",
    "confirm_account_subscriber",
    "confirm_subscriber",
    "email_hash",
    "normalise_email",
    "pause_all",
    "purge_unconfirmed_subscribers",
    "queue_alert",
    "render_email",
    "resubscribe_all",
    "resubscribe_topic",
    "rotate_subscriber_key",
    "send_transactional",
    "set_subscriber_language",
    "subscribe_from_signup",
    "subscribe_guest",
    "subscriber_for_user",
    "suppress_subscriber",
    "suppression_reason",
    "topic_purpose",
    "unsubscribe_all",
    "unsubscribe_topic",
    "update_topics",
]
