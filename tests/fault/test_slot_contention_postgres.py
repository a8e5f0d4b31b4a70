"""Fifty companies press "Book" at the same moment for twenty free times of one mentor, each
through the booking page as a founder would: exactly twenty sessions are booked, everyone
else sees the clear "taken" message and a fresh list of times, and nobody gets an error page.

Runs on PostgreSQL (real row locks, one connection per thread)."""

import html
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring import booking
from mentoring.models import AvailabilitySlot, MentoringSession
from portal.tenancy import scopes_disabled
from tests.factories import MentorProfileFactory, OrganisationFactory
from tests.mentoring.test_booking import make_match

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:MentorProfileFactory._after_postgeneration"),
]

SLOTS = 20
BOOKERS = 50


def _twenty_free_hours(mentor):
    """One window of twenty one-hour sessions, a week from now (whole hours, UTC)."""
    day = (timezone.now() + timedelta(days=7)).date()
    first = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    AvailabilitySlot.objects.create(
        organisation=mentor.organisation,
        mentor=mentor,
        starts_at=first,
        ends_at=first + timedelta(hours=SLOTS),
    )
    return [first + timedelta(hours=n) for n in range(SLOTS)]


def test_fifty_founders_booking_twenty_times_at_once_get_twenty_sessions():
    organisation = OrganisationFactory()
    with scopes_disabled():
        mentor = MentorProfileFactory(
            organisation=organisation, capacity_per_month=BOOKERS * 2, time_zone="UTC"
        )
        starts = _twenty_free_hours(mentor)
        founders = [make_match(organisation, mentor=mentor) for _ in range(BOOKERS)]

    clients = []
    for match, user in founders:
        client = Client()
        client.force_login(user)
        clients.append((client, reverse("my-mentoring:book", kwargs={"pk": match.pk})))

    barrier = threading.Barrier(BOOKERS)
    results = [None] * BOOKERS

    def press_book(index):
        client, url = clients[index]
        try:
            barrier.wait()
            response = client.post(
                url,
                {"starts_at": starts[index % SLOTS].isoformat(), "place": "Venture Centre"},
            )
            results[index] = (response.status_code, response.content.decode())
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=press_book, args=(i,)) for i in range(BOOKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = [status for status, _ in results]
    assert statuses.count(302) == SLOTS, statuses
    refused = [text for status, text in results if status == 400]
    assert len(refused) == BOOKERS - SLOTS, statuses
    # The loser gets the form back (400) with what happened next to the time they chose.
    assert all(html.escape(booking.TAKEN_MESSAGE) in text for text in refused)
    with scopes_disabled():
        booked = sorted(
            MentoringSession.objects.filter(mentor=mentor).values_list("starts_at", flat=True)
        )
    assert booked == starts  # each of the twenty times booked once, none twice
