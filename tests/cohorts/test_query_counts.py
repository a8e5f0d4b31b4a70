"""The issue's query-count promise: the application board, the roster and the public calls
pages run as many queries with 500 rows as with 10."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Application, ApplicationStatus, Cohort, Company, Enrolment
from portal.roles import Role
from tests.factories import CohortFactory, CompanyFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _queries(client, url):
    client.get(url)  # warm up: session, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _companies(n, start):
    return Company.objects.bulk_create(
        CompanyFactory.build(name=f"Bulk {start + i} Ltd", registration_number=f"B{start + i}")
        for i in range(n)
    )


def _grow(cohort, n, start):
    companies = _companies(n, start)
    apps = Application.objects.bulk_create(
        Application(
            organisation=cohort.organisation,
            cohort=cohort,
            company=c,
            status=ApplicationStatus.ACCEPTED,
            company_snapshot={"sector": "tech"},
        )
        for c in companies
    )
    Enrolment.objects.bulk_create(
        Enrolment(organisation=cohort.organisation, cohort=cohort, company=a.company, application=a)
        for a in apps
    )


@pytest.mark.parametrize("page", ["cohorts:board", "cohorts:roster", "cohorts:cohort-list"])
def test_staff_pages_at_10_and_500_rows(client, organisation, make_member, page):
    cohort = CohortFactory(programme__organisation=organisation, capacity=600)
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    kwargs = {"org_slug": organisation.slug}
    if page != "cohorts:cohort-list":
        kwargs["pk"] = cohort.pk
    url = reverse(page, kwargs=kwargs)
    _grow(cohort, 10, 0)
    small = _queries(client, url)
    _grow(cohort, 490, 10)
    assert _queries(client, url) == small


def test_public_calls_at_10_and_500_open_calls(client, organisation):
    programme = ProgrammeFactory(organisation=organisation)

    def open_calls(n, start):
        template = CohortFactory.build(programme=programme, organisation=organisation)
        Cohort.objects.bulk_create(
            Cohort(
                organisation=organisation,
                programme=programme,
                number=start + i,
                start_date=template.start_date,
                end_date=template.end_date,
                capacity=10,
                applications_open_at=template.applications_open_at,
                applications_close_at=template.applications_close_at,
                status="open",
            )
            for i in range(1, n + 1)
        )

    open_calls(10, 0)
    small = _queries(client, "/calls/")
    open_calls(490, 10)
    assert _queries(client, "/calls/") == small
