"""Reads for accounts and tenancy, shared by views and later by reports."""

from django.db.models import Count, Q

from portal.models import Invitation, Membership, Organisation


def organisation_members(*, organisation: Organisation):
    return organisation.memberships.select_related("user").order_by("user__email")


def pending_invitations(*, organisation: Organisation):
    return organisation.invitations.filter(status=Invitation.Status.PENDING).select_related(
        "invited_by"
    )


def membership_counts_by_role(*, organisation: Organisation) -> dict[str, int]:
    rows = organisation.memberships.values("role").annotate(n=Count("pk"))
    return {row["role"]: row["n"] for row in rows}


def organisations_of_user(*, user) -> list[Membership]:
    return list(user.memberships.select_related("organisation").order_by("organisation__name"))


def public_organisations():
    return Organisation.objects.annotate(
        members=Count("memberships", filter=Q(memberships__isnull=False))
    ).order_by("name")
