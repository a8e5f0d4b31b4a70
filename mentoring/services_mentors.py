"""Writes for mentors: the application to become one, the programme's review (interview,
accept, decline), the induction checklist that gates matching, the mentor's own profile,
and their availability (weekly hours in their time zone and one-off slots)."""

from __future__ import annotations

import os
import uuid
import zoneinfo
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.services import UPLOAD_TYPES
from mentoring.models import (
    AvailabilitySlot,
    Expertise,
    MentoringSession,
    MentorProfile,
    WeeklyAvailability,
    clean_style_answers,
    style_position,
)
from portal.models import Membership, Organisation, User, time_zone_names
from portal.roles import MANAGERS, Role
from portal.services import email_enqueue
from portal.taxonomy import Region, Sector

CV_TYPES = (".pdf", ".docx")
CV_MAX_MB = 5

Status = MentorProfile.Status

# The review decisions a manager can take, and the statuses each may start from.
DECISIONS = {
    "interview": (Status.APPLIED, Status.INTERVIEW),
    "accept": (Status.APPLIED, Status.INTERVIEW),
    "decline": (Status.APPLIED, Status.INTERVIEW, Status.INDUCTION),
    "deactivate": (Status.INDUCTION, Status.ACTIVE),
    "reactivate": (Status.INACTIVE,),
}

INDUCTION_STEPS = {
    "agreement_signed": "agreement_signed_at",
    "conflicts_declared": "conflicts_declared_at",
    "induction_attended": "induction_attended_at",
}


# --- Applying -------------------------------------------------------------------------------


def cv_check(upload) -> str:
    """Refuse a CV that is not a PDF or Word document, by name and by content, or that is
    over the size limit (the approach of cohorts.services.check_upload). Returns the content
    type."""
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in CV_TYPES:
        raise ValidationError({"cv": "Upload your CV as a PDF or a Word (.docx) document."})
    if upload.size > CV_MAX_MB * 1024 * 1024:
        raise ValidationError(
            {"cv": f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is {CV_MAX_MB} MB."}
        )
    content_type, signatures = UPLOAD_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            {"cv": f"The file does not look like a {extension.lstrip('.').upper()} file."}
        )
    return content_type


def _clean_choices(values, choices, field: str, message: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    if any(v not in choices.values for v in values):
        raise ValidationError({field: message})
    return values


def managers_of(organisation: Organisation):
    return Membership.objects.filter(organisation=organisation, role__in=MANAGERS).select_related(
        "user"
    )


def mentor_apply(
    *,
    organisation: Organisation,
    user: User,
    cv,
    expertise: list[str],
    sectors: list[str],
    background: str,
    companies_founded_or_scaled: str = "",
    coaching_experience: str = "",
    rate_expectation: str = "",
    region: str = "",
    online_ok: bool = True,
    languages: str = "English",
) -> MentorProfile:
    """Record an application to mentor for `organisation` (status applied) and tell its
    managers. One application per person per organisation. Call inside the organisation's
    tenant scope."""
    if MentorProfile.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError(f"You have already applied to mentor for {organisation.name}.")
    errors = {}
    expertise = list(dict.fromkeys(expertise or []))
    if not expertise:
        errors["expertise"] = "Choose at least one area of expertise."
    elif any(e not in Expertise.values for e in expertise):
        errors["expertise"] = "Choose areas from the list."
    if any(s not in Sector.values for s in sectors or []):
        errors["sectors"] = "Choose sectors from the list."
    if region and region not in Region.values:
        errors["region"] = "Choose a region from the list."
    if cv is None:
        errors["cv"] = "Attach your CV (PDF or Word, up to 5 MB)."
    else:
        try:
            cv_check(cv)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    extension = os.path.splitext(cv.name)[1].lower()
    cv.name = f"{uuid.uuid4().hex}{extension}"
    profile = MentorProfile(
        organisation=organisation,
        user=user,
        status=Status.APPLIED,
        background=background.strip(),
        expertise=expertise,
        sectors=list(dict.fromkeys(sectors or [])),
        companies_founded_or_scaled=companies_founded_or_scaled.strip(),
        coaching_experience=coaching_experience.strip(),
        rate_expectation=rate_expectation.strip(),
        region=region,
        online_ok=online_ok,
        languages=languages.strip() or "English",
        time_zone=organisation.time_zone,
        cv=cv,
    )
    profile.full_clean(exclude=["cv"])
    try:
        with transaction.atomic():
            profile.save()
            for manager in managers_of(organisation):
                email_enqueue(
                    to=manager.user.email,
                    subject=f"New mentor application: {user.display_name}",
                    template="emails/mentor_applied",
                    context={"mentor": profile, "manager": manager.user},
                    organisation=organisation,
                )
    except IntegrityError as exc:  # a double submit racing the check above
        raise ValidationError(
            f"You have already applied to mentor for {organisation.name}."
        ) from exc
    return profile


# --- Review and induction -------------------------------------------------------------------


def mentor_decide(
    *, mentor: MentorProfile, decision: str, by: User, notes: str = "", reason: str = ""
) -> MentorProfile:
    """A manager's decision on a mentor: invite to interview (with notes), accept (into
    induction, as a mentor member of the organisation), decline (with a reason the mentor is
    told), or take an accepted mentor off the list and back."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose one of the offered decisions."})
    reason = reason.strip()
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().select_related("user").get(pk=mentor.pk)
        if mentor.status not in DECISIONS[decision]:
            raise ValidationError(
                f"{mentor} is {mentor.get_status_display().lower()}; that decision is not open now."
            )
        if decision == "decline" and not reason:
            raise ValidationError({"reason": "Give the reason; the applicant is told it."})
        if notes.strip():
            mentor.interview_notes = notes.strip()
        mentor.reviewed_by = by
        email = None
        if decision == "interview":
            mentor.status = Status.INTERVIEW
        elif decision == "accept":
            mentor.status = Status.INDUCTION
            Membership.objects.get_or_create(
                user=mentor.user,
                organisation_id=mentor.organisation_id,
                defaults={"role": Role.MENTOR},
            )
            email = ("emails/mentor_accepted", f"Welcome as a mentor of {mentor.organisation}")
        elif decision == "decline":
            mentor.status = Status.DECLINED
            stamp = timezone.localdate().strftime("%d %b %Y")
            note = f"Declined {stamp}: {reason}"
            mentor.interview_notes = (
                f"{mentor.interview_notes}\n\n{note}" if mentor.interview_notes else note
            )
            email = (
                "emails/mentor_declined",
                f"Your application to mentor for {mentor.organisation}",
            )
        elif decision == "deactivate":
            mentor.status = Status.INACTIVE
        elif decision == "reactivate":
            mentor.status = Status.ACTIVE if mentor.induction_complete else Status.INDUCTION
        mentor.save()
        if email:
            email_enqueue(
                to=mentor.user.email,
                subject=email[1],
                template=email[0],
                context={"mentor": mentor, "reason": reason},
                organisation=mentor.organisation,
            )
    return mentor


def mentor_induction(*, mentor: MentorProfile, steps: dict[str, bool], now=None) -> MentorProfile:
    """Tick (or untick) the induction checklist of an accepted mentor. With all three done
    the mentor becomes active and can be matched; an unticked step takes an active mentor
    back into induction."""
    now = now or timezone.now()
    unknown = set(steps) - set(INDUCTION_STEPS)
    if unknown:
        raise ValidationError("Unknown induction step.")
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().select_related("user").get(pk=mentor.pk)
        if mentor.status not in (Status.INDUCTION, Status.ACTIVE):
            raise ValidationError(
                "Accept the mentor before recording their induction; "
                f"{mentor} is {mentor.get_status_display().lower()}."
            )
        for step, attribute in INDUCTION_STEPS.items():
            if step not in steps:
                continue
            if steps[step] and getattr(mentor, attribute) is None:
                setattr(mentor, attribute, now)
            elif not steps[step]:
                setattr(mentor, attribute, None)
        became_active = False
        if mentor.induction_complete and mentor.status == Status.INDUCTION:
            mentor.status = Status.ACTIVE
            became_active = True
        elif not mentor.induction_complete and mentor.status == Status.ACTIVE:
            mentor.status = Status.INDUCTION
        mentor.save()
        if became_active:
            email_enqueue(
                to=mentor.user.email,
                subject=f"You are ready to be matched – {mentor.organisation}",
                template="emails/mentor_active",
                context={"mentor": mentor},
                organisation=mentor.organisation,
            )
    return mentor


def mentor_rate_set(*, mentor: MentorProfile, rate_per_session, capacity_per_month=None):
    """The rate per session agreed with the programme (managers set it)."""
    mentor.rate_per_session = rate_per_session
    fields = ["rate_per_session", "updated_at"]
    if capacity_per_month is not None:
        mentor.capacity_per_month = capacity_per_month
        fields.append("capacity_per_month")
    mentor.full_clean(exclude=["cv"])
    with transaction.atomic():
        mentor.save(update_fields=fields)
        # Sessions not yet in a submitted claim are paid at the agreed rate.
        MentoringSession.objects.filter(mentor=mentor).exclude(
            claim__status__in=["submitted", "approved"]
        ).update(fee=rate_per_session)
    return mentor


# --- The mentor's own profile ---------------------------------------------------------------


def style_answers_clean(answers: dict) -> dict[str, list[int]]:
    return clean_style_answers(
        answers, message="Answer every statement of the questionnaire from 1 to 5."
    )


def mentor_profile_update(
    *, mentor: MentorProfile, style_answers: dict | None = None, **fields
) -> MentorProfile:
    """The mentor edits their own profile. The rate and status are not theirs to change."""
    allowed = {
        "expertise",
        "sectors",
        "languages",
        "region",
        "online_ok",
        "capacity_per_month",
        "bio",
        "time_zone",
        "background",
    }
    if set(fields) - allowed:
        raise ValidationError("Those fields are not part of the mentor's profile.")
    if "expertise" in fields:
        fields["expertise"] = _clean_choices(
            fields["expertise"], Expertise, "expertise", "Choose areas from the list."
        )
        if not fields["expertise"]:
            raise ValidationError({"expertise": "Choose at least one area of expertise."})
    if "sectors" in fields:
        fields["sectors"] = _clean_choices(
            fields["sectors"], Sector, "sectors", "Choose sectors from the list."
        )
    if fields.get("region") and fields["region"] not in Region.values:
        raise ValidationError({"region": "Choose a region from the list."})
    if "time_zone" in fields and fields["time_zone"] not in time_zone_names():
        raise ValidationError({"time_zone": "Choose a time zone from the list."})
    for name, value in fields.items():
        setattr(mentor, name, value)
    if style_answers is not None:
        answers = style_answers_clean(style_answers)
        mentor.style_answers = answers
        mentor.thinking_style = style_position(answers["thinking"])
        mentor.interaction_style = style_position(answers["interaction"])
    mentor.full_clean(exclude=["cv"])
    mentor.save()
    return mentor


def mentor_conflict_add(*, mentor: MentorProfile, company) -> None:
    """Declare a conflict of interest with a company (the caller has checked the
    organisation knows the company)."""
    mentor.conflicts.add(company)


def mentor_conflict_remove(*, mentor: MentorProfile, company) -> None:
    mentor.conflicts.remove(company)


# --- Availability ---------------------------------------------------------------------------


def weekly_add(
    *, mentor: MentorProfile, weekday: int, start_time: time, end_time: time
) -> WeeklyAvailability:
    """Add recurring weekly hours, in the mentor's time zone. Refused if they end before they
    start or overlap hours already given for that day."""
    if weekday not in range(7):
        raise ValidationError({"weekday": "Choose a day of the week."})
    if end_time <= start_time:
        raise ValidationError({"end_time": "The hours must end after they start."})
    clash = (
        WeeklyAvailability.objects.filter(
            mentor=mentor, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time
        )
        .order_by("start_time")
        .first()
    )
    if clash:
        raise ValidationError(
            {
                "start_time": f"These hours overlap {clash.get_weekday_display()} "
                f"{clash.start_time:%H:%M}–{clash.end_time:%H:%M}, which you already offer."
            }
        )
    return WeeklyAvailability.objects.create(
        organisation_id=mentor.organisation_id,
        mentor=mentor,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
    )


def slot_add(
    *, mentor: MentorProfile, day: date, start_time: time, end_time: time, now=None
) -> AvailabilitySlot:
    """Add a one-off window: a date and times in the mentor's time zone, stored as
    instants. It must be in the future, end after it starts and not overlap another."""
    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(mentor.time_zone)
    if end_time <= start_time:
        raise ValidationError({"end_time": "The slot must end after it starts."})
    starts_at = datetime.combine(day, start_time, tzinfo=tz)
    ends_at = datetime.combine(day, end_time, tzinfo=tz)
    if starts_at <= now:
        raise ValidationError({"day": "Choose a time in the future."})
    clash = (
        AvailabilitySlot.objects.filter(mentor=mentor, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .order_by("starts_at")
        .first()
    )
    if clash:
        local = clash.starts_at.astimezone(tz)
        raise ValidationError(
            {
                "start_time": "This slot overlaps the one you already offer on "
                f"{local:%a %d %b} from {local:%H:%M} to {clash.ends_at.astimezone(tz):%H:%M}."
            }
        )
    return AvailabilitySlot.objects.create(
        organisation_id=mentor.organisation_id, mentor=mentor, starts_at=starts_at, ends_at=ends_at
    )


def weekly_delete(*, hours: WeeklyAvailability) -> None:
    """Sessions already booked in these hours stay booked."""
    hours.delete()


def slot_delete(*, slot: AvailabilitySlot) -> None:
    slot.delete()
