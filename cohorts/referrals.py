"""One-stop-shop referrals: sharing a company's profile with a partner organisation, only with
the company's consent (Issue 8, consent and sharing).

Writes (referral_*) and reads (referrals_*) for the staff pages of both organisations and the
company's /my/ pages. A referral belongs to the referring organisation; the partner reads it
across tenants, which the partner's selectors do explicitly and only for consented rows.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cohorts.models import Company, CompanyMember, Referral
from cohorts.selectors import companies_of_organisation
from portal.models import User
from portal.roles import MANAGERS, STAFF
from portal.services import email_enqueue
from portal.tenancy import scopes_disabled

LIVE = (Referral.Status.PENDING, Referral.Status.CONSENTED)


# --- Writes -------------------------------------------------------------------------------


def referral_create(*, organisation, company: Company, partner, note: str, by) -> Referral:
    """Propose to share the company's profile with a partner; e-mail the company's owners,
    who consent or decline on /my/. The partner sees nothing yet."""
    if not organisation.partners.filter(pk=partner.pk).exists():
        raise ValidationError({"partner": "Choose one of your partner organisations."})
    if not companies_of_organisation(organisation=organisation).filter(pk=company.pk).exists():
        raise ValidationError("You can only refer a company that has applied to or joined you.")
    referral = Referral(
        organisation=organisation, company=company, partner=partner, note=note, referred_by=by
    )
    referral.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"partner": f"{company.name} already has a referral to {partner.name} in progress."}
        ) from exc
    owners = CompanyMember.objects.filter(
        company=company, role=CompanyMember.Role.OWNER
    ).select_related("user")
    for owner in owners:
        email_enqueue(
            to=owner.user.email,
            subject=f"{organisation.name} would like to share {company.name}'s profile "
            f"with {partner.name}",
            template="cohorts/referrals/email_request",
            context={"referral": referral, "company": company, "partner": partner},
            organisation=organisation,
        )
    return referral


def _require_owner(referral: Referral, user) -> None:
    is_owner = CompanyMember.objects.filter(
        company_id=referral.company_id, user=user, role=CompanyMember.Role.OWNER
    ).exists()
    if not is_owner:
        raise ValidationError("Only an owner of the company can decide what it shares.")


def referral_answer(*, referral: Referral, user, consent: bool) -> Referral:
    """The company's answer: consent shares the profile fields listed in the referral with
    the partner from now on; a refusal ends the referral. Recorded with who and when."""
    _require_owner(referral, user)
    with transaction.atomic(), scopes_disabled():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != Referral.Status.PENDING:
            raise ValidationError("This referral is no longer waiting for an answer.")
        locked.status = Referral.Status.CONSENTED if consent else Referral.Status.DECLINED
        locked.shared_fields = list(Referral.PROFILE_FIELDS) if consent else []
        locked.answered_by = user
        locked.answered_at = timezone.now()
        locked.save()
        _tell_of_answer(locked)
    return locked


def _tell_of_answer(referral: Referral) -> None:
    """E-mail the answer: to whoever made the referral (or, if they have left, the referring
    organisation's managers) either way; to the partner's managers only on consent, since a
    refusal shares nothing with the partner, not even the company's name."""
    organisation, partner = referral.organisation, referral.partner
    referrer = referral.referred_by
    if (
        referrer is not None
        and referrer.is_active
        and _staff_of(organisation).filter(pk=referrer.pk).exists()
    ):
        referrers = [referrer]
    else:
        referrers = list(_staff_of(organisation, roles=MANAGERS))
    context = {"referral": referral, "company": referral.company, "partner": partner}
    for person in referrers:
        email_enqueue(
            to=person.email,
            subject=f"{referral.company.name} {'agreed' if referral.is_shared else 'declined'} "
            f"to share its profile with {partner.name}",
            template="cohorts/referrals/email_answered",
            context={**context, "recipient": person, "for_partner": False},
            organisation=organisation,
        )
    if not referral.is_shared:
        return
    for person in _staff_of(partner, roles=MANAGERS):
        email_enqueue(
            to=person.email,
            subject=f"{organisation.name} shared {referral.company.name}'s profile with you",
            template="cohorts/referrals/email_answered",
            context={**context, "recipient": person, "for_partner": True},
            organisation=partner,
        )


def _staff_of(organisation, *, roles=STAFF) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__organisation=organisation,
        memberships__role__in=list(roles),
    ).order_by("pk")


def referral_cancel(*, referral: Referral) -> Referral:
    """The referring organisation takes back a referral the company has not answered yet;
    the company is no longer asked."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != Referral.Status.PENDING:
            raise ValidationError("Only a referral still waiting for the company can be cancelled.")
        locked.status = Referral.Status.CANCELLED
        locked.save(update_fields=["status"])
    return locked


def referral_withdraw(*, referral: Referral, user) -> Referral:
    """Withdraw a given consent: the partner no longer sees the profile."""
    _require_owner(referral, user)
    with transaction.atomic(), scopes_disabled():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != Referral.Status.CONSENTED:
            raise ValidationError("There is no consent to withdraw.")
        locked.status = Referral.Status.WITHDRAWN
        locked.withdrawn_by = user
        locked.withdrawn_at = timezone.now()
        locked.save()
    return locked


# --- Reads ---------------------------------------------------------------------------------


def referrals_sent(*, organisation) -> QuerySet[Referral]:
    return organisation.referrals.select_related("company", "partner", "referred_by").order_by(
        "-created_at", "-pk"
    )


def referrals_received(*, partner) -> QuerySet[Referral]:
    """What partners have shared with this organisation: consented referrals only.

    Crosses tenants on purpose (the rows belong to the referring organisation); the filter
    on partner and consent is the fence."""
    return (
        Referral.objects.with_scopes_disabled()
        .filter(partner=partner, status=Referral.Status.CONSENTED)
        .select_related("company", "organisation", "referred_by")
        .order_by("-answered_at", "-pk")
    )


def referrals_of_user(*, user) -> QuerySet[Referral]:
    """Referrals of the companies the user acts for, across organisations."""
    return (
        Referral.objects.with_scopes_disabled()
        .filter(company__memberships__user=user)
        .select_related("company", "organisation", "partner", "answered_by", "withdrawn_by")
        .order_by("-created_at", "-pk")
    )


def shared_profile(referral: Referral) -> list[tuple[str, object]]:
    """The company profile as the consent allows: (label, value) of each shared field."""
    company = referral.company
    rows = []
    for name in referral.shared_fields:
        field = Company._meta.get_field(name)
        display = getattr(company, f"get_{name}_display", None)
        value = display() if callable(display) else getattr(company, name)
        rows.append((field.verbose_name, value))
    return rows


def profile_field_labels() -> list[str]:
    return [str(Company._meta.get_field(name).verbose_name) for name in Referral.PROFILE_FIELDS]
