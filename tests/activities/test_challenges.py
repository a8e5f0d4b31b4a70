"""Innovation challenges: one proposal per company before the deadline, shortlisting and
results e-mailed to the company, the SME's list across organisations, and permissions."""

from datetime import UTC, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities import challenges
from activities.models import ChallengeProposal, InnovationChallenge
from portal.models import OutgoingEmail
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.factories import (
    ChallengeProposalFactory,
    CompanyFactory,
    CompanyMemberFactory,
    InnovationChallengeFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenge(organisation):
    return InnovationChallengeFactory(organisation=organisation, title="Quiet trams")


@pytest.fixture
def manager_client(client, organisation, make_member):
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    return client


def url(name, organisation, **kwargs):
    return reverse(f"activities:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def test_one_proposal_per_company(challenge):
    company = CompanyFactory(name="Hush Ltd")
    with scopes_disabled():
        challenges.proposal_submit(challenge=challenge, company=company, summary="Rubber wheels")
        with pytest.raises(ValidationError, match="Hush Ltd has already answered"):
            challenges.proposal_submit(challenge=challenge, company=company, summary="Again")
        assert ChallengeProposal.objects.filter(company=company).count() == 1


def test_no_proposal_after_the_deadline_or_before_publishing(challenge, organisation):
    company = CompanyFactory()
    late = time_machine.travel(challenge.deadline + timedelta(seconds=1))
    with late, scopes_disabled(), pytest.raises(ValidationError, match="deadline .* has passed"):
        challenges.proposal_submit(challenge=challenge, company=company, summary="Late")
    draft = InnovationChallengeFactory(organisation=organisation, published=False)
    with scopes_disabled(), pytest.raises(ValidationError, match="not open"):
        challenges.proposal_submit(challenge=draft, company=company, summary="Early")


def test_sme_sees_open_challenges_of_every_organisation(client, challenge):
    elsewhere = InnovationChallengeFactory(
        organisation=OrganisationFactory(name="Far Hub"), title="Greener ports"
    )
    InnovationChallengeFactory(
        organisation=challenge.organisation, title="Hidden draft", published=False
    )
    InnovationChallengeFactory(
        organisation=challenge.organisation,
        title="Long closed",
        deadline=timezone.now() - timedelta(days=1),
    )
    client.force_login(CompanyMemberFactory().user)
    text = client.get(reverse("my-activities:challenge-list")).content.decode()
    assert "Quiet trams" in text and "Greener ports" in text
    assert "Hidden draft" not in text and "Long closed" not in text
    hidden = InnovationChallenge.objects.with_scopes_disabled().get(title="Hidden draft")
    assert (
        client.get(reverse("my-activities:challenge-detail", kwargs={"pk": hidden.pk})).status_code
        == 404
    )
    assert (
        client.get(
            reverse("my-activities:challenge-detail", kwargs={"pk": elsewhere.pk})
        ).status_code
        == 200
    )


def test_sme_submits_once_from_the_page(client, challenge):
    member = CompanyMemberFactory(company__name="Hush Ltd")
    client.force_login(member.user)
    page_url = reverse("my-activities:challenge-detail", kwargs={"pk": challenge.pk})
    assert "Send a proposal" in client.get(page_url).content.decode()
    response = client.post(page_url, {"company": member.company_id, "summary": "Rubber wheels"})
    assert response.status_code == 302
    page = client.get(page_url).content.decode()
    assert "Rubber wheels" in page and "Send a proposal" not in page
    again = client.post(page_url, {"company": member.company_id, "summary": "Twice"})
    assert again.status_code == 302
    with scopes_disabled():
        assert ChallengeProposal.objects.filter(challenge=challenge).count() == 1


def test_sme_cannot_answer_for_a_company_they_do_not_act_for(client, challenge):
    member = CompanyMemberFactory()
    other = CompanyFactory()
    client.force_login(member.user)
    page_url = reverse("my-activities:challenge-detail", kwargs={"pk": challenge.pk})
    response = client.post(page_url, {"company": other.pk, "summary": "Not mine"})
    assert response.status_code == 400
    with scopes_disabled():
        assert not ChallengeProposal.objects.exists()


def test_shortlist_then_result_emails_the_company(manager_client, organisation, challenge):
    member = CompanyMemberFactory(company__name="Hush Ltd")
    with scopes_disabled():
        proposal = ChallengeProposalFactory(challenge=challenge, company=member.company)
    decide = url(
        "challenge-proposal-decide", organisation, pk=challenge.pk, proposal_pk=proposal.pk
    )
    manager_client.post(decide, {"status": "shortlisted"})
    proposal.refresh_from_db()
    assert proposal.status == "shortlisted"
    assert not OutgoingEmail.objects.filter(to=member.user.email).exists()
    # A result is final and e-mailed: it asks first, changing nothing until confirmed.
    result = url(
        "challenge-proposal-result", organisation, pk=challenge.pk, proposal_pk=proposal.pk
    )
    posted = manager_client.post(decide, {"status": "won", "note": "Pilot starts in May."})
    assert posted.status_code == 302 and posted.url.startswith(result)
    question = manager_client.get(posted.url)
    assert "Record “won” for Hush Ltd?" in question.content.decode()
    assert "Pilot starts in May." in question.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "shortlisted"
    assert not OutgoingEmail.objects.filter(to=member.user.email).exists()

    manager_client.post(result, {"status": "won", "note": "Pilot starts in May."})
    proposal.refresh_from_db()
    assert proposal.status == "won" and proposal.decided_at is not None
    (email,) = OutgoingEmail.objects.filter(to=member.user.email)
    assert "has been selected" in email.subject
    assert "Pilot starts in May." in email.body
    # a result is final
    response = manager_client.get(result, {"status": "not_selected"}, follow=True)
    assert "already recorded" in response.content.decode()
    response = manager_client.post(result, {"status": "not_selected"})
    assert response.status_code == 400 and "already recorded" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "won"


def test_not_selected_result_is_emailed_with_the_note(organisation, challenge):
    member = CompanyMemberFactory()
    with scopes_disabled():
        proposal = ChallengeProposalFactory(challenge=challenge, company=member.company)
        challenges.proposal_decide(proposal=proposal, status="not_selected", note="Too early.")
    (email,) = OutgoingEmail.objects.filter(to=member.user.email)
    assert "The result of" in email.subject and "Too early." in email.body


def test_manager_creates_a_challenge_in_the_organisation_zone(manager_client, organisation):
    organisation.time_zone = "Europe/London"
    organisation.save()
    response = manager_client.post(
        url("challenge-create", organisation),
        {
            "title": "Smarter bins",
            "sponsor": "City Council",
            "problem": "Bins overflow.",
            "offer": "£20,000 contract",
            "deadline": "2030-07-01T17:00",
            "published": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        saved = InnovationChallenge.objects.get(title="Smarter bins")
    # 17:00 in London in July is 16:00 UTC
    assert saved.deadline.astimezone(UTC).hour == 16
    detail = manager_client.get(url("challenge-detail", organisation, pk=saved.pk))
    assert "Smarter bins" in detail.content.decode()


@pytest.mark.parametrize(
    ("role", "view_status", "manage_status"),
    [
        (Role.PROGRAMME_MANAGER, 200, 200),
        (Role.GROWTH_ADVISER, 200, 403),
        (Role.MENTOR, 403, 403),
        (Role.FUNDER, 403, 403),
        (Role.REVIEWER, 403, 403),
    ],
)
def test_roles(client, organisation, make_member, challenge, role, view_status, manage_status):
    client.force_login(make_member(organisation, role).user)
    assert client.get(url("challenge-list", organisation)).status_code == view_status
    assert (
        client.get(url("challenge-detail", organisation, pk=challenge.pk)).status_code
        == view_status
    )
    assert client.get(url("challenge-create", organisation)).status_code == manage_status
    assert (
        client.get(url("challenge-edit", organisation, pk=challenge.pk)).status_code
        == manage_status
    )


def test_another_organisations_challenge_is_404(manager_client, organisation, other_organisation):
    foreign = InnovationChallengeFactory(organisation=other_organisation)
    with scopes_disabled():
        proposal = ChallengeProposalFactory(challenge=foreign)
    assert (
        manager_client.get(url("challenge-detail", organisation, pk=foreign.pk)).status_code == 404
    )
    decide = url("challenge-proposal-decide", organisation, pk=foreign.pk, proposal_pk=proposal.pk)
    assert manager_client.post(decide, {"status": "won"}).status_code == 404
