"""The funder's journey in a real browser: sign in, open Impact, see only the programme
their funder funds, read its dashboard, issue a PDF report and download it; the PDF states
the same headline as the page. Another funder's programme answers with the 403 page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.roles import Role
from tests.browser.conftest import sign_in
from tests.factories import (
    PASSWORD,
    CohortFactory,
    EnrolmentFactory,
    FunderFactory,
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SurveyResponseFactory,
    UserFactory,
)

FUNDED = "Go Global Accelerator"
OTHER = "Food and Drink Export Academy"
# Four of the five enrolled companies answered. Three created jobs (6 in total); two of the
# three that answered the deals question signed new deals (the fourth left it blank).
ANSWERS = [
    {"jobs_created": 3, "new_deals": True},
    {"jobs_created": 0, "new_deals": True},
    {"jobs_created": 2, "new_deals": False},
    {"jobs_created": 1, "new_deals": None},
]
JOBS_HEADLINE = (
    "Three-quarters (75%) of the 4 companies that answered created jobs, 6 jobs in total."
)


def squash(text):
    """Text with every run of whitespace made one space (PDF extraction breaks lines)."""
    return re.sub(r"\s+", " ", text).strip()


def expect_flash(page, text):
    flash = page.get_by_role("alert").filter(has_text=text)
    expect(flash).to_have_count(1)
    expect(flash).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_funder_sees_only_their_programme_and_downloads_the_same_headline_as_a_pdf(page):
    organisation = OrganisationFactory(name="Capital Trade & Invest", slug="capital-trade")
    funded = ProgrammeFactory(organisation=organisation, name=FUNDED)
    other = ProgrammeFactory(organisation=organisation, name=OTHER)
    our_funder = FunderFactory(organisation=organisation, name="Regional Growth Fund")
    GrantFactory(programme=funded, funder=our_funder)
    GrantFactory(
        programme=other, funder=FunderFactory(organisation=organisation, name="Food Board")
    )
    user = UserFactory(first_name="Fiona", last_name="Funder", email="fiona@growthfund.example")
    MembershipFactory(organisation=organisation, user=user, role=Role.FUNDER)
    our_funder.users.add(user)

    cohort = CohortFactory(programme=funded, number=1, completed=True)
    enrolments = [EnrolmentFactory(cohort=cohort) for _ in range(5)]
    for enrolment, answers in zip(enrolments, ANSWERS, strict=False):
        SurveyResponseFactory(cohort=cohort, company=enrolment.company, **answers)
    # The other programme has answers of its own, which this funder must not see.
    other_cohort = CohortFactory(programme=other, number=1, completed=True)
    other_enrolment = EnrolmentFactory(cohort=other_cohort)
    SurveyResponseFactory(
        cohort=other_cohort, company=other_enrolment.company, jobs_created=40, new_deals=True
    )

    # --- Sign in and land on the organisation's dashboard --------------------------------
    sign_in(page, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/capital-trade/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes you fund")

    # --- Impact lists the funded programme only ------------------------------------------
    sections = page.get_by_role("navigation", name="Organisation sections")
    sections.get_by_role("link", name="Impact").click()
    expect(page).to_have_url(re.compile(r"/capital-trade/impact/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=FUNDED)).to_be_visible()
    expect(main).not_to_contain_text(OTHER)
    expect(page.get_by_role("navigation", name="Organisation sections")).not_to_contain_text(OTHER)

    # --- The programme's dashboard: headline sentence and a share with its denominator ---
    main.get_by_role("link", name=FUNDED).click()
    expect(page).to_have_url(re.compile(rf"/capital-trade/impact/programmes/{funded.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Impact of {FUNDED}")
    headlines = page.get_by_role("region", name="Headlines").get_by_role("listitem")
    expect(headlines.first).to_have_text(JOBS_HEADLINE)
    shown_headline = squash(headlines.first.inner_text())
    deals = page.locator("#outcome-table tr[data-outcome='new_deals']")
    expect(deals.locator(".share")).to_have_text("67%")
    expect(deals).to_contain_text("2 of 3")
    jobs = page.locator("#outcome-table tr[data-outcome='jobs_created']")
    expect(jobs.locator(".share")).to_have_text("75%")
    expect(jobs).to_contain_text("3 of 4")
    expect(main).to_contain_text("response rate: 4 of the 5 companies answered")
    # Read-only: none of the managers' tools.
    expect(main.get_by_role("link", name="Case notes")).to_have_count(0)
    expect(main.get_by_role("button", name="Responses")).to_have_count(0)

    # --- Issue a PDF report and download it -----------------------------------------------
    main.get_by_role("link", name="Funder reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Funder reports")
    expect(page.get_by_text("No report issued yet.")).to_be_visible()
    expect(page.get_by_label("PDF")).to_be_checked()
    page.get_by_role("button", name="Issue report").click()
    expect_flash(page, "Your PDF report is on its way.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"PDF report of {FUNDED}")
    download_button = page.get_by_role("link", name="Download the PDF")
    expect(download_button).to_be_visible(timeout=30_000)
    with page.expect_download() as download_info:
        download_button.click()
    download = download_info.value
    assert re.fullmatch(
        rf"{funded.slug}-impact-report-\d{{4}}-\d{{2}}-\d{{2}}\.pdf", (download.suggested_filename)
    ), download.suggested_filename
    path = Path(download.path())
    assert path.read_bytes().startswith(b"%PDF-")
    text = squash(" ".join(p.extract_text() or "" for p in PdfReader(path).pages))
    assert shown_headline in text, text[:2000]
    assert OTHER not in text

    # The list of issued reports now offers the same file.
    page.get_by_role("link", name="Funder reports").click()
    issued = page.get_by_role("region", name="Issued reports")
    expect(issued.get_by_role("row")).to_have_count(2)
    expect(issued).to_contain_text("Ready")

    # --- Another funder's programme: the 403 page, not its figures ----------------------
    response = page.goto(f"/capital-trade/impact/programmes/{other.pk}/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    expect(page.get_by_text("Funders see the impact of the programmes")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text(OTHER)
    response = page.goto(f"/capital-trade/impact/programmes/{other.pk}/reports/")
    assert response.status == 403
