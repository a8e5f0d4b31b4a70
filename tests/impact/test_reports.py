"""Funder reports: the PDF, the CSV and the dashboard state the same figures; issued files
are kept; the command writes every format; a failed render is marked failed."""

import csv
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from impact import reports
from impact.models import CaseNote, FunderReport
from portal.roles import Role
from portal.tenancy import tenant_scope
from programmes.models import OutcomeTarget
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    GrantFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SurveyInvitationFactory,
    SurveyResponseFactory,
    SurveyScheduleFactory,
)

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(f"impact:{name}", kwargs={"org_slug": org.slug, **kwargs})


def normalise(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def programme(organisation):
    """A programme with two cohorts of answers, a comparison group, a target, survey rounds
    and case notes."""
    programme = ProgrammeFactory(organisation=organisation, name="Trade Programme", slug="trade")
    OutcomeTarget.objects.create(
        organisation=organisation, programme=programme, outcome="new_deals", target_percent=40
    )
    schedule = SurveyScheduleFactory(programme=programme, offset_months=6)
    for number, size in ((1, 14), (2, 9)):
        cohort = CohortFactory(programme=programme, number=number, completed=True)
        for i in range(size):
            company = EnrolmentFactory(cohort=cohort).company
            invitation = SurveyInvitationFactory(
                schedule=schedule, cohort=cohort, company=company, sent=True
            )
            if i % 4 == 3:
                continue  # not answered
            invitation.status = "answered"
            invitation.save()
            SurveyResponseFactory(
                cohort=cohort,
                company=company,
                invitation=invitation,
                jobs_created=[0, 2, 5][i % 3],
                new_deals=i % 2 == 0,
                deals_value=50000 * (i + 1) if i % 2 == 0 else None,
                new_markets=i % 3 == 0,
                further_funding=i % 5 == 0,
                funding_amount=250000 if i % 5 == 0 else None,
                new_offices=i == 1,
            )
        for i in range(4):
            SurveyResponseFactory(cohort=cohort, is_comparison=True, new_deals=i == 0)
    CaseNote.objects.create(
        organisation=organisation,
        programme=programme,
        title="Opened in Boston",
        text="A medtech firm signed a distributor.",
    )
    CaseNote.objects.create(
        organisation=organisation,
        programme=programme,
        title="Internal only",
        text="x",
        include_in_report=False,
    )
    return programme


@pytest.fixture
def manager(client, organisation, make_member):
    member = make_member(organisation, Role.PROGRAMME_MANAGER)
    client.force_login(member.user)
    return member


def issue(client, organisation, programme, fmt, capture, **filters):
    with capture(execute=True):
        response = client.post(
            url("reports", organisation, pk=programme.pk), {"format": fmt, **filters}
        )
    assert response.status_code == 302
    with tenant_scope(organisation):
        report = FunderReport.objects.latest("pk")
    assert response.url == url("report-status", organisation, pk=report.pk)
    return report


def csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    sections, current = {}, None
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        if not row:
            current = None
        elif current is None:
            current = sections.setdefault(row[0], [])
        else:
            current.append(row)
    return sections


def test_pdf_csv_and_dashboard_agree(
    client, manager, organisation, programme, django_capture_on_commit_callbacks
):
    page = client.get(url("programme", organisation, pk=programme.pk))
    page_html = normalise(page.content.decode())
    sentences = page.context["headlines"]
    rows = page.context["outcome_rows"]
    assert len(sentences) >= 5

    pdf_report = issue(client, organisation, programme, "pdf", django_capture_on_commit_callbacks)
    pdf_report.refresh_from_db()
    assert (pdf_report.status, pdf_report.progress, pdf_report.error) == ("done", 100, "")
    assert pdf_report.finished_at is not None
    download = client.get(url("report-download", organisation, pk=pdf_report.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert re.search(
        r'filename="trade-impact-report-\d{4}-\d{2}-\d{2}\.pdf"', download["Content-Disposition"]
    )
    pdf_bytes = b"".join(download.streaming_content)
    reader = PdfReader(io.BytesIO(pdf_bytes))
    pdf_text = normalise(" ".join(p.extract_text() for p in reader.pages))
    assert len(reader.pages) >= 4
    assert "Capital Trade & Invest" in pdf_text
    assert "Opened in Boston" in pdf_text and "Internal only" not in pdf_text

    csv_report = issue(client, organisation, programme, "csv", django_capture_on_commit_callbacks)
    with csv_report.file.open("rb") as handle:
        sections = csv_sections(handle.read())
    csv_headlines = [row[1] for row in sections["Summary"] if row[0] == "Headline"]
    outcomes = {row[0]: row for row in sections["Outcomes"][1:]}

    # The same sentences, word for word, in all three.
    assert csv_headlines == sentences
    for sentence in sentences:
        assert sentence in pdf_text
        assert sentence in page_html
    # The same percentages, counts, denominators and intervals.
    for row in rows:
        if row["percent"] is None:
            continue
        figures = (
            f"{row['label']} {row['percent']}% {row['count']} of {row['denominator']} "
            f"{row['low_percent']}%–{row['high_percent']}%"
        )
        assert figures in pdf_text, figures
        assert f"{row['percent']}%" in page_html
        assert f"{row['count']} of {row['denominator']}" in page_html
        csv_row = outcomes[row["label"]]
        assert csv_row[1:6] == [
            str(row["percent"]),
            str(row["count"]),
            str(row["denominator"]),
            str(row["low_percent"]),
            str(row["high_percent"]),
        ]
    deals = outcomes["Signed new deals"]
    assert deals[6] == "40"  # the target
    assert deals[7] == str(page.context["outcome_rows"][1]["comparison_percent"])
    # Response rate, with its denominator.
    metrics = page.context["metrics"]
    assert f"{metrics.respondents} of the {metrics.companies} companies" in pdf_text
    # The anonymised responses are the CSV's last section, without names.
    responses = sections["Responses"]
    assert responses[0][:3] == ["Respondent", "Group", "Cohort"]
    assert len(responses) - 1 == 18 + 8  # 18 participants' and 8 comparison answers
    with tenant_scope(organisation):
        names = [e.company.name for e in programme.cohorts.first().enrolments.all()]
    with csv_report.file.open("rb") as handle:
        raw = handle.read().decode("utf-8-sig")
    assert not any(name in raw for name in names)


def test_redownload_returns_the_bytes_issued_then(
    client, manager, organisation, programme, django_capture_on_commit_callbacks
):
    report = issue(client, organisation, programme, "pdf", django_capture_on_commit_callbacks)
    first = b"".join(
        client.get(url("report-download", organisation, pk=report.pk)).streaming_content
    )
    # New answers and a new case note after issue do not change the issued report.
    with tenant_scope(organisation):
        SurveyResponseFactory(cohort=programme.cohorts.first(), jobs_created=40)
    CaseNote.objects.create(organisation=organisation, programme=programme, title="Later", text="y")
    with tenant_scope(organisation):
        reports.report_render(report_id=report.pk)  # a retried task leaves it alone
    second = b"".join(
        client.get(url("report-download", organisation, pk=report.pk)).streaming_content
    )
    assert first == second


def test_xlsx_report_has_figures_and_responses(
    client, manager, organisation, programme, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    report = issue(client, organisation, programme, "xlsx", django_capture_on_commit_callbacks)
    response = client.get(url("report-download", organisation, pk=report.pk))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == [
        "Summary",
        "Outcomes",
        "Totals",
        "Cohort trend",
        "Response rates",
        "Responses",
    ]
    assert workbook["Responses"].max_row == 1 + 26


def test_report_status_page_and_htmx_partial(
    client, manager, organisation, programme, django_capture_on_commit_callbacks
):
    with tenant_scope(organisation):
        queued = FunderReport.objects.create(
            organisation=organisation, programme=programme, requested_by=manager.user
        )
    status_url = url("report-status", organisation, pk=queued.pk)
    page = client.get(status_url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<html" in page
    partial = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'hx-get="' + status_url + '"' in partial
    assert client.get(url("report-download", organisation, pk=queued.pk)).status_code == 404
    done = issue(client, organisation, programme, "csv", django_capture_on_commit_callbacks)
    partial = client.get(
        url("report-status", organisation, pk=done.pk), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in partial and "Download" in partial


def test_report_with_filters_keeps_them(
    client, manager, organisation, programme, django_capture_on_commit_callbacks
):
    with tenant_scope(organisation):
        cohort = programme.cohorts.get(number=2)
    report = issue(
        client,
        organisation,
        programme,
        "csv",
        django_capture_on_commit_callbacks,
        cohort=cohort.pk,
        sector="tech",
    )
    assert report.filters == {"cohort": cohort.pk, "sector": "tech"}
    assert report.cohort == cohort
    with report.file.open("rb") as handle:
        summary = csv_sections(handle.read())["Summary"]
    assert ["Respondents", "7", "companies that answered"] in summary


def test_funder_downloads_only_their_programmes_reports(
    client, organisation, make_member, programme, django_capture_on_commit_callbacks
):
    funder = make_member(organisation, Role.FUNDER)
    GrantFactory(programme=programme).funder.users.add(funder.user)
    client.force_login(funder.user)
    mine = issue(client, organisation, programme, "csv", django_capture_on_commit_callbacks)
    other_programme = ProgrammeFactory(organisation=organisation)
    with tenant_scope(organisation):
        theirs = FunderReport.objects.create(
            organisation=organisation,
            programme=other_programme,
            format="csv",
            status="done",
        )
    download = client.get(url("report-download", organisation, pk=mine.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)
    assert client.get(url("report-download", organisation, pk=theirs.pk)).status_code == 403
    assert client.get(url("report-status", organisation, pk=theirs.pk)).status_code == 403
    stranger = OrganisationFactory()
    with tenant_scope(stranger):
        foreign = FunderReport.objects.create(
            organisation=stranger, programme=ProgrammeFactory(organisation=stranger)
        )
    assert client.get(url("report-download", organisation, pk=foreign.pk)).status_code == 404


def test_failed_render_marks_the_report_failed(
    client, manager, organisation, programme, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(context, fmt):
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(reports, "render_file", broken)
    # The eager task re-raises; on_commit(robust=True) keeps the request answering.
    report = issue(client, organisation, programme, "pdf", django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.status == "failed"
    assert "the renderer fell over" in report.error
    assert not report.file
    page = client.get(url("report-status", organisation, pk=report.pk)).content.decode()
    assert "could not be rendered" in page
    with tenant_scope(organisation), pytest.raises(RuntimeError):
        reports.report_render(report_id=report.pk)


def test_command_writes_pdf_csv_and_html(organisation, programme, tmp_path):
    for fmt in ("pdf", "csv", "html"):
        target = tmp_path / f"report.{fmt}"
        call_command(
            "impact_report",
            "--programme",
            "trade",
            "--format",
            fmt,
            "-o",
            str(target),
            stdout=io.StringIO(),
        )
        assert target.stat().st_size > 1000
    assert target.read_text().startswith("<!doctype html>")
    assert "<svg" in target.read_text()
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-"
    sections = csv_sections((tmp_path / "report.csv").read_bytes())
    with tenant_scope(organisation):
        expected = reports.report_context(
            reports.scope_for(programme), programme=programme, with_charts=False
        )["headlines"]
    assert [r[1] for r in sections["Summary"] if r[0] == "Headline"] == expected
    call_command(
        "impact_report",
        "--programme",
        "trade",
        "--cohort",
        "2",
        "--format",
        "csv",
        "-o",
        str(tmp_path / "c2.csv"),
        stdout=io.StringIO(),
    )
    summary = csv_sections((tmp_path / "c2.csv").read_bytes())["Summary"]
    assert ["Respondents", "7", "companies that answered"] in summary


def test_command_errors(organisation, other_organisation, programme, tmp_path):
    ProgrammeFactory(organisation=other_organisation, slug="trade")
    out = str(tmp_path / "x.csv")
    with pytest.raises(CommandError, match="--organisation"):
        call_command("impact_report", "--programme", "trade", "--format", "csv", "-o", out)
    call_command(
        "impact_report",
        "--programme",
        "trade",
        "--organisation",
        organisation.slug,
        "--format",
        "csv",
        "-o",
        out,
        stdout=io.StringIO(),
    )
    with pytest.raises(CommandError, match="no cohort 9"):
        call_command(
            "impact_report",
            "--programme",
            "trade",
            "--organisation",
            organisation.slug,
            "--cohort",
            "9",
            "--format",
            "csv",
            "-o",
            out,
        )
    with pytest.raises(CommandError, match="No programme"):
        call_command("impact_report", "--programme", "nope", "--format", "csv", "-o", out)
