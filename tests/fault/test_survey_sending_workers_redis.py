"""Survey invitations under faults: 500 due invitations, two real Celery workers on Redis,
one of them killed with SIGKILL again and again (and restarted) while two periodic
dispatchers run at once. The mails are counted where they land, at an SMTP server on
loopback (aiosmtpd): every invitation arrives, and a mail arrives twice only if a kill fell
in the window between the mail server accepting it and the database recording the send.

That window, and what the portal does about it, is described in README.md ("E-mail delivery
under faults"). Each duplicate carries the same Message-ID as the first copy, which this test
checks, so a receiving mail system can drop it.

Needs PostgreSQL (workers share the test database) and Redis: collected in the CI leg with
both. Bounded: the kill phase stops once every invitation is recorded as sent."""

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cohorts.models import Company
from impact.models import SurveyInvitation
from impact.tasks import dispatch_surveys
from portal import services as portal_services
from portal.celery import app
from portal.models import OutgoingEmail
from portal.tenancy import scopes_disabled
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    SurveyInvitationFactory,
    SurveyScheduleFactory,
)
from tests.impact.test_dispatch_workers_redis import _test_database_url

pytestmark = pytest.mark.django_db(transaction=True)

INVITATIONS = 500
MIN_KILLS = 3
DEADLINE_SECONDS = 60
GRACE_SECONDS = 5


class Sink:
    """An SMTP server's handler that keeps what it accepted: (Message-ID, recipients)."""

    def __init__(self):
        self.accepted = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.accepted.append((message["Message-ID"], tuple(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


class Worker:
    """One `celery worker` process (solo pool: it runs one task at a time, so a SIGKILL
    interrupts at most one task in flight)."""

    def __init__(self, name: str, env: dict, log_dir):
        self.name, self.env, self.proc = name, env, None
        self.log_path = log_dir / f"{name}.log"
        self.log_offset = 0

    def start(self):
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self._popen(log)

    def wait_ready(self, timeout: float = 60):
        """Until this run of the worker has connected and taken its first task or is ready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as log:
                log.seek(self.log_offset)
                if b" ready." in log.read():
                    return
            time.sleep(0.1)
        raise AssertionError(f"worker {self.name} did not start: {self.log_path.read_text()}")

    def _popen(self, log):
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",  # the "ready." line tells the test it runs
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{self.name}-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(transactional_db, smtp_sink, tmp_path):
    _, port = smtp_sink
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": _test_database_url(),
        "CONN_MAX_AGE": "0",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "EMAIL_TIMEOUT": "10",
    }
    pair = [Worker("steady", env, tmp_path), Worker("doomed", env, tmp_path)]
    for worker in pair:
        worker.start()
    for worker in pair:
        worker.wait_ready()
    yield pair
    for worker in pair:
        worker.stop()
    # A killed worker's task stays "unacked" in Redis until the visibility timeout (an
    # hour) and would then be redelivered into some later test run: drop it now.
    app.control.purge()
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        client.delete("unacked", "unacked_index")


def _due_invitations(count: int) -> list[SurveyInvitation]:
    cohort = CohortFactory(completed=True)
    schedule = SurveyScheduleFactory(programme=cohort.programme)
    due = timezone.now() - timedelta(minutes=5)
    companies = Company.objects.bulk_create(CompanyFactory.build_batch(count))
    with scopes_disabled():
        return SurveyInvitation.objects.bulk_create(
            SurveyInvitationFactory.build(
                schedule=schedule, cohort=cohort, company=company, due_at=due
            )
            for company in companies
        )


def _all_recorded_sent() -> bool:
    with scopes_disabled():
        invitations_done = not SurveyInvitation.objects.exclude(
            status=SurveyInvitation.Status.SENT
        ).exists()
    return (
        invitations_done
        and not OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).exists()
    )


def test_sigkilled_workers_and_two_dispatchers_lose_no_invitation(workers, smtp_sink, settings):
    sink, port = smtp_sink
    invitations = _due_invitations(INVITATIONS)
    steady, doomed = workers
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    stop = threading.Event()
    kills = 0

    def periodic_dispatcher():
        """A beat: every few tenths of a second, send the dispatcher to the workers and
        give it a moment to finish; a dispatcher lost with a killed worker is simply
        followed by the next tick, as with beat."""
        while not stop.is_set():
            result = dispatch_surveys.apply_async()
            deadline = time.monotonic() + 5
            while not result.ready() and time.monotonic() < deadline and not stop.is_set():
                time.sleep(0.1)
            stop.wait(0.3)

    def periodic_flusher():
        """The outbox flush (portal.tasks.flush_outbox), which sends what a dead worker
        was told to send; every minute in production with a 30-second grace, here more
        often with a shorter grace."""
        try:
            while not stop.wait(2):
                _flush_to(settings, port)
        finally:
            connection.close()

    threads = [threading.Thread(target=periodic_dispatcher) for _ in range(2)]
    threads.append(threading.Thread(target=periodic_flusher))
    rng = random.Random(11)
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        # Kill the doomed worker at random moments while it works, restarting it each
        # time, until every invitation is recorded as sent (and at least MIN_KILLS times).
        while kills < MIN_KILLS or not _all_recorded_sent():
            if time.monotonic() - started > DEADLINE_SECONDS:
                # Bounded: on a slow machine a restart takes long; fewer kills, same checks.
                assert _all_recorded_sent(), (
                    f"not all sent after {kills} kills",
                    Counter(OutgoingEmail.objects.values_list("status", flat=True)),
                )
                break
            time.sleep(rng.uniform(0.3, 2.0))
            doomed.kill()
            kills += 1
            doomed.start()
            doomed.wait_ready()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        app.conf.task_always_eager = eager
    _flush_to(settings, port, grace=0)  # nothing is left: the assertions below say so
    elapsed = time.monotonic() - started

    with scopes_disabled():
        statuses = Counter(SurveyInvitation.objects.values_list("status", flat=True))
    assert statuses == {SurveyInvitation.Status.SENT: INVITATIONS}
    outbox = dict(OutgoingEmail.objects.values_list("pk", "to"))
    assert len(outbox) == INVITATIONS  # two dispatchers, still one mail per invitation
    assert sorted(outbox.values()) == sorted(i.email for i in invitations)
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {
        OutgoingEmail.Status.SENT
    }

    domain = settings.EMAIL_MESSAGE_ID_DOMAIN
    expected = {f"<outbox-{pk}@{domain}>": (to,) for pk, to in outbox.items()}
    with sink.lock:
        accepted = list(sink.accepted)
    arrivals = Counter(message_id for message_id, _ in accepted)
    # None lost: every outbox row arrived, to its own recipient, and nothing else arrived.
    assert set(arrivals) == set(expected), set(expected) ^ set(arrivals)
    assert all(rcpt == expected[message_id] for message_id, rcpt in accepted)
    # None twice outside the window: a worker runs one send at a time, so each kill can
    # interrupt at most one send between the server's "250 accepted" and the commit.
    duplicates = sum(n - 1 for n in arrivals.values())
    assert kills >= 1 and duplicates <= kills, (duplicates, kills)
    print(
        f"\n{INVITATIONS} invitations, {kills} SIGKILLs in {elapsed:.0f}s, {duplicates} duplicates"
    )


def _flush_to(settings, port, grace=GRACE_SECONDS):
    """The outbox flush (portal.tasks.flush_outbox) as the periodic job runs it, sending
    through the same SMTP server as the workers, with a shorter grace period than its 30
    seconds (the time a queued mail is left to the worker that was told to send it)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    portal_services.outbox_flush(older_than_seconds=grace, limit=INVITATIONS)
