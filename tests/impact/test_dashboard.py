"""Impact dashboards: pages, filters, who sees what, case notes, exports, query counts."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Company, Enrolment
from impact.models import CaseNote, SurveyResponse
from impact.selectors import Scope, outcome_metrics
from portal.roles import Role
from portal.tenancy import tenant_scope
from programmes.models import OutcomeTarget
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    EnrolmentFactory,
    GrantFactory,
    ProgrammeFactory,
    SurveyResponseFactory,
)

pytestmark = pytest.mark.django_db


def url(name, org, **kwargs):
    return reverse(f"impact:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(organisation=organisation, name="Trade Programme", slug="trade")


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, completed=True, number=1)


@pytest.fixture
def manager(client, organisation, make_member):
    member = make_member(organisation, Role.PROGRAMME_MANAGER)
    client.force_login(member.user)
    return member


@pytest.fixture
def funder(client, organisation, make_member, programme):
    member = make_member(organisation, Role.FUNDER)
    grant = GrantFactory(programme=programme)
    grant.funder.users.add(member.user)
    client.force_login(member.user)
    return member


def answers(cohort, n, *, jobs_every=1, sector="tech", start=0, **extra):
    companies = Company.objects.bulk_create(
        CompanyFactory.build(
            name=f"Firm {start + i}", registration_number=f"R{start + i}", sector=sector
        )
        for i in range(n)
    )
    Enrolment.objects.bulk_create(
        Enrolment(organisation=cohort.organisation, cohort=cohort, company=c) for c in companies
    )
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            organisation=cohort.organisation,
            programme=cohort.programme,
            cohort=cohort,
            company=c,
            round_months=6,
            responded_on=datetime.date(2026, 3, 1),
            submitted_at="2026-03-01T10:00:00Z",
            jobs_created=2 if i % jobs_every == 0 else 0,
            new_deals=i % 2 == 0,
            **extra,
        )
        for i, c in enumerate(companies)
    )
    return companies


def test_manager_dashboard_states_figures_with_denominators(client, manager, cohort):
    answers(cohort, 10, jobs_every=2)  # 5 of 10 created jobs
    EnrolmentFactory(cohort=cohort)  # one that did not answer
    OutcomeTarget.objects.create(
        organisation=cohort.organisation,
        programme=cohort.programme,
        outcome="jobs_created",
        target_percent=40,
    )
    response = client.get(url("programme", manager.organisation, pk=cohort.programme_id))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Half (50%) of the 10 companies that answered created jobs, 10 jobs in total." in html
    assert "5 of 10" in html
    assert "10 of the 11 companies answered" in html
    assert "91%" in html  # response rate 10/11
    assert "<svg" in html and "<script" not in html.split("<main")[1].split("</main>")[0]
    row = response.context["outcome_rows"][0]
    assert (row["key"], row["percent"], row["target"], row["met_target"]) == (
        "jobs_created",
        50,
        40,
        True,
    )
    # Managers get the survey and case-note links.
    assert url("case-notes", manager.organisation, pk=cohort.programme_id) in html
    assert url("schedules", manager.organisation, pk=cohort.programme_id) in html


def test_filters_change_the_scope(client, manager, cohort):
    answers(cohort, 4, sector="tech")
    answers(cohort, 6, sector="food", start=100)
    other = CohortFactory(programme=cohort.programme, completed=True, number=2)
    answers(other, 3, start=200)
    base = url("programme", manager.organisation, pk=cohort.programme_id)
    assert client.get(base).context["metrics"].respondents == 13
    assert client.get(base, {"sector": "food"}).context["metrics"].respondents == 6
    response = client.get(base, {"cohort": other.pk})
    assert response.context["metrics"].respondents == 3
    assert "Cohort 2" in response.context["filters_described"]
    assert client.get(base, {"responded_from": "2026-04-01"}).context["metrics"].respondents == 0
    # A period ending before it starts is refused next to the field; the rest still applies.
    response = client.get(
        base, {"sector": "food", "responded_from": "2026-05-01", "responded_to": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "before its start" in response.content.decode()
    assert response.context["metrics"].respondents == 6


def test_another_programmes_cohort_is_not_a_filter(client, manager, cohort, organisation):
    stranger = CohortFactory(programme=ProgrammeFactory(organisation=organisation))
    base = url("programme", manager.organisation, pk=cohort.programme_id)
    response = client.get(base, {"cohort": stranger.pk})
    assert response.status_code == 400
    assert response.context["scope"].cohorts == ()


def test_zero_respondents_page(client, manager, cohort):
    response = client.get(url("programme", manager.organisation, pk=cohort.programme_id))
    assert response.status_code == 200
    assert "No company has answered a follow-up survey" in response.content.decode()


def test_overview_matches_dashboard(client, manager, cohort, organisation):
    answers(cohort, 7, jobs_every=3)
    ProgrammeFactory(organisation=organisation, name="Quiet Programme")
    response = client.get(url("overview", organisation))
    assert response.status_code == 200
    rows = {r["programme"].name: r for r in response.context["rows"]}
    assert set(rows) == {"Trade Programme", "Quiet Programme"}
    with tenant_scope(organisation):
        metrics = outcome_metrics(Scope(programmes=(cohort.programme_id,)))
    row = rows["Trade Programme"]
    assert row["respondents"] == metrics.respondents == 7
    assert [s.percent for s in row["shares"]] == [
        metrics.share(s.key).percent for s in row["shares"]
    ]
    assert rows["Quiet Programme"]["respondents"] == 0


def test_funder_sees_only_funded_programmes_read_only(client, funder, cohort, organisation):
    answers(cohort, 3)
    unfunded = ProgrammeFactory(organisation=organisation, name="Not Theirs")
    overview = client.get(url("overview", organisation))
    assert [r["programme"].pk for r in overview.context["rows"]] == [cohort.programme_id]
    page = client.get(url("programme", organisation, pk=cohort.programme_id))
    assert page.status_code == 200
    html = page.content.decode()
    assert url("case-notes", organisation, pk=cohort.programme_id) not in html
    assert url("schedules", organisation, pk=cohort.programme_id) not in html
    assert "responses.csv" not in html
    refused = client.get(url("programme", organisation, pk=unfunded.pk))
    assert refused.status_code == 403
    assert "programmes their organisation funds" in refused.content.decode()
    assert client.get(url("reports", organisation, pk=unfunded.pk)).status_code == 403
    # Managers' pages stay closed to funders.
    assert client.get(url("case-notes", organisation, pk=cohort.programme_id)).status_code == 403
    assert (
        client.get(
            url("responses-export", organisation, pk=cohort.programme_id, fmt="csv")
        ).status_code
        == 403
    )


def test_another_tenants_programme_is_404(client, manager, other_organisation):
    foreign = ProgrammeFactory(organisation=other_organisation)
    for name in ("programme", "reports", "case-notes"):
        assert client.get(url(name, manager.organisation, pk=foreign.pk)).status_code == 404
    assert (
        client.get(
            url("responses-export", manager.organisation, pk=foreign.pk, fmt="csv")
        ).status_code
        == 404
    )


def test_other_roles_are_refused(client, organisation, make_member, cohort):
    client.force_login(make_member(organisation, Role.GROWTH_ADVISER).user)
    assert client.get(url("overview", organisation)).status_code == 403
    assert client.get(url("programme", organisation, pk=cohort.programme_id)).status_code == 403


def _queries(client, target):
    client.get(target)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["manager", "funder"])
def test_query_count_does_not_grow_with_responses(client, organisation, make_member, cohort, who):
    member = make_member(organisation, Role.PROGRAMME_MANAGER if who == "manager" else Role.FUNDER)
    if who == "funder":
        GrantFactory(programme=cohort.programme).funder.users.add(member.user)
    client.force_login(member.user)
    comparison = CohortFactory(programme=cohort.programme, completed=True, number=2)
    answers(cohort, 10)
    answers(comparison, 3, start=5000, is_comparison=True)
    CaseNote.objects.create(
        organisation=organisation, programme=cohort.programme, title="t", text="x"
    )
    pages = [
        url("programme", organisation, pk=cohort.programme_id),
        url("programme", organisation, pk=cohort.programme_id) + "?sector=tech",
        url("overview", organisation),
        url("reports", organisation, pk=cohort.programme_id),
    ]
    small = [_queries(client, p) for p in pages]
    answers(cohort, 290, start=10)
    answers(comparison, 40, start=6000, is_comparison=True)
    assert [_queries(client, p) for p in pages] == small


# --- Case notes -------------------------------------------------------------------------------


def test_case_notes_create_edit_delete(client, manager, programme, organisation):
    notes_url = url("case-notes", organisation, pk=programme.pk)
    assert "No case note yet" in client.get(notes_url).content.decode()
    response = client.post(notes_url, {"title": "", "text": ""})
    assert response.status_code == 400
    response = client.post(
        notes_url,
        {
            "title": "Opened in Boston",
            "text": "A medtech firm opened an office.",
            "include_in_report": "on",
        },
    )
    assert response.status_code == 302
    with tenant_scope(organisation):
        note = CaseNote.objects.get()
    assert (note.programme, note.created_by, note.include_in_report) == (
        programme,
        manager.user,
        True,
    )
    edit = url("case-note-edit", organisation, pk=note.pk)
    assert client.get(edit).status_code == 200
    client.post(edit, {"title": "Opened in Boston", "text": "Changed."})
    note.refresh_from_db()
    assert (note.text, note.include_in_report) == ("Changed.", False)
    delete = url("case-note-delete", organisation, pk=note.pk)
    assert "Delete this case note?" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    with tenant_scope(organisation):
        assert not CaseNote.objects.exists()


def test_case_note_of_another_tenant_is_404(client, manager, other_organisation):
    foreign = CaseNote.objects.create(
        organisation=other_organisation,
        programme=ProgrammeFactory(organisation=other_organisation),
        title="Theirs",
        text="x",
    )
    assert client.get(url("case-note-edit", manager.organisation, pk=foreign.pk)).status_code == 404
    assert (
        client.post(url("case-note-delete", manager.organisation, pk=foreign.pk)).status_code == 404
    )
    foreign.refresh_from_db()


# --- Responses export -------------------------------------------------------------------------


def test_responses_export_is_anonymised(client, manager, cohort, organisation):
    companies = answers(cohort, 3)
    SurveyResponseFactory(cohort=cohort, company=companies[0], round_months=12, jobs_created=9)
    response = client.get(url("responses-export", organisation, pk=cohort.programme_id, fmt="csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="trade-responses-')
    text = response.content.decode("utf-8-sig")
    for company in companies:
        assert company.name not in text and company.registration_number not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    # The same company keeps its respondent number across rounds; its older round is not counted.
    first = [r for r in rows if r["Respondent"] == "1"]
    assert sorted((r["Round (months)"], r["Counted in figures"]) for r in first) == [
        ("12", "Yes"),
        ("6", "No"),
    ]
    assert {r["Sector"] for r in rows} == {"Tech and digital"}
    xlsx = client.get(url("responses-export", organisation, pk=cohort.programme_id, fmt="xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert (
        client.get(
            url("responses-export", organisation, pk=cohort.programme_id, fmt="json")
        ).status_code
        == 404
    )
