"""First journey in a real browser: a member signs in and reaches their dashboard."""

import re

import pytest
from playwright.sync_api import expect

from portal.roles import Role
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory


@pytest.mark.django_db(transaction=True)
def test_manager_signs_in_and_reaches_dashboard(page):
    organisation = OrganisationFactory(name="Capital Trade & Invest", slug="capital-trade")
    member = MembershipFactory(organisation=organisation, role=Role.PROGRAMME_MANAGER)

    sign_in(page, member.user.email, PASSWORD)

    expect(page).to_have_url(re.compile(r"/capital-trade/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme management")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Capital Trade & Invest")
