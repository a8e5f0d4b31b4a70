"""STUB: replaced by the helper that owns this module."""

from django.http import Http404

from portal.permissions import role_required
from portal.roles import MANAGERS


@role_required(*MANAGERS)
def board(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def reviewers(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def promote(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def application_detail(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def decide(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def assign(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def application_file(request, org_slug, pk, file_pk):
    raise Http404


@role_required(*MANAGERS)
def my_reviews(request, org_slug):
    raise Http404


@role_required(*MANAGERS)
def pick(request, org_slug, application_pk):
    raise Http404


@role_required(*MANAGERS)
def review_form(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def release(request, org_slug, pk):
    raise Http404
