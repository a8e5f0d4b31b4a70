"""Reads of data rights shared by the person's /privacy/ pages and the erasure services."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from activities.models import (
    ChallengeProposal,
    CompetitorDeclaration,
    ConsortiumMember,
    MissionDelegate,
    MissionMeeting,
    PeerGroupMember,
    Registration,
)
from cohorts.models import Application, ApplicationStatus, CompanyMember, Enrolment, Review
from impact.models import SurveyInvitation
from mentoring.models import MentorProfile
from portal.models import Membership, Organisation, User
from portal.tenancy import scopes_disabled
from programmes.models import Funder


@dataclass
class Holding:
    """One organisation holding data about a person, and what, in words that read the same
    on the person's own page and on the admin's erasure page."""

    organisation: Organisation
    reasons: list[str] = field(default_factory=list)


def organisations_holding_data(*, user: User) -> list[Holding]:
    """Which organisations hold data about the person, and what, sorted by name. The one
    answer both for "who holds your data" (/privacy/) and for who must confirm an erasure.

    Crosses tenants, since that is the question: every query is fenced by the person or by the
    companies they act for. Drafts are not counted: no organisation has seen them."""
    found: dict[int, Holding] = {}

    def hold(organisation: Organisation, reason: str) -> None:
        holding = found.setdefault(organisation.pk, Holding(organisation=organisation))
        if reason not in holding.reasons:
            holding.reasons.append(reason)

    with scopes_disabled():
        for membership in Membership.objects.filter(user=user).select_related("organisation"):
            hold(
                membership.organisation,
                f"Member with the role {membership.get_role_display().lower()}",
            )
        for profile in MentorProfile.objects.filter(user=user).select_related("organisation"):
            hold(profile.organisation, "A mentor profile")
        for funder in Funder.objects.filter(users=user).select_related("organisation"):
            hold(funder.organisation, f"Reads the reports for the funder {funder.name}")
        reviewed = Review.objects.filter(reviewer=user).values("organisation_id")
        for organisation in Organisation.objects.filter(pk__in=reviewed):
            hold(organisation, "Reviews written")
        company_ids = CompanyMember.objects.filter(user=user).values("company_id")
        applications = (
            Application.objects.filter(Q(company_id__in=company_ids) | Q(created_by=user))
            .exclude(status=ApplicationStatus.DRAFT)
            .select_related("organisation", "company", "cohort__programme")
            .order_by("pk")
        )
        for application in applications:
            hold(
                application.organisation,
                f"Application of {application.company.name} to {application.cohort}",
            )
        enrolments = (
            Enrolment.objects.filter(company_id__in=company_ids)
            .select_related("organisation", "company", "cohort__programme")
            .order_by("pk")
        )
        for enrolment in enrolments:
            hold(enrolment.organisation, f"{enrolment.company.name} enrolled in {enrolment.cohort}")
        for organisation, reason in _activity_holdings(user, company_ids):
            hold(organisation, reason)
        surveyed = SurveyInvitation.objects.filter(email__iexact=user.email).values(
            "organisation_id"
        )
        for organisation in Organisation.objects.filter(pk__in=surveyed):
            hold(organisation, "Follow-up surveys sent to the e-mail address")
    return sorted(found.values(), key=lambda holding: holding.organisation.name)


# What each kind of activity row is called on the privacy pages, and the field naming the
# person who made it (None when only the company is recorded).
_ACTIVITY_KINDS = (
    (Registration, "user", "event registrations"),
    (MissionDelegate, "applied_by", "trade mission delegations"),
    (MissionMeeting, "logged_by", "trade mission meetings"),
    (PeerGroupMember, None, "peer group memberships"),
    (CompetitorDeclaration, "declared_by", "competitor declarations"),
    (ConsortiumMember, None, "export consortium memberships"),
    (ChallengeProposal, "submitted_by", "innovation challenge proposals"),
)


def _activity_holdings(user: User, company_ids) -> list[tuple[Organisation, str]]:
    """(organisation, reason) for each kind of programme activity row an organisation holds
    of the person's companies, or that the person made. One query per kind. Called with
    scopes disabled."""
    found: list[tuple[Organisation, str]] = []
    for model, made_by, words in _ACTIVITY_KINDS:
        company = "delegate__company_id" if model is MissionMeeting else "company_id"
        mine = Q(**{f"{company}__in": company_ids})
        if made_by:
            mine |= Q(**{made_by: user})
        held = model.objects.filter(mine).values("organisation_id")
        for organisation in Organisation.objects.filter(pk__in=held).order_by("pk"):
            found.append((organisation, f"Programme activities: {words}"))
    return found
