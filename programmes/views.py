"""Staff pages of programmes, funders, grants and outcome targets, under /<org-slug>/.
Views translate between HTTP and services; rules live in the models and services, reads
in the selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render

from cohorts.selectors import cohorts_with_counts
from portal.confirm import confirm_action
from portal.fields import add_service_errors
from portal.permissions import role_required
from portal.roles import MANAGERS
from programmes import selectors, services
from programmes.forms import FunderForm, GrantForm, ProgrammeForm, TargetsForm
from programmes.models import Funder, Grant, Programme

PROGRAMME_SORTS = {
    "newest": ("-start_date", "name"),
    "oldest": ("start_date", "name"),
    "name": ("name",),
}


# --- Programmes -----------------------------------------------------------------------------


@role_required(*MANAGERS)
def programme_list(request, org_slug):
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    sort = request.GET.get("sort", "newest")
    if sort not in PROGRAMME_SORTS:
        sort = "newest"
    programmes = selectors.programmes_for_list(organisation=request.organisation)
    if q:
        programmes = programmes.filter(name__icontains=q)
    programmes = programmes.order_by(*PROGRAMME_SORTS[sort])
    page = Paginator(programmes, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/programme_list.html",
        {"page": page, "q": q, "sort": sort, "sorts": PROGRAMME_SORTS},
    )


@role_required(*MANAGERS)
def programme_create(request, org_slug):
    return _programme_form(request, Programme(organisation=request.organisation))


@role_required(*MANAGERS)
def programme_edit(request, org_slug, pk):
    programme = get_object_or_404(request.organisation.programmes, pk=pk)
    return _programme_form(request, programme)


def _programme_form(request, programme: Programme):
    creating = programme.pk is None
    form = ProgrammeForm(
        request.POST or None, instance=programme, organisation=request.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_save(
                programme=form.save(commit=False),
                delivery_partners=form.cleaned_data["delivery_partners"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"Programme “{programme.name}” {'created' if creating else 'saved'}."
            )
            return redirect(programme.get_absolute_url())
    return render(
        request,
        "programmes/programme_form.html",
        {"form": form, "programme": programme, "creating": creating},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def programme_detail(request, org_slug, pk):
    programme = get_object_or_404(
        request.organisation.programmes.prefetch_related("delivery_partners"), pk=pk
    )
    grants = programme.grants.select_related("funder").order_by("start_date", "pk")
    cohorts = cohorts_with_counts(organisation=request.organisation, programme=programme).order_by(
        "-number"
    )
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "eligibility": selectors.eligibility_summary(programme),
            "grants": grants,
            "targets": programme.targets.all(),
            "partners": programme.delivery_partners.all(),
            "headlines": selectors.programme_headlines(programme=programme),
            "cohorts": cohorts,
        },
    )


# --- Grants ---------------------------------------------------------------------------------


@role_required(*MANAGERS)
def grant_create(request, org_slug, pk):
    programme = get_object_or_404(request.organisation.programmes, pk=pk)
    grant = Grant(organisation=request.organisation, programme=programme)
    form = GrantForm(request.POST or None, instance=grant, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_save(grant=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Grant of £{grant.amount:,.0f} from {grant.funder} added.")
            return redirect(programme.get_absolute_url())
    return render(
        request,
        "programmes/grant_form.html",
        {
            "form": form,
            "programme": programme,
            "has_funders": form.fields["funder"].queryset.exists(),
        },
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def grant_delete(request, org_slug, pk, grant_pk):
    programme = get_object_or_404(request.organisation.programmes, pk=pk)
    grant = get_object_or_404(
        request.organisation.grants.select_related("funder"), pk=grant_pk, programme=programme
    )
    return confirm_action(
        request,
        template="programmes/grant_delete.html",
        context={"programme": programme, "grant": grant},
        action=lambda: services.grant_delete(grant=grant),
        success=f"The grant of £{grant.amount:,.0f} from {grant.funder} was removed.",
        next_url=programme.get_absolute_url(),
    )


# --- Outcome targets ------------------------------------------------------------------------


@role_required(*MANAGERS)
def targets(request, org_slug, pk):
    programme = get_object_or_404(request.organisation.programmes, pk=pk)
    form = TargetsForm(
        request.POST or None, initial=TargetsForm.initial_from(programme.targets.all())
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.targets_set(programme=programme, targets=form.targets())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Outcome targets saved.")
            return redirect(programme.get_absolute_url())
    return render(
        request,
        "programmes/targets.html",
        {"form": form, "programme": programme},
        status=400 if form.errors else 200,
    )


# --- Funders --------------------------------------------------------------------------------


@role_required(*MANAGERS)
def funder_list(request, org_slug):
    organisation = request.organisation
    form = FunderForm(
        request.POST or None,
        instance=Funder(organisation=organisation),
        organisation=organisation,
        with_users=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            funder = services.funder_save(funder=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Funder “{funder.name}” added.")
            return redirect("programmes:funder-list", org_slug=organisation.slug)
    funders = organisation.funders.annotate(
        programme_count=Count("grants__programme", distinct=True),
        total_granted=Sum("grants__amount"),
    ).order_by("name")
    page = Paginator(funders, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/funder_list.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def funder_edit(request, org_slug, pk):
    funder = get_object_or_404(request.organisation.funders, pk=pk)
    saved_name = funder.name
    form = FunderForm(request.POST or None, instance=funder, organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            funder = services.funder_save(
                funder=form.save(commit=False), users=form.cleaned_data["users"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Funder “{funder.name}” saved.")
            return redirect("programmes:funder-list", org_slug=request.organisation.slug)
    grants = funder.grants.select_related("programme").order_by("start_date", "pk")
    return render(
        request,
        "programmes/funder_form.html",
        {"form": form, "funder": funder, "saved_name": saved_name, "grants": grants},
        status=400 if form.errors else 200,
    )
