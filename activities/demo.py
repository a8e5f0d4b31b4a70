"""Demo programme activities for `seed_demo`: a year of workshops in every demo organisation
(about four a month, past ones with registrations, attendance and feedback, upcoming ones
with registrations and a full one with a waitlist), eight trade missions to real cities with
delegates, itinerary, meetings and deals, peer groups of five with their meetings for the
running cohorts, two export consortia and an innovation challenge with proposals.

Modelled on the seed texts: an international business programme that takes its cohort on
missions to cities on several continents, a growth hub's workshops and peer-to-peer circles,
a partnership's export consortia led by experienced exporters. Runs after cohorts and
mentoring (it needs their running cohorts) and before impact. Each part is built once per
organisation (an organisation that already has events, missions, groups, consortia or
challenges keeps them), so running the command again creates nothing. Rows are
deterministic (a seeded random generator) and written in bulk."""

from __future__ import annotations

import random
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from activities.models import (
    ChallengeProposal,
    CompetitorDeclaration,
    ConsortiumMember,
    ConsortiumMilestone,
    Event,
    EventAudience,
    EventFeedback,
    EventKind,
    EventReminder,
    ExportConsortium,
    InnovationChallenge,
    ItineraryItem,
    MissionDelegate,
    MissionMeeting,
    PeerGroup,
    PeerGroupMeeting,
    PeerGroupMeetingAttendee,
    PeerGroupMember,
    Registration,
    TradeMission,
)
from activities.models.missions import MeetingOutcome, ProspectKind
from cohorts.models import Cohort, CohortStatus, Company, CompanyMember, Enrolment
from portal.tenancy import tenant_scope
from programmes.models import Programme

LUMEN_GRID = "10234871"  # amara.okafor@lumengrid.demo's company
TYNE_TIDAL, WEARSIDE, QUAYSIDE = "10788412", "03561277", "12987340"

EVENTS_PER_YEAR = 48  # about four a month


@dataclass(frozen=True)
class OrgSpec:
    programme: str
    venues: tuple[str, ...]
    facilitators: tuple[str, ...]
    group_facilitators: tuple[str, ...] = ()
    group_names: tuple[str, ...] = ()


ORGS = {
    "capital-trade": OrgSpec(
        "international-business-programme",
        (
            "City Hall, Kamal Chunchie Way, London E16",
            "Level39, One Canada Square, London E14",
            "The Trampery, 239 Old Street, London EC1V",
        ),
        ("Joanna Bell, export adviser", "Dr Marcus Lee", "Farah Qureshi, KPMG", "Tom Wilde"),
        ("Ella Fraser", "Marcus Lee", "Joanna Bell"),
        (
            "Thames",
            "Fleet",
            "Lea",
            "Wandle",
            "Brent",
            "Effra",
            "Tyburn",
            "Walbrook",
            "Ravensbourne",
            "Beverley",
            "Crane",
            "Colne",
            "Pinn",
            "Hogsmill",
            "Quaggy",
        ),
    ),
    "pennine-growth": OrgSpec(
        "ignite2scale",
        (
            "Pennine Growth Hub, Dean Clough, Halifax HX3",
            "Oldham Enterprise Centre, Oldham OL1",
            "The Piece Hall, Halifax HX1",
        ),
        ("Rachel Barker", "Sanjay Patel, Lloyds", "Claire Hollins", "David Hirst"),
        ("Claire Hollins", "David Hirst"),
        ("Calder", "Ryburn", "Hebden", "Colne", "Spen", "Holme", "Tame", "Roch", "Irk"),
    ),
    "ne-innovation": OrgSpec(
        "export-consortia",
        (
            "The Catalyst, Newcastle Helix, Newcastle NE4",
            "Sunderland Software Centre, Sunderland SR1",
        ),
        ("Gillian Reed, DIT", "Anders Holm", "Kate Murray"),
    ),
}

TITLES = {
    EventKind.WORKSHOP: [
        "International strategy workshop",
        "Export finance workshop",
        "Digital marketing for new markets",
        "Pricing for export",
        "Hiring abroad: the legal basics",
        "Growth hacking workshop",
        "Protecting your IP abroad",
        "Finding distributors",
    ],
    EventKind.MASTERCLASS: [
        "Masterclass: negotiating with large corporates",
        "Masterclass: building a sales team abroad",
        "Masterclass: tendering for public contracts",
    ],
    EventKind.PEER_WORKSHOP: [
        "Peer-to-peer workshop: finance",
        "Peer-to-peer workshop: digital marketing",
        "Peer-to-peer workshop: growth hacking",
    ],
    EventKind.INVESTOR_READINESS: ["Investor readiness session", "Pitch clinic"],
    EventKind.INVESTOR_DAY: ["Investor meeting day"],
    EventKind.CONFERENCE: ["Scaleup conference"],
    EventKind.CELEBRATION: ["Celebration evening"],
}
KIND_WEIGHTS = [
    (EventKind.WORKSHOP, 48),
    (EventKind.MASTERCLASS, 14),
    (EventKind.PEER_WORKSHOP, 16),
    (EventKind.INVESTOR_READINESS, 10),
    (EventKind.INVESTOR_DAY, 4),
    (EventKind.CONFERENCE, 4),
    (EventKind.CELEBRATION, 4),
]
FEEDBACK_USEFUL = [
    "The worked examples from companies a year ahead of us.",
    "Meeting other founders with the same problems.",
    "Practical templates we can use on Monday.",
    "The speaker's honesty about what went wrong.",
    "",
]
FEEDBACK_IMPROVE = [
    "More time for questions.",
    "Send the slides beforehand.",
    "A follow-up session in three months.",
    "",
    "",
]

# City, country, zone, departure (days from today), days away, places.
MISSIONS = [
    ("Berlin", "Germany", "Europe/Berlin", -300, 4, 12),
    ("Toronto", "Canada", "America/Toronto", -240, 5, 10),
    ("Dubai", "United Arab Emirates", "Asia/Dubai", -180, 4, 12),
    ("Singapore", "Singapore", "Asia/Singapore", -125, 5, 10),
    ("São Paulo", "Brazil", "America/Sao_Paulo", -75, 5, 8),
    ("Lagos", "Nigeria", "Africa/Lagos", -30, 4, 8),
    ("New York", "United States", "America/New_York", 40, 5, 12),
    ("Tokyo", "Japan", "Asia/Tokyo", 110, 6, 10),
]
# Day of the mission (0 = arrival), local time, title, location.
ITINERARY = [
    (0, time(16, 0), "Arrival and hotel check-in", "Delegation hotel"),
    (0, time(18, 30), "Welcome reception with the trade office", "British trade office"),
    (1, time(9, 0), "Market briefing: regulation, channels, pricing", "British trade office"),
    (1, time(14, 0), "Meet the buyers: corporate customers", "Chamber of commerce"),
    (2, time(9, 30), "Distributor matchmaking", "Conference centre"),
    (3, time(10, 0), "Site visits and one-to-one meetings", "Various"),
]
PROSPECTS = {
    ProspectKind.CORPORATE: ["Holdings", "Group", "Corporation", "Industries"],
    ProspectKind.DISTRIBUTOR: ["Distribution", "Trading", "Supply"],
    ProspectKind.PARTNER: ["Partners", "Consulting", "Labs"],
    ProspectKind.INVESTOR: ["Ventures", "Capital", "Investments"],
    ProspectKind.GOVERNMENT: ["Trade Agency", "Investment Authority", "Development Board"],
}
OUTCOME_WEIGHTS = [
    (MeetingOutcome.NONE, 18),
    (MeetingOutcome.LEAD, 40),
    (MeetingOutcome.FOLLOW_UP, 28),
    (MeetingOutcome.DEAL, 14),
]
GROUP_TOPICS = [
    "Hiring the first sales person abroad; pricing in euros.",
    "Cash flow through a growth spurt; invoice finance.",
    "Board meetings that help; choosing an adviser.",
    "What each of us learnt on the last mission.",
    "Partnerships with corporates: pilots that convert.",
]


def _pick(rng, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _at(day: date, clock: time, zone: str) -> datetime:
    """A local wall-clock time in `zone`, as an instant in UTC."""
    return datetime.combine(day, clock, tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def build_activities(summary) -> None:
    """Events, missions, peer groups, consortia and a challenge in the demo organisations."""
    rng = random.Random(44)  # noqa: S311 - demo data, not security
    now = timezone.now().replace(second=0, microsecond=0)
    for slug, spec in ORGS.items():
        organisation = summary.organisations.get(slug)
        if organisation is None:
            continue
        with tenant_scope(organisation):
            programme = Programme.objects.filter(
                organisation=organisation, slug=spec.programme
            ).first()
            if programme is None:
                continue
            _Org(summary, organisation, programme, spec, rng, now).build()


class _Org:
    def __init__(self, summary, organisation, programme, spec: OrgSpec, rng, now) -> None:
        self.summary = summary
        self.organisation = organisation
        self.programme = programme
        self.spec = spec
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.zone = organisation.time_zone
        self.cohort = (
            Cohort.objects.filter(programme=programme, status=CohortStatus.RUNNING)
            .order_by("-number")
            .first()
        )
        self.enrolled: list[Company] = []
        if self.cohort:
            self.enrolled = [
                e.company
                for e in Enrolment.objects.filter(
                    cohort=self.cohort, status=Enrolment.Status.ACTIVE
                )
                .select_related("company")
                .order_by("company__name", "pk")
            ]
        self.companies = summary.companies
        self.lumen = summary.companies.get(LUMEN_GRID)
        if self.lumen and self.lumen not in self.enrolled:
            self.lumen = None
        # Public events of an organisation without a running cohort draw the region's firms.
        self.pool = self.enrolled or [
            c for n in (TYNE_TIDAL, WEARSIDE, QUAYSIDE) if (c := summary.companies.get(n))
        ] + list(
            Company.objects.filter(applications__cohort__programme=programme)
            .distinct()
            .order_by("name")[:30]
        )
        owners = CompanyMember.objects.filter(
            company__in=[c.pk for c in self.pool], role=CompanyMember.Role.OWNER
        ).values_list("company_id", "user_id")
        self.owner = dict(owners)

    def _once(self, model) -> bool:
        """True when this organisation has none of `model` yet (so this part is built)."""
        if model.objects.filter(organisation=self.organisation).exists():
            self.summary.changes["unchanged"] += 1
            return False
        return True

    def build(self) -> None:
        if self._once(Event):
            self.events()
        if self.organisation.slug == "capital-trade" and self._once(TradeMission):
            self.missions()
        if self.cohort and len(self.enrolled) >= 6 and self._once(PeerGroup):
            self.peer_groups()
        if self._once(ExportConsortium):
            self.consortia()
        if self.organisation.slug == "ne-innovation" and self._once(InnovationChallenge):
            self.challenge()

    def _created(self, rows) -> list:
        self.summary.changes["created"] += len(rows)
        return rows

    # --- Workshops and events ------------------------------------------------------------

    def events(self) -> None:
        rng, org = self.rng, self.organisation
        start = self.today - timedelta(days=182)
        events = []
        for i in range(EVENTS_PER_YEAR):
            day = start + timedelta(days=round(i * 365 / EVENTS_PER_YEAR))
            if day.weekday() >= 5:  # not at the weekend
                day += timedelta(days=7 - day.weekday())
            kind = _pick(rng, KIND_WEIGHTS)
            title = rng.choice(TITLES[kind])
            zone, venue, online, clock = self.zone, rng.choice(self.spec.venues), "", time(9, 30)
            hours = 3
            if kind == EventKind.CELEBRATION:
                clock, hours = time(18, 30), 3
            elif kind in (EventKind.CONFERENCE, EventKind.INVESTOR_DAY):
                hours = 7
            elif i % 9 == 4:
                # Live from abroad: an online session held in the speaker's zone.
                kind, title = EventKind.MASTERCLASS, "Selling into the US: live from New York"
                zone, venue, clock, hours = "America/New_York", "", time(11, 0), 2
                online = "https://meet.example.org/us-market-live"
            elif rng.random() < 0.3:
                online = "https://meet.example.org/" + title.lower().replace(" ", "-")[:30]
                clock = time(14, 0)
            if self.cohort is None or kind in (EventKind.CONFERENCE, EventKind.CELEBRATION):
                audience = EventAudience.PUBLIC if self.cohort is None else EventAudience.PROGRAMME
            else:
                audience = EventAudience.COHORT if rng.random() < 0.7 else EventAudience.PROGRAMME
            capacity = {EventKind.CONFERENCE: 150, EventKind.CELEBRATION: 90}.get(
                kind, rng.choice([12, 15, 20, 25, 30])
            )
            starts_at = _at(day, clock, zone)
            events.append(
                Event(
                    organisation=org,
                    programme=self.programme,
                    kind=kind,
                    title=title,
                    description=f"{title} for {self.programme.name} companies.",
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=hours),
                    time_zone=zone,
                    venue=venue,
                    online_url=online,
                    facilitator=rng.choice(self.spec.facilitators),
                    capacity=capacity,
                    audience=audience,
                    cohort=self.cohort if audience == EventAudience.COHORT else None,
                )
            )
        # The first upcoming event is a small workshop that fills up, with a waitlist.
        full = next(e for e in events if e.starts_at > self.now and e.time_zone == self.zone)
        full.kind, full.title, full.capacity = (
            EventKind.WORKSHOP,
            "Winning your first big customer",
            # Small enough for the organisation's companies to fill, with two or three over.
            max(2, min(12, len(self.pool) - 3)),
        )
        if self.cohort:
            full.audience, full.cohort = EventAudience.COHORT, self.cohort
        events = Event.objects.bulk_create(self._created(events))
        self._registrations(events, full)
        self._reminders([e for e in events if e.starts_at > self.now])

    def _registrations(self, events, full) -> None:
        rng = self.rng
        registrations = []
        lumen_places = 0
        for event in events:
            pool = list(self.pool)
            rng.shuffle(pool)
            past = event.ends_at <= self.now
            if event.pk == full.pk:
                taken = pool[: event.capacity + 3]  # the last ones wait
            elif past:
                taken = pool[
                    : min(event.capacity, max(3, round(len(pool) * rng.uniform(0.2, 0.5))))
                ]
            else:
                share = rng.uniform(0.15, 0.6)
                taken = pool[: min(event.capacity - 1, max(2, round(event.capacity * share)))]
            # Amara's company has a place at the next few events of its cohort.
            if (
                self.lumen
                and not past
                and event.audience != EventAudience.PUBLIC
                and lumen_places < 4
            ):
                if self.lumen in taken:
                    taken.remove(self.lumen)
                elif event.pk == full.pk:
                    taken.pop()
                taken.insert(0, self.lumen)
                lumen_places += 1
            for n, company in enumerate(taken):
                waitlisted = n >= event.capacity
                reg = Registration(
                    organisation=self.organisation,
                    event=event,
                    company=company,
                    user_id=self.owner.get(company.pk),
                    status=(
                        Registration.Status.WAITLISTED
                        if waitlisted
                        else Registration.Status.REGISTERED
                    ),
                    waitlisted_at=(
                        event.starts_at - timedelta(days=10, minutes=-n) if waitlisted else None
                    ),
                )
                if past:
                    reg.attendance = (
                        Registration.Attendance.ATTENDED
                        if rng.random() < 0.85
                        else Registration.Attendance.NO_SHOW
                    )
                    reg.attendance_marked_at = event.starts_at + timedelta(minutes=20)
                registrations.append(reg)
            # A few invitees answer "not attending".
            rest = [c for c in pool if c not in taken]
            for company in rest[: rng.randint(0, 2)]:
                registrations.append(
                    Registration(
                        organisation=self.organisation,
                        event=event,
                        company=company,
                        user_id=self.owner.get(company.pk),
                        status=Registration.Status.DECLINED,
                    )
                )
        registrations = Registration.objects.bulk_create(self._created(registrations))
        attended = [r for r in registrations if r.attendance == Registration.Attendance.ATTENDED]
        feedback = []
        for reg in attended:
            if rng.random() < 0.6:
                rating = rng.choices([2, 3, 4, 5], weights=[1, 3, 8, 7])[0]
                feedback.append(
                    EventFeedback(
                        organisation=self.organisation,
                        registration=reg,
                        rating=rating,
                        most_useful=rng.choice(FEEDBACK_USEFUL),
                        improve=rng.choice(FEEDBACK_IMPROVE),
                        would_recommend=rating >= 4,
                    )
                )
        EventFeedback.objects.bulk_create(self._created(feedback))

    def _reminders(self, upcoming) -> None:
        reminders = []
        for event in upcoming:
            for kind, before in (
                (EventReminder.Kind.DAY_BEFORE, timedelta(days=1)),
                (EventReminder.Kind.RSVP_CHASE, timedelta(days=7)),
            ):
                due = event.starts_at - before
                reminders.append(
                    EventReminder(
                        organisation=self.organisation,
                        event=event,
                        kind=kind,
                        due_at=due,
                        # Reminders already due went out: a dispatcher run must not send them.
                        sent_at=due if due <= self.now else None,
                    )
                )
        EventReminder.objects.bulk_create(self._created(reminders))

    # --- Trade missions --------------------------------------------------------------------

    def missions(self) -> None:
        rng, org = self.rng, self.organisation
        missions = []
        for city, country, zone, offset, days, places in MISSIONS:
            departs = self.today + timedelta(days=offset)
            missions.append(
                TradeMission(
                    organisation=org,
                    programme=self.programme,
                    cohort=self.cohort,
                    title=f"{city} trade mission",
                    destination_city=city,
                    destination_country=country,
                    destination_time_zone=zone,
                    departs_on=departs,
                    returns_on=departs + timedelta(days=days),
                    description=(
                        f"A week of buyer meetings, distributor matchmaking and market briefings "
                        f"in {city}, with the trade office's introductions."
                    ),
                    places=places,
                    # Closed (and decided) for all but the last, which takes applications.
                    applications_close_on=departs - timedelta(days=45),
                )
            )
        missions = TradeMission.objects.bulk_create(self._created(missions))
        itinerary, delegates = [], []
        for mission in missions:
            for day, clock, title, location in ITINERARY:
                starts = _at(
                    mission.departs_on + timedelta(days=day), clock, mission.destination_time_zone
                )
                itinerary.append(
                    ItineraryItem(
                        organisation=org,
                        mission=mission,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=2),
                        title=title,
                        location=f"{location}, {mission.destination_city}",
                    )
                )
            delegates += self._delegates(mission)
        ItineraryItem.objects.bulk_create(self._created(itinerary))
        delegates = MissionDelegate.objects.bulk_create(self._created(delegates))
        meetings = []
        for delegate in delegates:
            mission = delegate.mission
            if (
                delegate.status != MissionDelegate.Status.SELECTED
                or mission.returns_on > self.today
            ):
                continue
            for _ in range(rng.randint(2, 5)):
                kind = rng.choice(list(ProspectKind))
                outcome = _pick(rng, OUTCOME_WEIGHTS)
                if delegate.company == self.lumen and not any(
                    m.delegate is delegate and m.outcome == MeetingOutcome.DEAL for m in meetings
                ):
                    outcome = MeetingOutcome.DEAL
                meetings.append(
                    MissionMeeting(
                        organisation=org,
                        delegate=delegate,
                        mission=mission,
                        prospect_name=(
                            f"{mission.destination_city} {rng.choice(PROSPECTS[kind])}"
                            f" {rng.choice('ABCDEFGHJKLMNPRST')}"
                        ),
                        prospect_kind=kind,
                        met_on=mission.departs_on + timedelta(days=rng.randint(1, 3)),
                        outcome=outcome,
                        deal_value=(
                            Decimal(rng.randrange(10_000, 250_000, 500))
                            if outcome == MeetingOutcome.DEAL
                            else None
                        ),
                        logged_by_id=self.owner.get(delegate.company_id),
                    )
                )
        MissionMeeting.objects.bulk_create(self._created(meetings))

    def _delegates(self, mission) -> list[MissionDelegate]:
        """Past and imminent missions were oversubscribed and selected; the last one is
        taking applications. Amara's company went to Berlin, goes to New York and applied for
        Tokyo."""
        rng = self.rng
        candidates = [c for c in self.enrolled if c != self.lumen]
        rng.shuffle(candidates)
        applicants = candidates[: mission.places + rng.randint(2, 5)]
        if self.lumen and mission.destination_city in ("Berlin", "New York", "Tokyo"):
            applicants.insert(0, self.lumen)
        open_ = mission.applications_close_on >= self.today
        rows = []
        for n, company in enumerate(applicants):
            if open_:
                status = MissionDelegate.Status.APPLIED
            elif n < mission.places:
                status = MissionDelegate.Status.SELECTED
            elif n < mission.places + 2:
                status = MissionDelegate.Status.WAITLISTED
            else:
                status = MissionDelegate.Status.DECLINED
            rows.append(
                MissionDelegate(
                    organisation=self.organisation,
                    mission=mission,
                    company=company,
                    status=status,
                    objectives=(
                        f"Meet distributors and two corporate buyers in "
                        f"{mission.destination_city}; test pricing."
                    ),
                    applied_by_id=self.owner.get(company.pk),
                    decided_at=(
                        None if open_ else _at(mission.applications_close_on, time(12), self.zone)
                    ),
                )
            )
        return rows

    # --- Peer groups -----------------------------------------------------------------------

    def peer_groups(self) -> None:
        """Groups of about five, dealt round-robin from the cohort sorted by sector and size
        (so each group mixes sectors and sizes); neighbours in that order, who are never in
        one group, are the ones who declared each other competitors."""
        rng, org, cohort = self.rng, self.organisation, self.cohort
        ordered = sorted(self.enrolled, key=lambda c: (c.sector, c.employees, c.name))
        n_groups = max(1, round(len(ordered) / 5))
        names = list(self.spec.group_names) + [f"Circle {n}" for n in range(1, n_groups + 1)]
        groups = PeerGroup.objects.bulk_create(
            self._created(
                [
                    PeerGroup(
                        organisation=org,
                        cohort=cohort,
                        name=names[i],
                        facilitator=self.spec.group_facilitators[
                            i % len(self.spec.group_facilitators)
                        ]
                        if self.spec.group_facilitators
                        else "",
                    )
                    for i in range(n_groups)
                ]
            )
        )
        members = [
            PeerGroupMember(
                organisation=org, group=groups[i % n_groups], cohort=cohort, company=company
            )
            for i, company in enumerate(ordered)
        ]
        PeerGroupMember.objects.bulk_create(self._created(members))
        if n_groups > 1:
            pairs = [
                (a, b) for a, b in zip(ordered, ordered[1:], strict=False) if a.sector == b.sector
            ]
            CompetitorDeclaration.objects.bulk_create(
                self._created(
                    [
                        CompetitorDeclaration(
                            organisation=org,
                            cohort=cohort,
                            company=a,
                            competitor=b,
                            declared_by_id=self.owner.get(a.pk),
                        )
                        for a, b in rng.sample(pairs, min(6, len(pairs)))
                    ]
                )
            )
        meetings = []
        for n, group in enumerate(groups):
            for days_ago in (120, 90, 60, 30):
                meetings.append(
                    PeerGroupMeeting(
                        organisation=org,
                        group=group,
                        starts_at=_at(
                            self.today - timedelta(days=days_ago - n % 5), time(9, 30), self.zone
                        ),
                        location=rng.choice(self.spec.venues),
                        topics=rng.choice(GROUP_TOPICS),
                    )
                )
            meetings.append(
                PeerGroupMeeting(
                    organisation=org,
                    group=group,
                    starts_at=_at(self.today + timedelta(days=6 + n % 14), time(9, 30), self.zone),
                    location=rng.choice(self.spec.venues),
                    topics="Agenda to be agreed at the start.",
                )
            )
        meetings = PeerGroupMeeting.objects.bulk_create(self._created(meetings))
        by_group: dict[int, list[int]] = {}
        for m in members:
            by_group.setdefault(m.group_id, []).append(m.company_id)
        attendees = [
            PeerGroupMeetingAttendee(organisation=org, meeting=meeting, company_id=company_id)
            for meeting in meetings
            if meeting.starts_at < self.now
            for company_id in by_group[meeting.group_id]
            if rng.random() < 0.85
        ]
        PeerGroupMeetingAttendee.objects.bulk_create(self._created(attendees))

    # --- Export consortia and the innovation challenge ----------------------------------

    def _consortium(self, name, markets, lead, others, plan, costs, milestones) -> None:
        org = self.organisation
        consortium = ExportConsortium(
            organisation=org,
            programme=self.programme,
            cohort=self.cohort,
            name=name,
            target_markets=markets,
            plan_summary=plan,
            support_starts_on=self.today - timedelta(days=90),
            support_ends_on=self.today + timedelta(days=275),
            costs_supported=Decimal(costs),
        )
        consortium.full_clean()
        consortium.save()
        rows = [
            ConsortiumMember(organisation=org, consortium=consortium, company=lead, is_lead=True)
        ]
        rows += [
            ConsortiumMember(organisation=org, consortium=consortium, company=c) for c in others
        ]
        ConsortiumMember.objects.bulk_create(rows)
        ConsortiumMilestone.objects.bulk_create(
            ConsortiumMilestone(
                organisation=org,
                consortium=consortium,
                title=title,
                due_on=self.today + timedelta(days=days),
                done_on=self.today + timedelta(days=days - 3) if days < 0 else None,
            )
            for title, days in milestones
        )
        self.summary.changes["created"] += 1 + len(rows) + len(milestones)

    def consortia(self) -> None:
        if self.organisation.slug == "capital-trade" and self.lumen:
            others = [c for c in self.enrolled if c != self.lumen and c.sector == self.lumen.sector]
            self._consortium(
                "US East Coast energy data consortium",
                ["United States", "Canada"],
                self.lumen,
                others[:3],
                "A shared sales office in Boston, a joint stand at DistribuTECH and one "
                "distributor search for the four companies' complementary grid analytics.",
                "48000",
                [
                    ("Joint market study of North-East US utilities", -60),
                    ("Shared stand at DistribuTECH", -10),
                    ("Distributor shortlist agreed", 45),
                    ("Boston office opens", 150),
                ],
            )
        elif self.organisation.slug == "ne-innovation":
            members = [self.companies.get(n) for n in (TYNE_TIDAL, WEARSIDE, QUAYSIDE)]
            if all(members):
                self._consortium(
                    "North Sea offshore supply consortium",
                    ["Norway", "Denmark", "Netherlands"],
                    members[0],
                    members[1:],
                    "Tidal and offshore components sold together to North Sea operators, "
                    "with one agent in Stavanger and a shared certification budget.",
                    "36500",
                    [
                        ("Operators' supplier registration", -45),
                        ("Stavanger agent appointed", 30),
                        ("Joint visit to ONS, Stavanger", 120),
                    ],
                )

    def challenge(self) -> None:
        org, rng = self.organisation, self.rng
        challenge = InnovationChallenge(
            organisation=org,
            programme=self.programme,
            sponsor="Tyne Harbour Authority",
            title="Low-carbon cargo handling at the quayside",
            problem=(
                "Diesel reach stackers and reefer gensets make up most of the port's emissions. "
                "We want a way to cut them by half within two years without slowing turnaround."
            ),
            offer="A £60,000 paid pilot and a route to a three-year supply contract",
            deadline=_at(self.today + timedelta(days=35), time(17), self.zone),
            published=True,
        )
        challenge.full_clean()
        challenge.save()
        self.summary.changes["created"] += 1
        bidders = [c for n in (TYNE_TIDAL, WEARSIDE) if (c := self.companies.get(n))]
        bidders += [c for c in self.pool if c not in bidders][:4]
        proposals = [
            ChallengeProposal(
                organisation=org,
                challenge=challenge,
                company=company,
                submitted_by_id=self.owner.get(company.pk),
                summary=(
                    f"{company.name} proposes a staged pilot: measure a month of duty cycles, "
                    "then retrofit two machines and compare."
                ),
                status=(
                    ChallengeProposal.Status.SHORTLISTED
                    if n < 2
                    else ChallengeProposal.Status.SUBMITTED
                ),
            )
            for n, company in enumerate(bidders)
        ]
        rng.shuffle(proposals)
        ChallengeProposal.objects.bulk_create(self._created(proposals))
