"""Tasks are enqueued only once the transaction that created their rows has committed, and
never when it rolls back: a worker must never look for a row that is not there (yet).

The broker is replaced by a recorder that notes, at the moment of enqueueing, whether the
caller was still inside a transaction and whether the row was already committed (seen from
a second database connection where the database allows one)."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from impact import reports, services
from impact.models import FunderReport, SurveyInvitation
from portal.models import OutgoingEmail
from portal.services import email_enqueue
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import MembershipFactory, ProgrammeFactory, SurveyInvitationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def enqueued(monkeypatch):
    """Replace `.delay` of the portal's tasks with a recorder."""
    from impact.tasks import render_report
    from portal.tasks import send_outgoing_email

    calls = []

    def recorder(task, model):
        def delay(pk, **kwargs):
            with scopes_disabled():
                committed = model.objects.filter(pk=pk).exists()
            calls.append((task, pk, connection.in_atomic_block, committed))

        return delay

    monkeypatch.setattr(send_outgoing_email, "delay", recorder("email", OutgoingEmail))
    monkeypatch.setattr(render_report, "delay", recorder("report", FunderReport))
    return calls


def test_an_email_is_enqueued_after_commit_and_not_on_rollback(enqueued):
    with transaction.atomic():
        message = email_enqueue(
            to="a@example.org", subject="Hello", template="emails/invitation", context={}
        )
        assert enqueued == []  # not while the row may still roll back
    assert enqueued == [("email", message.pk, False, True)]

    with pytest.raises(RuntimeError), transaction.atomic():
        email_enqueue(to="b@example.org", subject="Hello", template="emails/invitation", context={})
        raise RuntimeError("rolled back")
    assert len(enqueued) == 1
    assert not OutgoingEmail.objects.filter(to="b@example.org").exists()


def test_survey_dispatch_enqueues_each_mail_after_its_batch_commits(enqueued):
    invitation = SurveyInvitationFactory(due_at=timezone.now())
    with scopes_disabled():
        counts = services.surveys_dispatch()
        invitation.refresh_from_db()
    assert counts["sent"] == 1 and invitation.status == SurveyInvitation.Status.SENT
    [(task, pk, in_atomic, committed)] = enqueued
    assert task == "email" and not in_atomic and committed
    assert OutgoingEmail.objects.get(pk=pk).to == invitation.email


def test_survey_dispatch_that_fails_mid_batch_enqueues_nothing(enqueued, monkeypatch):
    SurveyInvitationFactory(due_at=timezone.now())
    SurveyInvitationFactory(due_at=timezone.now())
    real = services._send_invitation
    sent = []

    def second_one_fails(invitation):
        if sent:
            raise ConnectionError("database went away mid-batch")
        sent.append(invitation.pk)
        real(invitation)

    monkeypatch.setattr(services, "_send_invitation", second_one_fails)
    with pytest.raises(ConnectionError), scopes_disabled():
        services.surveys_dispatch()
    assert enqueued == []  # the first invitation's mail was rolled back with its batch
    assert not OutgoingEmail.objects.exists()
    with scopes_disabled():
        assert set(SurveyInvitation.objects.values_list("status", flat=True)) == {
            SurveyInvitation.Status.SCHEDULED
        }


def test_a_report_render_is_enqueued_after_commit(enqueued):
    programme = ProgrammeFactory()
    user = MembershipFactory(organisation=programme.organisation).user
    with tenant_scope(programme.organisation):
        with transaction.atomic():
            report = reports.report_request(
                organisation=programme.organisation, programme=programme, user=user, fmt="csv"
            )
            assert enqueued == []
        assert enqueued == [("report", report.pk, False, True)]
        with pytest.raises(RuntimeError), transaction.atomic():
            reports.report_request(
                organisation=programme.organisation, programme=programme, user=user, fmt="pdf"
            )
            raise RuntimeError("rolled back")
    assert len(enqueued) == 1
