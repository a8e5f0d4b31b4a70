"""Writes for companies (and later cohorts and applications)."""

from __future__ import annotations

from django.db import transaction

from cohorts.models import Company, CompanyMember


def company_create(*, owner, **fields) -> Company:
    """Create a company profile with `owner` as its first member."""
    company = Company(**fields)
    company.full_clean()
    with transaction.atomic():
        company.save()
        CompanyMember.objects.create(company=company, user=owner, role=CompanyMember.Role.OWNER)
    return company


def company_update(*, company: Company, **fields) -> Company:
    for name, value in fields.items():
        setattr(company, name, value)
    company.full_clean()
    company.save()
    return company
