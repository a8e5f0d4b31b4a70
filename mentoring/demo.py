"""Demo mentoring for `seed_demo`: about twenty mentors, a growth adviser with forty
companies, needs diagnoses, matches (a few declined, a few ended and re-matched), a term of
sessions with no-shows and cancellations, upcoming bookings with their reminders, adviser
contacts (some overdue) and the mentors' monthly fee claims.

Modelled on the seed text: a programme manager with some twenty mentors recruited for their
function, sector and style, growth advisers who diagnose real needs and keep in touch, and
mentors paid a modest rate per session. Mentors are found by organisation and e-mail and
created once; an organisation's mentoring activity is built once (an organisation that has
any mentor match is left as it is), so running the command again creates nothing. The
generated rows are deterministic (a seeded random generator) and written in bulk."""

from __future__ import annotations

import random
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from cohorts import demo as cohorts_demo
from cohorts.models import Cohort, CohortStatus, CompanyMember, Enrolment
from mentoring.claims import claimable_months
from mentoring.matching import CompanyFacts, MentorFacts, Ranked, score
from mentoring.models import (
    INTERACTION_STATEMENTS,
    THINKING_STATEMENTS,
    AdviserContact,
    AdviserDigest,
    AvailabilitySlot,
    DiagnosisComment,
    Expertise,
    FeeClaim,
    Goal,
    MentoringSession,
    MentoringSettings,
    MentorMatch,
    MentorProfile,
    NeedsDiagnosis,
    SessionAction,
    SessionReminder,
    WeeklyAvailability,
    style_position,
)
from mentoring.periods import month_bounds
from portal.demo import _Passwords, ensure_membership, ensure_user
from portal.models import Membership
from portal.roles import Role
from portal.tenancy import tenant_scope
from programmes.models import Programme

E = Expertise
Status = MentoringSession.Status

# --- Mentors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MentorSpec:
    email: str
    first_name: str
    last_name: str
    organisations: tuple[str, ...]
    status: str
    expertise: tuple[str, ...]
    sectors: tuple[str, ...]
    region: str
    capacity: int
    rate: int
    background: str
    hours: tuple[tuple[int, int, int], ...] = ()  # (weekday, from hour, to hour), local time
    online_ok: bool = True
    time_zone: str = "Europe/London"
    languages: str = "English"
    founded: str = ""
    coaching: str = ""
    # Answers 1–5 to the four thinking and four interaction statements.
    style: tuple[tuple[int, ...], tuple[int, ...]] = ((3, 3, 3, 3), (3, 3, 3, 3))


ACTIVE = MentorProfile.Status.ACTIVE
PENNINE = ("pennine-growth",)
CAPITAL = ("capital-trade",)

MENTORS: list[MentorSpec] = [
    # Pennine Growth Hub: Ignite2Scale's mentor programme.
    MentorSpec(
        "mentor@pennine-growth.demo",
        "Neil",
        "Brierley",
        PENNINE,
        ACTIVE,
        (E.FINANCE, E.ACCESS_TO_FINANCE, E.LEADERSHIP),
        ("manufacturing", "food"),
        "north_west",
        6,
        150,
        "Finance director of two family manufacturers in Lancashire, then founder of a "
        "bakery supplier sold to a national group.",
        ((1, 9, 12), (3, 13, 17)),
        founded="Brierley Bakery Supplies (sold 2019)",
        coaching="Eight years mentoring for the Hub and the local enterprise partnership.",
        style=((5, 4, 5, 4), (3, 4, 3, 2)),
    ),
    MentorSpec(
        "priya.shah@mentors.demo",
        "Priya",
        "Shah",
        ("pennine-growth", "ne-innovation"),
        ACTIVE,
        (E.DIGITAL_MARKETING, E.SALES_MARKETING),
        ("creative", "retail", "tech"),
        "yorkshire",
        5,
        175,
        "Built the e-commerce team of a Leeds fashion retailer from two people to forty; now "
        "advises independent brands on growth marketing.",
        ((0, 10, 13), (2, 14, 17)),
        founded="Northlight Digital (agency, 2014)",
        coaching="ILM Level 5 in coaching and mentoring.",
        style=((4, 3, 4, 3), (2, 2, 2, 3)),
    ),
    MentorSpec(
        "mentor.james.holt@mentors.demo",
        "James",
        "Holt",
        PENNINE,
        ACTIVE,
        (E.OPERATIONS, E.PEOPLE),
        ("manufacturing",),
        "yorkshire",
        4,
        120,
        "Thirty years in operations, the last ten as managing director of a precision "
        "engineering firm in Huddersfield.",
        ((0, 9, 12), (3, 9, 12)),
        style=((5, 5, 4, 5), (4, 5, 4, 3)),
    ),
    MentorSpec(
        "mentor.sarah.kaur@mentors.demo",
        "Sarah",
        "Kaur",
        PENNINE,
        ACTIVE,
        (E.ACCESS_TO_FINANCE, E.FINANCE, E.LEADERSHIP),
        ("tech", "finance"),
        "north_west",
        8,
        200,
        "Angel investor and former venture partner; has raised three rounds as a founder and "
        "sits on the boards of four scaleups.",
        ((1, 14, 18), (2, 9, 12), (4, 9, 12)),
        founded="Ledgerline (fintech, acquired 2020)",
        coaching="Mentor on two accelerator programmes.",
        style=((5, 4, 5, 4), (4, 3, 5, 3)),
    ),
    MentorSpec(
        "mentor.owen.pritchard@mentors.demo",
        "Owen",
        "Pritchard",
        PENNINE,
        ACTIVE,
        (E.SALES_MARKETING, E.INTERNATIONAL_TRADE),
        ("food", "manufacturing"),
        "north_west",
        3,
        130,
        "Export sales manager for a Cheshire cheese maker; opened distributors in eleven "
        "countries.",
        ((2, 13, 16),),
        style=((2, 3, 2, 3), (3, 4, 3, 2)),
    ),
    MentorSpec(
        "mentor.lucy.barraclough@mentors.demo",
        "Lucy",
        "Barraclough",
        PENNINE,
        ACTIVE,
        (E.PEOPLE, E.LEADERSHIP),
        ("creative", "retail"),
        "yorkshire",
        4,
        110,
        "HR director turned executive coach; helps founders hire their first managers.",
        ((1, 9, 12), (3, 14, 17)),
        online_ok=False,
        coaching="Accredited executive coach (EMCC).",
        style=((2, 2, 3, 2), (1, 2, 2, 1)),
    ),
    MentorSpec(
        "mentor.daniel.mensah@mentors.demo",
        "Daniel",
        "Mensah",
        PENNINE,
        ACTIVE,
        (E.PRODUCT_TECH, E.DIGITAL_MARKETING),
        ("tech", "creative"),
        "north_west",
        6,
        160,
        "Chief technology officer of a Manchester SaaS company through its Series B.",
        ((0, 14, 18), (4, 10, 13)),
        founded="Stackwise (SaaS, 2015)",
        style=((4, 4, 5, 5), (3, 3, 4, 3)),
    ),
    MentorSpec(
        "mentor.helen.sykes@mentors.demo",
        "Helen",
        "Sykes",
        PENNINE,
        ACTIVE,
        (E.LEGAL, E.FINANCE),
        ("finance", "other"),
        "yorkshire",
        2,
        250,
        "Commercial solicitor for twenty years; now helps small firms with contracts, "
        "shareholder agreements and IP.",
        ((2, 9, 12),),
        style=((5, 5, 5, 4), (4, 4, 3, 4)),
    ),
    MentorSpec(
        "mentor.mark.greenwood@mentors.demo",
        "Mark",
        "Greenwood",
        PENNINE,
        ACTIVE,
        (E.OPERATIONS, E.PRODUCT_TECH),
        ("manufacturing", "urban"),
        "yorkshire",
        5,
        140,
        "Lean manufacturing consultant; ran the Sheffield plant of a global pump maker.",
        ((1, 13, 17), (4, 13, 16)),
        style=((4, 5, 4, 5), (5, 4, 4, 4)),
    ),
    MentorSpec(
        "mentor.zara.ahmed@mentors.demo",
        "Zara",
        "Ahmed",
        PENNINE,
        MentorProfile.Status.INDUCTION,
        (E.SALES_MARKETING, E.DIGITAL_MARKETING),
        ("retail", "food"),
        "north_west",
        4,
        100,
        "Founded a Bradford food brand now stocked by three supermarkets.",
        founded="Spice Route Kitchen (2016)",
        style=((2, 2, 3, 3), (2, 3, 2, 2)),
    ),
    MentorSpec(
        "mentor.graham.lockwood@mentors.demo",
        "Graham",
        "Lockwood",
        PENNINE,
        MentorProfile.Status.APPLIED,
        (E.FINANCE,),
        ("manufacturing",),
        "yorkshire",
        4,
        0,
        "Retired finance director of a textile mill; wants to give something back.",
    ),
    MentorSpec(
        "mentor.anne.whitaker@mentors.demo",
        "Anne",
        "Whitaker",
        PENNINE,
        MentorProfile.Status.INACTIVE,
        (E.LEADERSHIP, E.PEOPLE),
        ("food",),
        "yorkshire",
        3,
        120,
        "Chief executive of a regional dairy cooperative; taking a break from mentoring this year.",
        style=((3, 3, 2, 3), (2, 2, 3, 2)),
    ),
    # Capital Trade & Invest: the International Business Programme's mentors.
    MentorSpec(
        "mentor@capital-trade.demo",
        "Hannah",
        "Lewis",
        CAPITAL,
        ACTIVE,
        (E.INTERNATIONAL_TRADE, E.SALES_MARKETING, E.PEOPLE),
        ("tech", "urban"),
        "london",
        8,
        200,
        "Opened the US and German offices of a London software company and hired their first "
        "sales teams.",
        ((1, 9, 12), (2, 13, 17), (3, 9, 12), (4, 14, 17)),
        founded="Gridwise (energy software, exited 2021)",
        coaching="Mentor on the programme since its first cohort.",
        style=((4, 3, 4, 4), (3, 3, 4, 3)),
    ),
    MentorSpec(
        "mentor.richard.cole@mentors.demo",
        "Richard",
        "Cole",
        CAPITAL,
        ACTIVE,
        (E.ACCESS_TO_FINANCE, E.FINANCE),
        ("life_sciences", "tech", "finance"),
        "london",
        4,
        250,
        "Investment banker turned life-sciences investor; has led or joined fifteen Series A "
        "rounds.",
        ((0, 9, 12), (3, 14, 17)),
        style=((5, 5, 5, 5), (5, 4, 5, 3)),
    ),
    MentorSpec(
        "mentor.mei.lin@mentors.demo",
        "Mei",
        "Lin",
        CAPITAL,
        ACTIVE,
        (E.INTERNATIONAL_TRADE, E.PRODUCT_TECH),
        ("tech",),
        "london",
        6,
        220,
        "Led Asia-Pacific expansion for a UK cybersecurity firm from Singapore and Shanghai.",
        ((1, 13, 17), (3, 9, 12)),
        languages="English, Mandarin",
        style=((4, 4, 3, 4), (2, 3, 3, 2)),
    ),
    MentorSpec(
        "mentor.jacob.weiss@mentors.demo",
        "Jacob",
        "Weiss",
        CAPITAL,
        ACTIVE,
        (E.INTERNATIONAL_TRADE, E.SALES_MARKETING),
        ("life_sciences", "tech"),
        "outside_uk",
        4,
        240,
        "Boston-based commercial director; has launched five European medtech products in the "
        "United States. Mentors online, mornings New York time.",
        ((1, 9, 12), (3, 9, 12)),
        time_zone="America/New_York",
        style=((4, 4, 4, 3), (4, 4, 4, 4)),
    ),
    MentorSpec(
        "mentor.fatima.bello@mentors.demo",
        "Fatima",
        "Bello",
        CAPITAL,
        ACTIVE,
        (E.LEGAL, E.INTERNATIONAL_TRADE),
        ("urban", "life_sciences"),
        "london",
        5,
        230,
        "Trade lawyer; advises scaleups on public tenders, export controls and overseas "
        "subsidiaries.",
        ((0, 13, 17), (2, 9, 12)),
        style=((5, 4, 5, 4), (3, 4, 3, 3)),
    ),
    MentorSpec(
        "mentor.tom.harrington@mentors.demo",
        "Tom",
        "Harrington",
        CAPITAL,
        ACTIVE,
        (E.LEADERSHIP, E.PEOPLE),
        ("tech", "finance"),
        "south_east",
        3,
        180,
        "Chief executive of a payments company through its growth from 30 to 400 people.",
        ((4, 9, 12),),
        style=((3, 2, 3, 2), (2, 1, 2, 2)),
    ),
    MentorSpec(
        "mentor.claire.dupont@mentors.demo",
        "Claire",
        "Dupont",
        CAPITAL,
        MentorProfile.Status.INTERVIEW,
        (E.DIGITAL_MARKETING, E.INTERNATIONAL_TRADE),
        ("tech",),
        "london",
        4,
        0,
        "Marketing director for French and British consumer apps.",
        languages="English, French",
    ),
    MentorSpec(
        "mentor.ahmed.rashid@mentors.demo",
        "Ahmed",
        "Rashid",
        CAPITAL,
        MentorProfile.Status.APPLIED,
        (E.OPERATIONS,),
        ("urban",),
        "london",
        4,
        0,
        "Construction project director; has delivered projects in the Gulf and in London.",
    ),
    # North East Innovation Network's mentors (no mentoring programme yet).
    MentorSpec(
        "mentor@ne-innovation.demo",
        "Kirsty",
        "Armstrong",
        ("ne-innovation",),
        ACTIVE,
        (E.INTERNATIONAL_TRADE, E.OPERATIONS),
        ("urban", "manufacturing"),
        "north_east",
        4,
        140,
        "Export manager for offshore energy suppliers on Tyneside.",
        ((2, 9, 12),),
    ),
]

RATE_EXPECTATION = "£150–£200 a session"

# --- Texts -------------------------------------------------------------------------------------

GOALS = {
    E.FINANCE: "A monthly cash-flow forecast the board trusts",
    E.ACCESS_TO_FINANCE: "Raise the next round of investment",
    E.SALES_MARKETING: "Win three new key accounts",
    E.DIGITAL_MARKETING: "Double the leads from the website",
    E.OPERATIONS: "Cut the order-to-delivery time by a third",
    E.PEOPLE: "Hire and onboard a first management team",
    E.LEGAL: "Shareholder agreement and IP assignments in place",
    E.INTERNATIONAL_TRADE: "First customers in a new export market",
    E.PRODUCT_TECH: "Ship the next version of the product on time",
    E.LEADERSHIP: "A one-page strategic plan the team owns",
}
NOTES = [
    "Went through the cash-flow forecast line by line; agreed what to cut.",
    "Worked on the pitch for the next investor meeting; the ask is clearer now.",
    "Mapped the sales pipeline; too many small deals, not enough focus.",
    "Discussed the first management hire and how to test candidates.",
    "Reviewed the distributor shortlist for the target market.",
    "Talked through pricing for the new product line.",
    "Agreed a plan for the website relaunch and which campaigns to stop.",
    "Looked at the production bottleneck; a second shift may pay for itself.",
]
ACTIONS = [
    ("Send the revised cash-flow forecast", SessionAction.Owner.COMPANY),
    ("Draft the job description for the operations manager", SessionAction.Owner.COMPANY),
    ("Introduce the founder to a contact at a distributor", SessionAction.Owner.MENTOR),
    ("Share a template shareholder agreement", SessionAction.Owner.MENTOR),
    ("Call three lapsed customers and ask why", SessionAction.Owner.COMPANY),
    ("Price the premium tier and test it on two customers", SessionAction.Owner.COMPANY),
    ("Send notes on the pitch deck", SessionAction.Owner.MENTOR),
    ("Book a stand at the trade fair", SessionAction.Owner.COMPANY),
]
FEEDBACK = [
    "Very practical; we left with a plan.",
    "Challenging questions, exactly what we needed.",
    "Useful, though we ran out of time.",
    "",
    "",
]
CONTACT_NOTES = {
    AdviserContact.Kind.MEETING: "Met the founder at their premises; walked through the plan.",
    AdviserContact.Kind.CALL: "Catch-up call: progress with the mentor and what is next.",
    AdviserContact.Kind.EMAIL: "Sent the workshop dates; checked the mentor sessions are booked.",
}
COMMENTS = [
    "Thanks – could we put more weight on hiring? It is our biggest worry right now.",
    "This matches what we discussed. We would like a mentor who has exported food.",
    "Agreed. Can the mentor also help with our investor deck?",
    "Spot on. One more goal: get the new website live before the trade fair.",
]
DECLINE_REASONS = [
    "I advised a direct competitor of theirs last year.",
    "Fully booked this quarter; happy to take them on later.",
    "Their needs are mostly legal; someone else will serve them better.",
]
REMATCHES = [
    ("Needs changed", "now raising a round, so finance comes first"),
    ("Not a good fit", "the founder wanted a more hands-on mentor"),
    ("Mentor unavailable", "the mentor moved abroad for a contract"),
]
CANCEL_REASONS = {
    "company": [
        "A customer visit came up that we cannot move.",
        "The founder is ill.",
        "We are short-staffed this week.",
    ],
    "mentor": [
        "A family emergency; sorry.",
        "Travelling for a board meeting that moved.",
    ],
}
PLACES = [
    "Pennine Growth Hub, Mill Street, Rochdale (meeting room 2)",
    "At the company's office",
    "Capital Trade & Invest, Level 4, 10 Bridge Street, London",
]

# (organisation, programme, sessions per company, minutes, pay the mentor for a mentee's
# no-show)
SETTINGS = [
    ("pennine-growth", "ignite2scale", 6, 60, True),
    ("capital-trade", "international-business-programme", 6, 60, False),
]
# Mentors whose last claim the manager queried.
QUERIED = {"mentor@capital-trade.demo", "mentor.lucy.barraclough@mentors.demo"}
# The demo mentor who has last month still to claim.
UNCLAIMED = "mentor@pennine-growth.demo"
# Lumen Grid's mentor: kept to a few companies so that she has time for Lumen Grid.
LUMEN_MENTOR = ("mentor@capital-trade.demo", 4)

# Ignite2Scale's running cohort: the adviser's forty companies take part in it.
IGNITE_RUNNING = 3

# Per organisation: the programme, the running cohort, how many companies the adviser has
# diagnosed and how many more only contacted, matches re-made and declined.
ACTIVITY = {
    "pennine-growth": {
        "programme": "ignite2scale",
        "cohort": IGNITE_RUNNING,
        "diagnosed": 38,
        "contacted_only": 2,
        "rematches": 3,
        "declined": 3,
        "proposed": 2,
        "unmatched": 3,
        "online_share": 0.5,
    },
    "capital-trade": {
        "programme": "international-business-programme",
        "cohort": 3,
        "diagnosed": 26,
        "contacted_only": 40,
        "rematches": 1,
        "declined": 1,
        "proposed": 1,
        "unmatched": 2,
        "online_share": 0.8,
    },
}
LUMEN_GRID = "10234871"


# --- The step ----------------------------------------------------------------------------------


def build_mentoring(summary) -> None:
    """Mentors, programme settings and a term of mentoring in two organisations."""
    rng = random.Random(5)  # noqa: S311 - demo data, not security
    now = timezone.now().replace(second=0, microsecond=0)
    passwords = _Passwords()
    _running_ignite_cohort(summary, rng)
    profiles = _mentors(summary, passwords, now)
    for slug, programme_slug, budget, minutes, pays in SETTINGS:
        organisation = summary.organisations[slug]
        with tenant_scope(organisation):
            programme = Programme.objects.filter(
                organisation=organisation, slug=programme_slug
            ).first()
            if programme is None:
                continue
            _, created = MentoringSettings.objects.get_or_create(
                organisation=organisation,
                programme=programme,
                defaults={
                    "sessions_per_company": budget,
                    "session_minutes": minutes,
                    "pay_mentee_no_show": pays,
                },
            )
            summary.changes["created" if created else "unchanged"] += 1
    for slug, spec in ACTIVITY.items():
        organisation = summary.organisations[slug]
        with tenant_scope(organisation):
            if MentorMatch.objects.filter(organisation=organisation).exists():
                summary.changes["unchanged"] += 1
                continue
            mentors = [p for p in profiles if p.organisation_id == organisation.pk]
            _Term(summary, organisation, spec, mentors, rng, now).build()


def _running_ignite_cohort(summary, rng) -> None:
    """Ignite2Scale's demo cohorts are one completed and one open; mentoring needs one
    running, with the adviser's forty companies in it."""
    organisation = summary.organisations["pennine-growth"]
    today = timezone.localdate()
    with tenant_scope(organisation):
        programme = Programme.objects.filter(organisation=organisation, slug="ignite2scale").first()
        if programme is None:
            return
        if Cohort.objects.filter(programme=programme, number=IGNITE_RUNNING).exists():
            summary.changes["unchanged"] += 1
            return
        spec = next(p for p in cohorts_demo.PROGRAMMES if p["slug"] == "ignite2scale")
        cohort_spec = cohorts_demo.CohortSpec(
            IGNITE_RUNNING,
            "Calderdale",
            today - timedelta(days=110),
            today + timedelta(days=160),
            today - timedelta(days=200),
            today - timedelta(days=150),
            CohortStatus.RUNNING,
            44,
            57,
        )
        memberships = Membership.objects.filter(organisation=organisation).select_related("user")
        reviewers = [
            m.user
            for m in memberships.filter(role__in=[Role.REVIEWER, Role.PROGRAMME_MANAGER]).order_by(
                "pk"
            )
        ]
        manager = next(
            (m.user for m in memberships.filter(role=Role.PROGRAMME_MANAGER).order_by("pk")), None
        )
        cohorts_demo._build_cohort(
            summary, organisation, programme, spec, cohort_spec, reviewers, manager, rng
        )


def _mentors(summary, passwords, now) -> list[MentorProfile]:
    """Every mentor profile of the demo (existing ones are left as they are)."""
    profiles = []
    for spec in MENTORS:
        user = ensure_user(summary, passwords, spec.email, spec.first_name, spec.last_name)
        for slug in spec.organisations:
            organisation = summary.organisations[slug]
            with tenant_scope(organisation):
                in_pool = spec.status in (
                    MentorProfile.Status.INDUCTION,
                    MentorProfile.Status.ACTIVE,
                    MentorProfile.Status.INACTIVE,
                )
                if in_pool:
                    ensure_membership(summary, user, organisation, Role.MENTOR)
                profile = MentorProfile.objects.filter(organisation=organisation, user=user).first()
                if profile is None:
                    profile = _create_profile(organisation, user, spec, now)
                    summary.changes["created"] += 1
                else:
                    summary.changes["unchanged"] += 1
                profiles.append(profile)
    return profiles


def _create_profile(organisation, user, spec: MentorSpec, now) -> MentorProfile:
    thinking, interaction = spec.style
    recruited = spec.status not in (MentorProfile.Status.APPLIED, MentorProfile.Status.INTERVIEW)
    inducted = spec.status in (MentorProfile.Status.ACTIVE, MentorProfile.Status.INACTIVE)
    induction_start = now - timedelta(days=240)
    profile = MentorProfile.objects.create(
        organisation=organisation,
        user=user,
        status=spec.status,
        background=spec.background,
        expertise=[str(e) for e in spec.expertise],
        sectors=list(spec.sectors),
        companies_founded_or_scaled=spec.founded,
        coaching_experience=spec.coaching,
        rate_expectation=f"£{spec.rate} a session" if spec.rate else RATE_EXPECTATION,
        rate_per_session=Decimal(spec.rate),
        capacity_per_month=spec.capacity,
        languages=spec.languages,
        region=spec.region,
        online_ok=spec.online_ok,
        time_zone=spec.time_zone,
        bio=f"{spec.background} Happy to help with "
        + ", ".join(Expertise(e).label.lower() for e in spec.expertise)
        + "."
        if recruited
        else "",
        style_answers={"thinking": list(thinking), "interaction": list(interaction)}
        if recruited
        else {},
        thinking_style=style_position(list(thinking)) if recruited else 0,
        interaction_style=style_position(list(interaction)) if recruited else 0,
        interview_notes="Strong on practical experience; good listener." if recruited else "",
        agreement_signed_at=induction_start if recruited else None,
        conflicts_declared_at=induction_start + timedelta(days=3) if inducted else None,
        induction_attended_at=induction_start + timedelta(days=10) if inducted else None,
    )
    if spec.status == MentorProfile.Status.ACTIVE and spec.hours:
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(
                organisation=organisation,
                mentor=profile,
                weekday=weekday,
                start_time=time(start),
                end_time=time(end),
            )
            for weekday, start, end in spec.hours
        )
        # A one-off morning on the second Saturday from now, in the mentor's own zone.
        zone = zoneinfo.ZoneInfo(spec.time_zone)
        today = now.astimezone(zone).date()
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 + 7)
        if spec.capacity >= 6:
            AvailabilitySlot.objects.create(
                organisation=organisation,
                mentor=profile,
                starts_at=datetime.combine(saturday, time(9), tzinfo=zone),
                ends_at=datetime.combine(saturday, time(12), tzinfo=zone),
            )
    return profile


# --- A term of mentoring -----------------------------------------------------------------------


@dataclass
class _Pair:
    """One company's mentoring as it is planned, before it is written."""

    enrolment: Enrolment
    diagnoses: list[NeedsDiagnosis] = field(default_factory=list)
    matches: list[MentorMatch] = field(default_factory=list)


class _Term:
    """The organisation's mentoring over the last three months and the next weeks."""

    def __init__(self, summary, organisation, spec, mentors, rng, now) -> None:
        self.summary = summary
        self.organisation = organisation
        self.spec = spec
        self.rng = rng
        self.now = now
        self.zone = zoneinfo.ZoneInfo(organisation.time_zone)
        self.today = now.astimezone(self.zone).date()
        self.mentors = [m for m in mentors if m.can_be_matched]
        self.hours = {}
        for row in WeeklyAvailability.objects.filter(mentor__in=self.mentors):
            self.hours.setdefault(row.mentor_id, []).append(row)
        self.mentors = [m for m in self.mentors if m.pk in self.hours]
        self.active_count = {m.pk: 0 for m in self.mentors}
        self.limit = {
            m.pk: LUMEN_MENTOR[1] if m.user.email == LUMEN_MENTOR[0] else m.capacity_per_month
            for m in self.mentors
        }
        self.taken: set[tuple[int, datetime]] = set()
        self.load: Counter = Counter()  # live sessions per (mentor, year, month)
        staff = Membership.objects.filter(organisation=organisation).select_related("user")
        self.adviser = next(
            (m.user for m in staff.filter(role=Role.GROWTH_ADVISER).order_by("pk")), None
        )
        self.manager = next(
            (m.user for m in staff.filter(role=Role.PROGRAMME_MANAGER).order_by("pk")), None
        )
        self.created = 0

    def at(self, days_ago: float, hour: int = 10) -> datetime:
        day = self.today - timedelta(days=int(days_ago))
        return datetime.combine(day, time(hour), tzinfo=self.zone)

    # --- Who takes part

    def _enrolments(self) -> list[Enrolment]:
        programme = Programme.objects.filter(
            organisation=self.organisation, slug=self.spec["programme"]
        ).first()
        cohort = (
            Cohort.objects.filter(programme=programme, number=self.spec["cohort"]).first()
            if programme
            else None
        )
        if cohort is None or cohort.status != CohortStatus.RUNNING:
            return []
        # Enrolments written in bulk carry the day the demo was built; they began with the
        # cohort, which matters for "overdue for a first contact".
        start = datetime.combine(cohort.start_date, time(9), tzinfo=self.zone)
        cohort.enrolments.filter(enrolled_at__gt=start).update(enrolled_at=start)
        return list(
            cohort.enrolments.filter(status=Enrolment.Status.ACTIVE)
            .select_related("company", "cohort")
            .order_by("pk")
        )

    # --- Build

    def build(self) -> None:
        if self.adviser is None or not self.mentors:
            return
        enrolments = self._enrolments()
        if not enrolments:
            return
        spec = self.spec
        # The named demo founder's company is diagnosed and matched (never re-matched).
        lumen = [e for e in enrolments if e.company.registration_number == LUMEN_GRID]
        others = [e for e in enrolments if e.company.registration_number != LUMEN_GRID]
        diagnosed = others[: spec["diagnosed"] - len(lumen)]
        diagnosed[len(diagnosed) - spec["unmatched"] : len(diagnosed) - spec["unmatched"]] = lumen
        rest = others[len(diagnosed) - len(lumen) :]
        contacted = rest[: spec["contacted_only"]]
        self.owners = dict(
            CompanyMember.objects.filter(company__in=[e.company_id for e in enrolments])
            .order_by("-pk")
            .values_list("company_id", "user_id")
        )
        pairs = [_Pair(e) for e in diagnosed]
        self._diagnose(pairs)
        self._match(pairs)
        self._sessions(pairs)
        self._contacts(pairs, contacted)
        self._claims()
        self._digests()
        self.summary.changes["created"] += self.created

    def _needs(self) -> list[str]:
        if self.spec["programme"] == "international-business-programme":
            first = [E.INTERNATIONAL_TRADE] if self.rng.random() < 0.7 else []
        else:
            first = []
        pool = [e for e in Expertise.values if e not in first]
        return [str(n) for n in first + self.rng.sample(pool, self.rng.randint(2, 3))]

    def _style(self) -> dict:
        if self.rng.random() < 0.3:
            return {}
        return {
            "thinking": [self.rng.randint(1, 5) for _ in THINKING_STATEMENTS],
            "interaction": [self.rng.randint(1, 5) for _ in INTERACTION_STATEMENTS],
        }

    def _diagnosis(self, pair: _Pair, days_ago: int, needs: list[str] | None = None):
        style = self._style()
        needs = needs or self._needs()
        if pair.enrolment.company.registration_number == LUMEN_GRID:
            needs = [E.INTERNATIONAL_TRADE, E.SALES_MARKETING, E.PEOPLE]
        diagnosis = NeedsDiagnosis(
            organisation=self.organisation,
            enrolment=pair.enrolment,
            company=pair.enrolment.company,
            adviser=self.adviser,
            needs=[str(n) for n in needs],
            notes=f"First meeting with the founder. Top priority: "
            f"{Expertise(needs[0]).label.lower()}.",
            founder_style_answers=style,
            founder_thinking_style=style_position(style["thinking"]) if style else None,
            founder_interaction_style=style_position(style["interaction"]) if style else None,
        )
        diagnosis._planned_created_at = self.at(days_ago, 11)
        pair.diagnoses.append(diagnosis)
        return diagnosis

    def _diagnose(self, pairs: list[_Pair]) -> None:
        for index, pair in enumerate(pairs):
            self._diagnosis(pair, 100 - index % 8)
        # Re-diagnosed when needs changed: the companies that will be re-matched.
        for pair in pairs[: self.spec["rematches"]]:
            earlier = pair.diagnoses[0].needs
            later = [E.ACCESS_TO_FINANCE] + [n for n in earlier if n != E.ACCESS_TO_FINANCE][:2]
            self._diagnosis(pair, 42, later).notes = "Needs changed since the first diagnosis."
        rows = [d for p in pairs for d in p.diagnoses]
        NeedsDiagnosis.objects.bulk_create(rows)
        NeedsDiagnosis.objects.bulk_update(
            [self._stamp(d, "created_at") for d in rows], ["created_at"]
        )
        goals = []
        for diagnosis in rows:
            for rank, need in enumerate(diagnosis.needs[: self.rng.randint(1, 3)]):
                goals.append(
                    Goal(
                        organisation=self.organisation,
                        diagnosis=diagnosis,
                        text=GOALS[need],
                        target_date=self.today + timedelta(days=60 + 45 * rank),
                        achieved=self.rng.random() < 0.15,
                    )
                )
        Goal.objects.bulk_create(goals)
        comments = []
        for pair in pairs[self.spec["rematches"] : self.spec["rematches"] + 4]:
            diagnosis = pair.diagnoses[-1]
            owner = self.owners.get(pair.enrolment.company_id)
            comments.append(
                DiagnosisComment(
                    organisation=self.organisation,
                    diagnosis=diagnosis,
                    author_id=owner,
                    text=COMMENTS[len(comments) % len(COMMENTS)],
                )
            )
        DiagnosisComment.objects.bulk_create(comments)
        for comment in comments:
            comment.created_at = comment.diagnosis.created_at + timedelta(days=2)
        DiagnosisComment.objects.bulk_update(comments, ["created_at"])
        self.created += len(rows) + len(goals) + len(comments)

    def _stamp(self, obj, name):
        # bulk_create fills auto_now_add fields with the present; put the planned time back.
        setattr(obj, name, getattr(obj, f"_planned_{name}"))
        return obj

    # --- Matching

    def _facts(self, mentor: MentorProfile) -> MentorFacts:
        return MentorFacts(
            id=mentor.pk,
            name=mentor.user.display_name,
            expertise=tuple(mentor.expertise),
            sectors=tuple(mentor.sectors),
            region=mentor.region,
            online_ok=mentor.online_ok,
            thinking=mentor.thinking_style,
            interaction=mentor.interaction_style,
            capacity=mentor.capacity_per_month,
            load_this_month=0,
            active_matches=self.active_count[mentor.pk],
            conflict_company_ids=frozenset(),
            eligible=True,
        )

    def _best(self, pair: _Pair, diagnosis, *, avoid=(), prefer=None) -> tuple:
        company = pair.enrolment.company
        facts = CompanyFacts(
            id=company.pk,
            sector=company.sector,
            region=company.region,
            needs=tuple(diagnosis.needs),
            thinking=diagnosis.founder_thinking_style,
            interaction=diagnosis.founder_interaction_style,
        )
        ranked = []
        for mentor in self.mentors:
            if mentor.pk in avoid or self.active_count[mentor.pk] >= self.limit[mentor.pk]:
                continue
            result = score(facts, self._facts(mentor))
            if isinstance(result, Ranked):
                ranked.append((result.score, mentor, result))
        ranked.sort(key=lambda r: (-r[0], r[1].pk))
        if prefer is not None:
            for row in ranked:
                if row[1].pk == prefer.pk:
                    return row[1], row[2]
        # Advisers mostly take the first; sometimes the second or third for a reason of
        # their own.
        pick = ranked[min(len(ranked) - 1, self.rng.choice([0, 0, 0, 1, 2]))]
        return pick[1], pick[2]

    def _new_match(self, pair, diagnosis, mentor, result, status, proposed_days_ago) -> MentorMatch:
        proposed = self.at(proposed_days_ago, 15)
        responded = proposed + timedelta(days=self.rng.randint(1, 4))
        match = MentorMatch(
            organisation=self.organisation,
            enrolment=pair.enrolment,
            company=pair.enrolment.company,
            mentor=mentor,
            diagnosis=diagnosis,
            status=status,
            score=Decimal(str(result.score)),
            reasons=result.reasons,
            proposed_by=self.adviser,
            responded_at=responded if status != MentorMatch.Status.PROPOSED else None,
            mentor_agreed_at=responded
            if status in (MentorMatch.Status.ACTIVE, MentorMatch.Status.ENDED)
            else None,
        )
        match._planned_proposed_at = proposed
        if status == MentorMatch.Status.ACTIVE:
            self.active_count[mentor.pk] += 1
        pair.matches.append(match)
        return match

    def _match(self, pairs: list[_Pair]) -> None:
        spec = self.spec
        rematches = spec["rematches"]
        declined = rematches + spec["declined"]
        proposed = declined + spec["proposed"]
        unmatched_from = len(pairs) - spec["unmatched"]
        lumen_mentor = next((m for m in self.mentors if m.user.email == LUMEN_MENTOR[0]), None)
        for pair in pairs:
            if pair.enrolment.company.registration_number == LUMEN_GRID:
                first = pair.diagnoses[0]
                mentor, result = self._best(pair, first, prefer=lumen_mentor)
                self._new_match(pair, first, mentor, result, MentorMatch.Status.ACTIVE, 20)
        for index, pair in enumerate(pairs):
            first = pair.diagnoses[0]
            if index >= unmatched_from or pair.matches:
                continue  # diagnosed last week (no proposal yet), or matched above
            if index < rematches:
                mentor, result = self._best(pair, first)
                ended = self._new_match(pair, first, mentor, result, MentorMatch.Status.ENDED, 95)
                reason, note = REMATCHES[index % len(REMATCHES)]
                ended.ended_at = self.at(40, 16)
                ended.end_reason = f"{reason}: {note}"
                later = pair.diagnoses[-1]
                mentor2, result2 = self._best(pair, later, avoid={mentor.pk})
                self._new_match(pair, later, mentor2, result2, MentorMatch.Status.ACTIVE, 38)
            elif index < declined:
                mentor, result = self._best(pair, first)
                refused = self._new_match(
                    pair, first, mentor, result, MentorMatch.Status.DECLINED, 92
                )
                refused.decline_reason = DECLINE_REASONS[index % len(DECLINE_REASONS)]
                mentor2, result2 = self._best(pair, first, avoid={mentor.pk})
                self._new_match(pair, first, mentor2, result2, MentorMatch.Status.ACTIVE, 88)
            elif index < proposed:
                mentor, result = self._best(pair, first)
                self._new_match(pair, first, mentor, result, MentorMatch.Status.PROPOSED, 2)
            else:
                mentor, result = self._best(pair, first)
                days = 90 - index % 10 if index < len(pairs) - 8 else 25 - index % 6
                self._new_match(pair, first, mentor, result, MentorMatch.Status.ACTIVE, days)
        rows = [m for p in pairs for m in p.matches]
        MentorMatch.objects.bulk_create(rows)
        MentorMatch.objects.bulk_update(
            [self._stamp(m, "proposed_at") for m in rows], ["proposed_at"]
        )
        # A mentor declares a conflict with a company they were not matched to.
        matched = {(m.mentor_id, m.company_id) for m in rows}
        for mentor in self.mentors[:2]:
            company = next(
                p.enrolment.company
                for p in reversed(pairs)
                if (mentor.pk, p.enrolment.company_id) not in matched
            )
            mentor.conflicts.add(company)
        self.created += len(rows)

    # --- Sessions

    def _slot(self, mentor: MentorProfile, on_or_after: date, minutes: int) -> datetime | None:
        """The first free start in the mentor's weekly hours on or after a day, in a month
        the mentor still has capacity in (as booking would insist)."""
        zone = zoneinfo.ZoneInfo(mentor.time_zone)
        hours = sorted(self.hours[mentor.pk], key=lambda h: (h.weekday, h.start_time))
        day = on_or_after
        for _ in range(120):
            if self.load[(mentor.pk, day.year, day.month)] >= mentor.capacity_per_month:
                day += timedelta(days=1)
                continue
            for window in hours:
                if window.weekday != day.weekday():
                    continue
                start = datetime.combine(day, window.start_time, tzinfo=zone)
                end = datetime.combine(day, window.end_time, tzinfo=zone)
                while start + timedelta(minutes=minutes) <= end:
                    if (mentor.pk, start) not in self.taken:
                        self.taken.add((mentor.pk, start))
                        self.load[(mentor.pk, day.year, day.month)] += 1
                        return start
                    start += timedelta(minutes=minutes)
            day += timedelta(days=1)
        return None

    def _sessions(self, pairs: list[_Pair]) -> None:
        settings_row = MentoringSettings.objects.filter(
            programme__slug=self.spec["programme"], organisation=self.organisation
        ).first()
        minutes = settings_row.session_minutes if settings_row else 60
        budget = settings_row.sessions_per_company if settings_row else 6
        unreliable = {p.enrolment.company_id for p in pairs[5:7]}
        sessions: list[MentoringSession] = []
        for pair in pairs:
            used = 0
            owner = self.owners.get(pair.enrolment.company_id)
            online = self.rng.random() < self.spec["online_share"]
            for match in pair.matches:
                if match.status not in (MentorMatch.Status.ACTIVE, MentorMatch.Status.ENDED):
                    continue
                if pair.enrolment.company.registration_number == LUMEN_GRID:
                    continue  # Lumen Grid's founder books the first session in the demo
                first_day = (match.responded_at + timedelta(days=5)).astimezone(self.zone).date()
                last_day = (
                    match.ended_at.astimezone(self.zone).date()
                    if match.ended_at
                    else self.today + timedelta(days=20)
                )
                day = first_day
                while day < last_day and used < budget - 1:
                    start = self._slot(match.mentor, day, minutes)
                    if start is None or start.astimezone(self.zone).date() >= last_day:
                        break
                    session = self._session(match, start, minutes, owner, online, unreliable)
                    sessions.append(session)
                    if session.status not in (Status.CANCELLED, Status.MENTOR_NO_SHOW):
                        used += 1
                    day = start.astimezone(self.zone).date() + timedelta(
                        days=self.rng.randint(18, 30)
                    )
                    if start > self.now:
                        break  # one booking ahead at a time
                if sessions and match.company_agreed_at is None:
                    booked = [s for s in sessions if s.match is match]
                    if booked:
                        match.company_agreed_at = booked[0]._planned_booked_at
        MentorMatch.objects.bulk_update(
            [m for p in pairs for m in p.matches if m.company_agreed_at], ["company_agreed_at"]
        )
        MentoringSession.objects.bulk_create(sessions)
        MentoringSession.objects.bulk_update(
            [self._stamp(s, "booked_at") for s in sessions], ["booked_at"]
        )
        self.sessions = sessions
        actions, reminders = [], []
        for s in sessions:
            for kind, before in (
                (SessionReminder.Kind.DAY_BEFORE, timedelta(hours=24)),
                (SessionReminder.Kind.HOUR_BEFORE, timedelta(hours=1)),
            ):
                due = s.starts_at - before
                if due < s.booked_at:
                    continue
                withdrawn = s.cancelled_at is not None and s.cancelled_at <= due
                reminders.append(
                    SessionReminder(
                        organisation=self.organisation,
                        session=s,
                        kind=kind,
                        due_at=due,
                        sent_at=due + timedelta(minutes=1)
                        if due <= self.now and not withdrawn
                        else None,
                        cancelled=withdrawn,
                    )
                )
            if s.status == Status.HELD:
                for text, owner in self.rng.sample(ACTIONS, self.rng.randint(1, 3)):
                    due_on = s.starts_at.astimezone(self.zone).date() + timedelta(days=14)
                    actions.append(
                        SessionAction(
                            organisation=self.organisation,
                            session=s,
                            text=text,
                            owner=owner,
                            due_on=due_on,
                            done=due_on < self.today and self.rng.random() < 0.6,
                        )
                    )
        SessionReminder.objects.bulk_create(reminders)
        SessionAction.objects.bulk_create(actions)
        self.created += len(sessions) + len(reminders) + len(actions)

    def _session(self, match, start, minutes, owner, online, unreliable) -> MentoringSession:
        rng = self.rng
        end = start + timedelta(minutes=minutes)
        booked_at = min(start - timedelta(days=rng.randint(3, 12)), self.now - timedelta(hours=2))
        session = MentoringSession(
            organisation=self.organisation,
            match=match,
            mentor=match.mentor,
            company=match.company,
            starts_at=start,
            ends_at=end,
            online_link=f"https://meet.{self.organisation.slug}.demo/s/{match.company_id}"
            f"-{start:%Y%m%d%H%M}"
            if online
            else "",
            place=""
            if online
            else rng.choice(PLACES[:2] if "pennine" in self.organisation.slug else PLACES[1:]),
            booked_by_id=owner,
            fee=match.mentor.rate_per_session,
        )
        session._planned_booked_at = booked_at
        session.booked_at = booked_at
        if end > self.now:
            return session  # booked, still to come (or under way)
        roll = rng.random()
        no_show_share = 0.6 if match.company_id in unreliable else 0.06
        if end > self.now - timedelta(days=8) and rng.random() < 0.4:
            return session  # held last week; the mentor has not recorded it yet
        if roll < 0.08:
            by_mentor = rng.random() < 0.35
            late = rng.random() < 0.4
            session.status = Status.CANCELLED
            session.cancelled_at = start - (
                timedelta(hours=rng.randint(3, 20)) if late else timedelta(days=rng.randint(2, 6))
            )
            session.cancelled_at = max(session.cancelled_at, booked_at + timedelta(hours=1))
            session.late_cancellation = start - session.cancelled_at < timedelta(hours=24)
            session.cancelled_by_id = match.mentor.user_id if by_mentor else owner
            session.cancelled_side = (
                MentoringSession.Side.MENTOR if by_mentor else MentoringSession.Side.COMPANY
            )
            session.cancel_reason = rng.choice(CANCEL_REASONS["mentor" if by_mentor else "company"])
            # A cancelled time can be booked again.
            self.taken.discard((match.mentor_id, start))
            local = start.astimezone(zoneinfo.ZoneInfo(match.mentor.time_zone))
            self.load[(match.mentor_id, local.year, local.month)] -= 1
            return session
        session.recorded_at = end + timedelta(hours=rng.randint(1, 30))
        if roll < 0.08 + no_show_share:
            session.status = Status.MENTEE_NO_SHOW
            session.notes = "The founder did not join and did not answer the phone."
        elif roll < 0.12 + no_show_share:
            session.status = Status.MENTOR_NO_SHOW
            session.notes = "Missed: a clash in my calendar. Apologised and rebooked."
        else:
            session.status = Status.HELD
            session.notes = rng.choice(NOTES)
            if rng.random() < 0.7:
                session.company_confirmed_at = end + timedelta(days=rng.randint(0, 3))
                session.company_rating = rng.choice([5, 5, 4, 4, 4, 3, 2])
                session.company_feedback = rng.choice(FEEDBACK)
        return session

    # --- Adviser contact

    def _contacts(self, pairs: list[_Pair], contacted: list[Enrolment]) -> None:
        rows = []
        companies = [(p.enrolment, p.diagnoses[0].created_at) for p in pairs] + [
            (e, self.at(60 + i % 30, 11)) for i, e in enumerate(contacted)
        ]
        rng = self.rng
        for index, (enrolment, first_at) in enumerate(companies):
            day = first_at.astimezone(self.zone).date()
            kinds = [AdviserContact.Kind.MEETING]
            # Every seventh company has gone quiet: its next contact date has passed.
            quiet = index % 7 == 3
            steps = self.rng.randint(0, 1) if quiet else self.rng.randint(1, 3)
            gap = 18 if quiet else (self.today - day).days // (steps + 1)
            for _ in range(steps):
                kinds.append(self.rng.choice([AdviserContact.Kind.CALL, AdviserContact.Kind.EMAIL]))
            for position, kind in enumerate(kinds):
                last = position == len(kinds) - 1
                happened = day + timedelta(days=gap * position)
                if happened > self.today:
                    happened = self.today
                if last and quiet:
                    following = happened + timedelta(days=14)
                elif last:
                    following = max(
                        happened + timedelta(days=21),
                        self.today + timedelta(days=rng.randint(3, 28)),
                    )
                else:
                    following = happened + timedelta(days=gap)
                rows.append(
                    AdviserContact(
                        organisation=self.organisation,
                        company=enrolment.company,
                        adviser=self.adviser,
                        kind=kind,
                        happened_on=happened,
                        note=CONTACT_NOTES[kind],
                        next_contact_on=max(following, happened + timedelta(days=1)),
                    )
                )
        AdviserContact.objects.bulk_create(rows)
        self.created += len(rows)

    # --- Fee claims and digests

    def _claims(self) -> None:
        months = claimable_months(organisation=self.organisation, now=self.now, count=4)
        pays = MentoringSettings.objects.filter(
            organisation=self.organisation, pay_mentee_no_show=True
        ).exists()
        payable = {Status.HELD} | ({Status.MENTEE_NO_SHOW} if pays else set())
        claims, linked = [], []
        by_mentor: dict[int, list[MentoringSession]] = {}
        for s in self.sessions:
            if s.status in payable:
                by_mentor.setdefault(s.mentor_id, []).append(s)
        for order, mentor in enumerate(self.mentors):
            for age, month in enumerate(months):
                first, following = month_bounds(month, self.organisation.time_zone)
                rows = [s for s in by_mentor.get(mentor.pk, []) if first <= s.starts_at < following]
                if not rows:
                    continue
                if age == 0 and mentor.user.email == UNCLAIMED:
                    continue  # last month is still to claim: the demo mentor builds it
                claim = FeeClaim(
                    organisation=self.organisation,
                    mentor=mentor,
                    month=month,
                    amount=sum((s.fee for s in rows), Decimal("0")),
                    session_count=len(rows),
                    status=FeeClaim.Status.APPROVED,
                    submitted_at=following + timedelta(days=2, hours=9),
                    decided_by=self.manager,
                    decided_at=following + timedelta(days=6, hours=11),
                )
                if age == 0:
                    claim.status = FeeClaim.Status.SUBMITTED
                    claim.decided_by = claim.decided_at = None
                    if mentor.user.email in QUERIED:
                        claim.status = FeeClaim.Status.QUERIED
                        claim.decided_by = self.manager
                        claim.decided_at = claim.submitted_at + timedelta(days=1)
                        claim.query_note = (
                            "One session has no confirmation from the company yet – can you "
                            "check the date with them before we pay?"
                        )
                    elif order % 4 == 2:
                        claim.status = FeeClaim.Status.DRAFT
                        claim.submitted_at = None
                if claim.submitted_at and claim.submitted_at > self.now:
                    claim.submitted_at = self.now - timedelta(hours=3)
                    if claim.decided_at:
                        claim.decided_at = self.now - timedelta(hours=1)
                claims.append(claim)
                linked.append(rows)
        FeeClaim.objects.bulk_create(claims)
        updates = []
        for claim, rows in zip(claims, linked, strict=True):
            for s in rows:
                s.claim = claim
                updates.append(s)
        MentoringSession.objects.bulk_update(updates, ["claim"])
        self.created += len(claims)

    def _digests(self) -> None:
        monday = self.today - timedelta(days=self.today.weekday())
        rows = [
            AdviserDigest(
                organisation=self.organisation,
                adviser=self.adviser,
                week_starting=monday - timedelta(weeks=weeks),
                sent_at=datetime.combine(
                    monday - timedelta(weeks=weeks), time(7), tzinfo=self.zone
                ),
            )
            for weeks in range(1, 5)
        ]
        AdviserDigest.objects.bulk_create(rows)
        self.created += len(rows)
