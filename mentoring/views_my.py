"""STUB: replaced by the helper that owns this module."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def overview(request):
    raise Http404


@login_required
def diagnosis(request, pk):
    raise Http404


@login_required
def book(request, pk):
    raise Http404


@login_required
def session(request, pk):
    raise Http404


@login_required
def session_cancel(request, pk):
    raise Http404


@login_required
def session_ics(request, pk):
    raise Http404
