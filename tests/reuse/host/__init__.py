"""A bare Django project that installs only `privacy` and `subscriptions` (issue 17: the apps are reusable)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
