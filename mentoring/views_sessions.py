"""STUB: replaced by the helper that owns this module."""

from django.http import Http404

from portal.permissions import role_required
from portal.roles import MANAGERS, STAFF, Role


@role_required(*[*STAFF, Role.MENTOR])
def session_list(request, org_slug):
    raise Http404


@role_required(*[*STAFF, Role.MENTOR])
def session_detail(request, org_slug, pk):
    raise Http404


@role_required(*[*STAFF, Role.MENTOR])
def session_cancel(request, org_slug, pk):
    raise Http404


@role_required(*[*STAFF, Role.MENTOR])
def session_ics(request, org_slug, pk):
    raise Http404


@role_required(*STAFF)
def attendance(request, org_slug):
    raise Http404


@role_required(*[*MANAGERS, Role.MENTOR])
def claim_list(request, org_slug):
    raise Http404


@role_required(*[*MANAGERS, Role.MENTOR])
def claim_detail(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def claims_export(request, org_slug):
    raise Http404


@role_required(*MANAGERS)
def programme_settings(request, org_slug, pk):
    raise Http404
