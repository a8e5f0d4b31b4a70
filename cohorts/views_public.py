"""STUB: replaced by the helper that owns this module."""

from django.http import Http404


def directory(request):
    raise Http404


def call_detail(request, org_slug, pk):
    raise Http404


def organisation_page(request, org_slug):
    raise Http404
