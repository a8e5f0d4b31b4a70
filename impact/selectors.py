"""Impact figures, computed in the database. The dashboard, the PDF, the CSV/XLSX and the
`impact_report` command all read them from here, so they never disagree.

Definitions (stated in every report's method notes):
- A company's outcome is read from its latest submitted response in each cohort (the
  questions ask "since joining", so later answers include earlier ones).
- Companies: those enrolled in the cohorts in scope (withdrawn ones excluded); for the
  comparison group, the not-selected applicants who were surveyed.
- Respondents: companies with a submitted response. Shares are of respondents, with a 95%
  Wilson interval; the response rate is respondents over companies.
- Umbrella reports across partner organisations count a company once, matched by its
  registration number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from cohorts.models import Enrolment
from impact.framework import OUTCOMES
from impact.models import SurveyInvitation, SurveyResponse

Z_95 = 1.959963984540054

# The condition under which a response reports each outcome.
OUTCOME_CONDITIONS = {
    "jobs_created": Q(jobs_created__gt=0),
    "new_deals": Q(new_deals=True),
    "new_markets": Q(new_markets=True),
    "further_funding": Q(further_funding=True),
    "new_offices": Q(new_offices=True),
    "export_growth": Q(export_sales__gt=F("baseline_export_sales")),
}
# The responses that answered each outcome's question (its denominator when stated apart).
OUTCOME_ANSWERED = {
    "jobs_created": Q(jobs_created__isnull=False),
    "new_deals": Q(new_deals__isnull=False),
    "new_markets": Q(new_markets__isnull=False),
    "further_funding": Q(further_funding__isnull=False),
    "new_offices": Q(new_offices__isnull=False),
    "export_growth": Q(export_sales__isnull=False, baseline_export_sales__isnull=False),
}


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion, as (low, high) in 0..1; None for n = 0."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # Clamp to the share itself too: at 0 and 1 floating point can land a hair outside.
    return min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))


@dataclass(frozen=True)
class Share:
    key: str
    verb: str
    count: int
    denominator: int  # respondents who answered the question
    share: float | None
    low: float | None
    high: float | None

    @property
    def percent(self) -> int | None:
        if self.share is None:
            return None
        # Half up, as people round (Python's round() goes to even: 12.5 would show 12).
        return int(Decimal(str(self.share * 100)).quantize(Decimal("1"), ROUND_HALF_UP))


@dataclass
class Metrics:
    companies: int
    respondents: int
    shares: list[Share]
    totals: dict[str, Decimal | int]
    medians: dict[str, Decimal | int | None]
    growth: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        return self.respondents / self.companies if self.companies else None

    def share(self, key: str) -> Share:
        return next(s for s in self.shares if s.key == key)


@dataclass(frozen=True)
class Scope:
    """What a report covers. `programmes` and `organisations` are lists of ids."""

    programmes: tuple[int, ...] = ()
    cohorts: tuple[int, ...] = ()
    # Trade missions: only their selected delegates count.
    missions: tuple[int, ...] = ()
    sector: str = ""
    responded_from: object = None  # date
    responded_to: object = None  # date
    round_months: int | None = None
    dedupe_by_registration: bool = False


def submitted_responses(scope: Scope) -> QuerySet[SurveyResponse]:
    """Every submitted response in scope (all rounds, both groups), before one is chosen
    per company: the rows behind the anonymised-responses export."""
    responses = SurveyResponse.objects.filter(submitted_at__isnull=False)
    if scope.programmes:
        responses = responses.filter(programme_id__in=scope.programmes)
    if scope.cohorts:
        responses = responses.filter(cohort_id__in=scope.cohorts)
    if scope.missions:
        responses = responses.filter(company_id__in=mission_delegates(scope))
    if scope.sector:
        responses = responses.filter(company__sector=scope.sector)
    if scope.responded_from:
        responses = responses.filter(responded_on__gte=scope.responded_from)
    if scope.responded_to:
        responses = responses.filter(responded_on__lte=scope.responded_to)
    if scope.round_months is not None:
        responses = responses.filter(round_months=scope.round_months)
    return responses


def responses_in_scope(scope: Scope, *, comparison: bool = False) -> QuerySet[SurveyResponse]:
    """Submitted responses in scope, one per company: its latest in each cohort (or, for an
    umbrella report, its latest across programmes by registration number)."""
    responses = submitted_responses(scope).filter(is_comparison=comparison)
    if not comparison:
        # A participant that left its cohort is out of the figures, as it is out of the
        # company count (the response rate's denominator).
        left = Enrolment.objects.filter(
            cohort_id=OuterRef("cohort_id"),
            company_id=OuterRef("company_id"),
            status=Enrolment.Status.WITHDRAWN,
        )
        responses = responses.exclude(Exists(left))
    # A later response of the same company (same cohort, or any cohort in scope when
    # deduplicating by registration number) supersedes this one.
    later = responses.filter(
        Q(round_months__gt=OuterRef("round_months"))
        | Q(round_months=OuterRef("round_months"), pk__gt=OuterRef("pk"))
    )
    if scope.dedupe_by_registration:
        # The same registration number is the same company; without one, only the same
        # company row is.
        same_number = Q(company__registration_number=OuterRef("company__registration_number")) & ~Q(
            company__registration_number=""
        )
        later = later.filter(same_number | Q(company_id=OuterRef("company_id")))
    else:
        later = later.filter(cohort_id=OuterRef("cohort_id"), company_id=OuterRef("company_id"))
    # The company's baseline in the response's cohort, by a join (through its enrolment
    # there) rather than a subquery: a subquery would be repeated, and run per row, in every
    # aggregate that reads it.
    return responses.annotate(
        superseded=Exists(later),
        cohort_enrolment=FilteredRelation(
            "company__enrolments",
            condition=Q(company__enrolments__cohort_id=F("cohort_id")),
        ),
        baseline_turnover=F("cohort_enrolment__baseline__turnover"),
        baseline_export_sales=F("cohort_enrolment__baseline__export_sales"),
    ).filter(superseded=False)


def companies_in_scope(scope: Scope, *, comparison: bool = False) -> int:
    """The denominator of the response rate."""
    if comparison:
        invited = SurveyInvitation.objects.filter(is_comparison=True, sent_at__isnull=False)
        if scope.programmes:
            invited = invited.filter(schedule__programme_id__in=scope.programmes)
        if scope.cohorts:
            invited = invited.filter(cohort_id__in=scope.cohorts)
        if scope.sector:
            invited = invited.filter(company__sector=scope.sector)
        return _distinct_companies(invited, scope)
    enrolments = Enrolment.objects.exclude(status=Enrolment.Status.WITHDRAWN)
    if scope.programmes:
        enrolments = enrolments.filter(cohort__programme_id__in=scope.programmes)
    if scope.cohorts:
        enrolments = enrolments.filter(cohort_id__in=scope.cohorts)
    if scope.missions:
        enrolments = enrolments.filter(company_id__in=mission_delegates(scope))
    if scope.sector:
        enrolments = enrolments.filter(company__sector=scope.sector)
    return _distinct_companies(enrolments, scope)


def mission_delegates(scope: Scope):
    """The companies selected for the trade missions in scope, as a subquery."""
    from activities.models import MissionDelegate

    return MissionDelegate.objects.filter(
        mission_id__in=scope.missions, status=MissionDelegate.Status.SELECTED
    ).values("company_id")


def _distinct_companies(queryset, scope: Scope) -> int:
    if scope.dedupe_by_registration:
        # Companies without a registration number cannot be matched: each counts once.
        with_number = queryset.exclude(company__registration_number="")
        return (
            with_number.values("company__registration_number").distinct().count()
            + queryset.filter(company__registration_number="").values("company").distinct().count()
        )
    return queryset.values("cohort_id", "company_id").distinct().count()


def outcome_metrics(scope: Scope, *, comparison: bool = False) -> Metrics:
    """Every figure of a report for one scope, in a handful of queries."""
    responses = responses_in_scope(scope, comparison=comparison)
    aggregates = {"respondents": Count("pk")}
    for outcome in OUTCOMES:
        aggregates[f"yes_{outcome.key}"] = Count("pk", filter=OUTCOME_CONDITIONS[outcome.key])
        aggregates[f"n_{outcome.key}"] = Count("pk", filter=OUTCOME_ANSWERED[outcome.key])
    money = DecimalField(max_digits=18, decimal_places=2)
    aggregates.update(
        jobs_created=Sum("jobs_created"),
        deals_value=Sum("deals_value", output_field=money),
        funding_amount=Sum("funding_amount", output_field=money),
        export_sales=Sum("export_sales", output_field=money),
        turnover_now=Sum(
            Case(
                When(turnover__isnull=False, baseline_turnover__isnull=False, then="turnover"),
                default=Value(None),
                output_field=money,
            )
        ),
        turnover_then=Sum(
            Case(
                When(
                    turnover__isnull=False,
                    baseline_turnover__isnull=False,
                    then="baseline_turnover",
                ),
                default=Value(None),
                output_field=money,
            )
        ),
    )
    in_sql = connection.vendor == "postgresql"
    if in_sql:
        # First, so the names resolve to the columns, not to the totals of the same name.
        aggregates = {f"median_{c}": _Median(c) for c in MEDIAN_COLUMNS} | aggregates
    row = responses.aggregate(**aggregates)
    if in_sql:
        medians = {c: _plain(c, row[f"median_{c}"]) for c in MEDIAN_COLUMNS}
    else:
        medians = {column: median(responses, column) for column in MEDIAN_COLUMNS}
    shares = []
    for outcome in OUTCOMES:
        count, n = row[f"yes_{outcome.key}"], row[f"n_{outcome.key}"]
        interval = wilson_interval(count, n)
        shares.append(
            Share(
                key=outcome.key,
                verb=outcome.verb,
                count=count,
                denominator=n,
                share=(count / n) if n else None,
                low=interval[0] if interval else None,
                high=interval[1] if interval else None,
            )
        )
    growth = {}
    if row["turnover_then"]:
        growth["turnover"] = (row["turnover_now"] - row["turnover_then"]) / row["turnover_then"]
    return Metrics(
        companies=companies_in_scope(scope, comparison=comparison),
        respondents=row["respondents"],
        shares=shares,
        totals={
            "jobs_created": row["jobs_created"] or 0,
            "deals_value": row["deals_value"] or Decimal(0),
            "funding_amount": row["funding_amount"] or Decimal(0),
            "export_sales": row["export_sales"] or Decimal(0),
        },
        medians=medians,
        growth=growth,
    )


MEDIAN_COLUMNS = ("jobs_created", "deals_value", "funding_amount")


class _Median(Aggregate):
    """PostgreSQL's continuous median (the mean of the middle two, as `median` below), so
    the medians come in the same query as every other figure."""

    function = "PERCENTILE_CONT"
    template = "CAST(%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s) AS numeric)"
    output_field = DecimalField()


def _plain(column: str, value: Decimal | None):
    """The SQL median in the types `median` below gives: whole jobs as an int (a half as a
    float), money as a Decimal in pence."""
    if value is None:
        return None
    if column == "jobs_created":
        return int(value) if value == value.to_integral_value() else float(value)
    return value if -value.as_tuple().exponent > 2 else value.quantize(Decimal("0.01"))


def median(responses: QuerySet, column: str):
    """The median of a column over the responses, in SQL: the middle row(s) by ORDER BY
    with OFFSET, so no rows are loaded into Python."""
    present = responses.filter(**{f"{column}__isnull": False})
    n = present.count()
    if n == 0:
        return None
    ordered = present.order_by(column, "pk").values_list(column, flat=True)
    low = ordered[(n - 1) // 2]
    high = ordered[n // 2]
    return (low + high) / 2 if low != high else low


def cohort_trend(scope: Scope) -> list[dict]:
    """Per cohort: respondents and the share reporting each outcome, in one grouped query
    (cohorts in order), for the trend chart and table."""
    responses = responses_in_scope(scope)
    aggregates = {"respondents": Count("pk")}
    for outcome in OUTCOMES:
        aggregates[f"yes_{outcome.key}"] = Count("pk", filter=OUTCOME_CONDITIONS[outcome.key])
        aggregates[f"n_{outcome.key}"] = Count("pk", filter=OUTCOME_ANSWERED[outcome.key])
    rows = (
        responses.values("cohort_id", "cohort__number", "cohort__name", "programme__name")
        .annotate(**aggregates)
        .order_by("programme__name", "cohort__number")
    )
    trend = []
    for row in rows:
        shares = {}
        for outcome in OUTCOMES:
            n = row[f"n_{outcome.key}"]
            shares[outcome.key] = (row[f"yes_{outcome.key}"] / n) if n else None
        trend.append(
            {
                "cohort_id": row["cohort_id"],
                "label": f"Cohort {row['cohort__number']}",
                "programme": row["programme__name"],
                "respondents": row["respondents"],
                "shares": shares,
            }
        )
    return trend


def response_rates_by_round(scope: Scope) -> list[dict]:
    """Invitations and answers per survey round, for the response-rate table."""
    invitations = SurveyInvitation.objects.filter(is_comparison=False)
    if scope.programmes:
        invitations = invitations.filter(schedule__programme_id__in=scope.programmes)
    if scope.cohorts:
        invitations = invitations.filter(cohort_id__in=scope.cohorts)
    if scope.missions:
        invitations = invitations.filter(company_id__in=mission_delegates(scope))
    rows = (
        invitations.values("schedule__offset_months", "schedule__name")
        .annotate(
            invited=Count("pk", filter=Q(sent_at__isnull=False)),
            answered=Count("pk", filter=Q(status=SurveyInvitation.Status.ANSWERED)),
            pending=Count("pk", filter=Q(status=SurveyInvitation.Status.SCHEDULED)),
        )
        .order_by("schedule__offset_months")
    )
    return [
        {
            "round": row["schedule__name"],
            "months": row["schedule__offset_months"],
            "invited": row["invited"],
            "answered": row["answered"],
            "pending": row["pending"],
            "rate": (row["answered"] / row["invited"]) if row["invited"] else None,
        }
        for row in rows
    ]
