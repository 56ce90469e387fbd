import pytest

from accounts.tasks import send_welcome_email
from demo import mailbox
from tests.factories import UserFactory

from .conftest import wait_for


@pytest.mark.django_db(transaction=True)
def test_a_task_sent_through_redis_runs_in_a_real_worker(celery_worker):
    user = UserFactory(email="worker-proof@example.com", first_name="Wren")

    send_welcome_email.delay(user.pk)

    emails = wait_for(mailbox.list_emails)
    assert [e.to for e in emails] == ["worker-proof@example.com"]
    assert "Welcome" in emails[0].subject
    assert "Hello Wren" in emails[0].text
    assert f"{celery_worker.queue}@" in celery_worker.log.read_text()  # the worker process itself ran it
