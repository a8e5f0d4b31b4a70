"""A funder's combined figures across the programmes it funds, each company counted once."""

import pytest
from django.urls import reverse

from portal.roles import Role
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    EnrolmentFactory,
    FunderFactory,
    GrantFactory,
    ProgrammeFactory,
    SurveyResponseFactory,
)

pytestmark = pytest.mark.django_db


def _url(organisation, funder):
    return reverse("impact:funder", kwargs={"org_slug": organisation.slug, "pk": funder.pk})


@pytest.fixture
def funded(organisation):
    funder = FunderFactory(organisation=organisation, name="City Growth Fund")
    first, second = (ProgrammeFactory(organisation=organisation) for _ in range(2))
    for programme in (first, second):
        GrantFactory(programme=programme, funder=funder)
    shared = CompanyFactory(registration_number="01234567")
    twin = CompanyFactory(registration_number="01234567")  # the same firm, entered twice
    other = CompanyFactory(registration_number="07654321")
    for programme, company, jobs in ((first, shared, 3), (second, twin, 5), (first, other, 0)):
        cohort = CohortFactory(programme=programme, completed=True)
        EnrolmentFactory(cohort=cohort, company=company)
        SurveyResponseFactory(cohort=cohort, company=company, jobs_created=jobs)
    return funder


def test_funder_page_counts_a_company_in_two_programmes_once(
    client, organisation, make_member, funded
):
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    body = client.get(_url(organisation, funded)).content.decode()
    # Two firms, not three: the shared registration number is one company.
    assert '<div class="stat">2</div>' in body
    assert "1 of 2" in body  # one of the two firms created jobs


def test_funder_users_see_their_own_funder_only(client, organisation, make_member, funded):
    member = make_member(organisation, Role.FUNDER)
    client.force_login(member.user)
    assert client.get(_url(organisation, funded)).status_code == 403
    funded.users.add(member.user)
    assert client.get(_url(organisation, funded)).status_code == 200
    overview = client.get(reverse("impact:overview", kwargs={"org_slug": organisation.slug}))
    assert _url(organisation, funded) in overview.content.decode()
    other = FunderFactory(organisation=organisation)
    assert client.get(_url(organisation, other)).status_code == 403


def test_another_organisations_funder_is_not_found(client, organisation, make_member):
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    theirs = FunderFactory()
    assert client.get(_url(organisation, theirs)).status_code == 404
