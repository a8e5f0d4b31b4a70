"""Staff pages of programmes and funders, under /<org-slug>/ (namespace `programmes`)."""

from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/new/", views.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/grants/new/", views.grant_create, name="grant-create"),
    path(
        "programmes/<int:pk>/grants/<int:grant_pk>/delete/",
        views.grant_delete,
        name="grant-delete",
    ),
    path("programmes/<int:pk>/targets/", views.targets, name="targets"),
    path("funders/", views.funder_list, name="funder-list"),
    path("funders/<int:pk>/", views.funder_edit, name="funder-edit"),
]
