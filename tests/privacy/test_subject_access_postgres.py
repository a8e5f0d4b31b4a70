"""Contention on PostgreSQL: a person double-clicking "Ask for a copy", and two workers
building the same export."""

import pytest

from portal.models import OutgoingEmail
from privacy import subject_access
from privacy.models import DataExport
from privacy.tasks_export import build_export
from tests.concurrency import run_together
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_ten_requests_at_once_leave_one_export_in_preparation(monkeypatch):
    user = UserFactory()
    # The worker is busy: every export stays pending while the others arrive.
    monkeypatch.setattr(build_export, "delay", lambda *args, **kwargs: None)

    outcomes = run_together(
        [lambda: subject_access.export_request(user=user).pk for _ in range(10)]
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok"] + ["refused"] * 9
    assert DataExport.objects.filter(user=user, state=DataExport.State.PENDING).count() == 1


def test_two_workers_building_the_same_export_build_and_mail_it_once():
    user = UserFactory()
    export = DataExport.objects.create(user=user)

    outcomes = run_together(
        [lambda: subject_access.export_build(export_id=export.pk) for _ in range(2)]
    )

    assert sorted(result for _, result in outcomes) == [False, True]
    export.refresh_from_db()
    assert export.state == DataExport.State.READY
    assert OutgoingEmail.objects.filter(to=user.email).count() == 1
