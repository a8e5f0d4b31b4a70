"""STUB: replaced by the helper that owns this module."""

from django.http import Http404


def apply(request, org_slug):
    raise Http404
