"""Public pages, no login: an organisation's page (namespace `public`)."""

from django.urls import path

from cohorts import views_public
from portal import views

app_name = "public"

urlpatterns = [
    # The public page lists the organisation's open calls, so it lives with the calls.
    path("", views_public.organisation_page, name="organisation"),
    path("logo", views.organisation_logo, name="organisation-logo"),
]
