"""Reads for needs diagnosis, matching and adviser contact: the facts the ranking needs (read
in bulk, a fixed number of queries whatever the number of mentors), the companies an adviser
looks after, and who is overdue for contact."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from cohorts.models import CohortStatus, Enrolment
from cohorts.selectors import count_of
from mentoring import periods
from mentoring.matching import CompanyFacts, Excluded, MentorFacts, Ranked, rank, score
from mentoring.models import (
    STYLE_AXES,
    AdviserContact,
    MentoringSession,
    MentorMatch,
    MentorProfile,
    NeedsDiagnosis,
)
from portal.models import Membership
from portal.roles import Role

# A company enrolled this long without any contact is overdue for its first one.
FIRST_CONTACT_DAYS = 30
# The end reason that means "never propose this pairing again as a returning mentor".
CONFLICT_END_REASON = "Conflict of interest"
LIVE = [MentorMatch.Status.PROPOSED, MentorMatch.Status.ACTIVE]
# Mentors who are in the pool at all: applicants and declined applicants are not mentors.
POOL_STATUSES = [
    MentorProfile.Status.INDUCTION,
    MentorProfile.Status.ACTIVE,
    MentorProfile.Status.INACTIVE,
]


# --- Time ------------------------------------------------------------------------------------


def month_bounds(*, organisation, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The current calendar month in the organisation's time zone, as aware instants."""
    return periods.month_bounds(now or timezone.now(), organisation.time_zone)


def local_today(*, organisation, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(organisation.time_zone)).date()


# --- Mentor facts ----------------------------------------------------------------------------


def mentor_pool(*, organisation) -> QuerySet[MentorProfile]:
    """The organisation's mentors: a mentor membership and a profile past recruitment."""
    is_mentor = Membership.objects.filter(
        organisation=organisation, user=OuterRef("user_id"), role=Role.MENTOR
    )
    return MentorProfile.objects.filter(organisation=organisation, status__in=POOL_STATUSES).filter(
        Exists(is_mentor)
    )


def mentor_facts(
    *, organisation, now: datetime | None = None, mentor_ids: list[int] | None = None
) -> list[MentorFacts]:
    """MentorFacts for every mentor of the organisation (or the given ones) in two queries:
    the profiles with their month load and active matches annotated, and the conflicts
    read from the M2M table at once."""
    start, end = month_bounds(organisation=organisation, now=now)
    sessions = MentoringSession.objects.filter(
        organisation=organisation, starts_at__gte=start, starts_at__lt=end
    ).exclude(status=MentoringSession.Status.CANCELLED)
    # Proposals awaiting an answer count as load too, so one mentor is not offered to
    # many companies at once.
    matches = MentorMatch.objects.filter(
        organisation=organisation,
        status__in=[MentorMatch.Status.ACTIVE, MentorMatch.Status.PROPOSED],
    )
    mentors = mentor_pool(organisation=organisation)
    if mentor_ids is not None:
        mentors = mentors.filter(pk__in=mentor_ids)
    rows = list(
        mentors.select_related("user").annotate(
            load=count_of(sessions, outer="mentor"),
            active_count=count_of(matches, outer="mentor"),
        )
    )
    through = MentorProfile.conflicts.through
    conflicts: dict[int, set[int]] = {}
    pairs = through.objects.filter(mentorprofile__organisation=organisation)
    if mentor_ids is not None:
        pairs = pairs.filter(mentorprofile_id__in=mentor_ids)
    for mentor_id, company_id in pairs.values_list("mentorprofile_id", "company_id"):
        conflicts.setdefault(mentor_id, set()).add(company_id)
    return [
        MentorFacts(
            id=m.pk,
            name=m.user.display_name,
            expertise=tuple(m.expertise or ()),
            sectors=tuple(m.sectors or ()),
            region=m.region,
            online_ok=m.online_ok,
            thinking=m.thinking_style,
            interaction=m.interaction_style,
            capacity=m.capacity_per_month,
            load_this_month=m.load,
            active_matches=m.active_count,
            conflict_company_ids=frozenset(conflicts.get(m.pk, ())),
            eligible=m.can_be_matched,
        )
        for m in rows
    ]


# --- Company facts ---------------------------------------------------------------------------


def previous_mentor_ids(*, organisation, company) -> frozenset[int]:
    """Mentors who worked with this company (a match that was accepted and has ended) and
    did not part over a conflict of interest."""
    return frozenset(
        MentorMatch.objects.filter(
            organisation=organisation,
            company=company,
            status=MentorMatch.Status.ENDED,
            mentor_agreed_at__isnull=False,
        )
        .exclude(end_reason__startswith=CONFLICT_END_REASON)
        .values_list("mentor_id", flat=True)
    )


def declined_by_ids(*, organisation, company) -> frozenset[int]:
    return frozenset(
        MentorMatch.objects.filter(
            organisation=organisation, company=company, status=MentorMatch.Status.DECLINED
        ).values_list("mentor_id", flat=True)
    )


def company_facts(*, enrolment: Enrolment, diagnosis: NeedsDiagnosis | None) -> CompanyFacts:
    company = enrolment.company
    organisation = enrolment.organisation
    return CompanyFacts(
        id=company.pk,
        sector=company.sector,
        region=company.region,
        needs=tuple(diagnosis.needs if diagnosis else ()),
        thinking=diagnosis.founder_thinking_style if diagnosis else None,
        interaction=diagnosis.founder_interaction_style if diagnosis else None,
        previous_mentor_ids=previous_mentor_ids(organisation=organisation, company=company),
        declined_by_ids=declined_by_ids(organisation=organisation, company=company),
    )


def current_diagnosis(*, enrolment: Enrolment) -> NeedsDiagnosis | None:
    return enrolment.diagnoses.order_by("-created_at", "-pk").first()


def live_match(*, enrolment: Enrolment) -> MentorMatch | None:
    return enrolment.mentor_matches.filter(status__in=LIVE).select_related("mentor__user").first()


def candidates(
    *, enrolment: Enrolment, diagnosis: NeedsDiagnosis | None, now: datetime | None = None
) -> tuple[CompanyFacts, list[Ranked], list[Excluded]]:
    """The ranked mentors for the company's current diagnosis, and those never proposed."""
    facts = company_facts(enrolment=enrolment, diagnosis=diagnosis)
    ranked, excluded = rank(facts, mentor_facts(organisation=enrolment.organisation, now=now))
    return facts, ranked, excluded


def score_one(
    *, enrolment: Enrolment, diagnosis: NeedsDiagnosis | None, mentor: MentorProfile, now=None
) -> Ranked | Excluded | None:
    """The score of one mentor for this company; None if the mentor is not in the pool."""
    found = mentor_facts(organisation=enrolment.organisation, now=now, mentor_ids=[mentor.pk])
    if not found:
        return None
    return score(company_facts(enrolment=enrolment, diagnosis=diagnosis), found[0])


# --- Companies an adviser looks after --------------------------------------------------------


def _latest_contact(organisation, field: str):
    latest = AdviserContact.objects.filter(
        organisation=organisation, company=OuterRef("company_id")
    ).order_by("-happened_on", "-pk")
    return Subquery(latest.values(field)[:1], output_field=DateField())


def looked_after_by(*, organisation, user) -> Q:
    """Enrolments whose company this adviser has contacted or diagnosed."""
    contacted = AdviserContact.objects.filter(
        organisation=organisation, company=OuterRef("company_id"), adviser=user
    )
    diagnosed = NeedsDiagnosis.objects.filter(
        organisation=organisation, company=OuterRef("company_id"), adviser=user
    )
    return Q(Exists(contacted)) | Q(Exists(diagnosed))


def overdue_q(*, organisation, now: datetime | None = None) -> Q:
    """Overdue for contact: the latest contact's next date has passed, or never contacted
    and enrolled more than FIRST_CONTACT_DAYS ago."""
    now = now or timezone.now()
    today = local_today(organisation=organisation, now=now)
    return Q(next_contact_due__lt=today) | Q(
        last_contact_on__isnull=True, enrolled_at__lt=now - timedelta(days=FIRST_CONTACT_DAYS)
    )


def enrolments_for_mentoring(*, organisation, now: datetime | None = None) -> QuerySet[Enrolment]:
    """Companies taking part in this organisation's running cohorts, with their contact
    dates, whether they have a live match and when they were last diagnosed, annotated in
    SQL so lists filter and sort without a query per row."""
    now = now or timezone.now()
    live = MentorMatch.objects.filter(
        organisation=organisation, enrolment=OuterRef("pk"), status__in=LIVE
    )
    diagnoses = NeedsDiagnosis.objects.filter(organisation=organisation)
    enrolments = Enrolment.objects.filter(
        organisation=organisation,
        status=Enrolment.Status.ACTIVE,
        cohort__status=CohortStatus.RUNNING,
        # Not companies the organisation withdrew from its data (privacy): nobody is to
        # chase them for contact any more.
        data_withdrawn_at__isnull=True,
    )
    enrolments = enrolments.annotate(
        last_contact_on=_latest_contact(organisation, "happened_on"),
        next_contact_due=_latest_contact(organisation, "next_contact_on"),
        has_live_match=Exists(live),
        diagnosis_count=count_of(diagnoses, outer="enrolment"),
    )
    return enrolments.annotate(
        is_overdue=_as_bool(overdue_q(organisation=organisation, now=now))
    ).select_related("company", "cohort__programme")


def _as_bool(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def mentoring_companies(
    *,
    organisation,
    user=None,
    cohort_id: int | None = None,
    mine: bool = False,
    overdue: bool = False,
    unmatched: bool = False,
    now: datetime | None = None,
) -> QuerySet[Enrolment]:
    enrolments = enrolments_for_mentoring(organisation=organisation, now=now)
    if cohort_id:
        enrolments = enrolments.filter(cohort_id=cohort_id)
    if mine and user is not None:
        enrolments = enrolments.filter(looked_after_by(organisation=organisation, user=user))
    if overdue:
        enrolments = enrolments.filter(is_overdue=True)
    if unmatched:
        enrolments = enrolments.filter(has_live_match=False)
    return enrolments


def attach_mentoring_state(*, organisation, enrolments: list[Enrolment]) -> list[Enrolment]:
    """Give each enrolment of a page its current diagnosis and live match: two queries for
    the page, whatever its length."""
    ids = [e.pk for e in enrolments]
    current: dict[int, NeedsDiagnosis] = {}
    for diagnosis in NeedsDiagnosis.objects.filter(
        organisation=organisation, enrolment_id__in=ids
    ).order_by("enrolment_id", "-created_at", "-pk"):
        current.setdefault(diagnosis.enrolment_id, diagnosis)
    live = {
        m.enrolment_id: m
        for m in MentorMatch.objects.filter(
            organisation=organisation, enrolment_id__in=ids, status__in=LIVE
        ).select_related("mentor__user")
    }
    for enrolment in enrolments:
        enrolment.current_diagnosis = current.get(enrolment.pk)
        enrolment.live_match = live.get(enrolment.pk)
    return enrolments


def style_summary(thinking: float | None, interaction: float | None) -> list[dict]:
    """The two style axes as rows a template can draw: labels, value and a 0–100 position."""
    if thinking is None or interaction is None:
        return []
    rows = []
    for axis, value in (("thinking", thinking), ("interaction", interaction)):
        left, right = STYLE_AXES[axis]
        rows.append(
            {
                "axis": axis.capitalize(),
                "left": left,
                "right": right,
                "value": value,
                "percent": round((value + 2) / 4 * 100),
            }
        )
    return rows


def diagnosis_for_company(*, diagnosis: NeedsDiagnosis) -> dict:
    """What the company's own page of a diagnosis shows (inside the diagnosis's scope)."""
    latest = current_diagnosis(enrolment=diagnosis.enrolment)
    return {
        "diagnosis": diagnosis,
        "goals": list(diagnosis.goals.all()),
        "comments": list(diagnosis.comments.select_related("author")),
        "is_current": latest is not None and latest.pk == diagnosis.pk,
        "latest": latest,
        "match": diagnosis.enrolment.mentor_matches.filter(status=MentorMatch.Status.ACTIVE)
        .select_related("mentor__user")
        .first(),
        "style": style_summary(
            diagnosis.founder_thinking_style, diagnosis.founder_interaction_style
        ),
    }


# --- One company's record --------------------------------------------------------------------


def enrolment_record(*, organisation, pk: int) -> Enrolment:
    """An enrolment of this organisation with everything its mentoring page shows, or
    DoesNotExist."""
    return (
        Enrolment.objects.filter(organisation=organisation)
        .select_related("company", "cohort__programme", "organisation")
        .prefetch_related(
            Prefetch(
                "diagnoses",
                queryset=NeedsDiagnosis.objects.select_related("adviser")
                .prefetch_related("goals", "comments__author")
                .order_by("-created_at", "-pk"),
            ),
            Prefetch(
                "mentor_matches",
                queryset=MentorMatch.objects.select_related(
                    "mentor__user", "proposed_by", "diagnosis"
                ).order_by("-proposed_at", "-pk"),
            ),
        )
        .get(pk=pk)
    )


def contacts_of(*, organisation, company) -> QuerySet[AdviserContact]:
    return AdviserContact.objects.filter(organisation=organisation, company=company).select_related(
        "adviser"
    )


# --- The mentor's own matches ----------------------------------------------------------------


def matches_of_mentor(*, organisation, user) -> QuerySet[MentorMatch]:
    return (
        MentorMatch.objects.filter(organisation=organisation, mentor__user=user)
        .select_related("company", "enrolment__cohort__programme", "proposed_by", "mentor")
        .prefetch_related(
            Prefetch("diagnosis__goals"),
            "company__memberships__user",
        )
    )


# --- Overdue and the weekly digest -----------------------------------------------------------


def overdue_for(*, organisation, user=None, now: datetime | None = None) -> QuerySet[Enrolment]:
    """Companies overdue for contact. With a user: those they look after and those nobody
    has picked up yet (the same as their weekly digest)."""
    enrolments = mentoring_companies(organisation=organisation, overdue=True, now=now)
    if user is not None:
        enrolments = enrolments.filter(
            looked_after_by(organisation=organisation, user=user)
            | unassigned_q(organisation=organisation)
        )
    return enrolments.order_by(
        F("next_contact_due").asc(nulls_first=True), "enrolled_at", "company__name", "pk"
    )


def unassigned_q(*, organisation) -> Q:
    """Nobody has contacted or diagnosed the company yet."""
    contacted = AdviserContact.objects.filter(
        organisation=organisation, company=OuterRef("company_id"), adviser__isnull=False
    )
    diagnosed = NeedsDiagnosis.objects.filter(
        organisation=organisation, company=OuterRef("company_id"), adviser__isnull=False
    )
    return ~Q(Exists(contacted)) & ~Q(Exists(diagnosed))


def digest_plan(*, organisation, now: datetime | None = None) -> dict:
    """Who gets a digest this week and what it lists: {user: {"mine": [...], "unassigned":
    [...]}}. Every staff member gets the overdue companies they look after; growth advisers
    (or, without any, the managers) also get the overdue companies nobody has picked up."""
    overdue = list(overdue_for(organisation=organisation, now=now))
    if not overdue:
        return {}
    ids = [e.pk for e in overdue]
    staff = list(
        Membership.objects.filter(
            organisation=organisation,
            role__in=[Role.ADMIN, Role.PROGRAMME_MANAGER, Role.GROWTH_ADVISER],
            user__is_active=True,
        ).select_related("user")
    )
    by_pk = {e.pk: e for e in overdue}
    # Who looks after what: two queries for the whole organisation.
    owners: dict[int, set[int]] = {}
    company_to_enrolments: dict[int, list[int]] = {}
    for e in overdue:
        company_to_enrolments.setdefault(e.company_id, []).append(e.pk)
    for model in (AdviserContact, NeedsDiagnosis):
        pairs = (
            model.objects.filter(
                organisation=organisation,
                company_id__in=list(company_to_enrolments),
                adviser__isnull=False,
            )
            .values_list("adviser_id", "company_id")
            .distinct()
        )
        for adviser_id, company_id in pairs:
            owners.setdefault(adviser_id, set()).update(company_to_enrolments[company_id])
    looked_after = set().union(*owners.values()) if owners else set()
    unassigned = [by_pk[pk] for pk in ids if pk not in looked_after]
    advisers = [m for m in staff if m.role == Role.GROWTH_ADVISER]
    pickers = advisers or [m for m in staff if m.role != Role.GROWTH_ADVISER]
    plan = {}
    for membership in staff:
        mine = [by_pk[pk] for pk in ids if pk in owners.get(membership.user_id, set())]
        extra = unassigned if membership in pickers else []
        if mine or extra:
            plan[membership.user] = {"mine": mine, "unassigned": extra}
    return plan
