"""Contention on PostgreSQL: a person double-clicking "Ask to be erased"."""

import pytest

from portal.models import OutgoingEmail
from portal.roles import Role
from privacy import erasure
from privacy.models import ErasureApproval, ErasureRequest
from tests.concurrency import run_together
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_requests_at_once_leave_one_pending_request_and_ask_each_admin_once(organisation):
    person = UserFactory()
    MembershipFactory(organisation=organisation, user=person, role=Role.REVIEWER)
    admin = MembershipFactory(organisation=organisation, role=Role.ADMIN).user

    outcomes = run_together([lambda: erasure.erasure_request(user=person).pk for _ in range(5)])

    assert sorted(kind for kind, _ in outcomes) == ["ok"] + ["refused"] * 4
    assert ErasureRequest.objects.filter(user=person).count() == 1
    assert ErasureApproval.objects.with_scopes_disabled().count() == 1
    assert OutgoingEmail.objects.filter(to=admin.email, subject__contains="Erasure").count() == 1
