"""The SME front door under /my/ (namespace `my`)."""

from django.urls import path

from cohorts import views_my, views_referrals

app_name = "my"

urlpatterns = [
    path("", views_my.dashboard, name="dashboard"),
    path("companies/new/", views_my.company_create, name="company-create"),
    path("companies/<int:pk>/", views_my.company_detail, name="company"),
    path("companies/<int:pk>/colleagues/", views_my.colleagues, name="colleagues"),
    path("colleagues/<str:token>/", views_my.colleague_accept, name="colleague-accept"),
    path("apply/<int:cohort_pk>/", views_my.apply, name="apply"),
    path("applications/<int:pk>/", views_my.application, name="application"),
    path(
        "applications/<int:pk>/withdraw/",
        views_my.application_withdraw,
        name="application-withdraw",
    ),
    path(
        "applications/<int:pk>/files/<int:file_pk>/",
        views_my.application_file,
        name="application-file",
    ),
    path("referrals/", views_referrals.my_referrals, name="referrals"),
    path("referrals/<int:pk>/", views_referrals.my_referral, name="referral"),
    path("referrals/<int:pk>/answer/", views_referrals.my_referral_answer, name="referral-answer"),
    path(
        "referrals/<int:pk>/withdraw/",
        views_referrals.my_referral_withdraw,
        name="referral-withdraw",
    ),
]
