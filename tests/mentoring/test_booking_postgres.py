"""Contention on PostgreSQL: twenty companies book the same mentor's slot at once."""

import pytest
from django_scopes import scopes_disabled

from mentoring import booking
from mentoring.models import MentoringSession
from portal.tenancy import tenant_scope
from tests.concurrency import run_together
from tests.factories import OrganisationFactory
from tests.mentoring.test_booking import NEXT_MONDAY_9, NOW, make_match

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:MentorProfileFactory._after_postgeneration"),
]

BOOKERS = 20


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
