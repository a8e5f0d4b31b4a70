"""CSV and XLSX exports of a cohort's roster and application answers, and the query counts
of the roster page and both exports."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import exports
from cohorts.models import ApplicationFile, Enrolment, QuestionKind
from portal.roles import Role
from portal.tenancy import tenant_scope
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    QuestionFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

TODAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture
def mclient(client, organisation, make_member):
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    return client


@pytest.fixture
def cohort(organisation):
    programme = ProgrammeFactory(organisation=organisation, slug="go-global", name="Go Global")
    return CohortFactory(programme=programme, number=3)


def export_url(organisation, cohort, what, fmt):
    return reverse(
        "cohorts:export",
        kwargs={"org_slug": organisation.slug, "pk": cohort.pk, "what": what, "fmt": fmt},
    )


def read_csv(response):
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def enrol(cohort, **company):
    company = CompanyFactory(**company)
    application = ApplicationFactory(cohort=cohort, company=company, accepted=True)
    return EnrolmentFactory(cohort=cohort, company=company, application=application)


# --- Roster ---------------------------------------------------------------------------------


def test_roster_csv(mclient, organisation, cohort):
    enrolment = enrol(
        cohort,
        name="Zeta Café Ltd",
        registration_number="01234567",
        exporter=True,
    )
    CompanyMemberFactory(company=enrolment.company, user__email="founder@zeta.example")
    CompanyMemberFactory(company=enrolment.company, user__email="cfo@zeta.example")
    enrol(cohort, name='=HYPERLINK("http://evil.example")')
    response = mclient.get(export_url(organisation, cohort, "roster", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="go-global-cohort-3-roster-')
    assert disposition.endswith('.csv"')
    assert TODAY.search(disposition)

    rows = read_csv(response)
    assert rows[0] == exports.ROSTER_HEADER
    by_name = {row[0]: row for row in rows[1:]}
    zeta = by_name["Zeta Café Ltd"]
    assert zeta[1:10] == [
        "01234567",
        "Tech and digital",
        "London",
        "12",
        "£500k – £1m",
        "Yes",
        "United States, Germany",
        "Taking part",
        timezone.localtime(enrolment.enrolled_at).strftime("%Y-%m-%d %H:%M"),
    ]
    assert zeta[12] == "founder@zeta.example; cfo@zeta.example"
    # Formula injection: the cell is text, not a formula.
    assert '\'=HYPERLINK("http://evil.example")' in by_name


def test_roster_xlsx(mclient, organisation, cohort):
    enrol(cohort, name="Alpha Ltd")
    enrol(cohort, name="@SUM(A1)")
    withdrawn = enrol(cohort, name="Beta Ltd")
    with tenant_scope(organisation):
        Enrolment.objects.filter(pk=withdrawn.pk).update(
            status=Enrolment.Status.WITHDRAWN,
            withdrawn_at=timezone.now(),
            withdrawal_reason="Closed down",
        )
    response = mclient.get(export_url(organisation, cohort, "roster", "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet, rows = read_xlsx(response)
    assert rows[0] == exports.ROSTER_HEADER
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width > 5
    names = {row[0]: row for row in rows[1:]}
    assert set(names) == {"Alpha Ltd", "'@SUM(A1)", "Beta Ltd"}
    assert names["Alpha Ltd"][4] == 12  # a number, not text
    assert names["Beta Ltd"][8] == "Withdrawn"
    assert names["Beta Ltd"][11] == "Closed down"
    enrolled_at = names["Alpha Ltd"][9]
    assert enrolled_at.year == timezone.localdate().year  # a real date cell
    # No cell is stored as a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


# --- Applications ---------------------------------------------------------------------------


def test_applications_csv_has_scores_profile_and_answers(mclient, organisation, cohort):
    text = QuestionFactory(cohort=cohort, label="What do you sell?", kind=QuestionKind.LONG_TEXT)
    markets = QuestionFactory(
        cohort=cohort,
        label="Markets",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices="USA\nGermany\nJapan",
    )
    number = QuestionFactory(cohort=cohort, label="Staff abroad", kind=QuestionKind.NUMBER)
    deck = QuestionFactory(cohort=cohort, label="Pitch deck", kind=QuestionKind.FILE)
    company = CompanyFactory(name="Answering Ltd", employees=25)
    application = ApplicationFactory(
        cohort=cohort,
        company=company,
        submitted=True,
        answers={
            str(text.pk): "-1 widgets, +2 gadgets",
            str(markets.pk): ["USA", "Japan"],
            str(number.pk): "3",
        },
    )
    with tenant_scope(organisation):
        ApplicationFile.objects.create(
            organisation=organisation,
            application=application,
            question=deck,
            file=SimpleUploadedFile("deck.pdf", b"%PDF-1.4 test"),
            original_name="deck.pdf",
            content_type="application/pdf",
            size=13,
        )
    for score in ("4.00", "3.00"):
        ReviewFactory(
            application=application, weighted_score=Decimal(score), submitted_at=timezone.now()
        )
    ReviewFactory(application=application)  # not submitted: not counted
    ApplicationFactory(cohort=cohort, company__name="Still Drafting Ltd")
    ApplicationFactory(cohort=cohort, rejected=True, company__name="Unscored Ltd")

    response = mclient.get(export_url(organisation, cohort, "applications", "csv"))
    assert response.status_code == 200
    assert "go-global-cohort-3-applications-" in response["Content-Disposition"]
    rows = read_csv(response)
    header = rows[0]
    assert header[:7] == [
        "Company",
        "Status",
        "Submitted at",
        "Mean score",
        "Lowest score",
        "Highest score",
        "Reviews submitted",
    ]
    assert header[-4:] == ["What do you sell?", "Markets", "Staff abroad", "Pitch deck"]
    assert [row[0] for row in rows[1:]] == ["Answering Ltd", "Unscored Ltd"]  # no drafts
    row = dict(zip(header, rows[1], strict=True))
    assert row["Status"] == "Submitted"
    assert (row["Mean score"], row["Lowest score"], row["Highest score"]) == (
        "3.50",
        "3.00",
        "4.00",
    )
    assert row["Reviews submitted"] == "2"
    assert row["Employees"] == "25"
    assert row["Sector"] == "Tech and digital"
    assert row["Exports"] == "No"
    assert row["What do you sell?"] == "'-1 widgets, +2 gadgets"
    assert row["Markets"] == "USA; Japan"
    assert row["Staff abroad"] == "3"
    assert row["Pitch deck"] == "deck.pdf"
    unscored = dict(zip(header, rows[2], strict=True))
    assert unscored["Mean score"] == "" and unscored["Status"] == "Not selected"


def test_applications_xlsx(mclient, organisation, cohort):
    question = QuestionFactory(cohort=cohort, label="Budget", kind=QuestionKind.NUMBER)
    ApplicationFactory(
        cohort=cohort,
        submitted=True,
        company__name="+44 Trading Ltd",
        answers={str(question.pk): "2500.5"},
    )
    response = mclient.get(export_url(organisation, cohort, "applications", "xlsx"))
    sheet, rows = read_xlsx(response)
    assert sheet.title == "Applications"
    assert rows[0][-1] == "Budget"
    assert rows[1][0] == "'+44 Trading Ltd"
    assert rows[1][-1] == 2500.5
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize(
    "what, fmt", [("roster", "pdf"), ("answers", "csv"), ("roster", "CSV"), ("x", "x")]
)
def test_unknown_exports_are_404(mclient, organisation, cohort, what, fmt):
    assert mclient.get(export_url(organisation, cohort, what, fmt)).status_code == 404


def test_export_of_another_organisations_cohort_is_404(mclient, organisation, other_organisation):
    theirs = CohortFactory(programme__organisation=other_organisation)
    assert mclient.get(export_url(organisation, theirs, "roster", "csv")).status_code == 404


def test_safe_text():
    assert exports.safe_text("=1+1") == "'=1+1"
    assert exports.safe_text("-5") == "'-5"
    assert exports.safe_text("@cmd") == "'@cmd"
    assert exports.safe_text("\tx") == "'\tx"
    assert exports.safe_text("Plain Ltd") == "Plain Ltd"
    assert exports.safe_text("") == ""


# --- Query counts ---------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow_enrolments(cohort, n):
    for _ in range(n):
        enrolment = enrol(cohort)
        CompanyMemberFactory.create_batch(2, company=enrolment.company)


def _grow_applications(cohort, questions, n):
    for _ in range(n):
        application = ApplicationFactory(
            cohort=cohort, submitted=True, answers={str(q.pk): "An answer" for q in questions}
        )
        ReviewFactory(
            application=application, weighted_score=Decimal("3.00"), submitted_at=timezone.now()
        )


@pytest.mark.parametrize("page", ["roster", "export:roster.csv", "export:roster.xlsx"])
def test_roster_and_its_exports_do_not_grow_with_enrolments(mclient, organisation, cohort, page):
    if page == "roster":
        url = reverse("cohorts:roster", kwargs={"org_slug": organisation.slug, "pk": cohort.pk})
    else:
        what, fmt = page.split(":")[1].split(".")
        url = export_url(organisation, cohort, what, fmt)
    _grow_enrolments(cohort, 10)
    mclient.get(url)
    small = _count(mclient, url)
    _grow_enrolments(cohort, 50)
    assert _count(mclient, url) == small


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_applications_export_does_not_grow_with_applications(mclient, organisation, cohort, fmt):
    questions = [
        QuestionFactory(cohort=cohort, kind=QuestionKind.SHORT_TEXT),
        QuestionFactory(cohort=cohort, kind=QuestionKind.FILE),
    ]
    url = export_url(organisation, cohort, "applications", fmt)
    _grow_applications(cohort, questions, 10)
    mclient.get(url)
    small = _count(mclient, url)
    _grow_applications(cohort, questions, 50)
    response = mclient.get(url)
    assert response.status_code == 200
    assert _count(mclient, url) == small
