"""Withdrawing a company from an organisation's data: every identifying field goes (checked
field by field, uploaded files included), every figure of its programme's impact page stays."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cohorts.models import (
    Application,
    ApplicationFile,
    ApplicationStatusChange,
    Company,
    CompanyMember,
    QuestionKind,
)
from impact import reports
from impact.models import CustomQuestion, SurveyInvitation, SurveyResponse
from impact.selectors import cohort_trend, outcome_metrics, response_rates_by_round
from impact.services import surveys_dispatch
from mentoring.models import AdviserContact, MentoringSession, NeedsDiagnosis
from portal.models import OutgoingEmail
from portal.roles import Role
from portal.taxonomy import TurnoverBand
from portal.tenancy import scopes_disabled
from privacy.anonymise import anonymise_company
from privacy.models import CompanyWithdrawal
from tests.factories import (
    ApplicationFactory,
    BaselineFactory,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    MentorMatchFactory,
    NeedsDiagnosisFactory,
    ProgrammeFactory,
    QuestionFactory,
    SurveyInvitationFactory,
    SurveyResponseFactory,
    SurveyScheduleFactory,
)

pytestmark = pytest.mark.django_db
SECRET = "zzsecretacme"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _participant(cohort, schedule, questions, *, name, jobs, deals, turnover, with_upload=False):
    """An enrolled company with an application, baseline, invitation and response."""
    company = CompanyFactory(
        name=name, website=f"https://{name.lower().replace(' ', '')}.example", help_wanted=name
    )
    CompanyMemberFactory(company=company)
    text_q, file_q = questions
    application = ApplicationFactory(
        cohort=cohort,
        company=company,
        accepted=True,
        answers={str(text_q.pk): f"{name} founded by Jo Bloggs", "99": "42"},
    )
    enrolment = EnrolmentFactory(cohort=cohort, company=company, application=application)
    BaselineFactory(enrolment=enrolment, turnover=Decimal("400000"), export_sales=Decimal(0))
    invitation = SurveyInvitationFactory(
        schedule=schedule, cohort=cohort, company=company, sent=True, email=f"ceo@{name}.example"
    )
    SurveyResponseFactory(
        cohort=cohort,
        company=company,
        invitation=invitation,
        jobs_created=jobs,
        new_deals=deals,
        deals_count=2 if deals else 0,
        deals_value=Decimal("125000") if deals else None,
        new_markets=True,
        markets_entered="Germany; France",
        further_funding=False,
        turnover=turnover,
        export_sales=Decimal("10000"),
        custom_answers={"story": f"{name} told us a story", "patents": 3},
    )
    upload = None
    if with_upload:
        upload = ApplicationFile(
            organisation=cohort.organisation,
            application=application,
            question=file_q,
            original_name="pitch.pdf",
            content_type="application/pdf",
            size=9,
        )
        upload.file.save("pitch.pdf", ContentFile(b"%PDF-1.4 " + SECRET.encode()), save=True)
    return company, application, enrolment, upload


@pytest.fixture
def programme_data(organisation, make_member):
    programme = ProgrammeFactory(organisation=organisation)
    cohort = CohortFactory(organisation=organisation, programme=programme, completed=True)
    questions = (
        QuestionFactory(cohort=cohort, kind=QuestionKind.LONG_TEXT, position=1),
        QuestionFactory(cohort=cohort, kind=QuestionKind.FILE, position=2),
    )
    schedule = SurveyScheduleFactory(programme=programme)
    CustomQuestion.objects.create(
        organisation=organisation,
        programme=programme,
        key="story",
        label="Your story",
        kind=CustomQuestion.Kind.TEXT,
    )
    CustomQuestion.objects.create(
        organisation=organisation,
        programme=programme,
        key="patents",
        label="Patents filed",
        kind=CustomQuestion.Kind.NUMBER,
    )
    acme, application, enrolment, upload = _participant(
        cohort,
        schedule,
        questions,
        name=f"Acme {SECRET}",
        jobs=4,
        deals=True,
        turnover=Decimal("650000"),
        with_upload=True,
    )
    _participant(cohort, schedule, questions, name="Other Ltd", jobs=0, deals=False, turnover=None)
    # Comparison group: a rejected applicant that answered.
    rejected = ApplicationFactory(cohort=cohort, rejected=True)
    SurveyResponseFactory(
        cohort=cohort, company=rejected.company, is_comparison=True, jobs_created=1
    )
    ApplicationStatusChange.objects.create(
        organisation=organisation,
        application=application,
        from_status="submitted",
        to_status="accepted",
        reason=f"Strong team at {SECRET}",
    )
    diagnosis = NeedsDiagnosisFactory(enrolment=enrolment, notes=f"{SECRET} needs a CFO")
    match = MentorMatchFactory(enrolment=enrolment, diagnosis=diagnosis)
    MentoringSession.objects.create(
        organisation=organisation,
        match=match,
        mentor=match.mentor,
        company=acme,
        starts_at=match.proposed_at,
        ends_at=match.proposed_at + timedelta(hours=1),
        status=MentoringSession.Status.HELD,
        notes=f"Met {SECRET}'s founder",
        company_feedback=f"Great, says {SECRET}",
        place="12 Secret Street",
        fee=Decimal("150"),
    )
    AdviserContact.objects.create(
        organisation=organisation, company=acme, kind="call", note=f"Called {SECRET}"
    )
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    return {
        "programme": programme,
        "company": acme,
        "application": application,
        "upload": upload,
        "manager": manager,
    }


def _figures(client, programme):
    """Every figure of the programme's impact page: the page's own context, the selectors
    it reads, and the tables of the CSV/XLSX (figures and anonymised responses)."""
    response = client.get(
        reverse(
            "impact:programme",
            kwargs={"org_slug": programme.organisation.slug, "pk": programme.pk},
        )
    )
    assert response.status_code == 200
    page = {
        key: response.context[key]
        for key in ("metrics", "comparison", "outcome_rows", "totals", "trend", "response_rates")
    }
    scope = reports.scope_for(programme)
    with scopes_disabled():
        context = reports.report_context(
            scope, programme=programme, with_charts=False, with_case_notes=False
        )
        tables = [
            (t.title, t.header, t.rows)
            for t in [*reports.figures_tables(context), reports.responses_table(scope)]
        ]
        selectors = (
            outcome_metrics(scope),
            outcome_metrics(scope, comparison=True),
            cohort_trend(scope),
            response_rates_by_round(scope),
        )
    return page, tables, selectors


def test_withdrawing_a_company_keeps_every_impact_figure_and_removes_every_personal_field(
    client, programme_data, django_capture_on_commit_callbacks
):
    programme, company = programme_data["programme"], programme_data["company"]
    upload = programme_data["upload"]
    storage, stored_name = upload.file.storage, upload.file.name
    assert storage.exists(stored_name)
    client.force_login(programme_data["manager"])
    before = _figures(client, programme)
    assert before[2][0].respondents == 2  # the fixture has figures worth comparing

    url = reverse(
        "privacy-staff:company-withdraw",
        kwargs={"org_slug": programme.organisation.slug, "pk": company.pk},
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "Withdrawn company #" in page.content.decode()
    # Files are deleted from storage once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302

    after = _figures(client, programme)
    assert after == before

    # The company's profile, field by field.
    company.refresh_from_db()
    assert company.name == f"Withdrawn company #{company.pk}"
    assert company.registration_number == ""
    assert company.website == ""
    assert company.help_wanted == ""
    assert not CompanyMember.objects.filter(company=company).exists()
    # The numbers impact figures are cut by stay.
    assert (company.sector, company.region, company.employees, company.turnover_band) == (
        "tech",
        "london",
        12,
        TurnoverBand.TO_1M,
    )
    with scopes_disabled():
        application = Application.objects.get(pk=programme_data["application"].pk)
        text_q = application.cohort.questions.get(kind=QuestionKind.LONG_TEXT)
        assert str(text_q.pk) not in application.answers
        assert application.answers["99"] == "42"  # not a text question: kept
        assert application.company_snapshot["name"] == company.name
        assert application.company_snapshot["registration_number"] == ""
        assert application.company_snapshot["website"] == ""
        assert application.company_snapshot["help_wanted"] == ""
        assert application.company_snapshot["employees"] == 12
        assert application.status == "accepted"
        # Uploaded files: gone from storage and from the application.
        assert not ApplicationFile.objects.filter(application=application).exists()
        assert not storage.exists(stored_name)
        assert ApplicationStatusChange.objects.get(application=application).reason == ""
        assert SurveyInvitation.objects.get(company=company).email.endswith("@erased.invalid")
        response_row = SurveyResponse.objects.get(company=company)
        assert response_row.custom_answers == {"patents": 3}
        assert response_row.jobs_created == 4
        assert response_row.markets_entered == "Germany; France"
        assert NeedsDiagnosis.objects.get(company=company).notes == ""
        session = MentoringSession.objects.get(company=company)
        assert (session.notes, session.company_feedback, session.place) == ("", "", "")
        assert session.fee == Decimal("150")
        assert AdviserContact.objects.get(company=company).note == ""
        withdrawal = CompanyWithdrawal.objects.get(company=company)
        assert withdrawal.profile_anonymised
        assert withdrawal.counts["files deleted"] == 1
    # Nothing of the marker is left on the company's record page.
    record = client.get(
        reverse(
            "cohorts:company-detail",
            kwargs={"org_slug": programme.organisation.slug, "pk": company.pk},
        )
    )
    assert SECRET not in record.content.decode()


def test_a_company_another_organisation_knows_keeps_its_profile_for_them(
    organisation, other_organisation
):
    company = CompanyFactory(name=f"Shared {SECRET}")
    here = ApplicationFactory(
        cohort=CohortFactory(organisation=organisation), company=company, submitted=True
    )
    there = ApplicationFactory(
        cohort=CohortFactory(organisation=other_organisation), company=company, submitted=True
    )

    anonymise_company(company=company, organisation=organisation)

    company.refresh_from_db()
    assert company.name == f"Shared {SECRET}"
    with scopes_disabled():
        assert (
            Application.objects.get(pk=here.pk)
            .company_snapshot["name"]
            .startswith("Withdrawn company #")
        )
        assert Application.objects.get(pk=there.pk).company_snapshot["name"] == company.name


def test_only_managers_may_withdraw_and_only_companies_their_organisation_knows(
    client, organisation, other_organisation, make_member
):
    known = ApplicationFactory(cohort=CohortFactory(organisation=organisation), submitted=True)
    stranger = ApplicationFactory(
        cohort=CohortFactory(organisation=other_organisation), submitted=True
    )
    slug = organisation.slug
    adviser = make_member(organisation, Role.GROWTH_ADVISER).user
    client.force_login(adviser)
    url = reverse(
        "privacy-staff:company-withdraw", kwargs={"org_slug": slug, "pk": known.company_id}
    )
    assert client.post(url).status_code == 403
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    client.force_login(manager)
    other_url = reverse(
        "privacy-staff:company-withdraw", kwargs={"org_slug": slug, "pk": stranger.company_id}
    )
    assert client.post(other_url).status_code == 404
    assert Company.objects.get(pk=stranger.company_id).name == stranger.company.name


def test_a_withdrawn_company_is_sent_no_more_surveys_and_the_rates_stay(
    client, programme_data, django_capture_on_commit_callbacks
):
    programme, company = programme_data["programme"], programme_data["company"]
    cohort = programme_data["application"].cohort
    later_round = SurveyScheduleFactory(programme=programme, offset_months=12)
    due = timezone.now() - timedelta(minutes=1)
    stopped = SurveyInvitationFactory(
        schedule=later_round, cohort=cohort, company=company, email="ceo@acme.example", due_at=due
    )
    other = CompanyFactory(name="Still Surveyed Ltd")
    EnrolmentFactory(cohort=cohort, company=other)
    kept = SurveyInvitationFactory(schedule=later_round, cohort=cohort, company=other, due_at=due)
    client.force_login(programme_data["manager"])
    scope = reports.scope_for(programme)
    with scopes_disabled():
        before = (outcome_metrics(scope), cohort_trend(scope), response_rates_by_round(scope))

    url = reverse(
        "privacy-staff:company-withdraw",
        kwargs={"org_slug": programme.organisation.slug, "pk": company.pk},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302

    with scopes_disabled():
        after = (outcome_metrics(scope), cohort_trend(scope), response_rates_by_round(scope))
    assert after[:2] == before[:2]
    # Per round: invited, answered and the rate stay; only "not yet sent" loses the
    # invitation that will now never be sent.
    for row_before, row_after in zip(before[2], after[2], strict=True):
        drop = 1 if row_before["months"] == 12 else 0
        assert row_after == {**row_before, "pending": row_before["pending"] - drop}

    with django_capture_on_commit_callbacks(execute=True):
        surveys_dispatch()
    with scopes_disabled():
        stopped.refresh_from_db()
        kept.refresh_from_db()
    assert stopped.status == SurveyInvitation.Status.EXPIRED and stopped.sent_at is None
    assert kept.status == SurveyInvitation.Status.SENT
    assert not OutgoingEmail.objects.filter(to__endswith="@erased.invalid").exists()
    assert not OutgoingEmail.objects.filter(to="ceo@acme.example").exists()
