"""Survey links: /s/<token>/, no login (namespace `surveys`)."""

from django.urls import path

from impact import views_public

app_name = "surveys"

urlpatterns = [
    path("<str:token>/", views_public.answer, name="answer"),
]
