"""Become a mentor: /o/<org-slug>/mentors/apply/ (namespace `mentor-recruitment`)."""

from django.urls import path

from mentoring import views_recruitment

app_name = "mentor-recruitment"

urlpatterns = [
    path("apply/", views_recruitment.apply, name="apply"),
]
