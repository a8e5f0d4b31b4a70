"""The SME front door under /my/ (namespace `my`)."""

from django.urls import path

from cohorts import views_my

app_name = "my"

urlpatterns = [
    path("", views_my.dashboard, name="dashboard"),
    path("companies/new/", views_my.company_create, name="company-create"),
    path("companies/<int:pk>/", views_my.company_detail, name="company"),
]
