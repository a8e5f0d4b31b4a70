"""The rules of applications, review, selection and enrolment, through the services."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cohorts import selectors, services
from cohorts.models import (
    Application,
    ApplicationStatus,
    CohortStatus,
    Enrolment,
    QuestionKind,
    Review,
)
from portal.roles import Role
from portal.tenancy import tenant_scope
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    CriterionFactory,
    MembershipFactory,
    QuestionFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(capacity=2)


@pytest.fixture
def scope(cohort):
    with tenant_scope(cohort.organisation):
        yield


@pytest.fixture
def founder():
    return CompanyMemberFactory(company__name="Lumen Grid Ltd", company__employees=12)


@pytest.fixture
def manager(cohort):
    return MembershipFactory(organisation=cohort.organisation, role=Role.PROGRAMME_MANAGER).user


def reviewer_of(cohort):
    return MembershipFactory(organisation=cohort.organisation, role=Role.REVIEWER).user


# --- Applying ------------------------------------------------------------------------------


def test_start_is_idempotent_and_refused_when_closed(cohort, scope, founder):
    first = services.application_start(cohort=cohort, company=founder.company, user=founder.user)
    again = services.application_start(cohort=cohort, company=founder.company, user=founder.user)
    assert first.pk == again.pk
    closed = CohortFactory(programme=cohort.programme, closed=True)
    with pytest.raises(ValidationError, match="not accepting"):
        services.application_start(cohort=closed, company=founder.company, user=founder.user)


def test_draft_saves_partial_answers_and_rejects_malformed_ones(cohort, scope, founder):
    number = QuestionFactory(cohort=cohort, kind=QuestionKind.NUMBER, label="Staff abroad")
    text = QuestionFactory(cohort=cohort, kind=QuestionKind.LONG_TEXT)
    choice = QuestionFactory(
        cohort=cohort, kind=QuestionKind.SINGLE_CHOICE, choices="USA\nGermany\nJapan"
    )
    app = services.application_start(cohort=cohort, company=founder.company, user=founder.user)
    services.application_save_draft(application=app, answers={f"q_{text.pk}": "Expand to the US"})
    assert app.answers == {str(text.pk): "Expand to the US"}
    with pytest.raises(ValidationError) as info:
        services.application_save_draft(
            application=app,
            answers={f"q_{number.pk}": "lots", f"q_{choice.pk}": "France", f"q_{text.pk}": "x"},
        )
    assert set(info.value.message_dict) == {f"q_{number.pk}", f"q_{choice.pk}"}
    app.refresh_from_db()
    assert app.answers == {str(text.pk): "Expand to the US"}  # nothing changed


def test_submit_requires_answers_snapshots_profile_and_emails(
    cohort, scope, founder, django_capture_on_commit_callbacks
):
    question = QuestionFactory(cohort=cohort, kind=QuestionKind.SHORT_TEXT, required=True)
    QuestionFactory(cohort=cohort, kind=QuestionKind.SHORT_TEXT, required=False)
    app = services.application_start(cohort=cohort, company=founder.company, user=founder.user)
    with pytest.raises(ValidationError) as info:
        services.application_submit(application=app, user=founder.user)
    assert list(info.value.message_dict) == [f"q_{question.pk}"]

    services.application_save_draft(application=app, answers={f"q_{question.pk}": "Cologne"})
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.application_submit(application=app, user=founder.user)
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.company_snapshot["employees"] == 12
    assert [m.to for m in mail.outbox] == [[founder.user.email]]

    services.company_update(company=founder.company, employees=99)
    submitted.refresh_from_db()
    assert submitted.company_snapshot["employees"] == 12
    # A double click on submit changes nothing.
    assert services.application_submit(application=submitted, user=founder.user).pk == app.pk
    assert submitted.status_changes.count() == 1
    with pytest.raises(ValidationError):
        services.application_save_draft(application=submitted, answers={})


def test_ineligible_company_is_told_why(cohort, scope, founder):
    cohort.programme.min_employees = 50
    cohort.programme.save()
    app = services.application_start(cohort=cohort, company=founder.company, user=founder.user)
    with pytest.raises(ValidationError) as info:
        services.application_submit(application=app, user=founder.user)
    assert "not eligible" in info.value.messages[0]
    assert "at least 50 employees" in info.value.messages[1]
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT


def test_uploads_are_checked_by_type_content_and_size(cohort, scope, founder):
    question = QuestionFactory(cohort=cohort, kind=QuestionKind.FILE, max_file_mb=1)
    app = services.application_start(cohort=cohort, company=founder.company, user=founder.user)
    key = f"q_{question.pk}"
    cases = [
        (SimpleUploadedFile("tool.exe", b"MZ\x90\x00"), "file types"),
        (SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf"), "does not look like a PDF"),
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1)), "limit is 1 MB"),
    ]
    for upload, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.application_save_draft(application=app, answers={}, files={key: upload})
    assert not app.files.exists()
    services.application_save_draft(
        application=app, answers={}, files={key: SimpleUploadedFile("../../plan.pdf", b"%PDF-1.7")}
    )
    stored = app.files.get()
    assert stored.content_type == "application/pdf"
    assert ".." not in stored.file.name


# --- Deciding ----------------------------------------------------------------------------------


def test_accepting_enrols_within_capacity_all_or_nothing(
    cohort, scope, manager, django_capture_on_commit_callbacks
):
    apps = [ApplicationFactory(cohort=cohort, submitted=True) for _ in range(3)]
    for app in apps:
        CompanyMemberFactory(company=app.company)
    with pytest.raises(ValidationError, match="Only 2 places left"):
        services.applications_decide(applications=apps, decision="accepted", by=manager)
    assert not Enrolment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.applications_decide(applications=apps[:2], decision="accepted", by=manager)
    assert Enrolment.objects.filter(status="active").count() == 2
    assert len(mail.outbox) == 2 and "accepted" in mail.outbox[0].subject
    with pytest.raises(ValidationError, match="Only 0 places left"):
        services.application_decide(application=apps[2], decision="accepted", by=manager)
    services.application_decide(application=apps[2], decision="waitlisted", by=manager)
    history = apps[2].status_changes.first()
    assert (history.from_status, history.to_status, history.changed_by) == (
        "submitted",
        "waitlisted",
        manager,
    )


def test_withdrawal_frees_a_place_for_the_best_waitlisted(cohort, scope, manager):
    accepted = [ApplicationFactory(cohort=cohort, submitted=True) for _ in range(2)]
    services.applications_decide(applications=accepted, decision="accepted", by=manager)
    weak, strong = (ApplicationFactory(cohort=cohort, waitlisted=True) for _ in range(2))
    for app, score in ((weak, "2.50"), (strong, "4.25")):
        ReviewFactory(application=app, weighted_score=Decimal(score), submitted_at=app.submitted_at)
    with pytest.raises(ValidationError, match="full"):
        services.waitlist_promote(cohort=cohort, by=manager)
    services.application_withdraw(application=accepted[0], by=manager, reason="Moved abroad")
    assert Enrolment.objects.get(application=accepted[0]).status == "withdrawn"
    promoted = services.waitlist_promote(cohort=cohort, by=manager)
    assert promoted.pk == strong.pk
    assert promoted.status == ApplicationStatus.ACCEPTED
    assert Enrolment.objects.filter(status="active").count() == 2


def test_drafts_cannot_be_decided(cohort, scope, manager):
    draft = ApplicationFactory(cohort=cohort)
    with pytest.raises(ValidationError, match="drafts or withdrawn"):
        services.application_decide(application=draft, decision="rejected", by=manager)


# --- Reviewing ---------------------------------------------------------------------------------


def test_weighted_score():
    assert services.weighted_score({1: 5, 2: 2}, {1: 3, 2: 1}) == Decimal("4.25")


def test_review_submit_needs_every_criterion_and_is_final(cohort, scope):
    market = CriterionFactory(cohort=cohort, weight=3)
    team = CriterionFactory(cohort=cohort, weight=1)
    app = ApplicationFactory(cohort=cohort, submitted=True)
    reviewer = reviewer_of(cohort)
    review = services.review_assign(application=app, reviewer=reviewer)
    services.review_save(review=review, scores={market.pk: 5}, comments="Strong", submit=False)
    with pytest.raises(ValidationError) as info:
        services.review_save(review=review, scores={market.pk: 5}, comments="", submit=True)
    assert list(info.value.message_dict) == [f"c_{team.pk}"]
    with pytest.raises(ValidationError):
        services.review_save(
            review=review, scores={market.pk: 9, team.pk: 2}, comments="", submit=True
        )
    done = services.review_save(
        review=review, scores={market.pk: 5, team.pk: 2}, comments="Go", submit=True
    )
    assert done.weighted_score == Decimal("4.25")
    app.refresh_from_db()
    assert app.review_count == 1
    with pytest.raises(ValidationError, match="submitted"):
        services.review_save(review=review, scores={market.pk: 1}, comments="", submit=False)
    with pytest.raises(ValidationError, match="criteria"):
        services.criterion_save(
            criterion=CriterionFactory.build(cohort=cohort, organisation=cohort.organisation)
        )


def test_board_ranks_by_mean_with_spread(cohort, scope):
    top, middle, unreviewed = (ApplicationFactory(cohort=cohort, submitted=True) for _ in range(3))
    for app, scores in ((top, ["4.00", "5.00"]), (middle, ["2.00", "4.00"])):
        for value in scores:
            ReviewFactory(
                application=app, weighted_score=Decimal(value), submitted_at=app.submitted_at
            )
    ReviewFactory(application=unreviewed)  # assigned, not submitted
    board = list(selectors.application_board(cohort=cohort))
    assert [a.pk for a in board] == [top.pk, middle.pk, unreviewed.pk]
    assert (board[0].mean_score, board[0].min_score, board[0].max_score) == (4.5, 4, 5)
    assert (board[2].reviews_done, board[2].reviews_assigned) == (0, 1)


def test_pool_pick_stops_at_the_target(cohort, scope):
    app = ApplicationFactory(cohort=cohort, submitted=True)
    first, second, third = (reviewer_of(cohort) for _ in range(3))
    services.review_pick(application=app, reviewer=first)
    assert list(selectors.review_pool(organisation=cohort.organisation, user=second)) == [app]
    services.review_pick(application=app, reviewer=second)
    assert list(selectors.review_pool(organisation=cohort.organisation, user=third)) == []
    with pytest.raises(ValidationError, match="enough reviewers"):
        services.review_pick(application=app, reviewer=third)
    assert Review.objects.filter(application=app).count() == 2


def test_only_reviewers_of_the_organisation_can_review(cohort, scope):
    app = ApplicationFactory(cohort=cohort, submitted=True)
    mentor = MembershipFactory(organisation=cohort.organisation, role=Role.MENTOR).user
    with pytest.raises(ValidationError, match="not a reviewer"):
        services.review_assign(application=app, reviewer=mentor)


def test_assign_evenly_spreads_the_load(cohort, scope):
    for _ in range(6):
        ApplicationFactory(cohort=cohort, submitted=True)
    reviewers = [reviewer_of(cohort) for _ in range(3)]
    created = services.reviews_assign_evenly(cohort=cohort, reviewers=reviewers, per_application=2)
    assert created == 12
    loads = sorted(row["total"] for row in selectors.reviewer_load(cohort=cohort))
    assert loads == [4, 4, 4]
    assert (
        services.reviews_assign_evenly(cohort=cohort, reviewers=reviewers, per_application=2) == 0
    )
    with pytest.raises(ValidationError):
        services.reviews_assign_evenly(cohort=cohort, reviewers=reviewers[:1], per_application=2)


# --- Cohorts and forms ------------------------------------------------------------------------


def test_cohort_moves_step_by_step_and_records_them(scope, cohort, manager):
    with pytest.raises(ValidationError, match="cannot move"):
        services.cohort_move(cohort=cohort, to_status=CohortStatus.COMPLETED, by=manager)
    services.cohort_move(cohort=cohort, to_status=CohortStatus.SELECTING, by=manager, note="Closed")
    change = cohort.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "open",
        "selecting",
        manager,
        "Closed",
    )


def test_questions_cannot_be_removed_after_submissions(scope, cohort):
    question = QuestionFactory(cohort=cohort)
    ApplicationFactory(cohort=cohort, submitted=True)
    with pytest.raises(ValidationError, match="no longer be removed"):
        services.question_delete(question=question)


def test_question_move_reorders(scope, cohort):
    a, b, c = (QuestionFactory(cohort=cohort) for _ in range(3))
    services.question_move(question=c, direction=-1)
    assert list(cohort.questions.all()) == [a, c, b]
    services.question_move(question=a, direction=-1)  # already first: nothing happens
    assert list(cohort.questions.all()) == [a, c, b]


def test_choice_questions_need_options(scope, cohort):
    question = QuestionFactory.build(
        cohort=cohort,
        organisation=cohort.organisation,
        kind=QuestionKind.SINGLE_CHOICE,
        choices="Only one",
    )
    with pytest.raises(ValidationError, match="at least two options"):
        services.question_save(question=question)


def test_applications_of_user_cross_organisations_but_only_own_companies(founder):
    mine_a = ApplicationFactory(company=founder.company)
    mine_b = ApplicationFactory(company=founder.company)
    ApplicationFactory()  # another company's
    assert mine_a.organisation != mine_b.organisation
    found = set(selectors.applications_of_user(user=founder.user).values_list("pk", flat=True))
    assert found == {mine_a.pk, mine_b.pk}
    assert isinstance(selectors.applications_of_user(user=founder.user).first(), Application)


# --- Guards found in review ------------------------------------------------------------------


def test_pool_is_only_for_cohorts_still_selecting(scope, cohort):
    app = ApplicationFactory(cohort=cohort, submitted=True)
    cohort.status = CohortStatus.RUNNING
    cohort.save()
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.review_pick(application=app, reviewer=reviewer_of(cohort))


def test_question_type_is_fixed_once_answered_but_label_can_change(scope, cohort):
    question = QuestionFactory(cohort=cohort, kind=QuestionKind.SHORT_TEXT, label="Market")
    ApplicationFactory(cohort=cohort, submitted=True)
    question.kind = QuestionKind.DATE
    with pytest.raises(ValidationError, match="type and options"):
        services.question_save(question=question)
    question.refresh_from_db()
    question.label = "Target market"
    services.question_save(question=question)


def test_cohort_with_submissions_cannot_go_back_to_draft(scope, cohort, manager):
    ApplicationFactory(cohort=cohort, submitted=True)
    with pytest.raises(ValidationError, match="back to draft"):
        services.cohort_move(cohort=cohort, to_status=CohortStatus.DRAFT, by=manager)


def test_cohort_cannot_open_after_its_window_closed(manager):
    cohort = CohortFactory(draft=True, closed=True)
    with tenant_scope(cohort.organisation), pytest.raises(ValidationError, match="window"):
        services.cohort_move(cohort=cohort, to_status=CohortStatus.OPEN, by=manager)


def test_completing_a_cohort_completes_its_enrolments_and_freezes_decisions(scope, cohort, manager):
    app = ApplicationFactory(cohort=cohort, submitted=True)
    services.application_decide(application=app, decision="accepted", by=manager)
    other = ApplicationFactory(cohort=cohort, submitted=True)
    for status in (CohortStatus.SELECTING, CohortStatus.RUNNING, CohortStatus.COMPLETED):
        services.cohort_move(cohort=cohort, to_status=status, by=manager)
    assert Enrolment.objects.get(application=app).status == Enrolment.Status.COMPLETED
    with pytest.raises(ValidationError, match="completed"):
        services.application_decide(application=other, decision="accepted", by=manager)
    with pytest.raises(ValidationError, match="finished"):
        services.application_withdraw(application=app, by=manager)
    services.cohort_move(cohort=cohort, to_status=CohortStatus.RUNNING, by=manager)
    assert Enrolment.objects.get(application=app).status == Enrolment.Status.ACTIVE


def test_capacity_cannot_drop_below_companies_taking_part(scope, cohort, manager):
    apps = [ApplicationFactory(cohort=cohort, submitted=True) for _ in range(2)]
    services.applications_decide(applications=apps, decision="accepted", by=manager)
    cohort.capacity = 1
    with pytest.raises(ValidationError, match="already taking part"):
        services.cohort_save(cohort=cohort)


def test_replacing_an_upload_removes_the_old_file(
    cohort, scope, founder, django_capture_on_commit_callbacks
):
    question = QuestionFactory(cohort=cohort, kind=QuestionKind.FILE)
    app = services.application_start(cohort=cohort, company=founder.company, user=founder.user)
    key = f"q_{question.pk}"
    services.application_save_draft(
        application=app, answers={}, files={key: SimpleUploadedFile("a.pdf", b"%PDF-1 first")}
    )
    first = app.files.get()
    storage, first_name = first.file.storage, first.file.name
    assert storage.exists(first_name)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_save_draft(
            application=app, answers={}, files={key: SimpleUploadedFile("b.pdf", b"%PDF-1 new")}
        )
    assert not storage.exists(first_name)
    assert app.files.get().original_name == "b.pdf"
