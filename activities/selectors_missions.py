"""Reads for trade missions, shared by the staff pages and the SME's own pages. Counts,
totals and the breakdown by prospect kind are computed in SQL, and each page runs a fixed
number of queries however many delegates and meetings a mission has."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.models.missions import (
    ItineraryItem,
    MeetingOutcome,
    MissionDelegate,
    MissionMeeting,
    ProspectKind,
    TradeMission,
)
from cohorts.models import Enrolment

Status = MissionDelegate.Status
DEAL = Q(outcome=MeetingOutcome.DEAL)
MONEY = DecimalField(max_digits=16, decimal_places=2)


def _count(queryset, group: str):
    """A correlated COUNT of `queryset` (filtered on OuterRef(`group`)), 0 when empty."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _with_counts(missions: QuerySet[TradeMission]) -> QuerySet[TradeMission]:
    delegates = MissionDelegate.objects.filter(mission=OuterRef("pk"))
    meetings = MissionMeeting.objects.filter(mission=OuterRef("pk"))
    deal_value = Subquery(
        meetings.filter(DEAL)
        .order_by()
        .values("mission")
        .annotate(total=Sum("deal_value"))
        .values("total")[:1],
        output_field=MONEY,
    )
    return missions.annotate(
        selected_count=_count(delegates.filter(status=Status.SELECTED), "mission"),
        waiting_count=_count(delegates.filter(status=Status.APPLIED), "mission"),
        meeting_count=_count(meetings, "mission"),
        deal_count=_count(meetings.filter(DEAL), "mission"),
        deal_value=deal_value,
    )


def missions_for_list(
    *, organisation, when: str = "upcoming", programme=None, today: datetime.date | None = None
) -> QuerySet[TradeMission]:
    """The organisation's missions with their counts. Upcoming (not yet back) soonest
    first; past ones latest first."""
    today = today or timezone.localdate()
    missions = TradeMission.objects.filter(organisation=organisation).select_related(
        "programme", "cohort"
    )
    if programme is not None:
        missions = missions.filter(programme=programme)
    if when == "past":
        missions = missions.filter(returns_on__lt=today).order_by("-departs_on", "-pk")
    else:
        missions = missions.filter(returns_on__gte=today).order_by("departs_on", "pk")
    return _with_counts(missions)


def delegate_counts(mission: TradeMission) -> dict[str, int]:
    """How many delegates are in each status, in one grouped query."""
    counts = dict.fromkeys(Status.values, 0)
    for row in mission.delegates.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def delegates_with_results(queryset: QuerySet[MissionDelegate]) -> QuerySet[MissionDelegate]:
    """Delegates with their meetings, deals and deal value (subqueries: no row multiplication)."""
    meetings = MissionMeeting.objects.filter(delegate=OuterRef("pk"))
    value = Subquery(
        meetings.filter(DEAL)
        .order_by()
        .values("delegate")
        .annotate(total=Sum("deal_value"))
        .values("total")[:1],
        output_field=MONEY,
    )
    return queryset.select_related("company").annotate(
        meeting_count=_count(meetings, "delegate"),
        deal_count=_count(meetings.filter(DEAL), "delegate"),
        deal_value=value,
    )


def meeting_summary(meetings: QuerySet[MissionMeeting]) -> dict:
    """Meetings, leads, follow-ups, deals and the total deal value, and the same by prospect
    kind (every kind listed, in the order of the choices): two queries."""
    totals = meetings.order_by().aggregate(
        meetings=Count("pk"),
        leads=Count("pk", filter=Q(outcome=MeetingOutcome.LEAD)),
        follow_ups=Count("pk", filter=Q(outcome=MeetingOutcome.FOLLOW_UP)),
        deals=Count("pk", filter=DEAL),
        deal_value=Sum("deal_value", filter=DEAL, output_field=MONEY),
        companies_with_deals=Count("delegate", filter=DEAL, distinct=True),
    )
    rows = {
        row["prospect_kind"]: row
        for row in meetings.order_by()
        .values("prospect_kind")
        .annotate(
            meetings=Count("pk"),
            deals=Count("pk", filter=DEAL),
            deal_value=Sum("deal_value", filter=DEAL, output_field=MONEY),
        )
    }
    by_kind = []
    for value, label in ProspectKind.choices:
        row = rows.get(value, {})
        by_kind.append(
            {
                "kind": value,
                "label": label,
                "meetings": row.get("meetings", 0),
                "deals": row.get("deals", 0),
                "deal_value": row.get("deal_value"),
            }
        )
    return {**totals, "by_kind": by_kind}


@dataclass(frozen=True)
class ItineraryRow:
    item: ItineraryItem
    starts: datetime.datetime  # in the destination's zone
    ends: datetime.datetime | None
    home_starts: datetime.datetime | None  # in the organisation's zone, if it differs
    home_ends: datetime.datetime | None
    new_day: bool


def itinerary(mission: TradeMission, *, home_zone: str) -> list[ItineraryRow]:
    """The mission's items in the destination's time, with the organisation's time beside
    them where the two zones differ (one query)."""
    destination = ZoneInfo(mission.destination_time_zone)
    home = ZoneInfo(home_zone) if home_zone != mission.destination_time_zone else None
    rows = []
    previous_day = None
    for item in ItineraryItem.objects.filter(mission=mission).order_by("starts_at", "pk"):
        starts = timezone.localtime(item.starts_at, destination)
        ends = timezone.localtime(item.ends_at, destination) if item.ends_at else None
        rows.append(
            ItineraryRow(
                item=item,
                starts=starts,
                ends=ends,
                home_starts=timezone.localtime(item.starts_at, home) if home else None,
                home_ends=timezone.localtime(item.ends_at, home) if home and ends else None,
                new_day=starts.date() != previous_day,
            )
        )
        previous_day = starts.date()
    return rows


def mission_meetings(mission: TradeMission) -> QuerySet[MissionMeeting]:
    return (
        MissionMeeting.objects.filter(mission=mission)
        .select_related("delegate__company", "logged_by")
        .order_by("-met_on", "-pk")
    )


# --- The SME's own missions (cross-tenant by design: /my/ gathers everything) ---------------


def missions_open_to(*, company_ids: list[int]) -> QuerySet[TradeMission]:
    """Missions the user's companies may see: those of programmes (or the cohort) they are
    enrolled in, and any they are a delegate of. Crosses organisations on purpose; the
    filter on the user's own companies is the fence."""
    enrolled = (
        Enrolment.objects.with_scopes_disabled()
        .filter(company_id__in=company_ids)
        .exclude(status=Enrolment.Status.WITHDRAWN)
    )
    in_programme = enrolled.filter(cohort__programme_id=OuterRef("programme_id"))
    in_cohort = enrolled.filter(cohort_id=OuterRef("cohort_id"))
    delegate = MissionDelegate.objects.with_scopes_disabled().filter(
        mission=OuterRef("pk"), company_id__in=company_ids
    )
    return (
        TradeMission.objects.with_scopes_disabled()
        .filter(
            (Q(cohort__isnull=True) & Exists(in_programme))
            | (Q(cohort__isnull=False) & Exists(in_cohort))
            | Exists(delegate)
        )
        .select_related("organisation", "programme")
    )


def delegations_of(*, company_ids: list[int], mission_ids: list[int]) -> list[MissionDelegate]:
    """The user's companies' delegate rows on some missions (one query)."""
    return list(
        MissionDelegate.objects.with_scopes_disabled()
        .filter(company_id__in=company_ids, mission_id__in=mission_ids)
        .select_related("company")
        .order_by("company__name")
    )
