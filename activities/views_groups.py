"""Staff pages of peer groups (coaching circles) under /<org-slug>/: the cohorts with groups,
a cohort's groups, forming them (preview, then confirm), moving a company by hand, a group
with its meetings, and the competitor declarations of a cohort.

Managers form, move and record competitors; growth advisers see the groups and record
meetings. Everything is looked up through request.organisation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from activities import peer_groups, selectors_groups
from activities.forms_groups import (
    CompetitorsForm,
    ConfirmGroupsForm,
    GroupAddForm,
    GroupMoveForm,
    GroupSizeForm,
    MeetingForm,
)
from activities.models import CompetitorDeclaration, PeerGroup, PeerGroupMember
from cohorts.models import Company, Enrolment
from portal.fields import add_service_errors, parse_ids
from portal.permissions import has_role, role_required
from portal.roles import MANAGERS, STAFF

COHORTS_PER_PAGE = 25
PAST_MEETINGS_PER_PAGE = 20


def _cohort(request, pk):
    return get_object_or_404(
        request.organisation.cohorts.select_related("programme", "organisation"), pk=pk
    )


def _group(request, pk):
    return get_object_or_404(
        PeerGroup.objects.filter(organisation=request.organisation).select_related(
            "cohort__programme", "organisation"
        ),
        pk=pk,
    )


def _is_manager(request) -> bool:
    return bool(has_role(request.membership, MANAGERS))


@role_required(*STAFF)
def group_list(request, org_slug):
    cohorts = selectors_groups.cohorts_with_groups(organisation=request.organisation)
    page = Paginator(cohorts, COHORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "activities/groups/group_list.html", {"page": page})


@role_required(*STAFF)
def cohort_groups(request, org_slug, cohort_pk):
    cohort = _cohort(request, cohort_pk)
    groups = selectors_groups.groups_of_cohort(cohort=cohort)
    ungrouped = list(selectors_groups.ungrouped_companies(cohort=cohort)[:50])
    member_total = sum(len(g.members.all()) for g in groups)
    return render(
        request,
        "activities/groups/cohort_groups.html",
        {
            "cohort": cohort,
            "groups": groups,
            "member_total": member_total,
            "ungrouped": ungrouped,
            "can_manage": _is_manager(request),
            "band": peer_groups.size_band,
        },
    )


@role_required(*MANAGERS)
def groups_form(request, org_slug, cohort_pk):
    """GET ?size=N previews the groups; POST confirms and saves them (replacing existing
    groups needs the box ticked)."""
    cohort = _cohort(request, cohort_pk)
    has_groups = PeerGroup.objects.filter(organisation=request.organisation, cohort=cohort).exists()
    plan = None
    error = None
    confirm = None
    if request.method == "POST":
        confirm = ConfirmGroupsForm(request.POST, has_groups=has_groups)
        size_form = GroupSizeForm(request.POST)
        if confirm.is_valid():
            try:
                groups = peer_groups.groups_form(
                    cohort=cohort,
                    size=confirm.cleaned_data["size"],
                    signature=confirm.cleaned_data["signature"],
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(
                    request, f"{len(groups)} peer group{'s' if len(groups) != 1 else ''} formed."
                )
                return redirect("activities:cohort-groups", org_slug=org_slug, cohort_pk=cohort.pk)
    else:
        size_form = GroupSizeForm(request.GET if "size" in request.GET else None)
    if size_form.is_bound and size_form.is_valid():
        try:
            plan = peer_groups.groups_preview(cohort=cohort, size=size_form.cleaned_data["size"])
        except peer_groups.GroupingImpossible as exc:
            error = error or str(exc)
        else:
            if confirm is None or not confirm.errors:
                confirm = ConfirmGroupsForm(
                    initial={
                        "size": size_form.cleaned_data["size"],
                        "signature": peer_groups.plan_signature(plan),
                    },
                    has_groups=has_groups,
                )
    preview = None
    if plan:
        ids = [c.id for group in plan for c in group]
        companies = Company.objects.in_bulk(ids)
        preview = [[companies[c.id] for c in group] for group in plan]
    return render(
        request,
        "activities/groups/groups_form.html",
        {
            "cohort": cohort,
            "size_form": size_form,
            "confirm": confirm,
            "preview": preview,
            "error": error,
            "has_groups": has_groups,
            "band": peer_groups.size_band,
            "company_count": Enrolment.objects.filter(
                organisation=request.organisation, cohort=cohort, status=Enrolment.Status.ACTIVE
            ).count(),
        },
        status=400
        if (request.method == "POST" and (error or (confirm and confirm.errors)))
        else 200,
    )


def competitors_form(request, *, cohort, company, others) -> tuple[CompetitorsForm, bool]:
    """`company`'s competitor checkboxes among `others` (staff and SME pages alike); a
    valid POST is saved. Returns the form and whether it was saved."""
    current = list(
        CompetitorDeclaration.objects.filter(cohort=cohort, company=company).values_list(
            "competitor_id", flat=True
        )
    )
    form = CompetitorsForm(request.POST or None, companies=others, initial={"competitors": current})
    if request.method == "POST" and form.is_valid():
        try:
            peer_groups.competitors_set(
                cohort=cohort,
                company=company,
                competitors=form.cleaned_data["competitors"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return form, True
    return form, False


@role_required(*MANAGERS)
def cohort_competitors(request, org_slug, cohort_pk):
    """Competitor declarations of a cohort; a manager records them for one company at a
    time (?company=ID)."""
    cohort = _cohort(request, cohort_pk)
    taking_part = Company.objects.filter(enrolments__cohort=cohort).order_by("name", "pk")
    company = None
    form = None
    chosen = parse_ids([request.GET.get("company") or request.POST.get("company")])
    if chosen:
        company = get_object_or_404(taking_part, pk=chosen[0])
        form, saved = competitors_form(
            request, cohort=cohort, company=company, others=taking_part.exclude(pk=company.pk)
        )
        if saved:
            messages.success(request, f"Competitors of {company.name} saved.")
            return redirect("activities:cohort-competitors", org_slug=org_slug, cohort_pk=cohort.pk)
    return render(
        request,
        "activities/groups/competitors.html",
        {
            "cohort": cohort,
            "companies": list(taking_part[:500]),
            "company": company,
            "form": form,
            "declarations": selectors_groups.competitor_pairs_named(cohort=cohort),
        },
        status=400 if form is not None and form.errors else 200,
    )


@role_required(*STAFF)
def group_detail(request, org_slug, pk):
    group = _group(request, pk)
    members, upcoming, past = selectors_groups.group_with_meetings(group=group)
    page = Paginator(past, PAST_MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/groups/group_detail.html",
        {
            "group": group,
            "cohort": group.cohort,
            "members": members,
            "upcoming": upcoming,
            "page": page,
            "can_manage": _is_manager(request),
        },
    )


def _run(request, action, success: str) -> None:
    """Run a service and flash its refusal or `success`."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


@role_required(*MANAGERS)
@require_POST
def group_move(request, org_slug, pk):
    """Move a company out of group `pk` into another group of the same cohort."""
    group = _group(request, pk)
    members = PeerGroupMember.objects.filter(
        organisation=request.organisation, group=group
    ).select_related("company", "group")
    groups = PeerGroup.objects.filter(
        organisation=request.organisation, cohort=group.cohort
    ).exclude(pk=group.pk)
    form = GroupMoveForm(request.POST, members=members, groups=groups)
    if form.is_valid():
        member = members.get(pk=form.cleaned_data["member"])
        target = groups.get(pk=form.cleaned_data["to_group"])
        _run(
            request,
            lambda: peer_groups.group_move(member=member, to_group=target),
            f"{member.company.name} moved to {target.name}.",
        )
    else:
        messages.error(request, "Choose a company and the group to move it to.")
    return redirect("activities:cohort-groups", org_slug=org_slug, cohort_pk=group.cohort_id)


@role_required(*MANAGERS)
@require_POST
def group_add(request, org_slug, cohort_pk):
    """Put a company that is in no group of the cohort (it joined after the groups were
    formed) into one of them."""
    cohort = _cohort(request, cohort_pk)
    companies = selectors_groups.ungrouped_companies(cohort=cohort)
    groups = PeerGroup.objects.filter(organisation=request.organisation, cohort=cohort)
    form = GroupAddForm(request.POST, companies=companies, groups=groups)
    if form.is_valid():
        company = companies.get(pk=form.cleaned_data["company"])
        group = groups.get(pk=form.cleaned_data["group"])
        _run(
            request,
            lambda: peer_groups.group_add(group=group, company=company),
            f"{company.name} added to {group.name}.",
        )
    else:
        messages.error(request, "Choose a company in no group and the group to add it to.")
    return redirect("activities:cohort-groups", org_slug=org_slug, cohort_pk=cohort.pk)


@role_required(*STAFF)
def group_meeting_add(request, org_slug, pk):
    group = _group(request, pk)
    companies = Company.objects.filter(peer_group_memberships__group=group).order_by("name")
    form = MeetingForm(
        request.POST or None,
        companies=companies,
        time_zone_name=request.organisation.time_zone,
    )
    if request.method == "POST" and form.is_valid():
        try:
            peer_groups.meeting_add(group=group, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Meeting of {group.name} recorded.")
            return redirect("activities:group-detail", org_slug=org_slug, pk=group.pk)
    return render(
        request,
        "activities/groups/meeting_form.html",
        {"group": group, "cohort": group.cohort, "form": form},
        status=400 if form.errors else 200,
    )
