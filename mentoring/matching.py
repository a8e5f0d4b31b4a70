"""Ranking mentors for a company's current needs, with the reasons shown to the adviser.

The score (0–100: 90 from the factors, 10 more for a previous mentor) adds transparent
factors:

- expertise fit to the ranked needs (up to 40): the first need weighs 3, the second 2, the
  third and later 1;
- sector fit (15): the mentor knows the company's sector;
- style compatibility (up to 15): closeness of founder and mentor on the thinking and
  interaction axes of the shared questionnaire (7 when the founder's style is unknown);
- region or online (10 same region, 6 online, 0 otherwise);
- remaining capacity this month (up to 10) minus 3 points per company the mentor already
  mentors (never below 0), so the same few mentors are not always first; ties go to the
  mentor with fewer companies;
- a previous mentor of this company who still fits (+10), preferred over a stranger.

Never proposed: a mentor with a declared conflict of interest with the company, a mentor
with no capacity left this month, a mentor not active or not inducted, and a mentor who
declined this company before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mentoring.models import Expertise

NEED_WEIGHTS = [3, 2, 1]


@dataclass(frozen=True)
class MentorFacts:
    """What the ranking needs to know of a mentor (read in bulk by the selector)."""

    id: int
    name: str
    expertise: tuple[str, ...]
    sectors: tuple[str, ...]
    region: str
    online_ok: bool
    thinking: float
    interaction: float
    capacity: int
    load_this_month: int
    active_matches: int
    conflict_company_ids: frozenset[int]
    eligible: bool  # active and inducted


@dataclass(frozen=True)
class CompanyFacts:
    id: int
    sector: str
    region: str
    needs: tuple[str, ...]
    thinking: float | None
    interaction: float | None
    previous_mentor_ids: frozenset[int] = frozenset()
    declined_by_ids: frozenset[int] = frozenset()


@dataclass
class Ranked:
    mentor: MentorFacts
    score: float
    reasons: list[dict] = field(default_factory=list)


@dataclass
class Excluded:
    mentor: MentorFacts
    reason: str


def need_weight(rank: int) -> int:
    return NEED_WEIGHTS[rank] if rank < len(NEED_WEIGHTS) else 1


def expertise_points(company: CompanyFacts, mentor: MentorFacts) -> tuple[float, str]:
    if not company.needs:
        return 0.0, "No needs diagnosed yet"
    possible = sum(need_weight(i) for i in range(len(company.needs)))
    covered = [(i, n) for i, n in enumerate(company.needs) if n in mentor.expertise]
    got = sum(need_weight(i) for i, _ in covered)
    if not covered:
        return 0.0, "Covers none of the needs"
    names = ", ".join(f"{Expertise(n).label} ({_ordinal(i + 1)})" for i, n in covered)
    return round(40 * got / possible, 1), f"Covers {len(covered)} of {len(company.needs)}: {names}"


def style_points(company: CompanyFacts, mentor: MentorFacts) -> tuple[float, str]:
    if company.thinking is None or company.interaction is None:
        return 7.0, "Founder's style not recorded"
    distance = abs(company.thinking - mentor.thinking) + abs(
        company.interaction - mentor.interaction
    )
    points = round(15 * max(0.0, 1 - distance / 8), 1)
    closeness = "close" if distance <= 1.5 else "some difference" if distance <= 3 else "far apart"
    return points, f"Styles {closeness} (distance {distance:.1f} of 8)"


def region_points(company: CompanyFacts, mentor: MentorFacts) -> tuple[float, str]:
    if mentor.region and mentor.region == company.region:
        return 10.0, "Same region"
    if mentor.online_ok:
        return 6.0, "Different region; mentors online"
    return 0.0, "Different region and not online"


def capacity_points(mentor: MentorFacts) -> tuple[float, str]:
    remaining = mentor.capacity - mentor.load_this_month
    points = 10 * remaining / mentor.capacity if mentor.capacity else 0
    points = max(0.0, points - 3 * mentor.active_matches)
    return round(points, 1), (
        f"{remaining} of {mentor.capacity} sessions free this month; "
        f"mentors {mentor.active_matches} compan{'y' if mentor.active_matches == 1 else 'ies'}"
    )


def exclusion(company: CompanyFacts, mentor: MentorFacts) -> str | None:
    if not mentor.eligible:
        return "Not active or induction not complete"
    if company.id in mentor.conflict_company_ids:
        return "Declared a conflict of interest with this company"
    if mentor.id in company.declined_by_ids:
        return "Declined this company before"
    if mentor.load_this_month >= mentor.capacity:
        return "No capacity left this month"
    if mentor.active_matches >= mentor.capacity:
        return "Already mentors as many companies as sessions a month"
    return None


def score(company: CompanyFacts, mentor: MentorFacts) -> Ranked | Excluded:
    reason = exclusion(company, mentor)
    if reason:
        return Excluded(mentor, reason)
    parts = [
        ("Expertise", *expertise_points(company, mentor)),
        (
            "Sector",
            15.0 if company.sector in mentor.sectors else 0.0,
            "Knows the sector" if company.sector in mentor.sectors else "Other sectors",
        ),
        ("Style", *style_points(company, mentor)),
        ("Region", *region_points(company, mentor)),
        ("Capacity and load", *capacity_points(mentor)),
    ]
    if mentor.id in company.previous_mentor_ids and parts[0][1] > 0:
        parts.append(("Worked together before", 10.0, "A previous mentor who still fits"))
    reasons = [{"factor": f, "points": p, "detail": d} for f, p, d in parts]
    return Ranked(mentor, round(sum(p for _, p, _ in parts), 1), reasons)


def rank(company: CompanyFacts, mentors: list[MentorFacts]) -> tuple[list[Ranked], list[Excluded]]:
    """Mentors best first (ties: the less loaded, then by name), and those never proposed
    with why."""
    ranked, excluded = [], []
    for mentor in mentors:
        result = score(company, mentor)
        (ranked if isinstance(result, Ranked) else excluded).append(result)
    ranked.sort(
        key=lambda r: (-r.score, r.mentor.active_matches, r.mentor.load_this_month, r.mentor.name)
    )
    return ranked, excluded


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")
