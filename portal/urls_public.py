"""Public pages, no login: an organisation's page (namespace `public`)."""

from django.urls import path

from portal import views

app_name = "public"

urlpatterns = [
    path("", views.organisation_public, name="organisation"),
    path("logo", views.organisation_logo, name="organisation-logo"),
]
