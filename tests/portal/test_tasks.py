"""Tasks that work for one organisation run inside its scope, as a request would."""

import pytest
from celery import shared_task

from portal.celery import TenantTask
from portal.models import Invitation
from portal.tenancy import tenant_scope
from tests.factories import InvitationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@shared_task(base=TenantTask)
def count_invitations(*, organisation_id):
    return Invitation.objects.count()


def test_tenant_task_sees_only_its_organisation():
    a, b = OrganisationFactory(), OrganisationFactory()
    with tenant_scope(a):
        InvitationFactory.create_batch(2, organisation=a)
    with tenant_scope(b):
        InvitationFactory.create_batch(3, organisation=b)
    assert count_invitations.delay(organisation_id=a.pk).get() == 2
    assert count_invitations.delay(organisation_id=b.pk).get() == 3
