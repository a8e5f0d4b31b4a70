"""The SME's own pages under /my/: the journey from an empty dashboard to a submitted
application, company profile and colleagues, applying, withdrawing, and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from cohorts.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Company,
    CompanyInvitation,
    CompanyMember,
    QuestionKind,
)
from portal.taxonomy import Region, Sector, TurnoverBand
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    OrganisationFactory,
    QuestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Kiln Robotics Ltd",
    "registration_number": "09876543",
    "sector": Sector.TECH,
    "region": Region.LONDON,
    "year_founded": 2019,
    "employees": 14,
    "turnover_band": TurnoverBand.TO_1M,
    "website": "kiln.example",
    "exports": "on",
    "export_markets": "Germany",
    "help_wanted": "Finding distributors abroad.",
}


def _reload(application):
    with scopes_disabled():
        return Application.objects.get(pk=application.pk)


# --- The journey --------------------------------------------------------------------------


def test_sme_journey_from_empty_dashboard_to_submitted_application(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    cohort = CohortFactory(programme__name="Go Global")
    markets = QuestionFactory(cohort=cohort, kind=QuestionKind.LONG_TEXT, label="Target markets")
    team = QuestionFactory(
        cohort=cohort, kind=QuestionKind.NUMBER, label="People in the export team"
    )

    # An empty dashboard says what to do next.
    body = client.get(reverse("my:dashboard")).content.decode()
    assert "Create your company profile" in body
    assert reverse("calls:directory") in body

    # Applying without a company sends the user to create one, then back.
    apply_url = reverse("my:apply", args=[cohort.pk])
    response = client.get(apply_url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('my:company-create')}?next={apply_url}"
    response = client.post(reverse("my:company-create"), {**PROFILE, "next": apply_url})
    assert response.status_code == 302 and response["Location"] == apply_url
    company = Company.objects.get(name="Kiln Robotics Ltd")
    assert CompanyMember.objects.filter(company=company, user=user, role="owner").exists()

    # Choose the company (eligible) and start.
    body = client.get(apply_url).content.decode()
    assert "Kiln Robotics Ltd" in body and "Eligible" in body
    response = client.post(apply_url, {"company": company.pk})
    assert response.status_code == 302
    with scopes_disabled():
        application = Application.objects.get(company=company, cohort=cohort)
    app_url = reverse("my:application", args=[application.pk])
    assert response["Location"] == app_url

    # Save a draft with some answers; come back and see them.
    response = client.post(app_url, {"action": "save", f"q_{team.pk}": "3"})
    assert response.status_code == 302
    body = client.get(app_url).content.decode()
    assert 'value="3"' in body

    # Submit with a required answer missing: error next to it, nothing lost.
    response = client.post(app_url, {"action": "submit", f"q_{team.pk}": "4"})
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="q_{markets.pk}-errors"' in body
    assert 'value="4"' in body
    assert _reload(application).status == ApplicationStatus.DRAFT

    # Submit complete: submitted, confirmation e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            app_url,
            {"action": "submit", f"q_{team.pk}": "4", f"q_{markets.pk}": "Germany"},
        )
    assert response.status_code == 302
    submitted = _reload(application)
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.answers == {str(team.pk): "4", str(markets.pk): "Germany"}
    assert len(mailoutbox) == 1
    assert "Go Global" in mailoutbox[0].subject
    assert mailoutbox[0].to == [user.email]

    # The dashboard shows the application with its status.
    body = client.get(reverse("my:dashboard")).content.decode()
    assert "Go Global" in body and "Submitted" in body and app_url in body

    # A later edit of the profile does not change the submitted application.
    response = client.post(
        reverse("my:company", args=[company.pk]),
        {**PROFILE, "name": "Kiln Robotics Group", "employees": 40},
    )
    assert response.status_code == 302
    after = _reload(application)
    assert after.company_snapshot["name"] == "Kiln Robotics Ltd"
    assert after.company_snapshot["employees"] == 14
    body = client.get(app_url).content.decode()
    assert "Kiln Robotics Ltd" in body
    assert "Company profile as submitted" in body


# --- Dashboard ----------------------------------------------------------------------------


def test_dashboard_lists_applications_and_enrolments_across_organisations(client):
    member = CompanyMemberFactory()
    hub_a = OrganisationFactory(name="Alpha Hub")
    hub_b = OrganisationFactory(name="Beta Agency")
    ApplicationFactory(
        company=member.company, cohort__programme__organisation=hub_a, submitted=True
    )
    ApplicationFactory(company=member.company, cohort__programme__organisation=hub_b)
    EnrolmentFactory(company=member.company, cohort__programme__organisation=hub_b)
    ApplicationFactory(cohort__programme__organisation=hub_a)  # another company's
    client.force_login(member.user)
    response = client.get(reverse("my:dashboard"))
    body = response.content.decode()
    assert "Alpha Hub" in body and "Beta Agency" in body
    assert "Submitted" in body and "Draft" in body
    assert "Programmes you take part in" in body
    assert response.context["page"].paginator.count == 2

    response = client.get(reverse("my:dashboard"), {"status": "submitted"})
    assert response.context["page"].paginator.count == 1


def test_dashboard_shows_invitations_to_the_users_address(client):
    member = CompanyMemberFactory(company__name="Harbour Foods")
    invitee = UserFactory(email="sam@newco.example")
    CompanyInvitation.objects.create(
        company=member.company, email="sam@newco.example", invited_by=member.user
    )
    client.force_login(invitee)
    body = client.get(reverse("my:dashboard")).content.decode()
    assert "Harbour Foods" in body and "See the invitation" in body


def test_dashboard_query_count_does_not_grow_with_applications(client):
    member = CompanyMemberFactory()
    client.force_login(member.user)

    def grow(n):
        for _ in range(n):
            org = OrganisationFactory()
            ApplicationFactory(
                company=member.company, cohort__programme__organisation=org, submitted=True
            )
            EnrolmentFactory(company=member.company, cohort__programme__organisation=org)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("my:dashboard")).status_code == 200
        return len(ctx.captured_queries)

    grow(10)
    small = count()
    grow(30)
    assert count() == small


# --- Company profile ----------------------------------------------------------------------


def test_profile_page_says_submitted_applications_keep_their_snapshot(client):
    member = CompanyMemberFactory()
    ApplicationFactory(company=member.company, submitted=True)
    client.force_login(member.user)
    body = client.get(reverse("my:company", args=[member.company.pk])).content.decode()
    assert "Submitted applications do not change" in body
    assert "1 submitted application" in body


def test_profile_form_keeps_input_on_error(client):
    member = CompanyMemberFactory()
    client.force_login(member.user)
    response = client.post(
        reverse("my:company", args=[member.company.pk]),
        {**PROFILE, "name": "Renamed Ltd", "employees": "many"},
    )
    assert response.status_code == 400
    assert 'value="Renamed Ltd"' in response.content.decode()
    member.company.refresh_from_db()
    assert member.company.name != "Renamed Ltd"


def test_profile_edit_returns_to_a_safe_next_only(client):
    member = CompanyMemberFactory()
    client.force_login(member.user)
    url = reverse("my:company", args=[member.company.pk])
    response = client.post(f"{url}?next=/my/", PROFILE)
    assert response["Location"] == "/my/"
    response = client.post(f"{url}?next=https://evil.example/", PROFILE)
    assert response["Location"] == url


# --- Colleagues ---------------------------------------------------------------------------


def test_invite_and_accept_a_colleague(client, mailoutbox, django_capture_on_commit_callbacks):
    owner = CompanyMemberFactory(company__name="Harbour Foods")
    client.force_login(owner.user)
    url = reverse("my:colleagues", args=[owner.company.pk])
    body = client.get(url).content.decode()
    assert owner.user.email in body

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "Sam@NewCo.example"})
    assert response.status_code == 302
    invitation = CompanyInvitation.objects.get(company=owner.company)
    assert invitation.email == "sam@newco.example"
    assert len(mailoutbox) == 1
    assert "Harbour Foods" in mailoutbox[0].subject
    assert invitation.get_accept_url() in mailoutbox[0].body
    assert "sam@newco.example" in client.get(url).content.decode()

    # Inviting someone who already acts for the company is refused next to the field.
    response = client.post(url, {"email": owner.user.email})
    assert response.status_code == 400
    assert "already acts for" in response.content.decode()

    # Another address cannot accept it.
    stranger = UserFactory(email="someone.else@example.org")
    client.force_login(stranger)
    accept_url = reverse("my:colleague-accept", args=[invitation.token])
    assert client.get(accept_url).status_code == 200
    response = client.post(accept_url)
    assert response.status_code == 400
    assert "This invitation was sent to sam@newco.example" in response.content.decode()
    assert not CompanyMember.objects.filter(user=stranger).exists()

    # The invited address can.
    sam = UserFactory(email="sam@newco.example")
    client.force_login(sam)
    body = client.get(accept_url).content.decode()
    assert "Harbour Foods" in body and "Accept and continue" in body
    response = client.post(accept_url)
    assert response.status_code == 302
    assert CompanyMember.objects.filter(
        company=owner.company, user=sam, role=CompanyMember.Role.COLLEAGUE
    ).exists()
    # Now the colleague sees the company's applications.
    application = ApplicationFactory(company=owner.company)
    assert client.get(reverse("my:application", args=[application.pk])).status_code == 200


def test_unknown_invitation_token_is_404(client, user):
    client.force_login(user)
    assert client.get(reverse("my:colleague-accept", args=["no-such-token"])).status_code == 404


def test_colleagues_of_another_company_are_404(client, user):
    theirs = CompanyMemberFactory()
    client.force_login(user)
    url = reverse("my:colleagues", args=[theirs.company.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "x@example.org"}).status_code == 404
    assert not CompanyInvitation.objects.exists()


# --- Applying -----------------------------------------------------------------------------


def test_apply_shows_eligibility_and_existing_applications(client):
    user = UserFactory()
    eligible = CompanyMemberFactory(user=user, company__name="Eligible Ltd").company
    too_big = CompanyMemberFactory(
        user=user, company__name="Too Big Ltd", company__employees=900
    ).company
    cohort = CohortFactory(programme__max_employees=250)
    existing = ApplicationFactory(cohort=cohort, company=eligible)
    client.force_login(user)
    body = client.get(reverse("my:apply", args=[cohort.pk])).content.decode()
    assert "at most 250 employees" in body
    assert reverse("my:application", args=[existing.pk]) in body
    assert "Continue the draft" in body
    assert f'value="{too_big.pk}"' in body

    # Starting again for the company that already applied returns the same application.
    response = client.post(reverse("my:apply", args=[cohort.pk]), {"company": eligible.pk})
    assert response["Location"] == reverse("my:application", args=[existing.pk])
    with scopes_disabled():
        assert Application.objects.filter(cohort=cohort).count() == 1


def test_apply_refuses_another_users_company(client, user):
    CompanyMemberFactory(user=user)
    theirs = CompanyMemberFactory().company
    cohort = CohortFactory()
    client.force_login(user)
    response = client.post(reverse("my:apply", args=[cohort.pk]), {"company": theirs.pk})
    assert response.status_code == 400
    with scopes_disabled():
        assert not Application.objects.exists()


def test_closed_and_draft_cohorts(client, user):
    CompanyMemberFactory(user=user)
    client.force_login(user)
    closed = CohortFactory(closed=True)
    response = client.get(reverse("my:apply", args=[closed.pk]))
    assert response.status_code == 200
    assert "Applications are closed" in response.content.decode()
    company = user.companies.get()
    response = client.post(reverse("my:apply", args=[closed.pk]), {"company": company.pk})
    assert response.status_code == 400
    assert "Applications are closed" in response.content.decode()
    selecting = CohortFactory(selecting=True)
    assert (
        "Applications are closed"
        in client.get(reverse("my:apply", args=[selecting.pk])).content.decode()
    )
    draft = CohortFactory(draft=True)
    assert client.get(reverse("my:apply", args=[draft.pk])).status_code == 404
    with scopes_disabled():
        assert not Application.objects.exists()


# --- Withdrawing --------------------------------------------------------------------------


def test_withdraw_asks_first_then_withdraws(client):
    member = CompanyMemberFactory()
    application = ApplicationFactory(company=member.company, submitted=True)
    client.force_login(member.user)
    url = reverse("my:application-withdraw", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Withdraw this application?" in response.content.decode()
    assert _reload(application).status == ApplicationStatus.SUBMITTED

    response = client.post(url, {"reason": "We found another programme."}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("my:application", args=[application.pk])
    assert "You withdrew" in response.content.decode()
    assert _reload(application).status == ApplicationStatus.WITHDRAWN
    with scopes_disabled():
        change = ApplicationStatusChange.objects.get(application=application)
    assert change.reason == "We found another programme."
    assert change.changed_by == member.user
    assert "Withdraw application" not in response.content.decode()


def test_a_draft_is_not_withdrawn(client):
    member = CompanyMemberFactory()
    application = ApplicationFactory(company=member.company)
    client.force_login(member.user)
    response = client.post(reverse("my:application-withdraw", args=[application.pk]))
    assert response.status_code == 302
    assert _reload(application).status == ApplicationStatus.DRAFT


def test_status_history_shows_when_and_what_not_who(client):
    member = CompanyMemberFactory()
    manager = UserFactory(first_name="Zebedee", last_name="Quartermaine")
    application = ApplicationFactory(company=member.company, accepted=True)
    with scopes_disabled():
        ApplicationStatusChange.objects.create(
            organisation=application.organisation,
            application=application,
            from_status=ApplicationStatus.SUBMITTED,
            to_status=ApplicationStatus.ACCEPTED,
            changed_by=manager,
            reason="Internal note: strong export plan",
        )
    client.force_login(member.user)
    body = client.get(reverse("my:application", args=[application.pk])).content.decode()
    assert "Accepted" in body
    assert "Congratulations" in body
    assert "Zebedee" not in body and "Quartermaine" not in body
    assert "Internal note" not in body
