"""The e-mail outbox: each message is a row, sent once, retried by the periodic flush."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from portal import services
from portal.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def _queue(organisation=None, to="someone@example.org"):
    return services.email_enqueue(
        to=to,
        subject="Hello",
        template="emails/message",
        context={"body": "Hello Ada, this message checks the outbox."},
        organisation=organisation,
    )


def test_enqueued_mail_is_sent_once_after_commit(django_capture_on_commit_callbacks, organisation):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = _queue(organisation)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["someone@example.org"]
    assert mail.outbox[0].reply_to == [organisation.contact_email]
    assert "Ada" in mail.outbox[0].body
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT and message.attempts == 1

    # A retried task or a second worker finds the row already sent and sends nothing.
    assert services.email_send(email_id=message.pk) is False
    assert len(mail.outbox) == 1


def test_flush_sends_what_the_worker_missed_and_only_that():
    missed = _queue()  # its on_commit send never ran (the worker was down)
    OutgoingEmail.objects.filter(pk=missed.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    fresh = _queue(to="fresh@example.org")  # too recent: its own task is still due to run
    assert services.outbox_flush() == 1
    assert [m.to for m in mail.outbox] == [["someone@example.org"]]
    assert services.outbox_flush() == 0
    fresh.refresh_from_db()
    assert fresh.status == OutgoingEmail.Status.QUEUED


def test_failed_send_backs_off_and_survives_a_day_long_outage(settings):
    import time_machine

    settings.EMAIL_BACKEND = "tests.portal.failing_backend.FailingBackend"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        message = _queue()
        assert services.email_send(email_id=message.pk) is False
        message.refresh_from_db()
        assert message.status == OutgoingEmail.Status.QUEUED
        assert message.next_attempt_at == start + timezone.timedelta(minutes=2)
        # Not due yet: the flush leaves it alone.
        clock.move_to(start + timezone.timedelta(minutes=1))
        assert services.outbox_flush() == 0
        assert OutgoingEmail.objects.get(pk=message.pk).attempts == 1
        # The mail server stays down for a day: the flush keeps retrying, further apart.
        for _ in range(24 * 12):
            clock.shift(timezone.timedelta(minutes=5))
            services.outbox_flush()
        message.refresh_from_db()
        assert message.status == OutgoingEmail.Status.QUEUED
        assert 9 <= message.attempts < services.MAX_ATTEMPTS
        # It comes back: the next due attempt sends it, once.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        clock.shift(timezone.timedelta(hours=7))
        assert services.outbox_flush() == 1
        assert services.outbox_flush() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<outbox-{message.pk}@")


def test_a_message_is_given_up_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "tests.portal.failing_backend.FailingBackend"
    message = _queue()
    OutgoingEmail.objects.filter(pk=message.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    services.email_send(email_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.FAILED
    assert "SMTP down" in message.last_error


def test_run_periodic_runs_every_scheduled_job_once():
    stuck = _queue()
    OutgoingEmail.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    call_command("run_periodic", stdout=None)
    stuck.refresh_from_db()
    assert stuck.status == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 1
