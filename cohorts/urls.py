"""Staff pages of cohorts, applications, review and selection, under /<org-slug>/
(namespace `cohorts`)."""

from django.urls import path

from cohorts import views_manage as manage
from cohorts import views_referrals as referrals
from cohorts import views_review as review

app_name = "cohorts"

urlpatterns = [
    # Cohorts and their set-up (views_manage)
    path("cohorts/", manage.cohort_list, name="cohort-list"),
    path("programmes/<int:programme_pk>/cohorts/new/", manage.cohort_create, name="cohort-create"),
    path("cohorts/<int:pk>/", manage.cohort_detail, name="cohort-detail"),
    path("cohorts/<int:pk>/edit/", manage.cohort_edit, name="cohort-edit"),
    path("cohorts/<int:pk>/move/", manage.cohort_move, name="cohort-move"),
    path("cohorts/<int:pk>/form/", manage.form_builder, name="form-builder"),
    path("cohorts/<int:pk>/form/<int:question_pk>/", manage.question_edit, name="question-edit"),
    path(
        "cohorts/<int:pk>/form/<int:question_pk>/delete/",
        manage.question_delete,
        name="question-delete",
    ),
    path(
        "cohorts/<int:pk>/form/<int:question_pk>/move/",
        manage.question_move,
        name="question-move",
    ),
    path("cohorts/<int:pk>/criteria/", manage.criteria, name="criteria"),
    path(
        "cohorts/<int:pk>/criteria/<int:criterion_pk>/delete/",
        manage.criterion_delete,
        name="criterion-delete",
    ),
    path("cohorts/<int:pk>/roster/", manage.roster, name="roster"),
    path("cohorts/<int:pk>/export/<str:what>.<str:fmt>", manage.export, name="export"),
    path("enrolments/<int:pk>/withdraw/", manage.enrolment_withdraw, name="enrolment-withdraw"),
    path("companies/", manage.company_list, name="company-list"),
    path("companies/<int:pk>/", manage.company_detail, name="company-detail"),
    # Referrals to partner organisations (views_referrals)
    path("companies/<int:pk>/refer/", referrals.referral_create, name="referral-create"),
    path("referrals/", referrals.referral_list, name="referral-list"),
    path("referrals/<int:pk>/", referrals.referral_received, name="referral-received"),
    path("referrals/<int:pk>/cancel/", referrals.referral_cancel, name="referral-cancel"),
    # Review and selection (views_review)
    path("cohorts/<int:pk>/applications/", review.board, name="board"),
    path("cohorts/<int:pk>/reviewers/", review.reviewers, name="reviewers"),
    path("cohorts/<int:pk>/promote/", review.promote, name="promote"),
    path("applications/<int:pk>/", review.application_detail, name="application-detail"),
    path("applications/<int:pk>/decide/", review.decide, name="application-decide"),
    path("applications/<int:pk>/assign/", review.assign, name="application-assign"),
    path(
        "applications/<int:pk>/files/<int:file_pk>/",
        review.application_file,
        name="application-file",
    ),
    path("reviews/", review.my_reviews, name="my-reviews"),
    path("reviews/pick/<int:application_pk>/", review.pick, name="review-pick"),
    path("reviews/<int:pk>/", review.review_form, name="review"),
    path("reviews/<int:pk>/release/", review.release, name="review-release"),
]
