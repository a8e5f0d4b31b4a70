"""The Redis leg: two real Celery workers run the survey dispatcher twice at once against
PostgreSQL; every invitation is e-mailed exactly once."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from impact.models import SurveyInvitation
from impact.tasks import dispatch_surveys
from portal import services as portal_services
from portal.celery import app
from portal.models import OutgoingEmail
from portal.tenancy import scopes_disabled
from tests.factories import CohortFactory, SurveyInvitationFactory, SurveyScheduleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _test_database_url() -> str:
    """The database the test runs against (pytest-django's test_<name>), for the workers."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{auth}{host}{port}/{settings.DATABASES['default']['NAME']}"


@pytest.fixture
def workers(transactional_db):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": _test_database_url(),
        "CONN_MAX_AGE": "0",
    }
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"surveys{n}-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in (1, 2)
    ]
    yield procs
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=30)


def test_two_workers_dispatching_at_once_send_each_invitation_once(workers):
    cohort = CohortFactory(completed=True)
    schedule = SurveyScheduleFactory(programme=cohort.programme)
    due = timezone.now() - timedelta(minutes=5)
    invitations = [
        SurveyInvitationFactory(schedule=schedule, cohort=cohort, due_at=due) for _ in range(100)
    ]
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        results = [dispatch_surveys.apply_async(), dispatch_surveys.apply_async()]
        counts = [result.get(timeout=120) for result in results]
    finally:
        app.conf.task_always_eager = eager

    assert sum(c["sent"] for c in counts) == 100, counts
    # The workers send the outbox after each commit; flush whatever they have not sent yet.
    deadline = time.monotonic() + 60
    while OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).exists():
        portal_services.outbox_flush(older_than_seconds=0)
        assert time.monotonic() < deadline, "the outbox did not drain"
        time.sleep(0.2)

    emails = list(OutgoingEmail.objects.values_list("to", "status"))
    assert len(emails) == 100
    assert sorted(to for to, _ in emails) == sorted(i.email for i in invitations)
    assert {status for _, status in emails} == {OutgoingEmail.Status.SENT}
    with scopes_disabled():
        statuses = set(SurveyInvitation.objects.values_list("status", flat=True))
    assert statuses == {SurveyInvitation.Status.SENT}
