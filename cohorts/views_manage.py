"""STUB: replaced by the helper that owns this module."""

from django.http import Http404

from portal.permissions import role_required
from portal.roles import MANAGERS


@role_required(*MANAGERS)
def cohort_list(request, org_slug):
    raise Http404


@role_required(*MANAGERS)
def cohort_create(request, org_slug, programme_pk):
    raise Http404


@role_required(*MANAGERS)
def cohort_detail(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def cohort_edit(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def cohort_move(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def form_builder(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def question_edit(request, org_slug, pk, question_pk):
    raise Http404


@role_required(*MANAGERS)
def question_delete(request, org_slug, pk, question_pk):
    raise Http404


@role_required(*MANAGERS)
def question_move(request, org_slug, pk, question_pk):
    raise Http404


@role_required(*MANAGERS)
def criteria(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def criterion_delete(request, org_slug, pk, criterion_pk):
    raise Http404


@role_required(*MANAGERS)
def roster(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def export(request, org_slug, pk, what, fmt):
    raise Http404


@role_required(*MANAGERS)
def enrolment_withdraw(request, org_slug, pk):
    raise Http404


@role_required(*MANAGERS)
def company_list(request, org_slug):
    raise Http404


@role_required(*MANAGERS)
def company_detail(request, org_slug, pk):
    raise Http404
