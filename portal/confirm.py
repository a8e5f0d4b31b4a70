"""The confirm-then-act page shared by every destructive action: GET shows the question,
POST runs the service; a refusal (ValidationError) is shown on the same page with 400."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render


def confirm_action(
    request,
    *,
    template: str,
    context: dict,
    action: Callable[[], object],
    success: str,
    next_url: str,
):
    error = None
    if request.method == "POST":
        try:
            action()
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, success)
            return redirect(next_url)
    return render(request, template, {**context, "error": error}, status=400 if error else 200)
