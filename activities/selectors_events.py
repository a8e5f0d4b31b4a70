"""Reads of workshops and events, shared by the staff pages, the SME pages and the
calendar feed. Lists run a fixed number of queries whatever the number of rows: counts are
annotated in SQL and related rows fetched with select_related / prefetch_related."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from activities import events as services
from activities.models import Event, EventAudience, EventFeedback, Registration
from cohorts.models import Company

Status = Registration.Status
Attendance = Registration.Attendance

UPCOMING = "upcoming"
PAST = "past"


# --- Staff ---------------------------------------------------------------------------------


def _with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        registered_count=Count("registrations", filter=Q(registrations__status=Status.REGISTERED)),
        waitlisted_count=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
    )


def events_for_staff(
    *,
    organisation,
    programme_id: int | None = None,
    kind: str = "",
    when: str = UPCOMING,
    now: datetime | None = None,
) -> QuerySet[Event]:
    """An organisation's events, upcoming (soonest first; still running counts as upcoming)
    or past (latest first), with their numbers of places taken and waitlisted."""
    now = now or timezone.now()
    events = Event.objects.filter(organisation=organisation).select_related(
        "programme", "cohort__programme"
    )
    if programme_id:
        events = events.filter(programme_id=programme_id)
    if kind:
        events = events.filter(kind=kind)
    if when == PAST:
        events = events.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        events = events.filter(ends_at__gt=now).order_by("starts_at", "pk")
    return _with_counts(events)


def event_registrations(event: Event) -> dict:
    """Who answered and how, as querysets for the detail page to paginate: places (in order
    of registration), the waitlist (in the order it is promoted), "not attending",
    cancellations, and invitees who have not answered; with every count done in SQL."""
    rows = Registration.objects.filter(event=event).select_related("company", "user")
    registered = Q(status=Status.REGISTERED)
    counts = rows.aggregate(
        registered=Count("pk", filter=registered),
        waitlisted=Count("pk", filter=Q(status=Status.WAITLISTED)),
        declined=Count("pk", filter=Q(status=Status.DECLINED)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        attended=Count("pk", filter=registered & Q(attendance=Attendance.ATTENDED)),
        no_show=Count("pk", filter=registered & Q(attendance=Attendance.NO_SHOW)),
    )
    if event.audience == EventAudience.PUBLIC:
        unanswered = Company.objects.none()
        counts["unanswered"] = 0
    else:
        unanswered = services.unanswered_companies(event)
        counts["unanswered"] = unanswered.count()
    counts["places_left"] = max(0, event.capacity - counts["registered"])
    return {
        "registered": rows.filter(registered).order_by("created_at", "pk"),
        "waitlisted": rows.filter(status=Status.WAITLISTED).order_by("waitlisted_at", "pk"),
        "declined": rows.filter(status=Status.DECLINED).order_by("company__name", "pk"),
        "cancelled": rows.filter(status=Status.CANCELLED).order_by("-cancelled_at", "-pk"),
        "unanswered": unanswered.order_by("name", "pk"),
        "counts": counts,
    }


def attendance_rows(event: Event) -> list[Registration]:
    return list(
        Registration.objects.filter(event=event, status=Status.REGISTERED)
        .select_related("company", "user")
        .order_by("company__name", "pk")
    )


def attendance_counts(event: Event) -> dict:
    """For the attendance page: companies with a place, how many marked, how many came."""
    return Registration.objects.filter(event=event, status=Status.REGISTERED).aggregate(
        total=Count("pk"),
        marked=Count("pk", filter=~Q(attendance=Attendance.UNKNOWN)),
        attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
    )


def feedback_summary(event: Event) -> dict:
    """The mean rating (with how many answered, out of how many attended), how many would
    recommend it, and every answer, newest first."""
    feedback = EventFeedback.objects.filter(registration__event=event)
    figures = feedback.aggregate(
        answers=Count("pk"),
        mean_rating=Avg("rating"),
        recommend=Count("pk", filter=Q(would_recommend=True)),
    )
    attended = Registration.objects.filter(
        event=event, status=Status.REGISTERED, attendance=Attendance.ATTENDED
    ).count()
    distribution = dict(
        feedback.values_list("rating").annotate(n=Count("pk")).values_list("rating", "n")
    )
    return {
        **figures,
        "attended": attended,
        "distribution": [(rating, distribution.get(rating, 0)) for rating in range(5, 0, -1)],
        "answers_list": list(
            feedback.select_related("registration__company").order_by("-created_at", "-pk")
        ),
    }


# --- The SME's pages ------------------------------------------------------------------------


def _open_to(company_ids) -> Q:
    """Events whose audience includes one of these companies (public, or invited by the one
    rule of activities.events), or that one of them has answered (a company that left the
    cohort still sees the event it registered for)."""
    ids = list(company_ids)
    answered = Registration.objects.with_scopes_disabled().filter(
        event_id=OuterRef("pk"), company_id__in=ids
    )
    return Q(audience=EventAudience.PUBLIC) | services.invited_events_q(ids) | Exists(answered)


def _my_registrations(company_ids) -> Prefetch:
    return Prefetch(
        "registrations",
        queryset=Registration.objects.with_scopes_disabled()
        .filter(company_id__in=list(company_ids))
        .select_related("company", "feedback")
        .order_by("company__name"),
        to_attr="mine",
    )


def events_for_companies(*, company_ids, now: datetime | None = None) -> QuerySet[Event]:
    """Upcoming events open to these companies, across organisations (the SME front door
    crosses tenants on purpose; the company filter is the fence), soonest first, each with
    `mine`: these companies' registrations."""
    now = now or timezone.now()
    ids = list(company_ids)
    return (
        Event.objects.with_scopes_disabled()
        .filter(_open_to(ids), status=Event.Status.SCHEDULED, ends_at__gt=now)
        .select_related("organisation", "programme")
        .prefetch_related(_my_registrations(ids))
        .order_by("starts_at", "pk")
    )


def past_events_for_companies(*, company_ids, now: datetime | None = None) -> QuerySet[Event]:
    """Past events at which one of these companies had a place, latest first."""
    now = now or timezone.now()
    ids = list(company_ids)
    held = Registration.objects.with_scopes_disabled().filter(
        event_id=OuterRef("pk"), company_id__in=ids, status=Status.REGISTERED
    )
    return (
        Event.objects.with_scopes_disabled()
        .filter(Exists(held), ends_at__lte=now, status=Event.Status.SCHEDULED)
        .select_related("organisation", "programme")
        .prefetch_related(_my_registrations(ids))
        .order_by("-starts_at", "-pk")
    )


def event_for_companies(*, company_ids, pk: int) -> Event | None:
    """One event a company of the user may see (open to it, or answered by it), any status."""
    ids = list(company_ids)
    return (
        Event.objects.with_scopes_disabled()
        .filter(_open_to(ids), pk=pk)
        .select_related("organisation", "programme", "cohort")
        .prefetch_related(_my_registrations(ids))
        .first()
    )


def answerable_companies(event: Event, companies: list[Company]) -> list[Company]:
    """Of the user's companies, those in the event's audience (who may register or decline)."""
    if event.audience == EventAudience.PUBLIC:
        return list(companies)
    invited = set(
        services.invited_enrolments(event)
        .filter(company_id__in=[c.pk for c in companies])
        .values_list("company_id", flat=True)
    )
    return [c for c in companies if c.pk in invited]


def registration_of_user(*, company_ids, event_pk: int) -> Registration | None:
    """The user's company's registration at an event that it attended first, then any."""
    rows = list(
        Registration.objects.with_scopes_disabled()
        .filter(event_id=event_pk, company_id__in=list(company_ids))
        .select_related("event__organisation", "company", "user")
        .order_by("company__name", "pk")
    )
    for row in rows:
        if row.attendance == Attendance.ATTENDED and row.status == Status.REGISTERED:
            return row
    return rows[0] if rows else None
