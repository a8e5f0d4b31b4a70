"""Demo impact data for `seed_demo`: baselines, survey rounds, invitations and answers, a
comparison group and case notes, so the demo dashboards and funder reports read like real
ones.

Modelled on the seed text of the Mayor's International Business Programme: of its 213
companies about 71% created jobs (over 400 in total), 49% signed deals, 45% entered new
markets, 36% secured further funding and 18% opened offices. Applicants who were not selected
answer the 12-month round as a comparison group, with clearly lower shares.

Each company's story is drawn once from its own seeded generator, and every survey round
reads from that story, so later answers include earlier ones (jobs only grow, a market once
entered stays entered). Rows that exist are left alone: a second run creates nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from cohorts.demo import MARKETS, PROGRAMMES
from cohorts.models import (
    Application,
    ApplicationStatus,
    Cohort,
    CohortStatus,
    CompanyMember,
    Enrolment,
)
from impact.importer import add_months
from impact.models import (
    Attribution,
    Baseline,
    CaseNote,
    FundingType,
    SurveyInvitation,
    SurveyResponse,
    SurveySchedule,
)
from portal.models import Membership
from portal.roles import Role
from portal.taxonomy import TurnoverBand
from portal.tenancy import tenant_scope
from programmes.models import Programme

SEED = 6006

# Programme slug → rounds: (months after the cohort ends, survey the comparison group too).
SCHEDULES = {
    "international-business-programme": [(3, False), (6, False), (12, True)],
    "ignite2scale": [(3, False), (6, False)],
}


@dataclass(frozen=True)
class Profile:
    """How likely a company is to report each outcome by the 12-month round, and how
    likely it is to answer a survey round."""

    jobs: float
    deals: float
    markets: float
    funding: float
    offices: float
    turnover_growth: float  # mean annual growth
    never_answers: float  # share of companies that answer no round at all
    answers_round: float  # chance that a company which answers at all answers a round


# Slightly above the seed text's shares: a company that answered only an early round has
# reported less than it will by twelve months.
PROFILES = {
    "international-business-programme": Profile(
        0.77, 0.53, 0.51, 0.385, 0.21, 0.22, never_answers=0.12, answers_round=0.72
    ),
    "ignite2scale": Profile(
        0.62, 0.40, 0.15, 0.30, 0.07, 0.15, never_answers=0.15, answers_round=0.70
    ),
}
COMPARISON = Profile(0.35, 0.25, 0.20, 0.15, 0.06, 0.06, never_answers=0.3, answers_round=0.68)

OUTCOME_NAMES = ("jobs", "deals", "markets", "funding", "offices")

# Of the outcomes a company reaches by twelve months, the share already reached by a round.
REACHED_BY = {3: 0.55, 6: 0.80, 12: 1.0}
OFFICES_BY = {3: 0.20, 6: 0.50, 12: 1.0}
JOBS_SO_FAR = {3: 0.35, 6: 0.60, 12: 1.0}

TURNOVER_RANGES = {
    TurnoverBand.UNDER_100K: (30_000, 99_000),
    TurnoverBand.TO_500K: (100_000, 500_000),
    TurnoverBand.TO_1M: (500_000, 1_000_000),
    TurnoverBand.TO_5M: (1_000_000, 5_000_000),
    TurnoverBand.TO_10M: (5_000_000, 10_000_000),
    TurnoverBand.TO_50M: (10_000_000, 50_000_000),
    TurnoverBand.OVER_50M: (50_000_000, 80_000_000),
}
OFFICE_CITIES = {
    "United States": "New York",
    "Germany": "Berlin",
    "France": "Paris",
    "Netherlands": "Amsterdam",
    "Spain": "Barcelona",
    "Finland": "Helsinki",
    "China": "Shanghai",
    "Singapore": "Singapore",
    "Canada": "Toronto",
    "United Arab Emirates": "Dubai",
    "Japan": "Tokyo",
    "Sweden": "Stockholm",
    "Ireland": "Dublin",
}

CASE_NOTES = {
    "international-business-programme": [
        (
            "A first US partner after the San Diego mission",
            "A life sciences company of fourteen people joined wanting a US development "
            "partner. Mentoring on US regulatory pathways shaped its pitch, and a meeting "
            "arranged on the San Diego mission led to a co-development agreement worth about "
            "£600,000. It has since hired four scientists to deliver the work and says the "
            "introduction would not have happened without the mission.",
        ),
        (
            "From trade mission to a Helsinki office",
            "An urban mobility start-up met two Nordic city authorities on the Helsinki "
            "mission. A pilot with one of them turned into a three-year contract, and the "
            "company opened a small office in Helsinki with two local hires to support it. "
            "It credits the programme's peer sessions for its approach to public tenders.",
        ),
        (
            "Investor introductions that became a funding round",
            "A data analytics company used the workshops to rebuild its international "
            "expansion plan and presented it to investors met in New York. Eight months later "
            "it closed a £2.1m round led by one of them, and has grown from 11 to 19 staff.",
        ),
        (
            "A market that did not fit, and one that did",
            "A clean-tech company went on the China mission and concluded, with its mentor, "
            "that the market was not yet right for its product. It turned to Germany instead, "
            "where it signed its first distributor within six months. Staff count the early "
            "no as one of the programme's most useful results.",
        ),
    ],
    "ignite2scale": [
        (
            "A second production line financed",
            "A family food producer used the finance workshop to prepare its case for asset "
            "finance and secured a £150,000 loan for a second production line. It has "
            "created five jobs and now supplies two regional supermarket chains.",
        ),
        (
            "First export orders after a new website",
            "An engineering firm rebuilt its website and online advertising after the "
            "digital marketing workshop. Enquiries from Ireland followed, and its first two "
            "export orders there were worth about £80,000.",
        ),
        (
            "Peers who became customers",
            "Three founders from the cohort kept meeting monthly after the peer-to-peer "
            "workshops. One now buys packaging from another, and together they recruited a "
            "shared finance manager none could have afforded alone.",
        ),
    ],
}


@dataclass
class Story:
    """What happens to one company over the twelve months after its cohort ends."""

    profile: Profile
    answers: bool
    answers_rounds: dict[int, bool]
    draws: dict[str, float] = field(default_factory=dict)
    jobs: int = 0  # jobs created by twelve months, if it creates any
    jobs_from: int = 12  # the first round by which it had created a job
    deals: int = 0
    deals_value: Decimal = Decimal(0)
    deals_from: int = 12
    markets: list[str] = field(default_factory=list)
    markets_from: int = 12
    funding: Decimal = Decimal(0)
    funding_type: str = ""
    funding_from: int = 12
    offices_from: int = 12
    growth: float = 0.0
    export_growth: float = 0.0
    margin: float = 0.0
    attribution: str = Attribution.PARTLY
    answer_day: dict[int, int] = field(default_factory=dict)
    skips: dict[str, bool] = field(default_factory=dict)
    by_phone: bool = False

    def reaches(self, outcome: str) -> bool:
        """Whether the company reaches the outcome within twelve months."""
        return self.draws[outcome] < getattr(self.profile, outcome)


def _reached(rng: random.Random, table: dict[int, float]) -> int:
    """The first survey round by which an outcome (reached within a year) was reached."""
    draw = rng.random()
    return next(months for months, share in sorted(table.items()) if draw <= share)


def _story(rng: random.Random, profile: Profile, baseline: Baseline | None, employees: int):
    """One company's year. Whether it reaches each outcome is `draws[outcome] < the
    profile's share`; the draws are spread evenly over the respondents afterwards (see
    _spread), so a group of twenty shows its profile's shares, not a lucky streak."""
    rounds = (3, 6, 12)
    answers = rng.random() >= profile.never_answers
    story = Story(
        profile=profile,
        answers=answers,
        answers_rounds={m: answers and rng.random() < profile.answers_round for m in rounds},
    )
    story.draws = {outcome: rng.random() for outcome in OUTCOME_NAMES}
    story.jobs = max(1, round(rng.gauss(3 + employees * 0.08, 2.0)))
    story.jobs_from = _reached(rng, REACHED_BY)
    story.deals = rng.choice([1, 1, 2, 2, 3, 4, 6])
    story.deals_value = _pounds(rng.lognormvariate(11.8, 0.9))
    story.deals_from = _reached(rng, REACHED_BY)
    known = {m.strip() for m in (baseline.exporting_markets if baseline else "").split(";")}
    options = [m for m in MARKETS if m not in known]
    story.markets = rng.sample(options, rng.choice([1, 1, 2, 2, 3]))
    story.markets_from = _reached(rng, REACHED_BY)
    story.funding = _pounds(rng.lognormvariate(12.9, 0.8))
    story.funding_type = rng.choice(
        [FundingType.EQUITY] * 3 + [FundingType.DEBT] * 2 + [FundingType.GRANT]
    )
    story.funding_from = _reached(rng, REACHED_BY)
    story.offices_from = _reached(rng, OFFICES_BY)
    story.growth = rng.gauss(profile.turnover_growth, 0.15)
    story.export_growth = rng.gauss(profile.turnover_growth - 0.02, 0.25)
    story.margin = rng.gauss(0.04, 0.09)
    story.attribution = rng.choice(
        [Attribution.PARTLY] * 7 + [Attribution.MOSTLY] * 2 + [Attribution.NONE]
    )
    for months in rounds:
        # Half answer in the first week; the reminders on days 7 and 14 bring the rest.
        story.answer_day[months] = rng.choice(
            [0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 16, 19, 23]
        )
    story.skips = {
        "turnover": rng.random() < 0.07,
        "profit": rng.random() < 0.15,
        "export_sales": rng.random() < 0.1,
    }
    story.by_phone = rng.random() < 0.1
    return story


def _spread(stories: list[Story], rng: random.Random) -> None:
    """Replace the respondents' outcome draws by evenly spaced ones (in a shuffled order),
    so exactly the profile's share of them reaches each outcome."""
    order = list(stories)
    rng.shuffle(order)
    count = len(order)
    for outcome in OUTCOME_NAMES:
        offset = rng.random()
        for index, story in enumerate(order):
            story.draws[outcome] = ((index + 0.5) / count + offset) % 1.0


def _answers(story: Story, months: int, baseline: Baseline | None) -> dict:
    """The story as told in the round `months` after the cohort's end."""

    def since(outcome, first):
        return story.reaches(outcome) and first <= months

    fraction = JOBS_SO_FAR[months]
    values: dict = {
        "jobs_created": (
            max(1, round(story.jobs * fraction)) if since("jobs", story.jobs_from) else 0
        ),
        "new_deals": since("deals", story.deals_from),
        "new_markets": since("markets", story.markets_from),
        "further_funding": since("funding", story.funding_from),
        "new_offices": since("offices", story.offices_from),
    }
    if values["new_deals"]:
        values["deals_count"] = max(1, round(story.deals * fraction))
        values["deals_value"] = max(Decimal(5000), _pounds(float(story.deals_value) * fraction))
    if values["new_markets"]:
        reached = {3: 1, 6: 2, 12: len(story.markets)}[months]
        values["markets_entered"] = "; ".join(story.markets[: max(1, reached)])
    if values["further_funding"]:
        values["funding_amount"] = story.funding
        values["funding_type"] = story.funding_type
    if values["new_offices"]:
        entered = story.markets or ["United States"]
        values["offices_where"] = OFFICE_CITIES.get(entered[0], entered[0])
    reported = any(
        values[k] for k in ("jobs_created", "new_deals", "new_markets", "further_funding")
    )
    values["attribution"] = story.attribution if reported else Attribution.NONE
    if baseline is not None and baseline.turnover is not None:
        turnover = max(10_000.0, float(baseline.turnover) * (1 + story.growth * months / 12))
        if not story.skips["turnover"]:
            values["turnover"] = _pounds(turnover)
        if not story.skips["profit"]:
            values["profit"] = _pounds(turnover * story.margin, step=100)
        if not story.skips["export_sales"]:
            exports = float(baseline.export_sales or 0) * (1 + story.export_growth * months / 12)
            if values["new_markets"]:
                exports += turnover * 0.04 * len(values["markets_entered"].split(";"))
            values["export_sales"] = _pounds(max(0.0, exports))
    return values


def _pounds(amount: float, *, step: int = 1000) -> Decimal:
    """A round figure, as people answer surveys: to the nearest £1,000 (or `step`)."""
    return Decimal(int(round(amount / step)) * step)


def _aware(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _company_rng(programme, cohort, company, *, comparison=False) -> random.Random:
    key = f"{SEED}:{programme.slug}:{cohort.number}:{company.registration_number or company.pk}"
    return random.Random(key + (":comparison" if comparison else ""))  # noqa: S311


# --- Steps ---------------------------------------------------------------------------------


def build_impact(summary) -> None:
    """Baselines, survey rounds, invitations, answers and case notes for the demo
    programmes (see cohorts/demo.py), created once."""
    now = timezone.now()
    for spec in PROGRAMMES:
        organisation = summary.organisations.get(spec["organisation"])
        if organisation is None:
            continue
        with tenant_scope(organisation):
            programme = Programme.objects.filter(
                organisation=organisation, slug=spec["slug"]
            ).first()
            if programme is None:
                continue
            manager = (
                Membership.objects.filter(organisation=organisation, role=Role.PROGRAMME_MANAGER)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            manager = manager.user if manager else None
            baselines = _baselines(summary, organisation, programme)
            if programme.slug in SCHEDULES:
                _surveys(summary, organisation, programme, baselines, manager, now)
            _case_notes(summary, organisation, programme, manager)


def _starting_figures(rng: random.Random, company) -> Baseline:
    """A company's figures when it joined (unsaved): turnover within its band, export sales
    a share of it if it already exports."""
    low, high = TURNOVER_RANGES.get(company.turnover_band, (200_000, 2_000_000))
    turnover = _pounds(rng.uniform(low, high))
    export_share = rng.uniform(0.08, 0.4) if company.exports else 0.0
    markets = [m.strip() for m in company.export_markets.split(",") if m.strip()]
    return Baseline(
        company=company,
        employees=company.employees,
        turnover=turnover,
        export_sales=_pounds(float(turnover) * export_share),
        exporting_markets="; ".join(markets),
    )


def _baselines(summary, organisation, programme) -> dict[tuple[int, int], Baseline]:
    """A baseline for every enrolment: the company's figures when it joined."""
    enrolments = list(
        Enrolment.objects.filter(cohort__programme=programme)
        .select_related("company", "cohort", "baseline")
        .order_by("pk")
    )
    new = []
    for enrolment in enrolments:
        if hasattr(enrolment, "baseline"):
            continue
        rng = _company_rng(programme, enrolment.cohort, enrolment.company)
        baseline = _starting_figures(rng, enrolment.company)
        baseline.organisation = organisation
        baseline.enrolment = enrolment
        baseline.source = rng.choice([Baseline.Source.COMPANY] * 4 + [Baseline.Source.STAFF])
        new.append(baseline)
    Baseline.objects.bulk_create(new)
    summary.changes["created"] += len(new)
    if new:
        summary.changes["unchanged"] += len(enrolments) - len(new)
    return {
        (b.enrolment.cohort_id, b.company_id): b
        for b in Baseline.objects.filter(enrolment__cohort__programme=programme).select_related(
            "enrolment"
        )
    }


def _surveys(summary, organisation, programme, baselines, manager, now) -> None:
    schedules = []
    for months, comparison in SCHEDULES[programme.slug]:
        schedule, created = SurveySchedule.objects.get_or_create(
            organisation=organisation,
            programme=programme,
            anchor=SurveySchedule.Anchor.COHORT_END,
            offset_months=months,
            defaults={
                "name": f"{months}-month follow-up",
                "reminder_days": "7,14",
                "expires_after_days": 28,
                "include_comparison_group": comparison,
            },
        )
        summary.changes["created" if created else "unchanged"] += 1
        schedules.append(schedule)

    cohorts = list(
        Cohort.objects.filter(
            programme=programme, status__in=[CohortStatus.RUNNING, CohortStatus.COMPLETED]
        ).order_by("number")
    )
    existing = set(
        SurveyInvitation.objects.filter(schedule__programme=programme).values_list(
            "schedule_id", "cohort_id", "company_id"
        )
    )
    enrolments = list(
        Enrolment.objects.filter(cohort__in=cohorts)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("company")
        .order_by("cohort_id", "company__registration_number", "pk")
    )
    rejected = list(
        Application.objects.filter(
            cohort__in=[c for c in cohorts if c.status == CohortStatus.COMPLETED],
            status=ApplicationStatus.REJECTED,
        )
        .select_related("company", "created_by")
        .order_by("cohort_id", "company__registration_number", "pk")
    )
    emails = dict(
        CompanyMember.objects.filter(
            company_id__in={e.company_id for e in enrolments} | {a.company_id for a in rejected},
            role=CompanyMember.Role.OWNER,
        )
        .order_by("-pk")
        .values_list("company_id", "user__email")
    )
    by_id = {c.pk: c for c in cohorts}
    participants = [(e.cohort_id, e.company, False) for e in enrolments]
    comparison = [(a.cohort_id, a.company, True) for a in rejected]

    invitations, answers = [], []
    profile = PROFILES[programme.slug]
    for cohort_id, company, is_comparison in participants + comparison:
        cohort = by_id[cohort_id]
        rng = _company_rng(programme, cohort, company, comparison=is_comparison)
        # Comparison companies have no enrolment, so no baseline row: their answers about
        # turnover are drawn from the same kind of starting figures.
        baseline = (
            _starting_figures(rng, company)
            if is_comparison
            else baselines.get((cohort_id, company.pk))
        )
        story = _story(rng, COMPARISON if is_comparison else profile, baseline, company.employees)
        for schedule in schedules:
            if is_comparison and not schedule.include_comparison_group:
                continue
            if (schedule.pk, cohort_id, company.pk) in existing:
                continue
            invitation = _invitation(
                organisation, schedule, cohort, company, story, is_comparison, now
            )
            invitation.email = emails.get(company.pk) or f"info@{company.pk}.companies.demo"
            invitations.append(invitation)
            if invitation.status == SurveyInvitation.Status.ANSWERED:
                answers.append((invitation, story, baseline))
    SurveyInvitation.objects.bulk_create(invitations)
    for is_comparison in (False, True):
        respondents = {
            id(story): story for inv, story, _ in answers if inv.is_comparison == is_comparison
        }
        group_rng = random.Random(f"{SEED}:{programme.slug}:{is_comparison}")  # noqa: S311
        _spread(list(respondents.values()), group_rng)
    responses = []
    for invitation, story, baseline in answers:
        by_phone = story.by_phone and manager is not None
        responses.append(
            SurveyResponse(
                organisation=organisation,
                invitation=invitation,
                programme=programme,
                cohort_id=invitation.cohort_id,
                company_id=invitation.company_id,
                round_months=invitation.schedule.offset_months,
                is_comparison=invitation.is_comparison,
                source=SurveyResponse.Source.PHONE if by_phone else SurveyResponse.Source.WEB,
                entered_by=manager if by_phone else None,
                responded_on=timezone.localdate(invitation.answered_at),
                submitted_at=invitation.answered_at,
                **_answers(story, invitation.schedule.offset_months, baseline),
            )
        )
    SurveyResponse.objects.bulk_create(responses)
    summary.changes["created"] += len(invitations) + len(responses)


def _invitation(organisation, schedule, cohort, company, story, is_comparison, now):
    """An invitation in the state it would have reached by now."""
    months = schedule.offset_months
    due_at = _aware(add_months(cohort.end_date, months))
    invitation = SurveyInvitation(
        organisation=organisation,
        schedule=schedule,
        cohort=cohort,
        company=company,
        is_comparison=is_comparison,
        due_at=due_at,
    )
    if due_at > now:
        return invitation  # scheduled: the dispatcher sends it when due
    sent_at = due_at + timedelta(minutes=5)
    invitation.sent_at = sent_at
    invitation.expires_at = sent_at + timedelta(days=schedule.expires_after_days)
    reminders = schedule.reminder_offsets
    answered_at = None
    if story.answers_rounds.get(months):
        day = story.answer_day[months]
        answered_at = sent_at + timedelta(days=day, hours=2 + day % 7)
        if answered_at >= min(now, invitation.expires_at):
            answered_at = None
    if answered_at is not None:
        invitation.status = SurveyInvitation.Status.ANSWERED
        invitation.answered_at = answered_at
        passed = [d for d in reminders if sent_at + timedelta(days=d) < answered_at]
    elif invitation.expires_at <= now:
        invitation.status = SurveyInvitation.Status.EXPIRED
        passed = reminders
    else:
        invitation.status = SurveyInvitation.Status.SENT
        passed = [d for d in reminders if sent_at + timedelta(days=d) <= now]
    invitation.reminders_sent = len(passed)
    if passed:
        invitation.last_reminder_at = sent_at + timedelta(days=passed[-1])
    return invitation


def _case_notes(summary, organisation, programme, manager) -> None:
    notes = CASE_NOTES.get(programme.slug, [])
    existing = set(CaseNote.objects.filter(programme=programme).values_list("title", flat=True))
    new = [
        CaseNote(
            organisation=organisation,
            programme=programme,
            title=title,
            text=text,
            include_in_report=True,
            created_by=manager,
        )
        for title, text in notes
        if title not in existing
    ]
    CaseNote.objects.bulk_create(new)
    summary.changes["created"] += len(new)
    summary.changes["unchanged"] += len(notes) - len(new)
