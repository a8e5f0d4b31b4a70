"""Contention on PostgreSQL: real transactions in threads, released together by a barrier."""

import pytest

from cohorts import services
from cohorts.models import Application, Enrolment, Review
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from tests.concurrency import run_together
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_managers_accepting_for_the_last_place_fill_it_once():
    cohort = CohortFactory(capacity=1)
    managers = [
        MembershipFactory(organisation=cohort.organisation, role=Role.PROGRAMME_MANAGER).user
        for _ in range(2)
    ]
    apps = [ApplicationFactory(cohort=cohort, submitted=True) for _ in range(2)]

    def accept(app, manager):
        def go():
            with tenant_scope(cohort.organisation):
                return services.application_decide(
                    application=app, decision="accepted", by=manager, notify=False
                ).status

        return go

    outcomes = run_together([accept(apps[0], managers[0]), accept(apps[1], managers[1])])
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    with scopes_disabled():
        assert Enrolment.objects.filter(cohort=cohort, status="active").count() == 1


def test_double_submit_from_two_tabs_records_one_submission():
    cohort = CohortFactory()
    founder = CompanyMemberFactory()
    app = ApplicationFactory(cohort=cohort, company=founder.company)

    def submit():
        with tenant_scope(cohort.organisation):
            return services.application_submit(application=app, user=founder.user).status

    outcomes = run_together([submit] * 4)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    with scopes_disabled():
        assert Application.objects.get(pk=app.pk).status_changes.count() == 1


def test_reviewers_racing_for_the_last_pool_slot():
    cohort = CohortFactory(reviews_per_application=1)
    app = ApplicationFactory(cohort=cohort, submitted=True)
    reviewers = [
        MembershipFactory(organisation=cohort.organisation, role=Role.REVIEWER).user
        for _ in range(5)
    ]

    def pick(user):
        def go():
            with tenant_scope(cohort.organisation):
                return services.review_pick(application=app, reviewer=user).pk

        return go

    outcomes = run_together([pick(u) for u in reviewers])
    assert sorted(kind for kind, _ in outcomes) == ["ok"] + ["refused"] * 4, outcomes
    with scopes_disabled():
        assert Review.objects.filter(application=app).count() == 1


def test_two_reviewers_submitting_at_once_count_both():
    from tests.factories import CriterionFactory

    cohort = CohortFactory()
    criterion = CriterionFactory(cohort=cohort)
    app = ApplicationFactory(cohort=cohort, submitted=True)
    reviews = []
    with tenant_scope(cohort.organisation):
        for _ in range(3):
            user = MembershipFactory(organisation=cohort.organisation, role=Role.REVIEWER).user
            reviews.append(services.review_assign(application=app, reviewer=user))

    def submit(review):
        def go():
            with tenant_scope(cohort.organisation):
                return services.review_save(
                    review=review, scores={criterion.pk: 4}, comments="", submit=True
                ).pk

        return go

    outcomes = run_together([submit(r) for r in reviews])
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    with scopes_disabled():
        assert Application.objects.get(pk=app.pk).review_count == 3
