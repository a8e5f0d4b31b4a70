"""Funder reports: one context, built from impact.selectors, feeds the dashboard page, the
PDF (WeasyPrint), the CSV/XLSX and the `impact_report` command, so they state the same
figures in the same words.

- `scope_for(programme, filters)` turns saved or submitted filters into a Scope.
- `report_context(scope, ...)` gathers every figure, sentence and chart of a report.
- `render_pdf`, `render_html`, `write_csv`, `write_xlsx` turn a context into a file.
- `report_request` records a FunderReport and enqueues its rendering;
  `report_render(report_id=)` (the Celery task's body) renders and keeps the file, so a
  re-download returns the bytes issued that day.
"""

from __future__ import annotations

import base64
import csv
import datetime
import io
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Min
from django.template.loader import render_to_string
from django.utils import timezone

from cohorts.exports import safe_text
from cohorts.models import Cohort, Enrolment
from impact import charts
from impact.framework import OUTCOMES
from impact.headlines import headlines
from impact.models import CaseNote, FunderReport, SurveyResponse
from impact.selectors import (
    OUTCOME_ANSWERED,
    OUTCOME_CONDITIONS,
    Metrics,
    Scope,
    Share,
    cohort_trend,
    outcome_metrics,
    response_rates_by_round,
    responses_in_scope,
    submitted_responses,
    wilson_interval,
)
from portal.pdf import html_to_pdf, logo_data_uri
from portal.taxonomy import Sector
from programmes.models import OutcomeKey, Programme

OUTCOME_LABELS = {o.key: OutcomeKey(o.key).label for o in OUTCOMES}

# The definitions of impact/selectors.py, in the words a funder reads in the method notes.
METHOD_NOTES = [
    "Companies are those enrolled in the cohorts covered by this report; companies that "
    "withdrew are left out.",
    "Respondents are the companies that submitted a follow-up survey. The questions ask "
    "what happened since the company joined, so each company is counted once, from its "
    "latest answer in each cohort.",
    "Each share is of the companies that answered that question, and names that number. "
    "The response rate is respondents over companies.",
    "The range beside each share is a 95% confidence interval (the Wilson score "
    "interval): had other companies of the same programme answered, the share would most "
    "likely lie in that range. Small numbers of answers give wide ranges.",
    "Growth in export sales compares a company's export sales in its latest answer with "
    "the figure it gave when it joined; turnover growth compares the total turnover of the "
    "companies that gave both figures.",
    "The comparison group is applicants that were not selected and agreed to answer the "
    "same questions; their figures are counted apart and never mixed with the "
    "participants'.",
    "Where a report covers several partner organisations, a company that took part in more "
    "than one programme is counted once, matched by its registration number.",
]

SPREADSHEET_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


def percent(value) -> int | None:
    """A proportion as a whole percentage, rounded as Share.percent rounds."""
    return None if value is None else round(value * 100)


# --- Filters ------------------------------------------------------------------------------


def _date(value) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def clean_filters(filters: dict | None) -> dict:
    """Filters as stored on a FunderReport: JSON-safe values, empty ones dropped."""
    filters = filters or {}
    cleaned = {}
    if filters.get("cohort"):
        cohort = filters["cohort"]
        cleaned["cohort"] = cohort.pk if isinstance(cohort, Cohort) else int(cohort)
    if filters.get("mission"):
        cleaned["mission"] = int(getattr(filters["mission"], "pk", filters["mission"]))
    if filters.get("sector") in Sector.values:
        cleaned["sector"] = filters["sector"]
    for key in ("responded_from", "responded_to"):
        day = _date(filters.get(key))
        if day:
            cleaned[key] = day.isoformat()
    return cleaned


def scope_for(programme: Programme, filters: dict | None = None) -> Scope:
    filters = clean_filters(filters)
    return Scope(
        programmes=(programme.pk,),
        cohorts=(filters["cohort"],) if filters.get("cohort") else (),
        missions=(filters["mission"],) if filters.get("mission") else (),
        sector=filters.get("sector", ""),
        responded_from=_date(filters.get("responded_from")),
        responded_to=_date(filters.get("responded_to")),
    )


def describe_filters(scope: Scope, cohort: Cohort | None = None) -> list[str]:
    """The filters in words, for the page, the cover and the method notes."""
    words = []
    if cohort is not None:
        words.append(f"Cohort {cohort.number}" + (f" ({cohort.name})" if cohort.name else ""))
    if scope.missions:
        from activities.models import TradeMission

        for title in TradeMission.objects.filter(pk__in=scope.missions).values_list(
            "title", flat=True
        ):
            words.append(f"Selected delegates of the trade mission “{title}”")
    if scope.sector:
        words.append(f"Sector: {Sector(scope.sector).label}")
    if scope.responded_from and scope.responded_to:
        words.append(
            f"Answers given {scope.responded_from:%-d %b %Y} to {scope.responded_to:%-d %b %Y}"
        )
    elif scope.responded_from:
        words.append(f"Answers given from {scope.responded_from:%-d %b %Y}")
    elif scope.responded_to:
        words.append(f"Answers given until {scope.responded_to:%-d %b %Y}")
    return words


# --- The report's figures -----------------------------------------------------------------


def outcome_rows(metrics: Metrics, comparison: Metrics | None, targets: dict) -> list[dict]:
    """One row per standard outcome: share, count of denominator, interval, target and the
    comparison group's share beside it."""
    rows = []
    for share in metrics.shares:
        other = comparison.share(share.key) if comparison else None
        rows.append(
            {
                "key": share.key,
                "label": OUTCOME_LABELS[share.key],
                "verb": share.verb,
                "share": share.share,
                "percent": share.percent,
                "count": share.count,
                "denominator": share.denominator,
                "low": share.low,
                "high": share.high,
                "low_percent": percent(share.low),
                "high_percent": percent(share.high),
                "target": targets.get(share.key),
                "met_target": (
                    share.percent >= targets[share.key]
                    if share.percent is not None and share.key in targets
                    else None
                ),
                "comparison_share": other.share if other else None,
                "comparison_percent": other.percent if other else None,
                "comparison_count": other.count if other else None,
                "comparison_denominator": other.denominator if other else None,
            }
        )
    return rows


def _totals(metrics: Metrics) -> list[dict]:
    jobs = metrics.share("jobs_created")
    deals = metrics.share("new_deals")
    funding = metrics.share("further_funding")
    return [
        {
            "key": "jobs_created",
            "label": "Jobs created",
            "money": False,
            "total": metrics.totals["jobs_created"],
            "median": metrics.medians["jobs_created"],
            "answered": jobs.denominator,
            "basis": f"from the {jobs.denominator} companies that answered",
        },
        {
            "key": "deals_value",
            "label": "Value of new deals (£)",
            "money": True,
            "total": metrics.totals["deals_value"],
            "median": metrics.medians["deals_value"],
            "answered": deals.count,
            "basis": f"from the {deals.count} companies that signed deals",
        },
        {
            "key": "funding_amount",
            "label": "Further funding raised (£)",
            "money": True,
            "total": metrics.totals["funding_amount"],
            "median": metrics.medians["funding_amount"],
            "answered": funding.count,
            "basis": f"from the {funding.count} companies that secured funding",
        },
        {
            "key": "export_sales",
            "label": "Export sales this year (£)",
            "money": True,
            "total": metrics.totals["export_sales"],
            "median": None,
            "answered": None,
            "basis": "from the companies that answered",
        },
    ]


def _turnover_growth(scope: Scope, metrics: Metrics) -> dict | None:
    growth = metrics.growth.get("turnover")
    if growth is None:
        return None
    companies = (
        responses_in_scope(scope)
        .filter(turnover__isnull=False, baseline_turnover__isnull=False)
        .count()
    )
    return {"ratio": growth, "percent": percent(growth), "companies": companies}


def report_context(
    scope: Scope,
    *,
    programme: Programme,
    cohort: Cohort | None = None,
    with_charts: bool = True,
    with_case_notes: bool = True,
    progress=None,
) -> dict:
    """Every figure, sentence and chart of a programme's report, for the page, the PDF, the
    CSV/XLSX and the command. A fixed number of queries whatever the number of responses.
    `progress(percent)` is called as sections are done."""

    def step(value: int) -> None:
        if progress is not None:
            progress(value)

    organisation = programme.organisation
    metrics = outcome_metrics(scope)
    step(20)
    comparison = outcome_metrics(scope, comparison=True)
    if not comparison.respondents:
        comparison = None
    step(30)
    targets = {t.outcome: t.target_percent for t in programme.targets.all()}
    rows = outcome_rows(metrics, comparison, targets)
    trend = cohort_trend(scope)
    for row in trend:
        row["percents"] = [percent(row["shares"][o.key]) for o in OUTCOMES]
    rates = response_rates_by_round(scope)
    for row in rates:
        row["percent"] = percent(row["rate"])
    span = responses_in_scope(scope).aggregate(first=Min("responded_on"), last=Max("responded_on"))
    step(45)
    context = {
        "programme": programme,
        "organisation": organisation,
        "cohort": cohort,
        "scope": scope,
        "filters_described": describe_filters(scope, cohort),
        "metrics": metrics,
        "response_rate_percent": percent(metrics.response_rate),
        "comparison": comparison,
        "comparison_rate_percent": percent(comparison.response_rate) if comparison else None,
        "headlines": headlines(metrics),
        "outcome_rows": rows,
        "outcome_labels": [OUTCOME_LABELS[o.key] for o in OUTCOMES],
        "totals": _totals(metrics),
        "growth": _turnover_growth(scope, metrics),
        "trend": trend,
        "response_rates": rates,
        "first_answer": span["first"],
        "last_answer": span["last"],
        "method_notes": METHOD_NOTES,
        "accent": organisation.accent_colour or "#0b5394",
        "issued_on": timezone.localdate(),
        "charts": {},
        "case_notes": [],
    }
    if with_case_notes:
        context["case_notes"] = list(
            CaseNote.objects.filter(programme=programme, include_in_report=True).order_by(
                "created_at", "pk"
            )
        )
    if with_charts:
        context["charts"] = {
            "shares": charts.shares_chart(rows, accent=context["accent"], prefix="chart-shares"),
            "trend": charts.trend_chart(
                trend,
                [(o.key, OUTCOME_LABELS[o.key]) for o in OUTCOMES],
                prefix="chart-trend",
            ),
        }
    step(60)
    return context


# --- Overview of several programmes -----------------------------------------------------

OVERVIEW_OUTCOMES = ("jobs_created", "new_deals", "new_markets")


def programme_summaries(programme_ids: list[int]) -> dict[int, dict]:
    """Per programme: companies, respondents, response rate and the first headline shares,
    in two grouped queries for all programmes at once. The same definitions as
    outcome_metrics (responses_in_scope and its outcome conditions)."""
    if not programme_ids:
        return {}
    aggregates = {"respondents": Count("pk")}
    for key in OVERVIEW_OUTCOMES:
        aggregates[f"yes_{key}"] = Count("pk", filter=OUTCOME_CONDITIONS[key])
        aggregates[f"n_{key}"] = Count("pk", filter=OUTCOME_ANSWERED[key])
    answered = {
        row["programme_id"]: row
        for row in responses_in_scope(Scope(programmes=tuple(programme_ids)))
        .values("programme_id")
        .annotate(**aggregates)
        .order_by()
    }
    companies = dict(
        Enrolment.objects.exclude(status=Enrolment.Status.WITHDRAWN)
        .filter(cohort__programme_id__in=programme_ids)
        .values("cohort__programme_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("cohort__programme_id", "n")
    )
    verbs = {o.key: o.verb for o in OUTCOMES}
    summaries = {}
    for pk in programme_ids:
        row = answered.get(pk, {})
        respondents = row.get("respondents", 0)
        shares = []
        for key in OVERVIEW_OUTCOMES:
            count, n = row.get(f"yes_{key}", 0), row.get(f"n_{key}", 0)
            interval = wilson_interval(count, n)
            shares.append(
                Share(
                    key=key,
                    verb=verbs[key],
                    count=count,
                    denominator=n,
                    share=(count / n) if n else None,
                    low=interval[0] if interval else None,
                    high=interval[1] if interval else None,
                )
            )
        total = companies.get(pk, 0)
        summaries[pk] = {
            "companies": total,
            "respondents": respondents,
            "response_rate_percent": percent(respondents / total) if total else None,
            "shares": [s for s in shares if s.share is not None],
        }
    return summaries


# --- Tables for CSV and XLSX --------------------------------------------------------------


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list]


def figures_tables(context: dict) -> list[Table]:
    """The report's figures as tables: summary with the headline sentences, outcomes,
    totals and medians, cohort trend, response rates by round."""
    metrics = context["metrics"]
    comparison = context["comparison"]
    summary = [
        ["Programme", context["programme"].name, ""],
        ["Filters", "; ".join(context["filters_described"]) or "None", ""],
        ["Issued on", context["issued_on"], ""],
        ["Companies", metrics.companies, "enrolled in the cohorts covered"],
        ["Respondents", metrics.respondents, "companies that answered"],
        [
            "Response rate (%)",
            context["response_rate_percent"],
            f"{metrics.respondents} of {metrics.companies} companies",
        ],
    ]
    if comparison:
        summary.append(
            [
                "Comparison group respondents",
                comparison.respondents,
                f"of {comparison.companies} surveyed",
            ]
        )
    if context["growth"]:
        summary.append(
            [
                "Turnover growth against baseline (%)",
                context["growth"]["percent"],
                f"across the {context['growth']['companies']} companies that gave both figures",
            ]
        )
    for sentence in context["headlines"]:
        summary.append(["Headline", sentence, ""])
    outcomes = [
        [
            row["label"],
            row["percent"],
            row["count"],
            row["denominator"],
            row["low_percent"],
            row["high_percent"],
            row["target"],
            row["comparison_percent"],
            row["comparison_count"],
            row["comparison_denominator"],
        ]
        for row in context["outcome_rows"]
    ]
    totals = [[t["label"], t["total"], t["median"], t["basis"]] for t in context["totals"]]
    trend = [[row["label"], row["respondents"], *row["percents"]] for row in context["trend"]]
    rates = [
        [r["round"], r["months"], r["invited"], r["answered"], r["pending"], r["percent"]]
        for r in context["response_rates"]
    ]
    return [
        Table("Summary", ["Measure", "Value", "Of"], summary),
        Table(
            "Outcomes",
            [
                "Outcome",
                "Share (%)",
                "Companies reporting",
                "Companies that answered",
                "95% interval low (%)",
                "95% interval high (%)",
                "Target (%)",
                "Comparison share (%)",
                "Comparison reporting",
                "Comparison answered",
            ],
            outcomes,
        ),
        Table("Totals", ["Figure", "Total", "Median", "Basis"], totals),
        Table(
            "Cohort trend",
            ["Cohort", "Respondents", *(f"{label} (%)" for label in context["outcome_labels"])],
            trend,
        ),
        Table(
            "Response rates",
            ["Round", "Months after anchor", "Invited", "Answered", "Not yet sent", "Rate (%)"],
            rates,
        ),
    ]


RESPONSE_COLUMNS = [
    ("Jobs created", "jobs_created"),
    ("New deals", "new_deals"),
    ("Number of deals", "deals_count"),
    ("Deals value (£)", "deals_value"),
    ("New markets", "new_markets"),
    ("Markets entered", "markets_entered"),
    ("Further funding", "further_funding"),
    ("Funding amount (£)", "funding_amount"),
    ("Funding type", "funding_type"),
    ("New offices", "new_offices"),
    ("Offices where", "offices_where"),
    ("Turnover (£)", "turnover"),
    ("Profit (£)", "profit"),
    ("Export sales (£)", "export_sales"),
    ("Attribution", "attribution"),
]
_CHOICE_LABELS = {
    "funding_type": dict(SurveyResponse._meta.get_field("funding_type").choices),
    "attribution": dict(SurveyResponse._meta.get_field("attribution").choices),
}


def _cell(value, key: str = ""):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key in _CHOICE_LABELS:
        return _CHOICE_LABELS[key].get(value, value)
    return value


def responses_table(scope: Scope) -> Table:
    """The anonymised responses: no company name or registration number. A respondent
    number, sequential within this file, stands for the company (the same number on each
    of its rounds); `Counted in figures` marks the latest answer that the figures use."""
    counted = set(responses_in_scope(scope).values_list("pk", flat=True)) | set(
        responses_in_scope(scope, comparison=True).values_list("pk", flat=True)
    )
    columns = [c for _, c in RESPONSE_COLUMNS]
    rows_data = (
        submitted_responses(scope)
        .order_by("is_comparison", "cohort__number", "round_months", "pk")
        .values(
            "pk",
            "company_id",
            "is_comparison",
            "cohort__number",
            "round_months",
            "company__sector",
            *columns,
        )
    )
    numbers: dict[int, int] = {}
    sectors = dict(Sector.choices)
    rows = []
    for data in rows_data:
        number = numbers.setdefault(data["company_id"], len(numbers) + 1)
        rows.append(
            [
                number,
                "Comparison group" if data["is_comparison"] else "Participant",
                data["cohort__number"],
                data["round_months"],
                sectors.get(data["company__sector"], data["company__sector"]),
                "Yes" if data["pk"] in counted else "No",
                *(_cell(data[c], c) for c in columns),
            ]
        )
    header = [
        "Respondent",
        "Group",
        "Cohort",
        "Round (months)",
        "Sector",
        "Counted in figures",
        *(label for label, _ in RESPONSE_COLUMNS),
    ]
    return Table("Responses", header, rows)


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def write_csv(tables: list[Table]) -> bytes:
    """Sections one after another, each a title line, a header and its rows, a blank line
    between (one table alone is written plainly, header first); UTF-8 with a BOM so Excel
    reads the pound signs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        if len(tables) > 1:
            writer.writerow([table.title])
        writer.writerow(table.header)
        for row in table.rows:
            writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table: bold frozen header, columns sized to their content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31])
        sheet.append(table.header)
        widths = [len(h) for h in table.header]
        for row in table.rows:
            values = []
            for value in row:
                if isinstance(value, str):
                    value = safe_text(value)
                elif isinstance(value, Decimal):
                    value = float(value) if value != value.to_integral() else int(value)
                values.append(value)
            sheet.append(values)
            for i, value in enumerate(values):
                if i < len(widths):
                    widths[i] = max(widths[i], min(len(str(value or "")), 80))
        for cell in sheet[1]:
            cell.font = bold
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, 60)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_tables(context: dict) -> list[Table]:
    """The figures, and the anonymised individual answers for the programme team only:
    respondents are told that only the programme team sees individual answers."""
    tables = figures_tables(context)
    if context.get("include_responses", True):
        tables.append(responses_table(context["scope"]))
    return tables


# --- HTML and PDF -------------------------------------------------------------------------


def render_html(context: dict) -> str:
    """The report as a standalone HTML page (print CSS included), as the PDF shows it."""
    return render_to_string(
        "impact/report/report.html",
        {**context, "logo": logo_data_uri(context["organisation"])},
    )


def render_pdf(context: dict) -> bytes:
    # The charts go in as data: images, drawn by WeasyPrint's SVG renderer (inline <svg>
    # works too, but its HTML parser then warns about every SVG style property).
    images = {
        name: "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode()
        for name, svg in context.get("charts", {}).items()
    }
    return html_to_pdf(render_html({**context, "chart_images": images}))


def render_file(context: dict, fmt: str) -> bytes:
    if fmt == "pdf":
        return render_pdf(context)
    if fmt == "html":
        return render_html(context).encode("utf-8")
    if fmt == "csv":
        return write_csv(report_tables(context))
    if fmt == "xlsx":
        return write_xlsx(report_tables(context))
    raise ValueError(f"Unknown report format: {fmt}")


def issued_on(report: FunderReport) -> datetime.date:
    """The day a report was issued, in its organisation's time zone."""
    zone = zoneinfo.ZoneInfo(report.programme.organisation.time_zone)
    return timezone.localdate(report.requested_at, timezone=zone)


def report_filename(programme: Programme, fmt: str, day: datetime.date | None = None) -> str:
    """For example `ibp-impact-report-2026-05-01.pdf`."""
    day = day or timezone.localdate()
    return f"{programme.slug}-impact-report-{day.isoformat()}.{fmt}"


# --- Issued reports -----------------------------------------------------------------------


def report_request(
    *, organisation, programme: Programme, user, fmt: str, filters: dict | None = None
) -> FunderReport:
    """Record a report and have it rendered once the row is committed (at once without a
    broker: tasks then run in-process)."""
    from impact.tasks import render_report

    filters = clean_filters(filters)
    cohort = None
    if filters.get("cohort"):
        cohort = programme.cohorts.filter(pk=filters["cohort"]).first()
        if cohort is None:
            filters.pop("cohort")
    report = FunderReport.objects.create(
        organisation=organisation,
        programme=programme,
        cohort=cohort,
        format=fmt,
        filters=filters,
        requested_by=user,
    )
    # robust: a failed in-process render has already marked the report failed; the
    # request that asked for it still answers with the status page.
    transaction.on_commit(
        lambda: render_report.delay(report.pk, organisation_id=organisation.pk), robust=True
    )
    return report


def report_render(*, report_id: int) -> None:
    """Render an issued report and keep its file. Progress is saved as sections are done;
    a report already rendered is left as it is (a retried task must not change the bytes a
    funder downloaded). On an error the report is marked failed and the error re-raised, so
    the task's retry and backoff apply."""
    report = FunderReport.objects.select_related(
        "programme", "programme__organisation", "cohort"
    ).get(pk=report_id)
    if report.status == FunderReport.Status.DONE and report.file:
        return

    def progress(value: int) -> None:
        report.progress = value
        report.save(update_fields=["progress"])

    report.status = FunderReport.Status.RENDERING
    report.progress = 5
    report.error = ""
    report.save(update_fields=["status", "progress", "error"])
    try:
        scope = scope_for(report.programme, report.filters)
        context = report_context(
            scope,
            programme=report.programme,
            cohort=report.cohort,
            with_charts=report.format == FunderReport.Format.PDF,
            progress=progress,
        )
        context["issued_on"] = issued_on(report)
        context["include_responses"] = _requested_by_programme_team(report)
        content = render_file(context, report.format)
        progress(90)
        name = report_filename(report.programme, report.format, context["issued_on"])
        report.file.save(name, ContentFile(content), save=False)
        report.status = FunderReport.Status.DONE
        report.progress = 100
        report.finished_at = timezone.now()
        report.save(update_fields=["file", "status", "progress", "finished_at"])
    except Exception as exc:
        report.status = FunderReport.Status.FAILED
        report.error = f"{type(exc).__name__}: {exc}"[:2000]
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "error", "finished_at"])
        raise


def _requested_by_programme_team(report: FunderReport) -> bool:
    from portal.models import Membership
    from portal.roles import MANAGERS

    return Membership.objects.filter(
        organisation_id=report.organisation_id, user_id=report.requested_by_id, role__in=MANAGERS
    ).exists()


def report_counts_query(programme: Programme):
    """Issued reports of a programme, newest first, for the list page."""
    return programme.reports.select_related("requested_by", "cohort").order_by(
        "-requested_at", "-pk"
    )
