"""Export consortia: the three-companies-and-an-exporter rule (service and form, nothing
saved when broken), the plan document check, milestones, suggestions from a cohort, the
pages and who may open them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities import consortia
from activities.models import ConsortiumMember, ConsortiumMilestone, ExportConsortium
from activities.selectors_groups import consortium_suggestions
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    ConsortiumMemberFactory,
    EnrolmentFactory,
    ExportConsortiumFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(organisation=organisation)


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, running=True)


@pytest.fixture
def manager_client(client, organisation, make_member):
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    return client


def _enrolled(cohort, **fields):
    return EnrolmentFactory(cohort=cohort, company=CompanyFactory(**fields)).company


def url(name, organisation, **kwargs):
    return reverse(f"activities:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def _unsaved(programme, **fields):
    return ExportConsortium(
        organisation=programme.organisation,
        programme=programme,
        name=fields.pop("name", "Nordic Food Consortium"),
        target_markets=fields.pop("target_markets", ["Sweden"]),
        support_starts_on=date(2027, 1, 1),
        support_ends_on=date(2027, 12, 31),
        **fields,
    )


PDF = b"%PDF-1.4\n%fake but well-formed enough\n"


# --- The rule -------------------------------------------------------------------------------


def test_three_companies_with_an_exporter_are_saved_together(programme, cohort):
    members = [_enrolled(cohort, exporter=True), _enrolled(cohort), _enrolled(cohort)]
    with scopes_disabled():
        saved = consortia.consortium_save(
            consortium=_unsaved(programme), members=members, lead=members[0]
        )
        assert set(saved.members.values_list("company_id", flat=True)) == {m.pk for m in members}
        assert saved.members.get(is_lead=True).company == members[0]


@pytest.mark.parametrize(
    ("exporters", "others", "message"),
    [
        (1, 1, "at least 3 companies; 2 chosen"),
        (0, 3, "must already export"),
    ],
)
def test_a_consortium_breaking_the_rule_is_not_saved(programme, cohort, exporters, others, message):
    members = [_enrolled(cohort, exporter=True) for _ in range(exporters)]
    members += [_enrolled(cohort) for _ in range(others)]
    with scopes_disabled():
        with pytest.raises(ValidationError) as exc:
            consortia.consortium_save(consortium=_unsaved(programme), members=members)
        assert message in " ".join(exc.value.message_dict["members"])
        assert not ExportConsortium.objects.exists()
        assert not ConsortiumMember.objects.exists()


def test_removing_members_that_would_break_the_rule_is_refused(programme, cohort):
    exporter, b, c = _enrolled(cohort, exporter=True), _enrolled(cohort), _enrolled(cohort)
    with scopes_disabled():
        saved = consortia.consortium_save(consortium=_unsaved(programme), members=[exporter, b, c])
        with pytest.raises(ValidationError, match="must already export"):
            consortia.consortium_save(consortium=saved, members=[b, c, _enrolled(cohort)])
        with pytest.raises(ValidationError, match="at least 3"):
            consortia.consortium_save(consortium=saved, members=[exporter, b])
        assert set(saved.members.values_list("company_id", flat=True)) == {
            exporter.pk,
            b.pk,
            c.pk,
        }


def test_companies_not_enrolled_with_the_organisation_are_refused(programme, cohort):
    stranger = CompanyFactory(name="Stranger Ltd", exports=True)
    members = [stranger, _enrolled(cohort), _enrolled(cohort)]
    with scopes_disabled(), pytest.raises(ValidationError, match="Stranger Ltd"):
        consortia.consortium_save(consortium=_unsaved(programme), members=members)


def test_plan_document_must_be_a_real_pdf_or_docx(programme, cohort):
    members = [_enrolled(cohort, exporter=True), _enrolled(cohort), _enrolled(cohort)]
    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with scopes_disabled():
        with pytest.raises(ValidationError, match="does not look like a PDF"):
            consortia.consortium_save(
                consortium=_unsaved(programme), members=members, plan_document=fake
            )
        exe = SimpleUploadedFile("plan.exe", b"MZ", content_type="application/octet-stream")
        with pytest.raises(ValidationError, match="PDF or DOCX"):
            consortia.consortium_save(
                consortium=_unsaved(programme), members=members, plan_document=exe
            )
        assert not ExportConsortium.objects.exists()


def test_markets_are_normalised():
    assert consortia.parse_markets(" usa, Germany;germany\nthe netherlands, UAE ") == [
        "United States",
        "Germany",
        "Netherlands",
        "United Arab Emirates",
    ]


# --- Suggestions ----------------------------------------------------------------------------


def test_suggestions_group_companies_by_shared_market_with_an_exporter(cohort):
    exporter = _enrolled(cohort, name="Old Hand", exports=True, export_markets="Germany, USA")
    a = _enrolled(cohort, name="Alpha", target_markets="germany")
    b = _enrolled(cohort, name="Beta", target_markets="Germany, Japan")
    _enrolled(cohort, name="Gamma", target_markets="Japan")
    _enrolled(cohort, name="Delta", target_markets="Japan, United States")
    withdrawn = EnrolmentFactory(
        cohort=cohort, status="withdrawn", company=CompanyFactory(target_markets="Germany")
    ).company
    with scopes_disabled():
        suggestions = consortium_suggestions(cohort=cohort)
    by_market = {s.market: s for s in suggestions}
    # Germany: the exporter (sells there) and two who want it; the withdrawn company is out.
    assert [c.name for c in by_market["Germany"].companies] == ["Alpha", "Beta", "Old Hand"]
    assert withdrawn not in by_market["Germany"].companies
    assert by_market["Germany"].exporters == [exporter]
    # Japan has three companies but no exporter; the United States only two.
    assert "Japan" not in by_market and "United States" not in by_market
    assert a in by_market["Germany"].companies and b in by_market["Germany"].companies


def test_create_from_suggestion_prefills_the_form(manager_client, organisation, cohort):
    exporter = _enrolled(cohort, exports=True, export_markets="Germany")
    others = [_enrolled(cohort, target_markets="Germany") for _ in range(2)]
    page = manager_client.get(url("consortium-suggest", organisation), {"cohort": cohort.pk})
    assert "Create from this suggestion" in page.content.decode()
    form_page = manager_client.get(
        url("consortium-create", organisation), {"cohort": cohort.pk, "market": "germany"}
    )
    form = form_page.context["form"]
    assert form.initial["markets"] == "Germany"
    assert set(form.initial["members"]) == {exporter.pk, *(c.pk for c in others)}
    assert form.initial["lead"] == exporter.pk


# --- Pages ----------------------------------------------------------------------------------


def _form_data(programme, members, **extra):
    return {
        "name": "Gulf Tech Consortium",
        "markets": "UAE, Saudi Arabia",
        "programme": programme.pk,
        "members": [m.pk for m in members],
        "support_starts_on": "2027-01-01",
        "support_ends_on": "2027-12-31",
        "costs_supported": "12000",
        "plan_summary": "Joint stand at GITEX, shared distributor search.",
        **extra,
    }


def test_the_form_shows_the_rule_next_to_members_and_saves_nothing(
    manager_client, organisation, programme, cohort
):
    members = [_enrolled(cohort) for _ in range(3)]
    response = manager_client.post(
        url("consortium-create", organisation), _form_data(programme, members)
    )
    assert response.status_code == 400
    assert "must already export" in " ".join(response.context["form"].errors["members"])
    with scopes_disabled():
        assert not ExportConsortium.objects.exists()


def test_the_form_saves_a_valid_consortium_with_its_plan(
    manager_client, organisation, programme, cohort
):
    members = [_enrolled(cohort, exporter=True), _enrolled(cohort), _enrolled(cohort)]
    plan = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    response = manager_client.post(
        url("consortium-create", organisation),
        _form_data(programme, members, plan_file=plan, lead=members[0].pk),
    )
    assert response.status_code == 302, response.context["form"].errors
    with scopes_disabled():
        saved = ExportConsortium.objects.get()
        assert saved.target_markets == ["United Arab Emirates", "Saudi Arabia"]
        assert saved.members.count() == 3
    download = manager_client.get(url("consortium-plan", organisation, pk=saved.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    detail = manager_client.get(url("consortium-detail", organisation, pk=saved.pk))
    assert "Gulf Tech Consortium" in detail.content.decode()


def test_milestones_are_added_and_marked_done(manager_client, organisation, programme):
    with scopes_disabled():
        consortium = ExportConsortiumFactory(programme=programme)
    manager_client.post(
        url("consortium-milestone-add", organisation, pk=consortium.pk),
        {"title": "First joint trade fair", "due_on": "2027-03-01"},
    )
    with scopes_disabled():
        milestone = ConsortiumMilestone.objects.get(consortium=consortium)
    manager_client.post(
        url("consortium-milestone-done", organisation, pk=consortium.pk, milestone_pk=milestone.pk)
    )
    milestone.refresh_from_db()
    assert milestone.done_on is not None


def test_member_sees_their_consortium_others_get_404(client, programme):
    with scopes_disabled():
        consortium = ExportConsortiumFactory(programme=programme, name="Baltic Design")
        member = ConsortiumMemberFactory(consortium=consortium)
    page_url = reverse("my-activities:consortium-detail", kwargs={"pk": consortium.pk})
    client.force_login(CompanyMemberFactory(company=member.company).user)
    assert "Baltic Design" in client.get(page_url).content.decode()
    client.force_login(CompanyMemberFactory().user)
    assert client.get(page_url).status_code == 404


def test_members_download_the_plan_others_get_404(client, programme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with scopes_disabled():
        consortium = ExportConsortiumFactory(programme=programme, name="Baltic Design")
        member = ConsortiumMemberFactory(consortium=consortium)
    page_url = reverse("my-activities:consortium-detail", kwargs={"pk": consortium.pk})
    plan_url = reverse("my-activities:consortium-plan", kwargs={"pk": consortium.pk})
    client.force_login(CompanyMemberFactory(company=member.company).user)
    page = client.get(page_url).content.decode()
    assert plan_url not in page and "not been uploaded yet" in page
    assert client.get(plan_url).status_code == 404

    with scopes_disabled():
        consortium.plan_document = SimpleUploadedFile("joint-plan.pdf", PDF)
        consortium.save()
    assert plan_url in client.get(page_url).content.decode()
    download = client.get(plan_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF

    client.force_login(CompanyMemberFactory().user)
    assert client.get(plan_url).status_code == 404


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
def test_roles(client, organisation, make_member, programme, role, view_status, manage_status):
    with scopes_disabled():
        consortium = ExportConsortiumFactory(programme=programme)
    client.force_login(make_member(organisation, role).user)
    for name, kwargs in [
        ("consortium-list", {}),
        ("consortium-detail", {"pk": consortium.pk}),
        ("consortium-suggest", {}),
    ]:
        assert client.get(url(name, organisation, **kwargs)).status_code == view_status, name
    for name, kwargs in [
        ("consortium-create", {}),
        ("consortium-edit", {"pk": consortium.pk}),
        ("consortium-milestone-add", {"pk": consortium.pk}),
    ]:
        assert client.get(url(name, organisation, **kwargs)).status_code == manage_status, name


def test_another_organisations_consortium_is_404(manager_client, organisation, other_organisation):
    with scopes_disabled():
        foreign = ExportConsortiumFactory(
            programme=ProgrammeFactory(organisation=other_organisation)
        )
    for name in ("consortium-detail", "consortium-edit", "consortium-plan"):
        assert manager_client.get(url(name, organisation, pk=foreign.pk)).status_code == 404
