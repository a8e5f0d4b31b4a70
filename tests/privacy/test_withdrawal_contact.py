"""A company withdrawn from an organisation's data is never contacted by that organisation
again: no follow-up survey (cohort rounds, the comparison group, rounds anchored on an event
or a mission), no event invitation chase or reminder, no mentor session reminder. This holds
when another organisation still knows the company, so that its profile and owner stay and
nothing else would stop the e-mails."""

import datetime
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from activities import events
from cohorts.models import Application, Enrolment
from impact import services
from impact.models import SurveyInvitation, SurveySchedule
from mentoring import sessions
from mentoring.models import MentoringSession, SessionReminder
from portal.models import OutgoingEmail
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from privacy.erasure import company_withdraw
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    EventFactory,
    MentorMatchFactory,
    MissionDelegateFactory,
    ProgrammeFactory,
    RegistrationFactory,
    SurveyScheduleFactory,
    TradeMissionFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:MentorProfileFactory._after_postgeneration"),
]

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=LONDON)
Status = SurveyInvitation.Status


def _company(email):
    return CompanyMemberFactory(user=UserFactory(email=email)).company


def _known_elsewhere(company, other_organisation):
    ApplicationFactory(
        cohort=CohortFactory(programme__organisation=other_organisation),
        company=company,
        submitted=True,
    )


@pytest.fixture
def setting(organisation, other_organisation, make_member):
    """A completed cohort with two enrolled companies (one to be withdrawn) and two
    applicants not selected (one to be withdrawn); both companies to be withdrawn also
    applied to another organisation. Both enrolled companies attended an event and were
    selected for a trade mission of the programme."""
    programme = ProgrammeFactory(organisation=organisation)
    cohort = CohortFactory(
        programme=programme,
        completed=True,
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2026, 1, 31),
    )
    withdrawn = _company("founder@withdrawn.example")
    kept = _company("founder@kept.example")
    rejected_withdrawn = _company("founder@rejected-withdrawn.example")
    rejected_kept = _company("founder@rejected-kept.example")
    for company in (withdrawn, kept):
        application = ApplicationFactory(cohort=cohort, company=company, accepted=True)
        EnrolmentFactory(cohort=cohort, company=company, application=application)
    for company in (rejected_withdrawn, rejected_kept):
        ApplicationFactory(cohort=cohort, company=company, rejected=True)
    for company in (withdrawn, rejected_withdrawn):
        _known_elsewhere(company, other_organisation)
    event = EventFactory(
        programme=programme,
        starts_at=datetime.datetime(2026, 3, 20, 10, tzinfo=LONDON),
        ends_at=datetime.datetime(2026, 3, 20, 16, tzinfo=LONDON),
    )
    mission = TradeMissionFactory(
        programme=programme,
        departs_on=datetime.date(2026, 3, 10),
        returns_on=datetime.date(2026, 3, 15),
    )
    for company in (withdrawn, kept):
        RegistrationFactory(event=event, company=company, attended=True)
        MissionDelegateFactory(mission=mission, company=company, selected=True)
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    return {
        "programme": programme,
        "cohort": cohort,
        "event": event,
        "mission": mission,
        "withdrawn": (withdrawn, rejected_withdrawn),
        "kept": (kept, rejected_kept),
        "manager": manager,
    }


def _withdraw(setting):
    for company in setting["withdrawn"]:
        company_withdraw(
            company=company,
            organisation=setting["programme"].organisation,
            by=setting["manager"],
        )


def _plan(programme):
    with tenant_scope(programme.organisation):
        return services.surveys_plan(programme=programme, now=NOW)


def _planned_companies(**filters):
    with scopes_disabled():
        return set(
            SurveyInvitation.objects.filter(**filters)
            .exclude(status=Status.EXPIRED)
            .values_list("company_id", flat=True)
        )


def test_rounds_added_after_the_withdrawal_never_invite_the_company(setting):
    programme = setting["programme"]
    withdrawn, kept = setting["withdrawn"], setting["kept"]
    _withdraw(setting)
    with scopes_disabled():
        # The organisation's rows stay (the figures count them) and stay as they were: an
        # active enrolment, an application not selected; the people stay, for the other
        # organisation.
        assert Enrolment.objects.get(company=withdrawn[0]).status == Enrolment.Status.ACTIVE
        assert (
            Application.objects.get(company=withdrawn[1], organisation=programme.organisation)
        ).status == "rejected"
    assert all(company.memberships.exists() for company in withdrawn)

    SurveyScheduleFactory(programme=programme, offset_months=6, include_comparison_group=True)
    SurveyScheduleFactory(
        programme=programme,
        anchor=SurveySchedule.Anchor.EVENT,
        event=setting["event"],
        offset_months=3,
    )
    SurveyScheduleFactory(
        programme=programme,
        anchor=SurveySchedule.Anchor.MISSION_RETURN,
        mission=setting["mission"],
        offset_months=4,
    )
    assert _plan(programme) == 4  # cohort round: 1 + 1 comparison; event: 1; mission: 1
    assert _plan(programme) == 0
    assert _planned_companies() == {c.pk for c in kept}
    assert _planned_companies(schedule__event=setting["event"]) == {kept[0].pk}
    assert _planned_companies(schedule__mission=setting["mission"]) == {kept[0].pk}
    assert _planned_companies(is_comparison=True) == {kept[1].pk}

    with time_machine.travel(datetime.datetime(2026, 8, 1, tzinfo=LONDON), tick=False):
        services.surveys_dispatch()
    sent_to = set(OutgoingEmail.objects.values_list("to", flat=True))
    assert {"founder@kept.example", "founder@rejected-kept.example"} <= sent_to
    assert not {e for e in sent_to if "withdrawn" in e}


def test_rounds_planned_before_the_withdrawal_stay_stopped_when_planned_again(setting):
    programme = setting["programme"]
    withdrawn, kept = setting["withdrawn"], setting["kept"]
    SurveyScheduleFactory(programme=programme, offset_months=6, include_comparison_group=True)
    assert _plan(programme) == 4
    _withdraw(setting)
    # A later round of the same programme, and the planner run again over the first.
    SurveyScheduleFactory(programme=programme, offset_months=12, include_comparison_group=True)
    assert _plan(programme) == 2
    assert _planned_companies() == {c.pk for c in kept}
    with scopes_disabled():
        stopped = SurveyInvitation.objects.filter(company__in=withdrawn)
        assert {i.status for i in stopped} == {Status.EXPIRED}


def test_a_company_that_comes_back_after_a_withdrawal_is_surveyed_for_its_new_cohort(setting):
    programme = setting["programme"]
    withdrawn = setting["withdrawn"][0]
    _withdraw(setting)
    later = CohortFactory(
        programme=programme,
        completed=True,
        start_date=datetime.date(2025, 10, 1),
        end_date=datetime.date(2026, 2, 28),
    )
    application = ApplicationFactory(cohort=later, company=withdrawn, accepted=True)
    EnrolmentFactory(cohort=later, company=withdrawn, application=application)
    SurveyScheduleFactory(programme=programme, offset_months=6)
    _plan(programme)
    with scopes_disabled():
        assert set(
            SurveyInvitation.objects.filter(company=withdrawn).values_list("cohort_id", flat=True)
        ) == {later.pk}


START = datetime.datetime(2030, 3, 20, 14, 0, tzinfo=UTC)


def test_no_event_chase_or_reminder_and_no_mentor_session_reminder_after_the_withdrawal(
    organisation, other_organisation
):
    cohort = CohortFactory(programme__organisation=organisation, running=True)
    withdrawn = _company("founder@withdrawn.example")
    _known_elsewhere(withdrawn, other_organisation)
    silent = _company("founder@silent.example")
    registered = _company("founder@registered.example")
    for company in (withdrawn, silent, registered):
        EnrolmentFactory(cohort=cohort, company=company)
    with scopes_disabled(), time_machine.travel(START - timedelta(days=30), tick=False):
        chased = events.event_save(
            event=EventFactory.build(
                programme=cohort.programme,
                audience="cohort",
                cohort=cohort,
                starts_at=START,
                ends_at=START + timedelta(hours=2),
            )
        )
        booked = events.event_save(
            event=EventFactory.build(
                programme=cohort.programme,
                audience="cohort",
                cohort=cohort,
                starts_at=START + timedelta(days=10),
                ends_at=START + timedelta(days=10, hours=2),
            )
        )
        for company in (withdrawn, registered):
            events.registration_register(
                event=booked, company=company, user=company.memberships.get().user
            )
        match = MentorMatchFactory(enrolment=Enrolment.objects.get(company=withdrawn))
        session = MentoringSession.objects.create(
            organisation=organisation,
            match=match,
            mentor=match.mentor,
            company=withdrawn,
            starts_at=START,
            ends_at=START + timedelta(hours=1),
            place="Venture Centre",
        )
        for kind, before in (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1))):
            SessionReminder.objects.create(
                organisation=organisation, session=session, kind=kind, due_at=START - before
            )
        company_withdraw(company=withdrawn, organisation=organisation, by=None)

    after_withdrawal = OutgoingEmail.objects.order_by("pk").last().pk
    with scopes_disabled():
        assert withdrawn.pk not in {c.pk for c in events.unanswered_companies(chased)}
        with time_machine.travel(START - timedelta(days=7) + timedelta(minutes=1), tick=False):
            events.reminders_dispatch()  # the chase of the first event
        with time_machine.travel(START - timedelta(hours=23), tick=False):
            events.reminders_dispatch()
            sessions.reminders_dispatch()
        with time_machine.travel(START - timedelta(minutes=50), tick=False):
            sessions.reminders_dispatch()
        with time_machine.travel(START + timedelta(days=9, hours=1), tick=False):
            events.reminders_dispatch()  # the second event's chase and day-before reminder
        assert all(r.cancelled and r.sent_at is None for r in SessionReminder.objects.all())
    later = OutgoingEmail.objects.filter(pk__gt=after_withdrawal)
    assert "founder@withdrawn.example" not in set(later.values_list("to", flat=True))
    # The others still hear: the chase, and the reminder of the place they booked.
    assert later.filter(to="founder@silent.example", subject__startswith="Will you come").exists()
    assert later.filter(to="founder@registered.example", subject__startswith="Tomorrow").exists()
