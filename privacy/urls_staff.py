"""Staff pages of data rights under /<org-slug>/privacy/ (namespace `privacy-staff`)."""

from django.urls import path

from privacy import views_staff

app_name = "privacy-staff"

urlpatterns: list = [
    # Erasure, company withdrawal and retention (R2)
    path("privacy/erasure/", views_staff.erasure_list, name="erasure-list"),
    path("privacy/erasure/<int:pk>/", views_staff.erasure_detail, name="erasure-detail"),
    path("privacy/erasure/<int:pk>/confirm/", views_staff.erasure_confirm, name="erasure-confirm"),
    path("privacy/erasure/<int:pk>/refuse/", views_staff.erasure_refuse, name="erasure-refuse"),
    path(
        "privacy/companies/<int:pk>/withdraw/",
        views_staff.company_withdraw,
        name="company-withdraw",
    ),
    path("privacy/retention/", views_staff.retention, name="retention"),
]
