"""`{% record_history record %}`: a record's own audit history, for its staff page."""

from django import template
from django.db import models

from portal import audit
from portal.roles import STAFF, Role

register = template.Library()


@register.inclusion_tag("portal/audit/_history_list.html", takes_context=True)
def record_history(context, record, limit=20):
    request = context.get("request")
    membership = getattr(request, "membership", None)
    # `record` may be missing (e.g. `matches.0` of an enrolment without a match yet).
    if not isinstance(record, models.Model) or membership is None or membership.role not in STAFF:
        return {"show": False}
    entries = audit.entries_of_record(
        organisation=request.organisation, record=record, limit=limit + 1
    )
    return {
        "show": True,
        "entries": entries[:limit],
        "more": len(entries) > limit,
        "record": record,
        "is_company": record._meta.label_lower == "cohorts.company",
        "content_type_id": audit.ContentType.objects.get_for_model(record).pk,
        "is_admin": membership.role == Role.ADMIN,
        "organisation": request.organisation,
    }
