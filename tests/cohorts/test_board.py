"""The manager's side of selection, through the views: the ranked board with filters and
bulk decisions, waitlist promotion, an application's staff page with single decisions,
reviewer assignment and files, and the board's query count at 10 and 500 applications."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from cohorts import services
from cohorts.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    ApplicationStatusChange,
    Company,
    Enrolment,
    QuestionKind,
    Review,
)
from portal.roles import Role
from portal.taxonomy import Region, Sector
from portal.tenancy import tenant_scope
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    CriterionFactory,
    ProgrammeFactory,
    QuestionFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- Building a cohort ----------------------------------------------------------------------


@pytest.fixture
def manager(organisation, make_member):
    return make_member(organisation, Role.PROGRAMME_MANAGER).user


@pytest.fixture
def cohort(organisation):
    return CohortFactory(
        programme=ProgrammeFactory(organisation=organisation, name="Go Global"),
        selecting=True,
        capacity=3,
    )


def make_application(cohort, name, scores=(), trait="submitted", **fields):
    """A submitted (or otherwise decided) application with submitted reviews of the given
    weighted scores, and a founder whose address gets the decision e-mails."""
    company = CompanyFactory(name=name, **fields)
    slug = name.lower().replace(" ", "-")
    CompanyMemberFactory(company=company, user=UserFactory(email=f"founder@{slug}.example"))
    application = ApplicationFactory(cohort=cohort, company=company, **{trait: True})
    for score in scores:
        ReviewFactory(
            application=application,
            weighted_score=Decimal(str(score)),
            submitted_at=timezone.now(),
        )
    if scores:
        application.review_count = len(scores)
        application.save(update_fields=["review_count"])
    return application


def board_url(cohort, **query):
    url = reverse("cohorts:board", kwargs={"org_slug": cohort.organisation.slug, "pk": cohort.pk})
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def detail_url(application, name="cohorts:application-detail"):
    return reverse(name, kwargs={"org_slug": application.organisation.slug, "pk": application.pk})


def status_of(application):
    with scopes_disabled():
        return Application.objects.get(pk=application.pk).status


def flash(response):
    return [str(m) for m in response.context["messages"]]


# --- The board ------------------------------------------------------------------------------


def test_board_ranks_applications_by_mean_score(client, manager, cohort):
    middling = make_application(cohort, "Middling Ltd", [3, 4])  # mean 3.5, spread 3–4
    best = make_application(cohort, "Best Ltd", [4.5])
    unreviewed = make_application(cohort, "Unreviewed Ltd")
    weak = make_application(cohort, "Weak Ltd", [2])
    ApplicationFactory(cohort=cohort, company=CompanyFactory(name="Draft Ltd"))
    client.force_login(manager)

    response = client.get(board_url(cohort))

    assert response.status_code == 200
    ranked = [row["application"].pk for row in response.context["rows"]]
    assert ranked == [best.pk, middling.pk, weak.pk, unreviewed.pk]
    assert [row["rank"] for row in response.context["rows"]] == [1, 2, 3, 4]
    body = response.content.decode()
    assert body.index("Best Ltd") < body.index("Middling Ltd") < body.index("Weak Ltd")
    assert body.index("Weak Ltd") < body.index("Unreviewed Ltd")
    assert "Draft Ltd" not in body  # drafts are not on the board
    assert "3.50" in body and "3.00–4.00" in body  # mean and spread
    assert "2 of 2" in body  # reviews done of assigned
    assert detail_url(best) in body
    # Capacity, places taken and counts per status.
    assert response.context["capacity"] == 3
    assert response.context["places_taken"] == 0
    tabs = {tab["label"]: tab["count"] for tab in response.context["status_tabs"]}
    assert tabs["All"] == 4 and tabs["Submitted"] == 4 and tabs["Accepted"] == 0


def test_board_filters_by_status_sector_region_reviews_and_name(client, manager, cohort):
    make_application(cohort, "Tech London", [4], sector=Sector.TECH, region=Region.LONDON)
    make_application(cohort, "Food Wales", sector=Sector.FOOD, region=Region.WALES)
    make_application(cohort, "Waiting Ltd", trait="waitlisted", region=Region.SCOTLAND)
    client.force_login(manager)

    def names(**query):
        response = client.get(board_url(cohort, **query))
        assert response.status_code == 200
        return {row["application"].company.name for row in response.context["rows"]}

    assert names(status="waitlisted") == {"Waiting Ltd"}
    assert names(sector="food") == {"Food Wales"}
    assert names(region="london") == {"Tech London"}
    assert names(reviewed="yes") == {"Tech London"}
    assert names(reviewed="no") == {"Food Wales", "Waiting Ltd"}
    assert names(q="wales") == {"Food Wales"}
    # An unknown filter value is ignored rather than failing.
    assert len(names(status="nonsense")) == 3
    response = client.get(board_url(cohort, q="nothing-matches"))
    assert "No application matches these filters." in response.content.decode()


def test_bulk_accept_within_capacity_enrols_and_emails(
    client, manager, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    chosen = [make_application(cohort, f"Chosen {i}", [4]) for i in range(3)]
    other = make_application(cohort, "Other Ltd", [2])
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            board_url(cohort),
            {
                "applications": [a.pk for a in chosen],
                "decision": "accepted",
                "reason": "Strong export plans",
            },
            follow=True,
        )

    assert response.status_code == 200
    assert "3 applications accepted; applicants will be e-mailed." in flash(response)
    assert all(status_of(a) == ApplicationStatus.ACCEPTED for a in chosen)
    assert status_of(other) == ApplicationStatus.SUBMITTED
    with scopes_disabled():
        enrolled = set(
            Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ACTIVE).values_list(
                "company_id", flat=True
            )
        )
        reasons = set(
            ApplicationStatusChange.objects.filter(
                application__in=chosen, to_status=ApplicationStatus.ACCEPTED
            ).values_list("reason", "changed_by")
        )
    assert enrolled == {a.company_id for a in chosen}
    assert reasons == {("Strong export plans", manager.pk)}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        f"founder@chosen-{i}.example" for i in range(3)
    )
    assert all("accepted" in m.subject for m in mailoutbox)
    assert response.context["places_taken"] == 3


def test_bulk_accept_over_capacity_changes_nothing_and_explains(
    client, manager, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    cohort.capacity = 2
    cohort.save()
    with tenant_scope(cohort.organisation):
        already = make_application(cohort, "Already In", [5])
        services.application_decide(application=already, decision="accepted", by=manager)
    mailoutbox.clear()
    chosen = [make_application(cohort, f"Hopeful {i}", [4]) for i in range(2)]
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            board_url(cohort),
            {"applications": [a.pk for a in chosen], "decision": "accepted"},
        )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Only 1 place left in this cohort" in body
    assert "Nothing was changed." in body
    assert all(status_of(a) == ApplicationStatus.SUBMITTED for a in chosen)
    assert mailoutbox == []
    # The ticks are kept so the manager can untick one and try again.
    for application in chosen:
        assert f'value="{application.pk}" id="pick-{application.pk}" checked' in body


def test_bulk_decision_needs_ticks_and_a_decision(client, manager, cohort):
    application = make_application(cohort, "Lonely Ltd")
    client.force_login(manager)

    response = client.post(board_url(cohort), {"decision": "rejected"})
    assert response.status_code == 400
    assert "Tick at least one application." in response.content.decode()

    response = client.post(board_url(cohort), {"applications": [application.pk]})
    assert response.status_code == 400
    assert "Choose accept, waitlist or reject." in response.content.decode()
    assert status_of(application) == ApplicationStatus.SUBMITTED


def test_bulk_decision_ignores_applications_of_another_cohort(client, manager, cohort):
    elsewhere = make_application(
        CohortFactory(programme=cohort.programme, selecting=True), "Elsewhere Ltd"
    )
    client.force_login(manager)
    response = client.post(
        board_url(cohort), {"applications": [elsewhere.pk], "decision": "rejected"}
    )
    assert response.status_code == 400
    assert status_of(elsewhere) == ApplicationStatus.SUBMITTED


def test_waitlist_then_withdrawal_then_promote_picks_best_ranked(
    client, manager, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    cohort.capacity = 2
    cohort.save()
    accepted = [make_application(cohort, f"Accepted {i}", [5]) for i in range(2)]
    runner_up = make_application(cohort, "Runner Up", [4.5])
    third = make_application(cohort, "Third Place", [3])
    client.force_login(manager)

    # The manager accepts two and waitlists the next two, from the board.
    client.post(
        board_url(cohort), {"applications": [a.pk for a in accepted], "decision": "accepted"}
    )
    client.post(
        board_url(cohort), {"applications": [third.pk, runner_up.pk], "decision": "waitlisted"}
    )
    assert status_of(runner_up) == ApplicationStatus.WAITLISTED

    promote_url = reverse(
        "cohorts:promote", kwargs={"org_slug": cohort.organisation.slug, "pk": cohort.pk}
    )
    # Full: nothing to offer.
    response = client.post(promote_url, follow=True)
    assert "The cohort is full; there is no place to offer." in flash(response)

    # An accepted company withdraws, freeing a place.
    with tenant_scope(cohort.organisation):
        services.application_withdraw(application=accepted[0], by=manager, reason="Moved abroad")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(promote_url, follow=True)
    assert response.redirect_chain[-1][0] == board_url(cohort)
    assert "Runner Up was offered the place and e-mailed." in flash(response)
    assert status_of(runner_up) == ApplicationStatus.ACCEPTED
    assert status_of(third) == ApplicationStatus.WAITLISTED
    assert [m.to[0] for m in mailoutbox] == ["founder@runner-up.example"]

    # Nobody left on the waitlist once the last one is rejected, and a place is free again.
    with tenant_scope(cohort.organisation):
        services.application_decide(application=third, decision="rejected", by=manager)
        services.application_withdraw(application=runner_up, by=manager)
    response = client.post(promote_url, follow=True)
    assert "Nobody is on the waitlist." in flash(response)


def test_promote_is_post_only_and_managers_only(client, organisation, make_member, cohort):
    url = reverse("cohorts:promote", kwargs={"org_slug": organisation.slug, "pk": cohort.pk})
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    assert client.get(url).status_code == 405
    client.force_login(make_member(organisation, Role.REVIEWER).user)
    assert client.post(url).status_code == 403


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.GROWTH_ADVISER, Role.MENTOR, Role.FUNDER])
def test_board_and_reviewers_pages_are_for_managers(
    client, organisation, make_member, cohort, role
):
    client.force_login(make_member(organisation, role).user)
    assert client.get(board_url(cohort)).status_code == 403
    url = reverse("cohorts:reviewers", kwargs={"org_slug": organisation.slug, "pk": cohort.pk})
    assert client.get(url).status_code == 403


def test_board_empty_state(client, manager, cohort):
    client.force_login(manager)
    response = client.get(board_url(cohort))
    assert "No applications yet." in response.content.decode()


# --- One application ------------------------------------------------------------------------


@pytest.fixture
def full_application(cohort):
    """An application with answers, a file, two criteria and two reviews (one submitted)."""
    question = QuestionFactory(cohort=cohort, label="Which markets next?")
    file_question = QuestionFactory(cohort=cohort, label="Business plan", kind=QuestionKind.FILE)
    choice = QuestionFactory(
        cohort=cohort,
        label="Support wanted",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices="Mentoring\nMissions\nFinance",
    )
    first = CriterionFactory(cohort=cohort, name="Growth potential", weight=2)
    second = CriterionFactory(cohort=cohort, name="Export readiness", weight=1)
    application = make_application(cohort, "Answered Ltd")
    application.answers = {str(question.pk): "Germany and Japan", str(choice.pk): ["Missions"]}
    application.save()
    ApplicationFile.objects.create(
        organisation=cohort.organisation,
        application=application,
        question=file_question,
        file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 business plan"),
        original_name="Business plan 2027.pdf",
        content_type="application/pdf",
        size=22,
    )
    submitted = ReviewFactory(
        application=application,
        reviewer=UserFactory(first_name="Priya", last_name="Shah"),
        comments="Clear route to market.",
    )
    with tenant_scope(cohort.organisation):
        services.review_save(
            review=submitted,
            scores={first.pk: 4, second.pk: 3},
            comments="Clear route to market.",
            submit=True,
        )
    ReviewFactory(application=application, reviewer=UserFactory(first_name="Tom", last_name="Lee"))
    return application


def test_manager_sees_everything_on_the_application_page(client, manager, full_application):
    client.force_login(manager)
    with tenant_scope(full_application.organisation):
        services.application_decide(
            application=full_application, decision="waitlisted", by=manager, reason="Close call"
        )
    response = client.get(detail_url(full_application))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Germany and Japan" in body and "Missions" in body
    assert "Business plan 2027.pdf" in body
    with scopes_disabled():
        file_pk = ApplicationFile.objects.get(application=full_application).pk
    assert (
        reverse(
            "cohorts:application-file",
            kwargs={
                "org_slug": full_application.organisation.slug,
                "pk": full_application.pk,
                "file_pk": file_pk,
            },
        )
        in body
    )
    # Reviews: the submitted one with scores per criterion, weighted score and comments.
    assert "Priya Shah" in body and "Clear route to market." in body
    assert "Growth potential" in body and "3.67" in body  # (4×2 + 3×1) / 3
    assert "Tom Lee" in body and "Not submitted yet" in body
    # History: who, when, why.
    assert "Close call" in body and manager.display_name in body
    # The manager's forms.
    assert 'name="decision"' in body
    assert detail_url(full_application, "cohorts:application-assign") in body
    assert "Cohort roster" not in body  # only for accepted applications


def test_decide_one_application_records_history_and_links_roster(
    client, manager, full_application, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            detail_url(full_application, "cohorts:application-decide"),
            {"decision": "accepted", "reason": "Top of the panel"},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == detail_url(full_application)
    assert "Answered Ltd accepted; the applicant will be e-mailed." in flash(response)
    assert status_of(full_application) == ApplicationStatus.ACCEPTED
    body = response.content.decode()
    assert "Top of the panel" in body
    assert "Cohort roster" in body
    assert [m.to[0] for m in mailoutbox] == ["founder@answered-ltd.example"]


def test_decide_errors_come_back_as_messages(client, manager, cohort):
    draft = ApplicationFactory(cohort=cohort)
    submitted = make_application(cohort, "Undecided Ltd")
    client.force_login(manager)

    response = client.post(
        detail_url(draft, "cohorts:application-decide"), {"decision": "accepted"}, follow=True
    )
    assert any("cannot be decided" in m for m in flash(response))
    assert status_of(draft) == ApplicationStatus.DRAFT

    response = client.post(
        detail_url(submitted, "cohorts:application-decide"), {"decision": "maybe"}, follow=True
    )
    assert any("Select a valid choice" in m for m in flash(response))
    assert status_of(submitted) == ApplicationStatus.SUBMITTED


def test_assign_a_reviewer(client, organisation, make_member, manager, cohort):
    application = make_application(cohort, "Assignable Ltd")
    reviewer = make_member(organisation, Role.REVIEWER, first_name="Ada", last_name="Byron")
    mentor = make_member(organisation, Role.MENTOR)
    client.force_login(manager)
    url = detail_url(application, "cohorts:application-assign")

    response = client.get(detail_url(application))
    assert "Ada Byron" in response.content.decode()

    response = client.post(url, {"reviewer": reviewer.pk}, follow=True)
    assert "Ada Byron will review Assignable Ltd." in flash(response)
    with scopes_disabled():
        assert Review.objects.filter(application=application, reviewer=reviewer.user).count() == 1

    # Mentors are not reviewers: not offered, and refused if forced.
    response = client.post(url, {"reviewer": mentor.pk}, follow=True)
    assert any("Select a valid choice" in m for m in flash(response))
    with scopes_disabled():
        assert not Review.objects.filter(reviewer=mentor.user).exists()


def test_application_file_downloads_for_manager_and_only_through_its_application(
    client, manager, cohort, full_application
):
    client.force_login(manager)
    with scopes_disabled():
        upload = ApplicationFile.objects.get(application=full_application)
    url = reverse(
        "cohorts:application-file",
        kwargs={
            "org_slug": full_application.organisation.slug,
            "pk": full_application.pk,
            "file_pk": upload.pk,
        },
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "Business plan 2027.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 business plan"

    other = make_application(cohort, "Other Files Ltd")
    wrong = reverse(
        "cohorts:application-file",
        kwargs={"org_slug": other.organisation.slug, "pk": other.pk, "file_pk": upload.pk},
    )
    assert client.get(wrong).status_code == 404


def test_application_page_404_for_unknown_or_other_tenant(
    client, manager, other_organisation, cohort
):
    client.force_login(manager)
    foreign = make_application(
        CohortFactory(programme=ProgrammeFactory(organisation=other_organisation)), "Foreign Ltd"
    )
    url = reverse(
        "cohorts:application-detail",
        kwargs={"org_slug": cohort.organisation.slug, "pk": foreign.pk},
    )
    assert client.get(url).status_code == 404
    response = client.post(
        reverse(
            "cohorts:application-decide",
            kwargs={"org_slug": cohort.organisation.slug, "pk": foreign.pk},
        ),
        {"decision": "rejected"},
    )
    assert response.status_code == 404
    assert status_of(foreign) == ApplicationStatus.SUBMITTED


# --- Query counts ---------------------------------------------------------------------------


def _grow(cohort, n):
    """n submitted applications, each with one submitted review, in a few bulk inserts."""
    start = Company.objects.count()
    companies = Company.objects.bulk_create(
        CompanyFactory.build(name=f"Bulk {start + i} Ltd") for i in range(n)
    )
    reviewer = UserFactory()
    now = timezone.now()
    with tenant_scope(cohort.organisation):
        applications = Application.objects.bulk_create(
            Application(
                organisation=cohort.organisation,
                cohort=cohort,
                company=company,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=now - timedelta(minutes=i),
                company_snapshot=services.company_snapshot(company),
                review_count=1,
            )
            for i, company in enumerate(companies)
        )
        Review.objects.bulk_create(
            Review(
                organisation=cohort.organisation,
                application=application,
                reviewer=reviewer,
                weighted_score=Decimal("3.00") + Decimal(i % 20) / 10,
                submitted_at=now,
            )
            for i, application in enumerate(applications)
        )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_board_query_count_does_not_grow_with_applications(client, manager, cohort):
    client.force_login(manager)
    url = board_url(cohort, status="submitted")
    _grow(cohort, 10)
    client.get(url)  # the first visit records the organisation in the session
    small, response = _queries(client, url)
    assert len(response.context["rows"]) == 10

    _grow(cohort, 490)
    large, response = _queries(client, url)
    assert len(response.context["rows"]) == 50  # one page
    assert response.context["page"].paginator.count == 500
    assert small == large
    assert large < 25
    # The page links keep the filters.
    assert "?status=submitted&amp;page=2" in response.content.decode()


def test_application_page_query_count_does_not_grow_with_reviews(client, manager, full_application):
    client.force_login(manager)
    url = detail_url(full_application)
    client.get(url)
    small, _ = _queries(client, url)
    for _ in range(5):
        ReviewFactory(application=full_application, submitted_at=timezone.now())
    large, _ = _queries(client, url)
    assert small == large
