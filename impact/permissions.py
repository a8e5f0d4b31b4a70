"""Who may see which programme's impact. Funders see only the programmes their funder
funds, read-only; managers and admins see all of their organisation's."""

from __future__ import annotations

from portal.permissions import ALLOWED, Permission
from portal.roles import MANAGERS, Role

# Roles that reach impact pages at all; each page then checks the programme.
IMPACT_READERS = frozenset({*MANAGERS, Role.FUNDER})


def funded_programme_ids(membership) -> set[int]:
    """Programmes whose funder this funder user speaks for."""
    from programmes.models import Grant

    return set(
        Grant.objects.filter(
            organisation_id=membership.organisation_id, funder__users=membership.user_id
        ).values_list("programme_id", flat=True)
    )


def can_view_programme(membership, programme) -> Permission:
    if membership is None or programme.organisation_id != membership.organisation_id:
        return Permission(False, "This programme belongs to another organisation.")
    if membership.role in MANAGERS:
        return ALLOWED
    if membership.role == Role.FUNDER:
        if programme.pk in funded_programme_ids(membership):
            return ALLOWED
        return Permission(
            False, "Funders see the impact of the programmes their organisation funds only."
        )
    return Permission(False, "Impact reports are for programme managers and funders.")


def can_manage_surveys(membership) -> Permission:
    if membership is not None and membership.role in MANAGERS:
        return ALLOWED
    return Permission(False, "Follow-up surveys are run by the programme managers.")


def can_view_funder(membership, funder) -> Permission:
    """A funder's combined figures: managers of the organisation, and the funder's own
    users."""
    if membership is None or funder.organisation_id != membership.organisation_id:
        return Permission(False, "This funder belongs to another organisation.")
    if membership.role in MANAGERS:
        return ALLOWED
    if membership.role == Role.FUNDER and funder.users.filter(pk=membership.user_id).exists():
        return ALLOWED
    return Permission(False, "Funders see the combined figures of their own funding only.")
