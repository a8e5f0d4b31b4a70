"""The transparent matching score (mentoring/matching.py): each factor on its own, the
exclusions, and properties over random mentors and companies (hypothesis)."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.matching import (
    CompanyFacts,
    Excluded,
    MentorFacts,
    Ranked,
    capacity_points,
    expertise_points,
    rank,
    region_points,
    score,
    style_points,
)
from mentoring.models import Expertise

COMPANY = CompanyFacts(
    id=1,
    sector="tech",
    region="london",
    needs=("finance", "sales_marketing", "legal"),
    thinking=1.0,
    interaction=-1.0,
)
MENTOR = MentorFacts(
    id=10,
    name="Ada",
    expertise=("finance", "sales_marketing", "legal"),
    sectors=("tech",),
    region="london",
    online_ok=True,
    thinking=1.0,
    interaction=-1.0,
    capacity=4,
    load_this_month=0,
    active_matches=0,
    conflict_company_ids=frozenset(),
    eligible=True,
)


def _points(result: Ranked, factor: str) -> float:
    return next(r["points"] for r in result.reasons if r["factor"] == factor)


# --- Expertise -------------------------------------------------------------------------------


def test_expertise_full_cover_is_40():
    assert expertise_points(COMPANY, MENTOR)[0] == 40.0


def test_expertise_weights_first_need_3_second_2_then_1():
    # Needs weigh 3, 2, 1 (total 6): covering only the first gives 40 * 3/6.
    assert expertise_points(COMPANY, replace(MENTOR, expertise=("finance",)))[0] == 20.0
    assert expertise_points(COMPANY, replace(MENTOR, expertise=("sales_marketing",)))[0] == 13.3
    assert expertise_points(COMPANY, replace(MENTOR, expertise=("legal",)))[0] == 6.7
    five = replace(COMPANY, needs=("finance", "people", "legal", "operations", "leadership"))
    # 3 + 2 + 1 + 1 + 1 = 8; the 4th and 5th weigh 1 each.
    only_fifth = replace(MENTOR, expertise=("leadership",))
    assert expertise_points(five, only_fifth)[0] == 5.0


def test_expertise_explains_what_is_covered():
    points, detail = expertise_points(COMPANY, replace(MENTOR, expertise=("legal", "finance")))
    assert detail == "Covers 2 of 3: Finance (1st), Legal (3rd)"
    assert expertise_points(COMPANY, replace(MENTOR, expertise=("people",))) == (
        0.0,
        "Covers none of the needs",
    )
    assert expertise_points(replace(COMPANY, needs=()), MENTOR)[0] == 0.0


# --- Sector ----------------------------------------------------------------------------------


def test_sector_fit_is_15_or_nothing():
    assert _points(score(COMPANY, MENTOR), "Sector") == 15.0
    assert _points(score(COMPANY, replace(MENTOR, sectors=("food",))), "Sector") == 0.0


# --- Style -----------------------------------------------------------------------------------


def test_style_distance():
    assert style_points(COMPANY, MENTOR) == (15.0, "Styles close (distance 0.0 of 8)")
    far = replace(MENTOR, thinking=-2.0, interaction=2.0)  # distance 3 + 3 = 6
    assert style_points(COMPANY, far) == (3.8, "Styles far apart (distance 6.0 of 8)")
    some = replace(MENTOR, thinking=0.0, interaction=0.5)  # 1 + 1.5
    assert style_points(COMPANY, some)[1] == "Styles some difference (distance 2.5 of 8)"
    opposite = replace(COMPANY, thinking=-2.0, interaction=-2.0)
    assert style_points(opposite, replace(MENTOR, thinking=2.0, interaction=2.0))[0] == 0.0


def test_style_unknown_founder_is_neutral_7():
    assert style_points(replace(COMPANY, thinking=None), MENTOR) == (
        7.0,
        "Founder's style not recorded",
    )


# --- Region ----------------------------------------------------------------------------------


def test_region_same_online_or_neither():
    assert region_points(COMPANY, MENTOR)[0] == 10.0
    assert region_points(COMPANY, replace(MENTOR, region="wales"))[0] == 6.0
    assert region_points(COMPANY, replace(MENTOR, region="wales", online_ok=False))[0] == 0.0
    # An empty region never counts as the same region.
    assert region_points(replace(COMPANY, region=""), replace(MENTOR, region=""))[0] == 6.0


# --- Capacity and load -----------------------------------------------------------------------


def test_capacity_free_share_minus_3_per_company():
    assert capacity_points(MENTOR)[0] == 10.0
    assert capacity_points(replace(MENTOR, load_this_month=1))[0] == 7.5
    points, detail = capacity_points(replace(MENTOR, load_this_month=2, active_matches=1))
    assert points == 2.0
    assert detail == "2 of 4 sessions free this month; mentors 1 company"


# --- Previous mentor -------------------------------------------------------------------------


def test_previous_mentor_who_still_fits_gets_10():
    before = score(COMPANY, MENTOR)
    again = score(replace(COMPANY, previous_mentor_ids=frozenset({MENTOR.id})), MENTOR)
    assert again.score == before.score + 10
    assert again.reasons[-1] == {
        "factor": "Worked together before",
        "points": 10.0,
        "detail": "A previous mentor who still fits",
    }


def test_perfect_mentor_scores_90_and_100_with_the_bonus():
    # 40 + 15 + 15 + 10 + 10; the module docstring says "0–100", which only the bonus reaches.
    assert score(COMPANY, MENTOR).score == 90.0
    assert (
        score(replace(COMPANY, previous_mentor_ids=frozenset({MENTOR.id})), MENTOR).score == 100.0
    )


# --- Exclusions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mentor", "company", "reason"),
    [
        (replace(MENTOR, eligible=False), COMPANY, "Not active or induction not complete"),
        (
            replace(MENTOR, conflict_company_ids=frozenset({COMPANY.id})),
            COMPANY,
            "Declared a conflict of interest with this company",
        ),
        (
            MENTOR,
            replace(COMPANY, declined_by_ids=frozenset({MENTOR.id})),
            "Declined this company before",
        ),
        (replace(MENTOR, load_this_month=4), COMPANY, "No capacity left this month"),
        (replace(MENTOR, load_this_month=5), COMPANY, "No capacity left this month"),
        (replace(MENTOR, capacity=0), COMPANY, "No capacity left this month"),
    ],
)
def test_exclusions(mentor, company, reason):
    result = score(company, mentor)
    assert isinstance(result, Excluded)
    assert result.reason == reason
    ranked, excluded = rank(company, [mentor])
    assert ranked == [] and excluded[0].reason == reason


def test_a_conflicted_previous_mentor_is_still_excluded():
    company = replace(COMPANY, previous_mentor_ids=frozenset({MENTOR.id}))
    conflicted = replace(MENTOR, conflict_company_ids=frozenset({COMPANY.id}))
    assert isinstance(score(company, conflicted), Excluded)


def test_rank_orders_best_first_and_ties_by_load_then_name():
    better = replace(MENTOR, id=1, name="Zed")
    worse = replace(MENTOR, id=2, name="Amy", sectors=())
    ranked, _ = rank(COMPANY, [worse, better])
    assert [r.mentor.id for r in ranked] == [1, 2]
    a = replace(MENTOR, id=3, name="Bea")
    b = replace(MENTOR, id=4, name="Abe")
    ranked, _ = rank(COMPANY, [a, b])
    assert [r.mentor.name for r in ranked] == ["Abe", "Bea"]


# --- Properties ------------------------------------------------------------------------------

EXPERTISE = st.sampled_from(Expertise.values)
SECTORS = st.sampled_from(["tech", "food", "creative", "manufacturing"])
REGIONS = st.sampled_from(["london", "wales", "north_west", ""])
STYLE = st.floats(min_value=-2, max_value=2, allow_nan=False)
COMPANY_IDS = st.integers(min_value=1, max_value=6)


@st.composite
def mentors(draw, mentor_id=None):
    capacity = draw(st.integers(min_value=0, max_value=60))
    return MentorFacts(
        id=mentor_id if mentor_id is not None else draw(st.integers(1, 10_000)),
        name=draw(st.text(min_size=1, max_size=8)),
        expertise=tuple(draw(st.lists(EXPERTISE, max_size=5, unique=True))),
        sectors=tuple(draw(st.lists(SECTORS, max_size=3, unique=True))),
        region=draw(REGIONS),
        online_ok=draw(st.booleans()),
        thinking=draw(STYLE),
        interaction=draw(STYLE),
        capacity=capacity,
        load_this_month=draw(st.integers(min_value=0, max_value=70)),
        active_matches=draw(st.integers(min_value=0, max_value=12)),
        conflict_company_ids=frozenset(draw(st.lists(COMPANY_IDS, max_size=3))),
        eligible=draw(st.booleans()),
    )


@st.composite
def companies(draw, mentor_ids=()):
    known = draw(st.booleans())
    ids = list(mentor_ids)
    return CompanyFacts(
        id=draw(COMPANY_IDS),
        sector=draw(SECTORS),
        region=draw(REGIONS),
        needs=tuple(draw(st.lists(EXPERTISE, max_size=5, unique=True))),
        thinking=draw(STYLE) if known else None,
        interaction=draw(STYLE) if known else None,
        previous_mentor_ids=frozenset(draw(st.lists(st.sampled_from(ids), max_size=3)))
        if ids
        else frozenset(),
        declined_by_ids=frozenset(draw(st.lists(st.sampled_from(ids), max_size=2)))
        if ids
        else frozenset(),
    )


@st.composite
def pools(draw):
    pool = [draw(mentors(mentor_id=i)) for i in range(1, draw(st.integers(1, 12)) + 1)]
    return draw(companies(mentor_ids=[m.id for m in pool])), pool


@settings(max_examples=300, deadline=None)
@given(pools())
def test_conflicted_and_full_mentors_are_never_ranked(pool):
    company, mentors_ = pool
    ranked, excluded = rank(company, mentors_)
    assert len(ranked) + len(excluded) == len(mentors_)
    for r in ranked:
        assert company.id not in r.mentor.conflict_company_ids
        assert r.mentor.load_this_month < r.mentor.capacity
        assert r.mentor.eligible
        assert r.mentor.id not in company.declined_by_ids
    for x in excluded:
        assert x.reason


@settings(max_examples=300, deadline=None)
@given(pools())
def test_scores_are_at_most_100_and_the_positive_factors_within_their_caps(pool):
    company, mentors_ = pool
    ranked, _ = rank(company, mentors_)
    caps = {"Expertise": 40, "Sector": 15, "Style": 15, "Region": 10, "Capacity and load": 10}
    for r in ranked:
        assert r.score <= 100
        for reason in r.reasons:
            cap = caps.get(reason["factor"], 10)
            assert reason["points"] <= cap
            assert reason["points"] >= 0
        assert r.score == pytest.approx(sum(x["points"] for x in r.reasons), abs=0.15)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)


@settings(max_examples=300, deadline=None)
@given(pools())
def test_scores_are_within_0_and_100(pool):
    company, mentors_ = pool
    ranked, _ = rank(company, mentors_)
    for r in ranked:
        assert 0 <= r.score <= 100


def test_a_busy_unfitting_mentor_scores_zero_not_below():
    """No fit at all and four companies mentored: the load penalty stops at zero."""
    mentor = replace(
        MENTOR,
        expertise=(),
        sectors=(),
        region="wales",
        online_ok=False,
        thinking=-2.0,
        interaction=2.0,
        capacity=6,
        load_this_month=3,
        active_matches=4,
    )
    company = replace(COMPANY, thinking=2.0, interaction=-2.0)
    assert score(company, mentor).score == 0  # 0 + 0 + 0 + 0 + max(0, 5 - 12)


@settings(max_examples=300, deadline=None)
@given(mentors(mentor_id=1), companies(), st.integers(1, 20), st.integers(0, 3))
def test_ranking_spreads_load(mentor, company, extra_load, extra_matches):
    """Two otherwise identical mentors: the less loaded ranks first."""
    light = replace(mentor, id=1, name="Zoe", eligible=True, conflict_company_ids=frozenset())
    company = replace(company, declined_by_ids=frozenset())
    heavy = replace(
        light,
        id=2,
        name="Abe",
        load_this_month=light.load_this_month + extra_load,
        active_matches=light.active_matches + extra_matches,
    )
    ranked, _ = rank(company, [heavy, light])
    ids = [r.mentor.id for r in ranked]
    light_open = light.load_this_month < light.capacity and light.active_matches < light.capacity
    if light_open:
        assert ids[0] == 1
        if 2 in ids:
            assert ranked[0].score >= ranked[1].score  # equal only when both hit the floor
    else:
        assert ids == []
