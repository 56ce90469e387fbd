"""The production URLs plus one bare view, the baseline for the one-click unsubscribe endpoint (load test only)."""

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as production
from subscriptions.models import Subscription


@csrf_exempt
@require_POST
def bare_update(request: HttpRequest, pk: int) -> HttpResponse:
    """One UPDATE of one subscription row, through the same middleware: what a one-click POST cannot beat."""
    Subscription.objects.filter(pk=pk).update(frequency=F("frequency"))
    return HttpResponse("ok")


urlpatterns = [path("load-baseline/<int:pk>/", bare_update), *production]
