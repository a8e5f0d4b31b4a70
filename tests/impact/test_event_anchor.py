"""Follow-up surveys anchored on an event: the companies that attended it are surveyed a
number of months after it ends."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities.models import Registration
from impact import services
from impact.models import SurveyInvitation, SurveySchedule
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import (
    CohortFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    EventFactory,
    ProgrammeFactory,
    RegistrationFactory,
    SurveyScheduleFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime.datetime(2026, 4, 1, tzinfo=LONDON)


@pytest.fixture
def setting(organisation):
    """A programme with two cohorts (the second running, the first completed) and five
    companies; an investor day held in New York that ended at 21:00 there on 20 March 2026
    (already 21 March in London). Companies 0 and 1 attended, 2 was a no-show, 3 registered
    but was not marked; company 4 of the first cohort attended too."""
    programme = ProgrammeFactory(organisation=organisation)
    first = CohortFactory(programme=programme, number=1, completed=True)
    second = CohortFactory(programme=programme, number=2, running=True)
    companies = []
    for index in range(5):
        member = CompanyMemberFactory()
        EnrolmentFactory(cohort=first if index == 4 else second, company=member.company)
        companies.append(member.company)
    event = EventFactory(
        programme=programme,
        title="Investor day in New York",
        time_zone="America/New_York",
        starts_at=datetime.datetime(2026, 3, 20, 14, tzinfo=NEW_YORK),
        ends_at=datetime.datetime(2026, 3, 20, 21, tzinfo=NEW_YORK),
    )
    for company in (companies[0], companies[1], companies[4]):
        RegistrationFactory(event=event, company=company, attended=True)
    RegistrationFactory(event=event, company=companies[2], no_show=True)
    RegistrationFactory(event=event, company=companies[3])
    return programme, (first, second), event, companies


def _schedule(programme, event, months=3):
    return SurveyScheduleFactory(
        programme=programme,
        anchor=SurveySchedule.Anchor.EVENT,
        event=event,
        offset_months=months,
        name=f"{months} months after the investor day",
    )


def test_event_rounds_invite_the_attending_companies_months_after_it_ends(setting):
    programme, (first, second), event, companies = setting
    schedule = _schedule(programme, event)
    with tenant_scope(programme.organisation):
        assert services.surveys_plan(programme=programme, now=NOW) == 3
        assert services.surveys_plan(programme=programme, now=NOW) == 0  # idempotent
        invitations = list(SurveyInvitation.objects.filter(schedule=schedule))
    # Each is filed under the company's own cohort in the programme.
    assert {(i.company_id, i.cohort_id) for i in invitations} == {
        (companies[0].pk, second.pk),
        (companies[1].pk, second.pk),
        (companies[4].pk, first.pk),
    }
    # The event ended on 20 March where it was held: 3 months later is 20 June, at 09:00
    # in the organisation's zone (not 21 June, the day it ended in London).
    assert {i.due_at for i in invitations} == {datetime.datetime(2026, 6, 20, 9, tzinfo=LONDON)}
    assert {i.email for i in invitations} == {
        c.members.first().email for c in (companies[0], companies[1], companies[4])
    }


def test_a_company_no_longer_marked_attended_loses_its_unsent_invitation(setting):
    programme, cohorts, event, companies = setting
    schedule = _schedule(programme, event)
    with tenant_scope(programme.organisation):
        services.surveys_plan(programme=programme, now=NOW)
        sent = SurveyInvitation.objects.get(schedule=schedule, company=companies[4])
        sent.status = SurveyInvitation.Status.SENT
        sent.save()
        # Attendance corrected: company 0 was in fact a no-show; company 4's has been sent.
        Registration.objects.filter(company__in=[companies[0], companies[4]]).update(
            attendance=Registration.Attendance.NO_SHOW
        )
        Registration.objects.filter(company=companies[3]).update(
            attendance=Registration.Attendance.ATTENDED
        )
        assert services.surveys_plan(programme=programme, now=NOW) == 1
        left = set(
            SurveyInvitation.objects.filter(schedule=schedule).values_list("company_id", flat=True)
        )
    assert left == {companies[1].pk, companies[3].pk, companies[4].pk}


def test_an_event_for_one_cohort_files_its_invitations_under_that_cohort(setting):
    programme, (first, second), event, companies = setting
    event.audience, event.cohort = "cohort", first
    event.save()
    schedule = _schedule(programme, event)
    with tenant_scope(programme.organisation):
        assert services.surveys_plan(programme=programme, now=NOW) == 1
        invitation = SurveyInvitation.objects.get(schedule=schedule)
    # Companies of the other cohort who came along are not surveyed under this cohort.
    assert (invitation.company_id, invitation.cohort_id) == (companies[4].pk, first.pk)


def test_unsent_invitations_follow_a_change_of_the_event_date(setting):
    programme, cohorts, event, companies = setting
    schedule = _schedule(programme, event)
    with tenant_scope(programme.organisation):
        services.surveys_plan(programme=programme, now=NOW)
        event.starts_at += datetime.timedelta(days=10)
        event.ends_at += datetime.timedelta(days=10)
        event.save()
        services.surveys_plan(programme=programme, now=NOW)
        due = set(
            SurveyInvitation.objects.filter(schedule=schedule).values_list("due_at", flat=True)
        )
    assert due == {datetime.datetime(2026, 6, 30, 9, tzinfo=LONDON)}


def test_an_event_long_past_is_not_planned(setting):
    programme, cohorts, event, companies = setting
    _schedule(programme, event, months=1)
    later = datetime.datetime(2027, 1, 1, tzinfo=LONDON)
    with tenant_scope(programme.organisation):
        assert services.surveys_plan(programme=programme, now=later) == 0


def test_cohort_and_event_rounds_plan_side_by_side(setting):
    programme, cohorts, event, companies = setting
    _schedule(programme, event)
    SurveyScheduleFactory(programme=programme, offset_months=6)  # after each cohort ends
    with tenant_scope(programme.organisation):
        assert services.surveys_plan(programme=programme, now=NOW) == 3 + 5


def test_an_event_round_needs_an_event_of_its_own_programme(setting, organisation):
    programme, cohorts, event, companies = setting
    other = EventFactory(programme=ProgrammeFactory(organisation=organisation))
    with tenant_scope(organisation):
        for bad in (None, other):
            schedule = SurveySchedule(
                programme=programme,
                name="After the event",
                anchor=SurveySchedule.Anchor.EVENT,
                event=bad,
                offset_months=3,
            )
            with pytest.raises(ValidationError) as exc:
                services.schedule_save(schedule=schedule)
            assert "event" in exc.value.message_dict
        cohort_round = SurveySchedule(
            programme=programme, name="x", anchor="cohort_end", event=event, offset_months=3
        )
        with pytest.raises(ValidationError) as exc:
            services.schedule_save(schedule=cohort_round)
        assert "event" in exc.value.message_dict


def test_the_event_of_a_round_cannot_change_once_invitations_went_out(setting):
    programme, cohorts, event, companies = setting
    schedule = _schedule(programme, event)
    other = EventFactory(programme=programme)
    with tenant_scope(programme.organisation):
        services.surveys_plan(programme=programme, now=NOW)
        SurveyInvitation.objects.filter(schedule=schedule).update(
            status=SurveyInvitation.Status.SENT
        )
        schedule.event = other
        with pytest.raises(ValidationError):
            services.schedule_save(schedule=schedule)


def test_manager_adds_an_event_round_from_the_page(client, organisation, make_member, setting):
    programme, cohorts, event, companies = setting
    foreign = EventFactory(programme=ProgrammeFactory(organisation=organisation))
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    target = reverse("impact:schedules", kwargs={"org_slug": organisation.slug, "pk": programme.pk})
    data = {
        "name": "3 months after the investor day",
        "anchor": "event",
        "offset_months": 3,
        "reminder_days": "7,14",
        "expires_after_days": 28,
        "active": "on",
    }
    # Only this programme's events are offered.
    refused = client.post(target, {**data, "event": foreign.pk})
    assert refused.status_code == 400
    assert "event" in refused.context["form"].errors
    response = client.post(target, {**data, "event": event.pk})
    assert response.status_code == 302
    with scopes_disabled():
        assert SurveySchedule.objects.get().event == event
    page = client.get(target).content.decode()
    assert "Investor day in New York" in page
