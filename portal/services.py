"""Writes for accounts and tenancy. Plain keyword-only functions: no request, no messages."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from portal.models import Invitation, Membership, Organisation, OutgoingEmail, User
from portal.permissions import can_change_membership, can_manage_members
from portal.roles import Role

logger = logging.getLogger(__name__)


# --- The e-mail outbox ----------------------------------------------------------------------


def email_enqueue(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    organisation: Organisation | None = None,
    attachments: list[dict] | None = None,
) -> OutgoingEmail:
    """Record an e-mail in the outbox and have it sent once the transaction commits.

    `template` names a pair `<template>.txt` and `<template>.html` under templates/; the
    HTML part is optional. `attachments` are small text files (an .ics invitation):
    dicts with name, content and type. If the worker is down the periodic flush sends it later.
    """
    from portal.tasks import send_outgoing_email

    context = {"site_url": settings.SITE_URL, "organisation": organisation, **context}
    body = render_to_string(f"{template}.txt", context).strip() + "\n"
    try:
        html_body = render_to_string(f"{template}.html", context)
    except Exception:  # noqa: BLE001 - the HTML part is optional
        html_body = ""
    message = OutgoingEmail.objects.create(
        organisation=organisation,
        to=to,
        subject=subject.strip(),
        body=body,
        html_body=html_body,
        reply_to=(organisation.contact_email if organisation else ""),
        attachments=attachments or [],
    )
    transaction.on_commit(lambda: send_outgoing_email.delay(message.pk))
    return message


def email_send(*, email_id: int) -> bool:
    """Send one queued e-mail exactly once: claim the row under a lock, send, record the
    send in the same transaction. Returns True if this call sent it.

    If the process dies after the mail server accepted the message but before the commit,
    the row is still queued and will be sent again: that window is unavoidable without a
    mail server that deduplicates, and it is as short as one SMTP round trip.
    """
    with transaction.atomic():
        message = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutgoingEmail.Status.QUEUED)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            reply_to=[message.reply_to] if message.reply_to else None,
            # One Message-ID per outbox row: a resend after a crash in the window above
            # carries the same id, which mail systems use to drop the duplicate.
            headers={"Message-ID": f"<outbox-{message.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"},
        )
        if message.html_body:
            mail.attach_alternative(message.html_body, "text/html")
        for item in message.attachments:
            mail.attach(item["name"], item["content"], item.get("type", "text/plain"))
        try:
            mail.send()
        except Exception as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutgoingEmail.Status.FAILED
            else:
                # Back off: 2, 4, 8 … minutes, at most 6 hours, so a mail server that is down
                # for a day loses nothing.
                minutes = min(2**message.attempts, 360)
                message.next_attempt_at = timezone.now() + timezone.timedelta(minutes=minutes)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("Sending e-mail %s failed: %s", message.pk, exc)
            return False
        message.status = OutgoingEmail.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


MAX_ATTEMPTS = 12


def outbox_flush(*, older_than_seconds: int = 30, limit: int = 200) -> int:
    """Send queued e-mails whose immediate send did not happen (worker down, crash, SMTP
    error) and whose next attempt is due. Returns how many were sent."""
    now = timezone.now()
    cutoff = now - timezone.timedelta(seconds=older_than_seconds)
    pending = list(
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, created_at__lte=cutoff)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(email_send(email_id=pk) for pk in pending)


# --- Invitations and memberships ------------------------------------------------------------


def invitation_create(
    *, organisation: Organisation, email: str, role: str, invited_by: User
) -> Invitation:
    """Invite someone by e-mail to a role. A pending invitation to the same address is
    replaced, so that re-inviting sends a fresh link rather than failing."""
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {organisation.name}."})
    with transaction.atomic():
        Invitation.objects.filter(
            organisation=organisation, email=email, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.REVOKED)
        invitation = Invitation(
            organisation=organisation, email=email, role=role, invited_by=invited_by
        )
        invitation.full_clean()
        invitation.save()
        email_enqueue(
            to=email,
            subject=f"You are invited to join {organisation.name}",
            template="emails/invitation",
            context={"invitation": invitation, "invited_by": invited_by},
            organisation=organisation,
        )
    return invitation


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.status == Invitation.Status.PENDING:
        invitation.status = Invitation.Status.REVOKED
        invitation.save(update_fields=["status"])
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Turn an invitation into a membership. The signed-in user's address must be the one
    invited. Accepting twice (a double click) returns the same membership."""
    if invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_by_id == user.pk:
        return Membership.objects.get(user=user, organisation_id=invitation.organisation_id)
    if not invitation.is_usable:
        raise ValidationError("This invitation is no longer valid. Ask for a new one.")
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}, but you are signed in as "
            f"{user.email}. Sign in with the invited address to accept it."
        )
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.ACCEPTED, accepted_at=timezone.now(), accepted_by=user)
        membership = Membership.objects.filter(
            user=user, organisation_id=invitation.organisation_id
        ).first()
        if membership is None:
            try:
                with transaction.atomic():
                    membership = Membership.objects.create(
                        user=user, organisation_id=invitation.organisation_id, role=invitation.role
                    )
            except IntegrityError:
                membership = Membership.objects.get(
                    user=user, organisation_id=invitation.organisation_id
                )
        elif claimed:
            # An existing member invited again takes the newly offered role.
            membership.role = invitation.role
            membership.save(update_fields=["role"])
    invitation.refresh_from_db()
    return membership


def invitations_expire(*, now=None) -> int:
    """Mark pending invitations past their date as expired (periodic). Crosses tenants on
    purpose, and the caller disables scopes for it."""
    now = now or timezone.now()
    return Invitation.objects.filter(status=Invitation.Status.PENDING, expires_at__lte=now).update(
        status=Invitation.Status.EXPIRED
    )


def membership_change_role(*, actor: Membership, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the listed roles."})
    permission = (
        can_manage_members(actor)
        if role == Role.ADMIN
        else can_change_membership(actor, membership)
    )
    if not permission:
        raise ValidationError(permission.reason)
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


def membership_remove(*, actor: Membership, membership: Membership) -> None:
    permission = can_change_membership(actor, membership)
    if not permission:
        raise ValidationError(permission.reason)
    membership.delete()


def organisation_create(*, name: str, slug: str, admin: User, **fields) -> Organisation:
    """Create an organisation with its first admin."""
    organisation = Organisation(name=name, slug=slug, **fields)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)
    return organisation
