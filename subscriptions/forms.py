from __future__ import annotations

import datetime

from django import forms

from .app_settings import app_settings
from .models import Frequency, Subscription, Topic
from .selectors import shop_today
from .services import OFF


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Please enter your email address.",
            "invalid": "Please enter a valid email address.",
        },
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.filter(is_active=True),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        label="What would you like to receive?",
        error_messages={
            "required": "Please choose at least one kind of email.",
            "invalid_choice": "Please choose from the list.",
            "invalid_pk_value": "Please choose from the list.",
        },
    )


def topic_field_name(topic: Topic) -> str:
    return f"topic-{topic.slug}"


class TopicChoicesForm(forms.Form):
    """One select per topic: its allowed frequencies, "paused" or "don't send". Built from already-loaded rows."""

    def __init__(self, *args, topics: list[Topic], subscriptions: dict[int, Subscription], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.topics = topics
        for topic in topics:
            subscription = subscriptions.get(topic.pk)
            active = subscription is not None and subscription.state == Subscription.State.ACTIVE
            self.fields[topic_field_name(topic)] = forms.ChoiceField(
                label=topic.name,
                help_text=topic.description,
                choices=[*topic.frequency_choices, (Frequency.PAUSED, "Paused"), (OFF, "Don't send me this")],
                initial=subscription.frequency if active else OFF,
                error_messages={"invalid_choice": "Please choose one of the options."},
            )

    def choices(self) -> dict[Topic, str]:
        return {topic: self.cleaned_data[topic_field_name(topic)] for topic in self.topics}

    def fields_by_topic(self):
        return [(topic, self[topic_field_name(topic)]) for topic in self.topics]


class PauseForm(forms.Form):
    until = forms.DateField(
        label="Pause everything until",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text="No marketing email up to and including this date; then it resumes as before.",
        error_messages={"required": "Please enter a date.", "invalid": "Please enter a date like 2027-01-31."},
    )

    def clean_until(self) -> datetime.date:
        value = self.cleaned_data["until"]
        today = shop_today()
        if value <= today:
            raise forms.ValidationError("Please choose a date after today.", code="past")
        if value > today + datetime.timedelta(days=app_settings.PAUSE_MAX_DAYS):
            raise forms.ValidationError("Please choose a date within a year.", code="too_far")
        return value


class UnsubscribeForm(forms.Form):
    """The unsubscribe page's buttons: unsubscribe, fewer emails instead, or undo."""

    UNSUBSCRIBE = "unsubscribe"
    PAUSE = "pause"
    RESUBSCRIBE = "resubscribe"

    action = forms.ChoiceField(choices=[])

    def __init__(self, *args, topic: Topic, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        lower = [(value, label) for value, label in topic.frequency_choices if value != Frequency.TWICE_WEEKLY]
        self.fields["action"].choices = [
            (self.UNSUBSCRIBE, "Unsubscribe"),
            *lower,
            (self.PAUSE, "Pause"),
            (self.RESUBSCRIBE, "Resubscribe"),
        ]
        self.fewer_choices = lower
