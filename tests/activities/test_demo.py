"""The demo shows programme activities at work (issue 4, item 7): a year of workshops in each
organisation, eight trade missions to real cities, peer groups, two consortia and a
challenge, and a demo founder with upcoming events, a mission and a group."""

import io
import zoneinfo
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    ChallengeProposal,
    CompetitorDeclaration,
    ConsortiumMember,
    ConsortiumMilestone,
    Event,
    EventFeedback,
    EventReminder,
    ExportConsortium,
    InnovationChallenge,
    ItineraryItem,
    MissionDelegate,
    MissionMeeting,
    PeerGroup,
    PeerGroupMeeting,
    PeerGroupMeetingAttendee,
    PeerGroupMember,
    Registration,
    TradeMission,
)
from activities.models.missions import MeetingOutcome
from cohorts.models import CohortStatus, Enrolment
from portal.models import User
from portal.tenancy import scopes_disabled

pytestmark = pytest.mark.django_db

MODELS = (
    Event,
    Registration,
    EventFeedback,
    EventReminder,
    TradeMission,
    MissionDelegate,
    ItineraryItem,
    MissionMeeting,
    PeerGroup,
    PeerGroupMember,
    PeerGroupMeeting,
    PeerGroupMeetingAttendee,
    CompetitorDeclaration,
    ExportConsortium,
    ConsortiumMember,
    ConsortiumMilestone,
    InnovationChallenge,
    ChallengeProposal,
)
ZONES = {
    "New York": "America/New_York",
    "Dubai": "Asia/Dubai",
    "Singapore": "Asia/Singapore",
    "Toronto": "America/Toronto",
    "Berlin": "Europe/Berlin",
    "Tokyo": "Asia/Tokyo",
    "São Paulo": "America/Sao_Paulo",
    "Lagos": "Africa/Lagos",
}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run in production mode
    call_command("seed_demo", stdout=io.StringIO())


def _counts():
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in MODELS}


def test_a_year_of_workshops_in_every_organisation(demo):
    now = timezone.now()
    with scopes_disabled():
        for slug in ("capital-trade", "pennine-growth", "ne-innovation"):
            events = Event.objects.filter(organisation__slug=slug)
            # About four a month over a year, half behind and half ahead.
            assert 44 <= events.count() <= 56, slug
            first, last = events.order_by("starts_at").first(), events.order_by("starts_at").last()
            assert timedelta(days=330) <= last.starts_at - first.starts_at <= timedelta(days=380)
            assert events.filter(starts_at__lt=now).count() >= 20
            assert events.filter(starts_at__gt=now).count() >= 20
            assert len(set(events.values_list("kind", flat=True))) >= 5, slug
            # Past events were attended (and some skipped), and attendees gave feedback.
            past = Registration.objects.filter(event__in=events, event__ends_at__lt=now)
            assert past.filter(attendance="attended").count() >= 100 or slug == "ne-innovation"
            assert past.filter(attendance="attended").exists()
            assert past.filter(attendance="no_show").exists()
            assert EventFeedback.objects.filter(registration__event__in=events).exists()
            assert not EventFeedback.objects.exclude(registration__attendance="attended").exists()
            # Upcoming events take registrations, and one has a waitlist.
            upcoming = Registration.objects.filter(event__in=events, event__starts_at__gt=now)
            assert upcoming.filter(status="registered").count() >= 50
            assert upcoming.filter(status="waitlisted").exists(), slug
        # Never more places than capacity; a waitlist only where the event is full.
        places = Event.objects.annotate(
            taken=Count("registrations", filter=Q(registrations__status="registered")),
            waiting=Count("registrations", filter=Q(registrations__status="waitlisted")),
        )
        for event in places:
            assert event.taken <= event.capacity
            assert not event.waiting or event.taken == event.capacity
        # Every event is valid, and one is held in another zone than its organisation's.
        for event in Event.objects.select_related("cohort"):
            event.full_clean()
        assert Event.objects.exclude(time_zone="Europe/London").exists()
        # Reminders already due were sent; the rest wait for the dispatcher.
        assert not EventReminder.objects.filter(due_at__lte=now, sent_at__isnull=True).exists()
        assert EventReminder.objects.filter(due_at__gt=now, sent_at__isnull=True).exists()


def test_eight_trade_missions_to_real_cities(demo):
    today = timezone.localdate()
    with scopes_disabled():
        missions = TradeMission.objects.all()
        assert missions.count() == 8
        assert {m.destination_city: m.destination_time_zone for m in missions} == ZONES
        assert missions.filter(returns_on__lt=today).count() >= 4
        assert missions.filter(departs_on__gt=today).count() >= 2
        for mission in missions:
            mission.full_clean()
            selected = mission.delegates.filter(status="selected").count()
            assert selected <= mission.places
            # The itinerary starts at 16:00 on arrival day, in the destination's zone.
            first = mission.itinerary.order_by("starts_at").first()
            local = first.starts_at.astimezone(zoneinfo.ZoneInfo(mission.destination_time_zone))
            assert (local.date(), local.hour) == (mission.departs_on, 16)
        # One mission still takes applications, oversubscribed: the manager must select.
        open_ = missions.get(applications_close_on__gte=today)
        assert open_.delegates.filter(status="applied").count() > open_.places
        # Delegates of past missions logged meetings; some signed deals, with values.
        meetings = MissionMeeting.objects.all()
        assert meetings.count() >= 100
        assert not meetings.exclude(delegate__status="selected").exists()
        deals = meetings.filter(outcome=MeetingOutcome.DEAL)
        assert deals.count() >= 10
        assert not deals.filter(deal_value__isnull=True).exists()
        assert (
            not meetings.exclude(outcome=MeetingOutcome.DEAL)
            .filter(deal_value__isnull=False)
            .exists()
        )
        assert len(set(meetings.values_list("prospect_kind", flat=True))) == 5


def test_peer_groups_consortia_and_a_challenge(demo):
    now = timezone.now()
    with scopes_disabled():
        groups = PeerGroup.objects.all()
        for cohort_id in set(groups.values_list("cohort_id", flat=True)):
            cohort_groups = groups.filter(cohort_id=cohort_id)
            assert cohort_groups.first().cohort.status == CohortStatus.RUNNING
            members = PeerGroupMember.objects.filter(cohort_id=cohort_id)
            # Every active company of the cohort placed once, in groups of about five.
            active = Enrolment.objects.filter(cohort_id=cohort_id, status="active")
            assert sorted(members.values_list("company_id", flat=True)) == sorted(
                active.values_list("company_id", flat=True)
            )
            sizes = Counter(members.values_list("group_id", flat=True))
            assert all(4 <= n <= 6 for n in sizes.values()), sizes
            # Declared competitors are never in one group.
            group_of = dict(members.values_list("company_id", "group_id"))
            declarations = CompetitorDeclaration.objects.filter(cohort_id=cohort_id)
            assert declarations.exists()
            for a, b in declarations.values_list("company_id", "competitor_id"):
                assert group_of[a] != group_of[b]
            # Each group met, and has its next meeting planned.
            for group in cohort_groups:
                assert group.meetings.filter(starts_at__lt=now).count() >= 3
                assert group.meetings.filter(starts_at__gt=now).exists()
        assert groups.values("cohort").distinct().count() == 2
        assert PeerGroupMeetingAttendee.objects.count() >= 200

        consortia = ExportConsortium.objects.all()
        assert consortia.count() == 2
        for consortium in consortia:
            consortium.full_clean()
            members = ConsortiumMember.objects.filter(consortium=consortium)
            assert members.count() >= 3
            assert members.filter(company__exports=True).exists()
            assert members.filter(is_lead=True, company__exports=True).count() == 1
            assert consortium.milestones.filter(done_on__isnull=False).exists()
            assert consortium.milestones.filter(done_on__isnull=True).exists()

        challenge = InnovationChallenge.objects.get()
        assert challenge.is_open
        assert challenge.proposals.count() >= 5
        assert challenge.proposals.filter(status="shortlisted").exists()


def test_amara_sees_upcoming_events_a_mission_and_a_group(demo, client):
    amara = User.objects.get(email="amara.okafor@lumengrid.demo")
    with scopes_disabled():
        registered = Registration.objects.filter(
            company__memberships__user=amara,
            status="registered",
            event__starts_at__gt=timezone.now(),
        )
        assert registered.count() >= 3
        assert MissionDelegate.objects.filter(
            company__memberships__user=amara,
            status="selected",
            mission__departs_on__gt=timezone.localdate(),
        ).exists()
        group = PeerGroupMember.objects.get(company__memberships__user=amara).group
        assert ConsortiumMember.objects.filter(company__memberships__user=amara).exists()
    client.force_login(amara)
    page = client.get(reverse("my:dashboard")).content.decode()
    assert "You have a place" in page
    assert "New York trade mission" in page
    assert group.name in page and "Next meeting" in page
    assert "US East Coast energy data consortium" in page


def test_running_the_demo_again_creates_nothing(demo, settings):
    before = _counts()
    assert before["Event"] > 0
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == before
