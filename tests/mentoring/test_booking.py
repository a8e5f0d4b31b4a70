"""Booking a mentor session: every refusal, clock changes, cancellations, reminders, the
booking page and the e-mails with their calendar invitation."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled
from icalendar import Calendar

from mentoring import booking, sessions
from mentoring.models import (
    MentoringSession,
    MentoringSettings,
    MentorMatch,
    SessionReminder,
)
from portal.models import OutgoingEmail
from portal.tenancy import tenant_scope
from tests.factories import (
    CompanyMemberFactory,
    EnrolmentFactory,
    MentorMatchFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    WeeklyAvailabilityFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:MentorProfileFactory._after_postgeneration"),
]

# "Now" in these tests: Monday 16 March 2026, 10:00 UTC (GMT; British Summer Time starts on
# Sunday 29 March 2026).
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
NEXT_MONDAY_9 = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)


def make_match(
    organisation,
    *,
    mentor=None,
    capacity=4,
    rate=Decimal("150.00"),
    budget=6,
    pay_mentee_no_show=True,
    agreed=True,
    minutes=60,
):
    """An active match of a new company in a new programme, the company's founder, and (for
    a new mentor) weekly hours on Mondays 09:00–17:00 London time."""
    programme = ProgrammeFactory(organisation=organisation)
    MentoringSettings.objects.create(
        organisation=organisation,
        programme=programme,
        sessions_per_company=budget,
        session_minutes=minutes,
        pay_mentee_no_show=pay_mentee_no_show,
    )
    enrolment = EnrolmentFactory(cohort__programme=programme)
    if mentor is None:
        mentor = MentorProfileFactory(
            organisation=organisation, capacity_per_month=capacity, rate_per_session=rate
        )
        WeeklyAvailabilityFactory(mentor=mentor, weekday=0)
    match = MentorMatchFactory(
        enrolment=enrolment, mentor=mentor, company_agreed_at=NOW if agreed else None
    )
    founder = CompanyMemberFactory(company=match.company).user
    return match, founder


def book(match, user, starts_at, **kwargs):
    kwargs.setdefault("online_link", "https://meet.example.org/abc")
    kwargs.setdefault("now", NOW)
    with tenant_scope(match.organisation):
        return booking.session_book(match=match, starts_at=starts_at, user=user, **kwargs)


def refusal(match, user, starts_at, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        book(match, user, starts_at, **kwargs)
    return " ".join(exc.value.messages)


# --- Refusals ------------------------------------------------------------------------------


def test_a_time_in_the_past_is_refused(organisation):
    match, founder = make_match(organisation)
    assert "in the past" in refusal(match, founder, NOW - timedelta(hours=1))


def test_a_time_outside_the_mentors_availability_is_refused(organisation):
    match, founder = make_match(organisation)
    tuesday = NEXT_MONDAY_9 + timedelta(days=1)
    assert "not available then" in refusal(match, founder, tuesday)
    evening = NEXT_MONDAY_9 + timedelta(hours=8, minutes=30)  # 17:30, past the hours
    assert "not available then" in refusal(match, founder, evening)


def test_a_booking_over_the_mentors_monthly_capacity_is_refused(organisation):
    first, founder = make_match(organisation, capacity=1)
    second, other_founder = make_match(organisation, mentor=first.mentor)
    book(first, founder, NEXT_MONDAY_9)
    message = refusal(second, other_founder, NEXT_MONDAY_9 + timedelta(hours=2))
    assert "no sessions left that month" in message
    # April is another month.
    book(second, other_founder, datetime(2026, 4, 6, 8, 0, tzinfo=UTC))


def test_a_booking_over_the_companys_budget_is_refused(organisation):
    match, founder = make_match(organisation, budget=1)
    book(match, founder, NEXT_MONDAY_9)
    message = refusal(match, founder, NEXT_MONDAY_9 + timedelta(hours=1))
    assert "used all 1 mentor sessions" in message


def test_a_company_without_an_active_match_is_refused(organisation):
    match, founder = make_match(organisation)
    MentorMatch.objects.with_scopes_disabled().filter(pk=match.pk).update(status="ended")
    assert "no active mentor match" in refusal(match, founder, NEXT_MONDAY_9)


def test_the_agreement_must_be_accepted_at_the_first_booking(organisation):
    match, founder = make_match(organisation, agreed=False)
    with pytest.raises(ValidationError) as exc:
        book(match, founder, NEXT_MONDAY_9)
    assert "accept_agreement" in exc.value.message_dict
    session = book(match, founder, NEXT_MONDAY_9, accept_agreement=True)
    assert session.status == MentoringSession.Status.BOOKED
    with scopes_disabled():
        assert MentorMatch.objects.get(pk=match.pk).company_agreed_at == NOW


def test_a_slot_taken_by_another_company_is_refused_with_the_taken_message(organisation):
    first, founder = make_match(organisation)
    second, other_founder = make_match(organisation, mentor=first.mentor)
    book(first, founder, NEXT_MONDAY_9)
    assert refusal(second, other_founder, NEXT_MONDAY_9) == booking.TAKEN_MESSAGE
    # An overlapping start is taken as well.
    overlapping = NEXT_MONDAY_9 + timedelta(minutes=30)
    assert refusal(second, other_founder, overlapping) == booking.TAKEN_MESSAGE


def test_a_cancelled_slot_can_be_booked_again(organisation):
    first, founder = make_match(organisation)
    second, other_founder = make_match(organisation, mentor=first.mentor)
    session = book(first, founder, NEXT_MONDAY_9)
    with tenant_scope(organisation):
        booking.session_cancel(session=session, by=founder, reason="Ill", side="company", now=NOW)
    assert book(second, other_founder, NEXT_MONDAY_9).company_id == second.company_id


# --- Time zones ----------------------------------------------------------------------------


def test_weekly_hours_keep_their_local_time_across_the_clock_change(organisation):
    match, founder = make_match(organisation)
    with tenant_scope(organisation):
        starts = booking.available_starts(
            match.mentor, minutes=60, start=date(2026, 3, 16), end=date(2026, 4, 14), now=NOW
        )
    march = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)  # 09:00 GMT
    april = datetime(2026, 4, 13, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert march in starts and april in starts
    assert datetime(2026, 4, 13, 7, 0, tzinfo=UTC) not in starts
    before = book(match, founder, march)
    after = book(match, founder, april)
    assert after.starts_at - before.starts_at == timedelta(days=21, hours=-1)
    import zoneinfo

    london = zoneinfo.ZoneInfo("Europe/London")
    assert before.starts_at.astimezone(london).hour == 9
    assert after.starts_at.astimezone(london).hour == 9
    # 08:30 BST is before the mentor's hours, although it is 07:30 UTC = "09:00 minus DST".
    assert "not available" in refusal(match, founder, datetime(2026, 4, 13, 7, 30, tzinfo=UTC))


# --- Cancellation --------------------------------------------------------------------------


def test_cancelling_more_than_24_hours_ahead_is_not_late(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    with tenant_scope(organisation):
        cancelled = booking.session_cancel(
            session=session, by=founder, reason="Trip", side="company", now=NOW
        )
    assert cancelled.status == MentoringSession.Status.CANCELLED
    assert cancelled.late_cancellation is False
    with scopes_disabled():
        assert all(r.cancelled for r in SessionReminder.objects.filter(session=session))


def test_cancelling_less_than_24_hours_ahead_is_late(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    with tenant_scope(organisation):
        cancelled = booking.session_cancel(
            session=session,
            by=founder,
            reason="Ill",
            side="company",
            now=NEXT_MONDAY_9 - timedelta(hours=3),
        )
    assert cancelled.late_cancellation is True


def test_cancelling_needs_a_reason_and_a_future_booked_session(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    with tenant_scope(organisation), pytest.raises(ValidationError) as exc:
        booking.session_cancel(session=session, by=founder, reason="  ", side="company", now=NOW)
    assert "reason" in exc.value.message_dict
    with tenant_scope(organisation), pytest.raises(ValidationError):
        booking.session_cancel(
            session=session,
            by=founder,
            reason="late",
            side="company",
            now=NEXT_MONDAY_9 + timedelta(minutes=5),
        )


# --- Reminders -----------------------------------------------------------------------------


def _reminder_emails():
    return OutgoingEmail.objects.filter(subject__startswith="Reminder")


def test_reminders_are_created_and_each_sent_once(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    with scopes_disabled():
        reminders = {r.kind: r.due_at for r in SessionReminder.objects.filter(session=session)}
    assert reminders == {
        "24h": NEXT_MONDAY_9 - timedelta(hours=24),
        "1h": NEXT_MONDAY_9 - timedelta(hours=1),
    }
    with scopes_disabled():
        with time_machine.travel(NEXT_MONDAY_9 - timedelta(hours=30), tick=False):
            assert sessions.reminders_dispatch() == 0
        with time_machine.travel(NEXT_MONDAY_9 - timedelta(hours=23), tick=False):
            assert sessions.reminders_dispatch() == 1
            assert sessions.reminders_dispatch() == 0
        # Both sides hear: the founder and the mentor.
        assert sorted(_reminder_emails().values_list("to", flat=True)) == sorted(
            [founder.email, match.mentor.user.email]
        )
        assert "tomorrow" in _reminder_emails().first().body
        with time_machine.travel(NEXT_MONDAY_9 - timedelta(minutes=50), tick=False):
            assert sessions.reminders_dispatch() == 1
            assert sessions.reminders_dispatch() == 0
        assert _reminder_emails().count() == 4
        assert not SessionReminder.objects.filter(session=session, sent_at__isnull=True).exists()


def test_a_reminder_of_a_cancelled_session_is_never_sent(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    with tenant_scope(organisation):
        booking.session_cancel(session=session, by=founder, reason="Trip", side="company", now=NOW)
    with scopes_disabled(), time_machine.travel(NEXT_MONDAY_9 - timedelta(minutes=30)):
        assert sessions.reminders_dispatch() == 0
    assert not _reminder_emails().exists()


def test_a_day_before_reminder_missed_while_the_worker_was_down_is_not_sent_late(organisation):
    match, founder = make_match(organisation)
    book(match, founder, NEXT_MONDAY_9)
    with scopes_disabled(), time_machine.travel(NEXT_MONDAY_9 - timedelta(minutes=30)):
        assert sessions.reminders_dispatch() == 1  # the hour-before one only
        assert "starts in an hour" in _reminder_emails().first().body


def test_the_periodic_task_sends_reminders_across_organisations(organisation, other_organisation):
    from mentoring.tasks import send_session_reminders

    make_match_and_book = [make_match(org) for org in (organisation, other_organisation)]
    for match, founder in make_match_and_book:
        book(match, founder, NEXT_MONDAY_9)
    with time_machine.travel(NEXT_MONDAY_9 - timedelta(minutes=30)):
        assert send_session_reminders() == 2


# --- The booking page and its e-mails ------------------------------------------------------


def _book_url(match):
    return reverse("my-mentoring:book", kwargs={"pk": match.pk})


@time_machine.travel(NOW, tick=False)
def test_the_booking_page_offers_four_weeks_of_times_in_the_organisations_zone(
    client, organisation
):
    match, founder = make_match(organisation, agreed=False)
    client.force_login(founder)
    response = client.get(_book_url(match))
    assert response.status_code == 200
    page = response.content.decode()
    assert "times in Europe/London" in page
    assert "Monday 23 March" in page and "Monday 13 April" in page
    assert 'value="2026-04-13T09:00:00+01:00"' in page  # BST shown as local 09:00
    assert "Monday 20 April" not in page  # beyond four weeks
    assert "mentoring agreement" in page


@time_machine.travel(NOW, tick=False)
def test_booking_in_the_browser_sends_both_sides_a_valid_invitation(client, organisation):
    organisation.contact_email = "mentoring@capital-trade.example"
    organisation.save()
    match, founder = make_match(organisation, agreed=False)
    client.force_login(founder)
    response = client.post(
        _book_url(match),
        {
            "starts_at": "2026-04-13T09:00:00+01:00",
            "online_link": "https://meet.example.org/abc",
            "accept_agreement": "on",
        },
    )
    with scopes_disabled():
        session = MentoringSession.objects.get(match=match)
    assert response.status_code == 302
    assert response["Location"] == reverse("my-mentoring:session", kwargs={"pk": session.pk})
    assert session.starts_at == datetime(2026, 4, 13, 8, 0, tzinfo=UTC)
    assert session.fee == Decimal("150.00")
    emails = OutgoingEmail.objects.filter(subject__startswith="Mentor session booked")
    assert sorted(emails.values_list("to", flat=True)) == sorted(
        [founder.email, match.mentor.user.email]
    )
    for email in emails:
        (attachment,) = email.attachments
        assert attachment["name"] == "session.ics"
        calendar = Calendar.from_ical(attachment["content"])
        assert str(calendar["METHOD"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("DTSTART") == datetime(2026, 4, 13, 8, 0, tzinfo=UTC)
        assert event.decoded("DTEND") == datetime(2026, 4, 13, 9, 0, tzinfo=UTC)
        assert "DTSTART:20260413T080000Z" in attachment["content"]
        assert str(event["ORGANIZER"]) == "mailto:mentoring@capital-trade.example"
        assert str(event["URL"]) == "https://meet.example.org/abc"
        assert str(event["UID"]) == sessions.session_uid(session)
        assert "Mon 13 Apr 2026, 09:00 (Europe/London)" in email.subject
    # The page's own download carries the same UID, so calendars update one entry.
    ics = client.get(reverse("my-mentoring:session-ics", kwargs={"pk": session.pk}))
    assert ics["Content-Type"].startswith("text/calendar")
    assert "attachment" in ics["Content-Disposition"]
    assert str(Calendar.from_ical(ics.content).walk("VEVENT")[0]["UID"]) == sessions.session_uid(
        session
    )


@time_machine.travel(NOW, tick=False)
def test_a_taken_time_keeps_the_page_with_fresh_times_and_the_typed_place(client, organisation):
    first, founder = make_match(organisation)
    second, other_founder = make_match(organisation, mentor=first.mentor)
    book(first, founder, NEXT_MONDAY_9)
    client.force_login(other_founder)
    response = client.post(
        _book_url(second),
        {"starts_at": "2026-03-23T09:00:00+00:00", "place": "Room 4, Venture Centre"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "That time has just been taken" in page
    assert 'value="2026-03-23T09:00:00+00:00"' not in page  # no longer offered
    assert 'value="2026-03-23T10:00:00+00:00"' in page
    assert "Room 4, Venture Centre" in page


@time_machine.travel(NOW, tick=False)
def test_booking_errors_show_by_their_field(client, organisation):
    match, founder = make_match(organisation, agreed=False)
    client.force_login(founder)
    response = client.post(_book_url(match), {"starts_at": "2026-03-23T09:00:00+00:00"})
    assert response.status_code == 400
    assert "Give an online meeting link or a place" in response.content.decode()
    response = client.post(
        _book_url(match), {"starts_at": "2026-03-23T09:00:00+00:00", "place": "Cafe"}
    )
    assert response.status_code == 400
    assert "accept the mentoring agreement" in response.content.decode()
    response = client.post(_book_url(match), {"starts_at": "tomorrow", "place": "Cafe"})
    assert response.status_code == 400
    assert "Choose one of the times shown" in response.content.decode()
    with scopes_disabled():
        assert not MentoringSession.objects.exists()


def test_another_companys_match_cannot_be_booked(client, organisation):
    match, _founder = make_match(organisation)
    stranger = CompanyMemberFactory().user
    client.force_login(stranger)
    assert client.get(_book_url(match)).status_code == 404
    assert client.post(_book_url(match), {"starts_at": "x"}).status_code == 404
