"""The public survey page behind the link (/s/<token>/) and the company's starting figures
under /my/."""

import random
import string
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from impact.models import Baseline, CustomQuestion, SurveyInvitation, SurveyResponse
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import (
    CompanyMemberFactory,
    EnrolmentFactory,
    OrganisationFactory,
    SurveyInvitationFactory,
)

pytestmark = pytest.mark.django_db

Status = SurveyInvitation.Status
ANSWERS = {
    "jobs_created": "4",
    "new_deals": "yes",
    "deals_count": "1",
    "deals_value": "40000",
    "new_markets": "yes",
    "markets_entered": "Germany; Japan",
    "further_funding": "no",
    "new_offices": "no",
}


@pytest.fixture
def invitation(organisation):
    return SurveyInvitationFactory(
        organisation=organisation,
        schedule__programme__organisation=organisation,
        sent=True,
    )


def _url(invitation):
    return reverse("surveys:answer", kwargs={"token": invitation.token})


def _state(invitation):
    with scopes_disabled():
        row = SurveyInvitation.objects.get(pk=invitation.pk)
        return (
            row.status,
            row.sent_at,
            row.reminders_sent,
            row.answered_at,
            SurveyResponse.objects.count(),
        )


def test_the_link_opens_the_survey_without_sign_in_and_a_get_changes_nothing(client, invitation):
    before = _state(invitation)
    page = client.get(_url(invitation))
    assert page.status_code == 200
    text = page.content.decode()
    assert invitation.company.name in text
    assert invitation.organisation.name.replace("&", "&amp;") in text  # who asks, branded
    assert invitation.schedule.programme.name in text
    assert "How many jobs have you created" in text
    assert 'hx-post="' in text and 'hx-trigger="change"' in text
    assert "<script>" not in text and " onclick" not in text
    assert page["Cache-Control"].startswith("max-age=0")
    client.get(_url(invitation))
    assert _state(invitation) == before


def test_a_partial_save_keeps_the_answers_for_later(client, invitation):
    response = client.post(_url(invitation), {"jobs_created": "2", "new_deals": "yes", "save": "1"})
    assert response.status_code == 302
    with scopes_disabled():
        draft = SurveyResponse.objects.get()
        assert draft.submitted_at is None and draft.jobs_created == 2
        assert SurveyInvitation.objects.get(pk=invitation.pk).status == Status.SENT
    page = client.get(_url(invitation)).content.decode()
    assert "Your answers are saved" in page
    assert 'value="2"' in page and "Draft saved" in page


def test_htmx_saves_as_the_respondent_goes(client, invitation):
    headers = {"HTTP_HX_REQUEST": "true"}
    ok = client.post(_url(invitation), {"jobs_created": "5", "autosave": "1"}, **headers)
    assert ok.status_code == 200 and "Draft saved" in ok.content.decode()
    bad = client.post(_url(invitation), {"jobs_created": "five", "autosave": "1"}, **headers)
    text = bad.content.decode()
    assert bad.status_code == 200  # htmx swaps only 2xx; the fragment carries the errors
    assert "Not saved" in text and 'id="err-jobs_created" hx-swap-oob="true"' in text
    assert "Enter a whole number." in text
    with scopes_disabled():
        assert SurveyResponse.objects.get().jobs_created == 5  # the bad value changed nothing


def test_validation_messages_sit_by_their_fields_and_keep_what_was_typed(client, invitation):
    response = client.post(
        _url(invitation), {**ANSWERS, "jobs_created": "-3", "deals_value": "abc", "submit": "1"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter 0 or more." in text and "Enter an amount in pounds" in text
    assert 'aria-invalid="true"' in text
    assert 'value="Germany; Japan"' in text
    missing = client.post(_url(invitation), {"submit": "1"}).content.decode()
    assert missing.count("Answer this question before you submit.") == 5
    with scopes_disabled():
        assert not SurveyResponse.objects.exists()


def test_a_submission_is_accepted_once(client, invitation):
    with tenant_scope(invitation.organisation):
        CustomQuestion.objects.create(
            organisation=invitation.organisation,
            programme=invitation.schedule.programme,
            key="hires_abroad",
            label="Have you hired abroad?",
            kind=CustomQuestion.Kind.YES_NO,
        )
    response = client.post(_url(invitation), {**ANSWERS, "q_hires_abroad": "yes", "submit": "1"})
    assert response.status_code == 302
    page = client.get(_url(invitation))
    assert b"Thank you, we already have your answers" in page.content
    again = client.post(_url(invitation), {**ANSWERS, "jobs_created": "99", "submit": "1"})
    assert b"Thank you, we already have your answers" in again.content
    with scopes_disabled():
        stored = SurveyResponse.objects.get()
        invitation.refresh_from_db()
    assert stored.jobs_created == 4 and stored.deals_value == Decimal("40000")
    assert stored.custom_answers == {"hires_abroad": True}
    assert stored.source == SurveyResponse.Source.WEB and stored.is_submitted
    assert invitation.status == Status.ANSWERED


def test_an_expired_link_gets_a_clear_page(client, invitation):
    with scopes_disabled():
        SurveyInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    page = client.get(_url(invitation))
    assert page.status_code == 410 and b"This survey has closed" in page.content
    posted = client.post(_url(invitation), {**ANSWERS, "submit": "1"})
    assert posted.status_code == 410
    with scopes_disabled():
        SurveyInvitation.objects.filter(pk=invitation.pk).update(status=Status.EXPIRED)
        assert not SurveyResponse.objects.exists()
    assert client.get(_url(invitation)).status_code == 410


def test_an_unknown_link_is_not_found(client, invitation):
    page = client.get("/s/not-a-real-token-at-all/")
    assert page.status_code == 404 and b"This survey link is not valid" in page.content


def test_random_altered_and_truncated_tokens_are_404_never_500(client, invitation):
    rng = random.Random(6)
    token = invitation.token
    alphabet = string.ascii_letters + string.digits + "-_.~%!$&'()*+,;=:@ é\x00\u202e"
    candidates = []
    for _ in range(75):
        position = rng.randrange(len(token))
        candidates.append(token[:position] + rng.choice("aZ9_-x") + token[position + 1 :])
        candidates.append(token[: rng.randrange(1, len(token))])
    for _ in range(60):
        candidates.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 90))))
    candidates = [c for c in candidates if c != token][:200]
    assert len(candidates) == 200
    for candidate in candidates:
        for method in (client.get, client.post):
            response = method(f"/s/{quote(candidate, safe='')}/")
            assert response.status_code == 404, (candidate, response.status_code)


# --- Starting figures from /my/ --------------------------------------------------------------


def test_a_company_gives_its_starting_figures(client):
    founder = CompanyMemberFactory(company__employees=7, company__export_markets="France, Italy")
    enrolment = EnrolmentFactory(company=founder.company)
    client.force_login(founder.user)
    url = reverse("my-impact:baseline", kwargs={"pk": enrolment.pk})
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and 'value="7"' in text and "France; Italy" in text
    assert client.post(url, {"employees": "-2"}).status_code == 400
    response = client.post(url, {"employees": "8", "turnover": "500000", "export_sales": "900000"})
    assert response.status_code == 400 and b"cannot be larger" in response.content
    response = client.post(
        url,
        {"employees": "8", "turnover": "500,000", "export_sales": "50000", "exporting_markets": ""},
    )
    assert response.status_code == 302
    with scopes_disabled():
        baseline = Baseline.objects.get()
    assert baseline.employees == 8 and baseline.turnover == Decimal("500000")
    assert baseline.source == Baseline.Source.COMPANY and baseline.company == founder.company
    assert 'value="8"' in client.get(url).content.decode()


def test_another_companys_enrolment_is_not_found(client):
    theirs = EnrolmentFactory(cohort__programme__organisation=OrganisationFactory())
    mine = CompanyMemberFactory()
    client.force_login(mine.user)
    url = reverse("my-impact:baseline", kwargs={"pk": theirs.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"employees": "1"}).status_code == 404
    with scopes_disabled():
        assert not Baseline.objects.exists()


def test_the_baseline_page_needs_sign_in(client):
    enrolment = EnrolmentFactory()
    response = client.get(reverse("my-impact:baseline", kwargs={"pk": enrolment.pk}))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
