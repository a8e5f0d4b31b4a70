"""Reads about mentors: the staff list with this month's load, a mentor's attendance record
(no-show and late-cancellation rates), and the mentor's bookable times for the next days."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from mentoring import periods
from mentoring.booking import available_starts
from mentoring.models import MentoringSession, MentorMatch, MentorProfile

SORTS = {
    "name": ("user__last_name", "user__first_name", "pk"),
    "status": ("status", "user__last_name", "pk"),
    "load": ("-sessions_this_month", "user__last_name", "pk"),
    "free": ("-free_this_month", "user__last_name", "pk"),
    "matches": ("-active_match_count", "user__last_name", "pk"),
    "newest": ("-created_at", "-pk"),
}


def month_bounds(moment: datetime | None = None) -> tuple[datetime, datetime]:
    """The current calendar month in the active time zone, as aware instants."""
    return periods.month_bounds(moment or timezone.now(), timezone.get_current_timezone_name())


def _count_subquery(queryset, field: str):
    return Coalesce(
        Subquery(
            queryset.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def mentors_with_load(*, organisation, now: datetime | None = None) -> QuerySet[MentorProfile]:
    """Mentors of the organisation with `sessions_this_month` (booked or held, not
    cancelled), `free_this_month` (capacity left) and `active_match_count`: one query,
    however many mentors."""
    first, following = month_bounds(now)
    sessions = MentoringSession.objects.filter(
        starts_at__gte=first, starts_at__lt=following
    ).exclude(status=MentoringSession.Status.CANCELLED)
    matches = MentorMatch.objects.filter(status=MentorMatch.Status.ACTIVE)
    return (
        MentorProfile.objects.filter(organisation=organisation)
        .select_related("user")
        .annotate(
            sessions_this_month=_count_subquery(sessions, "mentor"),
            active_match_count=_count_subquery(matches, "mentor"),
        )
        .annotate(
            free_this_month=Greatest(F("capacity_per_month") - F("sessions_this_month"), Value(0))
        )
    )


def mentors_for_list(
    *,
    organisation,
    status: str = "",
    expertise: str = "",
    sector: str = "",
    region: str = "",
    online: str = "",
    query: str = "",
    sort: str = "name",
    now: datetime | None = None,
) -> QuerySet[MentorProfile]:
    mentors = mentors_with_load(organisation=organisation, now=now)
    if status:
        mentors = mentors.filter(status=status)
    # The lists are JSON arrays of keys; matching the quoted key works on SQLite and
    # PostgreSQL alike, and "finance" does not match "access_to_finance".
    if expertise:
        mentors = mentors.filter(expertise__icontains=f'"{expertise}"')
    if sector:
        mentors = mentors.filter(sectors__icontains=f'"{sector}"')
    if region:
        mentors = mentors.filter(region=region)
    if online == "yes":
        mentors = mentors.filter(online_ok=True)
    elif online == "no":
        mentors = mentors.filter(online_ok=False)
    if query:
        mentors = mentors.filter(
            Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
            | Q(user__email__icontains=query)
        )
    return mentors.order_by(*SORTS.get(sort, SORTS["name"]))


def status_counts(*, organisation) -> dict[str, int]:
    rows = (
        MentorProfile.objects.filter(organisation=organisation)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(MentorProfile.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


@dataclass(frozen=True)
class AttendanceRecord:
    """A mentor's record over all their sessions so far."""

    booked: int  # every session ever booked, cancelled or not
    past: int  # sessions whose outcome is recorded (held or a no-show)
    held: int
    mentee_no_shows: int
    mentor_no_shows: int
    late_cancellations_by_mentor: int
    cancellations_by_mentor: int

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def mentor_no_show_rate(self) -> float | None:
        """Per cent of recorded sessions the mentor did not turn up to."""
        return self._share(self.mentor_no_shows, self.past)

    @property
    def mentee_no_show_rate(self) -> float | None:
        return self._share(self.mentee_no_shows, self.past)

    @property
    def late_cancellation_rate(self) -> float | None:
        """Per cent of all booked sessions that the mentor cancelled less than 24 hours
        ahead."""
        return self._share(self.late_cancellations_by_mentor, self.booked)


def mentor_attendance(*, mentor: MentorProfile) -> AttendanceRecord:
    """One aggregate query over the mentor's sessions."""
    status = MentoringSession.Status
    by_mentor = Q(status=status.CANCELLED, cancelled_by_id=mentor.user_id)
    row = MentoringSession.objects.filter(mentor=mentor).aggregate(
        booked=Count("pk"),
        past=Count(
            "pk", filter=Q(status__in=[status.HELD, status.MENTEE_NO_SHOW, status.MENTOR_NO_SHOW])
        ),
        held=Count("pk", filter=Q(status=status.HELD)),
        mentee_no_shows=Count("pk", filter=Q(status=status.MENTEE_NO_SHOW)),
        mentor_no_shows=Count("pk", filter=Q(status=status.MENTOR_NO_SHOW)),
        late_cancellations_by_mentor=Count("pk", filter=by_mentor & Q(late_cancellation=True)),
        cancellations_by_mentor=Count("pk", filter=by_mentor),
    )
    return AttendanceRecord(**row)


def mentor_of_user(*, organisation, user) -> MentorProfile | None:
    return (
        MentorProfile.objects.filter(organisation=organisation, user=user)
        .select_related("user", "organisation")
        .first()
    )


def active_matches(*, mentor: MentorProfile) -> QuerySet[MentorMatch]:
    return mentor.matches.filter(status=MentorMatch.Status.ACTIVE).select_related(
        "company", "enrolment__cohort__programme"
    )


def mentor_today(mentor: MentorProfile, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(mentor.time_zone)).date()


def bookable_preview(
    *, mentor: MentorProfile, days: int = 14, minutes: int = 60, now: datetime | None = None
) -> list[dict]:
    """Bookable start times from today for `days` days, in the mentor's time zone, grouped
    by day: [{"day": date, "starts": [aware datetimes in the mentor's zone]}]."""
    tz = zoneinfo.ZoneInfo(mentor.time_zone)
    today = mentor_today(mentor, now)
    starts = available_starts(
        mentor, minutes=minutes, start=today, end=today + timedelta(days=days - 1), now=now
    )
    grouped: dict[date, list[datetime]] = {}
    for start in starts:
        local = start.astimezone(tz)
        grouped.setdefault(local.date(), []).append(local)
    return [{"day": day, "starts": grouped[day]} for day in sorted(grouped)]
