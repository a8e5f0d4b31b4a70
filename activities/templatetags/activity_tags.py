"""Template tags of programme activities: the company record on the staff company page, the
activity panels of the SME dashboard, and instants shown in the zone they happen in."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django import template
from django.utils import dateformat
from django.utils.html import format_html

from activities import selectors

register = template.Library()

BADGES = {
    # Registrations and attendance
    "registered": "text-bg-success",
    "waitlisted": "text-bg-warning",
    "declined": "text-bg-secondary",
    "cancelled": "text-bg-light border",
    "attended": "text-bg-success",
    "no_show": "text-bg-danger",
    # Delegates
    "applied": "text-bg-primary",
    "selected": "text-bg-success",
    "withdrawn": "text-bg-light border",
    # Proposals
    "submitted": "text-bg-primary",
    "shortlisted": "text-bg-info",
    "won": "text-bg-success",
    "not_selected": "text-bg-secondary",
}


@register.simple_tag
def status_badge(value: str, label: str):
    """A status as a pill, coloured by what it means (a place, a waitlist, a no-show ...)."""
    css = BADGES.get(value, "text-bg-light border")
    return format_html('<span class="badge rounded-pill {}">{}</span>', css, label)


def zone_label(zone: str) -> str:
    """ "America/New_York" → "New York"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


@register.simple_tag
def zoned(instant: datetime | None, zone: str, home_zone: str = "", fmt: str = "D j M Y, H:i"):
    """An instant in the zone it happens in, labelled with that zone; where `home_zone`
    (the organisation's) differs, the same instant in the home zone beside it."""
    if instant is None:
        return ""
    here = instant.astimezone(zoneinfo.ZoneInfo(zone))
    text = format_html(
        '{} <span class="text-body-secondary">{} time</span>',
        dateformat.format(here, fmt),
        zone_label(zone),
    )
    if not home_zone or home_zone == zone:
        return text
    home = instant.astimezone(zoneinfo.ZoneInfo(home_zone))
    if home.utcoffset() == here.utcoffset():
        return text
    home_fmt = "H:i" if home.date() == here.date() else "D j M, H:i"
    return format_html(
        '{} <span class="small text-body-secondary text-nowrap">({} {} time)</span>',
        text,
        dateformat.format(home, home_fmt),
        zone_label(home_zone),
    )


@register.inclusion_tag("activities/partials/company_record.html", takes_context=True)
def company_activities(context, company):
    """The company page's activity panel: what the current organisation runs that the
    company takes part in."""
    organisation = context["current_organisation"]
    return {
        "company": company,
        "organisation": organisation,
        "slug": organisation.slug,
        "record": selectors.company_activities(organisation=organisation, company=company),
    }


@register.inclusion_tag("activities/my/overview.html", takes_context=True)
def my_activities(context):
    """The SME dashboard's panels: my events, my missions, my group, my consortia."""
    request = context["request"]
    return {"mine": selectors.my_activities(user=request.user)}
