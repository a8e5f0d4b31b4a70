"""Staff pages of workshops and events, under /<org-slug>/events/. Managers create, edit and
cancel; staff (managers and growth advisers) see the lists and mark attendance. Every event
is found through request.organisation: another tenant's id is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from activities import events as services
from activities import selectors_events as selectors
from activities.forms_events import AttendanceForm, EventFilterForm, EventForm
from activities.models import Event, Registration
from portal.confirm import confirm_action
from portal.fields import add_service_errors
from portal.permissions import role_required
from portal.roles import MANAGERS, STAFF

PER_PAGE = 25


def _event(request, pk) -> Event:
    return get_object_or_404(
        Event.objects.filter(organisation=request.organisation).select_related(
            "programme", "cohort__programme", "organisation"
        ),
        pk=pk,
    )


@role_required(*STAFF)
def event_list(request, org_slug):
    organisation = request.organisation
    form = EventFilterForm(request.GET or None, organisation=organisation)
    filters = form.cleaned_data if form.is_valid() else {}
    when = filters.get("when") or selectors.UPCOMING
    events = selectors.events_for_staff(
        organisation=organisation,
        programme_id=filters.get("programme"),
        kind=filters.get("kind") or "",
        when=when,
    )
    return render(
        request,
        "activities/events/event_list.html",
        {
            "form": form,
            "when": when,
            "can_manage": request.membership.role in MANAGERS,
            "filtered": bool(filters.get("programme") or filters.get("kind")),
            "page": Paginator(events, PER_PAGE).get_page(request.GET.get("page")),
        },
    )


@role_required(*MANAGERS)
def event_create(request, org_slug):
    organisation = request.organisation
    form = EventForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_save(event=form.save(commit=False), organisation=organisation)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Event created: {event.title}.")
            return redirect("activities:event-detail", org_slug=org_slug, pk=event.pk)
    return render(
        request,
        "activities/events/event_form.html",
        {"form": form, "event": None},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def event_edit(request, org_slug, pk):
    event = _event(request, pk)
    if event.status == Event.Status.CANCELLED:
        messages.error(request, "This event was cancelled; it can no longer be changed.")
        return redirect("activities:event-detail", org_slug=org_slug, pk=event.pk)
    form = EventForm(request.POST or None, instance=event, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        sequence = event.sequence
        try:
            event = services.event_save(event=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Event saved; the companies with a place were sent the updated invitation."
                if event.sequence != sequence
                else "Event saved.",
            )
            return redirect("activities:event-detail", org_slug=org_slug, pk=event.pk)
    return render(
        request,
        "activities/events/event_form.html",
        {"form": form, "event": event},
        status=400 if form.errors else 200,
    )


# The lists of the detail page, each paginated with its own query parameter.
DETAIL_LISTS = ("registered", "waitlisted", "declined", "unanswered", "cancelled")
DETAIL_PER_PAGE = 50


@role_required(*STAFF)
def event_detail(request, org_slug, pk):
    event = _event(request, pk)
    answers = selectors.event_registrations(event)
    pages = {
        name: Paginator(answers[name], DETAIL_PER_PAGE).get_page(request.GET.get(f"{name}_page"))
        for name in DETAIL_LISTS
    }
    return render(
        request,
        "activities/events/event_detail.html",
        {
            "event": event,
            "counts": answers["counts"],
            **pages,
            "can_mark": event.status == Event.Status.SCHEDULED
            and timezone.localdate(timezone.now(), services.event_zone(event))
            >= timezone.localdate(event.starts_at, services.event_zone(event)),
            "is_open": event.status == Event.Status.SCHEDULED and event.starts_at > timezone.now(),
            "can_manage": request.membership.role in MANAGERS,
        },
    )


@role_required(*MANAGERS)
def event_cancel(request, org_slug, pk):
    event = _event(request, pk)
    holders = event.registrations.filter(
        status__in=[Registration.Status.REGISTERED, Registration.Status.WAITLISTED]
    ).count()
    return confirm_action(
        request,
        template="activities/events/event_cancel.html",
        context={"event": event, "holders": holders},
        action=lambda: services.event_cancel(event=event),
        success=f"{event.title} is cancelled; the companies registered have been told.",
        next_url=reverse("activities:event-detail", kwargs={"org_slug": org_slug, "pk": event.pk}),
    )


@role_required(*STAFF)
def event_attendance(request, org_slug, pk):
    """The phone-sized page used at the door: one row per company with a place."""
    event = _event(request, pk)
    return render(
        request,
        "activities/events/attendance.html",
        {
            "event": event,
            "rows": selectors.attendance_rows(event),
            **selectors.attendance_counts(event),
        },
    )


@role_required(*STAFF)
@require_POST
def event_mark(request, org_slug, pk, reg_pk):
    """Mark one registration; htmx swaps the row, a plain POST returns to the page."""
    event = _event(request, pk)
    registration = get_object_or_404(
        event.registrations.select_related("company", "user", "event__organisation"), pk=reg_pk
    )
    form = AttendanceForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.attendance_mark(
                registration=registration, attendance=form.cleaned_data["attendance"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = "Mark attended or no-show."
    if request.htmx:
        registration.refresh_from_db(fields=["attendance", "attendance_marked_at"])
        return render(
            request,
            "activities/events/partials/attendance_row.html",
            {
                "event": event,
                "r": registration,
                "error": error,
                "oob": True,
                **selectors.attendance_counts(event),
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, f"{registration.company.name}: {error}")
    else:
        messages.success(
            request,
            f"{registration.company.name}: {registration.get_attendance_display().lower()}.",
        )
    return redirect("activities:event-attendance", org_slug=org_slug, pk=event.pk)


@role_required(*STAFF)
def event_feedback(request, org_slug, pk):
    event = _event(request, pk)
    return render(
        request,
        "activities/events/feedback.html",
        {"event": event, "summary": selectors.feedback_summary(event)},
    )


@role_required(*STAFF)
def event_ics(request, org_slug, pk):
    return ics_response(_event(request, pk))


def ics_response(event: Event) -> HttpResponse:
    """The event's calendar file as a download (its withdrawal once cancelled)."""
    response = HttpResponse(services.event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response
