"""The SME's mentoring pages under /my/mentoring/ (namespace `my-mentoring`)."""

from django.urls import path

from mentoring import views_my

app_name = "my-mentoring"

urlpatterns = [
    path("mentoring/", views_my.overview, name="overview"),
    path("mentoring/diagnoses/<int:pk>/", views_my.diagnosis, name="diagnosis"),
    path("mentoring/matches/<int:pk>/book/", views_my.book, name="book"),
    path("mentoring/sessions/<int:pk>/", views_my.session, name="session"),
    path("mentoring/sessions/<int:pk>/cancel/", views_my.session_cancel, name="session-cancel"),
    path("mentoring/sessions/<int:pk>/invite.ics", views_my.session_ics, name="session-ics"),
]
