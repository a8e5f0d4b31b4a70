"""impact.selectors against hand-computed figures, and a property test against a plain-Python
recomputation over random responses."""

import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohorts.models import Enrolment
from impact.models import SurveyResponse
from impact.selectors import Scope, outcome_metrics, responses_in_scope, wilson_interval
from portal.tenancy import tenant_scope
from tests.factories import (
    BaselineFactory,
    CohortFactory,
    CompanyFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    SurveyResponseFactory,
)

pytestmark = pytest.mark.django_db


def hand_wilson(k, n):
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = (z / (1 + z * z / n)) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.fixture
def cohort(organisation):
    return CohortFactory(programme=ProgrammeFactory(organisation=organisation), completed=True)


def enrol(cohort, n):
    return [EnrolmentFactory(cohort=cohort).company for _ in range(n)]


def test_seven_of_ten_created_jobs(organisation, cohort):
    companies = enrol(cohort, 12)
    jobs = [3, 1, 2, 0, 5, 0, 4, 0, 1, 10]  # 7 of 10 created jobs, 26 in total
    for company, n in zip(companies, jobs, strict=False):
        SurveyResponseFactory(
            cohort=cohort,
            company=company,
            jobs_created=n,
            new_deals=n > 2,
            deals_value=Decimal("1000") * n if n > 2 else None,
        )
    with tenant_scope(organisation):
        m = outcome_metrics(Scope(programmes=(cohort.programme_id,)))
    assert m.companies == 12
    assert m.respondents == 10
    assert m.response_rate == pytest.approx(10 / 12)
    jobs_share = m.share("jobs_created")
    assert (jobs_share.count, jobs_share.denominator, jobs_share.share) == (7, 10, 0.7)
    assert jobs_share.percent == 70
    low, high = hand_wilson(7, 10)
    assert jobs_share.low == pytest.approx(low)
    assert jobs_share.high == pytest.approx(high)
    assert (round(low, 4), round(high, 4)) == (0.3968, 0.8922)  # by hand, to 4 places
    assert m.totals["jobs_created"] == 26
    # Medians: jobs sorted 0 0 0 1 1 2 3 4 5 10 → (1 + 2) / 2; deal values 3k 4k 5k 10k → 4.5k.
    assert m.medians["jobs_created"] == 1.5
    assert m.medians["deals_value"] == Decimal("4500")
    assert m.share("new_deals").count == 4
    assert m.totals["deals_value"] == Decimal("22000")
    # Nobody answered the funding question.
    funding = m.share("further_funding")
    assert (funding.count, funding.denominator, funding.share, funding.low) == (0, 0, None, None)
    assert m.medians["funding_amount"] is None


def test_zero_respondents(organisation, cohort):
    with tenant_scope(organisation):
        m = outcome_metrics(Scope(programmes=(cohort.programme_id,)))
    assert (m.companies, m.respondents, m.response_rate) == (0, 0, None)
    assert all(s.share is None and s.denominator == 0 for s in m.shares)
    assert m.totals["jobs_created"] == 0
    assert m.medians == {"jobs_created": None, "deals_value": None, "funding_amount": None}
    assert m.growth == {}
    assert wilson_interval(0, 0) is None


def test_latest_response_per_company_wins(organisation, cohort):
    company = enrol(cohort, 1)[0]
    SurveyResponseFactory(cohort=cohort, company=company, round_months=3, jobs_created=0)
    SurveyResponseFactory(cohort=cohort, company=company, round_months=12, jobs_created=4)
    SurveyResponseFactory(cohort=cohort, company=company, round_months=6, jobs_created=2)
    # Not submitted: never counted.
    SurveyResponseFactory(
        cohort=cohort, company=company, round_months=24, jobs_created=50, submitted_at=None
    )
    with tenant_scope(organisation):
        m = outcome_metrics(Scope(programmes=(cohort.programme_id,)))
        assert list(
            responses_in_scope(Scope(programmes=(cohort.programme_id,))).values_list(
                "round_months", flat=True
            )
        ) == [12]
    assert m.respondents == 1
    assert m.totals["jobs_created"] == 4


def test_comparison_group_is_counted_apart(organisation, cohort):
    for company in enrol(cohort, 4):
        SurveyResponseFactory(cohort=cohort, company=company, new_deals=True)
    for _ in range(5):
        SurveyResponseFactory(cohort=cohort, is_comparison=True, new_deals=False)
    SurveyResponseFactory(cohort=cohort, is_comparison=True, new_deals=True)
    scope = Scope(programmes=(cohort.programme_id,))
    with tenant_scope(organisation):
        participants = outcome_metrics(scope)
        comparison = outcome_metrics(scope, comparison=True)
    assert participants.respondents == 4
    assert participants.share("new_deals").share == 1.0
    assert comparison.respondents == 6
    assert comparison.share("new_deals").count == 1
    assert comparison.share("new_deals").denominator == 6


def test_turnover_growth_and_export_growth_against_baseline(organisation, cohort):
    e1 = BaselineFactory(
        enrolment__cohort=cohort, turnover=Decimal("100000"), export_sales=Decimal("10000")
    ).enrolment
    e2 = BaselineFactory(
        enrolment__cohort=cohort, turnover=Decimal("300000"), export_sales=Decimal("50000")
    ).enrolment
    SurveyResponseFactory(
        cohort=cohort, company=e1.company, turnover=Decimal("150000"), export_sales=20000
    )
    SurveyResponseFactory(
        cohort=cohort, company=e2.company, turnover=Decimal("350000"), export_sales=40000
    )
    with tenant_scope(organisation):
        m = outcome_metrics(Scope(programmes=(cohort.programme_id,)))
    # (150k + 350k − 400k) / 400k = 25%; one of two grew export sales.
    assert m.growth["turnover"] == Decimal("0.25")
    exports = m.share("export_growth")
    assert (exports.count, exports.denominator) == (1, 2)


def test_dedupe_by_registration_counts_a_company_in_two_programmes_once(organisation):
    first = CohortFactory(programme=ProgrammeFactory(organisation=organisation), completed=True)
    second = CohortFactory(programme=ProgrammeFactory(organisation=organisation), completed=True)
    shared = CompanyFactory(registration_number="09999999")
    twin = CompanyFactory(registration_number="09999999")  # the same firm, entered twice
    other = CompanyFactory()
    for cohort, company in ((first, shared), (second, twin), (second, other)):
        EnrolmentFactory(cohort=cohort, company=company)
    SurveyResponseFactory(cohort=first, company=shared, round_months=6, jobs_created=1)
    SurveyResponseFactory(cohort=second, company=twin, round_months=12, jobs_created=5)
    SurveyResponseFactory(cohort=second, company=other, jobs_created=0)
    programmes = (first.programme_id, second.programme_id)
    with tenant_scope(organisation):
        plain = outcome_metrics(Scope(programmes=programmes))
        deduped = outcome_metrics(Scope(programmes=programmes, dedupe_by_registration=True))
    assert (plain.companies, plain.respondents, plain.totals["jobs_created"]) == (3, 3, 6)
    # Counted once, from its latest answer (12 months: 5 jobs).
    assert (deduped.companies, deduped.respondents, deduped.totals["jobs_created"]) == (2, 2, 5)


def test_filters_by_cohort_sector_and_period(organisation, cohort):
    import datetime

    other = CohortFactory(programme=cohort.programme, completed=True)
    SurveyResponseFactory(
        cohort=cohort,
        company=CompanyFactory(sector="food"),
        responded_on=datetime.date(2026, 1, 10),
        jobs_created=1,
    )
    SurveyResponseFactory(cohort=cohort, responded_on=datetime.date(2026, 3, 10), jobs_created=2)
    SurveyResponseFactory(cohort=other, responded_on=datetime.date(2026, 3, 10), jobs_created=4)
    pid = (cohort.programme_id,)
    with tenant_scope(organisation):
        assert outcome_metrics(Scope(programmes=pid)).totals["jobs_created"] == 7
        assert outcome_metrics(Scope(programmes=pid, cohorts=(other.pk,))).respondents == 1
        assert outcome_metrics(Scope(programmes=pid, sector="food")).totals["jobs_created"] == 1
        period = Scope(programmes=pid, responded_from=datetime.date(2026, 2, 1))
        assert outcome_metrics(period).totals["jobs_created"] == 6


EPS = 1e-12


def test_wilson_interval_contains_the_share_at_0_and_1():
    for n in range(1, 50):
        for k in (0, n):
            low, high = wilson_interval(k, n)
            assert low <= k / n <= high, (k, n, low, high)


# --- Property test ------------------------------------------------------------------------

maybe_bool = st.one_of(st.none(), st.booleans())
money = st.one_of(st.none(), st.integers(min_value=0, max_value=10**7).map(Decimal))
response = st.fixed_dictionaries(
    {
        "jobs_created": st.one_of(st.none(), st.integers(min_value=0, max_value=50)),
        "new_deals": maybe_bool,
        "deals_value": money,
        "new_markets": maybe_bool,
        "further_funding": maybe_bool,
        "funding_amount": money,
        "new_offices": maybe_bool,
        "export_sales": money,
        "baseline_exports": money,
        "round_months": st.sampled_from([3, 6, 12]),
        "submitted": st.booleans(),
    }
)

CONDITIONS = {
    "jobs_created": (lambda r: r["jobs_created"] is not None, lambda r: r["jobs_created"] > 0),
    "new_deals": (lambda r: r["new_deals"] is not None, lambda r: r["new_deals"] is True),
    "new_markets": (lambda r: r["new_markets"] is not None, lambda r: r["new_markets"] is True),
    "further_funding": (
        lambda r: r["further_funding"] is not None,
        lambda r: r["further_funding"] is True,
    ),
    "new_offices": (lambda r: r["new_offices"] is not None, lambda r: r["new_offices"] is True),
    "export_growth": (
        lambda r: r["export_sales"] is not None and r["baseline_exports"] is not None,
        lambda r: r["export_sales"] > r["baseline_exports"],
    ),
}


@pytest.fixture
def world(organisation):
    cohort = CohortFactory(programme=ProgrammeFactory(organisation=organisation), completed=True)
    companies = [CompanyFactory() for _ in range(8)]
    return organisation, cohort, companies


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(st.integers(min_value=0, max_value=7), response), max_size=20))
def test_metrics_match_a_plain_python_recomputation(world, rows):
    from impact.models import Baseline

    organisation, cohort, companies = world
    with tenant_scope(organisation):
        SurveyResponse.objects.filter(cohort=cohort).delete()
        Baseline.objects.filter(enrolment__cohort=cohort).delete()
        Enrolment.objects.filter(cohort=cohort).delete()
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(organisation=organisation, cohort=cohort, company=c) for c in companies
        )
        # One response per company and round (the unique constraint); the first row wins.
        kept, baselines = {}, {}
        for index, data in rows:
            kept.setdefault((index, data["round_months"]), data)
            baselines.setdefault(index, data["baseline_exports"])
        Baseline.objects.bulk_create(
            Baseline(
                organisation=organisation,
                enrolment=enrolments[index],
                company=companies[index],
                employees=5,
                export_sales=exports,
            )
            for index, exports in baselines.items()
        )
        created = SurveyResponse.objects.bulk_create(
            SurveyResponse(
                organisation=organisation,
                programme=cohort.programme,
                cohort=cohort,
                company=companies[index],
                round_months=months,
                submitted_at="2026-01-01T12:00:00Z" if data["submitted"] else None,
                **{
                    k: v
                    for k, v in data.items()
                    if k not in ("baseline_exports", "round_months", "submitted")
                },
            )
            for (index, months), data in kept.items()
        )
        metrics = outcome_metrics(Scope(programmes=(cohort.programme_id,)))

    # Plain Python: per company its submitted response of the latest round (ties: higher pk).
    latest = {}
    for row in sorted(created, key=lambda r: (r.round_months, r.pk)):
        if row.submitted_at is not None:
            latest[row.company_id] = row
    expected = []
    for row in latest.values():
        index = companies.index(next(c for c in companies if c.pk == row.company_id))
        expected.append(
            {
                "jobs_created": row.jobs_created,
                "new_deals": row.new_deals,
                "new_markets": row.new_markets,
                "further_funding": row.further_funding,
                "new_offices": row.new_offices,
                "export_sales": row.export_sales,
                "baseline_exports": baselines[index],
                "deals_value": row.deals_value,
                "funding_amount": row.funding_amount,
            }
        )
    assert metrics.companies == len(companies)
    assert metrics.respondents == len(expected)
    for share in metrics.shares:
        answered, reported = CONDITIONS[share.key]
        n = sum(1 for r in expected if answered(r))
        k = sum(1 for r in expected if answered(r) and reported(r))
        assert (share.count, share.denominator) == (k, n), share.key
        if n == 0:
            assert share.share is None and share.low is None and share.high is None
        else:
            assert share.share == pytest.approx(k / n)
            # EPS: see test_wilson_interval_contains_the_share_at_0_and_1 (a float rounding
            # bug in wilson_interval at shares of 0 and 1).
            assert share.low - EPS <= share.share <= share.high + EPS
            assert (share.low, share.high) == pytest.approx(hand_wilson(k, n))
            assert share.low >= 0 and share.high <= 1
    assert metrics.totals["jobs_created"] == sum(r["jobs_created"] or 0 for r in expected)
    for key in ("deals_value", "funding_amount", "export_sales"):
        assert metrics.totals[key] == sum((r[key] or 0 for r in expected), Decimal(0)), key
    jobs = sorted(r["jobs_created"] for r in expected if r["jobs_created"] is not None)
    if jobs:
        middle = (jobs[(len(jobs) - 1) // 2] + jobs[len(jobs) // 2]) / 2
        assert metrics.medians["jobs_created"] == middle
    else:
        assert metrics.medians["jobs_created"] is None
