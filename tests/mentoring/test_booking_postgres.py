"""Contention on PostgreSQL: twenty companies book the same mentor's slot at once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_scopes import scopes_disabled

from mentoring import booking
from mentoring.models import MentoringSession
from portal.tenancy import tenant_scope
from tests.factories import OrganisationFactory
from tests.mentoring.test_booking import NEXT_MONDAY_9, NOW, make_match

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:MentorProfileFactory._after_postgeneration"),
]

BOOKERS = 20


def run_together(functions):
    """Run each function in its own thread and DB connection, all starting at once."""
    barrier = threading.Barrier(len(functions))
    outcomes = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            outcomes[index] = ("ok", function())
        except ValidationError as exc:
            outcomes[index] = ("refused", exc.messages)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_twenty_companies_booking_the_same_slot_at_once_get_it_once():
    organisation = OrganisationFactory()
    first, founder = make_match(organisation, capacity=BOOKERS)
    pairs = [(first, founder)] + [
        make_match(organisation, mentor=first.mentor) for _ in range(BOOKERS - 1)
    ]

    def book(match, user):
        def go():
            with tenant_scope(organisation):
                return booking.session_book(
                    match=match,
                    starts_at=NEXT_MONDAY_9,
                    user=user,
                    place="Venture Centre",
                    now=NOW,
                ).pk

        return go

    outcomes = run_together([book(match, user) for match, user in pairs])
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok"] + ["refused"] * (BOOKERS - 1), outcomes
    assert all(
        messages == [booking.TAKEN_MESSAGE] for kind, messages in outcomes if kind == "refused"
    ), outcomes
    with scopes_disabled():
        assert MentoringSession.objects.filter(mentor=first.mentor).count() == 1
