"""The portal-wide directory of open calls (namespace `calls`), no login."""

from django.urls import path

from cohorts import views_public

app_name = "calls"

urlpatterns = [
    path("", views_public.directory, name="directory"),
    path("<slug:org_slug>/<int:pk>/", views_public.call_detail, name="call-detail"),
]
