"""The issue's query-count promise for events: the staff events list and the SME's
/my/events/ run as many queries with 500 rows as with 10."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Event, EventFeedback, Registration
from cohorts.models import Company
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _queries(client, url, params=None):
    client.get(url, params or {})  # warm up: session, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _events(cohort, n, start, *, past=False, audience="cohort"):
    now = timezone.now()
    base = now - timedelta(days=60) if past else now + timedelta(days=2)
    return Event.objects.bulk_create(
        Event(
            organisation=cohort.organisation,
            programme=cohort.programme,
            cohort=cohort if audience == "cohort" else None,
            audience=audience,
            kind="workshop",
            title=f"Bulk event {start + i}",
            starts_at=base + timedelta(hours=start + i),
            ends_at=base + timedelta(hours=start + i, minutes=90),
            time_zone="America/New_York",
            venue="Hall",
            capacity=30,
        )
        for i in range(n)
    )


def _register(events, companies, **fields):
    return Registration.objects.bulk_create(
        Registration(
            organisation=event.organisation,
            event=event,
            company=company,
            status=fields.get("status", "registered"),
            attendance=fields.get("attendance", ""),
            waitlisted_at=timezone.now() if fields.get("status") == "waitlisted" else None,
        )
        for event in events
        for company in companies
    )


def test_staff_event_list_at_10_and_500_events(client, organisation, make_member):
    cohort = CohortFactory(programme__organisation=organisation, running=True)
    companies = Company.objects.bulk_create(CompanyFactory.build() for _ in range(3))
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    url = reverse("activities:event-list", kwargs={"org_slug": organisation.slug})
    with scopes_disabled():
        events = _events(cohort, 10, 0)
        _register(events, companies[:2])
        _register(events, companies[2:], status="waitlisted")
    small = _queries(client, url)
    with scopes_disabled():
        events = _events(cohort, 490, 10)
        _register(events, companies[:2])
        _register(events, companies[2:], status="waitlisted")
    assert _queries(client, url) == small
    # The pages also hold with filters and for past events.
    programme_filter = {"programme": cohort.programme_id, "kind": "workshop"}
    assert _queries(client, url, programme_filter) == small
    with scopes_disabled():
        _events(cohort, 10, 0, past=True)
    past = _queries(client, url, {"when": "past"})
    with scopes_disabled():
        _events(cohort, 490, 10, past=True)
    assert _queries(client, url, {"when": "past"}) == past


def test_my_events_at_10_and_500_events(client, organisation):
    cohort = CohortFactory(programme__organisation=organisation, running=True)
    user = UserFactory()
    mine = [CompanyMemberFactory(user=user).company for _ in range(2)]
    for company in mine:
        EnrolmentFactory(cohort=cohort, company=company)
    client.force_login(user)
    url = reverse("my-activities:event-list")

    def grow(n, start):
        with scopes_disabled():
            upcoming = _events(cohort, n, start)
            _register(upcoming[: n // 2], mine[:1])
            _register(upcoming[n // 2 :], mine[1:], status="waitlisted")
            _events(cohort, n, start, audience="public")
            past = _events(cohort, n, start, past=True)
            rows = _register(past, mine[:1], attendance="attended")
            EventFeedback.objects.bulk_create(
                EventFeedback(
                    organisation=organisation, registration=r, rating=4, would_recommend=True
                )
                for r in rows[: n // 2]
            )

    grow(10, 0)
    small = _queries(client, url)
    grow(490, 10)
    assert _queries(client, url) == small


def test_staff_event_detail_pages_its_lists_at_10_and_500_companies(
    client, organisation, make_member
):
    """Every list of the detail page (places, waitlist, not attending, cancelled, no answer)
    is paginated, so the page costs the same with 500 companies of each as with 10."""
    cohort = CohortFactory(programme__organisation=organisation, running=True)
    with scopes_disabled():
        (event,) = _events(cohort, 1, 0)
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    url = reverse("activities:event-detail", kwargs={"org_slug": organisation.slug, "pk": event.pk})

    def grow(n):
        with scopes_disabled():
            companies = Company.objects.bulk_create(CompanyFactory.build() for _ in range(5 * n))
            for company in companies:
                EnrolmentFactory(cohort=cohort, company=company)
            for i, status in enumerate(["registered", "waitlisted", "declined", "cancelled"]):
                _register([event], companies[i * n : (i + 1) * n], status=status)

    grow(10)
    small = _queries(client, url)
    grow(490)
    assert _queries(client, url) == small
    page = client.get(url, {"waitlisted_page": 2}).content.decode()
    waitlist = page[page.index('id="waitlist-heading"') :]
    assert "51." in waitlist and "Page 2 of 10" in waitlist
    assert page.count("Page 1 of ") == 4  # the other four lists stay on their first page
