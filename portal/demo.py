"""The demo data set behind `manage.py seed_demo` (and so behind `make run`).

Three fictional organisations modelled on the programmes in the design's seed texts, a
member for every role in each, one mentor who works for two of them, a dozen SMEs with
their founders, a few pending invitations and a superuser. Everyone signs in with
DEMO_PASSWORD.

Every step is idempotent: rows are found by a natural key (e-mail, slug, company number,
organisation + e-mail ...) and only the fields that differ from the demo values are saved,
so running the command twice leaves exactly the same data. Later apps extend the demo by
adding a step to `build_demo()` that reads what earlier steps put in the `DemoSummary`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password, make_password
from django.db import models, transaction
from django.utils import timezone

from cohorts.models import Company, CompanyMember
from portal.models import Invitation, Membership, Organisation, User
from portal.roles import Role
from portal.taxonomy import Region, Sector, TurnoverBand
from portal.tenancy import tenant_scope

# Published on purpose: it is the demo's login (reviewed, bandit B105).
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  # nosec B105
SUPERUSER_EMAIL = "root@portal.demo"

# --- The content ----------------------------------------------------------------------------

ORGANISATIONS: list[dict[str, Any]] = [
    {
        "slug": "capital-trade",
        "name": "Capital Trade & Invest",
        "accent_colour": "#b5122e",
        "contact_email": "programmes@capital-trade.demo",
        "time_zone": "Europe/London",
        "description": (
            "Capital Trade & Invest is the city's trade and investment agency. Our "
            "International Business Programme helps fast-growing tech, life sciences and "
            "urban companies win customers abroad, with trade missions to North America, "
            "Europe and Asia. Each cohort gets mentoring, workshops and introductions to "
            "large corporates to shape its expansion plan before it travels."
        ),
    },
    {
        "slug": "pennine-growth",
        "name": "Pennine Growth Hub",
        "accent_colour": "#2f7d32",
        "contact_email": "hello@pennine-growth.demo",
        "time_zone": "Europe/London",
        "description": (
            "Pennine Growth Hub helps ambitious firms across the Pennines take their next "
            "step. Ignite2Scale combines a strategy workshop, one-to-one support from our "
            "growth advisers and peer workshops on finance, digital marketing and growth "
            "hacking. Our mentor programme matches you with an experienced mentor by "
            "function, sector and the way you like to work."
        ),
    },
    {
        "slug": "ne-innovation",
        "name": "North East Innovation Network",
        "accent_colour": "#1f4e8c",
        "contact_email": "frontdoor@ne-innovation.demo",
        "time_zone": "Europe/London",
        "description": (
            "North East Innovation Network is one front door to business support in the "
            "region: tell us once what you need and we bring in the right partner agency. "
            "We run export consortia in which three or more firms, at least one already "
            "exporting, build a joint plan to sell abroad, and coaching circles where five "
            "founders work through their growth challenges together."
        ),
    },
]

# Symmetrical: adding one side adds the other.
PARTNERSHIPS = [("ne-innovation", "pennine-growth")]

# (first name, last name) of the member for each role, per organisation; their e-mail is
# <role>@<slug>.demo.
STAFF: dict[str, dict[str, tuple[str, str]]] = {
    "capital-trade": {
        Role.ADMIN: ("Olivia", "Bennett"),
        Role.PROGRAMME_MANAGER: ("Daniel", "Okoye"),
        Role.GROWTH_ADVISER: ("Sophie", "Clarke"),
        Role.REVIEWER: ("Marcus", "Webb"),
        Role.MENTOR: ("Hannah", "Lewis"),
        Role.FUNDER: ("James", "Whitfield"),
    },
    "pennine-growth": {
        Role.ADMIN: ("Gareth", "Holroyd"),
        Role.PROGRAMME_MANAGER: ("Aisha", "Rahman"),
        Role.GROWTH_ADVISER: ("Tom", "Ashworth"),
        Role.REVIEWER: ("Rebecca", "Sutcliffe"),
        Role.MENTOR: ("Neil", "Brierley"),
        Role.FUNDER: ("Fiona", "Marsden"),
    },
    "ne-innovation": {
        Role.ADMIN: ("Lindsay", "Robson"),
        Role.PROGRAMME_MANAGER: ("Craig", "Milburn"),
        Role.GROWTH_ADVISER: ("Joanne", "Charlton"),
        Role.REVIEWER: ("Peter", "Dodds"),
        Role.MENTOR: ("Kirsty", "Armstrong"),
        Role.FUNDER: ("Andrew", "Pattinson"),
    },
}

# People with a role in more than one organisation (the organisation switcher shows them).
MULTI_ORG_STAFF: list[dict[str, Any]] = [
    {
        "email": "priya.shah@mentors.demo",
        "first_name": "Priya",
        "last_name": "Shah",
        "memberships": [("pennine-growth", Role.MENTOR), ("ne-innovation", Role.MENTOR)],
    },
]

# Pending invitations: (organisation slug, e-mail, role, role of the inviting member).
INVITATIONS = [
    ("capital-trade", "ella.fraser@capital-trade.demo", Role.GROWTH_ADVISER, Role.ADMIN),
    ("pennine-growth", "david.hirst@mentors.demo", Role.MENTOR, Role.PROGRAMME_MANAGER),
    ("ne-innovation", "reviews@tees-angels.demo", Role.REVIEWER, Role.ADMIN),
]

COMPANIES: list[dict[str, Any]] = [
    {
        "name": "Lumen Grid Analytics Ltd",
        "registration_number": "10234871",
        "sector": Sector.TECH,
        "region": Region.LONDON,
        "year_founded": 2016,
        "employees": 42,
        "turnover_band": TurnoverBand.TO_5M,
        "website": "https://lumengrid.demo",
        "exports": True,
        "export_markets": "United States, Germany",
        "help_wanted": (
            "We sell energy analytics to utilities and want to open a sales office on the US "
            "East Coast. We need introductions to buyers and advice on US hiring."
        ),
        "owner": ("amara.okafor@lumengrid.demo", "Amara", "Okafor"),
    },
    {
        "name": "Helix Point Diagnostics Ltd",
        "registration_number": "09128834",
        "sector": Sector.LIFE_SCIENCES,
        "region": Region.LONDON,
        "year_founded": 2014,
        "employees": 68,
        "turnover_band": TurnoverBand.TO_10M,
        "website": "https://helixpoint.demo",
        "exports": True,
        "export_markets": "United States, Netherlands, Switzerland",
        "help_wanted": (
            "Our point-of-care test has CE marking; we need help with FDA clearance and "
            "finding distribution partners in North America."
        ),
        "owner": ("ravi.menon@helixpoint.demo", "Ravi", "Menon"),
    },
    {
        "name": "Streetwise Mobility Ltd",
        "registration_number": "11457620",
        "sector": Sector.URBAN,
        "region": Region.LONDON,
        "year_founded": 2018,
        "employees": 23,
        "turnover_band": TurnoverBand.TO_5M,
        "website": "https://streetwise-mobility.demo",
        "exports": True,
        "export_markets": "Spain, Finland",
        "help_wanted": (
            "Kerbside data for city councils. We want to meet transport authorities in "
            "European capitals and learn how to bid for public tenders abroad."
        ),
        "owner": ("chloe.darmon@streetwise-mobility.demo", "Chloé", "Darmon"),
    },
    {
        "name": "Brightwater Payments Ltd",
        "registration_number": "13300562",
        "sector": Sector.FINANCE,
        "region": Region.LONDON,
        "year_founded": 2021,
        "employees": 15,
        "turnover_band": TurnoverBand.TO_1M,
        "website": "https://brightwater-pay.demo",
        "exports": False,
        "export_markets": "",
        "help_wanted": (
            "We are raising a Series A and need a mentor who has scaled a regulated fintech, "
            "and help building our first management team."
        ),
        "owner": ("kwame.asante@brightwater-pay.demo", "Kwame", "Asante"),
    },
    {
        "name": "Kestrel Robotics Ltd",
        "registration_number": "08011946",
        "sector": Sector.MANUFACTURING,
        "region": Region.YORKSHIRE,
        "year_founded": 2012,
        "employees": 120,
        "turnover_band": TurnoverBand.TO_50M,
        "website": "https://kestrel-robotics.demo",
        "exports": True,
        "export_markets": "Germany, United States, Japan",
        "help_wanted": (
            "Warehouse picking robots. We are growing fast and need a stronger finance "
            "function and a plan for a second factory."
        ),
        "owner": ("sarah.lockwood@kestrel-robotics.demo", "Sarah", "Lockwood"),
        "colleagues": [("imran.hussain@kestrel-robotics.demo", "Imran", "Hussain")],
    },
    {
        "name": "Calder Valley Creamery Ltd",
        "registration_number": "06873315",
        "sector": Sector.FOOD,
        "region": Region.YORKSHIRE,
        "year_founded": 2009,
        "employees": 35,
        "turnover_band": TurnoverBand.TO_5M,
        "website": "https://caldervalleycreamery.demo",
        "exports": False,
        "export_markets": "",
        "help_wanted": (
            "Our cheeses are in two supermarket chains. We would like to export for the first "
            "time, probably to Ireland and France, and do not know where to start."
        ),
        "owner": ("john.greenwood@caldervalleycreamery.demo", "John", "Greenwood"),
    },
    {
        "name": "Millstone Digital Ltd",
        "registration_number": "11902458",
        "sector": Sector.CREATIVE,
        "region": Region.NORTH_WEST,
        "year_founded": 2019,
        "employees": 8,
        "turnover_band": TurnoverBand.TO_500K,
        "website": "https://millstone-digital.demo",
        "exports": False,
        "export_markets": "",
        "help_wanted": (
            "A small digital agency in Rochdale. We want the confidence and a plan to grow "
            "past ten people, and help with digital marketing for ourselves."
        ),
        "owner": ("leanne.taylor@millstone-digital.demo", "Leanne", "Taylor"),
    },
    {
        "name": "Oakmoor Studios Ltd",
        "registration_number": "09675203",
        "sector": Sector.CREATIVE,
        "region": Region.NORTH_WEST,
        "year_founded": 2015,
        "employees": 27,
        "turnover_band": TurnoverBand.TO_5M,
        "website": "https://oakmoor-studios.demo",
        "exports": True,
        "export_markets": "United States, Canada",
        "help_wanted": (
            "Animation studio working for streaming platforms. We need help pricing our own "
            "IP and meeting co-production partners in Canada."
        ),
        "owner": ("ben.carter@oakmoor-studios.demo", "Ben", "Carter"),
    },
    {
        "name": "Northern Larder Ltd",
        "registration_number": "12566091",
        "sector": Sector.FOOD,
        "region": Region.YORKSHIRE,
        "year_founded": 2020,
        "employees": 3,
        "turnover_band": TurnoverBand.UNDER_100K,
        "website": "https://northernlarder.demo",
        "exports": False,
        "export_markets": "",
        "help_wanted": (
            "Subscription boxes of local produce. We need help with our online marketing and "
            "cash flow as we take on our first employees."
        ),
        "owner": ("megan.firth@northernlarder.demo", "Megan", "Firth"),
    },
    {
        "name": "Tyne Tidal Energy Ltd",
        "registration_number": "10788412",
        "sector": Sector.URBAN,
        "region": Region.NORTH_EAST,
        "year_founded": 2017,
        "employees": 18,
        "turnover_band": TurnoverBand.TO_1M,
        "website": "https://tynetidal.demo",
        "exports": True,
        "export_markets": "Norway",
        "help_wanted": (
            "Tidal turbine components. We would like to join an export consortium with other "
            "offshore energy suppliers to bid for projects in Scandinavia."
        ),
        "owner": ("callum.reid@tynetidal.demo", "Callum", "Reid"),
    },
    {
        "name": "Quayside Health Ltd",
        "registration_number": "12987340",
        "sector": Sector.LIFE_SCIENCES,
        "region": Region.NORTH_EAST,
        "year_founded": 2020,
        "employees": 12,
        "turnover_band": TurnoverBand.TO_1M,
        "website": "https://quaysidehealth.demo",
        "exports": False,
        "export_markets": "",
        "help_wanted": (
            "Remote monitoring for care homes. We need evidence of impact for NHS buyers and "
            "a mentor who has sold into the NHS."
        ),
        "owner": ("nadia.hassan@quaysidehealth.demo", "Nadia", "Hassan"),
    },
    {
        "name": "Wearside Precision Components Ltd",
        "registration_number": "03561277",
        "sector": Sector.MANUFACTURING,
        "region": Region.NORTH_EAST,
        "year_founded": 1998,
        "employees": 95,
        "turnover_band": TurnoverBand.TO_50M,
        "website": "https://wearside-precision.demo",
        "exports": True,
        "export_markets": "Germany, Poland, Sweden",
        "help_wanted": (
            "Machined parts for the automotive industry. We want to diversify into aerospace "
            "and need help with accreditation and new customers."
        ),
        "owner": ("stephen.elliott@wearside-precision.demo", "Stephen", "Elliott"),
    },
]


# --- What was built --------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    email: str
    name: str
    where: str  # organisation name, company name or "Portal"
    role: str  # human label


@dataclass
class DemoSummary:
    """What the demo holds, for printing and for later steps that build on it."""

    password: str = DEMO_PASSWORD
    organisations: dict[str, Organisation] = field(default_factory=dict)  # by slug
    users: dict[str, User] = field(default_factory=dict)  # by e-mail
    companies: dict[str, Company] = field(default_factory=dict)  # by registration number
    staff_logins: list[Login] = field(default_factory=list)
    founder_logins: list[Login] = field(default_factory=list)
    admin_logins: list[Login] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    changes: Counter = field(default_factory=Counter)  # "created"/"updated"/"unchanged"

    def as_text(self) -> str:
        lines = [
            "Demo data is ready "
            f"({self.changes['created']} rows created, {self.changes['updated']} updated, "
            f"{self.changes['unchanged']} already up to date).",
            "",
            f"Every demo account signs in with the password:  {self.password}",
            "",
            "Staff (their pages are under /<organisation-slug>/):",
            "",
        ]
        lines += _table(
            ["Organisation", "Role", "E-mail", "Name"],
            [[s.where, s.role, s.email, s.name] for s in self.staff_logins],
        )
        lines += ["", "SME founders and staff (their pages are under /my/):", ""]
        lines += _table(
            ["Company", "Role", "E-mail", "Name"],
            [[f.where, f.role, f.email, f.name] for f in self.founder_logins],
        )
        lines += ["", "Portal superuser (Django admin at /admin/):", ""]
        lines += _table(
            ["Where", "Role", "E-mail", "Name"],
            [[a.where, a.role, a.email, a.name] for a in self.admin_logins],
        )
        if self.invitations:
            lines += ["", "Pending invitations (no account yet):", ""]
            lines += _table(
                ["Organisation", "Role", "E-mail", "Invited by"],
                [
                    [
                        i.organisation.name,
                        i.get_role_display(),
                        i.email,
                        i.invited_by.display_name if i.invited_by else "",
                    ]
                    for i in self.invitations
                ],
            )
        return "\n".join(lines)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]

    def line(cells):
        return (
            "  " + "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
        )

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


# --- Building blocks -------------------------------------------------------------------------


def _upsert(
    summary: DemoSummary,
    queryset: models.QuerySet | models.Manager,
    lookup: dict[str, Any],
    values: dict[str, Any],
    create_only: dict[str, Any] | None = None,
):
    """Find the row by `lookup` (the oldest one, should there be several) or create it;
    save only the fields of `values` that differ, so an unchanged row is not written."""
    obj = queryset.filter(**lookup).order_by("pk").first()
    model = queryset.model
    if obj is None:
        obj = model(**lookup, **values, **(create_only or {}))
        obj.full_clean()
        obj.save()
        summary.changes["created"] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        summary.changes["unchanged"] += 1
        return obj
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    obj.save(update_fields=changed + auto_now)
    summary.changes["updated"] += 1
    return obj


class _Passwords:
    """Hashing is slow by design, so hash the demo password once per run and check each
    stored hash only once (demo users created together share one hash)."""

    def __init__(self) -> None:
        self._encoded: str | None = None
        self._checked: dict[str, bool] = {}

    @property
    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(DEMO_PASSWORD)
        return self._encoded

    def is_demo(self, encoded: str) -> bool:
        if encoded not in self._checked:
            self._checked[encoded] = check_password(DEMO_PASSWORD, encoded)
        return self._checked[encoded]


def ensure_user(
    summary: DemoSummary,
    passwords: _Passwords,
    email: str,
    first_name: str,
    last_name: str,
    *,
    superuser: bool = False,
) -> User:
    """A demo account with the demo password and a verified primary e-mail address (the
    production settings make verification mandatory before signing in)."""
    email = email.lower()
    user = _upsert(
        summary,
        User.objects,
        {"email": email},
        {
            "first_name": first_name,
            "last_name": last_name,
            "is_active": True,
            "is_staff": superuser,
            "is_superuser": superuser,
        },
        create_only={"password": passwords.encoded},
    )
    if not passwords.is_demo(user.password):
        user.password = passwords.encoded
        user.save(update_fields=["password"])
        summary.changes["updated"] += 1
    # One primary address per user: demote any other before promoting this one.
    EmailAddress.objects.filter(user=user, primary=True).exclude(email=email).update(primary=False)
    _upsert(
        summary,
        EmailAddress.objects,
        {"user": user, "email": email},
        {"verified": True, "primary": True},
    )
    summary.users[email] = user
    return user


def ensure_membership(
    summary: DemoSummary, user: User, organisation: Organisation, role: str
) -> Membership:
    membership = _upsert(
        summary,
        Membership.objects,
        {"user": user, "organisation": organisation},
        {"role": role},
    )
    summary.staff_logins.append(
        Login(
            email=user.email,
            name=user.get_full_name(),
            where=organisation.name,
            role=Role(role).label,
        )
    )
    return membership


# --- Steps -----------------------------------------------------------------------------------


def build_organisations(summary: DemoSummary) -> None:
    for spec in ORGANISATIONS:
        values = {k: v for k, v in spec.items() if k != "slug"}
        summary.organisations[spec["slug"]] = _upsert(
            summary, Organisation.objects, {"slug": spec["slug"]}, values
        )
    for slug, other in PARTNERSHIPS:
        organisation = summary.organisations[slug]
        partner = summary.organisations[other]
        if organisation.partners.filter(pk=partner.pk).exists():
            summary.changes["unchanged"] += 1
        else:
            organisation.partners.add(partner)
            summary.changes["created"] += 1


def build_staff(summary: DemoSummary, passwords: _Passwords) -> None:
    for slug, people in STAFF.items():
        organisation = summary.organisations[slug]
        for role, (first_name, last_name) in people.items():
            user = ensure_user(summary, passwords, f"{role}@{slug}.demo", first_name, last_name)
            ensure_membership(summary, user, organisation, role)
    for person in MULTI_ORG_STAFF:
        user = ensure_user(
            summary, passwords, person["email"], person["first_name"], person["last_name"]
        )
        for slug, role in person["memberships"]:
            ensure_membership(summary, user, summary.organisations[slug], role)


def build_invitations(summary: DemoSummary) -> None:
    """Pending invitations, one per address. An invitation that has since expired or been
    revoked is made pending again; one that was accepted is left alone."""
    now = timezone.now()
    for slug, email, role, inviter_role in INVITATIONS:
        organisation = summary.organisations[slug]
        inviter = Membership.objects.filter(organisation=organisation, role=inviter_role)
        inviter = inviter.select_related("user").order_by("pk").first()
        with tenant_scope(organisation):
            existing = (
                Invitation.objects.filter(organisation=organisation, email=email)
                .order_by("-created_at", "-pk")
                .first()
            )
            values: dict[str, Any] = {"role": role, "invited_by": inviter.user if inviter else None}
            if existing is not None and existing.status != Invitation.Status.ACCEPTED:
                if not existing.is_usable:
                    values |= {
                        "status": Invitation.Status.PENDING,
                        "expires_at": now + timedelta(days=14),
                    }
                invitation = _upsert(summary, Invitation.objects, {"pk": existing.pk}, values)
            elif existing is None:
                invitation = _upsert(
                    summary,
                    Invitation.objects,
                    {"organisation": organisation, "email": email},
                    values,
                    create_only={"status": Invitation.Status.PENDING},
                )
            else:
                summary.changes["unchanged"] += 1
                continue
        summary.invitations.append(invitation)


def build_companies(summary: DemoSummary, passwords: _Passwords) -> None:
    for spec in COMPANIES:
        values = {k: v for k, v in spec.items() if k not in ("owner", "colleagues")}
        company = _upsert(
            summary,
            Company.objects,
            {"registration_number": values.pop("registration_number")},
            values,
        )
        summary.companies[company.registration_number] = company
        people = [(spec["owner"], CompanyMember.Role.OWNER)] + [
            (colleague, CompanyMember.Role.COLLEAGUE) for colleague in spec.get("colleagues", [])
        ]
        for (email, first_name, last_name), role in people:
            user = ensure_user(summary, passwords, email, first_name, last_name)
            _upsert(
                summary,
                CompanyMember.objects,
                {"company": company, "user": user},
                {"role": role},
            )
            summary.founder_logins.append(
                Login(
                    email=user.email,
                    name=user.get_full_name(),
                    where=company.name,
                    role=CompanyMember.Role(role).label,
                )
            )


def build_superuser(summary: DemoSummary, passwords: _Passwords) -> None:
    user = ensure_user(
        summary, passwords, SUPERUSER_EMAIL, "Portal", "Administrator", superuser=True
    )
    summary.admin_logins.append(
        Login(email=user.email, name=user.get_full_name(), where="Portal", role="Superuser")
    )


@transaction.atomic
def build_demo() -> DemoSummary:
    """Build (or bring back up to date) the whole demo data set, all or nothing."""
    summary = DemoSummary()
    passwords = _Passwords()
    build_organisations(summary)
    build_staff(summary, passwords)
    build_invitations(summary)
    build_companies(summary, passwords)
    build_superuser(summary, passwords)
    # Later apps add their steps here (the demo is project-wide, so it may import them).
    from cohorts.demo import build_programmes

    build_programmes(summary)
    from mentoring.demo import build_mentoring

    build_mentoring(summary)
    from activities.demo import build_activities

    build_activities(summary)
    from impact.demo import build_impact

    build_impact(summary)
    return summary
