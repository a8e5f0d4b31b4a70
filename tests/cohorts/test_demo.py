"""The demo shows a realistic programme: four cohorts, over 200 companies, every state."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from cohorts import selectors
from cohorts.models import Application, ApplicationStatus, Cohort, Enrolment, Review, Score
from portal.tenancy import scopes_disabled
from programmes.models import Grant, Programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run in production mode
    call_command("seed_demo", stdout=io.StringIO())


def _counts():
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (Programme, Grant, Cohort, Application, Review, Score, Enrolment)
        }


def test_international_business_programme_has_four_cohorts_and_213_companies(demo):
    with scopes_disabled():
        ibp = Programme.objects.get(slug="international-business-programme")
        assert ibp.cohorts.count() == 4
        enrolled = (
            Enrolment.objects.filter(cohort__programme=ibp, cohort__number__lte=3)
            .values("company")
            .distinct()
            .count()
        )
        assert enrolled >= 213
        statuses = set(Application.objects.values_list("status", flat=True).annotate(n=Count("pk")))
    assert statuses == set(ApplicationStatus.values)


def test_demo_has_open_calls_in_the_directory(demo):
    calls = list(selectors.open_calls())
    assert len(calls) >= 3
    assert len({c.organisation_id for c in calls}) >= 3


def test_programme_demo_is_idempotent(demo):
    before = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == before
