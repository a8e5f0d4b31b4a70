"""Staff roles inside an organisation, and the groups of roles that pages name."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Organisation admin"
    PROGRAMME_MANAGER = "manager", "Programme manager"
    GROWTH_ADVISER = "adviser", "Growth adviser"
    REVIEWER = "reviewer", "Reviewer"
    MENTOR = "mentor", "Mentor"
    FUNDER = "funder", "Funder"


# Groups used by views: name the roles allowed, never write `if role == ...` chains.
ALL_ROLES = frozenset(Role)
MANAGERS = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER})
STAFF = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.GROWTH_ADVISER})
# Who may review applications: the reviewer role and the managers who run the cohorts.
REVIEWERS = frozenset({Role.REVIEWER, *MANAGERS})
# Roles for which an organisation admin may require two-factor authentication. Every role
# is a staff role (SME users are not members), so all of them count.
MFA_ELIGIBLE = ALL_ROLES
