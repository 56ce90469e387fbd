"""The host's own Celery app. No broker here: tasks run eagerly (a real host points it at Redis or RabbitMQ)."""

from celery import Celery

app = Celery("reuse_host")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
