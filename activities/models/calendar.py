"""A person's calendar feed: a secret URL a calendar app subscribes to."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """Global like the user: the feed gathers their events, missions and group meetings
    across organisations. Regenerating the token kills the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    def regenerate(self) -> None:
        self.token = _feed_token()
        self.save(update_fields=["token"])
