"""Writes for needs diagnosis, matching and adviser contact. Plain keyword-only functions: no
request, no messages; refusals are ValidationErrors with a message for the person refused."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Company, Enrolment
from mentoring import selectors_matching as selectors
from mentoring.matching import Excluded
from mentoring.models import (
    AdviserContact,
    DiagnosisComment,
    Expertise,
    Goal,
    MentoringSession,
    MentorMatch,
    MentorProfile,
    NeedsDiagnosis,
    clean_style_answers,
    style_position,
)
from mentoring.sessions import session_cancel_and_notify
from portal.services import email_enqueue

MAX_NEEDS = 5
MAX_GOALS = 5

# Why a match ends. The first word of end_reason: a conflict means the mentor never returns
# as "a previous mentor" (selectors.CONFLICT_END_REASON).
END_REASONS = [
    ("Needs changed", "The company's needs changed"),
    ("Goals achieved", "The goals were achieved"),
    ("Mentor unavailable", "The mentor is no longer available"),
    ("Not a good fit", "Not a good fit"),
    (selectors.CONFLICT_END_REASON, "A conflict of interest came to light"),
    ("Company left", "The company left the programme"),
    ("Withdrawn", "The proposal was withdrawn before an answer"),
]


# --- Needs diagnosis -------------------------------------------------------------------------


def _members(company: Company):
    return [m.user for m in company.memberships.select_related("user") if m.user.is_active]


def _validate_style(answers: dict | None) -> tuple[dict, float | None, float | None]:
    """{"thinking": [1-5 ×4], "interaction": [1-5 ×4]} or nothing at all."""
    if not answers:
        return {}, None, None
    cleaned = clean_style_answers(
        answers,
        message="Answer every statement of the founder's style from 1 to 5, or leave them "
        "all empty.",
    )
    thinking, interaction = cleaned["thinking"], cleaned["interaction"]
    return (
        {"thinking": thinking, "interaction": interaction},
        style_position(thinking),
        style_position(interaction),
    )


def diagnosis_record(
    *,
    enrolment: Enrolment,
    adviser,
    needs: list[str],
    goals: list[tuple[str, date | None]],
    style_answers: dict | None = None,
    notes: str = "",
) -> NeedsDiagnosis:
    """Record a new diagnosis (earlier ones stay as history) and tell the company's people."""
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError("This company is no longer taking part in the cohort.")
    needs = [n for n in needs if n]
    if not needs:
        raise ValidationError({"need_1": "Name at least the most important need."})
    if len(needs) > MAX_NEEDS:
        raise ValidationError(f"Rank at most {MAX_NEEDS} needs.")
    if len(set(needs)) != len(needs):
        raise ValidationError("Each need can be ranked once only.")
    if any(n not in Expertise.values for n in needs):
        raise ValidationError("Choose the needs from the list of expertise areas.")
    goals = [(text.strip(), target) for text, target in goals if text and text.strip()]
    if len(goals) > MAX_GOALS:
        raise ValidationError(f"Record at most {MAX_GOALS} goals.")
    answers, thinking, interaction = _validate_style(style_answers)
    with transaction.atomic():
        diagnosis = NeedsDiagnosis.objects.create(
            organisation=enrolment.organisation,
            enrolment=enrolment,
            company=enrolment.company,
            adviser=adviser,
            needs=needs,
            notes=notes.strip(),
            founder_style_answers=answers,
            founder_thinking_style=thinking,
            founder_interaction_style=interaction,
        )
        Goal.objects.bulk_create(
            Goal(organisation=enrolment.organisation, diagnosis=diagnosis, text=t, target_date=d)
            for t, d in goals
        )
        for user in _members(enrolment.company):
            email_enqueue(
                to=user.email,
                subject=f"Your mentoring needs at {enrolment.organisation.name} were recorded",
                template="emails/match_needs_recorded",
                context={
                    "diagnosis": diagnosis,
                    "enrolment": enrolment,
                    "url": reverse("my-mentoring:diagnosis", kwargs={"pk": diagnosis.pk}),
                },
                organisation=enrolment.organisation,
            )
    return diagnosis


def diagnosis_comment(*, diagnosis: NeedsDiagnosis, author, text: str) -> DiagnosisComment:
    """The company's (or an adviser's) comment on a diagnosis; the adviser hears of it."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write a comment first."})
    comment = DiagnosisComment.objects.create(
        organisation=diagnosis.organisation, diagnosis=diagnosis, author=author, text=text
    )
    adviser = diagnosis.adviser
    if adviser and adviser != author and adviser.is_active:
        email_enqueue(
            to=adviser.email,
            subject=f"{diagnosis.company.name} commented on its needs",
            template="emails/match_diagnosis_comment",
            context={
                "comment": comment,
                "diagnosis": diagnosis,
                "url": _staff_url(
                    "mentoring:enrolment", diagnosis.organisation, diagnosis.enrolment_id
                ),
            },
            organisation=diagnosis.organisation,
        )
    return comment


def _staff_url(name: str, organisation, pk: int) -> str:
    return reverse(name, kwargs={"org_slug": organisation.slug, "pk": pk})


# --- Matching --------------------------------------------------------------------------------


def match_propose(
    *, enrolment: Enrolment, mentor: MentorProfile, proposed_by, now: datetime | None = None
) -> MentorMatch:
    """Propose a mentor for the company's current needs, with the score and reasons that
    ranked them. Refused while a live match exists, for a mentor the ranking excludes, and
    before the needs are diagnosed."""
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError("This company is no longer taking part in the cohort.")
    live = selectors.live_match(enrolment=enrolment)
    if live is not None:
        raise ValidationError(
            f"{enrolment.company.name} already has a {live.get_status_display().lower()} "
            f"match with {live.mentor}. End it before proposing another mentor."
        )
    diagnosis = selectors.current_diagnosis(enrolment=enrolment)
    if diagnosis is None:
        raise ValidationError("Diagnose the company's needs before proposing a mentor.")
    result = selectors.score_one(enrolment=enrolment, diagnosis=diagnosis, mentor=mentor, now=now)
    if result is None:
        raise ValidationError(f"{mentor} is not one of this organisation's mentors.")
    if isinstance(result, Excluded):
        raise ValidationError(f"{mentor} cannot be proposed: {result.reason.lower()}.")
    try:
        with transaction.atomic():
            match = MentorMatch.objects.create(
                organisation=enrolment.organisation,
                enrolment=enrolment,
                company=enrolment.company,
                mentor=mentor,
                diagnosis=diagnosis,
                status=MentorMatch.Status.PROPOSED,
                score=Decimal(str(result.score)),
                reasons=result.reasons,
                proposed_by=proposed_by,
            )
    except IntegrityError:
        # Two advisers proposing at once: the constraint one_live_match_per_enrolment says no.
        raise ValidationError(
            f"{enrolment.company.name} was matched by someone else a moment ago. "
            "Reload the page to see the match."
        ) from None
    email_enqueue(
        to=mentor.user.email,
        subject=f"A company for you to mentor: {enrolment.company.name}",
        template="emails/match_proposed",
        context={"match": match, "diagnosis": diagnosis, "url": _my_matches_url(match)},
        organisation=enrolment.organisation,
    )
    return match


def _my_matches_url(match: MentorMatch) -> str:
    return reverse("mentoring:my-matches", kwargs={"org_slug": match.organisation.slug})


def _locked_proposal(match: MentorMatch) -> MentorMatch:
    locked = MentorMatch.objects.select_for_update().filter(pk=match.pk).first()
    if locked is None or locked.status != MentorMatch.Status.PROPOSED:
        raise ValidationError("This proposal has already been answered or withdrawn.")
    return locked


def match_accept(
    *, match: MentorMatch, mentor_user, agreed: bool, now: datetime | None = None
) -> MentorMatch:
    """The mentor accepts, and with it the mentoring agreement (time, respect,
    punctuality). The company and the adviser are told."""
    if match.mentor.user_id != mentor_user.pk:
        raise ValidationError("Only the mentor proposed can answer this proposal.")
    if not agreed:
        raise ValidationError({"agree": "Accept the mentoring agreement to take on this company."})
    now = now or timezone.now()
    with transaction.atomic():
        match = _locked_proposal(match)
        match.status = MentorMatch.Status.ACTIVE
        match.responded_at = now
        match.mentor_agreed_at = now
        match.save(update_fields=["status", "responded_at", "mentor_agreed_at"])
        context = {"match": match, "mentor": match.mentor}
        for user in _members(match.company):
            email_enqueue(
                to=user.email,
                subject=f"Your mentor at {match.organisation.name}: {match.mentor}",
                template="emails/match_accepted_company",
                context={**context, "url": reverse("my-mentoring:overview")},
                organisation=match.organisation,
            )
        if match.proposed_by and match.proposed_by.is_active:
            email_enqueue(
                to=match.proposed_by.email,
                subject=f"{match.mentor} accepted {match.company.name}",
                template="emails/match_accepted_adviser",
                context={
                    **context,
                    "url": _staff_url(
                        "mentoring:enrolment", match.organisation, match.enrolment_id
                    ),
                },
                organisation=match.organisation,
            )
    return match


def match_decline(
    *, match: MentorMatch, mentor_user, reason: str, now: datetime | None = None
) -> MentorMatch:
    """The mentor declines with a reason; the adviser is told and proposes someone else.
    A mentor who declined is not proposed for this company again."""
    if match.mentor.user_id != mentor_user.pk:
        raise ValidationError("Only the mentor proposed can answer this proposal.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why you decline, so the adviser can find a fit."})
    with transaction.atomic():
        match = _locked_proposal(match)
        match.status = MentorMatch.Status.DECLINED
        match.responded_at = now or timezone.now()
        match.decline_reason = reason[:300]
        match.save(update_fields=["status", "responded_at", "decline_reason"])
        if match.proposed_by and match.proposed_by.is_active:
            email_enqueue(
                to=match.proposed_by.email,
                subject=f"{match.mentor} declined {match.company.name}",
                template="emails/match_declined",
                context={
                    "match": match,
                    "url": _staff_url("mentoring:match", match.organisation, match.enrolment_id),
                },
                organisation=match.organisation,
            )
    return match


def match_end(
    *, match: MentorMatch, by, reason: str, note: str = "", now: datetime | None = None
) -> MentorMatch:
    """End a live match (or withdraw a proposal) with the reason kept in its history. The
    mentor is told."""
    labels = [label for label, _ in END_REASONS]
    if reason not in labels:
        raise ValidationError({"reason": "Choose why the match ends."})
    end_reason = f"{reason}: {note.strip()}" if note.strip() else reason
    with transaction.atomic():
        locked = MentorMatch.objects.select_for_update().filter(pk=match.pk).first()
        if locked is None or locked.status not in selectors.LIVE:
            raise ValidationError("This match has already ended.")
        locked.status = MentorMatch.Status.ENDED
        locked.ended_at = now or timezone.now()
        locked.end_reason = end_reason[:300]
        locked.save(update_fields=["status", "ended_at", "end_reason"])
        # Sessions still to come go with the match; their reminders are withdrawn too.
        for session in MentoringSession.objects.filter(
            match=locked, status=MentoringSession.Status.BOOKED, starts_at__gt=locked.ended_at
        ):
            session_cancel_and_notify(
                session=session, by=by, reason=f"Mentor match ended: {reason}", by_mentor=None
            )
        mentor_user = match.mentor.user
        if mentor_user.is_active:
            email_enqueue(
                to=mentor_user.email,
                subject=f"Your mentoring of {match.company.name} has ended",
                template="emails/match_ended",
                context={"match": locked, "mentor": match.mentor, "url": _my_matches_url(locked)},
                organisation=match.organisation,
            )
    return locked


# --- Adviser contact -------------------------------------------------------------------------


def contact_log(
    *,
    organisation,
    company: Company,
    adviser,
    kind: str,
    happened_on: date,
    note: str = "",
    next_contact_on: date | None = None,
) -> AdviserContact:
    today = selectors.local_today(organisation=organisation)
    errors = {}
    if kind not in AdviserContact.Kind.values:
        errors["kind"] = "Choose a call, a meeting or an e-mail."
    if happened_on > today:
        errors["happened_on"] = "A contact cannot happen in the future; log it once it has."
    if next_contact_on is not None and next_contact_on <= happened_on:
        errors["next_contact_on"] = "The next contact must come after this one."
    if errors:
        raise ValidationError(errors)
    return AdviserContact.objects.create(
        organisation=organisation,
        company=company,
        adviser=adviser,
        kind=kind,
        happened_on=happened_on,
        note=note.strip(),
        next_contact_on=next_contact_on,
    )
