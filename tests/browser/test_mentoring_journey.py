"""The mentoring journey in a real browser: an SME with a mentor match books a session
(accepting the mentoring agreement), receives the booking e-mail with a valid .ics
invitation, the mentor records the session as held, and the mentor's fee claim for the month
shows the fee."""

import re
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from mentoring.models import MentoringSession, MentoringSettings
from portal.tenancy import scopes_disabled
from tests.browser.conftest import sign_in
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    MentorMatchFactory,
    MentorProfileFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    WeeklyAvailabilityFactory,
)

SME_EMAIL = "founder@kitelabs.example.org"
MENTOR_EMAIL = "hannah@mentors.example.org"
COMPANY = "Kite Labs Ltd"
MENTOR_NAME = "Hannah Lewis"
ORG_ZONE = "Europe/London"
# The mentor publishes her hours in her own zone, an hour ahead of the organisation's.
MENTOR_ZONE = "Europe/Berlin"
RATE = Decimal("175.00")
LINK = "https://meet.example.org/kite-labs-hannah"


def expect_flash(page, text):
    flash = page.get_by_role("alert").filter(has_text=text)
    expect(flash).to_have_count(1)
    expect(flash).to_be_visible()


def _previous_month_day(today: date) -> date:
    """Yesterday, unless that is still this month: then the 15th of the previous month. A
    claim can only be built for a month that has ended."""
    yesterday = today - timedelta(days=1)
    if yesterday.month != today.month:
        return yesterday
    last_of_previous = today.replace(day=1) - timedelta(days=1)
    return last_of_previous.replace(day=15)


@pytest.mark.django_db(transaction=True)
def test_sme_books_mentor_records_and_claims(page):
    # --- Arrange: a programme with mentoring, a running cohort, an active match ------------
    organisation = OrganisationFactory(
        name="Capital Trade & Invest", slug="capital-trade", time_zone=ORG_ZONE
    )
    programme = ProgrammeFactory(organisation=organisation, name="International Business")
    MentoringSettings.objects.create(
        organisation=organisation,
        programme=programme,
        sessions_per_company=6,
        session_minutes=60,
        pay_mentee_no_show=False,
    )
    cohort = CohortFactory(programme=programme, number=3, running=True)
    company = CompanyFactory(name=COMPANY)
    founder = CompanyMemberFactory(
        company=company, user=UserFactory(email=SME_EMAIL, first_name="Amara")
    ).user
    enrolment = EnrolmentFactory(cohort=cohort, company=company)
    mentor = MentorProfileFactory(
        organisation=organisation,
        user=UserFactory(email=MENTOR_EMAIL, first_name="Hannah", last_name="Lewis"),
        time_zone=MENTOR_ZONE,
        rate_per_session=RATE,
        capacity_per_month=8,
    )
    # Weekly hours on the next two days of the mentor's week, so the first offered time is
    # tomorrow at 09:00 her time, whatever day the test runs.
    mentor_zone = zoneinfo.ZoneInfo(MENTOR_ZONE)
    tomorrow = timezone.now().astimezone(mentor_zone).date() + timedelta(days=1)
    for day in (tomorrow, tomorrow + timedelta(days=1)):
        WeeklyAvailabilityFactory(
            mentor=mentor, weekday=day.weekday(), start_time=time(9), end_time=time(17)
        )
    match = MentorMatchFactory(enrolment=enrolment, mentor=mentor)
    assert match.mentor_agreed_at is not None and match.company_agreed_at is None
    expected_start = datetime.combine(tomorrow, time(9), tzinfo=mentor_zone)
    org_zone = zoneinfo.ZoneInfo(ORG_ZONE)

    # --- The SME books a session ------------------------------------------------------------
    sign_in(page, SME_EMAIL, PASSWORD)
    page.goto("/my/mentoring/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My mentoring")
    card = page.locator(".card").filter(has_text=MENTOR_NAME).first
    expect(card).to_contain_text(COMPANY)
    card.get_by_role("link", name=re.compile(r"^Book a session")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Book a session with {MENTOR_NAME}")

    first = page.locator('input[name="starts_at"]').first
    offered = datetime.fromisoformat(first.get_attribute("value"))
    assert offered == expected_start, (offered, expected_start)
    # Shown in the organisation's time zone: 09:00 in Berlin is 08:00 in London.
    label = page.locator(f'label[for="{first.get_attribute("id")}"]')
    expect(label).to_contain_text(expected_start.astimezone(org_zone).strftime("%H:%M"))
    label.click()
    expect(first).to_be_checked()
    page.get_by_label("Online meeting link").fill(LINK)
    page.get_by_label(re.compile(r"I accept the mentoring agreement")).check()
    page.get_by_role("button", name="Book the session").click()

    expect(page).to_have_url(re.compile(r"/my/mentoring/sessions/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Session with {MENTOR_NAME}")
    expect_flash(page, f"Booked: {MENTOR_NAME}")
    details = page.get_by_role("region", name="Details")
    expect(details).to_contain_text("Booked")
    expect(details).to_contain_text(LINK)
    local = expected_start.astimezone(org_zone)
    expect(details).to_contain_text(f"{local:%A} {local.day} {local:%B %Y, %H:%M}")
    session_id = int(re.search(r"/sessions/(\d+)/$", page.url).group(1))

    # The founder's e-mail carries an invitation that calendars accept, at the booked time.
    booked = [m for m in mail.outbox if SME_EMAIL in m.to and "booked" in m.subject.lower()]
    assert len(booked) == 1, [(m.to, m.subject) for m in mail.outbox]
    invitations = [a for a in booked[0].attachments if a[0].endswith(".ics")]
    assert len(invitations) == 1, booked[0].attachments
    name, content, mimetype = invitations[0][:3]
    assert mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    assert str(calendar.get("method")) == "REQUEST"
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    assert events[0].decoded("dtstart") == expected_start
    assert events[0].decoded("dtend") == expected_start + timedelta(minutes=60)
    assert LINK in str(events[0].get("location"))
    assert any(MENTOR_EMAIL in m.to for m in mail.outbox if "booked" in m.subject.lower())
    with scopes_disabled():
        match.refresh_from_db()
        assert match.company_agreed_at is not None
        assert MentoringSession.objects.get(pk=session_id).booked_by == founder

    # --- Time passes: the session took place in a month that has ended -----------------------
    held_day = _previous_month_day(timezone.now().astimezone(org_zone).date())
    held_at = datetime.combine(held_day, time(10), tzinfo=org_zone)
    with scopes_disabled():
        MentoringSession.objects.filter(pk=session_id).update(
            starts_at=held_at, ends_at=held_at + timedelta(minutes=60)
        )

    # --- The mentor records it as held -----------------------------------------------------
    page.context.clear_cookies()
    sign_in(page, MENTOR_EMAIL, PASSWORD)
    page.goto(f"/{organisation.slug}/")
    sections = page.get_by_role("navigation", name="Organisation sections")
    sections.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My sessions")
    to_record = page.get_by_role("region", name=re.compile(r"^To record"))
    expect(to_record).to_contain_text(COMPANY)
    to_record.get_by_role("link", name=re.compile(r"^Record")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{COMPANY} with {MENTOR_NAME}")
    page.get_by_label("Held").check()
    page.get_by_label("Notes").fill("Planned the US launch; agreed the first hires.")
    page.get_by_label("Action", exact=True).fill("Send the US hiring plan")
    page.get_by_role("button", name="Save the record").click()
    expect_flash(page, "The session's record is saved.")
    with scopes_disabled():
        recorded = MentoringSession.objects.get(pk=session_id)
        assert recorded.status == MentoringSession.Status.HELD
        assert [a.text for a in recorded.actions.all()] == ["Send the US hiring plan"]

    # --- The mentor builds the month's fee claim and sees the fee --------------------------
    sections = page.get_by_role("navigation", name="Organisation sections")
    sections.get_by_role("link", name="Fee claims").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My fee claims")
    month = f"{held_day:%B %Y}"
    page.get_by_label("Month", exact=True).select_option(label=month)
    page.get_by_role("button", name="Build or refresh the claim").click()
    # (The flash prints the service's unrounded total: "£175" on SQLite, "£175.00" on
    # PostgreSQL; the page itself shows pounds and pence.)
    expect_flash(page, re.compile(rf"Your claim for {month}: 1 session, £{RATE:.0f}(\.00)?\."))
    expect(page.get_by_role("heading", level=1)).to_contain_text(month)
    expect(page.get_by_role("main")).to_contain_text(f"£{RATE}")
    row = page.get_by_role("row").filter(has_text=COMPANY)
    expect(row).to_contain_text(f"£{RATE}")
    with scopes_disabled():
        claimed = MentoringSession.objects.select_related("claim").get(pk=session_id).claim
        assert claimed is not None
        assert claimed.amount == RATE and claimed.session_count == 1
