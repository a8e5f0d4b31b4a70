"""The workshop journey in a real browser: an SME registers for a workshop with one place
left, a second company finds it full and joins the waitlist, the first cancels, the
waitlisted company is promoted and e-mailed a calendar invitation, and on the day a member
of staff marks attendance from a phone."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from activities.models import Event, Registration
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.browser.conftest import sign_in
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
)

FIRST_EMAIL = "amara@lumengrid.example.org"
SECOND_EMAIL = "tomas@brightfold.example.org"
MANAGER_EMAIL = "priya@capitaltrade.example.org"
FIRST = "Lumengrid Ltd"
SECOND = "Brightfold Ltd"
TITLE = "Pricing for international growth"
PHONE = {"width": 390, "height": 844}


def expect_flash(page, text):
    flash = page.get_by_role("alert").filter(has_text=text)
    expect(flash).to_have_count(1)


def _open_event(page):
    page.goto("/my/events/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshops and events")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)


@pytest.mark.django_db(transaction=True)
def test_register_waitlist_promote_and_mark_attendance(page):
    # --- Arrange: a cohort of two companies and a workshop with one place ------------------
    organisation = OrganisationFactory(
        name="Capital Trade & Invest", slug="capital-trade", time_zone="Europe/London"
    )
    programme = ProgrammeFactory(organisation=organisation, name="International Business")
    cohort = CohortFactory(programme=programme, running=True)
    people = {}
    for name, email in ((FIRST, FIRST_EMAIL), (SECOND, SECOND_EMAIL)):
        company = CompanyFactory(name=name)
        people[name] = CompanyMemberFactory(company=company, user=UserFactory(email=email)).user
        EnrolmentFactory(cohort=cohort, company=company)
    MembershipFactory(
        organisation=organisation,
        role=Role.PROGRAMME_MANAGER,
        user=UserFactory(email=MANAGER_EMAIL),
    )
    starts = timezone.now() + timedelta(days=3)
    event = EventFactory(
        programme=programme,
        audience="cohort",
        cohort=cohort,
        title=TITLE,
        capacity=1,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        time_zone="Europe/London",
    )

    # --- The first company takes the only place ---------------------------------------------
    sign_in(page, FIRST_EMAIL, PASSWORD)
    _open_event(page)
    answer = page.get_by_role("region", name="Your answer")
    expect(answer).to_contain_text(FIRST)
    answer.get_by_role("button", name="Register").click()
    expect_flash(page, f"{FIRST} has a place")
    expect(page.get_by_role("region", name="Your answer")).to_contain_text("You have a place")

    # --- The second finds it full and joins the waitlist --------------------------------------
    page.context.clear_cookies()
    sign_in(page, SECOND_EMAIL, PASSWORD)
    _open_event(page)
    expect(page.get_by_role("region", name="Details")).to_contain_text("Full")
    page.get_by_role("button", name="Join the waitlist").click()
    expect_flash(page, f"{SECOND} is on the waitlist (number 1)")
    expect(page.get_by_role("region", name="Your answer")).to_contain_text(
        "Number 1 on the waitlist"
    )

    # --- The first cancels; the second is promoted and e-mailed -----------------------------
    page.context.clear_cookies()
    sign_in(page, FIRST_EMAIL, PASSWORD)
    _open_event(page)
    # Giving up a place that the waitlist will take is asked about first.
    page.get_by_role("button", name="Cancel my place").click()
    confirm = page.get_by_role("button", name="Give up the place")
    expect(confirm).to_be_visible()
    expect(page.get_by_role("region", name="Your answer")).to_contain_text(
        "The place goes straight to the next company on the waitlist"
    )
    confirm.click()
    expect_flash(page, f"{FIRST}'s registration is cancelled")

    promoted = [m for m in mail.outbox if SECOND_EMAIL in m.to and "You have a place" in m.subject]
    assert len(promoted) == 1, [(m.to, m.subject) for m in mail.outbox]
    (invitation,) = [a for a in promoted[0].attachments if a[0].endswith(".ics")]
    calendar = Calendar.from_ical(invitation[1])
    assert str(calendar["method"]) == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("dtstart") == starts.replace(microsecond=0)

    page.context.clear_cookies()
    sign_in(page, SECOND_EMAIL, PASSWORD)
    _open_event(page)
    answer = page.get_by_role("region", name="Your answer")
    expect(answer).to_contain_text("You have a place")
    expect(answer.get_by_role("button", name="Cancel my place")).to_be_visible()

    # --- The day comes: staff mark attendance from a phone ------------------------------------
    now = timezone.now()
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(
            starts_at=now - timedelta(minutes=20), ends_at=now + timedelta(hours=1)
        )
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in(page, MANAGER_EMAIL, PASSWORD)
    page.goto(f"/{organisation.slug}/events/{event.pk}/")
    page.get_by_role("link", name="Attendance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance")
    expect(page.locator("#attendance-count")).to_contain_text("0 of 1 marked")
    attended = page.get_by_role("button", name=f"{SECOND} attended")
    box = attended.bounding_box()
    # A tap target a thumb can hit, and both buttons side by side within the screen.
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"], box
    url_before = page.url
    attended.click()
    row = page.locator("li.card").filter(has_text=SECOND)
    expect(row.locator(".attendance-state")).to_have_text("Attended")
    expect(page.get_by_role("button", name=f"{SECOND} attended")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#attendance-count")).to_contain_text("1 attended · 1 of 1 marked")
    assert page.url == url_before  # marked in place, no page load
    with scopes_disabled():
        registration = Registration.objects.get(event=event, company__name=SECOND)
        assert registration.attendance == "attended"
        assert Registration.objects.get(event=event, company__name=FIRST).status == "cancelled"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
