"""STUB: replaced by the helper that owns this module."""

from django.http import Http404

from portal.permissions import role_required
from portal.roles import STAFF, Role


@role_required(*STAFF)
def company_list(request, org_slug):
    raise Http404


@role_required(*STAFF)
def overdue(request, org_slug):
    raise Http404


@role_required(*STAFF)
def enrolment_detail(request, org_slug, pk):
    raise Http404


@role_required(*STAFF)
def diagnose(request, org_slug, pk):
    raise Http404


@role_required(*STAFF)
def match_candidates(request, org_slug, pk):
    raise Http404


@role_required(*STAFF)
def propose(request, org_slug, pk, mentor_pk):
    raise Http404


@role_required(*STAFF)
def log_contact(request, org_slug, pk):
    raise Http404


@role_required(*[Role.MENTOR])
def my_matches(request, org_slug):
    raise Http404


@role_required(*[Role.MENTOR])
def respond(request, org_slug, pk):
    raise Http404


@role_required(*STAFF)
def end_match(request, org_slug, pk):
    raise Http404
