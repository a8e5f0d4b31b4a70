"""Staff and SME pages of trade missions: who may see and do what, the list, create and edit,
the mission page (delegates, itinerary in the destination's time, meetings and deals), the
delegates board, and the SME's apply / withdraw / log-a-meeting pages. Also: the mission
page's query count does not grow with delegates and meetings."""

from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import missions
from activities.models import ItineraryItem, MissionDelegate, MissionMeeting, TradeMission
from cohorts.models import Company
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
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


def url(name, org, **kwargs):
    return reverse(f"activities:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def mission(organisation):
    return TradeMissionFactory(
        programme=ProgrammeFactory(organisation=organisation),
        title="Toronto cleantech mission",
        destination_city="Toronto",
        destination_country="Canada",
        destination_time_zone="America/Toronto",
        places=2,
    )


@pytest.fixture
def manager(organisation, make_member):
    return make_member(organisation, Role.PROGRAMME_MANAGER).user


def sme_for(mission):
    """An SME user whose company takes part in the mission's programme."""
    member = CompanyMemberFactory(company__name="Aurora Kinetics Ltd")
    EnrolmentFactory(
        cohort=CohortFactory(programme=mission.programme, running=True), company=member.company
    )
    return member


def under_way(mission):
    """The mission left two days ago and is still away: meetings can be logged today."""
    mission.departs_on = date.today() - timedelta(days=2)
    mission.returns_on = date.today() + timedelta(days=3)
    mission.save()


# --- Permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "read", "manage"),
    [
        (Role.ADMIN, 200, 200),
        (Role.PROGRAMME_MANAGER, 200, 200),
        (Role.GROWTH_ADVISER, 200, 403),
        (Role.MENTOR, 403, 403),
        (Role.FUNDER, 403, 403),
        (Role.REVIEWER, 403, 403),
    ],
)
def test_roles(client, organisation, make_member, mission, role, read, manage):
    client.force_login(make_member(organisation, role).user)
    assert client.get(url("mission-list", organisation)).status_code == read
    assert client.get(url("mission-detail", organisation, pk=mission.pk)).status_code == read
    assert client.get(url("mission-meeting-add", organisation, pk=mission.pk)).status_code == read
    for name in (
        "mission-edit",
        "mission-delegates",
        "mission-delegate-add",
        "mission-itinerary-add",
    ):
        assert client.get(url(name, organisation, pk=mission.pk)).status_code == manage, name
    assert client.get(url("mission-create", organisation)).status_code == manage


def test_another_organisations_mission_is_404(
    client, organisation, other_organisation, make_member
):
    theirs = TradeMissionFactory(programme=ProgrammeFactory(organisation=other_organisation))
    client.force_login(make_member(organisation, Role.ADMIN).user)
    for name in ("mission-detail", "mission-edit", "mission-delegates", "mission-meeting-add"):
        assert client.get(url(name, organisation, pk=theirs.pk)).status_code == 404


# --- List, create, edit ---------------------------------------------------------------------


def test_list_shows_upcoming_soonest_first_and_past_separately(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation)
    today = date.today()
    later = TradeMissionFactory(
        programme=programme, title="Later one", departs_on=today + timedelta(days=90)
    )
    sooner = TradeMissionFactory(
        programme=programme, title="Sooner one", departs_on=today + timedelta(days=10)
    )
    TradeMissionFactory(
        programme=programme,
        title="Old one",
        departs_on=today - timedelta(days=100),
        returns_on=today - timedelta(days=95),
    )
    MissionMeetingFactory(delegate__mission=sooner, deal=True, deal_value=Decimal("12500"))
    client.force_login(manager)
    body = client.get(url("mission-list", organisation)).content.decode()
    assert body.index(sooner.title) < body.index(later.title)
    assert "Old one" not in body
    assert "£12,500" in body
    past = client.get(url("mission-list", organisation) + "?when=past").content.decode()
    assert "Old one" in past and "Sooner one" not in past


def test_list_filters_by_programme(client, organisation, manager):
    a = TradeMissionFactory(
        programme=ProgrammeFactory(organisation=organisation), title="Mission A"
    )
    TradeMissionFactory(programme=ProgrammeFactory(organisation=organisation), title="Mission B")
    client.force_login(manager)
    body = client.get(
        url("mission-list", organisation) + f"?programme={a.programme_id}"
    ).content.decode()
    assert "Mission A" in body and "Mission B" not in body


def test_manager_creates_a_mission(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation)
    client.force_login(manager)
    response = client.post(
        url("mission-create", organisation),
        {
            "title": "Dubai food and drink mission",
            "programme": programme.pk,
            "destination_city": "Dubai",
            "destination_country": "United Arab Emirates",
            "destination_time_zone": "Asia/Dubai",
            "departs_on": "2027-02-14",
            "returns_on": "2027-02-19",
            "places": 12,
            "applications_close_on": "2027-01-10",
            "description": "Gulfood week.",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        mission = TradeMission.objects.get(title="Dubai food and drink mission")
    assert mission.organisation == organisation
    assert response["Location"] == mission.get_absolute_url()


def test_create_form_shows_errors_and_saves_nothing(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation)
    client.force_login(manager)
    response = client.post(
        url("mission-create", organisation),
        {
            "title": "Bad",
            "programme": programme.pk,
            "destination_city": "X",
            "destination_country": "Y",
            "destination_time_zone": "Not/AZone",
            "departs_on": "2027-02-14",
            "returns_on": "2027-02-10",
            "places": 0,
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert {"destination_time_zone", "returns_on", "places"} <= set(form.errors)
    with scopes_disabled():
        assert not TradeMission.objects.exists()


def test_another_tenants_programme_cannot_be_chosen(
    client, organisation, other_organisation, manager
):
    theirs = ProgrammeFactory(organisation=other_organisation)
    client.force_login(manager)
    response = client.post(
        url("mission-create", organisation),
        {
            "title": "Sneaky",
            "programme": theirs.pk,
            "destination_city": "Lagos",
            "destination_country": "Nigeria",
            "destination_time_zone": "Africa/Lagos",
            "departs_on": "2027-02-14",
            "returns_on": "2027-02-19",
            "places": 5,
        },
    )
    assert response.status_code == 400
    assert "programme" in response.context["form"].errors


def test_manager_edits_a_mission(client, organisation, manager, mission):
    client.force_login(manager)
    page = client.get(url("mission-edit", organisation, pk=mission.pk))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(
        title="Toronto and Montreal",
        places=8,
        departs_on=mission.departs_on.isoformat(),
        returns_on=mission.returns_on.isoformat(),
        programme=mission.programme_id,
    )
    data.pop("cohort", None)
    response = client.post(url("mission-edit", organisation, pk=mission.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    mission.refresh_from_db()
    assert (mission.title, mission.places) == ("Toronto and Montreal", 8)


# --- The mission page -----------------------------------------------------------------------


def test_mission_page_shows_delegates_itinerary_in_destination_time_and_deals(
    client, organisation, manager, mission
):
    organisation.time_zone = "Europe/London"
    organisation.save()
    going = MissionDelegateFactory(mission=mission, selected=True, company__name="Going Ltd")
    MissionDelegateFactory(mission=mission, company__name="Waiting Ltd")
    MissionMeetingFactory(
        delegate=going, deal=True, deal_value=Decimal("30000"), prospect_name="Maple Grocers"
    )
    MissionMeetingFactory(delegate=going, outcome="lead", prospect_kind="investor")
    with tenant_scope(organisation):
        missions.itinerary_add(
            mission=mission, day=mission.departs_on, starts=time(18, 0), title="Welcome reception"
        )
    client.force_login(manager)
    response = client.get(url("mission-detail", organisation, pk=mission.pk))
    body = response.content.decode()
    assert "Going Ltd" in body
    assert "Welcome reception" in body
    # 18:00 in Toronto is 23:00 in London (the same offset summer and winter, but for the
    # weeks when only one side has changed its clocks).
    row = response.context["itinerary"][0]
    assert row.starts.strftime("%H:%M") == "18:00"
    assert row.home_starts.strftime("%H:%M") in {"22:00", "23:00"}
    assert "18:00" in body and row.home_starts.strftime("%H:%M") in body
    assert "America/Toronto" in body and "Europe/London" in body
    assert "Maple Grocers" in body
    assert "£30,000" in body
    summary = response.context["summary"]
    assert (summary["meetings"], summary["deals"]) == (2, 1)
    assert response.context["counts"][Status.APPLIED] == 1
    assert f"?mission={mission.pk}" in response.context["impact_url"]


def test_mission_page_query_count_does_not_grow(client, organisation, manager, mission):
    mission.places = 1000
    mission.save()
    with tenant_scope(organisation):
        missions.itinerary_add(mission=mission, day=mission.departs_on, starts=time(9), title="x")
    client.force_login(manager)
    target = url("mission-detail", organisation, pk=mission.pk)

    def grow(n, start):
        companies = Company.objects.bulk_create(
            CompanyFactory.build(name=f"Bulk {start + i} Ltd") for i in range(n)
        )
        delegates = MissionDelegate.objects.bulk_create(
            MissionDelegate(
                organisation=organisation,
                mission=mission,
                company=c,
                status=Status.SELECTED if i % 2 else Status.APPLIED,
            )
            for i, c in enumerate(companies)
        )
        MissionMeeting.objects.bulk_create(
            MissionMeeting(
                organisation=organisation,
                mission=mission,
                delegate=d,
                prospect_name=f"Prospect {start + i}",
                prospect_kind="distributor" if i % 3 else "investor",
                met_on=mission.departs_on,
                outcome="deal" if i % 4 == 0 else "lead",
                deal_value=Decimal("1000") if i % 4 == 0 else None,
            )
            for i, d in enumerate(delegates)
        )

    def queries():
        client.get(target)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(target)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    grow(10, 0)
    small = queries()
    grow(490, 10)
    assert queries() == small
    for name in ("mission-delegates", "mission-list"):
        kwargs = {"pk": mission.pk} if name != "mission-list" else {}
        assert client.get(url(name, organisation, **kwargs)).status_code == 200


# --- The delegates board --------------------------------------------------------------------


def test_board_bulk_selects_within_the_places_and_refuses_beyond(
    client, organisation, manager, mission
):
    d = [
        MissionDelegateFactory(mission=mission, company=CompanyMemberFactory().company)
        for _ in range(3)
    ]
    client.force_login(manager)
    target = url("mission-delegates", organisation, pk=mission.pk)
    response = client.post(target, {"delegates": [x.pk for x in d], "decision": "selected"})
    assert response.status_code == 400
    assert "Only 2 places left" in response.content.decode()
    with scopes_disabled():
        assert not MissionDelegate.objects.filter(status=Status.SELECTED).exists()
    response = client.post(target, {"delegates": [d[0].pk, d[1].pk], "decision": "selected"})
    assert response.status_code == 302
    client.post(target, {"delegates": [d[2].pk], "decision": "waitlisted"})
    with scopes_disabled():
        statuses = dict(MissionDelegate.objects.values_list("pk", "status"))
    assert statuses == {d[0].pk: "selected", d[1].pk: "selected", d[2].pk: "waitlisted"}


def test_board_select_all_when_room(client, organisation, manager, mission):
    mission.places = 3
    mission.save()
    for _ in range(2):
        MissionDelegateFactory(mission=mission)
    client.force_login(manager)
    target = url("mission-delegates", organisation, pk=mission.pk)
    page = client.get(target)
    assert page.context["can_select_all"]
    assert client.post(target, {"action": "select_all"}).status_code == 302
    with scopes_disabled():
        assert MissionDelegate.objects.filter(status=Status.SELECTED).count() == 2


def test_board_offers_no_select_all_when_oversubscribed(client, organisation, manager, mission):
    for _ in range(3):
        MissionDelegateFactory(mission=mission)
    client.force_login(manager)
    page = client.get(url("mission-delegates", organisation, pk=mission.pk))
    assert not page.context["can_select_all"]
    assert page.context["oversubscribed"]


def test_board_ignores_another_tenants_delegate_ids(
    client, organisation, other_organisation, manager, mission
):
    theirs = MissionDelegateFactory(mission__programme__organisation=other_organisation)
    client.force_login(manager)
    response = client.post(
        url("mission-delegates", organisation, pk=mission.pk),
        {"delegates": [theirs.pk], "decision": "selected"},
    )
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert theirs.status == Status.APPLIED


def test_staff_add_a_delegate_directly(client, organisation, manager, mission):
    member = sme_for(mission)
    client.force_login(manager)
    target = url("mission-delegate-add", organisation, pk=mission.pk)
    page = client.get(target)
    assert member.company in page.context["form"].fields["company"].queryset
    outsider = CompanyFactory()
    assert outsider not in page.context["form"].fields["company"].queryset
    assert client.post(target, {"company": member.company.pk}).status_code == 302
    with scopes_disabled():
        assert MissionDelegate.objects.get(company=member.company).status == Status.SELECTED


# --- Itinerary and meetings -----------------------------------------------------------------


def test_itinerary_form_takes_local_time_at_the_destination(client, organisation, manager, mission):
    client.force_login(manager)
    response = client.post(
        url("mission-itinerary-add", organisation, pk=mission.pk),
        {
            "day": mission.departs_on.isoformat(),
            "starts": "08:00",
            "ends": "09:30",
            "title": "Breakfast",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        item = ItineraryItem.objects.get()
    local = item.starts_at.astimezone(ZoneInfo("America/Toronto"))
    assert (local.date(), local.hour, local.minute) == (mission.departs_on, 8, 0)
    delete = url("mission-itinerary-delete", organisation, pk=mission.pk, item_pk=item.pk)
    assert "Breakfast" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    with scopes_disabled():
        assert not ItineraryItem.objects.exists()


def test_adviser_logs_a_meeting_and_a_value_on_a_lead_is_refused(
    client, organisation, make_member, mission
):
    under_way(mission)
    delegate = MissionDelegateFactory(mission=mission, selected=True)
    client.force_login(make_member(organisation, Role.GROWTH_ADVISER).user)
    target = url("mission-meeting-add", organisation, pk=mission.pk)
    data = {
        "delegate": delegate.pk,
        "prospect_name": "Great Lakes Retail",
        "prospect_kind": "corporate",
        "met_on": mission.departs_on.isoformat(),
        "outcome": "lead",
        "deal_value": "£5,000",
    }
    response = client.post(target, data)
    assert response.status_code == 400
    assert "only to a signed deal" in response.content.decode()
    response = client.post(target, {**data, "outcome": "deal"})
    assert response.status_code == 302
    with scopes_disabled():
        assert MissionMeeting.objects.get().deal_value == Decimal("5000")


# --- The SME's pages ------------------------------------------------------------------------


def my_url(name, **kwargs):
    return reverse(f"my-activities:{name}", kwargs=kwargs)


def test_sme_sees_missions_of_its_programmes_only(client, mission):
    member = sme_for(mission)
    other = TradeMissionFactory(title="Someone else's mission")
    client.force_login(member.user)
    body = client.get(my_url("mission-list")).content.decode()
    assert mission.title in body
    assert other.title not in body
    assert client.get(my_url("mission-detail", pk=other.pk)).status_code == 404
    assert client.get(my_url("mission-apply", pk=other.pk)).status_code == 404


def test_sme_applies_then_withdraws(client, mission):
    member = sme_for(mission)
    client.force_login(member.user)
    response = client.post(
        my_url("mission-apply", pk=mission.pk),
        {"company": member.company.pk, "objectives": "Two distributors in Ontario"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        delegate = MissionDelegate.objects.get(company=member.company)
    assert delegate.status == Status.APPLIED and delegate.applied_by == member.user
    body = client.get(my_url("mission-detail", pk=mission.pk)).content.decode()
    assert "Applied" in body
    assert (
        client.post(
            my_url("mission-withdraw", pk=mission.pk), {"delegate": delegate.pk}
        ).status_code
        == 302
    )
    delegate.refresh_from_db()
    assert delegate.status == Status.WITHDRAWN


def test_sme_cannot_apply_for_a_company_that_is_not_theirs(client, mission):
    member = sme_for(mission)
    stranger = sme_for(mission)
    client.force_login(member.user)
    response = client.post(
        my_url("mission-apply", pk=mission.pk),
        {"company": stranger.company.pk, "objectives": "x"},
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not MissionDelegate.objects.exists()


def test_sme_mission_page_shows_itinerary_and_only_its_own_meetings(client, mission):
    member = sme_for(mission)
    mine = MissionDelegateFactory(mission=mission, company=member.company, selected=True)
    theirs = MissionDelegateFactory(mission=mission, selected=True)
    MissionMeetingFactory(delegate=mine, prospect_name="My Prospect Corp")
    MissionMeetingFactory(delegate=theirs, prospect_name="Their Prospect Corp")
    with tenant_scope(mission.organisation):
        missions.itinerary_add(
            mission=mission, day=mission.departs_on, starts=time(10), title="Trade fair"
        )
    client.force_login(member.user)
    body = client.get(my_url("mission-detail", pk=mission.pk)).content.decode()
    assert "Trade fair" in body and "local times in Toronto" in body
    assert "My Prospect Corp" in body
    assert "Their Prospect Corp" not in body


def test_sme_logs_a_meeting_for_its_own_delegation(client, mission):
    under_way(mission)
    member = sme_for(mission)
    mine = MissionDelegateFactory(mission=mission, company=member.company, selected=True)
    client.force_login(member.user)
    response = client.post(
        my_url("mission-meeting-add", pk=mission.pk),
        {
            "delegate": mine.pk,
            "prospect_name": "Ontario Power",
            "prospect_kind": "government",
            "met_on": mission.departs_on.isoformat(),
            "outcome": "follow_up",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        meeting = MissionMeeting.objects.get()
    assert (meeting.delegate, meeting.logged_by) == (mine, member.user)


def test_sme_cannot_log_meetings_for_another_company(client, mission):
    under_way(mission)
    member = sme_for(mission)
    MissionDelegateFactory(mission=mission, company=member.company, selected=True)
    theirs = MissionDelegateFactory(mission=mission, selected=True)
    client.force_login(member.user)
    response = client.post(
        my_url("mission-meeting-add", pk=mission.pk),
        {
            "delegate": theirs.pk,
            "prospect_name": "X",
            "prospect_kind": "partner",
            "met_on": mission.departs_on.isoformat(),
            "outcome": "lead",
        },
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not MissionMeeting.objects.exists()


def test_a_user_without_a_company_sees_an_empty_list(client):
    client.force_login(UserFactory())
    response = client.get(my_url("mission-list"))
    assert response.status_code == 200
    assert "Tell us about your company" in response.content.decode()


def test_my_mission_pages_need_sign_in(client, mission):
    response = client.get(my_url("mission-detail", pk=mission.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
