"""Rules added after the review of the mentoring work."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from mentoring import booking, sessions
from mentoring.matching import score
from mentoring.models import MentoringSession, MentorProfile
from mentoring.selectors_sessions import attendance_by_company
from portal.tenancy import tenant_scope
from tests.mentoring.test_booking import NEXT_MONDAY_9, NOW, book, make_match, refusal
from tests.mentoring.test_matching_score import COMPANY, MENTOR

pytestmark = pytest.mark.django_db


def test_only_offered_start_times_can_be_booked(organisation):
    match, founder = make_match(organisation)
    assert "not available then" in refusal(
        match, founder, NEXT_MONDAY_9 + timedelta(minutes=17)
    ) or "taken" in refusal(match, founder, NEXT_MONDAY_9 + timedelta(minutes=17))
    book(match, founder, NEXT_MONDAY_9)


def test_a_mentor_taken_off_the_list_cannot_be_booked(organisation):
    match, founder = make_match(organisation)
    with tenant_scope(organisation):
        MentorProfile.objects.filter(pk=match.mentor_id).update(status="inactive")
    match.mentor.refresh_from_db()
    assert "not taking bookings" in refusal(match, founder, NEXT_MONDAY_9)


def test_too_far_ahead_is_refused(organisation):
    match, founder = make_match(organisation)
    assert "too far ahead" in refusal(match, founder, NEXT_MONDAY_9 + timedelta(days=400))


def test_hostile_times_on_the_booking_page_are_a_form_error(client, organisation):
    match, founder = make_match(organisation, agreed=True)
    client.force_login(founder)
    url = reverse("my-mentoring:book", kwargs={"pk": match.pk})
    for value in ("0001-01-01T00:30:00+05:00", "9999-12-31T23:30:00+00:00", "not a time"):
        response = client.post(url, {"starts_at": value, "online_link": "https://x.example"})
        assert response.status_code == 400, value


def test_a_late_cancellation_counts_against_the_side_that_cancelled(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    with tenant_scope(organisation):
        sessions.session_cancel_and_notify(
            session=session,
            by=match.mentor.user,
            reason="Ill",
            by_mentor=True,
            now=NEXT_MONDAY_9 - timedelta(hours=2),
        )
        row = attendance_by_company(organisation=organisation).get(company_id=match.company_id)
    assert row["late_cancellations"] == 0
    session.refresh_from_db()
    assert session.cancelled_side == MentoringSession.Side.MENTOR and session.late_cancellation


def test_staff_cancelling_is_never_late(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    with tenant_scope(organisation):
        cancelled = booking.session_cancel(
            session=session,
            by=founder,
            reason="Room closed",
            side="staff",
            now=NEXT_MONDAY_9 - timedelta(hours=1),
        )
    assert cancelled.late_cancellation is False


def test_a_mentor_with_as_many_companies_as_monthly_sessions_is_not_proposed():
    from dataclasses import replace

    full_book = replace(MENTOR, capacity=3, load_this_month=0, active_matches=3)
    assert "as many companies" in score(COMPANY, full_book).reason


def test_the_previous_mentor_bonus_needs_a_fit():
    from dataclasses import replace

    unfit = replace(MENTOR, expertise=())
    company = replace(COMPANY, previous_mentor_ids=frozenset({unfit.id}))
    result = score(company, unfit)
    assert "Worked together before" not in [r["factor"] for r in result.reasons]


def test_booking_at_the_exact_instant_stays_the_same_across_zones(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, datetime(2026, 3, 23, 9, 0, tzinfo=UTC))
    assert session.starts_at == NEXT_MONDAY_9
    assert session.starts_at > NOW
