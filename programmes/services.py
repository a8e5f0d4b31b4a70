"""Writes for programmes, funders, grants and outcome targets. Plain keyword-only functions:
no request, no flash messages. Each validates with full_clean() and raises ValidationError
keyed by field, so a form can show the message next to the input."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.roles import Role
from programmes.models import Funder, Grant, OutcomeKey, OutcomeTarget, Programme


def programme_save(*, programme: Programme, delivery_partners: Iterable | None = None) -> Programme:
    """Create or update a programme (its organisation already set). `delivery_partners`,
    when given, replaces the programme's delivery partner organisations."""
    clash = Programme.objects.filter(
        organisation_id=programme.organisation_id, slug=programme.slug
    ).exclude(pk=programme.pk)
    if programme.slug and clash.exists():
        raise ValidationError(
            {
                "slug": f"Another programme of this organisation already uses the address "
                f"“{programme.slug}”; choose another."
            }
        )
    partners = list(delivery_partners) if delivery_partners is not None else None
    if partners is not None and any(p.pk == programme.organisation_id for p in partners):
        raise ValidationError(
            {"delivery_partners": "An organisation cannot be a delivery partner of itself."}
        )
    programme.full_clean()
    with transaction.atomic():
        programme.save()
        if partners is not None:
            programme.delivery_partners.set(partners)
    return programme


def grant_save(*, grant: Grant) -> Grant:
    """Create or update a funder's grant to a programme of the same organisation."""
    if grant.organisation_id is None:
        grant.organisation_id = grant.programme.organisation_id
    if grant.programme.organisation_id != grant.organisation_id:
        raise ValidationError({"programme": "The programme belongs to another organisation."})
    if grant.funder_id and grant.funder.organisation_id != grant.organisation_id:
        raise ValidationError({"funder": "Choose one of your organisation's funders."})
    grant.full_clean()
    grant.save()
    return grant


def grant_delete(*, grant: Grant) -> None:
    grant.delete()


def targets_set(*, programme: Programme, targets: dict[str, tuple[int | None, str]]) -> None:
    """Set a programme's outcome targets: `targets` maps an outcome key to (percent, note);
    a percent of None removes that outcome's target. All or nothing."""
    unknown = set(targets) - set(OutcomeKey.values)
    if unknown:
        raise ValidationError(f"Unknown outcomes: {', '.join(sorted(unknown))}.")
    errors: dict[str, list[str]] = {}
    rows = []
    for outcome, (percent, note) in targets.items():
        if percent is None:
            continue
        target = OutcomeTarget(
            organisation_id=programme.organisation_id,
            programme=programme,
            outcome=outcome,
            target_percent=percent,
            note=note or "",
        )
        try:
            # The (programme, outcome) constraint is met by update_or_create below.
            target.full_clean(validate_constraints=False)
        except ValidationError as exc:
            errors[outcome] = exc.messages
        rows.append(target)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        cleared = [outcome for outcome, (percent, _) in targets.items() if percent is None]
        OutcomeTarget.objects.filter(programme=programme, outcome__in=cleared).delete()
        for target in rows:
            OutcomeTarget.objects.update_or_create(
                organisation_id=programme.organisation_id,
                programme=programme,
                outcome=target.outcome,
                defaults={"target_percent": target.target_percent, "note": target.note},
            )


def funder_save(*, funder: Funder, users: Iterable | None = None) -> Funder:
    """Create or update a funder (its organisation already set). `users`, when given,
    replaces the members who speak for it; each must have the funder role there."""
    clash = Funder.objects.filter(
        organisation_id=funder.organisation_id, name__iexact=funder.name.strip()
    ).exclude(pk=funder.pk)
    if funder.name.strip() and clash.exists():
        raise ValidationError(
            {"name": f"There is already a funder called “{funder.name.strip()}”."}
        )
    funder.name = funder.name.strip()
    speakers = list(users) if users is not None else None
    if speakers:
        from portal.models import Membership

        allowed = set(
            Membership.objects.filter(
                organisation_id=funder.organisation_id,
                role=Role.FUNDER,
                user__in=speakers,
            ).values_list("user_id", flat=True)
        )
        refused = [u for u in speakers if u.pk not in allowed]
        if refused:
            raise ValidationError(
                {
                    "users": "Only members with the funder role can speak for a funder: "
                    + ", ".join(str(u) for u in refused)
                    + "."
                }
            )
    funder.full_clean()
    with transaction.atomic():
        funder.save()
        if speakers is not None:
            funder.users.set(speakers)
    return funder
