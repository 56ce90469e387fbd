from django.db import models


class OutboxTask(models.Model):
    """A Celery task call written in the same transaction as the change that asks for it (the transactional outbox).

    Published after commit; a row still unpublished (the broker was down, the process died) is published by the
    relay that beat runs every minute. Arguments are ids, never personal data.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(published_at__isnull=True), name="outbox_unpublished"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
