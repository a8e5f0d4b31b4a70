"""Trade-mission rules: who may apply and until when, selection that never exceeds the places
(all or nothing), decisions e-mailed, withdrawal, itinerary in the destination's time, and
meetings whose deal value belongs only to signed deals."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from activities import missions
from activities import selectors_missions as selectors
from activities.models import MissionDelegate, MissionMeeting
from portal.models import OutgoingEmail
from portal.tenancy import tenant_scope
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    MissionDelegateFactory,
    MissionMeetingFactory,
    ProgrammeFactory,
    TradeMissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Status = MissionDelegate.Status


@pytest.fixture
def mission(organisation):
    programme = ProgrammeFactory(organisation=organisation)
    return TradeMissionFactory(programme=programme, places=2)


def enrolled_company(mission, *, cohort=None, email=None):
    """A company taking part in the mission's programme, with one member."""
    cohort = cohort or CohortFactory(programme=mission.programme, running=True)
    member = CompanyMemberFactory(**({"user__email": email} if email else {}))
    EnrolmentFactory(cohort=cohort, company=member.company)
    return member.company


def applied(mission, n):
    companies = [enrolled_company(mission) for _ in range(n)]
    with tenant_scope(mission.organisation):
        return [
            missions.delegate_apply(
                mission=mission, company=c, user=UserFactory(), objectives="Meet US distributors"
            )
            for c in companies
        ]


# --- Applying -------------------------------------------------------------------------------


def test_an_enrolled_company_applies_with_its_objectives(mission):
    (delegate,) = applied(mission, 1)
    assert delegate.status == Status.APPLIED
    assert delegate.objectives == "Meet US distributors"


def test_a_company_outside_the_programme_cannot_apply(mission):
    outsider = CompanyFactory()
    with tenant_scope(mission.organisation), pytest.raises(ValidationError) as exc:
        missions.delegate_apply(mission=mission, company=outsider, user=None, objectives="x")
    assert "not taking part" in str(exc.value)


def test_a_cohort_mission_takes_only_that_cohorts_companies(mission):
    cohort = CohortFactory(programme=mission.programme, running=True)
    other = CohortFactory(programme=mission.programme, running=True)
    mission.cohort = cohort
    mission.save()
    inside = enrolled_company(mission, cohort=cohort)
    outside = enrolled_company(mission, cohort=other)
    with tenant_scope(mission.organisation):
        assert list(missions.eligible_companies(mission)) == [inside]
        with pytest.raises(ValidationError):
            missions.delegate_apply(mission=mission, company=outside, user=None, objectives="x")


def test_objectives_are_required(mission):
    company = enrolled_company(mission)
    with tenant_scope(mission.organisation), pytest.raises(ValidationError) as exc:
        missions.delegate_apply(mission=mission, company=company, user=None, objectives="  ")
    assert "objectives" in exc.value.message_dict


def test_applications_close_after_the_closing_day_and_at_departure(mission):
    mission.applications_close_on = mission.departs_on - timedelta(days=10)
    mission.save()
    company = enrolled_company(mission)
    zone = ZoneInfo(mission.destination_time_zone)
    last_day = datetime.combine(mission.applications_close_on, time(23, 0), tzinfo=zone)
    with time_machine.travel(last_day, tick=False):
        assert missions.applications_open(mission)
    with time_machine.travel(last_day + timedelta(hours=2), tick=False):
        assert not missions.applications_open(mission)
        with tenant_scope(mission.organisation), pytest.raises(ValidationError) as exc:
            missions.delegate_apply(mission=mission, company=company, user=None, objectives="x")
        assert "closed" in str(exc.value)
    mission.applications_close_on = None
    mission.save()
    with time_machine.travel(datetime.combine(mission.departs_on, time(0, 30), tzinfo=zone)):
        assert not missions.applications_open(mission)


def test_applying_twice_is_refused_but_reapplying_after_withdrawal_works(mission):
    (delegate,) = applied(mission, 1)
    with tenant_scope(mission.organisation):
        with pytest.raises(ValidationError):
            missions.delegate_apply(
                mission=mission, company=delegate.company, user=None, objectives="again"
            )
        missions.delegate_withdraw(delegate=delegate, by=None)
        again = missions.delegate_apply(
            mission=mission, company=delegate.company, user=None, objectives="again"
        )
    assert again.pk == delegate.pk
    assert again.status == Status.APPLIED


# --- Selection ------------------------------------------------------------------------------


def test_selection_never_exceeds_the_places_and_changes_nothing_when_refused(mission):
    delegates = applied(mission, 3)
    with tenant_scope(mission.organisation):
        with pytest.raises(ValidationError) as exc:
            missions.delegates_decide(
                mission=mission, delegates=delegates, decision=Status.SELECTED, by=None
            )
        assert "Only 2 places left" in str(exc.value)
        assert MissionDelegate.objects.filter(status=Status.SELECTED).count() == 0
        missions.delegates_decide(
            mission=mission, delegates=delegates[:2], decision=Status.SELECTED, by=None
        )
        with pytest.raises(ValidationError):
            missions.delegates_decide(
                mission=mission, delegates=delegates[2:], decision=Status.SELECTED, by=None
            )
        missions.delegates_decide(
            mission=mission, delegates=delegates[2:], decision=Status.WAITLISTED, by=None
        )
        assert missions.places_taken(mission) == 2
        # Re-selecting someone already selected takes no extra place.
        missions.delegates_decide(
            mission=mission, delegates=delegates[:1], decision=Status.SELECTED, by=None
        )


def test_staff_adding_a_delegate_respects_the_places(mission):
    full = applied(mission, 2)
    extra = enrolled_company(mission)
    with tenant_scope(mission.organisation):
        missions.delegates_decide(mission=mission, delegates=full, decision="selected", by=None)
        with pytest.raises(ValidationError) as exc:
            missions.delegate_add(mission=mission, company=extra, by=None)
        assert "Only 0 places left" in str(exc.value)
        assert not MissionDelegate.objects.filter(company=extra, status=Status.SELECTED).exists()
        mission.places = 3
        mission.save()
        delegate = missions.delegate_add(mission=mission, company=extra, by=None)
    assert delegate.status == Status.SELECTED


def test_select_all_when_there_is_room_for_everyone(mission):
    mission.places = 5
    mission.save()
    applied(mission, 3)
    with tenant_scope(mission.organisation):
        chosen = missions.delegates_select_all(mission=mission, by=None)
        assert len(chosen) == 3
        assert missions.places_taken(mission) == 3


def test_select_all_refuses_when_oversubscribed(mission):
    applied(mission, 3)
    with tenant_scope(mission.organisation), pytest.raises(ValidationError):
        missions.delegates_select_all(mission=mission, by=None)
    with tenant_scope(mission.organisation):
        assert missions.places_taken(mission) == 0


def test_each_company_is_emailed_its_decision(mission):
    delegates = applied(mission, 3)
    before = OutgoingEmail.objects.count()
    with tenant_scope(mission.organisation):
        missions.delegates_decide(
            mission=mission, delegates=delegates[:1], decision="selected", by=None
        )
        missions.delegates_decide(
            mission=mission, delegates=delegates[1:2], decision="waitlisted", by=None
        )
        missions.delegates_decide(
            mission=mission, delegates=delegates[2:], decision="declined", by=None
        )
    mails = list(OutgoingEmail.objects.order_by("pk")[before:])
    assert [m.subject.split(":")[0] for m in mails] == [
        "You are going on the trade mission",
        "You are on the waiting list for the trade mission",
        "Your application to the trade mission",
    ]
    assert f"/my/missions/{mission.pk}/" in mails[0].body
    assert delegates[0].company.name in mails[0].body


def test_a_withdrawn_company_cannot_be_decided(mission):
    (delegate,) = applied(mission, 1)
    with tenant_scope(mission.organisation):
        missions.delegate_withdraw(delegate=delegate, by=None)
        with pytest.raises(ValidationError):
            missions.delegates_decide(
                mission=mission, delegates=[delegate], decision="selected", by=None
            )


def test_withdrawing_frees_the_place(mission):
    delegates = applied(mission, 2)
    with tenant_scope(mission.organisation):
        missions.delegates_decide(
            mission=mission, delegates=delegates, decision="selected", by=None
        )
        missions.delegate_withdraw(delegate=delegates[0], by=None)
        assert missions.places_taken(mission) == 1


def test_places_cannot_drop_below_the_selected(mission):
    delegates = applied(mission, 2)
    with tenant_scope(mission.organisation):
        missions.delegates_decide(
            mission=mission, delegates=delegates, decision="selected", by=None
        )
        mission.places = 1
        with pytest.raises(ValidationError) as exc:
            missions.mission_save(mission=mission)
    assert "places" in exc.value.message_dict


def test_a_mission_needs_a_real_time_zone(mission):
    mission.destination_time_zone = "Mars/Olympus"
    with tenant_scope(mission.organisation), pytest.raises(ValidationError) as exc:
        missions.mission_save(mission=mission)
    assert "destination_time_zone" in exc.value.message_dict


# --- Itinerary and time zones ---------------------------------------------------------------


def test_itinerary_times_are_local_to_the_destination(organisation):
    organisation.time_zone = "Europe/London"
    organisation.save()
    mission = TradeMissionFactory(
        programme=ProgrammeFactory(organisation=organisation),
        destination_city="Tokyo",
        destination_time_zone="Asia/Tokyo",
        departs_on=date(2027, 3, 8),
        returns_on=date(2027, 3, 12),
    )
    with tenant_scope(organisation):
        item = missions.itinerary_add(
            mission=mission,
            day=date(2027, 3, 9),
            starts=time(9, 30),
            ends=time(11, 0),
            title="Breakfast briefing at the embassy",
        )
        # 09:30 in Tokyo (UTC+9) is 00:30 UTC, which is 00:30 in London in March.
        assert item.starts_at == datetime(2027, 3, 9, 0, 30, tzinfo=ZoneInfo("UTC"))
        (row,) = selectors.itinerary(mission, home_zone=organisation.time_zone)
    assert (row.starts.hour, row.starts.minute) == (9, 30)
    assert row.home_starts.strftime("%d %H:%M") == "09 00:30"
    assert row.ends.strftime("%H:%M") == "11:00"


def test_itinerary_item_must_fall_on_the_missions_days_and_end_after_it_starts(mission):
    with tenant_scope(mission.organisation):
        with pytest.raises(ValidationError) as exc:
            missions.itinerary_add(
                mission=mission,
                day=mission.returns_on + timedelta(days=1),
                starts=time(9),
                title="Too late",
            )
        assert "day" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            missions.itinerary_add(
                mission=mission, day=mission.departs_on, starts=time(9), ends=time(8), title="x"
            )
        assert "ends" in exc.value.message_dict


def test_no_home_time_when_the_zones_are_the_same(mission):
    with tenant_scope(mission.organisation):
        missions.itinerary_add(mission=mission, day=mission.departs_on, starts=time(9), title="x")
        (row,) = selectors.itinerary(mission, home_zone=mission.destination_time_zone)
    assert row.home_starts is None


# --- Meetings -------------------------------------------------------------------------------


@pytest.fixture
def delegate(mission):
    (d,) = applied(mission, 1)
    with tenant_scope(mission.organisation):
        missions.delegates_decide(mission=mission, delegates=[d], decision="selected", by=None)
    d.refresh_from_db()
    return d


def _log(delegate, **kwargs):
    fields = {
        "prospect_name": "Hudson Foods",
        "prospect_kind": "distributor",
        "met_on": delegate.mission.departs_on,
        "outcome": "deal",
        "deal_value": Decimal("40000"),
        "by": None,
    } | kwargs
    with tenant_scope(delegate.organisation):
        return missions.meeting_log(delegate=delegate, **fields)


def test_a_delegate_logs_a_deal_with_its_value(delegate):
    with time_machine.travel(datetime.combine(delegate.mission.returns_on, time(12))):
        meeting = _log(delegate)
    assert meeting.deal_value == Decimal("40000")


def test_a_value_on_anything_but_a_deal_is_refused_with_a_clear_error(delegate):
    noon_back = datetime.combine(delegate.mission.returns_on, time(12))
    with time_machine.travel(noon_back), pytest.raises(ValidationError) as exc:
        _log(delegate, outcome="lead")
    assert "only to a signed deal" in exc.value.message_dict["deal_value"][0]
    with tenant_scope(delegate.organisation):
        assert not MissionMeeting.objects.exists()


def test_meetings_are_on_or_after_departure_and_not_in_the_future(delegate):
    mission = delegate.mission
    with time_machine.travel(datetime.combine(mission.returns_on, time(12))):
        with pytest.raises(ValidationError) as exc:
            _log(delegate, met_on=mission.departs_on - timedelta(days=1))
        assert "met_on" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            _log(delegate, met_on=mission.returns_on + timedelta(days=3))
        assert "taken place" in exc.value.message_dict["met_on"][0]


def test_only_selected_delegates_log_meetings(mission):
    (waiting,) = applied(mission, 1)
    with pytest.raises(ValidationError):
        _log(waiting)


def test_summary_counts_and_totals_by_prospect_kind_in_sql(organisation):
    mission = TradeMissionFactory(programme=ProgrammeFactory(organisation=organisation))
    d1 = MissionDelegateFactory(mission=mission, selected=True)
    d2 = MissionDelegateFactory(mission=mission, selected=True)
    MissionMeetingFactory(delegate=d1, deal=True, deal_value=Decimal("10000"))
    MissionMeetingFactory(delegate=d1, deal=True, prospect_kind="investor", deal_value=Decimal("5"))
    MissionMeetingFactory(delegate=d2, outcome="lead")
    MissionMeetingFactory(delegate=d2, outcome="follow_up", prospect_kind="government")
    MissionMeetingFactory(delegate=d2, deal=True, deal_value=None)
    with tenant_scope(organisation):
        summary = selectors.meeting_summary(mission.meetings.all())
        by_kind = {row["kind"]: row for row in summary["by_kind"]}
        rows = {d.pk: d for d in selectors.delegates_with_results(mission.delegates.all())}
    assert summary["meetings"] == 5
    assert (summary["leads"], summary["follow_ups"], summary["deals"]) == (1, 1, 3)
    assert summary["deal_value"] == Decimal("10005")
    assert summary["companies_with_deals"] == 2
    assert by_kind["distributor"]["meetings"] == 3
    assert by_kind["distributor"]["deals"] == 2
    assert by_kind["distributor"]["deal_value"] == Decimal("10000")
    assert by_kind["investor"]["deal_value"] == Decimal("5")
    assert by_kind["partner"]["meetings"] == 0
    assert (rows[d1.pk].meeting_count, rows[d1.pk].deal_count) == (2, 2)
    assert rows[d1.pk].deal_value == Decimal("10005")
    assert (rows[d2.pk].meeting_count, rows[d2.pk].deal_value) == (3, None)
