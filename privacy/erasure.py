"""Erasure of a person: the request, each organisation's approval, the anonymisation when
every organisation holding their data has confirmed. Services: keyword-only, no request.

A person asks once (one pending request at a time). Each organisation that holds data
about them gets an ErasureApproval row and its admins an e-mail; an admin confirms, or
refuses with a reason, which ends the request and tells the person why. When the last
organisation confirms (or when no organisation holds anything) the account is anonymised
in place by privacy.anonymise.anonymise_user.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.models import Membership, Organisation, User
from portal.roles import Role
from portal.services import email_enqueue
from portal.tenancy import scopes_disabled
from privacy.anonymise import anonymise_company, anonymise_user, other_organisations_know
from privacy.models import CompanyWithdrawal, ErasureApproval, ErasureRequest
from privacy.selectors import organisations_holding_data


def _last_admin_of(user: User) -> list[Organisation]:
    """Organisations the person is the only admin of: erasing them would leave nobody to
    run it."""
    alone = []
    for membership in Membership.objects.filter(user=user, role=Role.ADMIN).select_related(
        "organisation"
    ):
        if membership.organisation.memberships.filter(role=Role.ADMIN).count() <= 1:
            alone.append(membership.organisation)
    return alone


def erasure_request(*, user: User) -> ErasureRequest:
    """Record a person's request to be erased; ask each organisation holding their data;
    erase at once if none does. Refused while a request is pending, or while the person is
    the only admin of an organisation."""
    if ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.PENDING).exists():
        raise ValidationError("You have already asked to be erased; the request is pending.")
    alone = _last_admin_of(user)
    if alone:
        names = ", ".join(o.name for o in alone)
        raise ValidationError(
            f"You are the only admin of {names}. Make another member an admin first, so "
            "the organisation is not left without one."
        )
    held = organisations_holding_data(user=user)
    with transaction.atomic():
        try:
            with transaction.atomic():
                erasure = ErasureRequest.objects.create(user=user)
        except IntegrityError as exc:  # a second request that raced the check above
            raise ValidationError(
                "You have already asked to be erased; the request is pending."
            ) from exc
        for holding in held:
            ErasureApproval.objects.create(
                request=erasure, organisation=holding.organisation, holdings=holding.reasons
            )
            _tell_admins(holding.organisation, erasure)
        if not held:
            _complete(erasure)
    return erasure


def _tell_admins(organisation: Organisation, erasure: ErasureRequest) -> None:
    admins = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Role.ADMIN, is_active=True
    ).exclude(pk=erasure.user_id)
    for admin in admins:
        email_enqueue(
            to=admin.email,
            subject=f"Erasure request to confirm at {organisation.name}",
            template="privacy/erasure/emails/request_arrived",
            context={"admin": admin, "person": erasure.user},
            organisation=organisation,
        )


def erasure_cancel(*, erasure: ErasureRequest) -> ErasureRequest:
    """The person changes their mind while organisations are still deciding."""
    with transaction.atomic():
        erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
        if not erasure.is_pending:
            raise ValidationError("This request has already been decided.")
        erasure.status = ErasureRequest.Status.CANCELLED
        erasure.decided_at = timezone.now()
        erasure.save(update_fields=["status", "decided_at"])
        with scopes_disabled():
            erasure.approvals.filter(status=ErasureApproval.Status.PENDING).update(
                status=ErasureApproval.Status.CLOSED
            )
    return erasure


def _locked(approval: ErasureApproval) -> tuple[ErasureApproval, ErasureRequest]:
    """Lock the request, then re-read the approval: two admins deciding at once are
    serialised, and the second sees the first's decision."""
    erasure = ErasureRequest.objects.select_for_update().get(pk=approval.request_id)
    approval = ErasureApproval.objects.get(pk=approval.pk)
    if not erasure.is_pending or approval.status != ErasureApproval.Status.PENDING:
        raise ValidationError("This request has already been decided.")
    return approval, erasure


def approval_confirm(*, approval: ErasureApproval, by: User) -> ErasureApproval:
    """An admin confirms for their organisation; the last confirmation erases the person."""
    with transaction.atomic(), scopes_disabled():
        approval, erasure = _locked(approval)
        approval.status = ErasureApproval.Status.CONFIRMED
        approval.decided_by = by
        approval.decided_at = timezone.now()
        approval.save(update_fields=["status", "decided_by", "decided_at"])
        if not erasure.approvals.exclude(status=ErasureApproval.Status.CONFIRMED).exists():
            _complete(erasure)
    return approval


def approval_refuse(*, approval: ErasureApproval, by: User, reason: str) -> ErasureApproval:
    """An admin refuses for their organisation, with a reason the person is sent. The
    request ends; the other organisations' pending approvals are closed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the person knows what to do next."})
    with transaction.atomic(), scopes_disabled():
        approval, erasure = _locked(approval)
        now = timezone.now()
        approval.status = ErasureApproval.Status.REFUSED
        approval.decided_by = by
        approval.decided_at = now
        approval.refusal_reason = reason
        approval.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
        erasure.approvals.filter(status=ErasureApproval.Status.PENDING).update(
            status=ErasureApproval.Status.CLOSED
        )
        erasure.status = ErasureRequest.Status.REFUSED
        erasure.decided_at = now
        erasure.save(update_fields=["status", "decided_at"])
        email_enqueue(
            to=erasure.user.email,
            subject=f"{approval.organisation.name} could not erase your data",
            template="privacy/erasure/emails/refused",
            context={"person": erasure.user, "approval": approval},
            organisation=approval.organisation,
        )
    return approval


def _complete(erasure: ErasureRequest) -> None:
    user = erasure.user
    # Told before the address is overwritten; the outbox keeps this one queued message.
    email_enqueue(
        to=user.email,
        subject="Your account has been erased",
        template="privacy/erasure/emails/completed",
        context={"person": user},
    )
    erasure.counts = anonymise_user(user=user)
    erasure.status = ErasureRequest.Status.COMPLETED
    erasure.decided_at = timezone.now()
    erasure.save(update_fields=["counts", "status", "decided_at"])


# --- Companies withdrawn from an organisation's data --------------------------------------------


def company_withdraw(*, company, organisation: Organisation, by: User) -> CompanyWithdrawal:
    """A manager withdraws a company from the organisation's data (the company asked, or
    the organisation no longer has grounds to keep it): see anonymise_company."""
    with transaction.atomic():
        profile_anonymised = not other_organisations_know(company, organisation)
        counts = anonymise_company(company=company, organisation=organisation)
        return CompanyWithdrawal.objects.create(
            organisation=organisation,
            company=company,
            withdrawn_by=by,
            profile_anonymised=profile_anonymised,
            counts=counts,
        )
