from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .app_settings import app_settings
from .models import Frequency, Subscription, Topic
from .selectors import shop_today
from .services import OFF


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.local_name  # the topic's name in the page's language


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter a valid email address."),
        },
    )
    topics = TopicChoiceField(
        queryset=Topic.objects.filter(is_active=True),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        label=_("What would you like to receive?"),
        error_messages={
            "required": _("Please choose at least one kind of email."),
            "invalid_choice": _("Please choose from the list."),
            "invalid_pk_value": _("Please choose from the list."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        topics = self.fields["topics"]
        topics.queryset = Topic.with_local_names(topics.queryset)  # the names in the page's language, one query


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
                label=topic.local_name,
                help_text=topic.local_description,
                choices=[*topic.frequency_choices, (Frequency.PAUSED, _("Paused")), (OFF, _("Don't send me this"))],
                initial=subscription.frequency if active else OFF,
                error_messages={"invalid_choice": _("Please choose one of the options.")},
            )

    def choices(self) -> dict[Topic, str]:
        return {topic: self.cleaned_data[topic_field_name(topic)] for topic in self.topics}

    def fields_by_topic(self):
        return [(topic, self[topic_field_name(topic)]) for topic in self.topics]


class PauseForm(forms.Form):
    until = forms.DateField(
        label=_("Pause everything until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=_("No marketing email up to and including this date; then it resumes as before."),
        error_messages={"required": _("Please enter a date."), "invalid": _("Please enter a date like 2027-01-31.")},
    )

    def clean_until(self) -> datetime.date:
        value = self.cleaned_data["until"]
        today = shop_today()
        if value <= today:
            raise forms.ValidationError(_("Please choose a date after today."), code="past")
        if value > today + datetime.timedelta(days=app_settings.PAUSE_MAX_DAYS):
            raise forms.ValidationError(_("Please choose a date within a year."), code="too_far")
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
            (self.UNSUBSCRIBE, _("Unsubscribe")),
            *lower,
            (self.PAUSE, _("Pause")),
            (self.RESUBSCRIBE, _("Resubscribe")),
        ]
        self.fewer_choices = lower


class LanguageForm(forms.Form):
    """The language of this address's emails (and of the pages its links open): one of settings.LANGUAGES."""

    language = forms.ChoiceField(
        label=_("Language of your emails"),
        choices=[],
        error_messages={
            "required": _("Please choose a language."),
            "invalid_choice": _("Please choose one of the languages offered."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = self.language_choices()

    @staticmethod
    def language_choices() -> list[tuple[str, str]]:
        """Each language named in itself ("Français", "Deutsch"), as a reader looks for their own."""
        from django.utils.translation import get_language_info

        return [(code, get_language_info(code)["name_local"].capitalize()) for code, _name in settings.LANGUAGES]
