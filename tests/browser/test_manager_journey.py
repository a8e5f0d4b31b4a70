"""The programme manager's journey in a real browser: open a cohort, assign reviewers, have
an application scored, accept two applications in bulk and see them on the roster."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from portal.roles import Role
from tests.browser.conftest import sign_in
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    CriterionFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
)

PROGRAMME = "Go Global Accelerator"
COMPANIES = ["Alpha Robotics Ltd", "Beta Foods Ltd", "Gamma Health Ltd"]


def expect_flash(page, text):
    """One flash message with this text (a page that shows its messages twice fails)."""
    flash = page.get_by_role("alert").filter(has_text=text)
    expect(flash).to_have_count(1)
    expect(flash).to_be_visible()


def sign_out(page, display_name):
    page.get_by_role("navigation", name="Main").get_by_role("button", name=display_name).click()
    page.get_by_role("button", name="Sign out").click()
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Sign in")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_manager_opens_cohort_assigns_reviewers_accepts_and_sees_roster(page):
    organisation = OrganisationFactory(name="Capital Trade & Invest", slug="capital-trade")
    manager = MembershipFactory(
        organisation=organisation,
        role=Role.PROGRAMME_MANAGER,
        user=UserFactory(first_name="Maya", last_name="Manager", email="maya@example.org"),
    ).user
    reviewer = MembershipFactory(
        organisation=organisation,
        role=Role.REVIEWER,
        user=UserFactory(first_name="Rhea", last_name="Reviewer", email="rhea@example.org"),
    ).user
    MembershipFactory(
        organisation=organisation,
        role=Role.REVIEWER,
        user=UserFactory(first_name="Sam", last_name="Scorer", email="sam@example.org"),
    )
    programme = ProgrammeFactory(organisation=organisation, name=PROGRAMME)
    cohort = CohortFactory(
        programme=programme, number=1, draft=True, capacity=2, reviews_per_application=1
    )
    CriterionFactory(cohort=cohort, position=1, name="Export readiness", weight=2)
    CriterionFactory(cohort=cohort, position=2, name="Growth potential", weight=1)
    cohort_url = f"/capital-trade/cohorts/{cohort.pk}/"

    # --- Open the cohort for applications ------------------------------------------------
    sign_in(page, manager.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/capital-trade/$"))
    sections = page.get_by_role("navigation", name="Organisation sections")
    sections.get_by_role("link", name="Cohorts").click()
    page.get_by_role("link", name=f"{PROGRAMME} – cohort 1").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(cohort_url)}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cohort 1")
    expect(page.get_by_text("This cohort is draft.")).to_be_visible()
    page.get_by_label("Note for the history").fill("Form approved by the panel")
    page.get_by_role("button", name="Move to “Open for applications”").click()
    expect_flash(page, "is now open for applications.")
    expect(page.get_by_text("This cohort is open for applications.")).to_be_visible()

    # The move is in the cohort's history, with who made it and the note.
    history = page.locator(".card").filter(
        has=page.get_by_role("heading", name="Status history", exact=True)
    )
    expect(history).to_contain_text(re.compile(r"Draft\s+to\s+Open for applications"))
    expect(history).to_contain_text("by Maya Manager")
    expect(history).to_contain_text("Form approved by the panel")

    # Companies apply (the SME journey covers applying through the pages).
    applications = [
        ApplicationFactory(
            cohort=cohort,
            submitted=True,
            company=CompanyMemberFactory(company__name=name).company,
        )
        for name in COMPANIES
    ]
    applicant_emails = {
        a.company.name: a.company.memberships.get().user.email for a in applications
    }

    # --- Share the applications out between two reviewers --------------------------------
    page.reload()
    page.get_by_role("link", name="Reviewers", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviewers")
    expect(page.get_by_text("Nobody reviews this cohort yet.")).to_be_visible()
    assign = page.locator("form").filter(has=page.get_by_role("button", name="Assign reviews"))
    assign.get_by_label(re.compile(r"^Rhea Reviewer")).check()
    assign.get_by_label(re.compile(r"^Sam Scorer")).check()
    assign.get_by_label("Reviews per application").fill("1")
    assign.get_by_role("button", name="Assign reviews").click()
    expect_flash(page, "3 reviews assigned")
    load = page.get_by_role("table", name="Reviews per reviewer in this cohort")
    expect(load.get_by_role("row").filter(has_text="Rhea Reviewer")).to_be_visible()
    expect(load.get_by_role("row").filter(has_text="Sam Scorer")).to_be_visible()
    # Evenly: three applications between two reviewers is two and one.
    assigned = sorted(
        int(load.get_by_role("row").filter(has_text=name).get_by_role("cell").first.inner_text())
        for name in ("Rhea Reviewer", "Sam Scorer")
    )
    assert assigned == [1, 2]
    expect(page.get_by_text("Every submitted application has 1 reviewer or more.")).to_be_visible()
    sign_out(page, manager.display_name)

    # --- The reviewer scores one application ---------------------------------------------
    sign_in(page, reviewer.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/capital-trade/$"))
    page.get_by_role("navigation", name="Organisation sections").get_by_role(
        "link", name="Reviews"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    todo = page.get_by_role("region", name=re.compile(r"^To do"))
    score_links = todo.get_by_role("link", name=re.compile(r"^Score "))
    expect(score_links.first).to_be_visible()
    score_links.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Review of "))
    scored_company = page.get_by_role("heading", level=1).inner_text().removeprefix("Review of ")
    assert scored_company in COMPANIES
    for criterion, score in (
        ("Export readiness", "4 Very good"),
        ("Growth potential", "5 Excellent"),
    ):
        group = page.get_by_role("group", name=re.compile(rf"^{criterion}"))
        group.get_by_text(score, exact=True).click()
        expect(group.get_by_label(score)).to_be_checked()
    page.get_by_label("Comments").fill("A credible plan for Germany; strong team.")
    page.get_by_role("button", name="Submit review").click()
    expect_flash(page, "Review submitted.")
    expect(page.get_by_role("table", name="Scores you gave")).to_contain_text("Export readiness")
    sign_out(page, reviewer.display_name)

    # --- The manager accepts two applications in bulk ------------------------------------
    sign_in(page, manager.email, PASSWORD)
    sections.get_by_role("link", name="Cohorts").click()
    page.get_by_role("link", name=f"{PROGRAMME} – cohort 1").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(cohort_url)}$"))
    page.get_by_role("link", name="Applications", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications")
    board = page.get_by_role("table", name=re.compile(r"^Applications to "))
    # The scored application ranks first, with its weighted mean (4×2 + 5×1) / 3.
    first = board.get_by_role("row").nth(1)
    expect(first).to_contain_text(scored_company)
    expect(first).to_contain_text("4.33")
    accepted = [scored_company, next(n for n in COMPANIES if n != scored_company)]
    for name in accepted:
        page.get_by_label(f"Select {name}").check()
    page.get_by_label("Decision for the ticked applications").select_option(label="Accept")
    page.get_by_role("button", name="Apply to ticked applications").click()
    dialog = page.get_by_role("dialog", name="Apply the decision?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Yes, apply it").click()
    expect_flash(page, "2 applications accepted; applicants will be e-mailed.")
    for name in accepted:
        expect(board.get_by_role("row").filter(has_text=name)).to_contain_text("Accepted")

    # --- The roster lists both companies -------------------------------------------------
    page.get_by_role("link", name="Roster", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Roster")
    roster = page.get_by_role("table", name=re.compile(r"^Companies enrolled in "))
    for name in accepted:
        expect(roster.get_by_role("row").filter(has_text=name)).to_contain_text("Taking part")
    left_out = next(n for n in COMPANIES if n not in accepted)
    expect(roster).not_to_contain_text(left_out)
    expect(page.get_by_text(re.compile(r"2\s+of 2 places taken"))).to_be_visible()

    # The accepted applicants were e-mailed the decision; the third was not.
    decided = {to for m in mail.outbox if "accepted" in m.subject for to in m.to}
    assert decided == {applicant_emails[name] for name in accepted}
