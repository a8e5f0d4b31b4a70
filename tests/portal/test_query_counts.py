"""Staff pages run a fixed number of queries whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.roles import Role
from portal.tenancy import tenant_scope
from tests.factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(organisation, n):
    MembershipFactory.create_batch(n, organisation=organisation, role=Role.MENTOR)
    with tenant_scope(organisation):
        InvitationFactory.create_batch(n, organisation=organisation)


@pytest.mark.parametrize("page", ["", "members/", "settings/"])
def test_staff_pages_do_not_grow_with_data(client, organisation, make_member, page):
    admin = make_member(organisation, Role.ADMIN)
    client.force_login(admin.user)
    url = f"/{organisation.slug}/{page}"
    _grow(organisation, 10)
    client.get(url)  # the first visit records the organisation in the session
    small = _queries(client, url)
    _grow(organisation, 40)  # 50 members: the members page shows one page of 50
    large = _queries(client, url)
    assert small == large
    assert large < 20


def test_my_dashboard_does_not_grow_with_companies(client, user):
    from tests.factories import CompanyMemberFactory

    client.force_login(user)
    CompanyMemberFactory.create_batch(2, user=user)
    client.get("/my/")
    small = _queries(client, "/my/")
    CompanyMemberFactory.create_batch(30, user=user)
    assert _queries(client, "/my/") == small
