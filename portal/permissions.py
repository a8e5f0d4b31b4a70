"""Who may do what in an organisation. Checks answer (allowed, reason); the reason is what
the 403 page shows, so it is written for the person refused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied

from portal.roles import MANAGERS, Role


@dataclass(frozen=True)
class Permission:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Permission(True)


def _role_names(roles: Iterable[str]) -> str:
    labels = sorted(Role(r).label.lower() for r in roles)
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def has_role(membership, roles: Iterable[str]) -> Permission:
    roles = frozenset(roles)
    if membership is None:
        return Permission(False, "This page belongs to an organisation you are not a member of.")
    if membership.role in roles:
        return ALLOWED
    return Permission(
        False,
        f"This page is for the {_role_names(roles)} of {membership.organisation.name}; "
        f"your role there is {membership.get_role_display().lower()}.",
    )


def can_manage_members(membership) -> Permission:
    return has_role(membership, {Role.ADMIN})


def can_change_membership(actor, target) -> Permission:
    """An admin may change anyone's role except that the last admin cannot be demoted or
    removed, which would leave the organisation with nobody to run it."""
    allowed = can_manage_members(actor)
    if not allowed:
        return allowed
    if target.role == Role.ADMIN:
        admins = target.organisation.memberships.filter(role=Role.ADMIN).count()
        if admins <= 1:
            return Permission(False, "An organisation needs at least one admin.")
    return ALLOWED


def can_see_programme_pages(membership) -> Permission:
    return has_role(membership, MANAGERS)


def role_required(*roles: str):
    """View decorator for staff pages: the member's role must be one of `roles`.

    The tenant middleware has already refused non-members with 404; this refuses members
    whose role does not fit with 403 and a reason.
    """
    allowed_roles = frozenset(roles)

    def decorator(view):
        view.allowed_roles = allowed_roles

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            permission = has_role(getattr(request, "membership", None), allowed_roles)
            if not permission:
                raise PermissionDenied(permission.reason)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RoleRequiredMixin:
    """Class-based-view twin of `role_required`: set `allowed_roles`."""

    allowed_roles: frozenset[str] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        permission = has_role(getattr(request, "membership", None), self.allowed_roles)
        if not permission:
            raise PermissionDenied(permission.reason)
        return super().dispatch(request, *args, **kwargs)
