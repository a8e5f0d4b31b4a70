"""The SME's trade-mission pages under /my/missions/: the missions of programmes its
companies take part in, applying with objectives, withdrawing, the itinerary and its own
meetings. Missions are found only through the user's own companies (the SME front door
crosses tenants on purpose; the company filter is the fence); writes then run inside the
owning organisation's scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from activities import missions as services
from activities import selectors_missions as selectors
from activities.forms_missions import MeetingForm, MissionApplyForm
from activities.models.missions import MissionDelegate, MissionMeeting
from cohorts.selectors import companies_of_user
from portal.fields import add_service_errors
from portal.tenancy import tenant_scope

Status = MissionDelegate.Status
PER_PAGE = 20


def _company_ids(user) -> list[int]:
    return list(companies_of_user(user=user).values_list("pk", flat=True))


def _my_mission(request, pk):
    """A mission open to (or joined by) one of the user's companies, or 404, with the ids of
    the user's companies."""
    company_ids = _company_ids(request.user)
    mission = get_object_or_404(selectors.missions_open_to(company_ids=company_ids), pk=pk)
    return mission, company_ids


def _mine(mission, company_ids):
    return (
        MissionDelegate.objects.filter(mission=mission, company_id__in=company_ids)
        .select_related("company")
        .order_by("company__name")
    )


@login_required
def mission_list(request):
    company_ids = _company_ids(request.user)
    today = timezone.localdate()
    missions = selectors.missions_open_to(company_ids=company_ids)
    upcoming = Paginator(
        missions.filter(returns_on__gte=today).order_by("departs_on", "pk"), PER_PAGE
    ).get_page(request.GET.get("page"))
    past = Paginator(
        missions.filter(
            returns_on__lt=today,
            delegates__company_id__in=company_ids,
            delegates__status=Status.SELECTED,
        )
        .distinct()
        .order_by("-departs_on", "-pk"),
        PER_PAGE,
    ).get_page(request.GET.get("ppage"))
    shown = [m.pk for m in upcoming] + [m.pk for m in past]
    by_mission: dict[int, list] = {}
    for delegate in selectors.delegations_of(company_ids=company_ids, mission_ids=shown):
        by_mission.setdefault(delegate.mission_id, []).append(delegate)
    return render(
        request,
        "activities/my/missions/mission_list.html",
        {
            "has_company": bool(company_ids),
            "upcoming": upcoming,
            "upcoming_rows": [
                {
                    "mission": m,
                    "delegates": by_mission.get(m.pk, []),
                    "open": services.applications_open(m),
                }
                for m in upcoming
            ],
            "past": past,
            "past_rows": [{"mission": m, "delegates": by_mission.get(m.pk, [])} for m in past],
        },
    )


@login_required
def mission_detail(request, pk):
    mission, company_ids = _my_mission(request, pk)
    organisation = mission.organisation
    with tenant_scope(organisation):
        mine = list(_mine(mission, company_ids))
        applied = {d.company_id for d in mine if d.status != Status.WITHDRAWN}
        can_apply = (
            services.applications_open(mission)
            and services.eligible_companies(mission)
            .filter(pk__in=company_ids)
            .exclude(pk__in=applied)
            .exists()
        )
        # After departure a place can no longer be given up here (the service refuses it),
        # and after the return the page speaks of the mission in the past.
        today = services.destination_today(mission)
        departed = today >= mission.departs_on
        meetings = (
            MissionMeeting.objects.filter(mission=mission, delegate__company_id__in=company_ids)
            .select_related("delegate__company")
            .order_by("-met_on", "-pk")
        )
        return render(
            request,
            "activities/my/missions/mission_detail.html",
            {
                "mission": mission,
                "mine": mine,
                "selected": [d for d in mine if d.status == Status.SELECTED],
                "withdrawable": []
                if departed
                else [d for d in mine if d.status in services.WITHDRAWABLE],
                "departed": departed,
                "returned": today > mission.returns_on,
                "can_apply": can_apply,
                "applications_open": services.applications_open(mission),
                "itinerary": selectors.itinerary(mission, home_zone=organisation.time_zone),
                "home_zone": organisation.time_zone,
                "zones_differ": organisation.time_zone != mission.destination_time_zone,
                "meetings": Paginator(meetings, PER_PAGE).get_page(request.GET.get("page")),
                "summary": selectors.meeting_summary(meetings),
                "can_log": bool(mine)
                and any(d.status == Status.SELECTED for d in mine)
                and departed,
            },
        )


@login_required
def mission_apply(request, pk):
    mission, company_ids = _my_mission(request, pk)
    with tenant_scope(mission.organisation):
        taken = MissionDelegate.objects.filter(mission=mission).exclude(status=Status.WITHDRAWN)
        companies = (
            services.eligible_companies(mission)
            .filter(pk__in=company_ids)
            .exclude(pk__in=taken.values("company_id"))
        )
        if not services.applications_open(mission) or not companies.exists():
            messages.info(
                request,
                "Applications to this mission are closed."
                if not services.applications_open(mission)
                else "Your company has already applied, or is not taking part in the programme "
                "this mission belongs to.",
            )
            return redirect("my-activities:mission-detail", pk=mission.pk)
        form = MissionApplyForm(request.POST or None, companies=companies)
        if request.method == "POST" and form.is_valid():
            company = form.cleaned_data["company"]
            try:
                services.delegate_apply(
                    mission=mission,
                    company=company,
                    user=request.user,
                    objectives=form.cleaned_data["objectives"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{company.name}'s application is in. The programme team selects the "
                    "delegates and will e-mail you the decision.",
                )
                return redirect("my-activities:mission-detail", pk=mission.pk)
        return render(
            request,
            "activities/my/missions/apply.html",
            {"mission": mission, "form": form},
            status=400 if form.errors else 200,
        )


@login_required
def mission_withdraw(request, pk):
    mission, company_ids = _my_mission(request, pk)
    with tenant_scope(mission.organisation):
        withdrawable = [d for d in _mine(mission, company_ids) if d.status in services.WITHDRAWABLE]
        if not withdrawable:
            raise Http404("Nothing to withdraw from this mission.")
        departed = services.destination_today(mission) >= mission.departs_on
        error = "The mission has left; tell the programme team instead." if departed else None
        if request.method == "POST" and not departed:
            chosen = next(
                (d for d in withdrawable if str(d.pk) == request.POST.get("delegate")),
                withdrawable[0] if len(withdrawable) == 1 else None,
            )
            if chosen is None:
                error = "Choose which company withdraws."
            else:
                try:
                    services.delegate_withdraw(delegate=chosen, by=request.user)
                except ValidationError as exc:
                    error = " ".join(exc.messages)
                else:
                    messages.success(
                        request, f"{chosen.company.name} has withdrawn from {mission.title}."
                    )
                    return redirect("my-activities:mission-detail", pk=mission.pk)
        return render(
            request,
            "activities/my/missions/withdraw.html",
            {
                "mission": mission,
                "withdrawable": withdrawable,
                "departed": departed,
                "error": error,
            },
            status=400 if error and request.method == "POST" else 200,
        )


@login_required
def meeting_add(request, pk):
    mission, company_ids = _my_mission(request, pk)
    with tenant_scope(mission.organisation):
        delegates = _mine(mission, company_ids).filter(status=Status.SELECTED)
        if not delegates.exists():
            messages.info(request, "Only selected delegates log meetings of a mission.")
            return redirect("my-activities:mission-detail", pk=mission.pk)
        today = services.destination_today(mission)
        form = MeetingForm(
            request.POST or None,
            delegates=delegates,
            initial={"met_on": min(max(today, mission.departs_on), mission.returns_on)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                meeting = services.meeting_log(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Meeting with {meeting.prospect_name} logged.")
                return redirect("my-activities:mission-detail", pk=mission.pk)
        return render(
            request,
            "activities/my/missions/meeting_form.html",
            {"mission": mission, "form": form, "single": delegates.count() == 1},
            status=400 if form.errors else 200,
        )
