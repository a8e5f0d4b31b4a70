"""Impact figures shared across one-stop-shop partners, for an umbrella organisation's
combined report.

A partner organisation's admin agrees to share its aggregate figures with an organisation it
partners with (ImpactSharing, owned by the partner), and may withdraw at any time. The
umbrella's managers then see one report over their own programmes and those of the partners
that agreed, with a company taking part in two programmes counted once (matched by its
registration number).

This decides which of another organisation's rows impact may read (impact/umbrella_report.py
adds only a per-organisation count over the same programmes). The read is explicit
(`scopes_disabled()`, each time with the reason), limited to the programmes of organisations
whose agreement is in force and that are still partners, and returns aggregates only:
programme names and numbers, never a company or an answer."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from impact.models import ImpactSharing
from impact.selectors import Metrics, Scope, outcome_metrics
from portal.models import Organisation
from portal.tenancy import scopes_disabled

# --- Writes (the partner's side) ------------------------------------------------------------


def sharing_agree(*, organisation: Organisation, shared_with: Organisation, user, now=None):
    """`organisation` agrees to share its aggregate impact figures with `shared_with`, one of
    its partners. Agreeing again after a withdrawal renews the agreement."""
    if (
        shared_with.pk == organisation.pk
        or not organisation.partners.filter(pk=shared_with.pk).exists()
    ):
        raise ValidationError(
            {"shared_with": "Impact figures are shared only with a partner organisation."}
        )
    now = now or timezone.now()
    sharing, _ = ImpactSharing.objects.update_or_create(
        organisation=organisation,
        shared_with=shared_with,
        defaults={"agreed_by": user, "agreed_at": now, "withdrawn_by": None, "withdrawn_at": None},
    )
    return sharing


def sharing_withdraw(*, sharing: ImpactSharing, user, now=None) -> ImpactSharing:
    """Stop sharing: the partner's figures leave the umbrella report at once."""
    if sharing.withdrawn_at is None:
        sharing.withdrawn_at = now or timezone.now()
        sharing.withdrawn_by = user
        sharing.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return sharing


# --- Reads (the umbrella's side) ------------------------------------------------------------


@dataclass
class UmbrellaReport:
    # [(organisation, [programme, ...])], the umbrella itself first, then partners by name.
    organisations: list[tuple[Organisation, list]]
    scope: Scope
    metrics: Metrics | None

    @property
    def programme_ids(self) -> tuple[int, ...]:
        return tuple(p.pk for _, programmes in self.organisations for p in programmes)

    @property
    def partners(self) -> list[Organisation]:
        return [org for org, _ in self.organisations[1:]]


def sharing_partners(umbrella: Organisation) -> list[Organisation]:
    """The organisations whose agreement to share with `umbrella` is in force and which are
    still its partners (a partnership ended ends the sharing too)."""
    # Reads the partners' own agreements (rows of their tenants): only whether and since
    # when they agreed, to decide which programmes the umbrella report may include.
    with scopes_disabled():
        ids = ImpactSharing.objects.filter(
            shared_with=umbrella, withdrawn_at__isnull=True
        ).values_list("organisation_id", flat=True)
        return list(umbrella.partners.filter(pk__in=list(ids)).order_by("name"))


def umbrella_report(
    umbrella: Organisation, *, responded_from=None, responded_to=None
) -> UmbrellaReport:
    """The umbrella's own programmes and those of the partners that agreed, with their
    aggregate figures over answers given in the period (if any): a company in two of them
    counts once, by registration number."""
    from programmes.models import Programme

    partners = sharing_partners(umbrella)
    organisations = [umbrella, *partners]
    # Programme names and ids of the partners that agreed: the cross-tenant read is limited
    # to their organisations, listed above.
    with scopes_disabled():
        programmes = list(
            Programme.objects.filter(organisation__in=organisations).order_by("name", "pk")
        )
    by_organisation = {org.pk: [] for org in organisations}
    for programme in programmes:
        by_organisation[programme.organisation_id].append(programme)
    listed = [(org, by_organisation[org.pk]) for org in organisations]
    scope = Scope(
        programmes=tuple(p.pk for _, ps in listed for p in ps),
        responded_from=responded_from,
        responded_to=responded_to,
        dedupe_by_registration=True,
    )
    report = UmbrellaReport(organisations=listed, scope=scope, metrics=None)
    if scope.programmes:
        # Aggregates over the included programmes of several organisations: the selectors
        # filter every query by these programme ids and return counts and sums only.
        with scopes_disabled():
            report.metrics = outcome_metrics(scope)
    return report
