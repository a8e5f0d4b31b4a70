"""The weekly digest of companies overdue for an adviser's contact.

One AdviserDigest row per adviser per week (Monday in the organisation's time zone) is the
record that the digest went out: it is claimed under a row lock with `sent_at` empty, the
e-mail is queued and `sent_at` set in the same transaction, so two workers, or the hourly
beat running all week, send each adviser one digest a week."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mentoring import selectors_matching as selectors
from mentoring.models import AdviserDigest
from portal.models import Organisation
from portal.services import email_enqueue
from portal.tenancy import tenant_scope


def week_starting(*, organisation, now: datetime) -> date:
    today = selectors.local_today(organisation=organisation, now=now)
    return today - timedelta(days=today.weekday())


def digests_send(*, now: datetime | None = None) -> int:
    """Send this week's digest to every adviser with overdue companies, in every
    organisation, once. Returns how many digests were sent by this call."""
    now = now or timezone.now()
    sent = 0
    for organisation in Organisation.objects.order_by("pk"):
        with tenant_scope(organisation):
            sent += _send_for(organisation=organisation, now=now)
    return sent


def _send_for(*, organisation, now: datetime) -> int:
    monday = week_starting(organisation=organisation, now=now)
    already = set(
        AdviserDigest.objects.filter(
            organisation=organisation, week_starting=monday, sent_at__isnull=False
        ).values_list("adviser_id", flat=True)
    )
    plan = selectors.digest_plan(organisation=organisation, now=now)
    sent = 0
    for adviser, lists in plan.items():
        if adviser.pk in already:
            continue
        with transaction.atomic():
            digest, _ = AdviserDigest.objects.get_or_create(
                organisation=organisation, adviser=adviser, week_starting=monday
            )
            claimed = (
                AdviserDigest.objects.select_for_update()
                .filter(pk=digest.pk, sent_at__isnull=True)
                .first()
            )
            if claimed is None:
                continue
            email_enqueue(
                to=adviser.email,
                subject=_subject(lists),
                template="emails/adviser_digest",
                context={
                    "adviser": adviser,
                    "week_starting": monday,
                    "mine": [_line(organisation, e) for e in lists["mine"]],
                    "unassigned": [_line(organisation, e) for e in lists["unassigned"]],
                    "overdue_url": reverse(
                        "mentoring:overdue", kwargs={"org_slug": organisation.slug}
                    ),
                },
                organisation=organisation,
            )
            claimed.sent_at = now
            claimed.save(update_fields=["sent_at"])
            sent += 1
    return sent


def _subject(lists: dict) -> str:
    count = len(lists["mine"]) + len(lists["unassigned"])
    return f"{count} compan{'y is' if count == 1 else 'ies are'} due a contact this week"


def _line(organisation, enrolment) -> dict:
    return {
        "company": enrolment.company.name,
        "cohort": str(enrolment.cohort),
        "last_contact_on": enrolment.last_contact_on,
        "next_contact_due": enrolment.next_contact_due,
        "url": reverse(
            "mentoring:enrolment", kwargs={"org_slug": organisation.slug, "pk": enrolment.pk}
        ),
    }
