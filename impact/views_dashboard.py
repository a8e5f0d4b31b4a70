"""Impact dashboards, case notes and funder reports, under /<org-slug>/impact/.

Managers see every programme of their organisation; funders only the programmes their
funder funds, read-only. The page, the PDF and the CSV read one context
(impact.reports.report_context), so they state the same figures."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from impact import reports as impact_reports
from impact.forms_dashboard import CaseNoteForm, DashboardFilterForm, ReportRequestForm
from impact.headlines import headlines
from impact.models import FunderReport
from impact.permissions import (
    IMPACT_READERS,
    can_manage_surveys,
    can_view_funder,
    can_view_programme,
    funded_programme_ids,
)
from impact.selectors import Scope, outcome_metrics
from portal.confirm import confirm_action
from portal.downloads import attachment
from portal.permissions import role_required
from portal.roles import MANAGERS, Role

PROGRAMMES_PER_PAGE = 20
CASE_NOTES_PER_PAGE = 20
REPORTS_PER_PAGE = 25


def _programme(request, pk):
    """The programme, looked up through the tenant (404 otherwise), if this member may see
    its impact (403 with the reason otherwise)."""
    programme = get_object_or_404(
        request.organisation.programmes.select_related("organisation"), pk=pk
    )
    permission = can_view_programme(request.membership, programme)
    if not permission:
        raise PermissionDenied(permission.reason)
    return programme


def _visible_programmes(request):
    programmes = request.organisation.programmes.order_by("-start_date", "name")
    if request.membership.role in MANAGERS:
        return programmes
    return programmes.filter(pk__in=funded_programme_ids(request.membership))


def _filters(request, programme):
    form = DashboardFilterForm(request.GET or None, programme=programme)
    if form.is_bound:
        form.is_valid()
    return form


@role_required(*IMPACT_READERS)
def overview(request, org_slug):
    page = Paginator(_visible_programmes(request), PROGRAMMES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    summaries = impact_reports.programme_summaries([p.pk for p in page])
    rows = [{"programme": p, **summaries[p.pk]} for p in page]
    return render(
        request,
        "impact/dashboard/overview.html",
        {
            "page": page,
            "rows": rows,
            "is_manager": request.membership.role in MANAGERS,
            "is_admin": request.membership.role == Role.ADMIN,
            "funders": _visible_funders(request),
        },
    )


def _visible_funders(request):
    funders = request.organisation.funders.order_by("name")
    if request.membership.role in MANAGERS:
        return list(funders)
    return list(funders.filter(users=request.user))


@role_required(*IMPACT_READERS)
def funder_dashboard(request, org_slug, pk):
    """Everything one funder funds, together: a company in two of its programmes counts
    once (matched by registration number)."""
    funder = get_object_or_404(request.organisation.funders, pk=pk)
    permission = can_view_funder(request.membership, funder)
    if not permission:
        raise PermissionDenied(permission.reason)
    programmes = list(
        request.organisation.programmes.filter(grants__funder=funder).distinct().order_by("name")
    )
    scope = Scope(programmes=tuple(p.pk for p in programmes), dedupe_by_registration=True)
    metrics = outcome_metrics(scope) if programmes else None
    return render(
        request,
        "impact/dashboard/funder.html",
        {
            "funder": funder,
            "programmes": programmes,
            "metrics": metrics,
            "headlines": headlines(metrics) if metrics else [],
            "outcome_rows": impact_reports.outcome_rows(metrics, None, {}) if metrics else [],
            "response_rate_percent": impact_reports.percent(metrics.response_rate)
            if metrics
            else None,
        },
    )


@role_required(*IMPACT_READERS)
def programme_dashboard(request, org_slug, pk):
    programme = _programme(request, pk)
    form = _filters(request, programme)
    filters = form.filters()
    scope = impact_reports.scope_for(programme, filters)
    context = impact_reports.report_context(
        scope, programme=programme, cohort=form.selected_cohort(), with_case_notes=False
    )
    query = request.GET.urlencode() if filters else ""
    return render(
        request,
        "impact/dashboard/programme.html",
        {
            **context,
            "form": form,
            "filters": filters,
            "query": query,
            "can_manage": bool(can_manage_surveys(request.membership)),
        },
        status=400 if form.errors else 200,
    )


# --- Case notes -----------------------------------------------------------------------------


@role_required(*MANAGERS)
def case_notes(request, org_slug, pk):
    programme = _programme(request, pk)
    form = CaseNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.save(commit=False)
        note.organisation = request.organisation
        note.programme = programme
        note.created_by = request.user
        note.save()
        messages.success(request, f"Case note “{note.title}” added.")
        return redirect("impact:case-notes", org_slug=org_slug, pk=programme.pk)
    notes = programme.case_notes.select_related("created_by").order_by("-created_at", "-pk")
    page = Paginator(notes, CASE_NOTES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "impact/dashboard/case_notes.html",
        {"programme": programme, "form": form, "page": page},
        status=400 if form.errors else 200,
    )


def _case_note(request, pk):
    note = get_object_or_404(
        request.organisation.casenotes.select_related("programme", "programme__organisation"),
        pk=pk,
    )
    permission = can_view_programme(request.membership, note.programme)
    if not permission:
        raise PermissionDenied(permission.reason)
    return note


@role_required(*MANAGERS)
def case_note_edit(request, org_slug, pk):
    note = _case_note(request, pk)
    form = CaseNoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Case note “{note.title}” saved.")
        return redirect("impact:case-notes", org_slug=org_slug, pk=note.programme_id)
    return render(
        request,
        "impact/dashboard/case_note_form.html",
        {"programme": note.programme, "note": note, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def case_note_delete(request, org_slug, pk):
    note = _case_note(request, pk)
    return confirm_action(
        request,
        template="impact/dashboard/case_note_delete.html",
        context={"programme": note.programme, "note": note},
        action=note.delete,
        success=f"Case note “{note.title}” deleted.",
        next_url=reverse(
            "impact:case-notes", kwargs={"org_slug": org_slug, "pk": note.programme_id}
        ),
    )


# --- Funder reports -------------------------------------------------------------------------


@role_required(*IMPACT_READERS)
def reports(request, org_slug, pk):
    programme = _programme(request, pk)
    if request.method == "POST":
        form = ReportRequestForm(request.POST, programme=programme)
        if form.is_valid():
            report = impact_reports.report_request(
                organisation=request.organisation,
                programme=programme,
                user=request.user,
                fmt=form.cleaned_data["format"],
                filters=form.filters(),
            )
            messages.success(request, f"Your {report.get_format_display()} report is on its way.")
            return redirect("impact:report-status", org_slug=org_slug, pk=report.pk)
    else:
        # The dashboard's filters carry over into the request form.
        filters = _filters(request, programme).filters()
        form = ReportRequestForm(
            programme=programme, initial={**filters, "format": FunderReport.Format.PDF}
        )
    page = Paginator(impact_reports.report_counts_query(programme), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "impact/dashboard/reports.html",
        {"programme": programme, "form": form, "page": page},
        status=400 if form.errors else 200,
    )


def _report(request, pk):
    report = get_object_or_404(
        request.organisation.funderreports.select_related(
            "programme", "programme__organisation", "requested_by", "cohort"
        ),
        pk=pk,
    )
    permission = can_view_programme(request.membership, report.programme)
    if not permission:
        raise PermissionDenied(permission.reason)
    return report


@role_required(*IMPACT_READERS)
def report_status(request, org_slug, pk):
    report = _report(request, pk)
    context = {
        "report": report,
        "programme": report.programme,
        "can_manage": bool(can_manage_surveys(request.membership)),
        "pending": report.status in (FunderReport.Status.QUEUED, FunderReport.Status.RENDERING),
        "filters_described": impact_reports.describe_filters(
            impact_reports.scope_for(report.programme, report.filters), report.cohort
        ),
    }
    if request.headers.get("HX-Request"):
        return render(request, "impact/dashboard/_report_progress.html", context)
    return render(request, "impact/dashboard/report_status.html", context)


@role_required(*IMPACT_READERS)
def report_download(request, org_slug, pk):
    report = _report(request, pk)
    if report.status != FunderReport.Status.DONE or not report.file:
        raise Http404("This report is not ready.")
    return attachment(
        report.file,
        filename=impact_reports.report_filename(
            report.programme, report.format, impact_reports.issued_on(report)
        ),
        content_type=impact_reports.SPREADSHEET_TYPES[report.format],
    )


@role_required(*MANAGERS)
def responses_export(request, org_slug, pk, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Exports are CSV or XLSX.")
    programme = _programme(request, pk)
    filters = _filters(request, programme).filters()
    table = impact_reports.responses_table(impact_reports.scope_for(programme, filters))
    if fmt == "csv":
        content = impact_reports.write_csv([table])
    else:
        content = impact_reports.write_xlsx([table])
    response = HttpResponse(content, content_type=impact_reports.SPREADSHEET_TYPES[fmt])
    today = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{programme.slug}-responses-{today}.{fmt}"'
    )
    return response
