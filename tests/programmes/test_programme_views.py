"""Staff pages of programmes, funders, grants and outcome targets."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from portal.roles import Role
from programmes.models import Funder, Grant, OutcomeTarget, Programme
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    EnrolmentFactory,
    FunderFactory,
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, organisation, make_member):
    member = make_member(organisation, Role.PROGRAMME_MANAGER)
    client.force_login(member.user)
    return member


def url(name, org, **kwargs):
    return reverse(f"programmes:{name}", kwargs={"org_slug": org.slug, **kwargs})


def programme_data(**overrides):
    data = {
        "name": "International Business Programme",
        "slug": "",
        "summary": "Trade missions for scaleups.",
        "description": "Cohorts travel to San Diego and Helsinki.",
        "start_date": "2026-09-01",
        "end_date": "2029-08-31",
        "sectors": ["tech", "life_sciences"],
        "regions": ["london"],
        "support_kinds": ["trade_missions", "mentoring"],
        "min_employees": "5",
        "max_employees": "250",
        "min_turnover_band": "500k_1m",
        "max_turnover_band": "",
        "min_years_trading": "2",
        "max_years_trading": "",
    }
    data.update(overrides)
    return data


# --- Programmes -----------------------------------------------------------------------------


def test_manager_creates_a_programme_with_eligibility_rules(client, organisation, manager):
    partner = OrganisationFactory(name="Partner Agency")
    organisation.partners.add(partner)
    other = OrganisationFactory(name="Another Hub")
    response = client.get(url("programme-create", organisation))
    assert response.status_code == 200
    body = response.content.decode()
    # This organisation's partners are offered first.
    assert body.index("Partner Agency (partner)") < body.index("Another Hub")

    response = client.post(
        url("programme-create", organisation),
        programme_data(delivery_partners=[partner.pk, other.pk]),
    )
    assert response.status_code == 302
    with scopes_disabled():
        programme = Programme.objects.get(organisation=organisation)
    assert programme.slug == "international-business-programme"  # made from the name
    assert programme.sectors == ["tech", "life_sciences"]
    assert programme.regions == ["london"]
    assert programme.support_kinds == ["trade_missions", "mentoring"]
    assert (programme.min_employees, programme.max_employees) == (5, 250)
    assert programme.min_turnover_band == "500k_1m"
    assert programme.min_years_trading == 2
    assert set(programme.delivery_partners.all()) == {partner, other}
    assert response["Location"] == programme.get_absolute_url()

    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert "Employees: 5 to 250" in body
    assert "Based in: London" in body
    assert "Partner Agency" in body
    assert "Workshops, trade missions and peer groups" in body  # Activities, later issue


def test_cross_field_errors_show_next_to_their_fields_and_keep_input(client, organisation, manager):
    response = client.post(
        url("programme-create", organisation),
        programme_data(
            name="Kept Name",
            end_date="2026-01-01",
            min_employees="50",
            max_employees="10",
            min_turnover_band="5m_10m",
            max_turnover_band="lt100k",
            min_years_trading="9",
            max_years_trading="3",
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["end_date"] == ["The programme cannot end before it starts."]
    assert form.errors["max_employees"] == ["The maximum is below the minimum."]
    assert form.errors["max_turnover_band"] == ["The maximum band is below the minimum band."]
    assert form.errors["max_years_trading"] == ["The maximum is below the minimum."]
    body = response.content.decode()
    assert 'value="Kept Name"' in body
    assert 'value="50"' in body
    assert 'value="life_sciences"' in body and "checked" in body
    with scopes_disabled():
        assert not Programme.objects.exists()


def test_slug_must_be_unique_in_the_organisation_only(client, organisation, manager):
    ProgrammeFactory(organisation=organisation, slug="ibp")
    ProgrammeFactory(organisation=OrganisationFactory(), slug="ibp-elsewhere")
    response = client.post(url("programme-create", organisation), programme_data(slug="ibp"))
    assert response.status_code == 400
    assert "already uses the address “ibp”" in response.context["form"].errors["slug"][0]
    response = client.post(
        url("programme-create", organisation), programme_data(slug="ibp-elsewhere")
    )
    assert response.status_code == 302


def test_manager_edits_a_programme(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation, name="Old name", slug="old")
    response = client.get(url("programme-edit", organisation, pk=programme.pk))
    assert response.status_code == 200
    assert 'value="Old name"' in response.content.decode()
    response = client.post(
        url("programme-edit", organisation, pk=programme.pk),
        programme_data(name="New name", slug="old", sectors=[], regions=[]),
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.slug, programme.sectors) == ("New name", "old", [])


def test_programme_list_counts_searches_and_has_an_empty_state(client, organisation, manager):
    response = client.get(url("programme-list", organisation))
    assert "No programmes yet" in response.content.decode()

    programme = ProgrammeFactory(organisation=organisation, name="Scale Up Accelerator")
    ProgrammeFactory(organisation=organisation, name="Export Consortia Pilot")
    cohort = CohortFactory(programme=programme)
    ApplicationFactory.create_batch(3, cohort=cohort, submitted=True)
    ApplicationFactory(cohort=cohort)  # a draft does not count
    EnrolmentFactory(cohort=cohort)

    response = client.get(url("programme-list", organisation))
    rows = {p.name: p for p in response.context["page"]}
    assert rows["Scale Up Accelerator"].cohort_count == 1
    assert rows["Scale Up Accelerator"].application_count == 3
    assert rows["Scale Up Accelerator"].enrolled_count == 1

    response = client.get(url("programme-list", organisation), {"q": "export"})
    assert [p.name for p in response.context["page"]] == ["Export Consortia Pilot"]
    response = client.get(url("programme-list", organisation), {"q": "nothing-like-it"})
    assert "No programme's name contains" in response.content.decode()


def test_programme_detail_shows_cohorts_funders_targets_and_headlines(
    client, organisation, manager
):
    programme = ProgrammeFactory(organisation=organisation)
    cohort = CohortFactory(programme=programme, name="Spring 2027", selecting=True)
    GrantFactory(programme=programme, funder__name="City Hall Growth Fund", amount=1_800_000)
    with scopes_disabled():
        OutcomeTarget.objects.create(
            organisation=organisation,
            programme=programme,
            outcome="jobs_created",
            target_percent=40,
        )
    response = client.get(url("programme-detail", organisation, pk=programme.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "City Hall Growth Fund" in body
    assert "£1,800,000" in body
    assert "40%</strong> of companies: created jobs" in body
    assert "Spring 2027" in body and "Selecting" in body
    assert (
        reverse("cohorts:cohort-detail", kwargs={"org_slug": organisation.slug, "pk": cohort.pk})
        in body
    )
    assert (
        reverse(
            "cohorts:cohort-create",
            kwargs={"org_slug": organisation.slug, "programme_pk": programme.pk},
        )
        in body
    )
    assert response.context["headlines"]["cohorts"] == 1


def test_programme_of_another_organisation_is_404(client, organisation, manager):
    theirs = ProgrammeFactory(organisation=OrganisationFactory())
    for name in ("programme-detail", "programme-edit", "targets", "grant-create"):
        assert client.get(url(name, organisation, pk=theirs.pk)).status_code == 404


@pytest.mark.parametrize("role", [Role.GROWTH_ADVISER, Role.REVIEWER, Role.MENTOR, Role.FUNDER])
def test_other_roles_are_refused_with_a_reason(client, organisation, make_member, role):
    client.force_login(make_member(organisation, role).user)
    programme = ProgrammeFactory(organisation=organisation)
    for target in (
        url("programme-list", organisation),
        url("programme-create", organisation),
        url("programme-detail", organisation, pk=programme.pk),
        url("funder-list", organisation),
    ):
        response = client.get(target)
        assert response.status_code == 403
        assert "programme manager" in response.content.decode()
    response = client.post(url("programme-create", organisation), programme_data())
    assert response.status_code == 403


def test_admin_may_manage_programmes(client, organisation, make_member):
    client.force_login(make_member(organisation, Role.ADMIN).user)
    assert client.get(url("programme-list", organisation)).status_code == 200


# --- Funders and grants ---------------------------------------------------------------------


def test_manager_adds_a_funder_then_a_grant(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation)
    response = client.get(url("grant-create", organisation, pk=programme.pk))
    assert "has no funder on record yet" in response.content.decode()

    response = client.post(
        url("funder-list", organisation),
        {"name": "City Hall Growth Fund", "website": "cityhall.example.org"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        funder = Funder.objects.get(organisation=organisation)
    assert funder.website == "https://cityhall.example.org"

    response = client.post(
        url("grant-create", organisation, pk=programme.pk),
        {
            "funder": funder.pk,
            "amount": "950000",
            "start_date": "2026-01-01",
            "end_date": "2028-12-31",
            "reference": "CHGF-1",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        grant = Grant.objects.get()
    assert (grant.organisation, grant.programme, grant.amount) == (
        organisation,
        programme,
        Decimal("950000"),
    )

    response = client.get(url("funder-list", organisation))
    row = next(iter(response.context["page"]))
    assert (row.programme_count, row.total_granted) == (1, Decimal("950000"))


def test_funder_names_are_unique_per_organisation_with_a_clear_message(
    client, organisation, manager
):
    FunderFactory(organisation=organisation, name="City Hall Growth Fund")
    response = client.post(url("funder-list", organisation), {"name": "city hall growth fund"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "There is already a funder called “city hall growth fund”."
    ]
    assert 'value="city hall growth fund"' in response.content.decode()


def test_grant_form_refuses_a_period_ending_before_it_starts_and_another_tenants_funder(
    client, organisation, manager
):
    programme = ProgrammeFactory(organisation=organisation)
    mine = FunderFactory(organisation=organisation)
    theirs = FunderFactory(organisation=OrganisationFactory())
    data = {"funder": mine.pk, "amount": "1000", "start_date": "2027-01-01"}
    response = client.post(
        url("grant-create", organisation, pk=programme.pk), {**data, "end_date": "2026-01-01"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["end_date"] == [
        "The grant period cannot end before it starts."
    ]
    assert 'value="1000"' in response.content.decode()
    response = client.post(
        url("grant-create", organisation, pk=programme.pk),
        {**data, "funder": theirs.pk, "end_date": "2028-01-01"},
    )
    assert response.status_code == 400
    assert "funder" in response.context["form"].errors
    with scopes_disabled():
        assert not Grant.objects.exists()


def test_grant_delete_asks_for_confirmation(client, organisation, manager):
    grant = GrantFactory(programme=ProgrammeFactory(organisation=organisation))
    delete_url = url("grant-delete", organisation, pk=grant.programme_id, grant_pk=grant.pk)
    response = client.get(delete_url)
    assert response.status_code == 200
    assert "Remove this grant?" in response.content.decode()
    with scopes_disabled():
        assert Grant.objects.exists()
    response = client.post(delete_url)
    assert response.status_code == 302
    with scopes_disabled():
        assert not Grant.objects.exists()


def test_grant_of_another_programme_is_404(client, organisation, manager):
    grant = GrantFactory(programme=ProgrammeFactory(organisation=organisation))
    other = ProgrammeFactory(organisation=organisation)
    response = client.post(url("grant-delete", organisation, pk=other.pk, grant_pk=grant.pk))
    assert response.status_code == 404
    with scopes_disabled():
        assert Grant.objects.exists()


def test_funder_edit_links_only_members_with_the_funder_role(client, organisation, manager):
    funder = FunderFactory(organisation=organisation, name="Growth Fund")
    speaker = MembershipFactory(organisation=organisation, role=Role.FUNDER).user
    adviser = MembershipFactory(organisation=organisation, role=Role.GROWTH_ADVISER).user
    outsider = MembershipFactory(organisation=OrganisationFactory(), role=Role.FUNDER).user
    response = client.get(url("funder-edit", organisation, pk=funder.pk))
    body = response.content.decode()
    assert speaker.email in body
    assert adviser.email not in body and outsider.email not in body

    data = {"name": "Growth Fund", "contact_email": "grants@example.org", "notes": "Annual"}
    response = client.post(
        url("funder-edit", organisation, pk=funder.pk), {**data, "users": [adviser.pk]}
    )
    assert response.status_code == 400
    assert "users" in response.context["form"].errors
    response = client.post(
        url("funder-edit", organisation, pk=funder.pk), {**data, "users": [speaker.pk]}
    )
    assert response.status_code == 302
    funder.refresh_from_db()
    assert list(funder.users.all()) == [speaker]
    assert funder.contact_email == "grants@example.org"


# --- Targets --------------------------------------------------------------------------------


def test_manager_sets_changes_and_clears_outcome_targets(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation)
    targets_url = url("targets", organisation, pk=programme.pk)
    response = client.post(
        targets_url, {"jobs_created": "40", "new_deals": "49", "new_deals_note": "From 2019"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        rows = dict(OutcomeTarget.objects.values_list("outcome", "target_percent"))
    assert rows == {"jobs_created": 40, "new_deals": 49}

    response = client.get(targets_url)
    assert 'value="From 2019"' in response.content.decode()

    response = client.post(targets_url, {"jobs_created": "71", "new_deals": ""})
    assert response.status_code == 302
    with scopes_disabled():
        rows = dict(OutcomeTarget.objects.values_list("outcome", "target_percent"))
    assert rows == {"jobs_created": 71}


def test_targets_out_of_range_are_refused_and_nothing_changes(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation)
    response = client.post(
        url("targets", organisation, pk=programme.pk),
        {"jobs_created": "140", "new_markets": "0", "new_deals": "30"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "jobs_created" in form.errors and "new_markets" in form.errors
    assert 'value="140"' in response.content.decode()
    with scopes_disabled():
        assert not OutcomeTarget.objects.exists()


# --- Query counts ---------------------------------------------------------------------------


def _queries(client, target):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_programmes(organisation, n):
    for _ in range(n):
        programme = ProgrammeFactory(organisation=organisation)
        cohort = CohortFactory(programme=programme)
        ApplicationFactory(cohort=cohort, submitted=True)


def test_programme_list_query_count_does_not_grow(client, organisation, manager):
    target = url("programme-list", organisation)
    _add_programmes(organisation, 3)
    client.get(target)
    few = _queries(client, target)
    _add_programmes(organisation, 22)
    assert _queries(client, target) == few


def test_programme_detail_and_funder_list_query_counts_do_not_grow(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation)
    detail = url("programme-detail", organisation, pk=programme.pk)
    funders = url("funder-list", organisation)

    def grow(n):
        for _ in range(n):
            CohortFactory(programme=programme)
            GrantFactory(programme=programme)

    grow(2)
    client.get(detail)
    few = (_queries(client, detail), _queries(client, funders))
    grow(10)
    assert (_queries(client, detail), _queries(client, funders)) == few


def test_grant_dates_default_nothing_and_render_as_date_inputs(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation)
    FunderFactory(organisation=organisation)
    body = client.get(url("grant-create", organisation, pk=programme.pk)).content.decode()
    assert 'type="date"' in body
    # Dates in the edit form of a programme are ISO, as date inputs need.
    start = timezone.localdate() - timedelta(days=365)
    body = client.get(url("programme-edit", organisation, pk=programme.pk)).content.decode()
    assert f'value="{start.isoformat()}"' in body
