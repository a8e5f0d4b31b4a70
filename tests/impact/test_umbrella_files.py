"""The umbrella report's downloads (CSV, XLSX, PDF), its breakdown per organisation and its
period filter: the files state the page's figures, count a company once across programmes,
and never hold a figure of a partner that does not share."""

import base64
import csv
import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from impact import sharing, umbrella_report
from impact.selectors import Scope, outcome_metrics
from portal.audit import AuditEntry
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    EnrolmentFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SurveyResponseFactory,
)
from tests.tenant_data import populate_tenant

pytestmark = pytest.mark.django_db
ANSWERED = {"new_markets": False, "further_funding": False, "new_offices": False}
DOWNLOADS = ("csv", "xlsx", "pdf")
# A 1x1 transparent PNG, for the branding on the cover.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _take_part(programme, company, *, jobs=None, deals=None, months=6, on=None):
    """Enrol the company in a cohort of the programme and, unless `jobs` is None, record its
    answer given on the day `on`."""
    cohort = CohortFactory(programme=programme, completed=True)
    EnrolmentFactory(cohort=cohort, company=company)
    if jobs is not None:
        SurveyResponseFactory(
            cohort=cohort,
            company=company,
            round_months=months,
            jobs_created=jobs,
            new_deals=deals,
            responded_on=on or datetime.date(2025, 3, 1),
            **ANSWERED,
        )


def _agree(partner, umbrella, make_member):
    admin = make_member(partner, Role.ADMIN).user
    with tenant_scope(partner):
        return sharing.sharing_agree(organisation=partner, shared_with=umbrella, user=admin)


@pytest.fixture
def network(organisation, other_organisation, make_member):
    """The umbrella (organisation) and a partner that shares (other_organisation), each with
    a programme, and a partner that does not share. "Acme" takes part with both (two company
    rows, one registration number), answering the umbrella in March and the partner, later,
    in September; "Beta" and "Delta" (who never answers) only with the umbrella; "Gamma"
    only with the partner; "Quiet" (7,919 jobs) only with the partner that does not share."""
    umbrella, partner = organisation, other_organisation
    silent = OrganisationFactory(name="Silent Partner", slug="silent-partner")
    umbrella.partners.add(partner, silent)
    own = ProgrammeFactory(organisation=umbrella, name="Umbrella Export Programme")
    theirs = ProgrammeFactory(organisation=partner, name="Partner Growth Scheme")
    quiet = ProgrammeFactory(organisation=silent, name="Silent Accelerator")
    acme_here = CompanyFactory(name="Acme Umbrella Ltd", registration_number="01234567")
    acme_there = CompanyFactory(name="Acme Partner Ltd", registration_number="01234567")
    _take_part(own, acme_here, jobs=2, deals=False, months=6, on=datetime.date(2025, 3, 1))
    _take_part(theirs, acme_there, jobs=5, deals=True, months=12, on=datetime.date(2025, 9, 1))
    _take_part(own, CompanyFactory(name="Beta Ltd"), jobs=0, deals=False)
    _take_part(own, CompanyFactory(name="Delta Ltd"))
    _take_part(theirs, CompanyFactory(name="Gamma Zeta Ltd"), jobs=1, deals=True)
    _take_part(quiet, CompanyFactory(name="Quiet Ltd"), jobs=7919, deals=True)
    agreement = _agree(partner, umbrella, make_member)
    return umbrella, partner, silent, agreement, (own, theirs, quiet)


@pytest.fixture
def manager_client(client, network, make_member):
    client.force_login(make_member(network[0], Role.PROGRAMME_MANAGER).user)
    return client


def _url(name, organisation, query="", **kwargs):
    return reverse(f"impact:{name}", kwargs={"org_slug": organisation.slug, **kwargs}) + query


def _download_url(organisation, fmt, query=""):
    return _url("umbrella-download", organisation, query, fmt=fmt)


def _download(client, organisation, fmt, query=""):
    response = client.get(_download_url(organisation, fmt, query))
    assert response.status_code == 200, response.status_code
    return response


def csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    """The CSV's sections by title, each its header row then its rows."""
    sections, current = {}, None
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        if not row:
            current = None
        elif current is None:
            current = sections.setdefault(row[0], [])
        else:
            current.append(row)
    return sections


def _summary(sections) -> dict[str, str]:
    return {row[0]: row[1] for row in sections["Summary"][1:] if row[0] != "Headline"}


def _text(value) -> str:
    return "" if value is None else str(value)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def test_the_csv_states_the_pages_figures(manager_client, network):
    umbrella = network[0]
    page = manager_client.get(_url("umbrella", umbrella))
    html = " ".join(page.content.decode().split())
    metrics, rows, breakdown = (
        page.context["metrics"],
        page.context["outcome_rows"],
        page.context["breakdown"],
    )
    sections = csv_sections(_download(manager_client, umbrella, "csv").content)

    summary = _summary(sections)
    assert summary["Companies"] == str(metrics.companies) == "4"
    assert summary["Respondents"] == str(metrics.respondents) == "3"
    assert summary["Response rate (%)"] == str(page.context["response_rate_percent"]) == "75"
    # The same headline sentences, word for word, on the page and in the file.
    csv_headlines = [row[1] for row in sections["Summary"] if row[0] == "Headline"]
    assert csv_headlines == page.context["headlines"] and len(csv_headlines) >= 2
    for sentence in csv_headlines:
        assert sentence in html
    # The same shares, counts, denominators and intervals.
    assert sections["Outcomes"][1:] == [
        [
            row["label"],
            _text(row["percent"]),
            str(row["count"]),
            str(row["denominator"]),
            _text(row["low_percent"]),
            _text(row["high_percent"]),
        ]
        for row in rows
    ]
    assert f"{rows[0]['count']} of {rows[0]['denominator']}" in html
    # The same breakdown per organisation, and the total counting each company once.
    organisations = sections["Organisations"][1:]
    assert [r[:1] + r[2:] for r in organisations[:-1]] == [
        [
            row["organisation"].name,
            str(row["programmes"]),
            str(row["companies"]),
            str(row["respondents"]),
            _text(row["response_rate_percent"]),
        ]
        for row in breakdown
    ]
    assert organisations[-1][3:5] == [str(metrics.companies), str(metrics.respondents)]
    totals = {row[0]: row for row in sections["Totals"][1:]}
    assert totals["Jobs created"][1] == str(metrics.totals["jobs_created"]) == "6"
    assert "6 jobs created" in html


def test_a_company_in_two_programmes_counts_once_in_the_files(manager_client, network):
    umbrella, partner = network[0], network[1]
    sections = csv_sections(_download(manager_client, umbrella, "csv").content)
    # Acme, Beta, Delta and Gamma: Acme's two company rows share a registration number.
    assert _summary(sections)["Companies"] == "4"
    # Acme counts by its latest answer (12 months, with the partner): 5 jobs and a deal.
    deals = next(row for row in sections["Outcomes"] if row[0] == "Signed new deals")
    assert deals[2:4] == ["2", "3"]
    # Per organisation it counts once in each, and once in the total.
    organisations = {row[0]: row for row in sections["Organisations"][1:]}
    assert organisations[umbrella.name][3:6] == ["3", "2", "67"]
    assert organisations[partner.name][3:6] == ["2", "2", "100"]
    assert organisations["All organisations, each company once"][3:6] == ["4", "3", "75"]

    workbook = load_workbook(io.BytesIO(_download(manager_client, umbrella, "xlsx").content))
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert summary["Companies"] == 4 and summary["Respondents"] == 3
    sheet = {row[0]: row for row in workbook["Organisations"].iter_rows(values_only=True)}
    assert sheet["All organisations, each company once"][3:5] == (4, 3)


def test_the_breakdown_counts_as_the_report_of_each_organisation_alone(network):
    """The grouped counts per organisation agree with the shared selector run on that
    organisation's programmes alone."""
    umbrella, partner, silent, agreement, (own, theirs, quiet) = network
    with tenant_scope(umbrella):
        context = umbrella_report.umbrella_context(umbrella)
    rows = {row["organisation"]: row for row in context["breakdown"]}
    assert list(rows) == [umbrella, partner]
    with scopes_disabled():
        for organisation, programme in ((umbrella, own), (partner, theirs)):
            alone = outcome_metrics(Scope(programmes=(programme.pk,), dedupe_by_registration=True))
            row = rows[organisation]
            assert (row["companies"], row["respondents"]) == (alone.companies, alone.respondents)


def test_a_partner_that_withdrew_disappears_from_the_files(manager_client, network):
    umbrella, partner, silent, agreement, (own, theirs, quiet) = network
    with tenant_scope(partner):
        sharing.sharing_withdraw(sharing=agreement, user=agreement.agreed_by)
    content = _download(manager_client, umbrella, "csv").content.decode("utf-8-sig")
    sections = csv_sections(content.encode())
    assert _summary(sections)["Companies"] == "3"  # Acme, Beta, Delta: the umbrella's own
    assert [row[0] for row in sections["Organisations"][1:-1]] == [umbrella.name]
    assert partner.name not in content and theirs.name not in content
    pdf = _pdf_text(_download(manager_client, umbrella, "pdf").content)
    assert partner.name not in pdf and theirs.name not in pdf
    page = manager_client.get(_url("umbrella", umbrella)).content.decode()
    assert partner.name not in page


def test_a_non_sharing_partners_figures_never_appear(manager_client, network):
    umbrella, partner, silent, agreement, (own, theirs, quiet) = network
    page = manager_client.get(_url("umbrella", umbrella))
    files = {
        "page": page.content.decode(),
        "csv": _download(manager_client, umbrella, "csv").content.decode("utf-8-sig"),
        "pdf": _pdf_text(_download(manager_client, umbrella, "pdf").content),
    }
    workbook = load_workbook(io.BytesIO(_download(manager_client, umbrella, "xlsx").content))
    files["xlsx"] = " ".join(
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    for name, text in files.items():
        assert silent.name not in text, name
        assert quiet.name not in text, name
        # No company of any organisation is named, and Quiet's 7,919 jobs are in no total.
        for company in ("Acme", "Beta Ltd", "Gamma", "Delta", "Quiet Ltd"):
            assert company not in text, (name, company)
        for figure in ("7919", "7,919", "7925", "7,925"):
            assert figure not in text, (name, figure)
    assert page.context["metrics"].totals["jobs_created"] == 6


def test_the_pdf_is_a_branded_report_with_the_headlines(
    manager_client, network, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    umbrella, partner = network[0], network[1]
    umbrella.logo.save("logo.png", ContentFile(PNG))
    page = manager_client.get(_url("umbrella", umbrella))
    response = _download(manager_client, umbrella, "pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Umbrella impact report" in text
    for sentence in page.context["headlines"]:
        assert sentence in text
    assert "95% interval" in text and "2 of 3" in text
    # The breakdown per organisation: programmes, companies, answered, response rate.
    assert f"{umbrella.name} 1 3 2 67% (2 of 3)" in text
    assert f"{partner.name} (partner) 1 2 2 100% (2 of 2)" in text
    assert "All, each company once 2 4 3 75% (3 of 4)" in text
    assert "counted once: companies are matched by their registration number" in text
    # The organisation's logo is on the cover, inlined for the renderer.
    with tenant_scope(umbrella):
        html = umbrella_report.render_html(umbrella_report.umbrella_context(umbrella))
    assert '<img class="logo" src="data:image/png;base64,' in html


def test_the_period_filters_the_page_and_the_downloads_alike(manager_client, network):
    umbrella, partner = network[0], network[1]
    query = "?responded_from=2025-01-01&responded_to=2025-06-30"
    page = manager_client.get(_url("umbrella", umbrella, query))
    metrics = page.context["metrics"]
    # Acme's September answer is outside the period: its March one counts (2 jobs, no deal).
    assert (metrics.companies, metrics.respondents, metrics.totals["jobs_created"]) == (4, 3, 3)
    assert metrics.share("new_deals").count == 1
    html = page.content.decode()
    assert "Answers given 1 Jan 2025 to 30 Jun 2025" in html
    for fmt in DOWNLOADS:
        assert _download_url(umbrella, fmt, query).replace("&", "&amp;") in html

    sections = csv_sections(_download(manager_client, umbrella, "csv", query).content)
    summary = _summary(sections)
    assert (summary["Companies"], summary["Respondents"]) == ("4", "3")
    assert summary["Filters"] == "Answers given 1 Jan 2025 to 30 Jun 2025"
    assert [row[1] for row in sections["Summary"] if row[0] == "Headline"] == (
        page.context["headlines"]
    )
    organisations = {row[0]: row for row in sections["Organisations"][1:]}
    assert organisations[umbrella.name][4] == "2"
    assert organisations[partner.name][4] == "1"  # Gamma; Acme answered it in September
    pdf = _pdf_text(_download(manager_client, umbrella, "pdf", query).content)
    assert "Answers given 1 Jan 2025 to 30 Jun 2025" in pdf
    for sentence in page.context["headlines"]:
        assert sentence in pdf


def test_a_period_that_ends_before_it_starts_is_refused(manager_client, network):
    umbrella = network[0]
    query = "?responded_from=2025-06-30&responded_to=2025-01-01"
    page = manager_client.get(_url("umbrella", umbrella, query))
    assert page.status_code == 200
    assert "The end of the period is before its start." in page.content.decode()
    assert page.context["filters_described"] == []
    assert page.context["metrics"].totals["jobs_created"] == 6  # unfiltered
    summary = _summary(csv_sections(_download(manager_client, umbrella, "csv", query).content))
    assert summary["Filters"] == "None"


def test_every_download_is_an_attachment_and_logged(manager_client, network):
    umbrella = network[0]
    day = datetime.date.today().isoformat()
    for fmt in DOWNLOADS:
        response = _download(manager_client, umbrella, fmt)
        assert response["Content-Disposition"] == (
            f'attachment; filename="capital-trade-umbrella-impact-{day}.{fmt}"'
        )
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).order_by("pk")
    assert [e.download_name for e in entries] == [
        f"capital-trade-umbrella-impact-{day}.{fmt}" for fmt in DOWNLOADS
    ]
    assert all(e.organisation == umbrella and e.actor.is_authenticated for e in entries)


def test_spreadsheet_cells_from_a_partners_names_are_defused(manager_client, network):
    umbrella, partner, silent, agreement, (own, theirs, quiet) = network
    theirs.name = '=HYPERLINK("http://evil.example","x")'
    theirs.save()
    sections = csv_sections(_download(manager_client, umbrella, "csv").content)
    assert [partner.name, "'" + theirs.name] in sections["Programmes"]
    workbook = load_workbook(io.BytesIO(_download(manager_client, umbrella, "xlsx").content))
    cells = [row[1] for row in workbook["Programmes"].iter_rows(values_only=True)]
    assert "'" + theirs.name in cells and theirs.name not in cells


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.PROGRAMME_MANAGER, 200),
        (Role.FUNDER, 403),
        (Role.GROWTH_ADVISER, 403),
        (Role.REVIEWER, 403),
        (Role.MENTOR, 403),
    ],
)
def test_the_downloads_are_for_the_umbrella_pages_roles(client, network, make_member, role, status):
    umbrella = network[0]
    client.force_login(make_member(umbrella, role).user)
    for fmt in ("csv", "xlsx"):
        assert client.get(_download_url(umbrella, fmt)).status_code == status
    if status == 403:
        assert client.get(_download_url(umbrella, "pdf")).status_code == 403
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).exists()


def test_a_partners_staff_cannot_download_the_umbrellas_report(client, network, make_member):
    umbrella, partner = network[0], network[1]
    client.force_login(make_member(partner, Role.ADMIN).user)
    for fmt in DOWNLOADS:
        assert client.get(_download_url(umbrella, fmt)).status_code == 404


def test_another_tenants_data_never_reaches_the_files(client, make_member):
    """A full tenant of marked data, a partner that has not agreed to share: none of it in
    any file of its partner's umbrella report."""
    mine = OrganisationFactory(name="Alpha Hub", slug="alpha-hub")
    theirs = OrganisationFactory(name="Beta Agency", slug="beta-agency")
    populate_tenant(theirs, "zzsecretb")
    populate_tenant(mine, "alphamarker")
    mine.partners.add(theirs)
    client.force_login(make_member(mine, Role.PROGRAMME_MANAGER).user)
    texts = [
        _download(client, mine, "csv").content.decode("utf-8-sig"),
        _pdf_text(_download(client, mine, "pdf").content),
        " ".join(
            str(value)
            for sheet in load_workbook(io.BytesIO(_download(client, mine, "xlsx").content))
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ),
    ]
    assert "alphamarker" in texts[0]  # its own programme is there
    for text in texts:
        assert "zzsecretb" not in text and "Beta Agency" not in text
    assert client.get(_download_url(mine, "html")).status_code == 404


def _queries(client, url):
    client.get(url)  # warm up: session, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_and_the_csv_run_as_many_queries_at_two_data_sizes(
    manager_client, network, make_member
):
    umbrella = network[0]
    query = "?responded_from=2025-01-01&responded_to=2025-12-31"
    page, download = _url("umbrella", umbrella, query), _download_url(umbrella, "csv", query)
    small = (_queries(manager_client, page), _queries(manager_client, download))
    for n in range(3):
        more = OrganisationFactory(name=f"More Partner {n}", slug=f"more-partner-{n}")
        umbrella.partners.add(more)
        _agree(more, umbrella, make_member)
        for _ in range(2):
            programme = ProgrammeFactory(organisation=more)
            for jobs in range(5):
                _take_part(programme, CompanyFactory(), jobs=jobs, deals=bool(jobs % 2))
    assert len(manager_client.get(page).context["breakdown"]) == 5
    assert (_queries(manager_client, page), _queries(manager_client, download)) == small
