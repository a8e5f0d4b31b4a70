"""The demo's impact data reads like a real funder report: baselines, three survey rounds,
realistic response rates, a comparison group, pending invitations, and the shares of the seed
text (71% jobs, 49% deals, 45% markets, 36% funding, 18% offices)."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from cohorts.models import Enrolment
from impact.models import (
    Baseline,
    CaseNote,
    SurveyInvitation,
    SurveyResponse,
    SurveySchedule,
)
from impact.selectors import Scope, outcome_metrics
from portal.tenancy import scopes_disabled, tenant_scope
from programmes.models import Funder, Programme

pytestmark = pytest.mark.django_db

MODELS = (Baseline, SurveySchedule, SurveyInvitation, SurveyResponse, CaseNote)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run in production mode
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def ibp(demo):
    with scopes_disabled():
        return Programme.objects.get(slug="international-business-programme")


def _counts():
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in MODELS}


def test_baselines_case_notes_and_the_funder_link(ibp):
    with scopes_disabled():
        enrolments = Enrolment.objects.filter(cohort__programme=ibp)
        assert enrolments.count() > 200
        assert not enrolments.filter(baseline__isnull=True).exists()
        assert not Enrolment.objects.filter(baseline__isnull=True).exists()  # every programme
        baseline = Baseline.objects.filter(enrolment__cohort__programme=ibp).first()
    assert baseline.employees == baseline.company.employees
    assert baseline.turnover > 0
    with scopes_disabled():
        notes = list(CaseNote.objects.filter(programme=ibp))
        assert 3 <= len(notes) <= 4
        assert all(n.include_in_report for n in notes)
        assert Funder.objects.filter(
            programmes=ibp, users__email="funder@capital-trade.demo"
        ).exists()
        ignite = Programme.objects.get(slug="ignite2scale")
        assert [s.offset_months for s in ignite.survey_schedules.all()] == [3, 6]
        assert CaseNote.objects.filter(programme=ignite).count() >= 3


def test_three_rounds_with_realistic_response_rates(ibp):
    with scopes_disabled():
        schedules = list(ibp.survey_schedules.order_by("offset_months"))
        assert [s.offset_months for s in schedules] == [3, 6, 12]
        assert [s.include_comparison_group for s in schedules] == [False, False, True]
        assert all(s.reminder_days == "7,14" and s.expires_after_days == 28 for s in schedules)
        for schedule in schedules:
            statuses = dict(
                schedule.invitations.filter(is_comparison=False, cohort__number__lte=2)
                .values_list("status")
                .annotate(n=Count("pk"))
            )
            answered = statuses.get("answered", 0)
            sent = sum(statuses.values())
            assert 0.5 <= answered / sent <= 0.85, (schedule, statuses)
            assert SurveyInvitation.Status.SCHEDULED not in statuses
        # Cohort 3 is still running: its rounds are pending.
        pending = SurveyInvitation.objects.filter(
            schedule__programme=ibp, status=SurveyInvitation.Status.SCHEDULED
        )
        assert pending.count() >= 3 * 60
        assert set(pending.values_list("cohort__number", flat=True)) == {3}
        # Each answered invitation has its submitted response, and nothing else does.
        answered = SurveyInvitation.objects.filter(status="answered")
        assert (
            SurveyResponse.objects.filter(
                invitation__in=answered, submitted_at__isnull=False
            ).count()
            == answered.count()
        )
        assert SurveyResponse.objects.filter(invitation__isnull=True).count() == 0

    with tenant_scope(ibp.organisation):
        metrics = outcome_metrics(Scope(programmes=(ibp.pk,)))
    assert 0.5 <= metrics.response_rate <= 0.8


def test_shares_are_near_the_seed_text_consistent_and_beat_the_comparison_group(ibp):
    with tenant_scope(ibp.organisation):
        participants = outcome_metrics(Scope(programmes=(ibp.pk,)))
        comparison = outcome_metrics(Scope(programmes=(ibp.pk,)), comparison=True)

    assert 0.6 <= participants.share("jobs_created").share <= 0.8
    expected = {"new_deals": 0.49, "new_markets": 0.45, "further_funding": 0.36}
    for key, share in expected.items():
        assert abs(participants.share(key).share - share) <= 0.08, key
    assert 0.1 <= participants.share("new_offices").share <= 0.26
    assert participants.totals["jobs_created"] > 400
    assert participants.growth["turnover"] > 0

    assert comparison.respondents >= 10
    assert 0 < comparison.companies < participants.companies
    for key in ("jobs_created", "new_deals", "new_markets", "further_funding"):
        assert comparison.share(key).share < participants.share(key).share, key

    # Later rounds include earlier answers: jobs only grow, a market once entered stays.
    with scopes_disabled():
        responses = SurveyResponse.objects.filter(programme=ibp, is_comparison=False)
        by_company = {}
        for response in responses.order_by("round_months"):
            by_company.setdefault((response.cohort_id, response.company_id), []).append(response)
    pairs = [(a, b) for rs in by_company.values() for a, b in zip(rs, rs[1:], strict=False)]
    assert len(pairs) > 50
    for earlier, later in pairs:
        assert earlier.jobs_created <= later.jobs_created
        for flag in ("new_deals", "new_markets", "further_funding", "new_offices"):
            assert not getattr(earlier, flag) or getattr(later, flag)
        markets = set(filter(None, earlier.markets_entered.split("; ")))
        assert markets <= set(later.markets_entered.split("; "))


def test_seed_demo_twice_creates_nothing_more(demo):
    before = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == before
