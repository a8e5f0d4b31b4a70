"""Writes for companies, cohorts, application forms, applications, review, selection and
enrolment. Plain keyword-only functions: no request, no flash messages. Anything two people
can do at once takes a row lock first, so a double click or two reviewers saving together
leave one consistent record."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from cohorts.models import (
    COHORT_TRANSITIONS,
    DECISIONS,
    Application,
    ApplicationFile,
    ApplicationStatus,
    ApplicationStatusChange,
    Cohort,
    CohortStatus,
    CohortStatusChange,
    Company,
    CompanyInvitation,
    CompanyMember,
    Criterion,
    Enrolment,
    Question,
    QuestionKind,
    Review,
    Score,
)
from cohorts.selectors import (
    has_submitted_applications,
    has_submitted_reviews,
    rank_applications,
)
from portal.roles import REVIEWERS
from portal.services import email_enqueue
from programmes.selectors import CompanyFacts, eligibility_reasons

# File uploads accepted in application forms: checked by extension, declared type and the
# first bytes of the file, so a renamed executable is refused.
UPLOAD_TYPES = {
    ".pdf": ("application/pdf", [b"%PDF-"]),
    ".png": ("image/png", [b"\x89PNG\r\n\x1a\n"]),
    ".jpg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".jpeg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [b"PK\x03\x04"],
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [b"PK\x03\x04"]),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        [b"PK\x03\x04"],
    ),
}


# --- Companies ------------------------------------------------------------------------------


def company_create(*, owner, **fields) -> Company:
    """Create a company profile with `owner` as its first member."""
    company = Company(**fields)
    company.full_clean()
    with transaction.atomic():
        company.save()
        CompanyMember.objects.create(company=company, user=owner, role=CompanyMember.Role.OWNER)
    return company


def company_update(*, company: Company, **fields) -> Company:
    for name, value in fields.items():
        setattr(company, name, value)
    company.full_clean()
    company.save()
    return company


def company_snapshot(company: Company) -> dict:
    """The profile as it stands, frozen into a submitted application."""
    return {
        "name": company.name,
        "registration_number": company.registration_number,
        "sector": company.sector,
        "sector_label": company.get_sector_display(),
        "region": company.region,
        "region_label": company.get_region_display(),
        "year_founded": company.year_founded,
        "years_trading": company.years_trading,
        "employees": company.employees,
        "turnover_band": company.turnover_band,
        "turnover_label": company.get_turnover_band_display(),
        "website": company.website,
        "exports": company.exports,
        "export_markets": company.export_markets,
        "help_wanted": company.help_wanted,
    }


def colleague_invite(*, company: Company, email: str, invited_by) -> CompanyInvitation:
    email = email.strip().lower()
    if company.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} already acts for {company.name}."})
    with transaction.atomic():
        invitation = CompanyInvitation.objects.create(
            company=company, email=email, invited_by=invited_by
        )
        email_enqueue(
            to=email,
            subject=f"{invited_by.display_name} invites you to {company.name} on the portal",
            template="emails/colleague_invitation",
            context={"invitation": invitation, "company": company, "invited_by": invited_by},
        )
    return invitation


def colleague_accept(*, invitation: CompanyInvitation, user) -> CompanyMember:
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}; you are signed in as {user.email}."
        )
    with transaction.atomic():
        member, _ = CompanyMember.objects.get_or_create(
            company=invitation.company,
            user=user,
            defaults={"role": CompanyMember.Role.COLLEAGUE},
        )
        if invitation.accepted_at is None:
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at"])
    return member


# --- Cohorts --------------------------------------------------------------------------------


def cohort_save(*, cohort: Cohort) -> Cohort:
    """Create or update a cohort after validating it. The capacity cannot drop below the
    companies already taking part."""
    if cohort.organisation_id is None:
        cohort.organisation_id = cohort.programme.organisation_id
    if cohort.number is None:
        last = Cohort.objects.filter(programme=cohort.programme).aggregate(n=Max("number"))["n"]
        cohort.number = (last or 0) + 1
    cohort.full_clean()
    if cohort.pk is not None:
        taking_part = places_taken(cohort)
        if cohort.capacity < taking_part:
            raise ValidationError(
                {
                    "capacity": f"{taking_part} companies are already taking part; the "
                    "capacity cannot be lower. Withdraw enrolments first."
                }
            )
    cohort.save()
    return cohort


def cohort_move(*, cohort: Cohort, to_status: str, by, note: str = "") -> Cohort:
    """Move a cohort along draft → open → selecting → running → completed (or one step
    back), recording who did it."""
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        allowed = COHORT_TRANSITIONS[CohortStatus(locked.status)]
        if to_status not in allowed:
            raise ValidationError(
                f"A cohort that is {locked.get_status_display().lower()} cannot move to "
                f"“{CohortStatus(to_status).label}”."
            )
        if to_status == CohortStatus.DRAFT and has_submitted_applications(locked):
            raise ValidationError(
                "Applications have been submitted to this cohort; it cannot go back to draft."
            )
        if to_status == CohortStatus.OPEN and locked.applications_close_at <= timezone.now():
            raise ValidationError(
                "The application window has closed; move the closing date forward before "
                "opening the cohort."
            )
        if to_status == CohortStatus.COMPLETED:
            Enrolment.objects.filter(cohort=locked, status=Enrolment.Status.ACTIVE).update(
                status=Enrolment.Status.COMPLETED
            )
        elif locked.status == CohortStatus.COMPLETED:
            Enrolment.objects.filter(cohort=locked, status=Enrolment.Status.COMPLETED).update(
                status=Enrolment.Status.ACTIVE
            )
        if to_status == CohortStatus.OPEN and not locked.questions.exists():
            # An empty form is allowed (the profile is asked anyway), but say so in the note.
            note = note or "Opened with the company profile only (no extra questions)."
        CohortStatusChange.objects.create(
            organisation_id=locked.organisation_id,
            cohort=locked,
            from_status=locked.status,
            to_status=to_status,
            changed_by=by,
            note=note[:300],
        )
        locked.status = to_status
        locked.save(update_fields=["status"])
    cohort.status = to_status
    return cohort


def question_save(*, question: Question) -> Question:
    """Add or edit a question. Once applications have been submitted, its kind and options
    are fixed: changing them would change what the submitted answers mean."""
    if question.organisation_id is None:
        question.organisation_id = question.cohort.organisation_id
    if question.pk is not None and has_submitted_applications(question.cohort):
        before = Question.objects.get(pk=question.pk)
        if (before.kind, before.choice_list) != (question.kind, question.choice_list):
            raise ValidationError(
                "Applications have been submitted with this question: its type and options "
                "can no longer change (the label and help text still can)."
            )
    if question.pk is None and not question.position:
        last = question.cohort.questions.aggregate(n=Max("position"))["n"]
        question.position = (last or 0) + 1
    question.full_clean()
    question.save()
    return question


def question_delete(*, question: Question) -> None:
    if has_submitted_applications(question.cohort):
        raise ValidationError(
            "Applications have been submitted with this question; it can no longer be removed."
        )
    question.delete()


def question_move(*, question: Question, direction: int) -> None:
    """Swap a question with its neighbour above (-1) or below (+1)."""
    siblings = list(question.cohort.questions.order_by("position", "pk"))
    index = siblings.index(question)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    with transaction.atomic():
        for position, item in enumerate(siblings, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])


def criterion_save(*, criterion: Criterion) -> Criterion:
    if criterion.organisation_id is None:
        criterion.organisation_id = criterion.cohort.organisation_id
    _refuse_if_reviews_submitted(criterion.cohort)
    if criterion.pk is None and not criterion.position:
        last = criterion.cohort.criteria.aggregate(n=Max("position"))["n"]
        criterion.position = (last or 0) + 1
    criterion.full_clean()
    criterion.save()
    return criterion


def criterion_delete(*, criterion: Criterion) -> None:
    _refuse_if_reviews_submitted(criterion.cohort)
    criterion.delete()


def _refuse_if_reviews_submitted(cohort: Cohort) -> None:
    if has_submitted_reviews(cohort):
        raise ValidationError(
            "Reviews have already been submitted against these criteria; changing them now "
            "would make the scores incomparable."
        )


# --- Applications ---------------------------------------------------------------------------


def application_start(*, cohort: Cohort, company: Company, user) -> Application:
    """Open (or reopen) a company's draft application to a cohort. Idempotent: a second
    click returns the same application."""
    existing = Application.objects.filter(cohort=cohort, company=company).first()
    if existing:
        return existing
    if not cohort.is_accepting_applications:
        raise ValidationError("This cohort is not accepting applications.")
    try:
        with transaction.atomic():
            return Application.objects.create(
                organisation_id=cohort.organisation_id,
                cohort=cohort,
                company=company,
                created_by=user,
            )
    except IntegrityError:
        return Application.objects.get(cohort=cohort, company=company)


def clean_answer(question: Question, raw) -> object:
    """Validate one answer; return the value stored in `Application.answers` (JSON)."""
    if raw in (None, "", []):
        return None
    if question.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        text = str(raw).strip()
        limit = 300 if question.kind == QuestionKind.SHORT_TEXT else 10_000
        if len(text) > limit:
            raise ValidationError(f"Keep this under {limit} characters (it is {len(text)}).")
        return text or None
    if question.kind == QuestionKind.NUMBER:
        try:
            value = Decimal(str(raw).replace(",", "").strip())
        except ArithmeticError as exc:
            raise ValidationError("Enter a number, for example 12 or 2500.50.") from exc
        if not value.is_finite() or abs(value) >= Decimal("1e15"):
            raise ValidationError("Enter a number, for example 12 or 2500.50.")
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if question.kind == QuestionKind.DATE:
        try:
            return datetime.date.fromisoformat(str(raw)).isoformat()
        except ValueError as exc:
            raise ValidationError("Enter a date as YYYY-MM-DD.") from exc
    if question.kind == QuestionKind.SINGLE_CHOICE:
        if raw not in question.choice_list:
            raise ValidationError("Choose one of the listed options.")
        return raw
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        values = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        if any(v not in question.choice_list for v in values):
            raise ValidationError("Choose from the listed options.")
        return values
    raise ValidationError("Unsupported question.")


def check_upload(question: Question, upload) -> str:
    """Refuse oversize files and files whose name, type and content do not agree. Returns
    the content type to store."""
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in UPLOAD_TYPES:
        allowed = ", ".join(sorted(e.lstrip(".").upper() for e in UPLOAD_TYPES))
        raise ValidationError(f"Upload one of these file types: {allowed}.")
    if upload.size > question.max_file_mb * 1024 * 1024:
        raise ValidationError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{question.max_file_mb} MB."
        )
    content_type, signatures = UPLOAD_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            f"The file does not look like a {extension.lstrip('.').upper()} file."
        )
    return content_type


def application_save_draft(
    *, application: Application, answers: dict, files: dict | None = None
) -> Application:
    """Save what the applicant has typed so far. Values must be well-formed (numbers are
    numbers) but required questions may still be empty. Raises ValidationError keyed by
    question field name (`q_<id>`) and changes nothing if any answer is bad."""
    files = files or {}
    questions = {q.pk: q for q in application.cohort.questions.all()}
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for pk, question in questions.items():
        if question.kind == QuestionKind.FILE:
            continue
        key = f"q_{pk}"
        if key not in answers:
            continue
        try:
            cleaned[str(pk)] = clean_answer(question, answers[key])
        except ValidationError as exc:
            errors[key] = exc.messages
    checked_files = {}
    for key, upload in files.items():
        pk = int(key.removeprefix("q_"))
        question = questions.get(pk)
        if question is None or question.kind != QuestionKind.FILE:
            continue
        try:
            checked_files[pk] = (question, upload, check_upload(question, upload))
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not locked.is_editable:
            raise ValidationError("This application has been submitted and can no longer change.")
        locked.answers = {**locked.answers, **cleaned}
        locked.save(update_fields=["answers", "updated_at"])
        for question, upload, content_type in checked_files.values():
            for old in ApplicationFile.objects.filter(application=locked, question=question):
                transaction.on_commit(lambda f=old.file: f.delete(save=False))
                old.delete()
            ApplicationFile.objects.create(
                organisation_id=locked.organisation_id,
                application=locked,
                question=question,
                file=upload,
                original_name=upload.name[:255],
                content_type=content_type,
                size=upload.size,
            )
    application.refresh_from_db()
    return application


def missing_answers(application: Application) -> dict[str, str]:
    """Required questions still unanswered, keyed by field name."""
    file_questions = set(application.files.values_list("question_id", flat=True))
    missing = {}
    for question in application.cohort.questions.all():
        if not question.required:
            continue
        if question.kind == QuestionKind.FILE:
            answered = question.pk in file_questions
        else:
            answered = application.answers.get(str(question.pk)) not in (None, "", [])
        if not answered:
            missing[f"q_{question.pk}"] = "This question needs an answer before you submit."
    return missing


def application_submit(*, application: Application, user) -> Application:
    """Submit a draft: every required question answered, the cohort still open, the company
    eligible. The company profile is snapshotted; later edits do not touch it."""
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .select_related("cohort__programme", "company")
            .get(pk=application.pk)
        )
        if locked.status == ApplicationStatus.SUBMITTED:
            return locked  # a double click: already done
        if locked.status != ApplicationStatus.DRAFT:
            raise ValidationError("Only a draft application can be submitted.")
        if not locked.cohort.is_accepting_applications:
            raise ValidationError("Applications to this cohort have closed.")
        missing = missing_answers(locked)
        if missing:
            raise ValidationError(missing)
        reasons = eligibility_reasons(locked.cohort.programme, CompanyFacts.of(locked.company))
        if reasons:
            raise ValidationError(
                ["Your company is not eligible for this programme."] + reasons,
                code="ineligible",
            )
        locked.company_snapshot = company_snapshot(locked.company)
        locked.submitted_at = timezone.now()
        _set_status(locked, ApplicationStatus.SUBMITTED, by=user, reason="Submitted by applicant")
        _notify_applicant(
            locked,
            subject=f"We have your application to {locked.cohort}",
            template="emails/application_submitted",
        )
    return locked


def application_withdraw(*, application: Application, by, reason: str = "") -> Application:
    """The applicant withdraws. An enrolled company leaves the cohort, which frees a place
    for the waitlist."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED):
            raise ValidationError("This application is already closed.")
        if locked.status == ApplicationStatus.DRAFT:
            raise ValidationError(
                "A draft has not been submitted, so there is nothing to withdraw."
            )
        if Cohort.objects.filter(pk=locked.cohort_id, status=CohortStatus.COMPLETED).exists():
            raise ValidationError("The cohort has finished; there is nothing to withdraw from.")
        enrolment = Enrolment.objects.filter(application=locked).first()
        if enrolment and enrolment.status == Enrolment.Status.ACTIVE:
            enrolment.status = Enrolment.Status.WITHDRAWN
            enrolment.withdrawn_at = timezone.now()
            enrolment.withdrawal_reason = reason[:500]
            enrolment.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
        _set_status(locked, ApplicationStatus.WITHDRAWN, by=by, reason=reason or "Withdrawn")
    return locked


DECIDING_STATUSES = (CohortStatus.OPEN, CohortStatus.SELECTING, CohortStatus.RUNNING)


def places_taken(cohort: Cohort) -> int:
    return cohort.enrolments.filter(status=Enrolment.Status.ACTIVE).count()


def application_decide(
    *, application: Application, decision: str, by, reason: str = "", notify: bool = True
) -> Application:
    """Accept, waitlist or reject one submitted (or waitlisted) application. Accepting
    enrols the company, within the cohort's capacity."""
    return applications_decide(
        applications=[application], decision=decision, by=by, reason=reason, notify=notify
    )[0]


def applications_decide(
    *, applications: Iterable[Application], decision: str, by, reason: str = "", notify=True
) -> list[Application]:
    """Decide several applications of one cohort at once, all or nothing: if accepting them
    all would overfill the cohort, nothing changes and the error says how many places are
    left."""
    if decision not in DECISIONS:
        raise ValidationError("Choose accept, waitlist or reject.")
    ids = [a.pk for a in applications]
    if not ids:
        raise ValidationError("Select at least one application.")
    with transaction.atomic():
        cohort_ids = set(Application.objects.filter(pk__in=ids).values_list("cohort_id", flat=True))
        if len(cohort_ids) != 1:
            raise ValidationError("Decide applications of one cohort at a time.")
        # The cohort row lock serialises decisions, so two managers cannot overfill it.
        cohort = Cohort.objects.select_for_update().get(pk=cohort_ids.pop())
        if cohort.status not in DECIDING_STATUSES:
            raise ValidationError(
                f"Decisions are made while a cohort is open, selecting or running; this one is "
                f"{cohort.get_status_display().lower()}."
            )
        locked = list(Application.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        closed = [
            a
            for a in locked
            if a.status
            not in (
                ApplicationStatus.SUBMITTED,
                ApplicationStatus.WAITLISTED,
                ApplicationStatus.ACCEPTED,
                ApplicationStatus.REJECTED,
            )
        ]
        if closed:
            raise ValidationError(
                f"{len(closed)} of the selected applications are drafts or withdrawn and "
                "cannot be decided."
            )
        changing = [a for a in locked if a.status != decision]
        if decision == ApplicationStatus.ACCEPTED:
            free = cohort.capacity - places_taken(cohort)
            if len(changing) > free:
                raise ValidationError(
                    f"Only {max(free, 0)} place{'s' if free != 1 else ''} left in this cohort "
                    f"(capacity {cohort.capacity}); you selected {len(changing)} to accept. "
                    "Waitlist the rest, or raise the capacity."
                )
        for application in changing:
            previous = application.status
            application.decided_at = timezone.now()
            _set_status(application, decision, by=by, reason=reason)
            if decision == ApplicationStatus.ACCEPTED:
                _enrol(application)
            elif previous == ApplicationStatus.ACCEPTED:
                Enrolment.objects.filter(application=application).update(
                    status=Enrolment.Status.WITHDRAWN,
                    withdrawn_at=timezone.now(),
                    withdrawal_reason=f"Decision changed to {decision}",
                )
            if notify:
                _notify_decision(application)
    return locked


def waitlist_promote(*, cohort: Cohort, by) -> Application | None:
    """Offer the freed place to the best-ranked waitlisted application, if any."""
    with transaction.atomic():
        locked_cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if places_taken(locked_cohort) >= locked_cohort.capacity:
            raise ValidationError("The cohort is full; there is no place to offer.")
        candidate = rank_applications(
            Application.objects.filter(cohort=locked_cohort, status=ApplicationStatus.WAITLISTED)
        ).first()
        if candidate is None:
            return None
        return application_decide(
            application=candidate,
            decision=ApplicationStatus.ACCEPTED,
            by=by,
            reason="Promoted from the waitlist",
        )


def _enrol(application: Application) -> Enrolment:
    enrolment, created = Enrolment.objects.get_or_create(
        cohort_id=application.cohort_id,
        company_id=application.company_id,
        defaults={"organisation_id": application.organisation_id, "application": application},
    )
    if not created:
        enrolment.status = Enrolment.Status.ACTIVE
        enrolment.application = application
        enrolment.withdrawn_at = None
        enrolment.withdrawal_reason = ""
        enrolment.save(update_fields=["status", "application", "withdrawn_at", "withdrawal_reason"])
    return enrolment


def enrolment_withdraw(*, enrolment: Enrolment, by, reason: str) -> Enrolment:
    """Staff record that an enrolled company left the cohort."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the company is leaving; it goes on record."})
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError(
            f"{enrolment.company} is not taking part any more ({enrolment.get_status_display()})."
        )
    if enrolment.application_id:
        application_withdraw(application=enrolment.application, by=by, reason=reason)
        enrolment.refresh_from_db()
        return enrolment
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.withdrawal_reason = reason[:500]
    enrolment.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    return enrolment


def _set_status(application: Application, status: str, *, by, reason: str = "") -> None:
    ApplicationStatusChange.objects.create(
        organisation_id=application.organisation_id,
        application=application,
        from_status=application.status,
        to_status=status,
        changed_by=by,
        reason=reason[:500],
    )
    application.status = status
    application.save()


def _recipients(application: Application) -> list[str]:
    return list(
        CompanyMember.objects.filter(company_id=application.company_id).values_list(
            "user__email", flat=True
        )
    )


def _notify_applicant(application: Application, *, subject: str, template: str) -> None:
    cohort = Cohort.objects.select_related("programme", "organisation").get(
        pk=application.cohort_id
    )
    for email in _recipients(application):
        email_enqueue(
            to=email,
            subject=subject,
            template=template,
            context={"application": application, "cohort": cohort},
            organisation=cohort.organisation,
        )


def _notify_decision(application: Application) -> None:
    subjects = {
        ApplicationStatus.ACCEPTED: "Your application was accepted",
        ApplicationStatus.WAITLISTED: "Your application is on the waiting list",
        ApplicationStatus.REJECTED: "The outcome of your application",
    }
    _notify_applicant(
        application,
        subject=f"{subjects[application.status]}: {application.cohort.programme.name}",
        template=f"emails/application_{application.status}",
    )


# --- Review ---------------------------------------------------------------------------------


def _check_reviewer(cohort: Cohort, reviewer) -> None:
    from portal.models import Membership

    if not Membership.objects.filter(
        organisation_id=cohort.organisation_id, user=reviewer, role__in=REVIEWERS
    ).exists():
        raise ValidationError(
            f"{reviewer} is not a reviewer of this organisation. Invite them with the reviewer "
            "role first."
        )


def review_assign(*, application: Application, reviewer, by=None) -> Review:
    """The manager assigns a reviewer to an application. Assigning twice is harmless."""
    _check_reviewer(application.cohort, reviewer)
    if application.status == ApplicationStatus.DRAFT:
        raise ValidationError("Draft applications cannot be reviewed.")
    review, _ = Review.objects.get_or_create(
        application=application,
        reviewer=reviewer,
        defaults={"organisation_id": application.organisation_id, "source": Review.Source.ASSIGNED},
    )
    return review


def reviews_assign_evenly(*, cohort: Cohort, reviewers: list, per_application: int) -> int:
    """Give every submitted application `per_application` reviewers, spreading the work so
    each reviewer gets about the same number, and make that the cohort's target. Returns
    how many reviews were created."""
    if not reviewers:
        raise ValidationError("Choose at least one reviewer.")
    if per_application > len(reviewers):
        raise ValidationError(
            f"You chose {len(reviewers)} reviewer(s) but asked for {per_application} reviews "
            "per application."
        )
    for reviewer in reviewers:
        _check_reviewer(cohort, reviewer)
    applications = list(
        cohort.applications.filter(status=ApplicationStatus.SUBMITTED).order_by("pk")
    )
    existing = set(
        Review.objects.filter(application__cohort=cohort).values_list(
            "application_id", "reviewer_id"
        )
    )
    load = dict.fromkeys((r.pk for r in reviewers), 0)
    for _, reviewer_id in existing:
        if reviewer_id in load:
            load[reviewer_id] += 1
    by_id = {r.pk: r for r in reviewers}
    to_create = []
    for application in applications:
        have = {rid for aid, rid in existing if aid == application.pk}
        need = per_application - len(have)
        for reviewer_id in sorted(load, key=lambda rid: (load[rid], rid)):
            if need <= 0:
                break
            if reviewer_id in have:
                continue
            to_create.append(
                Review(
                    organisation_id=cohort.organisation_id,
                    application=application,
                    reviewer=by_id[reviewer_id],
                    source=Review.Source.ASSIGNED,
                )
            )
            load[reviewer_id] += 1
            need -= 1
    with transaction.atomic():
        Review.objects.bulk_create(to_create, ignore_conflicts=True)
        # The number asked for becomes the cohort's target, which the pool also follows.
        if cohort.reviews_per_application != per_application:
            cohort.reviews_per_application = per_application
            cohort.save(update_fields=["reviews_per_application"])
    return len(to_create)


def review_pick(*, application: Application, reviewer) -> Review:
    """A reviewer takes an application from the pool, while it has fewer reviews than the
    cohort's target."""
    _check_reviewer(application.cohort, reviewer)
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update().select_related("cohort").get(pk=application.pk)
        )
        if locked.status != ApplicationStatus.SUBMITTED or locked.cohort.status not in (
            CohortStatus.OPEN,
            CohortStatus.SELECTING,
        ):
            raise ValidationError("This application is no longer waiting for review.")
        existing = Review.objects.filter(application=locked, reviewer=reviewer).first()
        if existing:
            return existing
        if locked.reviews.count() >= locked.cohort.reviews_per_application:
            raise ValidationError(
                "This application already has enough reviewers; pick another from the pool."
            )
        return Review.objects.create(
            organisation_id=locked.organisation_id,
            application=locked,
            reviewer=reviewer,
            source=Review.Source.PICKED,
        )


def weighted_score(scores: dict[int, int], weights: dict[int, int]) -> Decimal:
    total_weight = sum(weights[c] for c in scores)
    value = Decimal(sum(scores[c] * weights[c] for c in scores)) / Decimal(total_weight)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def review_save(*, review: Review, scores: dict[int, int], comments: str, submit: bool) -> Review:
    """Save a reviewer's scores (1–5 per criterion) and comments; with `submit`, every
    criterion must be scored and the review is final."""
    criteria = {c.pk: c for c in review.application.cohort.criteria.all()}
    errors = {}
    clean_scores = {}
    for criterion_id, value in scores.items():
        if criterion_id not in criteria:
            continue
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 5:
            errors[f"c_{criterion_id}"] = "Score from 1 to 5."
        else:
            clean_scores[criterion_id] = number
    if submit:
        if not criteria:
            raise ValidationError("This cohort has no scoring criteria yet; ask the manager.")
        for criterion_id in criteria:
            if criterion_id not in clean_scores and f"c_{criterion_id}" not in errors:
                errors[f"c_{criterion_id}"] = "Score this criterion before you submit."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the application before the review (the order review_pick uses too), so two
        # reviewers submitting at once recount one after the other.
        Application.objects.select_for_update().filter(pk=review.application_id).first()
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.is_submitted:
            if submit:
                return locked  # double click on submit
            raise ValidationError("This review has been submitted and can no longer change.")
        for criterion_id, value in clean_scores.items():
            Score.objects.update_or_create(
                review=locked,
                criterion_id=criterion_id,
                defaults={"value": value, "organisation_id": locked.organisation_id},
            )
        locked.comments = comments.strip()
        if submit:
            locked.weighted_score = weighted_score(
                clean_scores, {pk: c.weight for pk, c in criteria.items()}
            )
            locked.submitted_at = timezone.now()
        locked.save()
        if submit:
            Application.objects.filter(pk=locked.application_id).update(
                review_count=Review.objects.filter(
                    application_id=locked.application_id, submitted_at__isnull=False
                ).count()
            )
    return locked


def review_release(*, review: Review) -> None:
    """Remove an unsubmitted review (a reviewer changes their mind, or the manager
    reassigns)."""
    if review.is_submitted:
        raise ValidationError("A submitted review stays on record.")
    review.delete()
