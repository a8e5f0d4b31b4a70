"""A person's own erasure pages under /privacy/erasure/: ask to be erased (after seeing
what it means and confirming with their password), or cancel a pending request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from portal.confirm import confirm_action
from portal.fields import add_service_errors
from privacy import erasure as services
from privacy.forms import ErasureRequestForm
from privacy.models import ErasureRequest
from privacy.selectors import organisations_holding_data


@login_required
def erasure_request(request):
    pending = request.user.erasure_requests.filter(status=ErasureRequest.Status.PENDING).first()
    if pending is not None:
        messages.info(request, "You have already asked to be erased; the request is pending.")
        return redirect("privacy:overview")
    form = ErasureRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = services.erasure_request(user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if erasure.status == ErasureRequest.Status.COMPLETED:
                logout(request)
                messages.success(request, "Your account has been erased. Goodbye.")
                return redirect("home")
            messages.success(
                request,
                "We have asked each organisation that holds your data to confirm. We e-mail "
                "you when your account has been erased.",
            )
            return redirect("privacy:overview")
    return render(
        request,
        "privacy/erasure/request.html",
        {"form": form, "holdings": organisations_holding_data(user=request.user)},
        status=400 if form.errors else 200,
    )


@login_required
def erasure_cancel(request, pk):
    erasure = get_object_or_404(
        request.user.erasure_requests.filter(status=ErasureRequest.Status.PENDING), pk=pk
    )
    return confirm_action(
        request,
        template="privacy/erasure/cancel.html",
        context={"erasure": erasure},
        action=lambda: services.erasure_cancel(erasure=erasure),
        success="Your erasure request is cancelled; your account stays as it is.",
        next_url=reverse("privacy:overview"),
    )
