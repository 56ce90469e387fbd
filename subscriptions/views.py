"""Thin views: parse, call one service, render. Token pages never change anything on GET."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from outbox import services as outbox
from privacy.models import ConsentEvent

from . import services, tasks, throttle
from .app_settings import app_settings
from .forms import LanguageForm, PauseForm, SubscribeForm, TopicChoicesForm, UnsubscribeForm
from .models import Subscriber, Subscription, Topic
from .selectors import shop_today, subscriber_of, weekly_cap_note
from .tokens import InvalidToken, Purpose, TokenData, make_token, read_token
from .wording import IN_A_SENTENCE

Method = ConsentEvent.Method
ONE_CLICK_BODY = "One-Click"


def bad_link(request: HttpRequest) -> HttpResponse:
    """Malformed, tampered, expired or revoked links: a kind explanation, status 404, nothing changed."""
    return render(request, "subscriptions/bad_link.html", status=404)


def _read(token: str, purpose: Purpose) -> TokenData | None:
    try:
        return read_token(token, purpose=purpose)
    except InvalidToken:
        return None


def use_subscriber_language(request: HttpRequest, subscriber: Subscriber) -> None:
    """A page reached by an emailed link speaks the subscriber's saved language, unless this browser chose one (the
    language cookie, set by the header's switcher, always wins: it is the latest choice)."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    if subscriber.language in dict(settings.LANGUAGES):
        translation.activate(subscriber.language)
        request.LANGUAGE_CODE = subscriber.language


def token_page(purpose: Purpose, *, before_csrf: Callable[[HttpRequest, TokenData], HttpResponse | None] | None = None):
    """A page reached by an emailed signed link, as `view(request, data)`.

    The token is read first, so a malformed, tampered or expired link always gets the friendly page whatever the
    request; then every POST needs the page's CSRF token. `before_csrf` may answer first for the one request that
    has no CSRF token by design (RFC 8058's one-click unsubscribe, see `unsubscribe`).
    """

    def decorator(view: Callable[[HttpRequest, TokenData], HttpResponse]):
        protected = csrf_protect(view)

        @csrf_exempt
        @never_cache
        @require_http_methods(["GET", "POST"])
        @functools.wraps(view)
        def page(request: HttpRequest, token: str) -> HttpResponse:
            data = _read(token, purpose)
            if data is None:
                return bad_link(request)
            if before_csrf is not None and (early := before_csrf(request, data)) is not None:
                return early
            use_subscriber_language(request, data.subscriber)  # (after the one-click answer: its hot path)
            return protected(request, data)

        return page

    return decorator


# Preference center


def _preferences_page(
    request: HttpRequest, subscriber: Subscriber | None, *, method: str, save_subscriber=None
) -> HttpResponse:
    topics = list(Topic.with_local_names(Topic.objects.filter(is_active=True)))
    subscriptions = {s.topic_id: s for s in subscriber.subscriptions.all()} if subscriber else {}
    topic_form = TopicChoicesForm(topics=topics, subscriptions=subscriptions)
    pause_form = PauseForm()
    current_language = (subscriber.language if subscriber else "") or translation.get_language()
    language_form = LanguageForm(initial={"language": current_language})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if save_subscriber is not None:
            subscriber = save_subscriber()
        done = None
        if action == "topics":
            topic_form = TopicChoicesForm(request.POST, topics=topics, subscriptions=subscriptions)
            if topic_form.is_valid():
                services.update_topics(
                    subscriber=subscriber, choices=topic_form.choices(), method=method, request=request
                )
                done = _("Your choices are saved.")
        elif action == "pause":
            pause_form = PauseForm(request.POST)
            if pause_form.is_valid():
                until = pause_form.cleaned_data["until"]
                services.pause_all(subscriber=subscriber, until=until, method=method, request=request)
                done = _("Marketing email is paused until %(date)s.") % {
                    "date": formats.date_format(until, "DATE_FORMAT")
                }
        elif action == "resume":
            services.pause_all(subscriber=subscriber, until=None, method=method, request=request)
            done = _("Marketing email is no longer paused.")
        elif action == "unsubscribe_all":
            services.unsubscribe_all(subscriber=subscriber, method=method, request=request)
            done = _("You are unsubscribed from all marketing email.")
        elif action == "resubscribe_all":
            services.resubscribe_all(subscriber=subscriber, method=method, request=request)
            done = _("Your earlier choices are back on.")
        elif action == "language":
            language_form = LanguageForm(request.POST)
            if language_form.is_valid():
                language = language_form.cleaned_data["language"]
                services.set_subscriber_language(subscriber=subscriber, language=language)
                translation.activate(language)  # the confirmation is in the language just chosen
                done = _("Language of your emails: %(language)s.") % {
                    "language": dict(LanguageForm.language_choices())[language]
                }
        if done is not None:
            messages.success(request, done)
            return redirect(request.path)
        status = 400
    paused_until = min(
        (s.paused_until for s in subscriptions.values() if s.paused_until and s.state != "unsubscribed"),
        default=None,
    )
    context = {
        "subscriber": subscriber,
        "topic_form": topic_form,
        "pause_form": pause_form,
        "paused_until": paused_until if paused_until and paused_until >= shop_today() else None,
        "pending": any(s.state == Subscription.State.PENDING for s in subscriptions.values()),
        "language_form": language_form,
        "weekly_cap_note": weekly_cap_note(),
    }
    return render(request, "subscriptions/preferences.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    subscriber = subscriber_of(user)
    return _preferences_page(
        request,
        subscriber,
        method=Method.PREFERENCE_CENTER,
        save_subscriber=lambda: services.subscriber_for_user(user=user),
    )


@token_page(Purpose.PREFERENCES)
def preferences_token(request: HttpRequest, data: TokenData) -> HttpResponse:
    return _preferences_page(request, data.subscriber, method=Method.PREFERENCE_CENTER)


# Subscribe (guest double opt-in)


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)  # no box is pre-ticked: consent is a choice
    if request.method == "POST":
        if not throttle.allow(
            "subscribe-ip", throttle.client_ip(request), limit=app_settings.SUBSCRIBE_RATE_PER_IP, window_seconds=3600
        ):
            return render(request, "subscriptions/subscribe_throttled.html", status=429)
        if form.is_valid():
            email = services.normalise_email(form.cleaned_data["email"])
            # Past the per-address limit the answer is the same, but nothing is written or sent.
            if throttle.allow(
                "subscribe-address", email, limit=app_settings.SUBSCRIBE_RATE_PER_ADDRESS, window_seconds=86400
            ):
                with transaction.atomic():
                    subscriber = services.subscribe_guest(
                        email=email,
                        topics=form.cleaned_data["topics"],
                        request=request,
                        language=translation.get_language() or "",
                    )
                    outbox.enqueue(tasks.send_subscribe_confirmation, subscriber.pk)
            return redirect("subscriptions:subscribe_sent")
        return render(request, "subscriptions/subscribe.html", {"form": form}, status=400)
    return render(request, "subscriptions/subscribe.html", {"form": form})


def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/subscribe_sent.html")


@token_page(Purpose.CONFIRM)
def subscribe_confirm(request: HttpRequest, data: TokenData) -> HttpResponse:
    subscriber = data.subscriber
    if request.method == "POST":
        services.confirm_subscriber(subscriber=subscriber, method=Method.EMAILED_LINK, request=request)
        preferences_token = make_token(subscriber, purpose=Purpose.PREFERENCES)
        return render(
            request,
            "subscriptions/subscribe_confirmed.html",
            {"preferences_path": reverse("subscriptions:preferences_token", args=[preferences_token])},
        )
    pending = [s.topic for s in subscriber.subscriptions.select_related("topic").filter(state="pending")]
    return render(request, "subscriptions/subscribe_confirm.html", {"pending": pending})


# Unsubscribe (emailed link and RFC 8058 one-click)


def _is_one_click(request: HttpRequest) -> bool:
    """The exact RFC 8058 body and nothing else: one field, `List-Unsubscribe`, with the value `One-Click`.

    Only this request skips CSRF, and it can only unsubscribe: anything more in the body (an `action`, a second
    field, a file) makes it an ordinary form post, which needs the page's CSRF token.
    """
    if request.content_type == "application/x-www-form-urlencoded":
        return request.body.strip() == b"List-Unsubscribe=" + ONE_CLICK_BODY.encode()
    if request.content_type == "multipart/form-data":
        return not request.FILES and dict(request.POST.lists()) == {"List-Unsubscribe": [ONE_CLICK_BODY]}
    return False


def _one_click(request: HttpRequest, data: TokenData) -> HttpResponse | None:
    """RFC 8058: the mail provider posts with no cookie and no CSRF token; the signed token is the secret."""
    if request.method == "POST" and _is_one_click(request):
        services.unsubscribe_topic(
            subscriber=data.subscriber, topic=data.topic, method=Method.ONE_CLICK, request=request
        )
        # A mail provider reads this, not a person: the topic's own name (no query for a translation).
        text = _("Unsubscribed from %(topic)s.") % {"topic": data.topic.name}
        return HttpResponse(f"{text}\n", content_type="text/plain; charset=utf-8")
    return None


@token_page(Purpose.UNSUBSCRIBE, before_csrf=_one_click)
def unsubscribe(request: HttpRequest, data: TokenData) -> HttpResponse:
    """The page's buttons (unsubscribe, fewer, pause, resubscribe) need the CSRF token; only _one_click does not."""
    subscriber, topic = data.subscriber, data.topic
    form = UnsubscribeForm(request.POST or None, topic=topic)
    context = {
        "form": form,
        "topic": topic,
        "subscriber": subscriber,
        "preferences_path": reverse(
            "subscriptions:preferences_token", args=[make_token(subscriber, purpose=Purpose.PREFERENCES)]
        ),
        "pause_days": app_settings.FEWER_EMAILS_PAUSE_DAYS,
    }
    if request.method == "GET":
        context["subscription"] = subscriber.subscriptions.filter(topic=topic).first()
        return render(request, "subscriptions/unsubscribe.html", context)
    if not form.is_valid():
        return render(request, "subscriptions/unsubscribe.html", context, status=400)
    action = form.cleaned_data["action"]
    method = Method.EMAILED_LINK
    if action == UnsubscribeForm.UNSUBSCRIBE:
        services.unsubscribe_topic(subscriber=subscriber, topic=topic, method=method, request=request)
        outcome = "unsubscribed"
    elif action == UnsubscribeForm.RESUBSCRIBE:
        services.resubscribe_topic(subscriber=subscriber, topic=topic, method=method, request=request)
        outcome = "resubscribed"
    elif action == UnsubscribeForm.PAUSE:
        until = shop_today() + datetime.timedelta(days=app_settings.FEWER_EMAILS_PAUSE_DAYS)
        services.change_frequency(
            subscriber=subscriber, topic=topic, frequency="", paused_until=until, method=method, request=request
        )
        outcome = "paused"
        context["until"] = until
    else:
        services.change_frequency(subscriber=subscriber, topic=topic, frequency=action, method=method, request=request)
        outcome = "fewer"
        context["frequency_label"] = IN_A_SENTENCE[action]
    subscription = subscriber.subscriptions.filter(topic=topic).first()
    context.update(outcome=outcome, subscription=subscription)
    return render(request, "subscriptions/unsubscribe_done.html", context)


@csrf_exempt  # RFC 8058, as above: the List-Unsubscribe of an email that carried several topics' sections.
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_email(request: HttpRequest, token: str) -> HttpResponse:
    """One email carried several topics (they were due in the same slot): its one-click link unsubscribes from every
    topic in it, which is what "unsubscribe" next to that email means; each section's own link stops one topic."""
    data = _read(token, Purpose.UNSUBSCRIBE_EMAIL)
    if data is None:
        return bad_link(request)
    if request.method == "POST" and _is_one_click(request):
        _unsubscribe_topics(request, data, Method.ONE_CLICK)
        names = ", ".join(topic.name for topic in data.topics)
        text = _("Unsubscribed from %(topic)s.") % {"topic": names}
        return HttpResponse(f"{text}\n", content_type="text/plain; charset=utf-8")
    return _unsubscribe_email_page(request, data)


def _unsubscribe_topics(request: HttpRequest, data: TokenData, method: str) -> None:
    with transaction.atomic():
        for topic in data.topics:
            services.unsubscribe_topic(subscriber=data.subscriber, topic=topic, method=method, request=request)


@csrf_protect
def _unsubscribe_email_page(request: HttpRequest, data: TokenData) -> HttpResponse:
    subscriber = data.subscriber
    use_subscriber_language(request, subscriber)
    context = {
        "topics": data.topics,
        "subscriber": subscriber,
        "preferences_path": reverse(
            "subscriptions:preferences_token", args=[make_token(subscriber, purpose=Purpose.PREFERENCES)]
        ),
    }
    if request.method == "GET":
        return render(request, "subscriptions/unsubscribe_email.html", context)
    if request.POST.get("action") != "unsubscribe":
        context["error"] = _("Choose the button to unsubscribe.")
        return render(request, "subscriptions/unsubscribe_email.html", context, status=400)
    _unsubscribe_topics(request, data, Method.EMAILED_LINK)
    return render(request, "subscriptions/unsubscribe_email.html", {**context, "done": True})
