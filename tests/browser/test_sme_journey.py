"""The SME journey in a real browser: sign up, confirm the e-mail address, create a company,
find an open call, save a draft, come back to it, submit, and see the status."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from playwright.sync_api import expect

from cohorts.models import QuestionKind
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ProgrammeFactory,
    QuestionFactory,
)

EMAIL = "founder@brightsparks.example.org"
NEW_PASSWORD = "a-Long-and-unusual-passphrase-42"
COMPANY = "Bright Sparks Robotics Ltd"
PROGRAMME = "Go Global Accelerator"
PLANS = "Germany and the Nordics first, then the United States."


def field(text):
    """A form label that reads exactly `text`, with or without a required-field asterisk."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def starts(text):
    """A label that begins with `text` (questions add "required" marks after it)."""
    return re.compile(rf"^\s*{re.escape(text)}")


def expect_flash(page, text):
    """One flash message with this text."""
    flash = page.get_by_role("alert").filter(has_text=text)
    expect(flash).to_have_count(1)
    expect(flash).to_be_visible()


def status_badge(page, status):
    """The application's status, shown as a badge beside the page's heading."""
    title = page.get_by_role("heading", level=1).locator("xpath=..")
    expect(title.get_by_text(status, exact=True)).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_sme_signs_up_applies_and_sees_the_status(page):
    organisation = OrganisationFactory(name="Capital Trade & Invest", slug="capital-trade")
    # No eligibility rules beyond the factory's (none), so any company may apply.
    programme = ProgrammeFactory(organisation=organisation, name=PROGRAMME)
    cohort = CohortFactory(programme=programme, number=3)
    QuestionFactory(
        cohort=cohort,
        position=1,
        label="Which markets will you target first?",
        kind=QuestionKind.LONG_TEXT,
        required=True,
    )
    QuestionFactory(
        cohort=cohort,
        position=2,
        label="How did you hear about us?",
        kind=QuestionKind.SINGLE_CHOICE,
        choices="A trade adviser\nSocial media\nA friend",
        required=True,
    )

    # --- Sign up, and confirm the address from the e-mail ---------------------------------
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Create an account"
    ).click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label(field("Password")).fill(NEW_PASSWORD)
    page.get_by_label(field("Password (again)")).fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile(r"Sign Up", re.I)).click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    confirmations = [m for m in mail.outbox if EMAIL in m.to]
    assert len(confirmations) == 1, [m.subject for m in mail.outbox]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", confirmations[0].body)
    assert link, confirmations[0].body
    page.goto(link.group(1))
    page.get_by_role("button", name="Confirm").click()

    # Confirming signs the new user in (same session) and lands on their companies page.
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My companies")

    # --- Create the company profile ------------------------------------------------------
    page.get_by_role("link", name="Create a company profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your company's profile")
    page.get_by_label(starts("Name")).fill(COMPANY)
    page.get_by_label("Registration number").fill("12345678")
    page.get_by_label(starts("Sector")).select_option(label="Tech and digital")
    page.get_by_label(starts("Region")).select_option(label="London")
    page.get_by_label(starts("Year founded")).fill("2019")
    page.get_by_label(starts("Number of employees")).fill("14")
    page.get_by_label(starts("Turnover band")).select_option(label="£500k – £1m")
    page.get_by_label(starts("What help you want")).fill("Finding distributors.")
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMPANY)
    expect_flash(page, f"{COMPANY}'s profile is saved.")

    # --- Find the open call and apply ----------------------------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find programmes").click()
    expect(page).to_have_url(re.compile(r"/calls/$"))
    card = page.get_by_role("article").filter(has_text=PROGRAMME)
    expect(card).to_contain_text("Capital Trade & Invest")
    card.get_by_role("link", name=re.compile(r"^See the call and check eligibility")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROGRAMME)
    page.get_by_role("link", name="Apply now").filter(visible=True).first.click()

    # With one company, the company is preselected; start the draft.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Apply to {PROGRAMME}")
    expect(page.get_by_label(COMPANY)).to_be_checked()
    expect(page.get_by_text("Eligible, going by its profile.")).to_be_visible()
    page.get_by_role("button", name="Start the application").click()
    expect(page).to_have_url(re.compile(r"/my/applications/\d+/$"))
    application_path = urlparse(page.url).path
    status_badge(page, "Draft")

    # --- Save a draft with one answer, come back, find it kept ---------------------------
    page.get_by_label(starts("Which markets will you target first?")).fill(PLANS)
    page.get_by_role("button", name="Save draft").click()
    expect_flash(page, "Draft saved.")

    page.goto("/my/")
    drafts = page.get_by_role("row").filter(has_text=PROGRAMME)
    expect(drafts).to_contain_text("Draft")
    drafts.get_by_role("link", name=PROGRAMME).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(application_path)}$"))
    plans = page.get_by_label(starts("Which markets will you target first?"))
    expect(plans).to_have_value(PLANS)

    # --- Fill the rest and submit --------------------------------------------------------
    page.get_by_role("group", name=re.compile(r"^How did you hear about us\?")).get_by_label(
        "A trade adviser"
    ).check()
    page.get_by_role("button", name="Submit application").click()
    expect_flash(page, f"Your application to {PROGRAMME} – cohort 3 has been submitted.")
    expect(page.get_by_role("heading", level=1)).to_have_text(PROGRAMME)
    status_badge(page, "Submitted")
    answers = page.get_by_role("region", name="Your answers")
    expect(answers).to_contain_text(PLANS)
    expect(answers).to_contain_text("A trade adviser")

    page.goto("/my/")
    row = page.get_by_role("row").filter(has_text=PROGRAMME)
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text(COMPANY)

    # The founder is e-mailed a confirmation of the submission.
    receipts = [m for m in mail.outbox if EMAIL in m.to and "application" in m.subject.lower()]
    assert len(receipts) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert application_path in receipts[0].body
