from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from privacy.models import ConsentEvent
from privacy.readonly_admin import ReadOnlyInline

from . import services
from .models import SENDING_FREQUENCIES, Subscriber, Subscription, Topic, TopicTranslation
from .selectors import consent_history, explain_receipts, weekly_cap_note


class TopicAdminForm(forms.ModelForm):
    allowed_frequencies = forms.MultipleChoiceField(
        choices=[(f.value, f.label) for f in SENDING_FREQUENCIES], widget=forms.CheckboxSelectMultiple
    )
    default_frequency = forms.ChoiceField(choices=[(f.value, f.label) for f in SENDING_FREQUENCIES])

    class Meta:
        model = Topic
        fields = ["name", "slug", "description", "allowed_frequencies", "default_frequency", "is_active", "position"]


class TopicTranslationForm(forms.ModelForm):
    language = forms.ChoiceField(
        label="Language",
        choices=lambda: [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE],
    )

    class Meta:
        model = TopicTranslation
        fields = ["language", "name", "description"]


class TopicTranslationInline(admin.TabularInline):
    """The topic's name and description in the other languages (without one, pages show the default's)."""

    model = TopicTranslation
    form = TopicTranslationForm
    extra = 0


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = TopicAdminForm
    inlines = [TopicTranslationInline]
    list_display = ["name", "slug", "default_frequency", "is_active", "position"]
    list_editable = ["is_active", "position"]

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj is not None else []  # slugs are in the consent ledger and in emailed links


class SubscriptionInline(ReadOnlyInline):
    """Read-only: staff change consent through the actions, which write the ledger."""

    model = Subscription
    fields = ["topic", "state", "frequency", "paused_until", "unsubscribed_at", "updated_at"]
    readonly_fields = fields


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "user", "confirmed_at", "unsubscribed_all_at", "suppressed_reason", "created_at"]
    list_filter = ["suppressed_reason", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    list_select_related = ["user"]
    inlines = [SubscriptionInline]
    actions = ["unsubscribe_from_all", "resubscribe_to_all", "rotate_links"]
    fields = [
        "email",
        "user",
        "what_they_receive",
        "created_at",
        "confirmed_at",
        "unsubscribed_all_at",
        "suppressed_reason",
        "suppressed_at",
        "key_rotated_at",
        "language",
        "consent_ledger",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="What they will and won't receive")
    def what_they_receive(self, obj: Subscriber) -> str:
        rows = format_html_join(
            "",
            "<li><strong>{}</strong>: {} {}</li>",
            (
                (r.topic.name, "receives" if r.receives else "receives nothing", f"({r.reason})")
                for r in explain_receipts(obj)
            ),
        )
        return format_html(
            "<ul>{}</ul><p>{}</p>"
            "<p>Order, account and service emails are always sent: they don't depend on these choices.</p>",
            rows,
            weekly_cap_note(),
        )

    @admin.display(description="Consent history (ledger, read-only)")
    def consent_ledger(self, obj: Subscriber) -> str:
        events: list[ConsentEvent] = list(consent_history(obj))
        if not events:
            return "No consent events."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    e.created_at.strftime("%Y-%m-%d %H:%M"),
                    e.purpose,
                    e.get_action_display(),
                    e.value,
                    e.get_method_display(),
                    "yes" if e.double_opt_in else "",
                    e.ip_prefix,
                )
                for e in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>When (UTC)</th><th>Purpose</th><th>Action</th><th>Value</th><th>Method</th>"
            "<th>Double opt-in</th><th>Network</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def _apply(self, request, queryset, service, done: str) -> None:
        changed = sum(1 for s in queryset if service(subscriber=s, method=ConsentEvent.Method.STAFF, request=request))
        self.message_user(request, f"{done}: {changed} subscriber(s) changed.", messages.SUCCESS)

    @admin.action(description="Unsubscribe from all marketing (records a staff consent event)", permissions=["change"])
    def unsubscribe_from_all(self, request, queryset) -> None:
        self._apply(request, queryset, services.unsubscribe_all, "Unsubscribed from all")

    @admin.action(description="Undo unsubscribe-from-all (records a staff consent event)", permissions=["change"])
    def resubscribe_to_all(self, request, queryset) -> None:
        self._apply(request, queryset, services.resubscribe_all, "Resubscribed")

    @admin.action(description="Void all emailed links (rotate the subscriber's key)", permissions=["change"])
    def rotate_links(self, request, queryset) -> None:
        for subscriber in queryset:
            services.rotate_subscriber_key(subscriber=subscriber)
        self.message_user(request, "Old unsubscribe and preference links no longer work.", messages.SUCCESS)


from . import mailing_admin  # noqa: E402, F401  (editions, deliveries, announcements)
