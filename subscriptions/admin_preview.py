"""The edition preview page: subject, preheader, HTML at desktop and mobile width, and the text version, as the
subscriber with a given email address would get it (their links swapped for harmless test links). The address is
POSTed, never put in a URL; the frames load the HTML by the subscriber's internal id."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import mailing
from .addresses import normalise_email
from .models import Edition, Subscriber

PREVIEW_WIDTHS = [("Desktop", 800), ("Mobile", 375)]


class PreviewAsForm(forms.Form):
    email = forms.EmailField(label="Subscriber's email (optional)", required=False, max_length=254)
    language = forms.ChoiceField(
        label="Language",
        required=False,
        choices=lambda: [("", "Their language (else the default)"), *settings.LANGUAGES],
    )


def preview_language(requested: str, subscriber: Subscriber | None) -> str:
    """The language shown: the one staff chose, else the subscriber's, else the default."""
    languages = dict(settings.LANGUAGES)
    if requested in languages:
        return requested
    if subscriber is not None and subscriber.language in languages:
        return subscriber.language
    return settings.LANGUAGE_CODE


class EditionPreviewAdmin:
    """get_urls, preview_view (the HTML alone, framed by the page) and preview_page_view for EditionAdmin."""

    def get_urls(self):
        own = [
            path(
                "<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name="subscriptions_edition_preview"
            ),
            path(
                "<int:pk>/preview-page/",
                self.admin_site.admin_view(self.preview_page_view),
                name="subscriptions_edition_preview_page",
            ),
        ]
        return own + super().get_urls()

    def preview_page_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        edition = get_object_or_404(Edition.objects.select_related("topic"), pk=pk)
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        form = PreviewAsForm(request.POST or None)
        subscriber = None
        not_found = False
        requested = ""
        if request.method == "POST" and form.is_valid():
            requested = form.cleaned_data["language"]
            if form.cleaned_data["email"]:
                subscriber = Subscriber.objects.filter(email=normalise_email(form.cleaned_data["email"])).first()
                not_found = subscriber is None
        language = preview_language(requested, subscriber)
        shown = subscriber or Subscriber(pk=0, email="preview@example.invalid")
        rendered = mailing.render_edition(edition, language)
        message = mailing.personalise(rendered, shown, test=True)
        html_url = reverse("admin:subscriptions_edition_preview", args=[edition.pk])
        query = {"language": language}
        if subscriber is not None:
            query["subscriber"] = subscriber.pk
        html_url += "?" + urlencode(query)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview \u201c{edition.subject}\u201d",
            "edition": edition,
            "form": form,
            "subscriber": subscriber,
            "not_found": not_found,
            "subject": message.subject,
            "preheader": edition.content_in(language).preheader,
            "language": dict(settings.LANGUAGES)[language],
            "text": message.body,
            "html_url": html_url,
            "widths": PREVIEW_WIDTHS,
            "opts": self.model._meta,
            "original": edition,
        }
        return TemplateResponse(request, "admin/subscriptions/edition/preview.html", context)

    def preview_view(self, request, pk: int) -> HttpResponse:
        """The HTML as a chosen subscriber would see it (their links replaced by harmless test links)."""
        edition = get_object_or_404(Edition, pk=pk)
        if not self.has_view_permission(request, edition):
            raise PermissionDenied
        subscriber_id = request.GET.get("subscriber", "")
        valid_id = re.fullmatch(r"[0-9]{1,18}", subscriber_id)  # "abc", NUL bytes, 100 kB of digits: no such subscriber
        subscriber = Subscriber.objects.filter(pk=subscriber_id).first() if valid_id else None
        language = preview_language(request.GET.get("language", ""), subscriber)
        if subscriber is None:
            subscriber = Subscriber(pk=0, email="preview@example.invalid")
        message = mailing.personalise(mailing.render_edition(edition, language), subscriber, test=True)
        html = message.alternatives[0][0]
        response = HttpResponse(html)
        response["Content-Security-Policy"] = "default-src 'none'; img-src *; style-src 'unsafe-inline'"
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response
