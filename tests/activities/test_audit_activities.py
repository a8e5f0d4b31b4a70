"""Bookings and decisions on programme activities land in the organisation's audit trail."""

import pytest
from django.contrib.contenttypes.models import ContentType

from activities.events import registration_cancel, registration_register
from activities.models import Registration
from portal.audit import AuditEntry
from portal.tenancy import tenant_scope
from tests.factories import CompanyMemberFactory, EnrolmentFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_event_places_booked_and_given_up_are_in_the_audit_trail():
    event = EventFactory(capacity=5)
    enrolment = EnrolmentFactory(cohort__programme=event.programme)
    founder = CompanyMemberFactory(company=enrolment.company).user
    with tenant_scope(event.organisation):
        registration = registration_register(event=event, company=enrolment.company, user=founder)
        registration_cancel(registration=registration)
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Registration),
        object_pk=str(registration.pk),
    ).order_by("timestamp")
    assert [e.organisation_id for e in entries] == [event.organisation_id] * len(entries)
    assert entries.first().action == AuditEntry.Action.CREATE
    assert entries.last().changes_dict["status"] == ["registered", "cancelled"]
    assert all(e.company_id == enrolment.company_id for e in entries)
