"""The cost of mentoring per company shows on the programme page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import MentoringSession
from portal.roles import Role
from tests.factories import CohortFactory, EnrolmentFactory, MentorMatchFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _session(match, status, fee):
    start = timezone.now() - timedelta(days=3, hours=match.pk)
    return MentoringSession.objects.create(
        organisation=match.organisation,
        match=match,
        mentor=match.mentor,
        company=match.company,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=status,
        fee=Decimal(fee),
        place="Hub",
    )


def test_programme_page_loads_the_cost_per_company(client, organisation, make_member):
    programme = ProgrammeFactory(organisation=organisation)
    cohort = CohortFactory(programme=programme, running=True)
    first = MentorMatchFactory(enrolment=EnrolmentFactory(cohort=cohort))
    second = MentorMatchFactory(enrolment=EnrolmentFactory(cohort=cohort), mentor=first.mentor)
    _session(first, MentoringSession.Status.HELD, "150")
    _session(first, MentoringSession.Status.HELD, "150")
    _session(second, MentoringSession.Status.HELD, "100")
    _session(second, MentoringSession.Status.CANCELLED, "100")
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    page = client.get(programme.get_absolute_url()).content.decode()
    fragment_url = reverse(
        "mentoring:programme-cost", kwargs={"org_slug": organisation.slug, "pk": programme.pk}
    )
    assert f'hx-get="{fragment_url}"' in page
    fragment = client.get(fragment_url).content.decode()
    # £400 of held sessions over two companies; the cancellation costs nothing.
    assert "£200.00" in fragment and "3 paid sessions for 2 companies" in fragment


def test_cost_fragment_is_for_managers_of_the_programme(client, organisation, make_member):
    programme = ProgrammeFactory(organisation=organisation)
    url = reverse(
        "mentoring:programme-cost", kwargs={"org_slug": organisation.slug, "pk": programme.pk}
    )
    client.force_login(make_member(organisation, Role.MENTOR).user)
    assert client.get(url).status_code == 403
    other = ProgrammeFactory()
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    assert client.get(url.replace(f"/{programme.pk}/", f"/{other.pk}/")).status_code == 404
