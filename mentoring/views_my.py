"""The SME's mentoring pages under /my/mentoring/: its mentors, booking, its sessions and
their confirmation. Records are found only through the user's own companies (the SME front
door crosses tenants on purpose; the company filter is the fence), then the work runs
inside the owning organisation's scope and time zone."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from mentoring import booking, selectors_matching, services_matching, sessions
from mentoring.forms_matching import CommentForm
from mentoring.forms_sessions import BookingForm, CancelForm, ConfirmForm
from mentoring.models import (
    MentoringSession,
    MentorMatch,
    NeedsDiagnosis,
    SessionAction,
)
from portal.fields import add_service_errors
from portal.tenancy import tenant_scope

BOOKING_WEEKS = 4
Status = MentoringSession.Status


def _matches_of(user):
    return MentorMatch.objects.with_scopes_disabled().filter(company__memberships__user=user)


def _sessions_of(user):
    return (
        MentoringSession.objects.with_scopes_disabled()
        .filter(company__memberships__user=user)
        .select_related("mentor__user", "company", "organisation")
    )


def _used_subquery():
    """Sessions counted against an enrolment's budget, as booking counts them."""
    return Subquery(
        MentoringSession.objects.with_scopes_disabled()
        .filter(match__enrolment=OuterRef("enrolment"))
        .exclude(status__in=[Status.CANCELLED, Status.MENTOR_NO_SHOW])
        .values("match__enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )


def _with_budget(matches):
    return matches.annotate(
        used=Coalesce(_used_subquery(), 0),
        budget=F("enrolment__cohort__programme__mentoring_settings__sessions_per_company"),
        minutes=F("enrolment__cohort__programme__mentoring_settings__session_minutes"),
    )


def _to_confirm(queryset, now):
    return queryset.filter(
        status__in=[Status.BOOKED, Status.HELD],
        starts_at__lte=now,
        company_confirmed_at__isnull=True,
    )


@login_required
def overview(request):
    user = request.user
    now = timezone.now()
    matches = _with_budget(
        _matches_of(user)
        .filter(status=MentorMatch.Status.ACTIVE)
        .select_related("mentor__user", "company", "organisation", "enrolment__cohort__programme")
        .order_by("company__name", "-proposed_at")
    )
    mine = _sessions_of(user)
    upcoming = mine.filter(status=Status.BOOKED, starts_at__gt=now).order_by("starts_at")
    past = mine.exclude(status=Status.BOOKED, starts_at__gt=now).order_by("-starts_at")
    diagnoses = (
        NeedsDiagnosis.objects.with_scopes_disabled()
        .filter(company__memberships__user=user)
        .select_related("company", "organisation")
        .order_by("company__name", "company_id", "-created_at", "-pk")
    )
    # The latest diagnosis of each company, the one that counts.
    latest = [next(group) for _, group in groupby(diagnoses[:200], key=lambda d: d.company_id)]
    return render(
        request,
        "mentoring/my/overview.html",
        {
            "matches": list(matches),
            "upcoming": list(upcoming[:50]),
            "to_confirm": list(_to_confirm(mine, now).order_by("-starts_at")[:20]),
            "page": Paginator(past, 25).get_page(request.GET.get("page")),
            "diagnoses": latest,
        },
    )


@login_required
def diagnosis(request, pk):
    """The company's view of a needs diagnosis: needs, goals, founder style, its mentor, and
    comments it can add. Found only through the user's own companies."""
    found = get_object_or_404(
        NeedsDiagnosis.objects.with_scopes_disabled()
        .filter(company__memberships__user=request.user)
        .select_related("organisation", "company", "enrolment__cohort__programme", "adviser"),
        pk=pk,
    )
    organisation = found.organisation
    with tenant_scope(organisation), timezone.override(organisation.time_zone):
        form = CommentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services_matching.diagnosis_comment(
                    diagnosis=found, author=request.user, text=form.cleaned_data["text"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Thank you: your comment was sent to your adviser.")
                return redirect("my-mentoring:diagnosis", pk=found.pk)
        context = selectors_matching.diagnosis_for_company(diagnosis=found)
        return render(
            request,
            "mentoring/my/diagnosis.html",
            {**context, "form": form},
            status=400 if form.errors else 200,
        )


@login_required
def book(request, pk):
    match = get_object_or_404(
        _with_budget(
            _matches_of(request.user).select_related(
                "mentor__user", "company", "organisation", "enrolment__cohort__programme"
            )
        ),
        pk=pk,
    )
    organisation = match.organisation
    zone = zoneinfo.ZoneInfo(organisation.time_zone)
    with tenant_scope(organisation), timezone.override(zone):
        form = BookingForm(request.POST or None, needs_agreement=match.company_agreed_at is None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                session = sessions.session_book_and_invite(
                    match=match,
                    starts_at=data["starts_at"],
                    user=request.user,
                    online_link=data["online_link"],
                    place=data["place"],
                    accept_agreement=data.get("accept_agreement", False),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                local = timezone.localtime(session.starts_at, zone)
                messages.success(
                    request,
                    f"Booked: {session.mentor} on {local:%A} {local.day} {local:%B at %H:%M}. "
                    "You and your mentor have an e-mail with a calendar invitation.",
                )
                return redirect("my-mentoring:session", pk=session.pk)
        starts = []
        if match.status == MentorMatch.Status.ACTIVE:
            today = timezone.localdate()
            starts = booking.available_starts(
                match.mentor,
                minutes=booking.session_minutes(match),
                start=today,
                end=today + timedelta(weeks=BOOKING_WEEKS),
            )
        days = [
            (day, list(times))
            for day, times in groupby(
                (timezone.localtime(s, zone) for s in starts), key=lambda t: t.date()
            )
        ]
        chosen = form.data.get("starts_at", "") if form.is_bound else ""
        return render(
            request,
            "mentoring/my/book.html",
            {
                "match": match,
                "form": form,
                "days": days,
                "chosen": chosen,
                "time_zone": organisation.time_zone,
                "budget_left": None if match.budget is None else max(0, match.budget - match.used),
            },
            status=400 if form.errors else 200,
        )


def _my_session(request, pk):
    return get_object_or_404(
        _sessions_of(request.user).select_related("match__enrolment__cohort__programme"), pk=pk
    )


@login_required
def session(request, pk):
    mentoring_session = _my_session(request, pk)
    organisation = mentoring_session.organisation
    now = timezone.now()
    with tenant_scope(organisation), timezone.override(organisation.time_zone):
        can_confirm = (
            mentoring_session.status in (Status.BOOKED, Status.HELD)
            and mentoring_session.starts_at <= now
            and mentoring_session.company_confirmed_at is None
        )
        form = ConfirmForm(request.POST or None) if can_confirm else None
        if request.method == "POST":
            if form is None:
                messages.error(request, "This session cannot be confirmed (again).")
                return redirect("my-mentoring:session", pk=mentoring_session.pk)
            if form.is_valid():
                try:
                    sessions.session_confirm(
                        session=mentoring_session,
                        user=request.user,
                        rating=form.cleaned_data["rating"],
                        feedback=form.cleaned_data["feedback"],
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, "Thank you: the session is confirmed and rated.")
                    return redirect("my-mentoring:session", pk=mentoring_session.pk)
        actions = SessionAction.objects.filter(session=mentoring_session)
        return render(
            request,
            "mentoring/my/session.html",
            {
                "s": mentoring_session,
                "form": form,
                "actions": list(actions),
                "can_cancel": mentoring_session.status == Status.BOOKED
                and mentoring_session.starts_at > now,
                "time_zone": organisation.time_zone,
            },
            status=400 if form is not None and form.errors else 200,
        )


@login_required
def session_cancel(request, pk):
    mentoring_session = _my_session(request, pk)
    organisation = mentoring_session.organisation
    with tenant_scope(organisation), timezone.override(organisation.time_zone):
        form = CancelForm(request.POST or None)
        error = None
        if request.method == "POST" and form.is_valid():
            try:
                sessions.session_cancel_and_notify(
                    session=mentoring_session,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    by_mentor=False,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "reason" in exc.error_dict:
                    add_service_errors(form, exc)
                else:
                    error = " ".join(exc.messages)
            else:
                messages.success(request, "The session is cancelled; your mentor has been told.")
                return redirect("my-mentoring:session", pk=mentoring_session.pk)
        return render(
            request,
            "mentoring/my/session_cancel.html",
            {"s": mentoring_session, "form": form, "error": error},
            status=400 if (form.errors or error) else 200,
        )


@login_required
def session_ics(request, pk):
    mentoring_session = _my_session(request, pk)
    return ics_response(mentoring_session)


def ics_response(mentoring_session) -> HttpResponse:
    """The session's calendar file as a download (its withdrawal once cancelled)."""
    content = sessions.session_ics(
        mentoring_session, cancelled=mentoring_session.status == Status.CANCELLED
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="mentor-session-{mentoring_session.pk}.ics"'
    )
    return response
