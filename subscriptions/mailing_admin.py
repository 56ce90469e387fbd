"""Staff screens for mailings: editions (audience, preview, test send, counts), deliveries, service announcements."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import Context, TemplateDoesNotExist, TemplateSyntaxError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from privacy.readonly_admin import ReadOnlyLedgerAdmin

from . import announcements, mailing
from .admin_charts import audience_chart
from .admin_preview import EditionPreviewAdmin
from .admin_progress import EditionLiveAdmin
from .models import Delivery, Edition, EditionVersion, SentEmail, ServiceAnnouncement, Subscriber, Suppression
from .schedule import upcoming_slots
from .selectors import SKIP_LABELS, audience_breakdown


def _validate_template(value: str) -> str:
    try:
        template = mailing.edition_template(value)
        template.render(Context(mailing.EDITION_SAMPLE_CONTEXT))  # {% include %} fails only when rendered
    except (TemplateSyntaxError, TemplateDoesNotExist) as error:
        raise ValidationError(f"Template error: {error}") from error
    return value


EDITABLE_STATUSES = {Edition.Status.DRAFT, Edition.Status.SCHEDULED}


class EditionForm(forms.ModelForm):
    slot = forms.TypedChoiceField(
        required=False, coerce=str, label="Mailing slot", help_text="Required to schedule. Times in the shop's zone."
    )

    class Meta:
        model = Edition
        fields = ["topic", "subject", "preheader", "body_text", "body_html"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Once an edition is sending, sent or cancelled its fields are read-only: the admin leaves them out.
        if "body_html" in self.fields:
            help_lines = "; ".join(f"{{{{ {name} }}}}: {text}" for name, text in mailing.EDITION_VARIABLES.items())
            self.fields["body_html"].help_text = f"A Django template. Variables: {help_lines}."
        if "slot" not in self.fields:
            return
        choices = [("", "Not scheduled yet")]
        current = self.instance.slot_at
        if current:
            choices.append((current.isoformat(), f"{timezone.localtime(current):%a %d %b %Y %H:%M}"))
        for moment in upcoming_slots(8):
            if moment != current:
                choices.append((moment.isoformat(), f"{moment:%a %d %b %Y %H:%M}"))
        self.fields["slot"].choices = choices
        self.fields["slot"].initial = current.isoformat() if current else ""

    def clean_body_text(self) -> str:
        return _validate_template(self.cleaned_data["body_text"])

    def clean_body_html(self) -> str:
        return _validate_template(self.cleaned_data["body_html"])

    def save(self, commit=True):
        from datetime import datetime

        if self.instance.status in EDITABLE_STATUSES:  # a sending or sent edition keeps its slot
            slot = self.cleaned_data.get("slot")
            self.instance.slot_at = datetime.fromisoformat(slot) if slot else None
        return super().save(commit)


def other_languages() -> list[tuple[str, str]]:
    """settings.LANGUAGES but the default (the edition's own fields are the default language's)."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class EditionVersionForm(forms.ModelForm):
    language = forms.ChoiceField(choices=other_languages, label="Language")

    class Meta:
        model = EditionVersion
        fields = ["language", "subject", "preheader", "body_text", "body_html"]

    def clean_body_text(self) -> str:
        return _validate_template(self.cleaned_data["body_text"])

    def clean_body_html(self) -> str:
        return _validate_template(self.cleaned_data["body_html"])


class EditionVersionInline(admin.StackedInline):
    """The edition in the other languages: a recipient gets their language's version, else the edition's own
    fields (the default language's)."""

    model = EditionVersion
    form = EditionVersionForm
    extra = 0
    verbose_name = "version in another language"
    verbose_name_plural = "versions in other languages (recipients without one get the default language's)"

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status not in EDITABLE_STATUSES:
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status not in EDITABLE_STATUSES:
            return False
        return super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status not in EDITABLE_STATUSES:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Edition)
class EditionAdmin(EditionLiveAdmin, EditionPreviewAdmin, admin.ModelAdmin):
    form = EditionForm
    inlines = [EditionVersionInline]
    change_form_template = "admin/subscriptions/edition/change_form.html"
    list_display = ["subject", "topic", "slot_at", "status", "queued", "sent", "skipped", "failed"]
    list_filter = ["status", "topic"]
    search_fields = ["subject"]
    actions = ["schedule", "pause", "resume", "cancel"]

    def get_queryset(self, request):
        counts = {status: Count("deliveries", filter=Q(deliveries__status=status)) for status in Delivery.Status.values}
        return (
            super().get_queryset(request).select_related("topic").annotate(**{f"n_{k}": v for k, v in counts.items()})
        )

    @admin.display(ordering="n_queued")
    def queued(self, obj) -> int:
        return obj.n_queued

    @admin.display(ordering="n_sent")
    def sent(self, obj) -> int:
        return obj.n_sent

    @admin.display(ordering="n_skipped", description="skipped at send time")
    def skipped(self, obj) -> int:
        return obj.n_skipped

    @admin.display(ordering="n_failed")
    def failed(self, obj) -> int:
        return obj.n_failed

    def has_change_permission(self, request, obj=None) -> bool:
        """Once sending starts an edition is evidence of what was sent: staff view it (and its deliveries)."""
        if obj is not None and obj.status not in EDITABLE_STATUSES:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status not in EDITABLE_STATUSES:
            return ["topic", "subject", "preheader", "body_text", "body_html", "status"]
        return ["status"]

    def get_fields(self, request, obj=None):
        fields = ["topic", "subject", "preheader", "body_text", "body_html", "status"]
        if obj is None or obj.status in EDITABLE_STATUSES:
            fields.insert(5, "slot")
        return fields

    @admin.action(description="Schedule in their slot", permissions=["change"])
    def schedule(self, request, queryset) -> None:
        count = mailing.schedule_editions(edition_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} edition(s) scheduled.")
        if count < queryset.count():
            self.message_user(request, "Editions without a slot, or not drafts, were left alone.", messages.WARNING)

    @admin.action(description="Pause sending", permissions=["change"])
    def pause(self, request, queryset) -> None:
        count = sum(mailing.pause_edition(edition_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} edition(s) paused; batches in flight stop after their current chunk.")

    @admin.action(description="Resume sending", permissions=["change"])
    def resume(self, request, queryset) -> None:
        count = sum(bool(mailing.resume_edition(edition_id=pk)) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} edition(s) resumed.")

    @admin.action(description="Cancel (the rest of a sending edition is skipped)", permissions=["change"])
    def cancel(self, request, queryset) -> None:
        results = [mailing.cancel_edition(edition_id=pk) for pk in queryset.values_list("pk", flat=True)]
        done = [r for r in results if r is not None]
        self.message_user(request, f"{len(done)} edition(s) cancelled; {sum(done)} unsent deliveries skipped.")

    def get_urls(self):
        own = [
            path(
                "<int:pk>/send-test/",
                self.admin_site.admin_view(self.send_test_view),
                name="subscriptions_edition_test",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        edition = self.get_object(request, object_id)
        extra = {}
        if edition is not None:
            audience = audience_breakdown(edition)
            languages = dict(settings.LANGUAGES)
            extra = {
                "audience": audience,
                "audience_languages": [(languages[code], n) for code, n in audience.by_language.items()],
                "audience_chart": audience_chart(audience),
                "skip_rows": [(SKIP_LABELS[key], audience.skipped[key]) for key in SKIP_LABELS],
                "counts": {
                    **dict(edition.deliveries.values_list("status").annotate(n=Count("id")).values_list("status", "n")),
                    "sections": edition.deliveries.filter(status="sent", carried_by__isnull=False).count(),
                },
                "deliveries_url": reverse("admin:subscriptions_delivery_changelist")
                + f"?edition__id__exact={edition.pk}",
                "staff_emails": get_user_model()
                .objects.filter(is_staff=True, is_active=True)
                .values_list("email", flat=True),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def send_test_view(self, request, pk: int) -> HttpResponse:
        edition = get_object_or_404(Edition, pk=pk)
        if not self.has_change_permission(request, edition):
            raise PermissionDenied
        if request.method != "POST":
            raise Http404
        email = request.POST.get("email", "").strip().lower()
        staff = get_user_model().objects.filter(is_staff=True, is_active=True, email__iexact=email).first()
        if staff is None:
            self.message_user(request, "Test emails go only to a staff member's address.", messages.ERROR)
        else:
            language = request.POST.get("language", "")
            language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
            rendered = mailing.render_edition(edition, language)
            mailing.personalise(rendered, Subscriber(pk=0, email=staff.email), test=True).send()
            self.message_user(request, f"Test sent to {staff.email}.")
        return redirect("admin:subscriptions_edition_change", pk)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyLedgerAdmin):
    list_display = [
        "id",
        "edition",
        "subscriber",
        "status",
        "carried_by",
        "week",
        "attempts",
        "sent_at",
        "esp_message_id",
        "error",
    ]
    list_filter = ["status", "edition", "week"]
    search_fields = ["subscriber__email", "esp_message_id"]
    list_select_related = ["edition__topic", "subscriber"]
    show_full_result_count = False


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "reason", "email_hash"]
    list_filter = ["reason"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServiceAnnouncement)
class ServiceAnnouncementAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "created_at", "confirmed_by", "confirmed_at", "progress"]
    readonly_fields = ["status", "confirmed_by", "confirmed_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != ServiceAnnouncement.Status.DRAFT:
            return ["subject", "body_text", *self.readonly_fields]
        return self.readonly_fields

    @admin.display(description="sent")
    def progress(self, obj) -> str:
        total = obj.deliveries.count()
        return f"{obj.deliveries.filter(sent_at__isnull=False).count()} / {total}" if total else "-"

    def get_urls(self):
        own = [
            path(
                "<int:pk>/send/",
                self.admin_site.admin_view(self.send_view),
                name="subscriptions_serviceannouncement_send",
            )
        ]
        return own + super().get_urls()

    def send_view(self, request, pk: int) -> HttpResponse:
        """The explicit confirmation step: GET shows exactly who gets it; only the POST sends."""
        announcement = get_object_or_404(ServiceAnnouncement, pk=pk)
        if not self.has_change_permission(request, announcement):
            raise PermissionDenied  # mailing every account takes the right to change announcements, not just staff
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            if announcement.status != ServiceAnnouncement.Status.DRAFT:
                self.message_user(request, "This announcement was already sent.", messages.ERROR)
            else:
                count = announcements.confirm_announcement(announcement_id=pk, staff=request.user)
                self.message_user(request, f"Sending to {count} active accounts.")
            return redirect("admin:subscriptions_serviceannouncement_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Send this service announcement?",
            "announcement": announcement,
            "recipients": announcements.audience().count(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/subscriptions/serviceannouncement/send.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.status == ServiceAnnouncement.Status.DRAFT:
            context["send_url"] = reverse("admin:subscriptions_serviceannouncement_send", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(SentEmail)
class SentEmailAdmin(ReadOnlyLedgerAdmin):
    """Transactional mail that went out (the address only as a keyed hash): evidence, read-only."""

    list_display = ["sent_at", "kind", "subject", "object_id"]
    list_filter = ["kind"]
    search_fields = ["subject", "object_id"]
