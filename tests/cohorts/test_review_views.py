"""The reviewer's side, through the views: the queue and the pool, scoring (hidden scores,
completeness, double submit), releasing, who may see what, sharing reviews out evenly, and
the query count of the reviews page."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from cohorts.models import ApplicationFile, QuestionKind, Review, Score
from portal.roles import Role
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyFactory,
    CriterionFactory,
    ProgrammeFactory,
    QuestionFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

HIDDEN = "Other reviewers&#x27; scores appear after you submit yours."


@pytest.fixture
def cohort(organisation):
    return CohortFactory(
        programme=ProgrammeFactory(organisation=organisation, name="Scale Up North"),
        selecting=True,
        reviews_per_application=2,
    )


@pytest.fixture
def criteria(cohort):
    return [
        CriterionFactory(
            cohort=cohort, name="Ambition", description="Plans to grow abroad", weight=2
        ),
        CriterionFactory(cohort=cohort, name="Team", weight=1),
    ]


@pytest.fixture
def reviewer(organisation, make_member):
    return make_member(organisation, Role.REVIEWER, first_name="Rita", last_name="Review").user


@pytest.fixture
def colleague(organisation, make_member):
    return make_member(organisation, Role.REVIEWER, first_name="Colin", last_name="Other").user


def submitted(cohort, name="Applicant Ltd"):
    return ApplicationFactory(cohort=cohort, company=CompanyFactory(name=name), submitted=True)


def url(name, org, **kwargs):
    return reverse(f"cohorts:{name}", kwargs={"org_slug": org.slug, **kwargs})


def flash(response):
    return [str(m) for m in response.context["messages"]]


def reviews_of(application):
    with scopes_disabled():
        return list(Review.objects.filter(application=application).order_by("pk"))


# --- The queue and the pool -----------------------------------------------------------------


def test_assigned_review_appears_in_the_queue(client, organisation, cohort, reviewer):
    review = ReviewFactory(application=submitted(cohort, "Queued Ltd"), reviewer=reviewer)
    ReviewFactory(application=submitted(cohort, "Somebody Elses Ltd"))
    client.force_login(reviewer)

    response = client.get(url("my-reviews", organisation))

    assert response.status_code == 200
    assert [r.pk for r in response.context["todo"]] == [review.pk]
    body = response.content.decode()
    assert "Queued Ltd" in body
    assert url("review", organisation, pk=review.pk) in body
    assert "Somebody Elses Ltd" not in body.split("Pool")[0]


def test_pick_from_pool_then_refused_once_target_reached(
    client, organisation, cohort, reviewer, colleague, criteria
):
    cohort.reviews_per_application = 1
    cohort.save()
    application = submitted(cohort, "Poolside Ltd")
    client.force_login(reviewer)

    response = client.get(url("my-reviews", organisation))
    assert [a.pk for a in response.context["pool"]] == [application.pk]
    assert "Review this" in response.content.decode()

    response = client.post(url("review-pick", organisation, application_pk=application.pk))
    (review,) = reviews_of(application)
    assert review.reviewer == reviewer and review.source == Review.Source.PICKED
    assert response["Location"] == url("review", organisation, pk=review.pk)

    # The target of one review is reached: the colleague no longer sees it, and a stale
    # "Review this" button is refused with a message.
    client.force_login(colleague)
    response = client.get(url("my-reviews", organisation))
    assert list(response.context["pool"]) == []
    response = client.post(
        url("review-pick", organisation, application_pk=application.pk), follow=True
    )
    assert response.redirect_chain[-1][0] == url("my-reviews", organisation)
    assert "This application already has enough reviewers; pick another from the pool." in flash(
        response
    )
    assert len(reviews_of(application)) == 1


def test_release_gives_the_application_back_after_confirmation(
    client, organisation, cohort, reviewer
):
    review = ReviewFactory(application=submitted(cohort, "Released Ltd"), reviewer=reviewer)
    client.force_login(reviewer)
    release_url = url("review-release", organisation, pk=review.pk)

    response = client.get(release_url)
    assert response.status_code == 200
    assert "Stop reviewing Released Ltd?" in response.content.decode()
    assert len(reviews_of(review.application)) == 1

    response = client.post(release_url, follow=True)
    assert response.redirect_chain[-1][0] == url("my-reviews", organisation)
    assert reviews_of(review.application) == []
    assert [a.pk for a in response.context["pool"]] == [review.application_id]


# --- Scoring --------------------------------------------------------------------------------


def _scores(criteria, *values, action="submit", comments="Solid plan."):
    data = {"action": action, "comments": comments}
    for criterion, value in zip(criteria, values, strict=False):
        data[f"c_{criterion.pk}"] = value
    return data


def test_scores_are_hidden_until_own_review_is_submitted(
    client, organisation, cohort, criteria, reviewer, colleague
):
    application = submitted(cohort, "Secretive Ltd")
    mine = ReviewFactory(application=application, reviewer=reviewer)
    theirs = ReviewFactory(application=application, reviewer=colleague)
    client.force_login(colleague)
    client.post(
        url("review", organisation, pk=theirs.pk),
        _scores(criteria, 2, 2, comments="zz-colleague-verdict"),
    )

    client.force_login(reviewer)
    form_url = url("review", organisation, pk=mine.pk)
    detail_url = url("application-detail", organisation, pk=application.pk)
    for page in (form_url, detail_url):
        body = client.get(page).content.decode()
        assert "zz-colleague-verdict" not in body
        assert "Colin Other" not in body
        assert HIDDEN in body

    response = client.post(form_url, _scores(criteria, 5, 4), follow=True)
    assert "Review submitted. The other reviewers' scores are now shown." in flash(response)
    body = response.content.decode()
    assert "zz-colleague-verdict" in body and "Colin Other" in body
    assert 'name="action"' not in body  # read-only now
    assert "4.67" in body  # (5×2 + 4×1) / 3
    assert "zz-colleague-verdict" in client.get(detail_url).content.decode()


def test_submit_requires_every_criterion_and_keeps_input(
    client, organisation, cohort, criteria, reviewer
):
    review = ReviewFactory(application=submitted(cohort), reviewer=reviewer)
    client.force_login(reviewer)
    form_url = url("review", organisation, pk=review.pk)

    response = client.post(form_url, _scores(criteria, 4, comments="Half done"))

    assert response.status_code == 400
    body = response.content.decode()
    assert "Score this criterion before you submit." in body
    assert response.context["form"].errors == {
        f"c_{criteria[1].pk}": ["Score this criterion before you submit."]
    }
    kept = re.search(rf'<input type="radio" name="c_{criteria[0].pk}" value="4"[^>]*>', body)
    assert kept and "checked" in kept.group(0)
    assert "Half done" in body
    assert "Plans to grow abroad" in body and "weight ×2" in body
    review.refresh_from_db()
    assert not review.is_submitted


def test_save_keeps_a_partial_draft(client, organisation, cohort, criteria, reviewer):
    review = ReviewFactory(application=submitted(cohort), reviewer=reviewer)
    client.force_login(reviewer)
    form_url = url("review", organisation, pk=review.pk)

    response = client.post(form_url, _scores(criteria, 3, action="save", comments="Draft"))
    assert response.status_code == 302
    review.refresh_from_db()
    assert not review.is_submitted and review.comments == "Draft"
    with scopes_disabled():
        assert list(Score.objects.filter(review=review).values_list("value", flat=True)) == [3]

    response = client.get(form_url)
    assert response.context["form"].initial[f"c_{criteria[0].pk}"] == 3
    assert "1 Poor" in response.content.decode() and "5 Excellent" in response.content.decode()


def test_out_of_range_score_is_refused_next_to_the_criterion(
    client, organisation, cohort, criteria, reviewer
):
    review = ReviewFactory(application=submitted(cohort), reviewer=reviewer)
    client.force_login(reviewer)
    response = client.post(url("review", organisation, pk=review.pk), _scores(criteria, 9, 3))
    assert response.status_code == 400
    assert f"c_{criteria[0].pk}" in response.context["form"].errors
    review.refresh_from_db()
    assert not review.is_submitted


def test_double_submit_leaves_one_review(client, organisation, cohort, criteria, reviewer):
    application = submitted(cohort)
    review = ReviewFactory(application=application, reviewer=reviewer)
    client.force_login(reviewer)
    form_url = url("review", organisation, pk=review.pk)

    first = client.post(form_url, _scores(criteria, 4, 4))
    second = client.post(form_url, _scores(criteria, 1, 1))

    assert first.status_code == second.status_code == 302
    (only,) = reviews_of(application)
    assert only.is_submitted and only.weighted_score == Decimal("4.00")
    with scopes_disabled():
        assert Score.objects.filter(review=only).count() == 2
    application.refresh_from_db()
    assert application.review_count == 1
    # Saving over a submitted review is refused and changes nothing.
    response = client.post(form_url, _scores(criteria, 2, 2, action="save"))
    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()


# --- Who may see what -----------------------------------------------------------------------


def test_reviewer_without_a_review_gets_403_on_the_application_and_its_file(
    client, organisation, cohort, reviewer
):
    application = submitted(cohort, "Not Yours Ltd")
    question = QuestionFactory(cohort=cohort, kind=QuestionKind.FILE, label="Deck")
    upload = ApplicationFile.objects.create(
        organisation=organisation,
        application=application,
        question=question,
        file=SimpleUploadedFile("deck.pdf", b"%PDF-1.4 deck"),
        original_name="deck.pdf",
        content_type="application/pdf",
        size=13,
    )
    file_url = url("application-file", organisation, pk=application.pk, file_pk=upload.pk)
    client.force_login(reviewer)

    response = client.get(url("application-detail", organisation, pk=application.pk))
    assert response.status_code == 403
    assert "You can open an application once you review it." in response.content.decode()
    assert client.get(file_url).status_code == 403

    # Once it is theirs, both open.
    ReviewFactory(application=application, reviewer=reviewer)
    response = client.get(url("application-detail", organisation, pk=application.pk))
    assert response.status_code == 200
    assert "Not Yours Ltd" in response.content.decode()
    assert 'name="decision"' not in response.content.decode()  # no manager forms
    response = client.get(file_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 deck"


def test_another_reviewers_review_form_is_404(client, organisation, cohort, reviewer, colleague):
    theirs = ReviewFactory(application=submitted(cohort), reviewer=colleague)
    client.force_login(reviewer)
    assert client.get(url("review", organisation, pk=theirs.pk)).status_code == 404
    assert client.post(url("review", organisation, pk=theirs.pk), {}).status_code == 404
    assert client.post(url("review-release", organisation, pk=theirs.pk)).status_code == 404
    assert len(reviews_of(theirs.application)) == 1


def test_reviewer_cannot_decide_or_assign(client, organisation, cohort, reviewer):
    application = submitted(cohort)
    ReviewFactory(application=application, reviewer=reviewer)
    client.force_login(reviewer)
    for name in ("application-decide", "application-assign"):
        response = client.post(url(name, organisation, pk=application.pk), {"decision": "accepted"})
        assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.MENTOR, Role.GROWTH_ADVISER, Role.FUNDER])
def test_non_reviewers_get_403_on_review_pages(client, organisation, make_member, cohort, role):
    application = submitted(cohort)
    review = ReviewFactory(application=application)
    client.force_login(make_member(organisation, role).user)
    assert client.get(url("my-reviews", organisation)).status_code == 403
    assert client.get(url("review", organisation, pk=review.pk)).status_code == 403
    assert client.get(url("application-detail", organisation, pk=application.pk)).status_code == 403
    response = client.post(url("review-pick", organisation, application_pk=application.pk))
    assert response.status_code == 403
    assert len(reviews_of(application)) == 1


def test_manager_who_reviews_sees_others_only_after_submitting(
    client, organisation, make_member, cohort, criteria, colleague
):
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    application = submitted(cohort, "Managed Ltd")
    theirs = ReviewFactory(application=application, reviewer=colleague)
    client.force_login(colleague)
    client.post(url("review", organisation, pk=theirs.pk), _scores(criteria, 3, 3, comments="zz-x"))

    client.force_login(manager)
    client.post(url("review-pick", organisation, application_pk=application.pk))
    mine = [r for r in reviews_of(application) if r.reviewer == manager][0]
    body = client.get(url("review", organisation, pk=mine.pk)).content.decode()
    # Reviewing, the manager is a reviewer like any other: not swayed by the others.
    assert "zz-x" not in body
    client.post(url("review", organisation, pk=mine.pk), _scores(criteria, 4, 4))
    body = client.get(url("review", organisation, pk=mine.pk)).content.decode()
    assert "zz-x" in body


# --- Sharing out reviews --------------------------------------------------------------------


def test_assign_evenly_spreads_the_load(client, organisation, make_member, cohort):
    manager = make_member(organisation, Role.PROGRAMME_MANAGER)
    panel = [make_member(organisation, Role.REVIEWER) for _ in range(3)]
    make_member(organisation, Role.MENTOR, first_name="Mentor", last_name="Notreviewer")
    applications = [submitted(cohort, f"Even {i} Ltd") for i in range(6)]
    client.force_login(manager.user)
    page_url = url("reviewers", organisation, pk=cohort.pk)

    response = client.get(page_url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mentor Notreviewer" not in body
    assert "Ask your organisation admin" in body  # managers cannot invite
    assert response.context["page"].paginator.count == 6  # all short of reviewers

    response = client.post(
        page_url, {"reviewers": [m.pk for m in panel], "per_application": 2}, follow=True
    )
    assert "12 reviews assigned; the reviewers find them on their Reviews page." in flash(response)
    with scopes_disabled():
        per_reviewer = sorted(
            Review.objects.filter(application__cohort=cohort, reviewer=m.user).count()
            for m in panel
        )
        per_application = {Review.objects.filter(application=a).count() for a in applications}
    assert per_reviewer == [4, 4, 4]
    assert per_application == {2}
    assert sorted(row["total"] for row in response.context["load"]) == [4, 4, 4]
    assert response.context["page"].paginator.count == 0


def test_assign_evenly_explains_what_is_wrong(client, organisation, make_member, cohort):
    admin = make_member(organisation, Role.ADMIN)
    panel = [make_member(organisation, Role.REVIEWER) for _ in range(2)]
    submitted(cohort)
    client.force_login(admin.user)
    page_url = url("reviewers", organisation, pk=cohort.pk)

    response = client.post(page_url, {"reviewers": [m.pk for m in panel], "per_application": 3})
    assert response.status_code == 400
    assert "You chose 2 reviewer(s) but asked for 3 reviews per application." in (
        response.content.decode()
    )
    assert response.context["form"]["per_application"].value() == "3"

    response = client.post(page_url, {"per_application": 1})
    assert response.status_code == 400
    assert "Choose at least one reviewer." in response.content.decode()
    with scopes_disabled():
        assert not Review.objects.filter(application__cohort=cohort).exists()
    # Admins may invite an external panel member from here.
    assert reverse("portal:members", kwargs={"org_slug": organisation.slug}) in (
        client.get(page_url).content.decode()
    )


# --- Query counts ---------------------------------------------------------------------------


def _queries(client, page):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(cohort, reviewer, n):
    for i in range(n):
        ReviewFactory(application=submitted(cohort, f"Todo {i}"), reviewer=reviewer)
        ReviewFactory(
            application=submitted(cohort, f"Done {i}"),
            reviewer=reviewer,
            submitted_at=timezone.now(),
            weighted_score=Decimal("3.50"),
        )
        submitted(cohort, f"Pool {i}")


def test_my_reviews_query_count_does_not_grow(client, organisation, cohort, reviewer):
    client.force_login(reviewer)
    page = url("my-reviews", organisation)
    _grow(cohort, reviewer, 2)
    client.get(page)
    small = _queries(client, page)
    _grow(cohort, reviewer, 30)
    large = _queries(client, page)
    assert small == large
    assert large < 20


def test_review_form_query_count_does_not_grow_with_reviews(
    client, organisation, cohort, criteria, reviewer
):
    application = submitted(cohort)
    review = ReviewFactory(application=application, reviewer=reviewer, submitted_at=timezone.now())
    client.force_login(reviewer)
    page = url("review", organisation, pk=review.pk)
    ReviewFactory(application=application, submitted_at=timezone.now())
    client.get(page)
    small = _queries(client, page)
    for _ in range(5):
        ReviewFactory(application=application, submitted_at=timezone.now())
    assert _queries(client, page) == small
