"""Survey links misused: expired and used links are refused; link scanners that open
(GET/HEAD) a link consume nothing.

Ten thousand wrong tokens and fifty submissions of one link at once are in
test_survey_links_postgres.py (the PostgreSQL leg, where a NUL byte is an error, not a miss)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from impact.models import SurveyInvitation, SurveyResponse
from portal.models import OutgoingEmail
from portal.tenancy import scopes_disabled
from tests.factories import SurveyInvitationFactory
from tests.impact.test_answer_page import ANSWERS

pytestmark = pytest.mark.django_db

Status = SurveyInvitation.Status


def _state(invitation):
    with scopes_disabled():
        row = SurveyInvitation.objects.get(pk=invitation.pk)
        return (
            row.status,
            row.sent_at,
            row.expires_at,
            row.answered_at,
            row.reminders_sent,
            SurveyResponse.objects.count(),
            OutgoingEmail.objects.count(),
        )


def test_link_scanners_opening_a_link_consume_nothing(client):
    invitation = SurveyInvitationFactory(sent=True)
    url = invitation.get_answer_url()
    before = _state(invitation)
    for agent in ("Mozilla/5.0 SafeLinks", "Barracuda", "Mimecast", "Mozilla/5.0"):
        assert client.get(url, HTTP_USER_AGENT=agent).status_code == 200
        assert client.head(url, HTTP_USER_AGENT=agent).status_code == 200
    assert _state(invitation) == before
    # The real respondent after the scanners still answers.
    assert client.post(url, {**ANSWERS, "submit": "1"}).status_code == 302
    with scopes_disabled():
        assert SurveyResponse.objects.get(invitation=invitation).is_submitted


def test_an_expired_link_refuses_answers_and_drafts(client):
    invitation = SurveyInvitationFactory(sent=True)
    with scopes_disabled():
        SurveyInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    url = invitation.get_answer_url()
    for data in ({**ANSWERS, "submit": "1"}, {"jobs_created": "3", "save": "1"}):
        response = client.post(url, data)
        assert response.status_code == 410 and b"This survey has closed" in response.content
    autosave = client.post(url, {"jobs_created": "3", "autosave": "1"}, HTTP_HX_REQUEST="true")
    assert autosave.status_code == 410
    with scopes_disabled():
        assert not SurveyResponse.objects.exists()
        assert SurveyInvitation.objects.get(pk=invitation.pk).answered_at is None


def test_a_used_link_refuses_a_second_set_of_answers(client):
    invitation = SurveyInvitationFactory(sent=True)
    url = invitation.get_answer_url()
    assert client.post(url, {**ANSWERS, "submit": "1"}).status_code == 302
    first = _state(invitation)
    other = Client()  # someone else the mail was forwarded to
    for data in (
        {**ANSWERS, "jobs_created": "99", "submit": "1"},
        {"jobs_created": "99", "save": "1"},
        {"jobs_created": "99", "autosave": "1"},
    ):
        response = other.post(url, data)
        assert response.status_code < 500
        assert b"Thank you, we already have your answers" in response.content
    assert _state(invitation) == first
    with scopes_disabled():
        assert SurveyResponse.objects.get().jobs_created == 4
