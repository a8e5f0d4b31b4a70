"""Reads that gather a company's programme activities in one place: the staff company page
(one organisation's view of one company) and the SME's dashboard (everything of the user's
own companies, across organisations).

Both run a fixed number of queries whatever the data: each kind of activity is one query,
with counts and "next meeting" computed in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.events import invited_events_q
from activities.models import (
    ChallengeProposal,
    ConsortiumMember,
    Event,
    MissionDelegate,
    PeerGroupMeeting,
    PeerGroupMember,
    Registration,
)
from activities.models.missions import MeetingOutcome
from cohorts.models import CompanyMember

# Past events listed on the company page; the counts above the list cover all of them.
PAST_EVENTS_SHOWN = 10
# Rows per kind on the SME dashboard; the "see all" links lead to the full pages.
DASHBOARD_ROWS = 5


def _with_deals(delegates: QuerySet) -> QuerySet:
    """Meetings, deals and the total deal value of each delegate, aggregated in SQL."""
    deal = Q(meetings__outcome=MeetingOutcome.DEAL)
    return delegates.annotate(
        meeting_count=Count("meetings", distinct=True),
        deal_count=Count("meetings", filter=deal, distinct=True),
        deal_total=Coalesce(
            Sum("meetings__deal_value", filter=deal),
            Value(0),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
    )


def _with_next_meeting(members: QuerySet, now: datetime) -> QuerySet:
    """The group's size and its next meeting (time and place), as subqueries."""
    upcoming = (
        PeerGroupMeeting.objects.with_scopes_disabled()
        .filter(group=OuterRef("group"), starts_at__gte=now)
        .order_by("starts_at", "pk")
    )
    size = (
        PeerGroupMember.objects.with_scopes_disabled()
        .filter(group=OuterRef("group"))
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return members.annotate(
        member_count=Subquery(size, output_field=IntegerField()),
        next_meeting_at=Subquery(upcoming.values("starts_at")[:1]),
        next_meeting_location=Subquery(upcoming.values("location")[:1]),
    )


def _with_consortium_size(members: QuerySet) -> QuerySet:
    size = (
        ConsortiumMember.objects.with_scopes_disabled()
        .filter(consortium=OuterRef("consortium"))
        .values("consortium")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return members.annotate(member_count=Subquery(size, output_field=IntegerField()))


# --- The staff company page ------------------------------------------------------------------


@dataclass
class CompanyActivities:
    """One organisation's activities with one company."""

    upcoming_registrations: list[Registration]
    past_registrations: list[Registration]
    event_counts: dict[str, int]
    delegations: list[MissionDelegate]
    group_memberships: list[PeerGroupMember]
    consortium_memberships: list[ConsortiumMember]
    proposals: list[ChallengeProposal]

    @property
    def is_empty(self) -> bool:
        return not (
            self.upcoming_registrations
            or self.past_registrations
            or self.delegations
            or self.group_memberships
            or self.consortium_memberships
            or self.proposals
        )


def company_activities(*, organisation, company, now: datetime | None = None) -> CompanyActivities:
    """Everything `organisation` runs that `company` takes part in: event registrations
    (with attendance), mission delegations (with meetings and deals), peer groups (with the
    next meeting), consortia and challenge proposals. Seven queries whatever the data."""
    now = now or timezone.now()
    Status = Registration.Status
    Attendance = Registration.Attendance
    registrations = Registration.objects.filter(
        organisation=organisation, company=company
    ).select_related("event")
    upcoming = list(
        registrations.filter(event__ends_at__gt=now)
        .exclude(status=Status.CANCELLED)
        .order_by("event__starts_at", "pk")
    )
    past = list(
        registrations.filter(event__ends_at__lte=now).order_by("-event__starts_at", "-pk")[
            :PAST_EVENTS_SHOWN
        ]
    )
    held = Q(event__ends_at__lte=now, event__status=Event.Status.SCHEDULED)
    counts = registrations.aggregate(
        past=Count("pk", filter=held & Q(status=Status.REGISTERED)),
        attended=Count("pk", filter=held & Q(attendance=Attendance.ATTENDED)),
        no_show=Count("pk", filter=held & Q(attendance=Attendance.NO_SHOW)),
    )
    delegations = list(
        _with_deals(MissionDelegate.objects.filter(organisation=organisation, company=company))
        .select_related("mission")
        .order_by("-mission__departs_on", "pk")
    )
    groups = list(
        _with_next_meeting(
            PeerGroupMember.objects.filter(organisation=organisation, company=company), now
        )
        .select_related("group__cohort__programme")
        .order_by("-group__created_at", "pk")
    )
    consortia = list(
        _with_consortium_size(
            ConsortiumMember.objects.filter(organisation=organisation, company=company)
        )
        .select_related("consortium")
        .order_by("-consortium__support_starts_on", "pk")
    )
    proposals = list(
        ChallengeProposal.objects.filter(organisation=organisation, company=company)
        .select_related("challenge")
        .order_by("-submitted_at", "-pk")
    )
    return CompanyActivities(
        upcoming_registrations=upcoming,
        past_registrations=past,
        event_counts=counts,
        delegations=delegations,
        group_memberships=groups,
        consortium_memberships=consortia,
        proposals=proposals,
    )


# --- The SME's dashboard -----------------------------------------------------------------------


@dataclass
class MyActivities:
    """What the user's companies take part in, across organisations."""

    events: list[Event] = field(default_factory=list)
    delegations: list[MissionDelegate] = field(default_factory=list)
    group_memberships: list[PeerGroupMember] = field(default_factory=list)
    consortium_memberships: list[ConsortiumMember] = field(default_factory=list)


def _my_companies(user):
    return CompanyMember.objects.filter(user=user).values("company")


def my_upcoming_events(*, user, now: datetime | None = None) -> QuerySet[Event]:
    """Upcoming scheduled events the user's companies have answered, or are invited to
    through an active enrolment (their cohort's events, their programme's events), each
    annotated with `my_status` (the company's answer, None if not answered yet). Public
    events show only once a company has registered: the events page lists the rest.

    Crosses tenants on purpose (the SME front door); the filter on the user's own
    companies is the fence."""
    now = now or timezone.now()
    mine = _my_companies(user)
    answers = (
        Registration.objects.with_scopes_disabled()
        .filter(event=OuterRef("pk"), company__in=mine)
        .exclude(status=Registration.Status.CANCELLED)
        # A place beats a waitlist entry beats "not attending", for a user of two companies.
        .annotate(
            rank=Case(
                When(status=Registration.Status.REGISTERED, then=0),
                When(status=Registration.Status.WAITLISTED, then=1),
                default=2,
            )
        )
        .order_by("rank", "pk")
    )
    return (
        Event.objects.with_scopes_disabled()
        .filter(ends_at__gt=now, status=Event.Status.SCHEDULED)
        .filter(Exists(answers) | invited_events_q(mine))
        .annotate(my_status=Subquery(answers.values("status")[:1]))
        .select_related("organisation")
        .order_by("starts_at", "pk")
    )


def my_activities(*, user, now: datetime | None = None) -> MyActivities:
    """The dashboard's activity panels for `user`: the next few events with their answer,
    missions (upcoming first), peer groups with their next meeting and members, and
    consortia. Five queries whatever the data."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    mine = _my_companies(user)
    events = list(my_upcoming_events(user=user, now=now)[:DASHBOARD_ROWS])
    delegations = list(
        _with_deals(
            MissionDelegate.objects.with_scopes_disabled()
            .filter(company__in=mine)
            .exclude(status=MissionDelegate.Status.WITHDRAWN)
        )
        .annotate(
            is_over=Case(When(mission__returns_on__lt=today, then=1), default=0),
        )
        .select_related("mission", "organisation", "company")
        .order_by("is_over", "mission__departs_on", "pk")[:DASHBOARD_ROWS]
    )
    groups = list(
        _with_next_meeting(
            PeerGroupMember.objects.with_scopes_disabled().filter(company__in=mine), now
        )
        .select_related("group__cohort__programme", "organisation", "company")
        .prefetch_related(
            Prefetch(
                "group__members",
                queryset=PeerGroupMember.objects.with_scopes_disabled()
                .select_related("company")
                .order_by("company__name", "pk"),
                to_attr="all_members",
            )
        )
        .order_by("-group__created_at", "pk")
    )
    for membership in groups:
        membership.other_members = [
            m for m in membership.group.all_members if m.company_id != membership.company_id
        ]
    consortia = list(
        _with_consortium_size(
            ConsortiumMember.objects.with_scopes_disabled().filter(company__in=mine)
        )
        .select_related("consortium", "organisation", "company")
        .order_by("-consortium__support_starts_on", "pk")
    )
    return MyActivities(
        events=events,
        delegations=delegations,
        group_memberships=groups,
        consortium_memberships=consortia,
    )
