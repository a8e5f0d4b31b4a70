"""STUB: replaced by the helper that owns this module."""

from django.http import Http404

from portal.permissions import role_required
from portal.roles import MANAGERS


@role_required(*MANAGERS)
def programme_list(request, org_slug):
    raise Http404


@role_required(*MANAGERS)
def programme_create(request, org_slug):
    raise Http404


@role_required(*MANAGERS)
def programme_detail(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def programme_edit(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def grant_create(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def grant_delete(request, org_slug, pk, grant_pk):
    raise Http404


@role_required(*MANAGERS)
def targets(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def funder_list(request, org_slug):
    raise Http404


@role_required(*MANAGERS)
def funder_edit(request, org_slug, pk):
    raise Http404
