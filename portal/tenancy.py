"""The tenancy primitives every app builds on.

A tenant-owned model inherits `TenantModel`: it carries `organisation_id` itself and its
default manager is scoped, so a query outside an active scope raises `ScopeError` instead of
returning every tenant's rows. Scopes are switched on only at entry points (the tenant
middleware, tasks, management commands), with `tenant_scope(organisation)`.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import models
from django_scopes import ScopedManager, scope, scopes_disabled

if TYPE_CHECKING:
    from portal.models import Organisation

__all__ = ["TenantModel", "tenant_scope", "scopes_disabled"]


class TenantModel(models.Model):
    """Abstract base for every table that belongs to one organisation."""

    organisation = models.ForeignKey(
        "portal.Organisation", on_delete=models.CASCADE, related_name="%(class)ss", editable=False
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        abstract = True


@contextmanager
def tenant_scope(organisation: Organisation):
    """Activate the scope of one organisation. Refuses None: that would enable the guard
    with no filter at all."""
    if organisation is None:
        raise ValueError("tenant_scope needs an organisation, not None")
    with scope(organisation=organisation):
        yield
