"""A query on a tenant-owned model outside a scope raises; inside one it sees one tenant."""

import pytest
from django_scopes import ScopeError

from portal.models import Invitation
from portal.tenancy import tenant_scope
from tests.factories import InvitationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_unscoped_query_on_tenant_model_raises():
    org = OrganisationFactory()
    with tenant_scope(org):
        InvitationFactory(organisation=org)
    with pytest.raises(ScopeError):
        list(Invitation.objects.all())
    with pytest.raises(ScopeError):
        Invitation.objects.filter(email__contains="@").count()
    with pytest.raises(ScopeError):
        list(org.invitations.all())


def test_scope_filters_to_one_organisation():
    a, b = OrganisationFactory(), OrganisationFactory()
    with tenant_scope(a):
        mine = InvitationFactory(organisation=a)
    with tenant_scope(b):
        InvitationFactory(organisation=b)
    with tenant_scope(a):
        assert list(Invitation.objects.all()) == [mine]
        assert Invitation.objects.filter(pk__gt=0).count() == 1


def test_scope_refuses_none():
    with pytest.raises(ValueError), tenant_scope(None):
        pass
