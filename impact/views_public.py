"""The follow-up survey behind the link in an invitation: /s/<token>/, no sign-in.

The token is the credential: it is looked up before any organisation is known (crossing
tenants is inherent here), then everything happens inside that organisation's scope. A GET
never changes anything, since mail scanners open links before people do."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from impact import services
from impact.forms import SurveyAnswerForm
from impact.models import CustomQuestion, SurveyInvitation, SurveyResponse
from portal.fields import add_service_errors
from portal.tenancy import scopes_disabled, tenant_scope

# What a token can look like (secrets.token_urlsafe); anything else cannot name one, and is
# never sent to the database (PostgreSQL refuses NUL bytes with an error, not a miss).
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def _find(token: str) -> SurveyInvitation | None:
    if not TOKEN_PATTERN.match(token):
        return None
    with scopes_disabled():
        return (
            SurveyInvitation.objects.select_related(
                "organisation", "schedule__programme", "cohort", "company"
            )
            .filter(token=token)
            .first()
        )


@never_cache
def answer(request, token):
    invitation = _find(token)
    if invitation is None:
        return render(request, "impact/public/invalid.html", status=404)
    organisation = invitation.organisation
    timezone.activate(organisation.time_zone)
    try:
        with tenant_scope(organisation):
            return _answer(request, invitation)
    finally:
        timezone.deactivate()


def _answer(request, invitation: SurveyInvitation):
    organisation = invitation.organisation
    context = {
        "invitation": invitation,
        "programme": invitation.schedule.programme,
        "cohort": invitation.cohort,
        "company": invitation.company,
        "organisation": organisation,
        "branding": organisation,
        "minutes": services.SURVEY_MINUTES,
    }
    if invitation.status == SurveyInvitation.Status.ANSWERED:
        return render(request, "impact/public/answered.html", context)
    if services.invitation_closed_reason(invitation):
        return render(request, "impact/public/expired.html", context, status=410)

    questions = list(CustomQuestion.objects.filter(programme=invitation.schedule.programme))
    response = SurveyResponse.objects.filter(invitation=invitation).first()
    autosave = request.method == "POST" and request.POST.get("autosave") == "1"
    if request.method == "POST":
        form = SurveyAnswerForm(request.POST, questions=questions)
        submit = "submit" in request.POST and not autosave
        saved = None
        if form.is_valid():
            try:
                saved = services.response_save(
                    invitation=invitation,
                    data=form.answers(),
                    submit=submit,
                    source=SurveyResponse.Source.WEB,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
        if autosave:
            # htmx swaps only 2xx responses: the fragment carries the errors itself.
            return render(
                request,
                "impact/public/_save_status.html",
                {**context, "form": form, "saved": saved, "now": timezone.now()},
            )
        if saved is not None:
            if not submit:
                messages.success(
                    request,
                    "Your answers are saved. Come back to this link to finish before it expires.",
                )
            return redirect(invitation.get_answer_url())
        invitation.refresh_from_db()
        if invitation.status == SurveyInvitation.Status.ANSWERED:
            return render(request, "impact/public/answered.html", context)
        status = 400
    else:
        form = SurveyAnswerForm(
            initial=services.response_initial(response, questions), questions=questions
        )
        status = 200
    return render(
        request,
        "impact/public/answer.html",
        {**context, "form": form, "response": response},
        status=status,
    )
