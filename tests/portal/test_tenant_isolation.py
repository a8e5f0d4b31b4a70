"""Tenant isolation over every staff URL pattern and every /my/ URL pattern.

The URL patterns are enumerated from the resolver (tests/urlwalk.py), so a page added by any
app is covered without editing this file."""

import pytest
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from cohorts.models import Application, Enrolment
from portal.models import Invitation, Membership
from portal.roles import Role
from tests.factories import CompanyMemberFactory, MembershipFactory, OrganisationFactory
from tests.tenant_data import populate_tenant
from tests.urlwalk import default_value, my_routes, staff_routes

MARKER_B = "zzsecretb"

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants():
    org_a = OrganisationFactory(name="Alpha Hub", slug="alpha-hub")
    # Organisation names are public (the home page lists them); private data carries the marker.
    org_b = OrganisationFactory(name="Beta Agency", slug="beta-agency")
    ids_b = populate_tenant(org_b, MARKER_B)
    populate_tenant(org_a, "alphamarker")
    admin_a = MembershipFactory(organisation=org_a, role=Role.ADMIN).user
    return org_a, org_b, admin_a, ids_b


def _urls(route, org_slug, ids):
    """Every way to fill the route: the given slug and each candidate id for int params."""
    int_params = [name for conv, name in route.params if conv == "int"]
    values = {name: default_value(conv) for conv, name in route.params}
    values["org_slug"] = org_slug
    if not int_params:
        return [route.build(values)]
    return [route.build({**values, **dict.fromkeys(int_params, pk)}) for pk in ids]


def _snapshot_b(org_b):
    with scopes_disabled():
        return (
            sorted(Membership.objects.filter(organisation=org_b).values_list("pk", "role")),
            sorted(Invitation.objects.filter(organisation=org_b).values_list("pk", "status")),
            sorted(get_user_model().objects.values_list("pk", "email", "is_active")),
        )


def test_there_are_staff_routes_to_check():
    # Guards against the walker silently finding nothing.
    assert len(staff_routes()) >= 6


def test_member_of_another_organisation_gets_404_on_every_staff_url(client, two_tenants):
    org_a, org_b, admin_a, ids_b = two_tenants
    client.force_login(admin_a)
    before = _snapshot_b(org_b)
    for route in staff_routes():
        for url in _urls(route, org_b.slug, ids_b[:3]):
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 404, (route.name, url, response.status_code)
                assert MARKER_B not in response.content.decode(), (route.name, url)
    assert _snapshot_b(org_b) == before


def test_anonymous_visitor_is_sent_to_sign_in_on_every_staff_url(client, two_tenants):
    org_a, org_b, admin_a, ids_b = two_tenants
    for route in staff_routes():
        for url in _urls(route, org_b.slug, ids_b[:1]):
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 302, (route.name, url, response.status_code)
                assert response["Location"].startswith("/accounts/login/"), route.name


def test_other_tenants_object_ids_under_own_slug_never_leak(client, two_tenants):
    """The second fence: in its own organisation's URLs, an admin asks for the other
    tenant's primary keys. Nothing of the other tenant may show or change."""
    org_a, org_b, admin_a, ids_b = two_tenants
    client.force_login(admin_a)
    before = _snapshot_b(org_b)
    for route in staff_routes():
        for url in _urls(route, org_a.slug, ids_b):
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code < 500, (route.name, url)
                assert MARKER_B not in response.content.decode(), (route.name, url)
    assert _snapshot_b(org_b) == before


def test_every_staff_view_names_the_roles_it_allows():
    """Role checks are one mechanism (portal.permissions.role_required / RoleRequiredMixin):
    a staff view without it would be open to every member."""
    missing = []
    for route in staff_routes():
        view = route.callback
        roles = getattr(view, "allowed_roles", None) or getattr(
            getattr(view, "view_class", None), "allowed_roles", None
        )
        if not roles:
            missing.append(route.name)
    assert not missing, f"staff views without role_required: {missing}"


def test_there_are_my_routes_to_check():
    assert len(my_routes()) >= 2


def test_user_of_another_company_never_sees_or_changes_it_on_any_my_url(client):
    """Every /my/ pattern, with each of the other company's ids in every int parameter:
    never their marker, never a change; their company and application pages are 404."""
    other_org = OrganisationFactory(slug="other-org")
    ids_b = populate_tenant(other_org, MARKER_B)
    with scopes_disabled():
        theirs = Application.objects.get(company__name=f"{MARKER_B} Ltd")
        their_ids = sorted(
            {
                theirs.pk,
                theirs.company_id,
                theirs.cohort_id,
                *theirs.files.values_list("pk", flat=True),
                *Enrolment.objects.filter(cohort=theirs.cohort).values_list("pk", flat=True),
                *ids_b,  # every marked object of the other tenant (matches, sessions, ...)
            }
        )
        before = (theirs.status, dict(theirs.answers), theirs.company.name)
    mine = CompanyMemberFactory(company__name="Mine Ltd")
    client.force_login(mine.user)
    for route in my_routes():
        values = {name: default_value(conv) for conv, name in route.params}
        int_params = [name for conv, name in route.params if conv == "int"]
        urls = (
            [route.build(values)]
            if not int_params
            else [route.build({**values, **dict.fromkeys(int_params, pk)}) for pk in their_ids]
        )
        for url in urls:
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code < 500, (route.name, url)
                assert MARKER_B not in response.content.decode(), (route.name, url)
        if route.route.startswith(("my/companies/<int:pk>", "my/applications/<int:pk>")):
            own_kind_id = theirs.company_id if "companies" in route.route else theirs.pk
            url = route.build({**values, **dict.fromkeys(int_params, own_kind_id)})
            assert client.get(url).status_code == 404, route.name
    with scopes_disabled():
        theirs.refresh_from_db()
        assert (theirs.status, dict(theirs.answers), theirs.company.name) == before


def test_my_pages_require_sign_in(client):
    theirs = CompanyMemberFactory()
    for route in my_routes():
        values = {name: default_value(conv) for conv, name in route.params}
        values.update({name: theirs.company_id for conv, name in route.params if conv == "int"})
        response = client.get(route.build(values))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
