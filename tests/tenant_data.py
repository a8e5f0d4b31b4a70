"""One of every tenant-owned object in an organisation, each carrying a marker string.

The isolation tests fill a second tenant with this and check that its marker never shows up
in the first tenant's pages. Each issue that adds a tenant-owned model adds it here."""

from __future__ import annotations

from portal.roles import Role
from portal.tenancy import tenant_scope
from tests.factories import InvitationFactory, MembershipFactory, UserFactory


def populate_tenant(organisation, marker: str) -> list[int]:
    """Create marked objects in `organisation`; return all their primary keys."""
    ids: list[int] = []
    for role in Role:
        membership = MembershipFactory(
            organisation=organisation,
            role=role,
            user=UserFactory(email=f"{marker}-{role}@example.org", first_name=marker),
        )
        ids += [membership.pk, membership.user_id]
    with tenant_scope(organisation):
        invitation = InvitationFactory(organisation=organisation, email=f"{marker}-new@example.org")
        ids.append(invitation.pk)
    return sorted(set(ids))
