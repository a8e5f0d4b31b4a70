"""Certificates of attendance: a one-page PDF (WeasyPrint) that many funders ask for as
evidence. Only for a company marked as having attended."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from activities import events as services
from activities.models import Event, Registration
from portal.pdf import html_to_pdf, logo_data_uri

_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")


def check_certificate(registration: Registration) -> None:
    """Refuse, with the reason, a certificate for anyone who did not attend."""
    if registration.event.status == Event.Status.CANCELLED:
        raise ValidationError("This event was cancelled.")
    if registration.status != Registration.Status.REGISTERED:
        raise ValidationError("A certificate is for a company that had a place at the event.")
    if registration.attendance == Registration.Attendance.NO_SHOW:
        raise ValidationError("The organisers recorded that your company did not attend.")
    if registration.attendance != Registration.Attendance.ATTENDED:
        raise ValidationError(
            "Attendance has not been recorded yet. The certificate is available once the "
            "organisers mark you as having attended."
        )


def certificate_context(registration: Registration, *, person: str) -> dict:
    event = registration.event
    organisation = event.organisation
    zone = services.event_zone(event)
    colour = organisation.accent_colour or ""
    return {
        "organisation": organisation,
        "brand": colour if _COLOUR.match(colour) else "#0b5394",
        "logo": logo_data_uri(organisation),
        "event": event,
        "company": registration.company,
        "person": person,
        "starts": timezone.localtime(event.starts_at, zone),
        "ends": timezone.localtime(event.ends_at, zone),
        "duration": services.duration_text(event),
        "issued_on": timezone.localdate(timezone.now(), zone),
        "reference": f"EV{event.pk}-R{registration.pk}",
    }


def certificate_pdf(registration: Registration, *, person: str) -> bytes:
    """The certificate as PDF bytes, after check_certificate."""
    check_certificate(registration)
    return html_to_pdf(
        render_to_string(
            "activities/events/certificate.html",
            certificate_context(registration, person=person),
        )
    )


def certificate_filename(registration: Registration) -> str:
    event = registration.event
    day = timezone.localdate(event.starts_at, services.event_zone(event))
    return f"certificate-{slugify(event.title)[:40]}-{day.isoformat()}.pdf"
