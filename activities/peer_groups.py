"""Peer groups (coaching circles): the formation algorithm and the writes around groups.

`plan_groups` is a pure function — companies, competitor pairs and a target size in, groups
out — so it can be tested on its own with random cohorts. It promises:

* every company is placed exactly once;
* groups are equitable: each has floor(n/g) or ceil(n/g) members, where the number of
  groups g is the one whose sizes lie closest to the target. Whenever some number of groups
  keeps every size within target ± 1 (for a target of 5: 4–6 companies, or 8 and more),
  every group is within target ± 1. A cohort smaller than the target is one group;
* no two companies with a competitor declaration (either direction) share a group;
* no group holds more than ceil(n_s / g) + 1 companies of a sector with n_s companies
  (a hard limit); within that, sectors and then size bands are spread as evenly as the
  search finds;
* the result depends only on the input (ties are broken by company id), and an impossible
  request raises `GroupingImpossible` with a reason written for the manager.

When g groups are needed and no company has g or more competitors in the cohort, a
grouping that respects sizes and competitors always exists (Hajnal–Szemerédi: a graph of
maximum degree Δ has an equitable colouring with any k ≥ Δ + 1 colours); the search below
is complete up to its step budget.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activities.models import (
    CompetitorDeclaration,
    PeerGroup,
    PeerGroupMeeting,
    PeerGroupMeetingAttendee,
    PeerGroupMember,
)
from cohorts.models import Cohort, Company, Enrolment

MIN_SIZE = 3
MAX_SIZE = 8
DEFAULT_SIZE = 5
MIN_COMPANIES = 3
SEARCH_BUDGET = 100_000

# Employee bands used to balance groups by size (the usual SME definitions).
SIZE_BANDS = ((10, "micro (1–9)"), (50, "small (10–49)"), (250, "medium (50–249)"))
LARGE_BAND = "large (250+)"


def size_band(employees: int) -> str:
    for limit, label in SIZE_BANDS:
        if employees < limit:
            return label
    return LARGE_BAND


@dataclass(frozen=True)
class Candidate:
    """What the algorithm needs to know about a company."""

    id: int
    name: str
    sector: str
    band: str


class GroupingImpossible(ValueError):
    """The request cannot be met; the message says why, for the manager."""


def group_count(n: int, target: int) -> int:
    """The number of groups whose equitable sizes lie closest to `target` (ties: fewer,
    larger groups)."""
    if n <= target:
        return 1
    best, best_key = 1, None
    for g in range(1, n + 1):
        low, high = n // g, -(-n // g)
        key = (max(abs(low - target), abs(high - target)), g)
        if best_key is None or key < best_key:
            best, best_key = g, key
    return best


def plan_groups(
    companies: Sequence[Candidate],
    competitor_pairs: Iterable[tuple[int, int]],
    target: int = DEFAULT_SIZE,
) -> list[list[Candidate]]:
    """Split `companies` into peer groups; see the module docstring for the promises."""
    if not MIN_SIZE <= target <= MAX_SIZE:
        raise GroupingImpossible(f"Choose a group size between {MIN_SIZE} and {MAX_SIZE}.")
    people = sorted(companies, key=lambda c: c.id)
    if len({c.id for c in people}) != len(people):
        raise GroupingImpossible("A company is listed twice.")
    n = len(people)
    if n < MIN_COMPANIES:
        raise GroupingImpossible(
            f"Peer groups need at least {MIN_COMPANIES} companies taking part; this cohort has {n}."
        )
    ids = {c.id for c in people}
    rivals: dict[int, set[int]] = {c.id: set() for c in people}
    for a, b in competitor_pairs:
        if a in ids and b in ids and a != b:
            rivals[a].add(b)
            rivals[b].add(a)

    g = group_count(n, target)
    base, extra = divmod(n, g)
    capacity = [base + 1 if i < extra else base for i in range(g)]
    sector_total = Counter(c.sector for c in people)
    sector_cap = {s: math.ceil(k / g) + 1 for s, k in sector_total.items()}

    # Most constrained first: many rivals, then the commonest sector, then band, then id.
    order = sorted(
        people,
        key=lambda c: (-len(rivals[c.id]), -sector_total[c.sector], c.sector, c.band, c.id),
    )
    members: list[list[Candidate]] = [[] for _ in range(g)]
    member_ids: list[set[int]] = [set() for _ in range(g)]
    sectors: list[Counter] = [Counter() for _ in range(g)]
    bands: list[Counter] = [Counter() for _ in range(g)]

    def choices(company: Candidate) -> list[int]:
        allowed = [
            i
            for i in range(g)
            if len(members[i]) < capacity[i]
            and sectors[i][company.sector] < sector_cap[company.sector]
            and not (rivals[company.id] & member_ids[i])
        ]
        # Prefer the group with fewest of this sector, then of this band, then the emptiest
        # relative to its capacity, then the lowest index.
        return sorted(
            allowed,
            key=lambda i: (
                sectors[i][company.sector],
                bands[i][company.band],
                len(members[i]) - capacity[i],
                i,
            ),
        )

    def put(i: int, company: Candidate) -> None:
        members[i].append(company)
        member_ids[i].add(company.id)
        sectors[i][company.sector] += 1
        bands[i][company.band] += 1

    def take(i: int, company: Candidate) -> None:
        members[i].pop()
        member_ids[i].discard(company.id)
        sectors[i][company.sector] -= 1
        bands[i][company.band] -= 1

    def options(company: Candidate) -> list[int]:
        # Empty groups of the same capacity are interchangeable: trying one tries them all.
        tried_empty: set[int] = set()
        result = []
        for i in choices(company):
            if not members[i]:
                if capacity[i] in tried_empty:
                    continue
                tried_empty.add(capacity[i])
            result.append(i)
        return result

    # Depth-first search without recursion: stack[k] holds the groups still to try for the
    # k-th company and the group it sits in now.
    stack: list[tuple[list[int], int | None]] = [(options(order[0]), None)]
    steps = 0
    while stack:
        position = len(stack) - 1
        company = order[position]
        remaining, current = stack[-1]
        if current is not None:
            take(current, company)
        if not remaining or steps >= SEARCH_BUDGET:
            stack.pop()
            if steps >= SEARCH_BUDGET:
                stack.clear()
            continue
        steps += 1
        chosen, rest = remaining[0], remaining[1:]
        put(chosen, company)
        stack[-1] = (rest, chosen)
        if position + 1 == n:
            break
        stack.append((options(order[position + 1]), None))
    if not stack:
        raise GroupingImpossible(_why_impossible(people, rivals, g, target))
    return [sorted(group, key=lambda c: (c.name.casefold(), c.id)) for group in members]


def _why_impossible(people, rivals, g, target) -> str:
    worst = max(people, key=lambda c: (len(rivals[c.id]), -c.id))
    if len(rivals[worst.id]) >= g:
        return (
            f"Cannot form {g} groups of about {target}: {worst.name} has "
            f"{len(rivals[worst.id])} competitors in the cohort and the competitors cannot "
            f"all be kept apart in {g} groups. Choose a smaller group size (more groups) or "
            f"review the competitor declarations."
        )
    return (
        f"Cannot form {g} groups of about {target} that keep every pair of competitors "
        f"apart and the sectors balanced. Try another group size or review the competitor "
        f"declarations."
    )


# --- Reading a cohort for the algorithm ------------------------------------------------------


def cohort_candidates(cohort: Cohort) -> list[Candidate]:
    """The companies taking part in the cohort (active enrolments)."""
    rows = (
        Enrolment.objects.filter(
            organisation_id=cohort.organisation_id,
            cohort=cohort,
            status=Enrolment.Status.ACTIVE,
        )
        .values_list("company_id", "company__name", "company__sector", "company__employees")
        .order_by("company_id")
    )
    return [Candidate(pk, name, sector, size_band(emp)) for pk, name, sector, emp in rows]


def cohort_competitor_pairs(cohort: Cohort) -> list[tuple[int, int]]:
    return list(
        CompetitorDeclaration.objects.filter(
            organisation_id=cohort.organisation_id, cohort=cohort
        ).values_list("company_id", "competitor_id")
    )


def groups_preview(*, cohort: Cohort, size: int) -> list[list[Candidate]]:
    """The groups `groups_form` would save now (raises GroupingImpossible)."""
    return plan_groups(cohort_candidates(cohort), cohort_competitor_pairs(cohort), size)


def plan_signature(plan: list[list[Candidate]]) -> str:
    """A short fingerprint of a plan, so a confirmation saves the plan the manager saw."""
    return ";".join(",".join(str(c.id) for c in group) for group in plan)


@transaction.atomic
def groups_form(*, cohort: Cohort, size: int, signature: str | None = None) -> list[PeerGroup]:
    """Replace the cohort's peer groups (and their meetings) with a fresh plan.

    Locks the cohort row so two managers forming groups at once cannot interleave. If
    `signature` is given and the plan has changed since the preview (a company joined or a
    competitor was declared), refuses so the manager can look again."""
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    try:
        plan = groups_preview(cohort=cohort, size=size)
    except GroupingImpossible as exc:
        raise ValidationError(str(exc)) from exc
    if signature is not None and signature != plan_signature(plan):
        raise ValidationError(
            "The cohort changed since the preview (companies or competitor declarations). "
            "Look at the new proposal and confirm again."
        )
    PeerGroup.objects.filter(organisation_id=cohort.organisation_id, cohort=cohort).delete()
    groups = PeerGroup.objects.bulk_create(
        PeerGroup(organisation_id=cohort.organisation_id, cohort=cohort, name=f"Circle {i}")
        for i in range(1, len(plan) + 1)
    )
    PeerGroupMember.objects.bulk_create(
        PeerGroupMember(
            organisation_id=cohort.organisation_id,
            cohort=cohort,
            group=group,
            company_id=candidate.id,
        )
        for group, planned in zip(groups, plan, strict=True)
        for candidate in planned
    )
    return groups


def _rivals_in(group: PeerGroup, company_id: int) -> list[str]:
    """Names of the members of `group` that `company_id` competes with (either direction)."""
    member_ids = set(
        PeerGroupMember.objects.filter(group=group)
        .exclude(company_id=company_id)
        .values_list("company_id", flat=True)
    )
    declared = CompetitorDeclaration.objects.filter(
        organisation_id=group.organisation_id, cohort_id=group.cohort_id
    )
    rival_ids = set(
        declared.filter(company_id=company_id, competitor_id__in=member_ids).values_list(
            "competitor_id", flat=True
        )
    ) | set(
        declared.filter(competitor_id=company_id, company_id__in=member_ids).values_list(
            "company_id", flat=True
        )
    )
    return list(Company.objects.filter(pk__in=rival_ids).values_list("name", flat=True))


def _refuse_rivals(group: PeerGroup, company: Company) -> None:
    """A company never joins a group where a competitor sits (declared either way)."""
    rivals = _rivals_in(group, company.pk)
    if rivals:
        raise ValidationError(
            f"{company.name} cannot join {group.name}: it and "
            f"{', '.join(sorted(rivals))} are competitors."
        )


@transaction.atomic
def group_move(*, member: PeerGroupMember, to_group: PeerGroup) -> PeerGroupMember:
    """Move a company to another group of the same cohort, refusing a move that puts it with
    a competitor."""
    Cohort.objects.select_for_update().filter(pk=member.cohort_id).first()
    if to_group.cohort_id != member.cohort_id:
        raise ValidationError("Move companies only between groups of the same cohort.")
    if to_group.pk == member.group_id:
        raise ValidationError(f"{member.company.name} is already in {to_group.name}.")
    _refuse_rivals(to_group, member.company)
    member.group = to_group
    member.full_clean()
    member.save(update_fields=["group"])
    return member


@transaction.atomic
def group_add(*, group: PeerGroup, company: Company) -> PeerGroupMember:
    """Put a company that joined the cohort after the groups were formed into a group by
    hand, refusing a group where it would meet a competitor."""
    Cohort.objects.select_for_update().filter(pk=group.cohort_id).first()
    enrolled = Enrolment.objects.filter(
        organisation_id=group.organisation_id,
        cohort_id=group.cohort_id,
        company=company,
        status=Enrolment.Status.ACTIVE,
    ).exists()
    if not enrolled:
        raise ValidationError(f"{company.name} is not taking part in this cohort.")
    current = (
        PeerGroupMember.objects.filter(cohort_id=group.cohort_id, company=company)
        .select_related("group")
        .first()
    )
    if current is not None:
        raise ValidationError(
            f"{company.name} is already in {current.group.name}; move it from there instead."
        )
    _refuse_rivals(group, company)
    member = PeerGroupMember(
        organisation_id=group.organisation_id,
        group=group,
        cohort_id=group.cohort_id,
        company=company,
    )
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def meeting_add(
    *,
    group: PeerGroup,
    starts_at,
    location: str = "",
    topics: str = "",
    attendees: Iterable[Company] = (),
) -> PeerGroupMeeting:
    """Record a meeting (planned or held) with the members who came."""
    attendees = list(attendees)
    member_ids = set(group.members.values_list("company_id", flat=True))
    strangers = [c.name for c in attendees if c.pk not in member_ids]
    if strangers:
        raise ValidationError({"attendees": f"Not in {group.name}: {', '.join(strangers)}."})
    if attendees and starts_at > timezone.now():
        raise ValidationError({"attendees": "Record who came once the meeting has taken place."})
    meeting = PeerGroupMeeting(
        organisation_id=group.organisation_id,
        group=group,
        starts_at=starts_at,
        location=location,
        topics=topics,
    )
    meeting.full_clean()
    meeting.save()
    PeerGroupMeetingAttendee.objects.bulk_create(
        PeerGroupMeetingAttendee(organisation_id=group.organisation_id, meeting=meeting, company=c)
        for c in attendees
    )
    return meeting


@transaction.atomic
def competitors_set(
    *, cohort: Cohort, company: Company, competitors: Iterable[Company], by=None
) -> list[CompetitorDeclaration]:
    """Make `company`'s declared competitors in the cohort exactly `competitors`, which must
    be other companies taking part in the cohort."""
    competitors = list(competitors)
    taking_part = set(
        Enrolment.objects.filter(organisation_id=cohort.organisation_id, cohort=cohort).values_list(
            "company_id", flat=True
        )
    )
    if company.pk not in taking_part:
        raise ValidationError(f"{company.name} is not in {cohort}.")
    outsiders = [c.name for c in competitors if c.pk not in taking_part or c.pk == company.pk]
    if outsiders:
        raise ValidationError(
            {"competitors": f"Choose other companies of the cohort: {', '.join(outsiders)}."}
        )
    existing = CompetitorDeclaration.objects.filter(
        organisation_id=cohort.organisation_id, cohort=cohort, company=company
    )
    wanted = {c.pk for c in competitors}
    existing.exclude(competitor_id__in=wanted).delete()
    have = set(existing.values_list("competitor_id", flat=True))
    CompetitorDeclaration.objects.bulk_create(
        CompetitorDeclaration(
            organisation_id=cohort.organisation_id,
            cohort=cohort,
            company=company,
            competitor_id=pk,
            declared_by=by,
        )
        for pk in sorted(wanted - have)
    )
    return list(existing.select_related("competitor"))
