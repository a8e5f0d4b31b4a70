"""Contention on PostgreSQL: companies asking for the last place of an event at the same
moment. The row lock on the Event serialises them: exactly one gets the place, the others
are waitlisted in order, and nobody gets an error."""

import pytest

from activities import events as services
from activities.models import Registration
from portal.models import OutgoingEmail
from portal.tenancy import scopes_disabled, tenant_scope
from tests.concurrency import run_together
from tests.factories import CompanyFactory, CompanyMemberFactory, EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _contenders(n):
    return [
        (company, CompanyMemberFactory(company=company).user)
        for company in (CompanyFactory() for _ in range(n))
    ]


def _register(event, company, user):
    def go():
        with tenant_scope(event.organisation):
            return services.registration_register(event=event, company=company, user=user).status

    return go


@pytest.mark.parametrize("contenders", [2, 8])
def test_simultaneous_registrations_for_the_last_place(contenders):
    event = EventFactory(public=True, capacity=3)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event)  # one place left
    people = _contenders(contenders)

    outcomes = run_together([_register(event, company, user) for company, user in people])

    assert sorted(outcomes) == sorted(
        [("ok", "registered")] + [("ok", "waitlisted")] * (contenders - 1)
    ), outcomes
    with scopes_disabled():
        rows = Registration.objects.filter(event=event)
        assert rows.filter(status="registered").count() == 3
        waiting = list(rows.filter(status="waitlisted").order_by("waitlisted_at", "pk"))
        assert len(waiting) == contenders - 1
        assert OutgoingEmail.objects.filter(subject__startswith="Your place").count() == 1
        positions = [services.waitlist_position(r) for r in waiting]
        assert positions == list(range(1, contenders))


def test_cancel_and_register_at_once_never_overfill():
    """A company gives up its place while others ask for it: the freed place goes to exactly
    one company, whichever order the transactions take."""
    event = EventFactory(public=True, capacity=1)
    holder = RegistrationFactory(event=event)
    waiting_company, waiting_user = _contenders(1)[0]
    with tenant_scope(event.organisation):
        services.registration_register(event=event, company=waiting_company, user=waiting_user)
    newcomers = _contenders(4)

    def cancel():
        with tenant_scope(event.organisation):
            return services.registration_cancel(registration=holder)[0].status

    outcomes = run_together([cancel] + [_register(event, c, u) for c, u in newcomers])

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    with scopes_disabled():
        (placed,) = Registration.objects.filter(event=event, status="registered")
        # The company already waiting was first in line.
        assert placed.company == waiting_company
        assert Registration.objects.filter(event=event, status="waitlisted").count() == 4
