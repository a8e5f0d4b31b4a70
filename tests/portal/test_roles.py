"""Each role reaches its dashboard and is refused where it does not belong."""

import pytest
from django.urls import reverse

from portal.roles import Role

pytestmark = pytest.mark.django_db

HEADINGS = {
    Role.ADMIN: "Organisation overview",
    Role.PROGRAMME_MANAGER: "Programme management",
    Role.GROWTH_ADVISER: "Your companies",
    Role.REVIEWER: "Applications to review",
    Role.MENTOR: "Your mentoring",
    Role.FUNDER: "Programmes you fund",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_its_dashboard(client, organisation, make_member, role):
    member = make_member(organisation, role)
    client.force_login(member.user)
    response = client.get(reverse("portal:dashboard", kwargs={"org_slug": organisation.slug}))
    assert response.status_code == 200
    assert HEADINGS[role] in response.content.decode()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
@pytest.mark.parametrize("page", ["portal:members", "portal:settings"])
def test_admin_pages_refuse_other_roles_with_a_reason(
    client, organisation, make_member, role, page
):
    member = make_member(organisation, role)
    client.force_login(member.user)
    response = client.get(reverse(page, kwargs={"org_slug": organisation.slug}))
    assert response.status_code == 403
    body = response.content.decode()
    assert "organisation admin" in body
    assert f"your role there is {Role(role).label.lower()}" in body


@pytest.mark.parametrize("role", list(Role))
def test_navigation_shows_only_what_the_role_may_do(client, organisation, make_member, role):
    member = make_member(organisation, role)
    client.force_login(member.user)
    body = client.get(f"/{organisation.slug}/").content.decode()
    members_url = reverse("portal:members", kwargs={"org_slug": organisation.slug})
    assert (members_url in body) == (role == Role.ADMIN)


def test_admin_reaches_admin_pages(client, organisation, make_member):
    member = make_member(organisation, Role.ADMIN)
    client.force_login(member.user)
    for page in ("portal:members", "portal:settings"):
        assert client.get(reverse(page, kwargs={"org_slug": organisation.slug})).status_code == 200


def test_sme_user_without_membership_is_refused_staff_pages(client, organisation, user):
    client.force_login(user)
    assert client.get(f"/{organisation.slug}/").status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_every_menu_link_opens_for_the_role_that_sees_it(client, organisation, make_member, role):
    """The menu offers a role only pages it may open (no link that answers 403)."""
    import re

    from portal.tenancy import tenant_scope
    from tests.factories import MentorProfileFactory

    member = make_member(organisation, role)
    if role == Role.MENTOR:  # mentors hold the role through their accepted profile
        with tenant_scope(organisation):
            MentorProfileFactory(organisation=organisation, user=member.user)
    client.force_login(member.user)
    body = client.get(f"/{organisation.slug}/").content.decode()
    links = set(re.findall(rf'href="(/{organisation.slug}/[^"#?]*)"', body))
    assert links
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


def test_growth_advisers_reach_the_activities_from_the_menu(client, organisation, make_member):
    member = make_member(organisation, Role.GROWTH_ADVISER)
    client.force_login(member.user)
    body = client.get(f"/{organisation.slug}/").content.decode()
    for name in ("event-list", "mission-list", "group-list", "consortium-list", "challenge-list"):
        assert reverse(f"activities:{name}", kwargs={"org_slug": organisation.slug}) in body
