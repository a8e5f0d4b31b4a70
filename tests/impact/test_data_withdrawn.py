"""Survey planning and dispatch read the mark privacy leaves on the enrolments and
applications of a company an organisation withdrew from its data (`data_withdrawn_at`):
the company is surveyed no more through them, as participant or as comparison, though the
enrolment is still active and the company's owner still reachable."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from cohorts.models import Application, Enrolment
from impact import services
from impact.models import SurveyInvitation
from portal.models import OutgoingEmail
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    SurveyInvitationFactory,
    SurveyScheduleFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 2, 1, tzinfo=LONDON)
Status = SurveyInvitation.Status


@pytest.fixture
def cohort(organisation):
    return CohortFactory(
        programme=ProgrammeFactory(organisation=organisation),
        completed=True,
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2026, 1, 31),
    )


def _withdrawn(model, company):
    """What privacy.anonymise_company does to the organisation's rows of the company."""
    with scopes_disabled():
        model.objects.filter(company=company).update(data_withdrawn_at=timezone.now())


def test_planning_skips_enrolments_and_applications_marked_withdrawn(organisation, cohort):
    companies = [CompanyMemberFactory().company for _ in range(4)]
    for company in companies[:2]:
        EnrolmentFactory(cohort=cohort, company=company)
    for company in companies[2:]:
        ApplicationFactory(cohort=cohort, company=company, rejected=True)
    _withdrawn(Enrolment, companies[0])
    _withdrawn(Application, companies[2])
    SurveyScheduleFactory(programme=cohort.programme, include_comparison_group=True)

    with tenant_scope(organisation):
        assert services.surveys_plan(programme=cohort.programme, now=NOW) == 2
        planned = dict(SurveyInvitation.objects.values_list("company_id", "is_comparison"))
    assert planned == {companies[1].pk: False, companies[3].pk: True}


def test_the_dispatcher_sends_nothing_planned_through_a_withdrawn_row(organisation, cohort):
    """An invitation a planner inserted while the withdrawal was committing (so the
    withdrawal did not see it to stop it) is expired, not sent."""
    kept, gone, applicant = (CompanyMemberFactory().company for _ in range(3))
    for company in (kept, gone):
        EnrolmentFactory(cohort=cohort, company=company)
    ApplicationFactory(cohort=cohort, company=applicant, rejected=True)
    schedule = SurveyScheduleFactory(programme=cohort.programme, include_comparison_group=True)
    due = datetime.datetime(2026, 7, 31, 9, tzinfo=LONDON)
    invitations = {
        company: SurveyInvitationFactory(
            schedule=schedule,
            cohort=cohort,
            company=company,
            is_comparison=company == applicant,
            email=f"{company.pk}@founders.example",
            due_at=due,
        )
        for company in (kept, gone, applicant)
    }
    _withdrawn(Enrolment, gone)
    _withdrawn(Application, applicant)

    with time_machine.travel(due, tick=False):
        assert services.surveys_dispatch()["sent"] == 1
    with scopes_disabled():
        status = {c: SurveyInvitation.objects.get(pk=i.pk).status for c, i in invitations.items()}
    assert status == {kept: Status.SENT, gone: Status.EXPIRED, applicant: Status.EXPIRED}
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [
        f"{kept.pk}@founders.example"
    ]
