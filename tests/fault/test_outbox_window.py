"""The one window where a mail can go out twice, made to happen on purpose: the mail
server has accepted the message, and the process dies before the database records the
send. The mail is sent again later (nothing is lost), with the same Message-ID, so the
receiving system can recognise the copy. Outside that window a redelivered task or a second
flush sends nothing. README.md, "E-mail delivery under faults", describes this."""

import pytest
from django.core import mail

from portal import services
from portal.models import OutgoingEmail

pytestmark = pytest.mark.django_db(transaction=True)


class ProcessKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so no handler in the portal catches it."""


def _queued():
    return services.email_enqueue(
        to="founder@company.example.org",
        subject="Your follow-up survey",
        template="emails/invitation",
        context={},
    )


def test_a_crash_between_smtp_accept_and_commit_resends_with_the_same_message_id(
    monkeypatch, settings
):
    # No worker picks the mail up at once: this test sends it by hand.
    monkeypatch.setattr("portal.tasks.send_outgoing_email.delay", lambda pk: None)
    message = _queued()
    real_save = OutgoingEmail.save

    def die_after_the_server_accepted(self, *args, **kwargs):
        if len(mail.outbox) == 1 and self.status == OutgoingEmail.Status.SENT:
            raise ProcessKilled
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(OutgoingEmail, "save", die_after_the_server_accepted)
    with pytest.raises(ProcessKilled):
        services.email_send(email_id=message.pk)
    message.refresh_from_db()
    assert len(mail.outbox) == 1  # the server has it ...
    assert message.status == OutgoingEmail.Status.QUEUED  # ... the database does not know

    assert services.outbox_flush(older_than_seconds=0) == 1  # the periodic flush
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"] == (
        f"<outbox-{message.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
    )
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT


def test_outside_the_window_a_redelivered_task_or_second_flush_sends_nothing(monkeypatch):
    monkeypatch.setattr("portal.tasks.send_outgoing_email.delay", lambda pk: None)
    message = _queued()
    assert services.email_send(email_id=message.pk) is True
    assert services.email_send(email_id=message.pk) is False  # the task delivered again
    assert services.outbox_flush(older_than_seconds=0) == 0
    assert len(mail.outbox) == 1
