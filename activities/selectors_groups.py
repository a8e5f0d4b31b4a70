"""Reads for peer groups, export consortia and innovation challenges, shared by the staff
pages and the SME's /my/ pages. Every read takes the organisation (staff) or the user (SME)
explicitly; a fixed number of queries per page whatever the data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from activities.consortia import parse_markets
from activities.models import (
    ChallengeProposal,
    CompetitorDeclaration,
    ConsortiumMember,
    ExportConsortium,
    InnovationChallenge,
    PeerGroup,
    PeerGroupMeeting,
    PeerGroupMeetingAttendee,
    PeerGroupMember,
)
from activities.models.consortia import MIN_CONSORTIUM_MEMBERS
from cohorts.models import Cohort, Company, Enrolment

# --- Peer groups ----------------------------------------------------------------------------


def _next_meeting(now):
    return Subquery(
        PeerGroupMeeting.objects.filter(group=OuterRef("pk"), starts_at__gte=now)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )


def cohorts_with_groups(*, organisation) -> QuerySet[Cohort]:
    """The organisation's cohorts that are running or about to (or have groups), with the
    number of groups and of companies taking part."""
    has_groups = Exists(PeerGroup.objects.filter(cohort=OuterRef("pk")))
    return (
        Cohort.objects.filter(organisation=organisation)
        .annotate(
            has_groups=has_groups,
            group_count=Count("peer_groups", distinct=True),
            active_count=Count(
                "enrolments",
                filter=Q(enrolments__status=Enrolment.Status.ACTIVE),
                distinct=True,
            ),
        )
        .filter(Q(has_groups=True) | Q(status__in=["selecting", "running"]))
        .select_related("programme")
        .order_by("-has_groups", "-start_date", "pk")
    )


def groups_of_cohort(*, cohort: Cohort) -> list[PeerGroup]:
    """The cohort's groups, each with its members (company loaded) and next meeting."""
    now = timezone.now()
    members = PeerGroupMember.objects.filter(organisation_id=cohort.organisation_id).select_related(
        "company"
    )
    return list(
        PeerGroup.objects.filter(organisation_id=cohort.organisation_id, cohort=cohort)
        .annotate(
            next_meeting_at=_next_meeting(now),
            meeting_count=Count("meetings", distinct=True),
        )
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("pk")
    )


def ungrouped_companies(*, cohort: Cohort) -> QuerySet[Company]:
    """Companies taking part in the cohort that are in no group (joined after forming)."""
    return Company.objects.filter(
        enrolments__cohort=cohort, enrolments__status=Enrolment.Status.ACTIVE
    ).exclude(
        pk__in=PeerGroupMember.objects.filter(
            organisation_id=cohort.organisation_id, cohort=cohort
        ).values("company_id")
    )


def competitor_pairs_named(*, cohort: Cohort) -> list[CompetitorDeclaration]:
    return list(
        CompetitorDeclaration.objects.filter(organisation_id=cohort.organisation_id, cohort=cohort)
        .select_related("company", "competitor", "declared_by")
        .order_by("company__name", "competitor__name")
    )


def group_with_meetings(*, group: PeerGroup):
    """A group's members and meetings (upcoming soonest first, then past newest first), each
    meeting with its attendees' companies."""
    now = timezone.now()
    members = list(group.members.select_related("company"))
    meetings = PeerGroupMeeting.objects.filter(group=group).prefetch_related(
        Prefetch(
            "attendees",
            queryset=PeerGroupMeetingAttendee.objects.filter(
                organisation_id=group.organisation_id
            ).select_related("company"),
        )
    )
    upcoming = list(meetings.filter(starts_at__gte=now).order_by("starts_at"))
    past = meetings.filter(starts_at__lt=now).order_by("-starts_at")
    return members, upcoming, past


def my_group(*, user, pk: int) -> PeerGroup | None:
    """A peer group one of the user's companies belongs to (across organisations)."""
    return (
        PeerGroup.objects.with_scopes_disabled()
        .filter(pk=pk, members__company__memberships__user=user)
        .select_related("organisation", "cohort__programme")
        .distinct()
        .first()
    )


def my_groups(*, user) -> QuerySet[PeerGroup]:
    now = timezone.now()
    return (
        PeerGroup.objects.with_scopes_disabled()
        .filter(members__company__memberships__user=user)
        .annotate(next_meeting_at=_next_meeting(now))
        .select_related("organisation", "cohort__programme")
        .distinct()
        .order_by("-created_at", "pk")
    )


# --- Export consortia -----------------------------------------------------------------------


def consortia_with_counts(*, organisation) -> QuerySet[ExportConsortium]:
    return (
        ExportConsortium.objects.filter(organisation=organisation)
        .annotate(
            member_count=Count("members", distinct=True),
            exporter_count=Count(
                "members", filter=Q(members__company__exports=True), distinct=True
            ),
            milestone_count=Count("milestones", distinct=True),
            milestones_done=Count(
                "milestones", filter=Q(milestones__done_on__isnull=False), distinct=True
            ),
        )
        .select_related("programme")
        .order_by("name", "pk")
    )


def consortium_members(consortium: ExportConsortium) -> list[ConsortiumMember]:
    return list(
        ConsortiumMember.objects.filter(consortium=consortium)
        .select_related("company")
        .order_by("-is_lead", "company__name")
    )


def my_consortium(*, user, pk: int) -> ExportConsortium | None:
    return (
        ExportConsortium.objects.with_scopes_disabled()
        .filter(pk=pk, members__company__memberships__user=user)
        .select_related("organisation", "programme")
        .distinct()
        .first()
    )


@dataclass
class Suggestion:
    """Companies of a cohort that share a target market, with at least one exporter."""

    market: str
    companies: list[Company] = field(default_factory=list)

    @property
    def exporters(self) -> list[Company]:
        return [c for c in self.companies if c.exports]


def consortium_suggestions(*, cohort: Cohort) -> list[Suggestion]:
    """Candidate consortia from the companies taking part in `cohort`: one per market named
    by at least three of them (as a market they want to enter or already sell to), keeping
    only those that include an experienced exporter. Largest first, then by market name.

    A company that already sells to the market counts as interested in it: it is the
    experienced exporter the rule asks for."""
    companies = Company.objects.filter(
        enrolments__cohort=cohort, enrolments__status=Enrolment.Status.ACTIVE
    ).order_by("name", "pk")
    by_market: dict[str, list[Company]] = defaultdict(list)
    for company in companies:
        markets = parse_markets(company.target_markets) + parse_markets(company.export_markets)
        for market in dict.fromkeys(markets):
            by_market[market].append(company)
    suggestions = [
        Suggestion(market, members)
        for market, members in by_market.items()
        if len(members) >= MIN_CONSORTIUM_MEMBERS and any(c.exports for c in members)
    ]
    return sorted(suggestions, key=lambda s: (-len(s.companies), s.market))


# --- Innovation challenges ------------------------------------------------------------------


def challenges_with_counts(*, organisation) -> QuerySet[InnovationChallenge]:
    return (
        InnovationChallenge.objects.filter(organisation=organisation)
        .annotate(
            proposal_count=Count("proposals", distinct=True),
            shortlisted_count=Count(
                "proposals",
                filter=Q(proposals__status=ChallengeProposal.Status.SHORTLISTED),
                distinct=True,
            ),
        )
        .select_related("programme")
        .order_by("-deadline", "pk")
    )


def open_challenges(*, user) -> QuerySet[InnovationChallenge]:
    """Published challenges still open, of every organisation, with whether one of the
    user's companies has answered."""
    now = timezone.now()
    answered = ChallengeProposal.objects.with_scopes_disabled().filter(
        challenge=OuterRef("pk"), company__memberships__user=user
    )
    return (
        InnovationChallenge.objects.with_scopes_disabled()
        .filter(published=True, deadline__gt=now)
        .annotate(answered=Exists(answered))
        .select_related("organisation")
        .order_by("deadline", "pk")
    )


def my_proposals(*, user) -> QuerySet[ChallengeProposal]:
    return (
        ChallengeProposal.objects.with_scopes_disabled()
        .filter(company__memberships__user=user)
        .select_related("challenge__organisation", "company")
        .order_by("-submitted_at")
    )


def visible_challenge(*, user, pk: int) -> InnovationChallenge | None:
    """A challenge an SME may open: published, or one their company has answered."""
    answered = ChallengeProposal.objects.with_scopes_disabled().filter(
        challenge=OuterRef("pk"), company__memberships__user=user
    )
    return (
        InnovationChallenge.objects.with_scopes_disabled()
        .annotate(answered=Exists(answered))
        .filter(Q(published=True) | Q(answered=True), pk=pk)
        .select_related("organisation")
        .first()
    )
