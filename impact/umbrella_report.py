"""The umbrella report as one context, for the page, the CSV/XLSX and the PDF, so the three
state the same figures: an umbrella organisation's programmes and those of the partners that
agreed to share theirs (impact/sharing.py decides which), a company taking part in two of
them counted once by its registration number, with a breakdown per organisation.

- `umbrella_context(umbrella, responded_from=, responded_to=)` gathers every figure.
- `umbrella_tables`, `render_pdf`, `render_file` turn it into a file; `umbrella_filename`
  names it.

The programmes and the combined figures come from `sharing.umbrella_report` (which decides
which partners count); the one further cross-tenant read here is the breakdown per
organisation, explicit (`scopes_disabled()`), over those programmes only and returning
counts. The files hold nothing more than the
page shows."""

from __future__ import annotations

import datetime
from dataclasses import replace

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from cohorts.models import Enrolment
from impact import reports as impact_reports
from impact import sharing
from impact.headlines import headlines
from impact.selectors import Metrics, Scope, responses_in_scope
from portal.models import Organisation
from portal.pdf import html_to_pdf, logo_data_uri
from portal.tenancy import scopes_disabled
from programmes.models import Programme

FORMATS = ("csv", "xlsx", "pdf")

# How the umbrella figures are counted, in the words a funder reads. The shares and
# intervals are those of every impact report (impact/selectors.py).
METHOD_NOTES = [
    "The figures cover the programmes of the organisation issuing this report and of the "
    "partner organisations that have agreed to share their aggregate impact figures with it. "
    "A partner that withdraws its agreement, or stops being a partner, leaves the report at "
    "once; partners that have not agreed are not included.",
    "A company that took part in more than one of these programmes, with one organisation or "
    "with several, is counted once: companies are matched by their registration number (a "
    "company without one counts once as itself). Its outcomes are read from its latest "
    "answer across the programmes.",
    "Companies are those enrolled in the programmes' cohorts; companies that withdrew are "
    "left out. Respondents are the companies that submitted a follow-up survey; the response "
    "rate is respondents over companies.",
    "Each share is of the companies that answered that question, and names that number. The "
    "range beside each share is a 95% confidence interval (the Wilson score interval): small "
    "numbers of answers give wide ranges.",
    "In the breakdown per organisation, a company is counted once within each organisation "
    "it took part with, so a company that took part with two organisations appears in both "
    "rows and once in the total: the rows can add up to more than the total.",
    "Only aggregate figures cross between organisations: no company, person or individual "
    "answer of a partner is shared.",
]
PERIOD_NOTE = (
    "A period limits the answers counted to those given within it; the companies, and so the "
    "response rate's denominator, are all those enrolled."
)


def _date(value) -> datetime.date | None:
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def _distinct_companies_by_organisation(queryset) -> dict[int, int]:
    """Companies per organisation, a registration number counting once within each
    organisation (a company without one counts as itself), in one grouped query: the
    definition of selectors._distinct_companies for a deduplicated scope."""
    numbered = ~Q(company__registration_number="")
    rows = (
        queryset.values("organisation_id")
        .annotate(
            numbered=Count("company__registration_number", distinct=True, filter=numbered),
            unnumbered=Count("company_id", distinct=True, filter=~numbered),
        )
        .order_by()
    )
    return {row["organisation_id"]: row["numbered"] + row["unnumbered"] for row in rows}


def organisation_breakdown(
    organisations: list[tuple[Organisation, list[Programme]]], scope: Scope, umbrella
) -> list[dict]:
    """Per organisation: its programmes, companies, respondents and response rate, in two
    grouped queries whatever the number of partners. Aggregates only."""
    companies: dict[int, int] = {}
    respondents: dict[int, int] = {}
    if scope.programmes:
        # Counts over the included programmes of several organisations, filtered by their
        # ids; nothing but the numbers leaves the database.
        with scopes_disabled():
            companies = _distinct_companies_by_organisation(
                Enrolment.objects.exclude(status=Enrolment.Status.WITHDRAWN).filter(
                    cohort__programme_id__in=scope.programmes
                )
            )
            # One response per company and cohort (withdrawn companies left out, the period
            # applied), as every report counts respondents; then once per registration
            # number within each organisation.
            respondents = _distinct_companies_by_organisation(
                responses_in_scope(replace(scope, dedupe_by_registration=False))
            )
    rows = []
    for organisation, programmes in organisations:
        total = companies.get(organisation.pk, 0)
        answered = respondents.get(organisation.pk, 0)
        rows.append(
            {
                "organisation": organisation,
                "is_umbrella": organisation.pk == umbrella.pk,
                "programmes": len(programmes),
                "companies": total,
                "respondents": answered,
                "response_rate_percent": impact_reports.percent(answered / total)
                if total
                else None,
            }
        )
    return rows


def totals_rows(metrics: Metrics) -> list[dict]:
    """The sums and medians behind the headline sentences, each with its basis."""
    jobs = metrics.share("jobs_created")
    deals = metrics.share("new_deals")
    funding = metrics.share("further_funding")
    return [
        {
            "label": "Jobs created",
            "money": False,
            "total": metrics.totals["jobs_created"],
            "median": metrics.medians["jobs_created"],
            "basis": f"from the {jobs.denominator} companies that answered",
        },
        {
            "label": "Value of new deals (£)",
            "money": True,
            "total": metrics.totals["deals_value"],
            "median": metrics.medians["deals_value"],
            "basis": f"from the {deals.count} companies that signed deals",
        },
        {
            "label": "Further funding raised (£)",
            "money": True,
            "total": metrics.totals["funding_amount"],
            "median": metrics.medians["funding_amount"],
            "basis": f"from the {funding.count} companies that secured funding",
        },
    ]


def umbrella_context(umbrella: Organisation, *, responded_from=None, responded_to=None) -> dict:
    """Every figure of the umbrella report, for the page and the files. A fixed number of
    queries whatever the number of partners, programmes and answers."""
    report = sharing.umbrella_report(
        umbrella, responded_from=_date(responded_from), responded_to=_date(responded_to)
    )
    organisations, scope, metrics = report.organisations, report.scope, report.metrics
    partners = report.partners
    programme_ids = report.programme_ids
    filters_described = impact_reports.describe_filters(scope)
    method_notes = list(METHOD_NOTES)
    if filters_described:
        method_notes += [PERIOD_NOTE, f"This report covers: {'; '.join(filters_described)}."]
    return {
        "organisation": umbrella,
        "organisations": organisations,
        "partners": partners,
        "programme_count": len(programme_ids),
        "partner_count": len(partners),
        "scope": scope,
        "filters_described": filters_described,
        "metrics": metrics,
        "headlines": headlines(metrics) if metrics else [],
        "outcome_rows": impact_reports.outcome_rows(metrics, None, {}) if metrics else [],
        "totals": totals_rows(metrics) if metrics else [],
        "response_rate_percent": impact_reports.percent(metrics.response_rate) if metrics else None,
        "breakdown": organisation_breakdown(organisations, scope, umbrella),
        "method_notes": method_notes,
        "accent": umbrella.accent_colour or "#0b5394",
        "issued_on": timezone.localdate(),
    }


# --- Files --------------------------------------------------------------------------------


def umbrella_tables(context: dict) -> list[impact_reports.Table]:
    """The figures as tables for CSV and XLSX: summary with the headline sentences,
    outcomes, totals, the breakdown per organisation, the programmes and the method notes."""
    Table = impact_reports.Table
    metrics = context["metrics"]
    summary = [
        ["Organisation", context["organisation"].name, ""],
        [
            "Partner organisations sharing",
            context["partner_count"],
            ", ".join(p.name for p in context["partners"]),
        ],
        ["Programmes", context["programme_count"], ""],
        ["Filters", "; ".join(context["filters_described"]) or "None", ""],
        ["Issued on", context["issued_on"], ""],
    ]
    if metrics:
        summary += [
            ["Companies", metrics.companies, "enrolled, each counted once"],
            ["Respondents", metrics.respondents, "companies that answered"],
            [
                "Response rate (%)",
                context["response_rate_percent"],
                f"{metrics.respondents} of {metrics.companies} companies",
            ],
        ]
    summary += [["Headline", sentence, ""] for sentence in context["headlines"]]
    outcomes = [
        [
            row["label"],
            row["percent"],
            row["count"],
            row["denominator"],
            row["low_percent"],
            row["high_percent"],
        ]
        for row in context["outcome_rows"]
    ]
    totals = [[t["label"], t["total"], t["median"], t["basis"]] for t in context["totals"]]
    breakdown = [
        [
            row["organisation"].name,
            "Issuing organisation" if row["is_umbrella"] else "Partner, sharing",
            row["programmes"],
            row["companies"],
            row["respondents"],
            row["response_rate_percent"],
        ]
        for row in context["breakdown"]
    ]
    if metrics:
        breakdown.append(
            [
                "All organisations, each company once",
                "",
                context["programme_count"],
                metrics.companies,
                metrics.respondents,
                context["response_rate_percent"],
            ]
        )
    programmes = [
        [organisation.name, programme.name]
        for organisation, programmes in context["organisations"]
        for programme in programmes
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
            ],
            outcomes,
        ),
        Table("Totals", ["Figure", "Total", "Median", "Basis"], totals),
        Table(
            "Organisations",
            [
                "Organisation",
                "Taking part as",
                "Programmes",
                "Companies",
                "Respondents",
                "Response rate (%)",
            ],
            breakdown,
        ),
        Table("Programmes", ["Organisation", "Programme"], programmes),
        Table("Method notes", ["Note"], [[note] for note in context["method_notes"]]),
    ]


def render_html(context: dict) -> str:
    """The report as the standalone HTML page the PDF is made from."""
    return render_to_string(
        "impact/umbrella/report.html",
        {**context, "logo": logo_data_uri(context["organisation"])},
    )


def render_file(context: dict, fmt: str) -> bytes:
    if fmt == "pdf":
        return html_to_pdf(render_html(context))
    if fmt == "csv":
        return impact_reports.write_csv(umbrella_tables(context))
    if fmt == "xlsx":
        return impact_reports.write_xlsx(umbrella_tables(context))
    raise ValueError(f"Unknown umbrella report format: {fmt}")


def umbrella_filename(organisation: Organisation, fmt: str, day: datetime.date | None = None):
    """For example `capital-trade-umbrella-impact-2026-05-01.pdf`."""
    day = day or timezone.localdate()
    return f"{organisation.slug}-umbrella-impact-{day.isoformat()}.{fmt}"
