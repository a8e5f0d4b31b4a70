"""Fifty companies press "Register" at the same moment for the last twenty places of a
workshop, each through the event page as a founder would: exactly twenty get a place, the
other thirty are told the event is full and where they stand on the waitlist, and nobody
gets an error page.

Runs on PostgreSQL (real row locks, one connection per thread)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from activities.models import Registration
from portal.tenancy import scopes_disabled
from tests.factories import CompanyFactory, CompanyMemberFactory, EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PLACES_LEFT = 20
BOOKERS = 50


def test_fifty_companies_registering_for_twenty_places_at_once():
    with scopes_disabled():
        event = EventFactory(public=True, capacity=PLACES_LEFT + 5)
        for _ in range(5):
            RegistrationFactory(event=event)  # five places already taken
        founders = [CompanyMemberFactory(company=CompanyFactory()) for _ in range(BOOKERS)]
    url = reverse("my-activities:event-register", kwargs={"pk": event.pk})
    clients = []
    for member in founders:
        client = Client()
        client.force_login(member.user)
        clients.append((client, member.company_id))

    barrier = threading.Barrier(BOOKERS)
    results = [None] * BOOKERS

    def press_register(index):
        client, company_id = clients[index]
        try:
            barrier.wait()
            response = client.post(url, {"company": company_id}, follow=True)
            results[index] = (response.status_code, response.content.decode())
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=press_register, args=(i,)) for i in range(BOOKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [status for status, _ in results] == [200] * BOOKERS, results
    placed = [text for _, text in results if "has a place" in text]
    waitlisted = [text for _, text in results if "The event is full" in text]
    assert len(placed) == PLACES_LEFT
    assert len(waitlisted) == BOOKERS - PLACES_LEFT
    with scopes_disabled():
        statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count(Registration.Status.REGISTERED) == PLACES_LEFT + 5  # never overfilled
    assert statuses.count(Registration.Status.WAITLISTED) == BOOKERS - PLACES_LEFT
