"""Selection under contention on PostgreSQL: managers deciding at the same moment (threads with
their own connections, released together) never select more companies than the places."""

import pytest

from activities import missions
from activities.models import MissionDelegate
from portal.tenancy import scopes_disabled, tenant_scope
from tests.concurrency import run_together
from tests.factories import (
    CohortFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    MissionDelegateFactory,
    ProgrammeFactory,
    TradeMissionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _selected(mission):
    with scopes_disabled():
        return MissionDelegate.objects.filter(mission=mission, status="selected").count()


def _decide(mission, delegates):
    def go():
        with tenant_scope(mission.organisation):
            missions.delegates_decide(
                mission=mission, delegates=delegates, decision="selected", by=None, notify=False
            )
            return [d.pk for d in delegates]

    return go


def test_two_managers_selecting_for_the_last_place_fill_it_once():
    mission = TradeMissionFactory(places=1)
    delegates = [MissionDelegateFactory(mission=mission) for _ in range(2)]
    outcomes = run_together([_decide(mission, [d]) for d in delegates])
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert _selected(mission) == 1


def test_many_bulk_selections_at_once_never_exceed_the_places():
    mission = TradeMissionFactory(places=5)
    delegates = [MissionDelegateFactory(mission=mission) for _ in range(12)]
    # Six managers, each ticking two companies (the batches overlap in pairs of places).
    batches = [delegates[i : i + 2] for i in range(0, 12, 2)]
    outcomes = run_together([_decide(mission, batch) for batch in batches])
    assert all(kind in ("ok", "refused") for kind, _ in outcomes), outcomes
    assert sum(kind == "ok" for kind, _ in outcomes) == 2  # 2 + 2, then only 1 left
    assert _selected(mission) == 4


def test_staff_additions_racing_for_the_last_place():
    programme = ProgrammeFactory()
    mission = TradeMissionFactory(programme=programme, places=1)
    cohort = CohortFactory(programme=programme, running=True)
    companies = [CompanyMemberFactory().company for _ in range(3)]
    for company in companies:
        EnrolmentFactory(cohort=cohort, company=company)

    def add(company):
        def go():
            with tenant_scope(mission.organisation):
                return missions.delegate_add(mission=mission, company=company, by=None).status

        return go

    outcomes = run_together([add(c) for c in companies])
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused", "refused"], outcomes
    assert _selected(mission) == 1
