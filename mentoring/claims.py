"""Mentors' monthly fee claims: built from the month's held sessions (and mentee no-shows
when the programme pays for them) at each session's fee, submitted by the mentor, approved
or queried by a manager. A session belongs to one claim at most (a foreign key), and claims
of one mentor are built under a lock on the mentor's row, so two tabs cannot link a session
twice or total it wrong."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from mentoring.models import FeeClaim, MentoringSession, MentorProfile
from mentoring.periods import month_bounds
from portal.services import email_enqueue

# A claim can be rebuilt while it is the mentor's to change.
OPEN_STATUSES = (FeeClaim.Status.DRAFT, FeeClaim.Status.QUERIED)


def payable_q(prefix: str = "") -> Q:
    """Sessions a mentor is paid for: held, or a mentee no-show when the session's programme
    pays for those (the model's default, when a programme has no settings row, is to pay)."""
    settings_path = f"{prefix}match__enrolment__cohort__programme__mentoring_settings"
    pays = Q(**{f"{settings_path}__pay_mentee_no_show": True}) | Q(
        **{f"{settings_path}__isnull": True}
    )
    return Q(**{f"{prefix}status": MentoringSession.Status.HELD}) | (
        Q(**{f"{prefix}status": MentoringSession.Status.MENTEE_NO_SHOW}) & pays
    )


def payable_sessions(*, mentor: MentorProfile, month: date) -> QuerySet[MentoringSession]:
    first, following = month_bounds(month, mentor.organisation.time_zone)
    return MentoringSession.objects.filter(
        mentor=mentor, starts_at__gte=first, starts_at__lt=following
    ).filter(payable_q())


def claimable_months(*, organisation, now: datetime | None = None, count: int = 12) -> list[date]:
    """The last `count` complete months, most recent first."""
    now = now or timezone.now()
    today = timezone.localtime(now, zoneinfo.ZoneInfo(organisation.time_zone)).date()
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(date(year, month, 1))
    return months


def claim_build(*, mentor: MentorProfile, month: date, now: datetime | None = None) -> FeeClaim:
    """Create or refresh the mentor's claim for a month that has ended: link the month's
    payable sessions not in another claim, unlink those no longer payable, and total them."""
    now = now or timezone.now()
    month = month.replace(day=1)
    if month not in claimable_months(organisation=mentor.organisation, now=now, count=120):
        raise ValidationError({"month": "Claim a month once it has ended."})
    with transaction.atomic():
        MentorProfile.objects.select_for_update().get(pk=mentor.pk)
        claim = FeeClaim.objects.filter(mentor=mentor, month=month).first()
        eligible = payable_sessions(mentor=mentor, month=month)
        if claim is None:
            if not eligible.filter(claim__isnull=True).exists():
                raise ValidationError(
                    {"month": f"There are no held sessions to claim in {month:%B %Y}."}
                )
            claim = FeeClaim.objects.create(
                organisation_id=mentor.organisation_id, mentor=mentor, month=month
            )
        elif claim.status not in OPEN_STATUSES:
            raise ValidationError(
                f"The claim for {month:%B %Y} is {claim.get_status_display().lower()}; "
                "it can no longer change."
            )
        ids = list(
            eligible.filter(Q(claim__isnull=True) | Q(claim=claim)).values_list("pk", flat=True)
        )
        MentoringSession.objects.filter(claim=claim).exclude(pk__in=ids).update(claim=None)
        MentoringSession.objects.filter(pk__in=ids).update(claim=claim)
        totals = MentoringSession.objects.filter(claim=claim).aggregate(
            count=Count("pk"), amount=Sum("fee")
        )
        claim.session_count = totals["count"]
        claim.amount = totals["amount"] or Decimal("0")
        claim.save(update_fields=["session_count", "amount"])
    return claim


def claim_submit(
    *, claim: FeeClaim, mentor: MentorProfile, now: datetime | None = None
) -> FeeClaim:
    """The mentor sends the claim (refreshed first) to the managers."""
    now = now or timezone.now()
    if claim.mentor_id != mentor.pk:
        raise ValidationError("Only the mentor can submit their claim.")
    with transaction.atomic():
        claim = claim_build(mentor=mentor, month=claim.month, now=now)
        claim = FeeClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.session_count == 0:
            raise ValidationError("There is nothing to claim in this month.")
        claim.status = FeeClaim.Status.SUBMITTED
        claim.submitted_at = now
        claim.save(update_fields=["status", "submitted_at"])
    return claim


def claim_decide(
    *, claim: FeeClaim, by, approve: bool, note: str = "", now: datetime | None = None
) -> FeeClaim:
    """A manager approves a submitted claim, or queries it with a note; the mentor hears."""
    now = now or timezone.now()
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": "Say what needs checking, so the mentor can answer."})
    with transaction.atomic():
        locked = (
            FeeClaim.objects.select_for_update(of=("self",))
            .select_related("mentor__user", "organisation")
            .get(pk=claim.pk)
        )
        if locked.status != FeeClaim.Status.SUBMITTED:
            raise ValidationError("Only a submitted claim can be approved or queried.")
        locked.status = FeeClaim.Status.APPROVED if approve else FeeClaim.Status.QUERIED
        locked.decided_by = by
        locked.decided_at = now
        locked.query_note = "" if approve else note
        locked.save(update_fields=["status", "decided_by", "decided_at", "query_note"])
        email_enqueue(
            to=locked.mentor.user.email,
            subject=f"Your fee claim for {locked.month:%B %Y} was "
            + ("approved" if approve else "queried"),
            template="emails/claim_approved" if approve else "emails/claim_queried",
            context={
                "claim": locked,
                "claim_url": reverse(
                    "mentoring:claim",
                    kwargs={"org_slug": locked.organisation.slug, "pk": locked.pk},
                ),
            },
            organisation=locked.organisation,
        )
    return locked
