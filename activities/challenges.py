"""Innovation challenges: the writes. A company answers a published challenge once, before its
deadline; staff shortlist proposals and record the result, which is e-mailed to the
company's people."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from activities.models import ChallengeProposal, InnovationChallenge
from cohorts.models import Company, CompanyMember
from portal.services import email_enqueue

Status = ChallengeProposal.Status
RESULTS = (Status.WON, Status.NOT_SELECTED)


def challenge_save(*, challenge: InnovationChallenge) -> InnovationChallenge:
    if challenge.programme_id and challenge.programme.organisation_id != challenge.organisation_id:
        raise ValidationError({"programme": "Choose one of your organisation's programmes."})
    challenge.full_clean()
    challenge.save()
    return challenge


def proposal_submit(
    *, challenge: InnovationChallenge, company: Company, summary: str, by=None
) -> ChallengeProposal:
    """One short proposal per company, while the challenge is published and open."""
    # Lock the challenge so a deadline change and a late submission cannot cross.
    with transaction.atomic():
        challenge = (
            InnovationChallenge.objects.with_scopes_disabled()
            .select_for_update()
            .get(pk=challenge.pk)
        )
        if not challenge.published:
            raise ValidationError("This challenge is not open for proposals.")
        if timezone.now() >= challenge.deadline:
            raise ValidationError("The deadline for this challenge has passed.")
        if (
            ChallengeProposal.objects.with_scopes_disabled()
            .filter(challenge=challenge, company=company)
            .exists()
        ):
            raise ValidationError(f"{company.name} has already answered this challenge.")
        proposal = ChallengeProposal(
            organisation_id=challenge.organisation_id,
            challenge=challenge,
            company=company,
            submitted_by=by,
            summary=summary.strip(),
        )
        proposal.full_clean(exclude=["challenge", "company", "submitted_by"])
        try:
            with transaction.atomic():
                proposal.save()
        except IntegrityError as exc:  # a second tab submitted at the same moment
            raise ValidationError(f"{company.name} has already answered this challenge.") from exc
    return proposal


@transaction.atomic
def proposal_decide(
    *, proposal: ChallengeProposal, status: str, note: str = ""
) -> ChallengeProposal:
    """Shortlist a proposal, or record its result (won / not selected, with a note) and
    e-mail the company. A result is final."""
    proposal = ChallengeProposal.objects.select_for_update().get(pk=proposal.pk)
    if status not in (Status.SHORTLISTED, *RESULTS):
        raise ValidationError("Choose shortlist, won or not selected.")
    if proposal.status in RESULTS:
        raise ValidationError(
            f"The result for {proposal.company.name} is already recorded "
            f"({proposal.get_status_display().lower()})."
        )
    if status == Status.SHORTLISTED and proposal.status == Status.SHORTLISTED:
        raise ValidationError(f"{proposal.company.name} is already shortlisted.")
    proposal.status = status
    proposal.result_note = note.strip()
    if status in RESULTS:
        proposal.decided_at = timezone.now()
    proposal.full_clean(exclude=["challenge", "company", "submitted_by"])
    proposal.save(update_fields=["status", "result_note", "decided_at"])
    if status in RESULTS:
        _email_result(proposal)
    return proposal


def _email_result(proposal: ChallengeProposal) -> None:
    challenge = proposal.challenge
    won = proposal.status == Status.WON
    people = (
        CompanyMember.objects.filter(company_id=proposal.company_id)
        .select_related("user")
        .order_by("pk")
    )
    for member in people:
        email_enqueue(
            to=member.user.email,
            subject=(
                f"Your proposal for “{challenge.title}” has been selected"
                if won
                else f"The result of “{challenge.title}”"
            ),
            template="emails/activities/challenge_result",
            context={
                "proposal": proposal,
                "challenge": challenge,
                "won": won,
                "proposal_url": reverse(
                    "my-activities:challenge-detail", kwargs={"pk": challenge.pk}
                ),
            },
            organisation=challenge.organisation,
        )
