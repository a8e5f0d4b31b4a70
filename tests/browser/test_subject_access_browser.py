"""Subject access in a real browser: a founder finds the privacy page in the user menu,
asks for a copy, opens it and downloads the ZIP."""

import io
import os
import zipfile

import pytest
from playwright.sync_api import expect

from cohorts.models import CompanyMember
from tests.browser.test_sme_journey import expect_flash
from tests.factories import PASSWORD, CompanyFactory, UserFactory

SHOTS = os.environ.get("SCREENSHOTS_DIR")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _shot(browser_page, name):
    if SHOTS:
        browser_page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_founder_downloads_a_copy_of_their_data(page):
    founder = UserFactory(email="ada@example.org", first_name="Ada", last_name="Byron")
    company = CompanyFactory(name="Analytical Engines Ltd")
    CompanyMember.objects.create(company=company, user=founder)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(founder.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.get_by_role("button", name="Ada Byron").click()
    page.get_by_role("link", name="Your data and privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data and privacy")
    _shot(page, "privacy-overview-empty")

    page.get_by_role("button", name="Ask for a copy").click()
    expect_flash(page, "We are preparing a copy of your data")
    # Tasks run in-process here, so the copy is ready by the time the page comes back.
    row = page.get_by_role("row").filter(has_text="Ready")
    expect(row).to_have_count(1)
    _shot(page, "privacy-overview-ready")

    row.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your data, asked for on")
    _shot(page, "privacy-export-ready")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the ZIP").click()
    download = info.value
    assert download.suggested_filename.startswith("scaleup-portal-data-")
    with open(download.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert "Analytical Engines Ltd" in archive.read("companies.json").decode()
