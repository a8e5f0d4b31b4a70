"""The programme manager's cohort pages: cohorts and their status, the application-form
builder, criteria, the roster, withdrawals and the company record."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from cohorts.models import (
    ApplicationStatus,
    Cohort,
    CohortStatus,
    CohortStatusChange,
    Criterion,
    Enrolment,
    Question,
    QuestionKind,
)
from portal.roles import Role
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    CriterionFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    QuestionFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(organisation, make_member):
    return make_member(organisation, Role.PROGRAMME_MANAGER, first_name="Maria", last_name="Lopez")


@pytest.fixture
def mclient(client, manager):
    client.force_login(manager.user)
    return client


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(organisation=organisation, name="Go Global", slug="go-global")


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, number=1, draft=True)


def url(name, organisation, **kwargs):
    return reverse(f"cohorts:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def cohort_data(**overrides):
    data = {
        "name": "Spring 2027",
        "description": "Twelve weeks of export support.",
        "start_date": "2027-03-01",
        "end_date": "2027-06-30",
        "capacity": "12",
        "applications_open_at": "2027-01-15T09:00",
        "applications_close_at": "2027-02-15T17:00",
        "reviews_per_application": "2",
    }
    data.update(overrides)
    return data


# --- Cohorts --------------------------------------------------------------------------------


def test_create_cohort_numbers_it_and_reads_times_in_the_organisations_zone(
    mclient, organisation, programme
):
    organisation.time_zone = "America/New_York"
    organisation.save()
    CohortFactory(programme=programme, number=3)
    response = mclient.post(
        url("cohort-create", organisation, programme_pk=programme.pk), cohort_data()
    )
    assert response.status_code == 302
    with scopes_disabled():
        cohort = Cohort.objects.get(programme=programme, name="Spring 2027")
    assert cohort.number == 4
    assert cohort.status == CohortStatus.DRAFT
    assert cohort.organisation == organisation
    # 09:00 in New York in January is 14:00 UTC.
    assert cohort.applications_open_at == datetime.datetime(2027, 1, 15, 14, 0, tzinfo=datetime.UTC)
    assert response["Location"] == url("cohort-detail", organisation, pk=cohort.pk)

    page = mclient.get(url("cohort-edit", organisation, pk=cohort.pk)).content.decode()
    assert 'value="2027-01-15T09:00"' in page
    assert "America/New_York" in page


def test_cohort_form_shows_errors_next_to_fields_and_keeps_input(mclient, organisation, programme):
    data = cohort_data(
        end_date="2027-02-01",  # before the start
        applications_close_at="2027-01-10T09:00",  # before the opening
        name="Keep this name",
    )
    response = mclient.post(url("cohort-create", organisation, programme_pk=programme.pk), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "The cohort cannot end before it starts." in body
    assert "Applications must close after they open." in body
    form = response.context["form"]
    assert "end_date" in form.errors
    assert "applications_close_at" in form.errors
    assert 'value="Keep this name"' in body
    assert 'value="2027-01-10T09:00"' in body
    with scopes_disabled():
        assert not Cohort.objects.filter(programme=programme).exists()


def test_edit_cohort(mclient, organisation, cohort):
    response = mclient.post(
        url("cohort-edit", organisation, pk=cohort.pk), cohort_data(capacity="30", name="")
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.capacity == 30
    assert cohort.number == 1


def test_create_cohort_for_another_organisations_programme_is_404(
    mclient, organisation, other_organisation
):
    theirs = ProgrammeFactory(organisation=other_organisation)
    response = mclient.post(
        url("cohort-create", organisation, programme_pk=theirs.pk), cohort_data()
    )
    assert response.status_code == 404


def test_cohort_list_shows_counts_and_filters(mclient, organisation, programme, other_organisation):
    open_cohort = CohortFactory(programme=programme, number=2, name="Autumn intake")
    ApplicationFactory.create_batch(3, cohort=open_cohort, submitted=True)
    ApplicationFactory(cohort=open_cohort)  # a draft does not count
    EnrolmentFactory(cohort=open_cohort)
    draft = CohortFactory(programme=programme, number=1, draft=True, name="Quiet intake")
    CohortFactory(programme__organisation=other_organisation, name="Someone else's")

    response = mclient.get(url("cohort-list", organisation))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Autumn intake" in body and "Quiet intake" in body
    assert "Someone else" not in body
    rows = {c.pk: c for c in response.context["page"]}
    assert rows[open_cohort.pk].submitted_count == 3
    assert rows[open_cohort.pk].enrolled_count == 1

    response = mclient.get(url("cohort-list", organisation), {"status": "draft"})
    assert [c.pk for c in response.context["page"]] == [draft.pk]
    other_programme = ProgrammeFactory(organisation=organisation)
    response = mclient.get(url("cohort-list", organisation), {"programme": other_programme.pk})
    assert list(response.context["page"]) == []
    assert "No cohort matches" in response.content.decode()
    response = mclient.get(url("cohort-list", organisation), {"sort": "submitted"})
    assert [c.pk for c in response.context["page"]][0] == open_cohort.pk


def test_cohort_list_without_programmes_says_what_to_do(mclient, organisation):
    body = mclient.get(url("cohort-list", organisation)).content.decode()
    assert "Create a programme" in body


def test_status_moves_are_recorded_and_shown(mclient, organisation, cohort, manager):
    QuestionFactory(cohort=cohort)
    response = mclient.post(
        url("cohort-move", organisation, pk=cohort.pk),
        {"to_status": "open", "note": "Panel approved the form"},
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.status == CohortStatus.OPEN
    with scopes_disabled():
        change = CohortStatusChange.objects.get(cohort=cohort)
    assert (change.from_status, change.to_status) == ("draft", "open")
    assert change.changed_by == manager.user
    assert change.note == "Panel approved the form"

    page = mclient.get(url("cohort-detail", organisation, pk=cohort.pk))
    body = page.content.decode()
    assert "Panel approved the form" in body
    assert manager.user.display_name in body
    assert timezone.localtime(change.changed_at).strftime("%-d %b %Y") in body
    # The next moves are offered: forward as buttons, back behind a confirmation.
    assert 'value="selecting"' in body
    assert 'data-bs-target="#move-back-draft"' in body
    assert cohort.get_public_url() in body


def test_refused_move_shows_the_reason(mclient, organisation, cohort):
    response = mclient.post(
        url("cohort-move", organisation, pk=cohort.pk), {"to_status": "running"}, follow=True
    )
    assert response.status_code == 200
    assert "cannot move to" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.status == CohortStatus.DRAFT


def test_move_needs_post(mclient, organisation, cohort):
    assert mclient.get(url("cohort-move", organisation, pk=cohort.pk)).status_code == 405


def test_cohort_detail_shows_numbers_and_links(mclient, organisation, programme):
    cohort = CohortFactory(programme=programme, capacity=5)
    ApplicationFactory.create_batch(2, cohort=cohort, submitted=True)
    ApplicationFactory(cohort=cohort, waitlisted=True)
    EnrolmentFactory(cohort=cohort)
    response = mclient.get(url("cohort-detail", organisation, pk=cohort.pk))
    assert response.status_code == 200
    assert response.context["places_taken"] == 1
    assert response.context["submitted_total"] == 3
    body = response.content.decode()
    for name in ("form-builder", "criteria", "board", "reviewers", "roster"):
        assert url(name, organisation, pk=cohort.pk) in body


# --- The application form -------------------------------------------------------------------


def test_form_builder_adds_edits_moves_and_deletes_questions(mclient, organisation, cohort):
    builder = url("form-builder", organisation, pk=cohort.pk)
    response = mclient.get(builder)
    assert response.status_code == 200
    assert "company profile" in response.content.decode()

    response = mclient.post(
        builder,
        {
            "label": "Which markets?",
            "kind": QuestionKind.MULTIPLE_CHOICE,
            "required": "on",
            "help_text": "Pick all that apply.",
            "choices": "USA\nGermany\nJapan",
            "max_file_mb": "5",
        },
    )
    assert response.status_code == 302
    mclient.post(
        builder,
        {"label": "Pitch deck", "kind": QuestionKind.FILE, "max_file_mb": "10", "choices": ""},
    )
    with scopes_disabled():
        markets, deck = Question.objects.filter(cohort=cohort).order_by("position")
    assert markets.label == "Which markets?" and markets.required
    assert deck.kind == QuestionKind.FILE and not deck.required and deck.max_file_mb == 10

    # The preview renders the fields as the applicant sees them, disabled.
    body = mclient.get(builder).content.decode()
    assert f'name="preview-q_{markets.pk}"' in body
    assert "Germany" in body
    assert "disabled" in body

    response = mclient.post(
        url("question-move", organisation, pk=cohort.pk, question_pk=deck.pk), {"direction": "-1"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert list(Question.objects.filter(cohort=cohort).order_by("position")) == [deck, markets]

    edit = url("question-edit", organisation, pk=cohort.pk, question_pk=markets.pk)
    assert mclient.get(edit).status_code == 200
    response = mclient.post(
        edit,
        {
            "label": "Target markets",
            "kind": QuestionKind.SINGLE_CHOICE,
            "choices": "USA\nGermany",
            "max_file_mb": "5",
        },
    )
    assert response.status_code == 302
    markets.refresh_from_db()
    assert (markets.label, markets.kind, markets.required) == (
        "Target markets",
        "single_choice",
        False,
    )

    delete = url("question-delete", organisation, pk=cohort.pk, question_pk=deck.pk)
    assert "Delete this question?" in mclient.get(delete).content.decode()
    assert mclient.post(delete).status_code == 302
    with scopes_disabled():
        assert list(Question.objects.filter(cohort=cohort)) == [markets]


def test_choice_question_needs_options_and_keeps_input(mclient, organisation, cohort):
    response = mclient.post(
        url("form-builder", organisation, pk=cohort.pk),
        {
            "label": "Favourite colour",
            "kind": QuestionKind.SINGLE_CHOICE,
            "choices": "Blue",
            "max_file_mb": "5",
        },
    )
    assert response.status_code == 400
    assert "choices" in response.context["form"].errors
    body = response.content.decode()
    assert "Give at least two options" in body
    assert 'value="Favourite colour"' in body
    with scopes_disabled():
        assert not Question.objects.filter(cohort=cohort).exists()


def test_question_of_another_cohort_is_404(mclient, organisation, cohort, programme):
    elsewhere = QuestionFactory(cohort=CohortFactory(programme=programme))
    response = mclient.get(
        url("question-edit", organisation, pk=cohort.pk, question_pk=elsewhere.pk)
    )
    assert response.status_code == 404


def test_question_cannot_be_deleted_after_submissions(mclient, organisation, cohort):
    question = QuestionFactory(cohort=cohort)
    ApplicationFactory(cohort=cohort, submitted=True)
    body = mclient.get(url("form-builder", organisation, pk=cohort.pk)).content.decode()
    assert "can no longer be removed" in body
    response = mclient.post(
        url("question-delete", organisation, pk=cohort.pk, question_pk=question.pk)
    )
    assert response.status_code == 400
    assert "can no longer be removed" in response.content.decode()
    with scopes_disabled():
        assert Question.objects.filter(pk=question.pk).exists()


def test_bad_move_direction_changes_nothing(mclient, organisation, cohort):
    first, second = QuestionFactory.create_batch(2, cohort=cohort)
    response = mclient.post(
        url("question-move", organisation, pk=cohort.pk, question_pk=first.pk),
        {"direction": "7"},
        follow=True,
    )
    assert "Move a question up or down." in response.content.decode()
    with scopes_disabled():
        assert list(Question.objects.filter(cohort=cohort).order_by("position")) == [first, second]


# --- Criteria -------------------------------------------------------------------------------


def test_criteria_add_with_shares_and_delete(mclient, organisation, cohort):
    page = url("criteria", organisation, pk=cohort.pk)
    assert mclient.post(page, {"name": "Growth", "weight": "3"}).status_code == 302
    assert mclient.post(page, {"name": "Team", "weight": "1"}).status_code == 302
    response = mclient.post(page, {"name": "Too heavy", "weight": "11"})
    assert response.status_code == 400
    assert "weight" in response.context["form"].errors

    response = mclient.get(page)
    shares = {c.name: share for c, share in response.context["rows"]}
    assert shares == {"Growth": 75, "Team": 25}
    assert response.context["total_weight"] == 4

    with scopes_disabled():
        team = Criterion.objects.get(cohort=cohort, name="Team")
    delete = url("criterion-delete", organisation, pk=cohort.pk, criterion_pk=team.pk)
    assert mclient.get(delete).status_code == 200
    assert mclient.post(delete).status_code == 302
    with scopes_disabled():
        assert not Criterion.objects.filter(pk=team.pk).exists()


def test_criteria_refused_after_a_submitted_review(mclient, organisation, cohort):
    criterion = CriterionFactory(cohort=cohort, name="Growth")
    application = ApplicationFactory(cohort=cohort, submitted=True)
    ReviewFactory(
        application=application, weighted_score=Decimal("4.00"), submitted_at=timezone.now()
    )
    page = url("criteria", organisation, pk=cohort.pk)
    response = mclient.post(page, {"name": "Late addition", "weight": "2"})
    assert response.status_code == 400
    assert "Reviews have already been submitted" in response.content.decode()
    assert 'value="Late addition"' in response.content.decode()

    response = mclient.post(
        url("criterion-delete", organisation, pk=cohort.pk, criterion_pk=criterion.pk)
    )
    assert response.status_code == 400
    assert "Reviews have already been submitted" in response.content.decode()
    with scopes_disabled():
        assert list(Criterion.objects.filter(cohort=cohort)) == [criterion]


# --- Roster and withdrawals -----------------------------------------------------------------


def test_roster_lists_enrolled_and_withdrawn_companies(mclient, organisation, programme):
    cohort = CohortFactory(programme=programme, running=True)
    EnrolmentFactory(cohort=cohort, company__name="Active Ltd")
    EnrolmentFactory(
        cohort=cohort,
        company__name="Gone Ltd",
        status=Enrolment.Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        withdrawal_reason="Acquired by a competitor",
    )
    response = mclient.get(url("roster", organisation, pk=cohort.pk))
    assert response.status_code == 200
    assert [e.company.name for e in response.context["page"]] == ["Active Ltd"]
    assert [e.company.name for e in response.context["withdrawn"]] == ["Gone Ltd"]
    body = response.content.decode()
    assert "Acquired by a competitor" in body
    assert url("export", organisation, pk=cohort.pk, what="roster", fmt="xlsx") in body


def test_roster_is_empty_with_a_pointer_to_the_board(mclient, organisation, cohort):
    body = mclient.get(url("roster", organisation, pk=cohort.pk)).content.decode()
    assert "No company is enrolled yet" in body


def test_withdrawal_needs_a_reason_then_frees_the_place(mclient, organisation, programme):
    cohort = CohortFactory(programme=programme, running=True, capacity=1)
    application = ApplicationFactory(cohort=cohort, accepted=True, company__name="Leaver Ltd")
    enrolment = EnrolmentFactory(
        cohort=cohort, company=application.company, application=application
    )
    ApplicationFactory(cohort=cohort, waitlisted=True)
    page = url("enrolment-withdraw", organisation, pk=enrolment.pk)

    assert "Withdraw Leaver Ltd" in mclient.get(page).content.decode()
    response = mclient.post(page, {"reason": "  "})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE

    response = mclient.post(page, {"reason": "Moved abroad"}, follow=True)
    assert response.redirect_chain[-1][0] == url("roster", organisation, pk=cohort.pk)
    enrolment.refresh_from_db()
    application.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert enrolment.withdrawal_reason == "Moved abroad"
    assert application.status == ApplicationStatus.WITHDRAWN
    body = response.content.decode()
    assert "1 waitlisted application is waiting" in body
    assert url("promote", organisation, pk=cohort.pk) in body


def test_withdrawing_twice_changes_nothing(mclient, organisation, programme):
    enrolment = EnrolmentFactory(
        cohort=CohortFactory(programme=programme),
        status=Enrolment.Status.WITHDRAWN,
        withdrawal_reason="First reason",
    )
    page = url("enrolment-withdraw", organisation, pk=enrolment.pk)
    assert "is not taking part" in mclient.get(page).content.decode()
    assert mclient.post(page, {"reason": "Second"}).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.withdrawal_reason == "First reason"


# --- Companies ------------------------------------------------------------------------------


def test_company_list_shows_only_companies_known_here(
    client, organisation, other_organisation, make_member, programme
):
    adviser = make_member(organisation, Role.GROWTH_ADVISER)
    client.force_login(adviser.user)
    cohort = CohortFactory(programme=programme)
    ApplicationFactory(cohort=cohort, submitted=True, company__name="Applied Ltd")
    ApplicationFactory(cohort=cohort, company__name="Drafting Ltd")  # a draft: not known
    ApplicationFactory(
        cohort=CohortFactory(programme__organisation=other_organisation),
        submitted=True,
        company__name="Elsewhere Ltd",
    )
    EnrolmentFactory(cohort=cohort, company__name="Enrolled Ltd", company__sector="food")

    response = client.get(url("company-list", organisation))
    assert response.status_code == 200
    assert [c.name for c in response.context["page"]] == ["Applied Ltd", "Enrolled Ltd"]
    response = client.get(url("company-list", organisation), {"q": "enrol"})
    assert [c.name for c in response.context["page"]] == ["Enrolled Ltd"]
    response = client.get(url("company-list", organisation), {"sector": "food"})
    assert [c.name for c in response.context["page"]] == ["Enrolled Ltd"]
    response = client.get(url("company-list", organisation), {"q": "nothing like it"})
    assert "No company matches" in response.content.decode()


def test_company_detail_gathers_what_the_organisation_knows(
    mclient, organisation, programme, other_organisation
):
    company = CompanyFactory(name="Widgets Ltd", employees=12)
    CompanyMemberFactory(company=company, user__email="founder@widgets.example")
    cohort = CohortFactory(programme=programme, number=7)
    application = ApplicationFactory(cohort=cohort, company=company, accepted=True)
    ReviewFactory(
        application=application, weighted_score=Decimal("4.50"), submitted_at=timezone.now()
    )
    EnrolmentFactory(cohort=cohort, company=company, application=application)
    # What the company did with another organisation is not this organisation's to see.
    ApplicationFactory(
        cohort=CohortFactory(programme__organisation=other_organisation, programme__name="Rival"),
        company=company,
        submitted=True,
    )
    company.employees = 40  # a later edit of the live profile
    company.save()

    response = mclient.get(url("company-detail", organisation, pk=company.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["snapshot"]["employees"] == 12
    assert "Profile as submitted" in body and "Current profile" in body
    assert "4.50" in body
    assert "Rival" not in body
    assert "founder@widgets.example" in body
    assert "has not taken part in any event, trade mission" in body  # the activities panel
    assert [a.pk for a in response.context["applications"]] == [application.pk]


def test_company_detail_is_404_for_a_company_that_never_applied_here(
    mclient, organisation, other_organisation, programme
):
    stranger = CompanyFactory()
    assert mclient.get(url("company-detail", organisation, pk=stranger.pk)).status_code == 404
    elsewhere = ApplicationFactory(
        cohort=CohortFactory(programme__organisation=other_organisation), submitted=True
    ).company
    assert mclient.get(url("company-detail", organisation, pk=elsewhere.pk)).status_code == 404
    drafting = ApplicationFactory(cohort=CohortFactory(programme=programme)).company
    assert mclient.get(url("company-detail", organisation, pk=drafting.pk)).status_code == 404


# --- Roles ----------------------------------------------------------------------------------


MANAGE_PAGES = [
    ("cohort-list", {}),
    ("cohort-detail", {"pk": None}),
    ("cohort-edit", {"pk": None}),
    ("form-builder", {"pk": None}),
    ("criteria", {"pk": None}),
    ("roster", {"pk": None}),
    ("export", {"pk": None, "what": "roster", "fmt": "csv"}),
]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.GROWTH_ADVISER, Role.MENTOR, Role.FUNDER])
def test_other_roles_are_refused_on_manage_pages(client, organisation, make_member, cohort, role):
    member = make_member(organisation, role)
    client.force_login(member.user)
    for name, kwargs in MANAGE_PAGES:
        kwargs = {k: (cohort.pk if v is None else v) for k, v in kwargs.items()}
        response = client.get(url(name, organisation, **kwargs))
        assert response.status_code == 403, (name, role)
    response = client.post(url("cohort-move", organisation, pk=cohort.pk), {"to_status": "open"})
    assert response.status_code == 403
    cohort.refresh_from_db()
    assert cohort.status == CohortStatus.DRAFT


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.MENTOR, Role.FUNDER])
def test_company_pages_are_for_staff_only(client, organisation, make_member, role):
    member = make_member(organisation, role)
    client.force_login(member.user)
    assert client.get(url("company-list", organisation)).status_code == 403


def test_admin_may_manage_cohorts(client, organisation, make_member, cohort):
    client.force_login(make_member(organisation, Role.ADMIN).user)
    assert client.get(url("cohort-detail", organisation, pk=cohort.pk)).status_code == 200


# --- Query counts ---------------------------------------------------------------------------


def _count(client, address):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(programme, cohort, n):
    for _ in range(n):
        CohortFactory(programme=programme)
        application = ApplicationFactory(cohort=cohort, submitted=True)
        QuestionFactory(cohort=cohort)
        CriterionFactory(cohort=cohort)
        EnrolmentFactory(cohort=cohort, company=application.company, application=application)


@pytest.mark.parametrize(
    "name", ["cohort-list", "company-list", "cohort-detail", "form-builder", "criteria"]
)
def test_pages_do_not_grow_with_rows(mclient, organisation, programme, cohort, name):
    address = url(name, organisation) if "list" in name else url(name, organisation, pk=cohort.pk)
    _grow(programme, cohort, 10)
    mclient.get(address)
    small = _count(mclient, address)
    _grow(programme, cohort, 50)
    assert _count(mclient, address) == small
