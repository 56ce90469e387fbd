from django.http import HttpRequest
from django.urls import reverse


def demo(request: HttpRequest) -> dict:
    """The demo banner on every page (installed only in demo mode): where the demo's emails go."""
    return {"DEMO_MAILBOX_URL": reverse("demo:mailbox")}
