"""Follow-up surveys anchored on a trade mission's return, and impact figures for one mission
(its selected delegates): the small hook the Activities issue adds to impact."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities.models import MissionDelegate
from impact import services
from impact.models import SurveyInvitation, SurveySchedule
from impact.selectors import Scope, outcome_metrics
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import (
    CohortFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    MissionDelegateFactory,
    ProgrammeFactory,
    SurveyResponseFactory,
    SurveyScheduleFactory,
    TradeMissionFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# A submitted response answers the headline questions.
ANSWERED = {
    "jobs_created": 1,
    "new_deals": True,
    "new_markets": False,
    "further_funding": False,
    "new_offices": False,
}


@pytest.fixture
def setting(organisation):
    """A programme with a running cohort of four companies; a mission to Singapore that
    returned on 20 March 2026, with two of them selected, one waitlisted."""
    programme = ProgrammeFactory(organisation=organisation)
    cohort = CohortFactory(programme=programme, running=True)
    companies = []
    for _ in range(4):
        member = CompanyMemberFactory()
        EnrolmentFactory(cohort=cohort, company=member.company)
        companies.append(member.company)
    mission = TradeMissionFactory(
        programme=programme,
        destination_city="Singapore",
        destination_time_zone="Asia/Singapore",
        departs_on=datetime.date(2026, 3, 14),
        returns_on=datetime.date(2026, 3, 20),
    )
    for company in companies[:2]:
        MissionDelegateFactory(mission=mission, company=company, selected=True)
    MissionDelegateFactory(mission=mission, company=companies[2], status="waitlisted")
    return programme, cohort, mission, companies


def _schedule(programme, mission, months=3):
    return SurveyScheduleFactory(
        programme=programme,
        anchor=SurveySchedule.Anchor.MISSION_RETURN,
        mission=mission,
        offset_months=months,
        name=f"{months} months after the mission",
    )


def test_mission_rounds_invite_the_selected_delegates_months_after_return(setting):
    programme, cohort, mission, companies = setting
    schedule = _schedule(programme, mission)
    now = datetime.datetime(2026, 4, 1, tzinfo=LONDON)
    with tenant_scope(programme.organisation):
        assert services.surveys_plan(programme=programme, now=now) == 2
        assert services.surveys_plan(programme=programme, now=now) == 0  # idempotent
        invitations = list(SurveyInvitation.objects.filter(schedule=schedule))
    assert {i.company_id for i in invitations} == {companies[0].pk, companies[1].pk}
    assert {i.cohort_id for i in invitations} == {cohort.pk}
    # 20 March + 3 months = 20 June, at 09:00 in the organisation's zone.
    assert {i.due_at for i in invitations} == {datetime.datetime(2026, 6, 20, 9, tzinfo=LONDON)}


def test_a_delegate_no_longer_selected_loses_its_unsent_invitation(setting):
    programme, cohort, mission, companies = setting
    schedule = _schedule(programme, mission)
    now = datetime.datetime(2026, 4, 1, tzinfo=LONDON)
    with tenant_scope(programme.organisation):
        services.surveys_plan(programme=programme, now=now)
        MissionDelegate.objects.filter(company=companies[0]).update(status="withdrawn")
        services.surveys_plan(programme=programme, now=now)
        assert [i.company_id for i in SurveyInvitation.objects.filter(schedule=schedule)] == [
            companies[1].pk
        ]


def test_cohort_rounds_are_unchanged_beside_a_mission_round(setting):
    programme, cohort, mission, companies = setting
    _schedule(programme, mission)
    SurveyScheduleFactory(programme=programme, offset_months=6)  # after the cohort ends
    now = datetime.datetime(2026, 4, 1, tzinfo=LONDON)
    with tenant_scope(programme.organisation):
        assert services.surveys_plan(programme=programme, now=now) == 2 + 4


def test_a_mission_round_needs_a_mission_of_its_own_programme(setting, organisation):
    programme, cohort, mission, companies = setting
    other = TradeMissionFactory(programme=ProgrammeFactory(organisation=organisation))
    with tenant_scope(organisation):
        for bad in (None, other):
            schedule = SurveySchedule(
                programme=programme,
                name="After the mission",
                anchor=SurveySchedule.Anchor.MISSION_RETURN,
                mission=bad,
                offset_months=3,
            )
            with pytest.raises(ValidationError) as exc:
                services.schedule_save(schedule=schedule)
            assert "mission" in exc.value.message_dict
        cohort_round = SurveySchedule(
            programme=programme, name="x", anchor="cohort_end", mission=mission, offset_months=3
        )
        with pytest.raises(ValidationError):
            services.schedule_save(schedule=cohort_round)


def test_manager_adds_a_mission_round_from_the_page(client, organisation, make_member, setting):
    programme, cohort, mission, companies = setting
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    target = reverse("impact:schedules", kwargs={"org_slug": organisation.slug, "pk": programme.pk})
    response = client.post(
        target,
        {
            "name": "3 months after Singapore",
            "anchor": "mission_return",
            "mission": mission.pk,
            "offset_months": 3,
            "reminder_days": "7,14",
            "expires_after_days": 28,
            "active": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert SurveySchedule.objects.get().mission == mission
    assert mission.title in client.get(target).content.decode()


def test_impact_of_a_mission_counts_its_selected_delegates_only(setting):
    programme, cohort, mission, companies = setting
    for company in companies:
        SurveyResponseFactory(cohort=cohort, company=company, new_deals=company == companies[0])
    with tenant_scope(programme.organisation):
        whole = outcome_metrics(Scope(programmes=(programme.pk,)))
        one = outcome_metrics(Scope(programmes=(programme.pk,), missions=(mission.pk,)))
    assert (whole.companies, whole.respondents) == (4, 4)
    assert (one.companies, one.respondents) == (2, 2)
    assert one.share("new_deals").count == 1


def test_the_dashboard_takes_the_mission_from_the_mission_page(
    client, organisation, make_member, setting
):
    programme, cohort, mission, companies = setting
    for company in companies:
        SurveyResponseFactory(cohort=cohort, company=company, **ANSWERED)
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    kwargs = {"org_slug": organisation.slug, "pk": mission.pk}
    page = client.get(reverse("activities:mission-detail", kwargs=kwargs))
    response = client.get(page.context["impact_url"])
    assert response.status_code == 200
    assert response.context["metrics"].companies == 2
    assert f"Selected delegates of the trade mission “{mission.title}”" in response.content.decode()
