"""Subscriptions' models, one module per feature; callers import them from here (`from subscriptions.models`)."""

from .choices import SENDING_FREQUENCIES, Frequency, MessageKind, SuppressionReason, message_kind_choices
from .mailing import Delivery, Edition, EditionVersion
from .messages import AnnouncementDelivery, SentEmail, ServiceAnnouncement
from .subscribers import Subscriber, Subscription, Suppression, new_secret_key
from .topics import AlertItem, Topic, TopicTranslation

__all__ = [
    "SENDING_FREQUENCIES",
    "AlertItem",
    "AnnouncementDelivery",
    "Delivery",
    "Edition",
    "EditionVersion",
    "Frequency",
    "MessageKind",
    "SentEmail",
    "ServiceAnnouncement",
    "Subscriber",
    "Subscription",
    "Suppression",
    "SuppressionReason",
    "Topic",
    "TopicTranslation",
    "message_kind_choices",
    "new_secret_key",
]
