"""The SME's peer-group, competitor and consortium pages under /my/. Records are found only
through the user's own companies (the SME front door crosses tenants on purpose; the company
filter is the fence); writes then run inside the owning organisation's scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from activities import peer_groups, selectors_groups
from activities.models import PeerGroupMember
from activities.views_consortia import plan_download
from activities.views_groups import competitors_form
from cohorts import selectors as cohort_selectors
from cohorts.models import Cohort, Company, Enrolment
from portal.fields import parse_ids
from portal.tenancy import scopes_disabled, tenant_scope


@login_required
def group_detail(request, pk):
    group = selectors_groups.my_group(user=request.user, pk=pk)
    if group is None:
        raise Http404
    with tenant_scope(group.organisation):
        members, upcoming, past = selectors_groups.group_with_meetings(group=group)
        past = list(past[:10])
    mine = set(cohort_selectors.companies_of_user(user=request.user).values_list("pk", flat=True))
    return render(
        request,
        "activities/my/groups/group_detail.html",
        {
            "group": group,
            "members": members,
            "next_meeting": upcoming[0] if upcoming else None,
            "upcoming": upcoming[1:],
            "past": past,
            "mine": mine,
            "band": peer_groups.size_band,
        },
    )


@login_required
def competitors(request, cohort_pk):
    """Declare which other companies of the cohort compete with yours, so peer groups keep
    you apart. Only companies of yours enrolled in the cohort may declare."""
    with scopes_disabled():
        # Cross-tenant read fenced by the user's own companies.
        enrolled = list(
            cohort_selectors.companies_of_user(user=request.user).filter(
                enrolments__cohort_id=cohort_pk,
                enrolments__status=Enrolment.Status.ACTIVE,
            )
        )
        if not enrolled:
            raise Http404
        cohort = Cohort.objects.select_related("programme", "organisation").get(pk=cohort_pk)
    chosen = parse_ids([request.POST.get("company") or request.GET.get("company")])
    company = next((c for c in enrolled if chosen and c.pk == chosen[0]), enrolled[0])
    with tenant_scope(cohort.organisation):
        others = (
            Company.objects.filter(
                enrolments__cohort=cohort, enrolments__status=Enrolment.Status.ACTIVE
            )
            .exclude(pk=company.pk)
            .order_by("name", "pk")
        )
        form, saved = competitors_form(request, cohort=cohort, company=company, others=others)
        if saved:
            messages.success(
                request,
                f"Saved. Peer groups of {cohort} will keep {company.name} apart from "
                "the companies you ticked.",
            )
            return redirect(f"{request.path}?company={company.pk}")
        grouped = PeerGroupMember.objects.filter(cohort=cohort, company=company).first()
        return render(
            request,
            "activities/my/groups/competitors.html",
            {
                "cohort": cohort,
                "company": company,
                "companies": enrolled,
                "form": form,
                "group": grouped.group if grouped else None,
            },
            status=400 if form.errors else 200,
        )


@login_required
def consortium_detail(request, pk):
    consortium = selectors_groups.my_consortium(user=request.user, pk=pk)
    if consortium is None:
        raise Http404
    with tenant_scope(consortium.organisation):
        members = selectors_groups.consortium_members(consortium)
        milestones = list(consortium.milestones.all())
    mine = set(cohort_selectors.companies_of_user(user=request.user).values_list("pk", flat=True))
    return render(
        request,
        "activities/my/consortia/consortium_detail.html",
        {
            "consortium": consortium,
            "members": members,
            "milestones": milestones,
            "mine": mine,
        },
    )


@login_required
def consortium_plan(request, pk):
    """The joint plan, for the people of the consortium's member companies only."""
    consortium = selectors_groups.my_consortium(user=request.user, pk=pk)
    if consortium is None or not consortium.plan_document:
        raise Http404
    return plan_download(consortium)
