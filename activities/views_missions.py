"""Staff pages of trade missions under /<org-slug>/missions/ (namespace `activities`): the
list, create and edit, the mission page (delegates, itinerary, meetings and deals), the
delegates board where managers select when oversubscribed, the itinerary and meetings.

Managers create, edit and decide; growth advisers (STAFF) read the list and mission pages
and log meetings. Views translate between HTTP and activities.missions (the rules) and
activities.selectors_missions (the reads)."""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from activities import missions as services
from activities import selectors_missions as selectors
from activities.forms_missions import (
    DelegateAddForm,
    DelegateDecisionForm,
    ItineraryItemForm,
    MeetingForm,
    MissionFilterForm,
    MissionForm,
)
from activities.models.missions import MissionDelegate
from portal.confirm import confirm_action
from portal.fields import add_service_errors
from portal.permissions import role_required
from portal.roles import MANAGERS, STAFF

MISSIONS_PER_PAGE = 20
MEETINGS_PER_PAGE = 25
DELEGATES_PER_PAGE = 50
Status = MissionDelegate.Status
DECIDED = {
    Status.SELECTED: "selected",
    Status.WAITLISTED: "put on the waiting list",
    Status.DECLINED: "declined",
}


def _mission(request, pk):
    """A mission of this organisation, or 404."""
    return get_object_or_404(
        request.organisation.trademissions.select_related("programme", "cohort", "organisation"),
        pk=pk,
    )


# --- List, create, edit ---------------------------------------------------------------------


@role_required(*STAFF)
def mission_list(request, org_slug):
    organisation = request.organisation
    filters = MissionFilterForm(request.GET or None, organisation=organisation)
    values = filters.values()
    missions = selectors.missions_for_list(organisation=organisation, **values)
    page = Paginator(missions, MISSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/missions/mission_list.html",
        {
            "filters": filters,
            "when": values["when"],
            "programme": values["programme"],
            "page": page,
            "can_manage": request.membership.role in MANAGERS,
            "tabs": [
                {
                    "label": label,
                    "active": value == values["when"],
                    "query": urlencode(
                        {"when": value}
                        | ({"programme": values["programme"].pk} if values["programme"] else {})
                    ),
                }
                for value, label in filters.fields["when"].choices
            ],
        },
    )


def _mission_form_page(request, mission=None):
    form = MissionForm(request.POST or None, instance=mission, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.mission_save(mission=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Trade mission “{saved.title}” {'saved' if mission else 'created'}."
            )
            return redirect(
                "activities:mission-detail", org_slug=request.organisation.slug, pk=saved.pk
            )
    return render(
        request,
        "activities/missions/mission_form.html",
        {"form": form, "mission": mission},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def mission_create(request, org_slug):
    return _mission_form_page(request)


@role_required(*MANAGERS)
def mission_edit(request, org_slug, pk):
    return _mission_form_page(request, _mission(request, pk))


# --- The mission page -----------------------------------------------------------------------


@role_required(*STAFF)
def mission_detail(request, org_slug, pk):
    mission = _mission(request, pk)
    organisation = request.organisation
    counts = selectors.delegate_counts(mission)
    selected = selectors.delegates_with_results(
        mission.delegates.filter(status=Status.SELECTED)
    ).order_by("company__name")
    meetings = Paginator(selectors.mission_meetings(mission), MEETINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "activities/missions/mission_detail.html",
        {
            "mission": mission,
            "counts": counts,
            "status_rows": [
                (value, label, counts[value])
                for value, label in Status.choices
                if value != Status.SELECTED
            ],
            "selected": list(selected),
            "places_left": max(mission.places - counts[Status.SELECTED], 0),
            "summary": selectors.meeting_summary(mission.meetings.all()),
            "itinerary": selectors.itinerary(mission, home_zone=organisation.time_zone),
            "home_zone": organisation.time_zone,
            "zones_differ": organisation.time_zone != mission.destination_time_zone,
            "meetings": meetings,
            "can_manage": request.membership.role in MANAGERS,
            "applications_open": services.applications_open(mission),
            "impact_url": reverse(
                "impact:programme", kwargs={"org_slug": org_slug, "pk": mission.programme_id}
            )
            + f"?mission={mission.pk}",
        },
    )


# --- Delegates ------------------------------------------------------------------------------


@role_required(*MANAGERS)
def mission_delegates(request, org_slug, pk):
    """The board: every company that applied, with its objectives; POST decides the ticked
    ones at once, or selects everyone waiting when there is room for them all."""
    mission = _mission(request, pk)
    form = DelegateDecisionForm(request.POST or None, mission=mission)
    if request.method == "POST":
        if request.POST.get("action") == "select_all":
            form = DelegateDecisionForm(mission=mission)
            try:
                chosen = services.delegates_select_all(mission=mission, by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"{len(chosen)} compan{'y' if len(chosen) == 1 else 'ies'} selected; "
                    "each has been e-mailed.",
                )
            return redirect(request.get_full_path())
        if form.is_valid():
            chosen = list(form.cleaned_data["delegates"])
            decision = form.cleaned_data["decision"]
            try:
                services.delegates_decide(
                    mission=mission, delegates=chosen, decision=decision, by=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(
                    request,
                    f"{len(chosen)} compan{'y' if len(chosen) == 1 else 'ies'} "
                    f"{DECIDED[decision]}; each has been e-mailed.",
                )
                return redirect(request.get_full_path())
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    counts = selectors.delegate_counts(mission)
    delegates = selectors.delegates_with_results(mission.delegates.all()).order_by(
        "created_at", "pk"
    )
    if status:
        delegates = delegates.filter(status=status)
    page = Paginator(delegates, DELEGATES_PER_PAGE).get_page(request.GET.get("page"))
    waiting = counts[Status.APPLIED] + counts[Status.WAITLISTED]
    places_left = max(mission.places - counts[Status.SELECTED], 0)
    ticked = set(request.POST.getlist("delegates"))
    return render(
        request,
        "activities/missions/delegates.html",
        {
            "mission": mission,
            "form": form,
            "page": page,
            "rows": [{"delegate": d, "checked": str(d.pk) in ticked} for d in page],
            "counts": counts,
            "status": status,
            "tabs": [{"value": "", "label": "All", "count": sum(counts.values())}]
            + [{"value": v, "label": label, "count": counts[v]} for v, label in Status.choices],
            "places_left": places_left,
            "waiting": waiting,
            "can_select_all": 0 < waiting <= places_left,
            "oversubscribed": waiting > places_left,
            "decidable": services.DECIDABLE,
        },
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def mission_delegate_add(request, org_slug, pk):
    mission = _mission(request, pk)
    already = mission.delegates.filter(status=Status.SELECTED).values("company_id")
    companies = services.eligible_companies(mission).exclude(pk__in=already)
    form = DelegateAddForm(request.POST or None, companies=companies)
    if request.method == "POST" and form.is_valid():
        company = form.cleaned_data["company"]
        try:
            services.delegate_add(
                mission=mission,
                company=company,
                by=request.user,
                objectives=form.cleaned_data["objectives"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{company.name} is a delegate of {mission.title} and has been e-mailed."
            )
            return redirect("activities:mission-delegates", org_slug=org_slug, pk=mission.pk)
    return render(
        request,
        "activities/missions/delegate_add.html",
        {
            "mission": mission,
            "form": form,
            "places_left": max(mission.places - services.places_taken(mission), 0),
        },
        status=400 if form.errors else 200,
    )


# --- Itinerary ------------------------------------------------------------------------------


@role_required(*MANAGERS)
def itinerary_add(request, org_slug, pk):
    mission = _mission(request, pk)
    form = ItineraryItemForm(request.POST or None, mission=mission)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.itinerary_add(mission=mission, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{item.title}” added to the itinerary.")
            if request.POST.get("another"):
                return redirect("activities:mission-itinerary-add", org_slug=org_slug, pk=pk)
            return redirect(f"{mission.get_absolute_url()}#itinerary")
    return render(
        request,
        "activities/missions/itinerary_form.html",
        {
            "mission": mission,
            "form": form,
            "itinerary": selectors.itinerary(mission, home_zone=request.organisation.time_zone),
        },
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def itinerary_delete(request, org_slug, pk, item_pk):
    mission = _mission(request, pk)
    item = get_object_or_404(mission.itinerary.all(), pk=item_pk)
    starts = timezone.localtime(item.starts_at, ZoneInfo(mission.destination_time_zone))
    return confirm_action(
        request,
        template="activities/missions/itinerary_delete.html",
        context={"mission": mission, "item": item, "starts": starts},
        action=lambda: services.itinerary_delete(item=item),
        success=f"“{item.title}” removed from the itinerary.",
        next_url=f"{mission.get_absolute_url()}#itinerary",
    )


# --- Meetings -------------------------------------------------------------------------------


@role_required(*STAFF)
def meeting_add(request, org_slug, pk):
    mission = _mission(request, pk)
    delegates = mission.delegates.filter(status=Status.SELECTED).select_related("company")
    form = MeetingForm(
        request.POST or None,
        delegates=delegates.order_by("company__name"),
        initial={"delegate": request.GET.get("delegate"), "met_on": _default_day(mission)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_log(by=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Meeting of {meeting.delegate.company.name} with {meeting.prospect_name} logged.",
            )
            return redirect(f"{mission.get_absolute_url()}#meetings")
    return render(
        request,
        "activities/missions/meeting_form.html",
        {"mission": mission, "form": form, "has_delegates": delegates.exists()},
        status=400 if form.errors else 200,
    )


def _default_day(mission):
    """Today at the destination, within the mission's days (for the date field)."""
    today = services.destination_today(mission)
    return min(max(today, mission.departs_on), mission.returns_on)
