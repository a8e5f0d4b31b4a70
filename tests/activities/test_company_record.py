"""The company record (issue 4, item 6): a company's events, missions, peer group, consortia
and challenge proposals on the staff company page and on the SME's own dashboard, in a
fixed number of queries whatever the data."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    Event,
    MissionDelegate,
    MissionMeeting,
    PeerGroupMeeting,
    Registration,
    TradeMission,
)
from cohorts.models import Company, Enrolment
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.factories import (
    ChallengeProposalFactory,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    ConsortiumMemberFactory,
    EnrolmentFactory,
    EventFactory,
    ExportConsortiumFactory,
    InnovationChallengeFactory,
    MissionDelegateFactory,
    MissionMeetingFactory,
    PeerGroupFactory,
    PeerGroupMeetingFactory,
    PeerGroupMemberFactory,
    ProgrammeFactory,
    RegistrationFactory,
    TradeMissionFactory,
)

pytestmark = pytest.mark.django_db


def _queries(client, url):
    client.get(url)  # warm up: session, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.fixture
def world(organisation, other_organisation):
    """A company enrolled in a running cohort of `organisation`, taking part in one of
    everything, and the same company in `other_organisation`'s activities (which the first
    organisation's page must not show)."""
    now = timezone.now()
    programme = ProgrammeFactory(organisation=organisation, name="Go Global")
    cohort = CohortFactory(programme=programme, running=True, number=3)
    company = CompanyFactory(name="Lumen Grid Ltd", exporter=True)
    EnrolmentFactory(cohort=cohort, company=company)
    peer = CompanyFactory(name="Peer Robotics Ltd")
    EnrolmentFactory(cohort=cohort, company=peer)

    upcoming = EventFactory(
        programme=programme,
        title="Pricing masterclass",
        kind="masterclass",
        starts_at=now + timedelta(days=5),
    )
    RegistrationFactory(event=upcoming, company=company, waitlisted=True)
    invited = EventFactory(
        programme=programme,
        title="Investor readiness clinic",
        audience="cohort",
        cohort=cohort,
        starts_at=now + timedelta(days=9),
    )
    held = EventFactory(
        programme=programme,
        title="Export finance workshop",
        starts_at=now - timedelta(days=20),
    )
    RegistrationFactory(event=held, company=company, attended=True)
    missed = EventFactory(
        programme=programme, title="Digital marketing workshop", starts_at=now - timedelta(days=9)
    )
    RegistrationFactory(event=missed, company=company, no_show=True)

    mission = TradeMissionFactory(
        programme=programme, title="East Coast mission", destination_city="New York"
    )
    delegate = MissionDelegateFactory(mission=mission, company=company, selected=True)
    MissionMeetingFactory(delegate=delegate, deal=True, deal_value=Decimal("40000"))
    MissionMeetingFactory(delegate=delegate, deal=True, deal_value=Decimal("2500"))
    MissionMeetingFactory(delegate=delegate)

    group = PeerGroupFactory(cohort=cohort, name="Thames circle")
    PeerGroupMemberFactory(group=group, company=company)
    PeerGroupMemberFactory(group=group, company=peer)
    PeerGroupMeetingFactory(group=group, starts_at=now - timedelta(days=30), location="Old room")
    PeerGroupMeetingFactory(group=group, starts_at=now + timedelta(days=12), location="Level 39")
    PeerGroupMeetingFactory(group=group, starts_at=now + timedelta(days=40), location="Later room")

    consortium = ExportConsortiumFactory(
        programme=programme, name="Nordic energy consortium", target_markets=["Sweden", "Norway"]
    )
    ConsortiumMemberFactory(consortium=consortium, company=company, is_lead=True)
    for _ in range(2):
        ConsortiumMemberFactory(consortium=consortium)

    challenge = InnovationChallengeFactory(organisation=organisation, title="Smart street lights")
    ChallengeProposalFactory(challenge=challenge, company=company, status="shortlisted")

    # The same company in another organisation's activities.
    elsewhere = ProgrammeFactory(organisation=other_organisation)
    theirs = EventFactory(programme=elsewhere, title="Zzother workshop", public=True)
    RegistrationFactory(event=theirs, company=company)
    MissionDelegateFactory(
        mission=TradeMissionFactory(programme=elsewhere, title="Zzother mission"),
        company=company,
        selected=True,
    )
    other_group = PeerGroupFactory(
        cohort=CohortFactory(programme=elsewhere, running=True), name="Zzother circle"
    )
    PeerGroupMemberFactory(group=other_group, company=company)
    return {
        "organisation": organisation,
        "programme": programme,
        "cohort": cohort,
        "company": company,
        "invited": invited,
        "group": group,
    }


# --- The staff company page --------------------------------------------------------------------


def _company_url(organisation, company):
    return reverse(
        "cohorts:company-detail", kwargs={"org_slug": organisation.slug, "pk": company.pk}
    )


def test_company_page_shows_this_organisations_activities(client, make_member, world):
    organisation, company = world["organisation"], world["company"]
    client.force_login(make_member(organisation, Role.GROWTH_ADVISER).user)
    page = client.get(_company_url(organisation, company)).content.decode()
    # Events: the upcoming waitlist entry, attendance of past ones, counted.
    assert "Pricing masterclass" in page
    assert "On the waitlist" in page
    assert "Export finance workshop" in page and "Attended" in page
    assert "Digital marketing workshop" in page and "No-show" in page
    assert "Attended 1 of 2 past places · 1 no-show" in page
    # Missions with meetings and deals summed in SQL.
    assert "East Coast mission" in page
    assert "£42,500" in page
    # Peer group with its size and next meeting (not the past one, not the later one).
    assert "Thames circle" in page and "2 companies" in page
    assert "Level 39" in page and "Later room" not in page and "Old room" not in page
    # Consortium with the lead badge, markets; challenge proposal with its status.
    assert "Nordic energy consortium" in page and "Sweden, Norway" in page
    assert "Smart street lights" in page and "Shortlisted" in page
    # Links go to the staff pages of this organisation.
    assert (
        reverse(
            "activities:group-detail",
            kwargs={"org_slug": organisation.slug, "pk": world["group"].pk},
        )
        in page
    )
    # Nothing of the other organisation's activities, though it is the same company.
    assert "Zzother" not in page


def test_company_page_without_activities_says_so(client, make_member, organisation):
    company = CompanyFactory(name="Quiet Ltd")
    EnrolmentFactory(cohort=CohortFactory(programme__organisation=organisation), company=company)
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    page = client.get(_company_url(organisation, company)).content.decode()
    assert "has not taken part in any event, trade mission" in page


def test_company_page_shows_event_time_in_its_zone_and_the_organisations(
    client, make_member, world
):
    organisation, company = world["organisation"], world["company"]
    with scopes_disabled():
        event = EventFactory(
            programme=world["programme"],
            title="New York investor day",
            time_zone="America/New_York",
            starts_at=datetime(2099, 7, 1, 13, 0, tzinfo=UTC),
        )
    RegistrationFactory(event=event, company=company)
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    page = client.get(_company_url(organisation, company)).content.decode()
    # 13:00 UTC in July is 09:00 in New York (EDT) and 14:00 in London (BST).
    assert "Wed 1 Jul 2099, 09:00" in page and "New York time" in page
    assert "14:00 London time" in page


def _grow_company(organisation, programme, cohort, company, n, start):
    """n more events with a registration, n more missions with a delegation and two meetings
    each, n more peer groups (one per cohort), consortia and proposals for `company`."""
    now = timezone.now()
    events = Event.objects.bulk_create(
        Event(
            organisation=organisation,
            programme=programme,
            kind="workshop",
            title=f"Bulk event {start + i}",
            starts_at=now + timedelta(days=(i % 40) - 20, hours=1),
            ends_at=now + timedelta(days=(i % 40) - 20, hours=3),
            time_zone="Europe/London",
            venue="Hall",
            capacity=10,
            audience="programme",
        )
        for i in range(n)
    )
    Registration.objects.bulk_create(
        Registration(
            organisation=organisation,
            event=e,
            company=company,
            status="registered",
            attendance="attended" if i % 2 else "",
        )
        for i, e in enumerate(events)
    )
    missions = TradeMission.objects.bulk_create(
        TradeMissionFactory.build(programme=programme, title=f"Bulk mission {start + i}")
        for i in range(n)
    )
    delegates = MissionDelegate.objects.bulk_create(
        MissionDelegate(organisation=organisation, mission=m, company=company, status="selected")
        for m in missions
    )
    MissionMeeting.objects.bulk_create(
        MissionMeeting(
            organisation=organisation,
            mission=d.mission,
            delegate=d,
            prospect_name="Acme",
            prospect_kind="investor",
            met_on=d.mission.departs_on,
            outcome=outcome,
            deal_value=Decimal("100") if outcome == "deal" else None,
        )
        for d in delegates
        for outcome in ("deal", "lead")
    )
    for i in range(min(n, 5)):
        other_cohort = CohortFactory(programme=programme, running=True)
        group = PeerGroupFactory(cohort=other_cohort, name=f"Bulk circle {start + i}")
        PeerGroupMemberFactory(group=group, company=company)
        PeerGroupMeeting.objects.bulk_create(
            PeerGroupMeeting(
                organisation=organisation, group=group, starts_at=now + timedelta(days=d)
            )
            for d in (3, 10)
        )
        ConsortiumMemberFactory(
            consortium=ExportConsortiumFactory(programme=programme), company=company
        )
        ChallengeProposalFactory(
            challenge=InnovationChallengeFactory(organisation=organisation), company=company
        )


def test_company_page_query_count_does_not_grow(client, make_member, world):
    organisation, company = world["organisation"], world["company"]
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    url = _company_url(organisation, company)
    args = (organisation, world["programme"], world["cohort"], company)
    _grow_company(*args, 10, 0)
    small, _ = _queries(client, url)
    _grow_company(*args, 490, 10)
    large, page = _queries(client, url)
    assert large == small
    assert "Bulk mission 499" in page


# --- The SME dashboard -------------------------------------------------------------------------


@pytest.fixture
def founder(world):
    return CompanyMemberFactory(company=world["company"]).user


def test_dashboard_shows_my_events_missions_group_and_consortia(client, founder, world):
    client.force_login(founder)
    page = client.get(reverse("my:dashboard")).content.decode()
    # My events: the waitlist entry, the cohort event I have not answered, and the other
    # organisation's event I registered for; not past ones.
    assert "Pricing masterclass" in page and "On the waitlist" in page
    assert "Investor readiness clinic" in page and "Invited" in page
    assert "Zzother workshop" in page and "You have a place" in page
    assert "Export finance workshop" not in page
    # My missions (both organisations), with meetings and deals.
    assert "East Coast mission" in page and "3 meetings, 2 deals" in page
    assert "Zzother mission" in page
    # My group with the next meeting and the other members.
    assert "Thames circle" in page and "Level 39" in page
    assert "With Peer Robotics Ltd" in page
    assert "Nordic energy consortium" in page
    # Links to the SME activity pages.
    for name in ("event-list", "mission-list", "challenge-list", "calendar"):
        assert reverse(f"my-activities:{name}") in page
    assert reverse("my-activities:group-detail", kwargs={"pk": world["group"].pk}) in page
    # Each cohort the company is enrolled in links to its competitor declarations.
    competitors = reverse("my-activities:competitors", kwargs={"cohort_pk": world["cohort"].pk})
    assert f"{competitors}?company={world['company'].pk}" in page


def test_dashboard_shows_next_five_events_in_order(client, founder, world):
    now = timezone.now()
    for days in (30, 2, 20, 1, 25, 3):
        RegistrationFactory(
            event=EventFactory(
                programme=world["programme"],
                title=f"Session in {days} days",
                starts_at=now + timedelta(days=days),
            ),
            company=world["company"],
        )
    client.force_login(founder)
    page = client.get(reverse("my:dashboard")).content.decode()
    # Five soonest: these three, the masterclass (in 5 days), the other organisation's
    # workshop (in 7 days); not the cohort clinic in 9 days nor later sessions.
    shown = [d for d in (1, 2, 3, 20, 25, 30) if f"Session in {d} days" in page]
    assert shown == [1, 2, 3]
    assert "Zzother workshop" in page and "Investor readiness clinic" not in page
    assert page.index("Session in 1 days") < page.index("Session in 2 days")
    assert page.index("Session in 3 days") < page.index("Pricing masterclass")


def test_dashboard_never_shows_another_companys_activities(client, world):
    stranger = CompanyMemberFactory(company__name="Stranger Ltd").user
    client.force_login(stranger)
    page = client.get(reverse("my:dashboard")).content.decode()
    for text in (
        "Pricing masterclass",
        "Investor readiness clinic",
        "East Coast mission",
        "Thames circle",
        "Nordic energy consortium",
        "Zzother",
    ):
        assert text not in page
    assert "Not in a peer group" in page


def test_withdrawn_enrolment_gets_no_cohort_invitations(client, founder, world):
    with scopes_disabled():
        Enrolment.objects.filter(company=world["company"]).update(status="withdrawn")
    client.force_login(founder)
    page = client.get(reverse("my:dashboard")).content.decode()
    assert "Investor readiness clinic" not in page
    assert "Pricing masterclass" in page  # answered: still mine


def test_user_without_company_sees_no_activity_panels(client, user):
    client.force_login(user)
    page = client.get(reverse("my:dashboard")).content.decode()
    assert "My peer group" not in page


def test_dashboard_query_count_does_not_grow(client, founder, world):
    organisation, company = world["organisation"], world["company"]
    client.force_login(founder)
    url = reverse("my:dashboard")
    args = (organisation, world["programme"], world["cohort"], company)
    _grow_company(*args, 10, 0)
    # A second company of the same user, with a group of its own.
    second = Company.objects.get(pk=CompanyMemberFactory(user=founder).company_id)
    PeerGroupMemberFactory(group=world["group"], company=second, cohort=world["cohort"])
    small, _ = _queries(client, url)
    _grow_company(*args, 490, 10)
    large, _ = _queries(client, url)
    assert large == small
