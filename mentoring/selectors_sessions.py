"""Reads of sessions, attendance, fee claims and the cost of mentoring. Counts and rates are
aggregated in SQL, so a page's query count does not grow with its rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, NullIf
from django.utils import timezone

from mentoring.claims import payable_q
from mentoring.models import FeeClaim, MentoringSession, MentoringSettings, MentorProfile
from mentoring.periods import month_bounds

# A company is flagged once its mentee no-shows, across all its mentors, pass this number.
NO_SHOW_WARNING_OVER = 2

Status = MentoringSession.Status
OCCURRED = (Status.HELD, Status.MENTEE_NO_SHOW, Status.MENTOR_NO_SHOW)


def _session_rows(queryset: QuerySet[MentoringSession]):
    return queryset.select_related("mentor__user", "company", "match__enrolment__cohort__programme")


# --- Session lists -------------------------------------------------------------------------


def mentor_of(*, organisation, user) -> MentorProfile | None:
    return MentorProfile.objects.filter(organisation=organisation, user=user).first()


def sessions_of_mentor(*, mentor: MentorProfile, now: datetime | None = None) -> dict:
    """A mentor's sessions: upcoming, started but not yet recorded, and the rest (past)."""
    now = now or timezone.now()
    mine = _session_rows(MentoringSession.objects.filter(mentor=mentor))
    return {
        "upcoming": mine.filter(status=Status.BOOKED, starts_at__gt=now).order_by("starts_at"),
        "to_record": mine.filter(status=Status.BOOKED, starts_at__lte=now).order_by("starts_at"),
        "past": mine.exclude(status=Status.BOOKED).order_by("-starts_at"),
    }


def sessions_for_staff(
    *,
    organisation,
    mentor_id: int | None = None,
    company_id: int | None = None,
    status: str = "",
    month: date | None = None,
) -> QuerySet[MentoringSession]:
    sessions = MentoringSession.objects.filter(organisation=organisation)
    if mentor_id:
        sessions = sessions.filter(mentor_id=mentor_id)
    if company_id:
        sessions = sessions.filter(company_id=company_id)
    if status == "to_record":
        sessions = sessions.filter(status=Status.BOOKED, starts_at__lte=timezone.now())
    elif status:
        sessions = sessions.filter(status=status)
    if month:
        first, following = month_bounds(month, organisation.time_zone)
        sessions = sessions.filter(starts_at__gte=first, starts_at__lt=following)
    return _session_rows(sessions).order_by("-starts_at", "-pk")


def session_filter_choices(*, organisation) -> dict:
    """Mentors and companies that have sessions, for the filter menus."""
    sessions = MentoringSession.objects.filter(organisation=organisation)
    mentors = (
        MentorProfile.objects.filter(organisation=organisation, sessions__isnull=False)
        .select_related("user")
        .distinct()
    )
    companies = (
        sessions.values_list("company_id", "company__name").distinct().order_by("company__name")
    )
    return {
        "mentors": [(m.pk, m.user.display_name) for m in mentors],
        "companies": list(companies),
    }


# --- Attendance ----------------------------------------------------------------------------


def _attendance_annotations(side: str) -> dict:
    """Counts by outcome; late cancellations count against the side that cancelled."""

    def count(**filters):
        return Count("pk", filter=Q(**filters))

    return {
        "sessions": Count("pk"),
        "occurred": count(status__in=OCCURRED),
        "held": count(status=Status.HELD),
        "mentee_no_shows": count(status=Status.MENTEE_NO_SHOW),
        "mentor_no_shows": count(status=Status.MENTOR_NO_SHOW),
        "cancellations": count(status=Status.CANCELLED),
        "late_cancellations": count(
            status=Status.CANCELLED, late_cancellation=True, cancelled_side=side
        ),
    }


def _rate(numerator: str, denominator: str):
    """A percentage, NULL when there is nothing to divide by."""
    return Cast(F(numerator), FloatField()) * 100.0 / NullIf(F(denominator), 0)


ATTENDANCE_SORTS = {
    "name": "name",
    "sessions": "sessions",
    "no_shows": "mentee_no_shows",
    "no_show_rate": "no_show_rate",
    "mentor_no_shows": "mentor_no_shows",
    "mentor_no_show_rate": "mentor_no_show_rate",
    "late": "late_cancellations",
    "late_rate": "late_rate",
}


def _ordered(rows, sort: str):
    descending = sort.startswith("-")
    field = ATTENDANCE_SORTS.get(sort.lstrip("-"), "name")
    expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return rows.order_by(expression, "name")


def attendance_by_company(*, organisation, sort: str = "-no_shows"):
    """Per company, across all its mentors: sessions by outcome, the mentee no-show rate
    (of sessions that were due to take place), the late-cancellation rate (of all
    bookings), and whether its no-shows pass the warning line."""
    rows = (
        MentoringSession.objects.filter(organisation=organisation)
        .values("company_id")
        .annotate(name=F("company__name"), **_attendance_annotations(MentoringSession.Side.COMPANY))
        .annotate(
            no_show_rate=_rate("mentee_no_shows", "occurred"),
            mentor_no_show_rate=_rate("mentor_no_shows", "occurred"),
            late_rate=_rate("late_cancellations", "sessions"),
        )
    )
    return _ordered(rows, sort)


def attendance_by_mentor(*, organisation, sort: str = "-mentor_no_shows"):
    rows = (
        MentoringSession.objects.filter(organisation=organisation)
        .values("mentor_id")
        .annotate(
            first_name=F("mentor__user__first_name"),
            last_name=F("mentor__user__last_name"),
            email=F("mentor__user__email"),
            name=F("mentor__user__last_name"),
            **_attendance_annotations(MentoringSession.Side.MENTOR),
        )
        .annotate(
            no_show_rate=_rate("mentee_no_shows", "occurred"),
            mentor_no_show_rate=_rate("mentor_no_shows", "occurred"),
            late_rate=_rate("late_cancellations", "sessions"),
        )
    )
    return _ordered(rows, sort)


def companies_over_no_show_line(*, organisation) -> int:
    return (
        MentoringSession.objects.filter(organisation=organisation, status=Status.MENTEE_NO_SHOW)
        .values("company_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=NO_SHOW_WARNING_OVER)
        .count()
    )


# --- Fee claims ----------------------------------------------------------------------------


def claims_for(
    *, organisation, mentor: MentorProfile | None = None, status: str = "", month=None
) -> QuerySet[FeeClaim]:
    claims = FeeClaim.objects.filter(organisation=organisation).select_related(
        "mentor__user", "decided_by"
    )
    if mentor is not None:
        claims = claims.filter(mentor=mentor)
    if status:
        claims = claims.filter(status=status)
    if month:
        claims = claims.filter(month=month)
    return claims.order_by("-month", "mentor__user__last_name", "pk")


def claim_totals(claims: QuerySet[FeeClaim]) -> dict:
    return claims.aggregate(amount=Sum("amount"), sessions=Sum("session_count"), count=Count("pk"))


def claim_sessions(claim: FeeClaim) -> QuerySet[MentoringSession]:
    return (
        MentoringSession.objects.filter(claim=claim)
        .select_related("company", "match__enrolment__cohort__programme")
        .order_by("starts_at")
    )


def unclaimed_payable_count(*, mentor: MentorProfile, before: datetime) -> int:
    return (
        MentoringSession.objects.filter(mentor=mentor, claim__isnull=True, starts_at__lt=before)
        .filter(payable_q())
        .count()
    )


# --- Programme cost ------------------------------------------------------------------------


def mentoring_settings_of(programme) -> MentoringSettings:
    """The programme's settings row (unsaved defaults when there is none yet)."""
    row = MentoringSettings.objects.filter(programme=programme).first()
    return row or MentoringSettings(organisation_id=programme.organisation_id, programme=programme)


def mentoring_cost(*, programme) -> dict:
    """The cost of mentoring of a programme: the fees of its paid sessions (held, and mentee
    no-shows when the programme pays them), over the companies that had one."""
    paid = MentoringSession.objects.filter(match__enrolment__cohort__programme=programme).filter(
        payable_q()
    )
    totals = paid.aggregate(
        total=Sum("fee"), sessions=Count("pk"), companies=Count("company", distinct=True)
    )
    total = totals["total"] or Decimal("0")
    companies = totals["companies"]
    return {
        "total": total,
        "sessions": totals["sessions"],
        "companies": companies,
        "per_company": (total / companies).quantize(Decimal("0.01")) if companies else None,
    }


def mentoring_cost_by_company(*, programme):
    return (
        MentoringSession.objects.filter(match__enrolment__cohort__programme=programme)
        .filter(payable_q())
        .values("company_id")
        .annotate(name=F("company__name"), sessions=Count("pk"), cost=Sum("fee"))
        .order_by("-cost", "name")
    )
