"""Prometheus metrics, served at /metrics/ to whoever presents METRICS_TOKEN (a 404 for everyone else).

- request latency and counts by view name (django-prometheus middleware; views, never paths, so no token in a label);
- `spc_webhook_events_total{esp,event}`: anymail tracking events received;
- `spc_esp_recipients_total{esp,status}`: recipients the ESP accepted, queued, rejected or failed at send time;
- `spc_esp_errors_total{error}`: tasks retried or failed because the ESP answered with an error;
- read at scrape time from the database and the broker: `spc_deliveries{status}` (this week's editions),
  `spc_queue_depth{queue}`, `spc_outbox_unpublished`, `spc_order_emails_unsent`.
Labels carry ESP names, statuses and class names only: never an address or a token.

Under gunicorn (several processes) and with workers on the same machine, set PROMETHEUS_MULTIPROC_DIR to an empty
directory shared by them (docs/deploy.md): counters are then summed over every process.
"""

from __future__ import annotations

import datetime
import logging
import os

from anymail.exceptions import AnymailError
from anymail.signals import post_send, tracking
from celery.signals import task_failure, task_retry
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

WEBHOOK_EVENTS = Counter("spc_webhook_events", "ESP tracking webhook events received", ["esp", "event"])
ESP_RECIPIENTS = Counter("spc_esp_recipients", "Recipients by the ESP's answer at send time", ["esp", "status"])
ESP_ERRORS = Counter("spc_esp_errors", "Tasks retried or failed on an ESP error", ["error"])


def count_webhook_event(sender, event, esp_name, **kwargs) -> None:
    WEBHOOK_EVENTS.labels(esp=esp_name, event=str(event.event_type or "unknown")).inc()


def count_send(sender, message, status, esp_name, **kwargs) -> None:
    for recipient_status in status.recipients.values():
        ESP_RECIPIENTS.labels(esp=esp_name, status=str(recipient_status.status or "unknown")).inc()


def count_esp_error(sender=None, exception=None, reason=None, **kwargs) -> None:
    error = exception if exception is not None else reason
    if isinstance(error, AnymailError):
        ESP_ERRORS.labels(error=type(error).__name__).inc()


tracking.connect(count_webhook_event, dispatch_uid="spc-metrics-webhook")
post_send.connect(count_send, dispatch_uid="spc-metrics-send")
task_retry.connect(count_esp_error, dispatch_uid="spc-metrics-retry")
task_failure.connect(count_esp_error, dispatch_uid="spc-metrics-failure")


class AppStateCollector:
    """Gauges read when Prometheus scrapes: cheap aggregate queries, an error in one leaves the others."""

    def collect(self):
        yield from self._safely(self.deliveries)
        yield from self._safely(self.queue_depth)
        yield from self._safely(self.backlogs)

    def _safely(self, read):
        try:
            yield from read()
        except Exception as exc:  # a scrape never fails because one source is down
            logger.warning("metrics: %s unavailable (%s)", read.__name__, type(exc).__name__)

    def deliveries(self):
        from django.db.models import Count

        from subscriptions.models import Delivery

        since = timezone.now() - datetime.timedelta(days=7)
        gauge = GaugeMetricFamily(
            "spc_deliveries", "Deliveries of editions slotted in the last 7 days", labels=["status"]
        )
        rows = Delivery.objects.filter(edition__slot_at__gte=since).values("status").annotate(n=Count("id"))
        counts = dict.fromkeys(Delivery.Status.values, 0) | {row["status"]: row["n"] for row in rows}
        for status, n in sorted(counts.items()):
            gauge.add_metric([status], n)
        yield gauge

    def queue_depth(self):
        from config.celery import app

        gauge = GaugeMetricFamily("spc_queue_depth", "Messages waiting in the broker queue", labels=["queue"])
        if not app.conf.task_always_eager:
            with app.connection_for_read() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
                for queue in sorted({app.conf.task_default_queue, *settings.METRICS_QUEUES}):
                    gauge.add_metric([queue], self._depth(conn, queue))
        yield gauge

    @staticmethod
    def _depth(conn, queue: str) -> int:
        channel = conn.channel()  # a failed passive declare closes the channel (AMQP): one each
        try:
            return channel.queue_declare(queue=queue, passive=True).message_count
        except conn.channel_errors:
            return 0  # not declared yet (Redis: an empty queue does not exist)
        finally:
            channel.close()

    def backlogs(self):
        from outbox.services import unpublished_count
        from shop.models import OrderEmail

        yield GaugeMetricFamily(
            "spc_outbox_unpublished", "Task calls waiting in the outbox for the broker", value=unpublished_count()
        )
        yield GaugeMetricFamily(
            "spc_order_emails_unsent",
            "Order emails written but not sent yet",
            value=OrderEmail.objects.filter(sent_at__isnull=True).count(),
        )


def registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        scrape = CollectorRegistry()
        multiprocess.MultiProcessCollector(scrape)
    else:
        scrape = CollectorRegistry()
        scrape.register(_Default())
    scrape.register(AppStateCollector())
    return scrape


class _Default:
    """This process's own metrics (the default registry), when not in multiprocess mode."""

    def collect(self):
        yield from REGISTRY.collect()


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not given or not constant_time_compare(given, token):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
