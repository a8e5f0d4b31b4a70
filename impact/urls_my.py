"""The SME's impact pages under /my/ (namespace `my-impact`): starting figures."""

from django.urls import path

from impact import views_my

app_name = "my-impact"

urlpatterns = [
    path("enrolments/<int:pk>/baseline/", views_my.baseline, name="baseline"),
]
