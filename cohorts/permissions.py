"""Who may see, score and decide applications. Checks answer `Permission(allowed, reason)`;
the reason is what the 403 page shows, so it is written for the person refused."""

from __future__ import annotations

from portal.permissions import ALLOWED, Permission
from portal.roles import MANAGERS, REVIEWERS, Role

__all__ = ["REVIEWERS", "can_see_all_scores", "can_see_application", "is_manager", "review_of"]


def is_manager(membership) -> bool:
    return membership is not None and membership.role in MANAGERS


def review_of(application, user_id):
    """The user's review of the application, or None. Uses the prefetched reviews when the
    caller loaded them (application_for_staff does), so it costs no extra query there."""
    if user_id is None:
        return None
    return next((r for r in application.reviews.all() if r.reviewer_id == user_id), None)


def can_see_application(membership, application) -> Permission:
    """Managers see every application of their organisation; a reviewer sees one only once
    it is theirs to review (assigned, or picked from the pool)."""
    if membership is None or membership.organisation_id != application.organisation_id:
        return Permission(False, "This application belongs to another organisation.")
    if membership.role in MANAGERS:
        return ALLOWED
    if membership.role == Role.REVIEWER and review_of(application, membership.user_id):
        return ALLOWED
    if membership.role == Role.REVIEWER:
        return Permission(
            False,
            "You can open an application once you review it. Pick it from the pool on your "
            "Reviews page, or ask the programme manager to assign it to you.",
        )
    return Permission(
        False, "Applications are seen by the programme managers and the reviewers assigned."
    )


def can_see_all_scores(membership, application) -> Permission:
    """A reviewer sees the others' scores only once their own review is submitted, so
    nobody is swayed by the others; that holds for a manager who reviews too. Managers who
    are not reviewing it see every score."""
    own = review_of(application, membership.user_id if membership else None)
    if own is not None:
        if own.is_submitted:
            return ALLOWED
        return Permission(False, "Other reviewers' scores appear after you submit yours.")
    if is_manager(membership):
        return ALLOWED
    return Permission(False, "Other reviewers' scores appear after you submit yours.")
