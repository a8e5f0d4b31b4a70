"""Staff pages of export consortia under /<org-slug>/: the list, create and edit (consortium
and members saved together by activities.consortia.consortium_save), the plan document,
milestones, and the suggestion helper that proposes consortia from a cohort."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from activities import consortia, selectors_groups
from activities.forms_consortia import ConsortiumForm, MilestoneForm
from activities.models import ExportConsortium
from portal.downloads import attachment
from portal.fields import add_service_errors, parse_ids
from portal.permissions import has_role, role_required
from portal.roles import MANAGERS, STAFF

PER_PAGE = 25


def _consortium(request, pk):
    return get_object_or_404(
        ExportConsortium.objects.filter(organisation=request.organisation).select_related(
            "programme", "cohort", "organisation"
        ),
        pk=pk,
    )


@role_required(*STAFF)
def consortium_list(request, org_slug):
    consortia_page = Paginator(
        selectors_groups.consortia_with_counts(organisation=request.organisation), PER_PAGE
    ).get_page(request.GET.get("page"))
    cohorts = (
        request.organisation.cohorts.filter(status__in=["selecting", "running", "completed"])
        .select_related("programme")
        .order_by("-start_date")[:50]
    )
    return render(
        request,
        "activities/consortia/consortium_list.html",
        {
            "page": consortia_page,
            "cohorts": cohorts,
            "can_manage": bool(has_role(request.membership, MANAGERS)),
        },
    )


def _suggested_initial(request) -> dict:
    """Initial values from a suggestion: ?cohort=ID&market=Name."""
    ids = parse_ids([request.GET.get("cohort")])
    if not ids:
        return {}
    cohort = get_object_or_404(request.organisation.cohorts.select_related("programme"), pk=ids[0])
    market = consortia.normalise_market(request.GET.get("market", ""))
    suggestion = next(
        (s for s in selectors_groups.consortium_suggestions(cohort=cohort) if s.market == market),
        None,
    )
    initial = {"programme": cohort.programme_id, "cohort": cohort.pk}
    if suggestion is not None:
        initial.update(
            {
                "name": f"{market} export consortium",
                "markets": market,
                "members": [c.pk for c in suggestion.companies],
                "lead": suggestion.exporters[0].pk,
            }
        )
    return initial


def _form_page(request, *, consortium=None):
    creating = consortium is None
    instance = consortium or ExportConsortium(organisation=request.organisation)
    form = ConsortiumForm(
        request.POST or None,
        request.FILES or None,
        instance=instance,
        organisation=request.organisation,
        initial=_suggested_initial(request) if creating and request.method == "GET" else None,
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.organisation = request.organisation
        saved.target_markets = form.cleaned_data["markets"]
        try:
            saved = consortia.consortium_save(
                consortium=saved,
                members=form.cleaned_data["members"],
                lead=form.cleaned_data["lead"],
                plan_document=form.cleaned_data.get("plan_file") or None,
            )
        except ValidationError as exc:
            if creating:
                saved.pk = None  # the transaction rolled back: nothing was saved
            form.add_error(None, exc)  # the form puts each message by its field
        else:
            messages.success(request, f"{saved.name} {'created' if creating else 'saved'}.")
            return redirect(
                "activities:consortium-detail", org_slug=request.organisation.slug, pk=saved.pk
            )
    return render(
        request,
        "activities/consortia/consortium_form.html",
        {"form": form, "consortium": consortium},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def consortium_create(request, org_slug):
    return _form_page(request)


@role_required(*MANAGERS)
def consortium_edit(request, org_slug, pk):
    return _form_page(request, consortium=_consortium(request, pk))


@role_required(*STAFF)
def consortium_detail(request, org_slug, pk):
    consortium = _consortium(request, pk)
    members = selectors_groups.consortium_members(consortium)
    return render(
        request,
        "activities/consortia/consortium_detail.html",
        {
            "consortium": consortium,
            "members": members,
            "milestones": list(consortium.milestones.all()),
            "milestone_form": MilestoneForm(),
            "can_manage": bool(has_role(request.membership, MANAGERS)),
        },
    )


@role_required(*STAFF)
def consortium_plan(request, org_slug, pk):
    consortium = _consortium(request, pk)
    if not consortium.plan_document:
        messages.info(request, "No plan document has been uploaded yet.")
        return redirect("activities:consortium-detail", org_slug=org_slug, pk=pk)
    return plan_download(consortium)


def plan_download(consortium):
    """The consortium's plan document as a download (staff and members alike)."""
    return attachment(
        consortium.plan_document,
        filename=consortium.plan_document.name.rsplit("/", 1)[-1],
        content_type=consortia.plan_content_type(consortium),
    )


@role_required(*MANAGERS)
def milestone_add(request, org_slug, pk):
    consortium = _consortium(request, pk)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consortia.milestone_add(consortium=consortium, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Milestone added.")
            return redirect("activities:consortium-detail", org_slug=org_slug, pk=pk)
    return render(
        request,
        "activities/consortia/milestone_form.html",
        {"consortium": consortium, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
@require_POST
def milestone_done(request, org_slug, pk, milestone_pk):
    consortium = _consortium(request, pk)
    milestone = get_object_or_404(consortium.milestones, pk=milestone_pk)
    done = request.POST.get("done", "1") != "0"
    consortia.milestone_done(milestone=milestone, done=done)
    messages.success(request, f"“{milestone.title}” {'marked done' if done else 'reopened'}.")
    return redirect("activities:consortium-detail", org_slug=org_slug, pk=pk)


@role_required(*STAFF)
def consortium_suggest(request, org_slug):
    cohorts = request.organisation.cohorts.select_related("programme").order_by(
        "programme__name", "number"
    )
    ids = parse_ids([request.GET.get("cohort")])
    cohort = get_object_or_404(cohorts, pk=ids[0]) if ids else None
    suggestions = selectors_groups.consortium_suggestions(cohort=cohort) if cohort else []
    return render(
        request,
        "activities/consortia/suggest.html",
        {
            "cohorts": cohorts,
            "cohort": cohort,
            "suggestions": suggestions,
            "can_manage": bool(has_role(request.membership, MANAGERS)),
        },
    )
