"""Retention: a programme's personal data is anonymised once its end date plus the
retention period has passed, not before, once, and only the expired programme's."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from cohorts.models import Application, Company
from portal.roles import Role
from portal.tenancy import scopes_disabled
from privacy.models import RetentionRun
from privacy.tasks import apply_retention
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyFactory,
    EnrolmentFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db
END = datetime.date(2025, 1, 31)
DUE = datetime.date(2026, 1, 31)  # END + 12 months


def _at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(3, 0)), tick=False)


@pytest.fixture
def programmes(organisation):
    expired = ProgrammeFactory(
        organisation=organisation,
        start_date=datetime.date(2024, 1, 1),
        end_date=END,
        retention_months=12,
    )
    kept = ProgrammeFactory(
        organisation=organisation, start_date=datetime.date(2024, 1, 1), end_date=END
    )
    cohort = CohortFactory(organisation=organisation, programme=expired, completed=True)
    other_cohort = CohortFactory(organisation=organisation, programme=kept, completed=True)
    # Only in the expired programme: enrolled, and rejected.
    alumnus = EnrolmentFactory(cohort=cohort, company=CompanyFactory(name="Alumnus zzmark")).company
    ApplicationFactory(cohort=cohort, company=alumnus, accepted=True)
    rejected = ApplicationFactory(
        cohort=cohort, company=CompanyFactory(name="Rejected zzmark"), rejected=True
    )
    # Rejected by the expired programme but enrolled in the kept one: only its application
    # to the expired programme is scrubbed; the company stays.
    both = CompanyFactory(name="Both zzmark", help_wanted="Grow")
    not_selected = ApplicationFactory(cohort=cohort, company=both, rejected=True)
    kept_application = ApplicationFactory(cohort=other_cohort, company=both, accepted=True)
    EnrolmentFactory(cohort=other_cohort, company=both, application=kept_application)
    # Only in the programme without retention.
    untouched = ApplicationFactory(
        cohort=other_cohort, company=CompanyFactory(name="Untouched zzmark"), rejected=True
    )
    return {
        "expired": expired,
        "kept": kept,
        "alumnus": alumnus,
        "rejected": rejected.company,
        "both": both,
        "not_selected": not_selected,
        "kept_application": kept_application,
        "untouched": untouched.company,
    }


def _names(*companies):
    return [Company.objects.get(pk=c.pk).name for c in companies]


def test_retention_runs_on_its_date_not_before_and_only_on_expired_data(programmes):
    expired = programmes["expired"]
    assert expired.retention_until == DUE

    with _at(DUE - datetime.timedelta(days=1)):
        assert apply_retention.apply().get() == 0
    assert not RetentionRun.objects.with_scopes_disabled().exists()
    assert _names(programmes["alumnus"], programmes["rejected"]) == [
        "Alumnus zzmark",
        "Rejected zzmark",
    ]

    with _at(DUE):
        assert apply_retention.apply().get() == 1
    alumnus, rejected, both, untouched = (
        programmes[k] for k in ("alumnus", "rejected", "both", "untouched")
    )
    assert _names(alumnus, rejected) == [
        f"Withdrawn company #{alumnus.pk}",
        f"Withdrawn company #{rejected.pk}",
    ]
    # A company the organisation also knows through another programme keeps its profile,
    # and its application to that programme; its not-selected application is scrubbed.
    assert _names(both, untouched) == ["Both zzmark", "Untouched zzmark"]
    with scopes_disabled():
        scrubbed = Application.objects.get(pk=programmes["not_selected"].pk)
        assert scrubbed.company_snapshot["name"] == f"Withdrawn company #{both.pk}"
        assert scrubbed.company_snapshot["help_wanted"] == ""
        kept = Application.objects.get(pk=programmes["kept_application"].pk)
        assert kept.company_snapshot["name"] == "Both zzmark"
        run = RetentionRun.objects.get(programme=expired)
    assert run.due_on == DUE
    assert run.counts["companies anonymised"] == 2
    assert run.counts["applicants not selected"] == 1

    # Once: a later sweep does nothing more.
    with _at(DUE + datetime.timedelta(days=30)):
        assert apply_retention.apply().get() == 0
    assert RetentionRun.objects.with_scopes_disabled().count() == 1


def test_the_sweep_is_a_periodic_job():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "privacy.tasks.apply_retention" in tasks


def test_the_programme_page_shows_the_retention_date_and_the_form_sets_it(
    client, organisation, make_member, programmes
):
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    client.force_login(manager)
    expired = programmes["expired"]
    page = client.get(
        reverse(
            "programmes:programme-detail", kwargs={"org_slug": organisation.slug, "pk": expired.pk}
        )
    )
    assert "personal data kept until 31 Jan 2026" in page.content.decode()
    edit = client.get(
        reverse(
            "programmes:programme-edit", kwargs={"org_slug": organisation.slug, "pk": expired.pk}
        )
    )
    assert 'name="retention_months"' in edit.content.decode()
    overview = client.get(
        reverse("privacy-staff:retention", kwargs={"org_slug": organisation.slug})
    )
    assert overview.status_code == 200
    assert "31 Jan 2026" in overview.content.decode()
