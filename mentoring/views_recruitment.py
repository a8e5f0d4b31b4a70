"""Become a mentor: the public application form of an organisation. Signing in is required
(anonymous visitors sign in or up and come back); one application per person and
organisation, so a second visit shows where the application stands."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from mentoring.forms_mentors import MentorApplicationForm
from mentoring.selectors_mentors import mentor_of_user
from mentoring.services_mentors import mentor_apply
from portal.fields import add_service_errors
from portal.models import Organisation
from portal.tenancy import tenant_scope


@login_required
def apply(request, org_slug):
    organisation = get_object_or_404(Organisation, slug=org_slug)
    context = {"organisation": organisation, "branding": organisation}
    with tenant_scope(organisation), timezone.override(organisation.time_zone):
        existing = mentor_of_user(organisation=organisation, user=request.user)
        if existing is not None:
            return render(
                request,
                "mentoring/recruitment/status.html",
                {**context, "mentor": existing},
            )
        form = (
            MentorApplicationForm(request.POST, request.FILES)
            if request.method == "POST"
            else MentorApplicationForm()
        )
        if request.method == "POST" and form.is_valid():
            try:
                mentor_apply(organisation=organisation, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Thank you: your application is with {organisation.name}. "
                    "They will be in touch by e-mail.",
                )
                return redirect("mentor-recruitment:apply", org_slug=organisation.slug)
        return render(
            request,
            "mentoring/recruitment/apply.html",
            {**context, "form": form},
            status=400 if form.errors else 200,
        )
