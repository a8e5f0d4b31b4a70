"""STUB: replaced by the helper that owns this module."""

from django.http import Http404

from portal.permissions import role_required
from portal.roles import MANAGERS, STAFF, Role


@role_required(*STAFF)
def mentor_list(request, org_slug):
    raise Http404


@role_required(*STAFF)
def mentor_detail(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def mentor_decide(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def mentor_induction(request, org_slug, pk):
    raise Http404


@role_required(*[Role.MENTOR])
def my_profile(request, org_slug):
    raise Http404


@role_required(*[Role.MENTOR])
def availability(request, org_slug):
    raise Http404


@role_required(*[Role.MENTOR])
def weekly_delete(request, org_slug, pk):
    raise Http404


@role_required(*[Role.MENTOR])
def slot_delete(request, org_slug, pk):
    raise Http404
