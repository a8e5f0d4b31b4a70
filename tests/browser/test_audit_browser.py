"""The audit trail in a real browser: a manager records a decision and changes nothing else;
the organisation admin then finds the change, with the manager's e-mail, on the audit page and
on the application's own page."""

import pytest
from playwright.sync_api import expect

from portal.roles import Role
from portal.tenancy import tenant_scope
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CohortFactory,
    CompanyFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
)


@pytest.mark.django_db(transaction=True)
def test_a_decision_made_in_the_browser_shows_in_the_admins_audit_trail(page):
    organisation = OrganisationFactory(name="Capital Trade & Invest", slug="capital-trade")
    MembershipFactory(
        organisation=organisation,
        role=Role.PROGRAMME_MANAGER,
        user=UserFactory(first_name="Maya", last_name="Manager", email="maya@example.org"),
    )
    MembershipFactory(
        organisation=organisation,
        role=Role.ADMIN,
        user=UserFactory(first_name="Ada", last_name="Admin", email="ada@example.org"),
    )
    other = OrganisationFactory(name="Pennine Growth Hub", slug="pennine-growth")
    with tenant_scope(other):
        ApplicationFactory(
            cohort=CohortFactory(programme__organisation=other),
            company=CompanyFactory(name="Elsewhere Foods Ltd"),
            submitted=True,
        )
    with tenant_scope(organisation):
        programme = ProgrammeFactory(organisation=organisation, name="Go Global Accelerator")
        application = ApplicationFactory(
            cohort=CohortFactory(programme=programme, number=3),
            company=CompanyFactory(name="Acme Robotics Ltd"),
            submitted=True,
        )

    sign_in(page, "maya@example.org", PASSWORD)
    page.goto(f"/capital-trade/applications/{application.pk}/")
    page.get_by_role("combobox", name="Decision").select_option("accepted")
    page.get_by_label("Reason").fill("Strong export plan")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("alert").filter(has_text="Acme Robotics Ltd accepted")).to_be_visible()
    page.context.clear_cookies()

    sign_in(page, "ada@example.org", PASSWORD)
    page.goto("/capital-trade/")
    page.get_by_role("link", name="Audit trail").first.click()
    expect(page.get_by_role("heading", name="Audit trail", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="maya@example.org").filter(has_text="Accepted")
    expect(row.first).to_be_visible()
    expect(row.first).to_contain_text("Acme Robotics Ltd")
    expect(row.first).to_contain_text("Submitted")
    expect(page.get_by_text("Elsewhere Foods Ltd")).to_have_count(0)

    # Filtered to the manager, only their entries remain.
    page.get_by_label("Who (e-mail)").fill("maya@")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row").filter(has_text="ada@example.org")).to_have_count(0)
    expect(row.first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "audit-trail.png", full_page=True)

    # The application's own page shows the same change in its history.
    page.goto(f"/capital-trade/applications/{application.pk}/")
    history = page.locator(".record-history")
    expect(history).to_contain_text("by maya@example.org")
    expect(history).to_contain_text("Accepted")
    page.screenshot(path=ARTIFACTS / "audit-record-history.png", full_page=True)
