"""A signed-in person's own data-rights pages under /privacy/ (namespace `privacy`)."""

from django.urls import path

from privacy import views, views_erasure

app_name = "privacy"

urlpatterns: list = [
    # Subject access (R3)
    path("", views.overview, name="overview"),
    path("export/", views.export_request, name="export-request"),
    path("export/<str:token>/", views.export_detail, name="export"),
    path("export/<str:token>/download/", views.export_download, name="export-download"),
    # Erasure (R2)
    path("erasure/", views_erasure.erasure_request, name="erasure-request"),
    path("erasure/<int:pk>/cancel/", views_erasure.erasure_cancel, name="erasure-cancel"),
]
