"""Writes for follow-up surveys: schedules, managers' own questions, planning invitations,
the exactly-once dispatcher (invitations, reminders, expiry), answers and baselines.

Plain keyword-only functions: no request, no flash messages. The dispatcher crosses
organisations on purpose (one periodic sweep) and claims every row it acts on under a row
lock, recording the e-mail in the outbox in the same transaction as the state change, so a
crash, a retry or a second worker never sends twice and never loses a send."""

from __future__ import annotations

import calendar
import datetime
import re
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from cohorts.models import (
    Application,
    ApplicationStatus,
    Cohort,
    CohortStatus,
    CompanyMember,
    Enrolment,
)
from impact.framework import STANDARD_FIELDS, OutcomeField
from impact.models import (
    Attribution,
    Baseline,
    CustomQuestion,
    FundingType,
    SurveyInvitation,
    SurveyResponse,
    SurveySchedule,
)
from portal.services import email_enqueue
from portal.tenancy import scopes_disabled, tenant_scope

Status = SurveyInvitation.Status

# The dispatcher claims and sends this many rows per transaction: a crash loses (rolls
# back) at most one batch, and every batch committed before it stays sent.
BATCH_SIZE = 200
# Rounds whose due date passed longer ago than this are not planned: adding a schedule
# today must not e-mail companies about rounds of cohorts that ended years ago.
PLANNING_LOOKBACK = datetime.timedelta(days=60)
# Two reminders are never sent within a day, even when a dispatcher that was down for a
# while finds both offsets passed.
MIN_REMINDER_GAP = datetime.timedelta(days=1)
# The hour of the anchor date at which an invitation falls due, in the organisation's zone.
SEND_HOUR = datetime.time(9, 0)
# How long the standard survey takes, as the e-mails and the page say.
SURVEY_MINUTES = 5
# Field names of managers' own questions in answer data and forms: a custom key may equal
# a standard one (“turnover”), so it is prefixed.
CUSTOM_PREFIX = "q_"
# Answered on submission: the headline outcomes, whose shares every report states.
REQUIRED_ON_SUBMIT = ["jobs_created", "new_deals", "new_markets", "further_funding", "new_offices"]
CUSTOM_TEXT_MAX = 1000
CUSTOM_NUMBER_LIMIT = 10**12


# --- Dates ----------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the 31st lands on the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def due_at_for(schedule: SurveySchedule, cohort: Cohort | None) -> datetime.datetime:
    """When a round falls due: the anchor date (the cohort's start or end, the trade
    mission's return, or the day the event ends where it is held) plus the offset, at 09:00
    where the organisation is."""
    if schedule.anchor == SurveySchedule.Anchor.MISSION_RETURN:
        anchor = schedule.mission.returns_on
    elif schedule.anchor == SurveySchedule.Anchor.EVENT:
        event = schedule.event
        anchor = event.ends_at.astimezone(ZoneInfo(event.time_zone)).date()
    elif schedule.anchor == SurveySchedule.Anchor.COHORT_START:
        anchor = cohort.start_date
    else:
        anchor = cohort.end_date
    day = add_months(anchor, schedule.offset_months)
    zone = ZoneInfo(schedule.organisation.time_zone)
    return datetime.datetime.combine(day, SEND_HOUR, tzinfo=zone)


# --- Schedules and custom questions ---------------------------------------------------------


_REMINDER_DAYS = re.compile(r"^\s*(\d{1,3}\s*(,\s*\d{1,3}\s*)*)?$")


def _has_invitations_out(schedule: SurveySchedule) -> bool:
    return schedule.invitations.exclude(status=Status.SCHEDULED).exists()


def schedule_save(*, schedule: SurveySchedule) -> SurveySchedule:
    """Create or change a survey round. Once invitations have gone out its anchor and offset
    are fixed: the answers already given belong to that round."""
    errors = {}
    if not _REMINDER_DAYS.match(schedule.reminder_days or ""):
        errors["reminder_days"] = "Give days as whole numbers separated by commas, e.g. 7,14."
    else:
        offsets = schedule.reminder_offsets
        schedule.reminder_days = ",".join(str(d) for d in offsets)
        if any(d < 1 for d in offsets):
            errors["reminder_days"] = "A reminder goes out at least one day after the invitation."
        elif schedule.expires_after_days and any(d >= schedule.expires_after_days for d in offsets):
            errors["reminder_days"] = (
                f"Every reminder must go out before the link expires "
                f"(after {schedule.expires_after_days} days)."
            )
    if schedule.pk:
        before = SurveySchedule.objects.get(pk=schedule.pk)
        moved = (before.anchor, before.offset_months, before.mission_id, before.event_id) != (
            schedule.anchor,
            schedule.offset_months,
            schedule.mission_id,
            schedule.event_id,
        )
        if moved and _has_invitations_out(before):
            errors["offset_months"] = (
                "Invitations of this round have gone out, so its timing can no longer change. "
                "Add a new round instead."
            )
    if errors:
        raise ValidationError(errors)
    schedule.organisation_id = schedule.programme.organisation_id
    try:
        schedule.full_clean()
    except ValidationError as exc:
        if "__all__" in getattr(exc, "error_dict", {}):
            raise ValidationError(
                {"offset_months": "The programme already has a round at this time."}
            ) from exc
        raise
    schedule.save()
    return schedule


def schedule_delete(*, schedule: SurveySchedule) -> None:
    """Delete a round with its planned invitations; refused once any has gone out, since
    companies hold links to it and may have answered."""
    if _has_invitations_out(schedule):
        raise ValidationError(
            "Invitations of this round have been sent, so it cannot be deleted. "
            "Switch it off instead: no new invitations will be planned."
        )
    schedule.delete()


def custom_question_save(*, question: CustomQuestion) -> CustomQuestion:
    """Add or change a manager's own question. Its key and kind are fixed once answered,
    so exports of earlier answers keep their meaning."""
    if question.pk:
        before = CustomQuestion.objects.get(pk=question.pk)
        if (before.key, before.kind) != (question.key, question.kind) and _custom_answered(before):
            raise ValidationError(
                {"key": "Companies have answered this question: its key and kind cannot change."}
            )
    question.organisation_id = question.programme.organisation_id
    try:
        question.full_clean()
    except ValidationError as exc:
        if "__all__" in getattr(exc, "error_dict", {}):
            raise ValidationError(
                {"key": "The programme already has a question with this key."}
            ) from exc
        raise
    question.save()
    return question


def _custom_answered(question: CustomQuestion) -> int:
    return SurveyResponse.objects.filter(
        programme_id=question.programme_id, custom_answers__has_key=question.key
    ).count()


def custom_question_answer_count(question: CustomQuestion) -> int:
    return _custom_answered(question)


def custom_question_delete(*, question: CustomQuestion) -> None:
    """Stop asking a question. Answers already given stay in the responses."""
    question.delete()


# --- Planning --------------------------------------------------------------------------------


def _owner_email():
    """The e-mail of a company's first member (its founder), as a subquery."""
    return Subquery(
        CompanyMember.objects.filter(company=OuterRef("company"))
        .order_by("pk")
        .values("user__email")[:1]
    )


def _surveyable(rows):
    """The enrolments or applications the organisation may still survey a company through:
    not those privacy marked (`data_withdrawn_at`) when the organisation withdrew the
    company from its data, even though such an enrolment may still be active and the
    company's owner still reachable (another organisation knows the company)."""
    return rows.filter(data_withdrawn_at__isnull=True)


def surveys_plan(*, programme, now=None) -> int:
    """Create the invitations of every active round of a programme whose anchor is known:
    one per company enrolled in each running or completed cohort (and one per applicant not
    selected, when the round includes the comparison group). Idempotent: run it any number
    of times. Invitations not yet sent follow a change of the cohort's dates. Returns how
    many invitations were created."""
    now = now or timezone.now()
    schedules = list(
        SurveySchedule.objects.filter(programme=programme, active=True).select_related(
            "organisation", "mission", "event"
        )
    )
    if not schedules:
        return 0
    created = _plan_mission_rounds([s for s in schedules if s.mission_id], now=now)
    created += _plan_event_rounds([s for s in schedules if s.event_id], now=now)
    schedules = [s for s in schedules if not s.mission_id and not s.event_id]
    cohorts = list(
        Cohort.objects.filter(
            programme=programme, status__in=[CohortStatus.RUNNING, CohortStatus.COMPLETED]
        )
    )
    if not cohorts or not schedules:
        return created
    cohort_ids = [c.pk for c in cohorts]
    participants = defaultdict(list)  # cohort id -> [(company id, e-mail)]
    for cohort_id, company_id, email in (
        _surveyable(Enrolment.objects.filter(cohort_id__in=cohort_ids))
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .annotate(owner_email=_owner_email())
        .values_list("cohort_id", "company_id", "owner_email")
    ):
        participants[cohort_id].append((company_id, email))
    comparison = defaultdict(list)
    if any(s.include_comparison_group for s in schedules):
        for cohort_id, company_id, email in (
            _surveyable(
                Application.objects.filter(
                    cohort_id__in=cohort_ids, status=ApplicationStatus.REJECTED
                )
            )
            .annotate(owner_email=_owner_email())
            .values_list("cohort_id", "company_id", "owner_email")
        ):
            comparison[cohort_id].append((company_id, email))
    existing = {
        (inv.schedule_id, inv.cohort_id, inv.company_id): inv
        for inv in SurveyInvitation.objects.filter(
            schedule__in=schedules, cohort_id__in=cohort_ids
        ).only("pk", "schedule_id", "cohort_id", "company_id", "status", "due_at")
    }
    new_rows = []
    for schedule in schedules:
        for cohort in cohorts:
            due_at = due_at_for(schedule, cohort)
            if due_at < now - PLANNING_LOOKBACK:
                continue
            rows = [(row, False) for row in participants[cohort.pk]]
            if schedule.include_comparison_group:
                rows += [(row, True) for row in comparison[cohort.pk]]
            for (company_id, email), is_comparison in rows:
                current = existing.get((schedule.pk, cohort.pk, company_id))
                if current is not None:
                    if current.status == Status.SCHEDULED and current.due_at != due_at:
                        # Only rows still scheduled move; the conditional update leaves a
                        # row the dispatcher has just claimed alone.
                        SurveyInvitation.objects.filter(
                            pk=current.pk, status=Status.SCHEDULED
                        ).update(due_at=due_at)
                    continue
                if not email:
                    continue  # nobody to write to; the company has no members
                new_rows.append(
                    SurveyInvitation(
                        organisation_id=programme.organisation_id,
                        schedule=schedule,
                        cohort=cohort,
                        company_id=company_id,
                        is_comparison=is_comparison,
                        email=email,
                        due_at=due_at,
                    )
                )
    if new_rows:
        # In bulk: one statement per thousand rows instead of a savepoint and two queries
        # per invitation. A row a concurrent planner inserted first is skipped by the
        # unique constraint, so the count is taken from the table, not from new_rows.
        planned = SurveyInvitation.objects.filter(schedule__in=schedules, cohort_id__in=cohort_ids)
        before = planned.count()
        SurveyInvitation.objects.bulk_create(new_rows, batch_size=1000, ignore_conflicts=True)
        created += planned.count() - before
    return created


def _plan_mission_rounds(schedules: list[SurveySchedule], *, now) -> int:
    """Invitations of rounds anchored on a trade mission's return: one per selected delegate.
    A company no longer selected loses its invitation while it is unsent."""
    from activities.models import MissionDelegate

    created = 0
    for schedule in schedules:
        selected = MissionDelegate.objects.filter(
            mission=schedule.mission, status=MissionDelegate.Status.SELECTED
        ).values("company_id")
        created += _plan_activity_round(
            schedule, companies=selected, cohort_id=schedule.mission.cohort_id, now=now
        )
    return created


def _plan_event_rounds(schedules: list[SurveySchedule], *, now) -> int:
    """Invitations of rounds anchored on an event: one per company marked as having attended
    it. A company no longer marked attended loses its invitation while it is unsent."""
    from activities.models import Registration

    created = 0
    for schedule in schedules:
        attended = Registration.objects.filter(
            event=schedule.event, attendance=Registration.Attendance.ATTENDED
        ).values("company_id")
        created += _plan_activity_round(
            schedule, companies=attended, cohort_id=schedule.event.cohort_id, now=now
        )
    return created


def _plan_activity_round(schedule: SurveySchedule, *, companies, cohort_id, now) -> int:
    """The invitations of one round anchored on an activity (a trade mission, an event):
    one per company of `companies` (a subquery of company ids) enrolled in the programme,
    filed under the activity's cohort when it is for one cohort, else under the company's
    latest cohort in the programme. Idempotent; an unsent invitation of a company no longer
    among `companies` is deleted, and unsent ones follow a change of the activity's date."""
    due_at = due_at_for(schedule, None)
    if due_at < now - PLANNING_LOOKBACK:
        return 0
    enrolments = _surveyable(
        Enrolment.objects.filter(
            company_id__in=companies, cohort__programme_id=schedule.programme_id
        )
    ).exclude(status=Enrolment.Status.WITHDRAWN)
    if cohort_id:
        enrolments = enrolments.filter(cohort_id=cohort_id)
    participants = {}  # company id -> (cohort id, e-mail)
    for company_id, filed_in, email in (
        enrolments.annotate(owner_email=_owner_email())
        .order_by("company_id", "-cohort__number")
        .values_list("company_id", "cohort_id", "owner_email")
    ):
        participants.setdefault(company_id, (filed_in, email))
    SurveyInvitation.objects.filter(schedule=schedule, status=Status.SCHEDULED).exclude(
        company_id__in=list(participants)
    ).delete()
    existing = {
        inv.company_id: inv
        for inv in SurveyInvitation.objects.filter(schedule=schedule).only(
            "pk", "company_id", "status", "due_at"
        )
    }
    created = 0
    for company_id, (filed_in, email) in participants.items():
        current = existing.get(company_id)
        if current is not None:
            if current.status == Status.SCHEDULED and current.due_at != due_at:
                SurveyInvitation.objects.filter(pk=current.pk, status=Status.SCHEDULED).update(
                    due_at=due_at
                )
            continue
        if not email:
            continue
        try:
            with transaction.atomic():
                _, was_created = SurveyInvitation.objects.get_or_create(
                    schedule=schedule,
                    cohort_id=filed_in,
                    company_id=company_id,
                    defaults={
                        "organisation_id": schedule.organisation_id,
                        "email": email,
                        "due_at": due_at,
                    },
                )
        except IntegrityError:
            was_created = False
        created += was_created
    return created


def surveys_plan_all(*, now=None) -> int:
    """Plan every programme that has an active round, in every organisation (periodic)."""
    from programmes.models import Programme

    # A periodic sweep over every organisation: crossing tenants is the point; each
    # programme is then planned inside its own organisation's scope.
    with scopes_disabled():
        programmes = list(
            Programme.objects.filter(survey_schedules__active=True)
            .distinct()
            .select_related("organisation")
        )
    total = 0
    for programme in programmes:
        with tenant_scope(programme.organisation):
            total += surveys_plan(programme=programme, now=now)
    return total


# --- Dispatching -----------------------------------------------------------------------------


def _invitation_context(invitation: SurveyInvitation) -> dict:
    return {
        "invitation": invitation,
        "programme": invitation.schedule.programme,
        "cohort": invitation.cohort,
        "company": invitation.company,
        "link": settings.SITE_URL + invitation.get_answer_url(),
        "minutes": SURVEY_MINUTES,
    }


def _send_invitation(invitation: SurveyInvitation) -> None:
    programme = invitation.schedule.programme
    email_enqueue(
        to=invitation.email,
        subject=f"{programme.name}: how has {invitation.company.name} done since? "
        f"({SURVEY_MINUTES}-minute survey)",
        template="emails/survey_invitation",
        context=_invitation_context(invitation),
        organisation=invitation.organisation,
    )


def _send_reminder(invitation: SurveyInvitation) -> None:
    programme = invitation.schedule.programme
    email_enqueue(
        to=invitation.email,
        subject=f"Reminder: {programme.name} follow-up survey for {invitation.company.name}",
        template="emails/survey_reminder",
        context=_invitation_context(invitation),
        organisation=invitation.organisation,
    )


def _claim(queryset, batch_size: int) -> list[SurveyInvitation]:
    """Lock up to `batch_size` rows of `queryset` for this transaction, skipping rows
    another dispatcher holds. Only the invitation rows are locked (`of=self`): locking the
    joined schedule would make a second dispatcher skip every invitation of it."""
    return list(
        queryset.select_related(
            "organisation", "schedule__programme", "cohort", "company"
        ).select_for_update(skip_locked=True, of=("self",))[:batch_size]
    )


def surveys_dispatch(*, now=None, batch_size: int = BATCH_SIZE) -> dict:
    """Send due invitations, then due reminders, then expire links past their date, across
    every organisation. Each batch is one transaction: the outbox rows and the state change
    commit together or not at all. Returns counts of what this call did."""
    now = now or timezone.now()
    counts = Counter(sent=0, reminded=0, expired=0)
    # A periodic sweep over every organisation's invitations: crossing tenants is the point.
    # Each claimed row is then handled inside its own organisation's scope.
    with scopes_disabled():
        # A company that left its cohort is not surveyed as a participant.
        left = Enrolment.objects.filter(
            cohort_id=OuterRef("cohort_id"),
            company_id=OuterRef("company_id"),
            status=Enrolment.Status.WITHDRAWN,
        )
        SurveyInvitation.objects.filter(
            Exists(left), status=Status.SCHEDULED, is_comparison=False
        ).update(status=Status.EXPIRED)
        # Nor is a company the organisation withdrew from its data, as participant or as
        # comparison: this catches an invitation a planner inserted while the withdrawal
        # was committing (the withdrawal expires every invitation it can see).
        of_row = {"cohort_id": OuterRef("cohort_id"), "company_id": OuterRef("company_id")}
        withdrawn = Q(
            Exists(Enrolment.objects.filter(**of_row, data_withdrawn_at__isnull=False))
        ) | Q(Exists(Application.objects.filter(**of_row, data_withdrawn_at__isnull=False)))
        SurveyInvitation.objects.filter(withdrawn, status=Status.SCHEDULED).update(
            status=Status.EXPIRED
        )
        due = SurveyInvitation.objects.filter(
            status=Status.SCHEDULED, due_at__lte=now, schedule__active=True
        ).order_by("due_at", "pk")
        while True:
            with transaction.atomic():
                batch = _claim(due, batch_size)
                for invitation in batch:
                    with tenant_scope(invitation.organisation):
                        _send_invitation(invitation)
                        invitation.status = Status.SENT
                        invitation.sent_at = now
                        invitation.expires_at = invitation.expiry_from(now)
                        invitation.save(update_fields=["status", "sent_at", "expires_at"])
            counts["sent"] += len(batch)
            if len(batch) < batch_size:
                break

        counts["reminded"] = _dispatch_reminders(now, batch_size)

        expiring = SurveyInvitation.objects.filter(
            status=Status.SENT, expires_at__lte=now
        ).order_by("pk")
        while True:
            with transaction.atomic():
                ids = list(
                    expiring.select_for_update(skip_locked=True, of=("self",)).values_list(
                        "pk", flat=True
                    )[:batch_size]
                )
                # Conditional on the status, in case an answer landed in between.
                SurveyInvitation.objects.filter(pk__in=ids, status=Status.SENT).update(
                    status=Status.EXPIRED
                )
            counts["expired"] += len(ids)
            if len(ids) < batch_size:
                break
    return dict(counts)


def _dispatch_reminders(now, batch_size: int) -> int:
    """Reminder k of an unanswered invitation goes out `offsets[k]` days after it was sent.
    Every query selects exactly the rows due for reminder k, so each claimed row changes
    (its count goes up) and the loop always ends."""
    reminded = 0
    schedule_ids = (
        SurveyInvitation.objects.filter(status=Status.SENT, expires_at__gt=now)
        .values_list("schedule_id", flat=True)
        .distinct()
    )
    for schedule in SurveySchedule.objects.filter(pk__in=list(schedule_ids), active=True):
        for k, days in enumerate(schedule.reminder_offsets):
            due = SurveyInvitation.objects.filter(
                Q(last_reminder_at__isnull=True) | Q(last_reminder_at__lte=now - MIN_REMINDER_GAP),
                schedule=schedule,
                status=Status.SENT,
                expires_at__gt=now,
                reminders_sent=k,
                sent_at__lte=now - datetime.timedelta(days=days),
            ).order_by("pk")
            while True:
                with transaction.atomic():
                    batch = _claim(due, batch_size)
                    for invitation in batch:
                        with tenant_scope(invitation.organisation):
                            _send_reminder(invitation)
                            invitation.reminders_sent = k + 1
                            invitation.last_reminder_at = now
                            invitation.save(update_fields=["reminders_sent", "last_reminder_at"])
                reminded += len(batch)
                if len(batch) < batch_size:
                    break
    return reminded


# --- Answers ---------------------------------------------------------------------------------

YES = {"yes", "true", "1", "on"}
NO = {"no", "false", "0", "off"}


def _number(raw, *, money: bool):
    text = str(raw).strip().replace(",", "").replace("£", "").replace(" ", "")
    if money:
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if not re.fullmatch(r"[-+]?\d+", text):
        raise ValueError
    return int(text)


def _in_range(value, low, high, money: bool) -> str:
    def show(n):
        return f"£{n:,}" if money else f"{n:,}"

    if low is not None and value < low:
        return f"Enter {show(low)} or more." if low else "Enter 0 or more."
    if high is not None and value > high:
        return f"Enter at most {show(high)}."
    return ""


def clean_standard_answer(field: OutcomeField, raw):
    """Parse one standard answer (a string from a form, or a typed value) into the column's
    type; None or "" when not answered. Raises ValueError with the message to show."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "" if field.kind in ("text", "choice") else None
    if field.kind == "yes_no":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError("Answer yes or no.")
    if field.kind in ("number", "money"):
        money = field.kind == "money"
        try:
            value = _number(raw, money=money)
        except (ValueError, InvalidOperation):
            raise ValueError(
                "Enter an amount in pounds, e.g. 25000." if money else "Enter a whole number."
            ) from None
        problem = _in_range(value, field.min_value, field.max_value, money)
        if problem:
            raise ValueError(problem)
        return value
    if field.kind == "choice":
        choices = FundingType if field.key == "funding_type" else Attribution
        if str(raw) not in choices.values:
            raise ValueError("Choose one of the options.")
        return str(raw)
    text = " ".join(str(raw).split())
    limit = SurveyResponse._meta.get_field(field.key).max_length
    if len(text) > limit:
        raise ValueError(f"Keep this under {limit} characters.")
    return text


def clean_custom_answer(question: CustomQuestion, raw):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = CustomQuestion.Kind
    if question.kind == kind.YES_NO:
        return clean_standard_answer(OutcomeField(question.key, "", "yes_no"), raw)
    if question.kind == kind.NUMBER:
        try:
            value = _number(raw, money=False)
        except ValueError:
            raise ValueError("Enter a whole number.") from None
        if abs(value) > CUSTOM_NUMBER_LIMIT:
            raise ValueError("Enter a smaller number.")
        return value
    text = str(raw).strip()
    if len(text) > CUSTOM_TEXT_MAX:
        raise ValueError(f"Keep this under {CUSTOM_TEXT_MAX} characters.")
    return text


def clean_answers(*, data: dict, questions, submit: bool) -> tuple[dict, dict]:
    """Validate a set of answers: the standard ones by their framework kinds and ranges,
    the managers' own by their kind. Returns (columns, custom_answers) or raises a
    ValidationError keyed by field name (custom ones prefixed with CUSTOM_PREFIX).
    Questions that depend on a yes/no are cleared unless it is yes."""
    errors: dict[str, str] = {}
    columns: dict = {}
    for field in STANDARD_FIELDS:
        try:
            columns[field.key] = clean_standard_answer(field, data.get(field.key))
        except ValueError as exc:
            errors[field.key] = str(exc)
    for field in STANDARD_FIELDS:
        if field.depends_on and columns.get(field.depends_on) is not True:
            columns[field.key] = "" if field.kind in ("text", "choice") else None
            errors.pop(field.key, None)
    custom: dict = {}
    for question in questions:
        name = CUSTOM_PREFIX + question.key
        try:
            value = clean_custom_answer(question, data.get(name))
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        if value is not None:
            custom[question.key] = str(value) if isinstance(value, Decimal) else value
    if submit:
        for key in REQUIRED_ON_SUBMIT:
            if key not in errors and columns.get(key) is None:
                errors[key] = "Answer this question before you submit."
    if errors:
        raise ValidationError(errors)
    return columns, custom


def invitation_closed_reason(invitation: SurveyInvitation, now=None, *, by_phone=False) -> str:
    """Why answers to this invitation can no longer be saved, or "" if they can. Staff
    chasing a company by phone may still record its answers after the link expired."""
    now = now or timezone.now()
    if invitation.status == Status.ANSWERED:
        return "These answers were already submitted. Thank you: nothing more is needed."
    if by_phone:
        return ""
    if invitation.status == Status.EXPIRED or (
        invitation.expires_at is not None and invitation.expires_at <= now
    ):
        return "This survey has closed: its link expired."
    return ""


def response_save(
    *,
    data: dict,
    submit: bool,
    source: str = SurveyResponse.Source.WEB,
    entered_by=None,
    invitation: SurveyInvitation | None = None,
    programme=None,
    cohort=None,
    company=None,
    round_months: int | None = None,
    is_comparison: bool = False,
) -> SurveyResponse:
    """Save a company's answers to one round, as a draft or submitted. With an invitation
    (the link, or staff taking the answers by phone) the invitation's row is locked first,
    so any number of concurrent submissions store one response and the rest are refused;
    without one the round is named by its keys (programme, cohort, company, round_months,
    is_comparison)."""
    now = timezone.now()
    with transaction.atomic():
        if invitation is not None:
            invitation = (
                SurveyInvitation.objects.select_for_update(of=("self",))
                .select_related("schedule__programme", "organisation")
                .get(pk=invitation.pk)
            )
            reason = invitation_closed_reason(
                invitation, now, by_phone=source == SurveyResponse.Source.PHONE
            )
            if reason:
                raise ValidationError(reason)
            programme = invitation.schedule.programme
            keys = {
                "cohort_id": invitation.cohort_id,
                "company_id": invitation.company_id,
                "round_months": invitation.schedule.offset_months,
                "is_comparison": invitation.is_comparison,
            }
            response = SurveyResponse.objects.filter(invitation=invitation).first()
            if response is None:
                response = SurveyResponse.objects.filter(**keys).first()
                if response is not None and response.invitation_id is not None:
                    raise ValidationError(
                        "This company already has answers for this round of the programme."
                    )
        else:
            if None in (programme, cohort, company, round_months):
                raise ValueError("Name the round: programme, cohort, company and round_months.")
            keys = {
                "cohort_id": cohort.pk,
                "company_id": company.pk,
                "round_months": round_months,
                "is_comparison": is_comparison,
            }
            response = SurveyResponse.objects.select_for_update().filter(**keys).first()
        if response is not None and response.is_submitted:
            raise ValidationError(
                "These answers were already submitted. Thank you: nothing more is needed."
            )
        questions = list(CustomQuestion.objects.filter(programme=programme))
        columns, custom = clean_answers(data=data, questions=questions, submit=submit)

        if response is None:
            response = SurveyResponse(programme=programme, **keys)
        response.organisation_id = programme.organisation_id
        response.invitation = invitation
        response.source = source
        if entered_by is not None:
            response.entered_by = entered_by
        for key, value in columns.items():
            setattr(response, key, value)
        response.custom_answers = custom
        if submit:
            zone = ZoneInfo(programme.organisation.time_zone)
            response.submitted_at = now
            response.responded_on = now.astimezone(zone).date()
        response.full_clean()
        response.save()
        if submit and invitation is not None:
            invitation.status = Status.ANSWERED
            invitation.answered_at = now
            invitation.save(update_fields=["status", "answered_at"])
    return response


def response_initial(response: SurveyResponse | None, questions) -> dict:
    """The stored answers as form values (strings), to resume a draft."""
    if response is None:
        return {}
    initial = {}
    for field in STANDARD_FIELDS:
        value = getattr(response, field.key)
        if value is None or value == "":
            continue
        if field.kind == "yes_no":
            initial[field.key] = "yes" if value else "no"
        elif field.kind == "money":
            initial[field.key] = str(int(value)) if value == value.to_integral() else f"{value:.2f}"
        else:
            initial[field.key] = value
    for question in questions:
        value = response.custom_answers.get(question.key)
        if value is None:
            continue
        if question.kind == CustomQuestion.Kind.YES_NO:
            value = "yes" if value else "no"
        initial[CUSTOM_PREFIX + question.key] = value
    return initial


# --- Baselines -------------------------------------------------------------------------------


def baseline_save(
    *,
    enrolment: Enrolment,
    employees: int,
    turnover: Decimal | None = None,
    export_sales: Decimal | None = None,
    exporting_markets: str = "",
    source: str = Baseline.Source.COMPANY,
) -> Baseline:
    """Record (or correct) a company's starting figures for one enrolment."""
    errors = {}
    if employees is None or employees < 0:
        errors["employees"] = "Enter the number of employees, 0 or more."
    for name, value in (("turnover", turnover), ("export_sales", export_sales)):
        if value is not None and value < 0:
            errors[name] = "Enter 0 or more."
    if turnover is not None and export_sales is not None and export_sales > turnover:
        errors["export_sales"] = "Export sales are part of turnover, so cannot be larger."
    if errors:
        raise ValidationError(errors)
    markets = "; ".join(
        part.strip() for part in re.split(r"[;,]", exporting_markets or "") if part.strip()
    )
    with transaction.atomic():
        baseline = Baseline.objects.select_for_update().filter(enrolment=enrolment).first()
        if baseline is None:
            baseline = Baseline(enrolment=enrolment)
        baseline.organisation_id = enrolment.organisation_id
        baseline.company_id = enrolment.company_id
        baseline.employees = employees
        baseline.turnover = turnover
        baseline.export_sales = export_sales
        baseline.exporting_markets = markets
        baseline.source = source
        baseline.full_clean()
        baseline.save()
    return baseline
