"""The public directory of open calls, a call's page and an organisation's page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    OrganisationFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("calls:directory")


def call(org=None, **programme_fields):
    programme = ProgrammeFactory(**({"organisation": org} if org else {}), **programme_fields)
    return CohortFactory(programme=programme)


def names(response):
    return [c["programme"].name for c in response.context["calls"]]


def test_directory_lists_open_calls_across_organisations_with_eligibility(client):
    a = call(
        OrganisationFactory(name="Capital Trade & Invest"),
        name="International Business Programme",
        summary="Trade missions for scaleups.",
        regions=["london"],
        min_employees=5,
        max_employees=250,
    )
    call(OrganisationFactory(name="Pennine Growth Hub"), name="Ignite2Scale")
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    body = response.content.decode()
    assert sorted(names(response)) == ["Ignite2Scale", "International Business Programme"]
    assert "Capital Trade &amp; Invest" in body and "Pennine Growth Hub" in body
    assert "Trade missions for scaleups." in body
    assert "Based in: London" in body
    assert "Employees: 5 to 250" in body
    assert "Open to every company" in body  # Ignite2Scale has no rules
    # 20 days ahead; a clock change or midnight between may shift the calendar day by one.
    assert re.search(r"Closes in (19|20|21) days", body)
    assert "Trade missions" in body  # kind of support
    assert a.get_public_url() in body


def test_draft_closed_and_later_cohorts_are_not_listed(client):
    open_one = call(name="Open Programme")
    CohortFactory(programme=ProgrammeFactory(name="Draft Programme"), draft=True)
    CohortFactory(programme=ProgrammeFactory(name="Closed Programme"), closed=True)
    CohortFactory(programme=ProgrammeFactory(name="Selecting Programme"), selecting=True)
    CohortFactory(programme=ProgrammeFactory(name="Running Programme"), running=True)
    CohortFactory(
        programme=ProgrammeFactory(name="Future Programme"),
        applications_open_at=timezone.now() + timedelta(days=3),
    )
    response = client.get(DIRECTORY)
    assert names(response) == ["Open Programme"]
    assert open_one.get_public_url() in response.content.decode()


def test_directory_filters_by_sector_region_and_support(client):
    call(name="Tech in London", sectors=["tech"], regions=["london"], support_kinds=["mentoring"])
    call(name="Food up North", sectors=["food"], regions=["north_west"], support_kinds=["finance"])
    call(name="Anyone Anywhere", sectors=[], regions=[], support_kinds=["trade_missions"])

    response = client.get(DIRECTORY, {"sector": "tech"})
    assert sorted(names(response)) == ["Anyone Anywhere", "Tech in London"]
    response = client.get(DIRECTORY, {"region": "north_west"})
    assert sorted(names(response)) == ["Anyone Anywhere", "Food up North"]
    response = client.get(DIRECTORY, {"support": "finance"})
    assert names(response) == ["Food up North"]
    response = client.get(DIRECTORY, {"sector": "food", "region": "london"})
    assert names(response) == ["Anyone Anywhere"]
    # The chosen filters stay selected.
    assert '<option value="food" selected>' in response.content.decode()


def test_directory_explains_when_no_call_matches(client):
    call(support_kinds=["mentoring"])
    response = client.get(DIRECTORY, {"support": "innovation"})
    body = response.content.decode()
    assert "No open call matches these filters" in body
    assert f'href="{DIRECTORY}"' in body  # the link that clears them


def test_directory_refuses_unknown_filter_values(client):
    call(name="Still listed")
    response = client.get(DIRECTORY, {"sector": "wizardry"})
    assert response.status_code == 400
    assert names(response) == ["Still listed"]
    assert "Select a valid choice" in response.content.decode()


def test_directory_paginates_twenty_calls_a_page(client):
    programme = ProgrammeFactory()
    for i in range(23):
        CohortFactory(
            programme=programme, applications_close_at=timezone.now() + timedelta(days=i + 1)
        )
    response = client.get(DIRECTORY)
    assert len(response.context["calls"]) == 20
    assert "Page 1 of 2" in response.content.decode()
    response = client.get(DIRECTORY, {"page": 2})
    assert len(response.context["calls"]) == 3


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_directory_query_count_does_not_grow_with_calls(client):
    def add(n):
        for i in range(n):
            call(OrganisationFactory(), regions=["london"], sectors=["tech"], min_employees=i)

    add(10)
    client.get(DIRECTORY)
    ten = _queries(client, DIRECTORY)
    add(50)
    assert _queries(client, DIRECTORY) == ten
    assert _queries(client, DIRECTORY + "?sector=tech&page=3") == ten


def test_organisation_page_query_count_does_not_grow(client, organisation):
    page = organisation.get_public_url()
    for _ in range(3):
        call(organisation)
    client.get(page)
    few = _queries(client, page)
    for _ in range(15):
        call(organisation)
    assert _queries(client, page) == few


# --- A call's page --------------------------------------------------------------------------


def test_call_detail_shows_the_call_and_an_apply_button(client):
    cohort = CohortFactory(
        programme=ProgrammeFactory(
            name="Scale Up Accelerator",
            description="Twelve months of support.",
            regions=["north_west"],
            organisation=OrganisationFactory(name="Pennine Growth Hub", accent_colour="#123456"),
        ),
        name="Spring 2027",
        capacity=25,
    )
    response = client.get(cohort.get_public_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Scale Up Accelerator" in body and "Spring 2027" in body
    assert "Twelve months of support." in body
    assert "Based in: North West" in body
    assert "25 companies" in body
    assert "Pennine Growth Hub" in body
    assert "--brand: #123456" in body
    assert reverse("my:apply", kwargs={"cohort_pk": cohort.pk}) in body
    assert "Sign in</a> to see whether your company is eligible" in body


def test_closed_call_has_no_apply_button(client):
    cohort = CohortFactory(selecting=True)
    response = client.get(cohort.get_public_url())
    body = response.content.decode()
    assert "Applications are closed" in body
    assert reverse("my:apply", kwargs={"cohort_pk": cohort.pk}) not in body


def test_draft_and_unknown_calls_are_404(client):
    draft = CohortFactory(draft=True)
    assert client.get(draft.get_public_url()).status_code == 404
    cohort = CohortFactory()
    wrong_org = reverse("calls:call-detail", kwargs={"org_slug": "elsewhere", "pk": cohort.pk})
    assert client.get(wrong_org).status_code == 404


def test_signed_in_sme_sees_whether_each_company_is_eligible(client, user):
    cohort = CohortFactory(
        programme=ProgrammeFactory(regions=["london"], min_employees=10, sectors=["tech"])
    )
    fits = CompanyFactory(name="Lumen Grid Ltd", region="london", employees=40, sector="tech")
    too_small = CompanyFactory(name="Tiny North Ltd", region="north_east", employees=3)
    CompanyMemberFactory(company=fits, user=user)
    CompanyMemberFactory(company=too_small, user=user)
    CompanyFactory(name="Someone Else Ltd")  # not the user's
    client.force_login(user)
    response = client.get(cohort.get_public_url())
    body = response.content.decode()
    assert "<strong>Lumen Grid Ltd</strong> meets every rule" in body
    assert "<strong>Tiny North Ltd</strong> is not eligible" in body
    assert "open to companies based in London; your profile says North East" in body
    assert "at least 10 employees; your profile says 3" in body
    assert "Someone Else Ltd" not in body


# --- An organisation's page -----------------------------------------------------------------


def test_organisation_page_lists_only_its_open_calls(client, organisation, other_organisation):
    mine = call(organisation, name="Our Open Programme")
    call(other_organisation, name="Their Programme")
    CohortFactory(programme=ProgrammeFactory(organisation=organisation), draft=True)
    response = client.get(organisation.get_public_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert names(response) == ["Our Open Programme"]
    assert mine.get_public_url() in body
    assert "Their Programme" not in body
    assert "no call open for applications" not in body
    assert f'href="{DIRECTORY}"' in body
    assert response.context["branding"] == organisation


def test_organisation_page_without_open_calls_points_to_the_directory(client, organisation):
    CohortFactory(programme=ProgrammeFactory(organisation=organisation), closed=True)
    body = client.get(organisation.get_public_url()).content.decode()
    assert "has no call open for applications right now" in body
    assert f'href="{DIRECTORY}"' in body
