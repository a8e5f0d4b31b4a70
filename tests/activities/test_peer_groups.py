"""Peer-group formation: the pure algorithm (examples and a property test over random
cohorts with hypothesis) and the services that save, move and meet."""

import math
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import peer_groups
from activities.models import CompetitorDeclaration, PeerGroup, PeerGroupMember
from activities.peer_groups import Candidate, GroupingImpossible, group_count, plan_groups
from portal.tenancy import scopes_disabled
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    EnrolmentFactory,
    PeerGroupFactory,
    PeerGroupMemberFactory,
)

SECTORS = ["tech", "food", "urban", "creative", "finance"]
BANDS = ["micro", "small", "medium", "large"]


def _company(i, sector="tech", band="small"):
    return Candidate(i, f"Company {i:03d}", sector, band)


def _check(plan, companies, pairs, target):
    """The promises of plan_groups, asserted on one result."""
    n = len(companies)
    placed = [c.id for group in plan for c in group]
    assert sorted(placed) == sorted(c.id for c in companies), "every company placed once"
    g = len(plan)
    assert g == group_count(n, target)
    sizes = [len(group) for group in plan]
    assert max(sizes) - min(sizes) <= 1, "groups are equitable"
    # target ± 1 whenever some number of groups allows it
    if any(k * (target - 1) <= n <= k * (target + 1) for k in range(1, n + 1)):
        assert all(target - 1 <= s <= target + 1 for s in sizes), sizes
    where = {c.id: i for i, group in enumerate(plan) for c in group}
    for a, b in pairs:
        if a != b:
            assert where[a] != where[b], f"competitors {a} and {b} share a group"
    totals = Counter(c.sector for c in companies)
    for group in plan:
        for sector, count in Counter(c.sector for c in group).items():
            assert count <= math.ceil(totals[sector] / g) + 1, "sectors balanced"


def test_twenty_companies_make_four_groups_of_five():
    companies = [_company(i, SECTORS[i % 4], BANDS[i % 3]) for i in range(1, 21)]
    plan = plan_groups(companies, [], 5)
    assert [len(g) for g in plan] == [5, 5, 5, 5]
    # four sectors of five companies each: one of each sector per group at most two
    for group in plan:
        assert max(Counter(c.sector for c in group).values()) <= 2
    _check(plan, companies, [], 5)


def test_declared_competitors_are_kept_apart_in_either_direction():
    companies = [_company(i) for i in range(1, 11)]
    pairs = [(1, 2), (3, 1), (4, 5), (6, 4)]
    plan = plan_groups(companies, pairs, 5)
    _check(plan, companies, pairs, 5)


def test_the_same_input_gives_the_same_groups():
    companies = [_company(i, SECTORS[i % 5], BANDS[i % 4]) for i in range(1, 31)]
    pairs = [(1, 7), (2, 9), (11, 12)]
    first = plan_groups(companies, pairs, 6)
    second = plan_groups(list(reversed(companies)), list(reversed(pairs)), 6)
    assert [[c.id for c in g] for g in first] == [[c.id for c in g] for g in second]


def test_a_small_cohort_is_one_group():
    companies = [_company(i) for i in range(1, 4)]
    assert [len(g) for g in plan_groups(companies, [], 5)] == [3]


def test_too_few_companies_is_a_clear_error():
    with pytest.raises(GroupingImpossible, match="at least 3 companies"):
        plan_groups([_company(1), _company(2)], [], 5)


def test_a_size_outside_three_to_eight_is_refused():
    with pytest.raises(GroupingImpossible, match="between 3 and 8"):
        plan_groups([_company(i) for i in range(1, 10)], [], 9)


def test_impossible_competitors_give_a_reason_naming_the_company():
    # Five companies in one group of five, and company 1 competes with all of them.
    companies = [_company(i) for i in range(1, 6)]
    companies[0] = Candidate(1, "Rival Robotics", "tech", "small")
    pairs = [(1, k) for k in range(2, 6)]
    with pytest.raises(GroupingImpossible, match="Rival Robotics has 4 competitors"):
        plan_groups(companies, pairs, 5)


@st.composite
def cohorts(draw):
    """A random cohort: 3–60 companies of random sectors and bands, a target size, and
    random competitor pairs where no company has as many competitors as there are groups
    (so a valid grouping exists: Hajnal–Szemerédi)."""
    n = draw(st.integers(min_value=3, max_value=60))
    target = draw(st.integers(min_value=3, max_value=8))
    sector_count = draw(st.integers(min_value=1, max_value=len(SECTORS)))
    companies = [
        Candidate(
            i,
            f"Company {i}",
            draw(st.sampled_from(SECTORS[:sector_count])),
            draw(st.sampled_from(BANDS)),
        )
        for i in range(1, n + 1)
    ]
    g = group_count(n, target)
    raw = draw(
        st.lists(
            st.tuples(st.integers(1, n), st.integers(1, n)).filter(lambda p: p[0] != p[1]),
            max_size=2 * n,
        )
    )
    degree = Counter()
    pairs = []
    for a, b in raw:
        if degree[a] < g - 1 and degree[b] < g - 1 and {a, b} not in [set(p) for p in pairs]:
            pairs.append((a, b))
            degree[a] += 1
            degree[b] += 1
    return companies, pairs, target


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts())
def test_property_groups_respect_size_balance_and_competitors(cohort):
    companies, pairs, target = cohort
    plan = plan_groups(companies, pairs, target)
    _check(plan, companies, pairs, target)


@settings(max_examples=40, deadline=None)
@given(cohorts(), st.randoms(use_true_random=False))
def test_property_any_result_even_with_dense_competitors_keeps_the_promises(cohort, rnd):
    """With competitor pairs unbounded the request may be impossible; then the error is a
    GroupingImpossible, otherwise every promise holds."""
    companies, pairs, target = cohort
    ids = [c.id for c in companies]
    extra = [tuple(rnd.sample(ids, 2)) for _ in range(len(ids))]
    try:
        plan = plan_groups(companies, pairs + extra, target)
    except GroupingImpossible as exc:
        assert str(exc)
    else:
        _check(plan, companies, pairs + extra, target)


# --- Services -------------------------------------------------------------------------------


@pytest.fixture
def cohort(db):
    return CohortFactory(running=True)


def _enrol(cohort, n, **company):
    return [
        EnrolmentFactory(cohort=cohort, company=CompanyFactory(**company)).company for _ in range(n)
    ]


def test_groups_form_saves_the_preview_and_replaces_old_groups(cohort):
    companies = _enrol(cohort, 12)
    with scopes_disabled():
        CompetitorDeclaration.objects.create(
            organisation=cohort.organisation,
            cohort=cohort,
            company=companies[0],
            competitor=companies[1],
        )
        old = PeerGroupFactory(cohort=cohort, name="Old circle")
        preview = peer_groups.groups_preview(cohort=cohort, size=4)
        groups = peer_groups.groups_form(
            cohort=cohort, size=4, signature=peer_groups.plan_signature(preview)
        )
        assert not PeerGroup.objects.filter(pk=old.pk).exists()
        assert [g.name for g in groups] == ["Circle 1", "Circle 2", "Circle 3"]
        saved = [
            sorted(PeerGroupMember.objects.filter(group=g).values_list("company_id", flat=True))
            for g in groups
        ]
        assert saved == [sorted(c.id for c in group) for group in preview]
        first = PeerGroupMember.objects.get(company=companies[0]).group_id
        assert PeerGroupMember.objects.get(company=companies[1]).group_id != first


def test_groups_form_refuses_a_stale_preview(cohort):
    _enrol(cohort, 6)
    with scopes_disabled():
        signature = peer_groups.plan_signature(peer_groups.groups_preview(cohort=cohort, size=3))
        _enrol(cohort, 1)
        with pytest.raises(ValidationError, match="changed since the preview"):
            peer_groups.groups_form(cohort=cohort, size=3, signature=signature)
        assert not PeerGroup.objects.filter(cohort=cohort).exists()


def test_withdrawn_companies_are_not_grouped(cohort):
    _enrol(cohort, 5)
    gone = EnrolmentFactory(cohort=cohort, status="withdrawn").company
    with scopes_disabled():
        ids = [c.id for g in peer_groups.groups_preview(cohort=cohort, size=5) for c in g]
    assert gone.pk not in ids and len(ids) == 5


def test_move_refuses_a_group_with_a_competitor_and_says_why(cohort):
    with scopes_disabled():
        a, b = (
            PeerGroupFactory(cohort=cohort, name="Circle A"),
            PeerGroupFactory(cohort=cohort, name="Circle B"),
        )
        mover = PeerGroupMemberFactory(group=a, company__name="Mover Ltd")
        rival = PeerGroupMemberFactory(group=b, company__name="Rival Ltd")
        CompetitorDeclaration.objects.create(
            organisation=cohort.organisation,
            cohort=cohort,
            company=rival.company,
            competitor=mover.company,
        )
        with pytest.raises(
            ValidationError,
            match="Mover Ltd cannot join Circle B: it and Rival Ltd are competitors",
        ):
            peer_groups.group_move(member=mover, to_group=b)
        c = PeerGroupFactory(cohort=cohort, name="Circle C")
        peer_groups.group_move(member=mover, to_group=c)
        mover.refresh_from_db()
        assert mover.group == c


def test_move_refuses_a_group_of_another_cohort(cohort):
    with scopes_disabled():
        member = PeerGroupMemberFactory(group=PeerGroupFactory(cohort=cohort))
        elsewhere = PeerGroupFactory(cohort=CohortFactory(programme=cohort.programme))
        with pytest.raises(ValidationError, match="same cohort"):
            peer_groups.group_move(member=member, to_group=elsewhere)


def test_meeting_attendees_must_be_members_and_the_meeting_past(cohort):
    with scopes_disabled():
        group = PeerGroupFactory(cohort=cohort)
        member = PeerGroupMemberFactory(group=group)
        outsider = CompanyFactory(name="Outsider Ltd")
        past = timezone.now() - timedelta(days=1)
        with pytest.raises(ValidationError, match="Not in .*Outsider Ltd"):
            peer_groups.meeting_add(group=group, starts_at=past, attendees=[outsider])
        with pytest.raises(ValidationError, match="once the meeting has taken place"):
            peer_groups.meeting_add(
                group=group,
                starts_at=timezone.now() + timedelta(days=1),
                attendees=[member.company],
            )
        meeting = peer_groups.meeting_add(
            group=group, starts_at=past, topics="Hiring", attendees=[member.company]
        )
        assert list(meeting.attendees.values_list("company_id", flat=True)) == [member.company_id]


def test_competitors_set_replaces_the_declared_set_within_the_cohort(cohort):
    me, x, y = _enrol(cohort, 3)
    stranger = CompanyFactory()
    with scopes_disabled():
        peer_groups.competitors_set(cohort=cohort, company=me, competitors=[x, y])
        peer_groups.competitors_set(cohort=cohort, company=me, competitors=[y])
        assert list(
            CompetitorDeclaration.objects.filter(company=me).values_list("competitor_id", flat=True)
        ) == [y.pk]
        with pytest.raises(ValidationError, match="other companies of the cohort"):
            peer_groups.competitors_set(cohort=cohort, company=me, competitors=[stranger])
