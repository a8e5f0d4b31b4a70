"""Reads about programmes, shared by staff pages, the public directory and reports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from portal.taxonomy import Region, Sector, TurnoverBand
from programmes.models import TURNOVER_ORDER, Programme


@dataclass(frozen=True)
class CompanyFacts:
    """What eligibility is judged on: the company profile as it stands (or as snapshotted
    when an application was submitted)."""

    sector: str
    region: str
    employees: int
    turnover_band: str
    years_trading: int

    @classmethod
    def of(cls, company) -> CompanyFacts:
        return cls(
            sector=company.sector,
            region=company.region,
            employees=company.employees,
            turnover_band=company.turnover_band,
            years_trading=company.years_trading,
        )


def eligibility_reasons(programme: Programme, facts: CompanyFacts) -> list[str]:
    """Why a company is not eligible for a programme, in words for the applicant. An empty
    list means eligible."""
    reasons = []
    if programme.sectors and facts.sector not in programme.sectors:
        reasons.append(
            f"The programme is for companies in {_join(programme.sector_labels())}; "
            f"your profile says {Sector(facts.sector).label}."
        )
    if programme.regions and facts.region not in programme.regions:
        reasons.append(
            f"The programme is open to companies based in {_join(programme.region_labels())}; "
            f"your profile says {Region(facts.region).label}."
        )
    if programme.min_employees is not None and facts.employees < programme.min_employees:
        reasons.append(
            f"The programme needs at least {programme.min_employees} employees; "
            f"your profile says {facts.employees}."
        )
    if programme.max_employees is not None and facts.employees > programme.max_employees:
        reasons.append(
            f"The programme is for companies with at most {programme.max_employees} employees; "
            f"your profile says {facts.employees}."
        )
    band = TURNOVER_ORDER.get(facts.turnover_band)
    if programme.min_turnover_band and band < TURNOVER_ORDER[programme.min_turnover_band]:
        reasons.append(
            f"The programme needs a turnover of at least "
            f"{TurnoverBand(programme.min_turnover_band).label}; "
            f"your profile says {TurnoverBand(facts.turnover_band).label}."
        )
    if programme.max_turnover_band and band > TURNOVER_ORDER[programme.max_turnover_band]:
        reasons.append(
            f"The programme is for companies with a turnover up to "
            f"{TurnoverBand(programme.max_turnover_band).label}; "
            f"your profile says {TurnoverBand(facts.turnover_band).label}."
        )
    if (
        programme.min_years_trading is not None
        and facts.years_trading < programme.min_years_trading
    ):
        reasons.append(
            f"The programme needs at least {programme.min_years_trading} years of trading; "
            f"your company has traded for {facts.years_trading}."
        )
    if (
        programme.max_years_trading is not None
        and facts.years_trading > programme.max_years_trading
    ):
        reasons.append(
            f"The programme is for companies trading for at most "
            f"{programme.max_years_trading} years; yours has traded for {facts.years_trading}."
        )
    return reasons


def eligibility_summary(programme: Programme) -> list[str]:
    """The rules in plain words, shown before an SME starts an application."""
    rules = []
    if programme.sectors:
        rules.append(f"Sectors: {_join(programme.sector_labels())}")
    if programme.regions:
        rules.append(f"Based in: {_join(programme.region_labels())}")
    if programme.min_employees is not None or programme.max_employees is not None:
        rules.append("Employees: " + _range(programme.min_employees, programme.max_employees))
    if programme.min_turnover_band or programme.max_turnover_band:
        low = (
            TurnoverBand(programme.min_turnover_band).label if programme.min_turnover_band else None
        )
        high = (
            TurnoverBand(programme.max_turnover_band).label if programme.max_turnover_band else None
        )
        rules.append("Turnover: " + _range(low, high))
    if programme.min_years_trading is not None or programme.max_years_trading is not None:
        rules.append(
            "Years trading: " + _range(programme.min_years_trading, programme.max_years_trading)
        )
    return rules or ["Open to every company"]


def programmes_for_list(*, organisation):
    """Programmes of an organisation with their headline counts, in one query (a subquery
    per count, so the counts do not multiply each other)."""
    from cohorts.models import Application, Cohort, Enrolment
    from cohorts.selectors import TAKING_PART, count_of

    return (
        Programme.objects.filter(organisation=organisation)
        .annotate(
            cohort_count=count_of(
                Cohort.objects.filter(organisation=organisation), outer="programme"
            ),
            application_count=count_of(
                Application.objects.filter(organisation=organisation).exclude(status="draft"),
                outer="cohort__programme",
            ),
            enrolled_count=count_of(
                Enrolment.objects.filter(organisation=organisation, status__in=TAKING_PART),
                outer="cohort__programme",
            ),
        )
        .order_by("-start_date", "name")
    )


def programme_headlines(*, programme: Programme) -> dict:
    """Headline figures of a programme page, aggregated in SQL."""
    from cohorts.models import Application, Enrolment

    applications = Application.objects.filter(cohort__programme=programme).exclude(status="draft")
    enrolments = Enrolment.objects.filter(cohort__programme=programme)
    return {
        "cohorts": programme.cohorts.count(),
        "applications": applications.count(),
        "companies_enrolled": enrolments.exclude(status="withdrawn")
        .values("company_id")
        .distinct()
        .count(),
        "funding": programme.grants.aggregate(total=Sum("amount"))["total"] or 0,
    }


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _range(low, high) -> str:
    if low is not None and low != "" and high is not None and high != "":
        return f"{low} to {high}"
    if low is not None and low != "":
        return f"at least {low}"
    return f"up to {high}"
