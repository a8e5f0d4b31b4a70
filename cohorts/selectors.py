"""Reads for companies, shared by the SME's pages and staff pages."""

from cohorts.models import Company


def companies_of_user(*, user):
    """The companies a user acts for: the only companies their /my/ pages may show."""
    return Company.objects.filter(memberships__user=user).order_by("name")
