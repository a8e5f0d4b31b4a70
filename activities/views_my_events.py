"""The SME's event pages under /my/events/, the calendar page /my/calendar/, and the feed
/calendar/<token>.ics. Events are found only through the user's own companies (the SME
front door crosses tenants on purpose; the company filter is the fence); the work then runs
inside the owning organisation's scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from activities import calendar_feed as feeds
from activities import certificates
from activities import events as services
from activities import selectors_events as selectors
from activities.forms_events import CompanyChoiceForm, FeedbackForm
from activities.models import CalendarFeed, Event, EventFeedback, Registration
from activities.views_events import ics_response
from cohorts.selectors import companies_of_user
from portal.confirm import confirm_action
from portal.fields import add_service_errors, parse_ids
from portal.tenancy import tenant_scope

Status = Registration.Status
PER_PAGE = 25


def _companies(request) -> list:
    return list(companies_of_user(user=request.user))


def _event(request, pk, companies) -> Event:
    event = selectors.event_for_companies(company_ids=[c.pk for c in companies], pk=pk)
    if event is None:
        raise Http404("No such event.")
    return event


@login_required
def event_list(request):
    companies = _companies(request)
    ids = [c.pk for c in companies]
    now = timezone.now()
    upcoming = Paginator(
        selectors.events_for_companies(company_ids=ids, now=now), PER_PAGE
    ).get_page(request.GET.get("page"))
    past = Paginator(
        selectors.past_events_for_companies(company_ids=ids, now=now), PER_PAGE
    ).get_page(request.GET.get("ppage"))
    return render(
        request,
        "activities/my/events/event_list.html",
        {"companies": companies, "page": upcoming, "past_page": past, "now": now},
    )


def _answers(event: Event, companies: list, now) -> list[dict]:
    """One line per company of the user: its registration and what it may do now."""
    mine = {r.company_id: r for r in event.mine}
    answerable = {c.pk for c in selectors.answerable_companies(event, companies)}
    is_open = event.status == Event.Status.SCHEDULED and event.starts_at > now
    lines = []
    for company in companies:
        registration = mine.get(company.pk)
        if registration is None and company.pk not in answerable:
            continue
        status = registration.status if registration else ""
        holds = status in (Status.REGISTERED, Status.WAITLISTED)
        lines.append(
            {
                "company": company,
                "registration": registration,
                "position": services.waitlist_position(registration)
                if status == Status.WAITLISTED
                else None,
                "can_register": is_open and company.pk in answerable and not holds,
                "can_cancel": is_open and holds,
                # A company holding a place gives it up through "Cancel my place", which
                # asks first; "Not attending" is the answer of those without one.
                "can_decline": is_open
                and company.pk in answerable
                and event.audience != "public"
                and not holds
                and status != Status.DECLINED,
                "attended": registration is not None
                and status == Status.REGISTERED
                and registration.attendance == Registration.Attendance.ATTENDED,
                "has_feedback": registration is not None
                and EventFeedback.objects.filter(registration=registration).exists(),
            }
        )
    return lines


@login_required
def event_detail(request, pk):
    companies = _companies(request)
    event = _event(request, pk, companies)
    now = timezone.now()
    with tenant_scope(event.organisation):
        lines = _answers(event, companies, now)
        places_left = max(
            0, event.capacity - event.registrations.filter(status=Status.REGISTERED).count()
        )
        # Whether giving up a place hands it to a waiting company: the confirmation says so.
        waiting = event.registrations.filter(status=Status.WAITLISTED).exists()
    return render(
        request,
        "activities/my/events/event_detail.html",
        {
            "event": event,
            "lines": lines,
            "places_left": places_left,
            "waiting": waiting,
            "has_place": any(
                line["registration"] is not None
                and line["registration"].status == Status.REGISTERED
                for line in lines
            ),
            "is_open": event.status == Event.Status.SCHEDULED and event.starts_at > now,
        },
    )


def _answer(request, pk, act, success):
    """POST of register / cancel / not attending for one of the user's companies."""
    companies = _companies(request)
    event = _event(request, pk, companies)
    form = CompanyChoiceForm(request.POST, companies=companies)
    if not form.is_valid():
        messages.error(request, "Choose one of your companies.")
        return redirect("my-activities:event-detail", pk=event.pk)
    company = form.cleaned_data["company"]
    try:
        with tenant_scope(event.organisation):
            message = success(act(event, company))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, message)
    return redirect("my-activities:event-detail", pk=event.pk)


@login_required
@require_POST
def event_register(request, pk):
    def act(event, company):
        return services.registration_register(event=event, company=company, user=request.user)

    def success(registration):
        if registration.status == Status.REGISTERED:
            return (
                f"{registration.company.name} has a place. We have e-mailed you a calendar "
                "invitation."
            )
        return (
            f"The event is full: {registration.company.name} is on the waitlist (number "
            f"{services.waitlist_position(registration)}). If a place frees up you get it "
            "automatically and we e-mail you."
        )

    return _answer(request, pk, act, success)


@login_required
@require_POST
def event_cancel(request, pk):
    def act(event, company):
        registration = Registration.objects.filter(event=event, company=company).first()
        if registration is None:
            raise ValidationError("There is no place or waitlist entry to cancel.")
        return services.registration_cancel(registration=registration)

    def success(result):
        registration, _promoted = result
        return f"{registration.company.name}'s registration is cancelled."

    return _answer(request, pk, act, success)


@login_required
@require_POST
def event_decline(request, pk):
    def act(event, company):
        return services.registration_decline(event=event, company=company, user=request.user)

    def success(registration):
        return f"Thank you for letting us know: {registration.company.name} is not attending."

    return _answer(request, pk, act, success)


def _attended_registration(request, pk) -> tuple[Event, Registration | None]:
    """The user's company's registration at an event, the one named by ?company= if given."""
    companies = _companies(request)
    event = _event(request, pk, companies)
    wanted = parse_ids([request.GET.get("company") or request.POST.get("company") or ""])
    ids = [c.pk for c in companies if not wanted or c.pk in wanted]
    return event, selectors.registration_of_user(company_ids=ids, event_pk=event.pk)


@login_required
def event_feedback(request, pk):
    event, registration = _attended_registration(request, pk)
    if registration is None:
        raise Http404("Your company has no registration at this event.")
    with tenant_scope(event.organisation):
        given = EventFeedback.objects.filter(registration=registration).first()
        attended = (
            registration.status == Status.REGISTERED
            and registration.attendance == Registration.Attendance.ATTENDED
        )
        form = FeedbackForm(request.POST or None) if attended and given is None else None
        if request.method == "POST" and form is not None and form.is_valid():
            try:
                services.feedback_submit(registration=registration, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Thank you for your feedback.")
                return redirect("my-activities:event-detail", pk=event.pk)
        elif request.method == "POST" and form is None:
            messages.error(
                request,
                "You have already given feedback on this event."
                if given
                else "Feedback is for companies that attended the event.",
            )
            return redirect("my-activities:event-detail", pk=event.pk)
    return render(
        request,
        "activities/my/events/feedback.html",
        {
            "event": event,
            "registration": registration,
            "form": form,
            "given": given,
            "attended": attended,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def event_certificate(request, pk):
    event, registration = _attended_registration(request, pk)
    if registration is None:
        raise Http404("Your company has no registration at this event.")
    person = (
        registration.user.display_name
        if registration.user_id
        and registration.user.company_memberships.filter(
            company_id=registration.company_id
        ).exists()
        else request.user.display_name
    )
    try:
        with tenant_scope(event.organisation):
            pdf = certificates.certificate_pdf(registration, person=person)
    except ValidationError as exc:
        return render(
            request,
            "activities/my/events/certificate_refused.html",
            {"event": event, "reason": " ".join(exc.messages)},
            status=403,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{certificates.certificate_filename(registration)}"'
    )
    return response


@login_required
def event_ics(request, pk):
    return ics_response(_event(request, pk, _companies(request)))


# --- The calendar feed -----------------------------------------------------------------------


@login_required
def calendar(request):
    feed = feeds.feed_for_user(request.user)
    return render(
        request,
        "activities/my/events/calendar.html",
        {
            "feed": feed,
            "feed_url": request.build_absolute_uri(
                reverse("calendar:feed", kwargs={"token": feed.token})
            ),
        },
    )


@login_required
def calendar_regenerate(request):
    return confirm_action(
        request,
        template="activities/my/events/calendar_regenerate.html",
        context={},
        action=lambda: feeds.feed_regenerate(user=request.user),
        success="Your calendar has a new secret address. Subscribe to it again; the old one "
        "no longer works.",
        next_url=reverse("my-activities:calendar"),
    )


def calendar_feed(request, token):
    """No login: the secret token is the credential, as calendar apps cannot sign in."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    if not feed.user.is_active:
        raise Http404("No such calendar.")
    response = HttpResponse(feeds.feed_ics(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
