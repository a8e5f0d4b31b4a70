"""The per-user calendar feed, at /calendar/<token>.ics: no login, the token is the key."""

from django.urls import path

from activities import views_my_events

app_name = "calendar"

urlpatterns = [
    path("<str:token>.ics", views_my_events.calendar_feed, name="feed"),
]
