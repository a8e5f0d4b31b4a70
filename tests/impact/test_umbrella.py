"""The umbrella report across partner organisations, and the partner's agreement to share
its aggregate impact figures with it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from impact import sharing
from impact.models import ImpactSharing
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    EnrolmentFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SurveyResponseFactory,
)

pytestmark = pytest.mark.django_db
ANSWERED = {"new_markets": False, "further_funding": False, "new_offices": False}


def _take_part(programme, company, *, jobs, deals, months=6):
    """Enrol the company in a cohort of the programme and record its answer."""
    cohort = CohortFactory(programme=programme, completed=True)
    EnrolmentFactory(cohort=cohort, company=company)
    SurveyResponseFactory(
        cohort=cohort,
        company=company,
        round_months=months,
        jobs_created=jobs,
        new_deals=deals,
        **ANSWERED,
    )


@pytest.fixture
def network(organisation, other_organisation):
    """The umbrella (organisation) and its partner (other_organisation), each with a
    programme. "Acme" takes part in both, recorded as two company rows with the same
    registration number; "Beta" only with the umbrella, "Gamma" only with the partner.
    A third organisation, a partner too, has not agreed to share."""
    umbrella, partner = organisation, other_organisation
    silent = OrganisationFactory(name="Silent Partner", slug="silent-partner")
    umbrella.partners.add(partner, silent)
    own = ProgrammeFactory(organisation=umbrella, name="Umbrella Export Programme")
    theirs = ProgrammeFactory(organisation=partner, name="Partner Growth Scheme")
    quiet = ProgrammeFactory(organisation=silent, name="Silent Accelerator")
    acme_here = CompanyFactory(name="Acme Umbrella Ltd", registration_number="01234567")
    acme_there = CompanyFactory(name="Acme Partner Ltd", registration_number="01234567")
    _take_part(own, acme_here, jobs=2, deals=False, months=6)
    _take_part(theirs, acme_there, jobs=5, deals=True, months=12)  # its later answer
    _take_part(own, CompanyFactory(name="Beta Ltd"), jobs=0, deals=False)
    _take_part(theirs, CompanyFactory(name="Gamma Zeta Ltd"), jobs=1, deals=True)
    _take_part(quiet, CompanyFactory(name="Quiet Ltd"), jobs=9, deals=True)
    return umbrella, partner, silent, (own, theirs, quiet)


def _agree(partner, umbrella, make_member):
    admin = make_member(partner, Role.ADMIN).user
    with tenant_scope(partner):
        return sharing.sharing_agree(organisation=partner, shared_with=umbrella, user=admin)


def _report(umbrella):
    with tenant_scope(umbrella):
        return sharing.umbrella_report(umbrella)


def test_a_company_in_two_organisations_programmes_counts_once(network, make_member):
    umbrella, partner, silent, (own, theirs, quiet) = network
    _agree(partner, umbrella, make_member)
    report = _report(umbrella)
    assert [(org, [p.pk for p in ps]) for org, ps in report.organisations] == [
        (umbrella, [own.pk]),
        (partner, [theirs.pk]),
    ]
    metrics = report.metrics
    # Acme, Beta, Gamma: Acme's two records are one company (same registration number).
    assert (metrics.companies, metrics.respondents) == (3, 3)
    # Acme is counted by its latest answer (12 months, with the partner): 5 jobs and a deal.
    assert metrics.totals["jobs_created"] == 5 + 0 + 1
    deals = metrics.share("new_deals")
    assert (deals.count, deals.denominator) == (2, 3)


def test_a_partner_that_has_not_agreed_or_withdrew_is_left_out(network, make_member):
    umbrella, partner, silent, (own, theirs, quiet) = network
    assert [org for org, _ in _report(umbrella).organisations] == [umbrella]
    assert _report(umbrella).metrics.companies == 2  # Acme and Beta, the umbrella's own
    agreement = _agree(partner, umbrella, make_member)
    assert _report(umbrella).metrics.companies == 3
    with tenant_scope(partner):
        sharing.sharing_withdraw(sharing=agreement, user=agreement.agreed_by)
    report = _report(umbrella)
    assert [org for org, _ in report.organisations] == [umbrella]
    assert report.metrics.companies == 2
    # Agreeing again renews the same record.
    _agree(partner, umbrella, make_member)
    assert _report(umbrella).metrics.companies == 3
    with scopes_disabled():
        assert ImpactSharing.objects.count() == 1


def test_sharing_ends_with_the_partnership(network, make_member):
    umbrella, partner, silent, programmes = network
    _agree(partner, umbrella, make_member)
    umbrella.partners.remove(partner)
    assert [org for org, _ in _report(umbrella).organisations] == [umbrella]


def test_an_agreement_shares_with_that_partner_only(network, make_member):
    """The partner's figures go to the umbrella it agreed with, not to the partner's own
    other partners."""
    umbrella, partner, silent, programmes = network
    third = OrganisationFactory(name="Third Hub", slug="third-hub")
    partner.partners.add(third)
    _agree(partner, umbrella, make_member)
    assert [org for org, _ in _report(third).organisations] == [third]


def test_a_non_partner_organisation_cannot_be_chosen(client, network, make_member):
    umbrella, partner, silent, programmes = network
    stranger = OrganisationFactory(name="Stranger Agency", slug="stranger")
    admin = make_member(partner, Role.ADMIN).user
    with tenant_scope(partner), pytest.raises(ValidationError) as exc:
        sharing.sharing_agree(organisation=partner, shared_with=stranger, user=admin)
    assert "shared_with" in exc.value.message_dict
    client.force_login(admin)
    url = reverse("impact:sharing", kwargs={"org_slug": partner.slug})
    for chosen in (stranger, partner):
        response = client.post(url, {"shared_with": chosen.pk})
        assert response.status_code == 400
    with scopes_disabled():
        assert not ImpactSharing.objects.exists()
    assert [org for org, _ in _report(stranger).organisations] == [stranger]


def test_the_partners_admin_shares_and_withdraws_on_its_impact_pages(client, network, make_member):
    umbrella, partner, silent, programmes = network
    admin = make_member(partner, Role.ADMIN, first_name="Priya", last_name="Shah").user
    client.force_login(admin)
    url = reverse("impact:sharing", kwargs={"org_slug": partner.slug})
    page = client.get(url).content.decode()
    assert escape(f"Share our aggregate impact figures with {umbrella.name}") in page
    response = client.post(url, {"shared_with": umbrella.pk})
    assert response.status_code == 302
    with scopes_disabled():
        agreement = ImpactSharing.objects.get()
    assert (agreement.organisation, agreement.shared_with, agreement.agreed_by) == (
        partner,
        umbrella,
        admin,
    )
    assert "agreed by Priya Shah" in client.get(url).content.decode()
    withdraw = reverse(
        "impact:sharing-withdraw", kwargs={"org_slug": partner.slug, "pk": agreement.pk}
    )
    assert client.get(withdraw).status_code == 200
    assert client.post(withdraw).status_code == 302
    agreement.refresh_from_db()
    assert agreement.withdrawn_at is not None and agreement.withdrawn_by == admin
    # Nothing left to withdraw.
    assert client.post(withdraw).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.PROGRAMME_MANAGER, Role.FUNDER, Role.GROWTH_ADVISER, Role.MENTOR]
)
def test_only_admins_manage_the_sharing(client, network, make_member, role):
    umbrella, partner, silent, programmes = network
    client.force_login(make_member(partner, role).user)
    url = reverse("impact:sharing", kwargs={"org_slug": partner.slug})
    assert client.get(url).status_code == 403
    assert client.post(url, {"shared_with": umbrella.pk}).status_code == 403
    with scopes_disabled():
        assert not ImpactSharing.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.PROGRAMME_MANAGER, 200),
        (Role.FUNDER, 403),
        (Role.GROWTH_ADVISER, 403),
        (Role.REVIEWER, 403),
        (Role.MENTOR, 403),
    ],
)
def test_the_umbrella_page_is_for_managers(client, network, make_member, role, status):
    umbrella, partner, silent, programmes = network
    client.force_login(make_member(umbrella, role).user)
    url = reverse("impact:umbrella", kwargs={"org_slug": umbrella.slug})
    assert client.get(url).status_code == status


def test_the_page_shows_partners_programmes_and_aggregates_only(client, network, make_member):
    umbrella, partner, silent, (own, theirs, quiet) = network
    _agree(partner, umbrella, make_member)
    client.force_login(make_member(umbrella, Role.PROGRAMME_MANAGER).user)
    overview = client.get(reverse("impact:overview", kwargs={"org_slug": umbrella.slug}))
    url = reverse("impact:umbrella", kwargs={"org_slug": umbrella.slug})
    assert url in overview.content.decode()
    response = client.get(url)
    page = response.content.decode()
    assert response.context["metrics"].companies == 3
    assert own.name in page and theirs.name in page
    assert partner.name in page
    # The partner that did not agree is absent; no company of the partner is named.
    assert quiet.name not in page
    for name in ("Acme Partner Ltd", "Gamma Zeta Ltd", "Quiet Ltd"):
        assert name not in page
    # The partner's programme is not linked: its pages belong to the partner's tenant.
    assert reverse("impact:programme", kwargs={"org_slug": umbrella.slug, "pk": theirs.pk}) not in (
        page
    )


def test_the_partners_pages_stay_closed_to_the_umbrella(client, network, make_member):
    """Sharing aggregates opens none of the partner's own pages to the umbrella's staff."""
    umbrella, partner, silent, (own, theirs, quiet) = network
    _agree(partner, umbrella, make_member)
    client.force_login(make_member(umbrella, Role.ADMIN).user)
    for url in (
        reverse("impact:programme", kwargs={"org_slug": partner.slug, "pk": theirs.pk}),
        reverse("impact:programme", kwargs={"org_slug": umbrella.slug, "pk": theirs.pk}),
        reverse("impact:umbrella", kwargs={"org_slug": partner.slug}),
    ):
        assert client.get(url).status_code == 404


def _queries(client, url):
    client.get(url)  # warm up: session, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_umbrella_page_runs_as_many_queries_with_more_partners_and_companies(
    client, network, make_member
):
    umbrella, partner, silent, programmes = network
    _agree(partner, umbrella, make_member)
    client.force_login(make_member(umbrella, Role.PROGRAMME_MANAGER).user)
    url = reverse("impact:umbrella", kwargs={"org_slug": umbrella.slug})
    small = _queries(client, url)
    for n in range(3):
        more = OrganisationFactory(name=f"More Partner {n}", slug=f"more-partner-{n}")
        umbrella.partners.add(more)
        _agree(more, umbrella, make_member)
        for _ in range(2):
            programme = ProgrammeFactory(organisation=more)
            for jobs in range(4):
                _take_part(programme, CompanyFactory(), jobs=jobs, deals=bool(jobs % 2))
    assert _queries(client, url) == small
