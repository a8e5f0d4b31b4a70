"""The one anonymisation engine: erasure of a person, withdrawal of a company, retention.

Personal fields are overwritten in place, never deleted with their rows, so every count,
sum and share that impact reports compute stays what it was: the rows, their keys and the
numbers (sector, region, employees, turnover band, baselines, survey outcome values) stay;
names, addresses, free text and uploaded files go.

Writes go through `QuerySet.update()` on purpose: it bypasses model signals, so the audit
trail does not record the erased values as the "before" of a change, and `auto_now`
columns do not move. What the audit trail already holds about the fields is redacted
(`_redact_audit`). The engine crosses tenants where the data does (a person's records in
every organisation), and says so with `scopes_disabled()`.
"""

from __future__ import annotations

import json
import logging
import operator
from collections import Counter
from collections.abc import Iterable
from functools import reduce

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q, TextField, Value
from django.db.models.functions import Cast, Concat, Trim
from django.utils import timezone

from activities.models import (
    CalendarFeed,
    ChallengeProposal,
    CompetitorDeclaration,
    ConsortiumMember,
    EventFeedback,
    MissionDelegate,
    MissionMeeting,
    PeerGroupMember,
    Registration,
)
from cohorts.models import (
    Application,
    ApplicationFile,
    ApplicationStatusChange,
    Company,
    CompanyInvitation,
    CompanyMember,
    Enrolment,
    QuestionKind,
    Review,
)
from impact.models import CustomQuestion, SurveyInvitation, SurveyResponse
from mentoring.models import (
    AdviserContact,
    DiagnosisComment,
    Goal,
    MentoringSession,
    MentorMatch,
    MentorProfile,
    NeedsDiagnosis,
    SessionAction,
    SessionReminder,
)
from portal.models import Invitation, Membership, OutgoingEmail, User
from portal.tenancy import scopes_disabled

logger = logging.getLogger(__name__)

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: can never be delivered to anyone.
REMOVED_TEXT = "(removed)"
AUDIT_REDACTED = "[erased]"

# The company profile fields that identify a company; the rest (sector, region, year
# founded, employees, turnover band, exports) are the numbers impact figures are cut by.
COMPANY_IDENTIFIERS = ("name", "registration_number", "website", "help_wanted")
SNAPSHOT_IDENTIFIERS = ("name", "registration_number", "website", "help_wanted")
MENTOR_FREE_TEXT = (
    "background",
    "bio",
    "companies_founded_or_scaled",
    "coaching_experience",
    "rate_expectation",
    "interview_notes",
)
# Every free-text field the company scrub clears, by name, for the audit trail's records
# of their values.
SCRUBBED_FREE_TEXT = (
    "answers",
    "company_snapshot",
    "withdrawal_reason",
    "email",
    "custom_answers",
    "notes",
    "note",
    "text",
    "decline_reason",
    "end_reason",
    "company_feedback",
    "place",
    "online_link",
    "cancel_reason",
    "reason",
    "comments",
    # Programme activities.
    "most_useful",
    "improve",
    "objectives",
    "prospect_name",
    "summary",
    "result_note",
)
EVENT_FEEDBACK_TEXT = ("most_useful", "improve")
TEXT_QUESTION_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


def erased_email(user_pk: int) -> str:
    """The unique, undeliverable address an erased account is left with."""
    return f"erased-{user_pk}@{ERASED_DOMAIN}"


def withdrawn_company_name(company_pk: int) -> str:
    return f"Withdrawn company #{company_pk}"


def withdrawn_company_email(company_pk: int) -> str:
    return f"withdrawn-company-{company_pk}@{ERASED_DOMAIN}"


def delete_stored_on_commit(fieldfile) -> bool:
    """Delete an upload from storage (after the transaction commits, so a rollback does not
    leave rows pointing at deleted files). True if there was a file."""
    if not fieldfile:
        return False
    storage, name = fieldfile.storage, fieldfile.name

    def delete():
        try:
            storage.delete(name)
        except OSError:  # pragma: no cover - a storage that fails is logged, not fatal
            logger.exception("Could not delete %s from storage", name)

    transaction.on_commit(delete)
    return True


def _log_entries():
    """The audit trail's entries, or None when the audit trail is not installed."""
    if not apps.is_installed("auditlog"):
        return None
    from auditlog import get_logentry_model

    return get_logentry_model().objects.all()


def _about(model, pks: Iterable) -> Q:
    """Entries about these rows of a model."""
    from django.contrib.contenttypes.models import ContentType

    return Q(
        content_type=ContentType.objects.get_for_model(model), object_pk__in=[str(p) for p in pks]
    )


def _mentioning(entries, text: str):
    """Entries whose representation or recorded changes contain the text (a full scan:
    erasure is rare, and an address is unique enough to look for everywhere)."""
    return entries.annotate(_changes=Cast("changes", TextField())).filter(
        Q(object_repr__icontains=text)
        | Q(_changes__icontains=text)
        | Q(changes_text__icontains=text)
    )


def _redact_audit(selection: Q | None, *, fields=(), replacements=None, entries=None) -> int:
    """Scrub erased values from the audit trail's entries: the values of `fields` in their
    recorded changes become "[erased]", and each old string of `replacements` (a name, an
    address) is replaced wherever it appears (representation, changes, change text).
    `selection` picks the entries (or pass `entries`). A no-op without the audit trail."""
    if entries is None:
        entries = _log_entries()
        if entries is None or selection is None:
            return 0
        entries = entries.filter(selection)
    fields = set(fields)
    replacements = {
        old: new for old, new in (replacements or {}).items() if old and len(old.strip()) >= 3
    }

    def scrub(text):
        for old, new in replacements.items():
            text = text.replace(old, new)
        return text

    redacted = 0
    for entry in entries.only("pk", "object_repr", "changes", "changes_text"):
        changes = entry.changes
        if isinstance(changes, dict) and fields:
            changes = {
                key: ([AUDIT_REDACTED, AUDIT_REDACTED] if key in fields else value)
                for key, value in changes.items()
            }
        if changes is not None and replacements:
            escaped = {
                json.dumps(old, ensure_ascii=False)[1:-1]: json.dumps(new, ensure_ascii=False)[1:-1]
                for old, new in replacements.items()
            }
            text = json.dumps(changes, ensure_ascii=False)
            for old, new in escaped.items():
                text = text.replace(old, new)
            changes = json.loads(text)
        type(entry).objects.filter(pk=entry.pk).update(
            changes=changes,
            changes_text=scrub(entry.changes_text or ""),
            object_repr=scrub(entry.object_repr or ""),
            serialized_data=None,
        )
        redacted += 1
    return redacted


# --- Applications ---------------------------------------------------------------------------


def scrub_applications(applications) -> Counter:
    """Remove what identifies the company from applications: free-text answers, the name,
    number, website and help wanted in the frozen profile, uploaded files (gone from
    storage, their rows deleted), reasons written on status changes and reviewers'
    comments. Status, dates, choices, numbers and scores stay."""
    counts: Counter = Counter()
    applications = list(applications.select_related("cohort"))
    if not applications:
        return counts
    cohort_ids = {a.cohort_id for a in applications}
    from cohorts.models import Question

    text_questions = set(
        str(pk)
        for pk in Question.objects.filter(
            cohort_id__in=cohort_ids, kind__in=TEXT_QUESTION_KINDS
        ).values_list("pk", flat=True)
    )
    for application in applications:
        answers = {k: v for k, v in (application.answers or {}).items() if k not in text_questions}
        snapshot = dict(application.company_snapshot or {})
        for key in SNAPSHOT_IDENTIFIERS:
            if key in snapshot:
                snapshot[key] = (
                    withdrawn_company_name(application.company_id) if key == "name" else ""
                )
        Application.objects.filter(pk=application.pk).update(
            answers=answers, company_snapshot=snapshot
        )
        counts["applications"] += 1
    pks = [a.pk for a in applications]
    for upload in ApplicationFile.objects.filter(application_id__in=pks):
        counts["files deleted"] += delete_stored_on_commit(upload.file)
    ApplicationFile.objects.filter(application_id__in=pks).delete()
    ApplicationStatusChange.objects.filter(application_id__in=pks).exclude(reason="").update(
        reason=""
    )
    Review.objects.filter(application_id__in=pks).exclude(comments="").update(comments="")
    _redact_audit(_about(Application, pks), fields={"answers", "company_snapshot"})
    return counts


# --- Companies ------------------------------------------------------------------------------


# Rows by which an organisation knows a company: its applications and enrolments, and the
# programme activities it takes part in.
KNOWN_BY = (
    Application,
    Enrolment,
    Registration,
    MissionDelegate,
    PeerGroupMember,
    ConsortiumMember,
    ChallengeProposal,
    CompetitorDeclaration,
)


def other_organisations_know(company: Company, organisation) -> bool:
    """Whether any organisation but this one has an application (draft or not), an
    enrolment or an activity row (an event registration, a mission delegation, a group,
    a consortium, a proposal, a competitor declaration) of the company: then its profile is
    theirs too and stays."""
    with scopes_disabled():
        return any(
            model.objects.filter(company=company).exclude(organisation=organisation).exists()
            for model in KNOWN_BY
        )


def anonymise_company(*, company: Company, organisation) -> dict[str, int]:
    """Withdraw a company from one organisation's data: scrub every record the organisation
    holds about it (applications, files, survey contact addresses and text answers,
    advisers' and mentors' notes), and, when no other organisation knows the company,
    anonymise its profile too (name → "Withdrawn company #id", number, website, help
    wanted) and unlink the people who act for it. Numbers stay. Returns counts by kind."""
    counts: Counter = Counter()
    now = timezone.now()
    # A company's records span this organisation's tables; the filters name it explicitly.
    with scopes_disabled(), transaction.atomic():
        of_org = {"company": company, "organisation": organisation}
        counts.update(scrub_applications(Application.objects.filter(**of_org)))
        Enrolment.objects.filter(**of_org).exclude(withdrawal_reason="").update(
            withdrawal_reason=""
        )
        # The marker the organisation's planners read (impact's survey rounds, activities'
        # event invitations): the company is contacted no more through these rows, even
        # when its enrolment is active and its people stay because another organisation
        # knows it. The first withdrawal's date stays.
        for model in (Application, Enrolment):
            model.objects.filter(**of_org, data_withdrawn_at__isnull=True).update(
                data_withdrawn_at=now
            )
        invitations = SurveyInvitation.objects.filter(**of_org)
        counts["survey invitations stopped"] += _stop_invitations(invitations)
        counts["survey invitations"] += invitations.update(
            email=withdrawn_company_email(company.pk)
        )
        counts["survey responses"] += _scrub_custom_text_answers(
            SurveyResponse.objects.filter(**of_org)
        )
        counts.update(_scrub_mentoring(company=company, organisation=organisation))
        counts.update(_scrub_activities(company=company, organisation=organisation))
        shared = other_organisations_know(company, organisation)
        if not shared:
            counts.update(_anonymise_company_profile(company))
        # What the audit trail recorded of the scrubbed free text, in this organisation's
        # entries (every organisation's, when the profile itself was anonymised).
        selection = _about_company(company)
        entries = _log_entries()
        if shared and entries is not None and _has_field(entries.model, "organisation"):
            selection &= Q(organisation=organisation)
        _redact_audit(selection, fields=SCRUBBED_FREE_TEXT)
    return {key: value for key, value in counts.items() if value}


def _stop_invitations(invitations) -> int:
    """Expire survey invitations not yet sent, and links sent but not answered, so neither
    the invitation nor a reminder goes to an address that is gone. Impact figures do not
    move: a round's "invited" counts invitations sent, the response rate counts answers over
    enrolled companies, and answers stay. Only a round's count of invitations not yet sent
    drops, by the invitations that will now never be sent."""
    return invitations.filter(
        status__in=[SurveyInvitation.Status.SCHEDULED, SurveyInvitation.Status.SENT]
    ).update(status=SurveyInvitation.Status.EXPIRED)


def _scrub_custom_text_answers(responses) -> int:
    """Drop answers to managers' free-text questions; outcome columns stay."""
    scrubbed = 0
    for response in responses.only("pk", "programme_id", "custom_answers"):
        if not response.custom_answers:
            continue
        text_keys = set(
            CustomQuestion.objects.filter(
                programme_id=response.programme_id, kind=CustomQuestion.Kind.TEXT
            ).values_list("key", flat=True)
        )
        kept = {k: v for k, v in response.custom_answers.items() if k not in text_keys}
        if kept != response.custom_answers:
            SurveyResponse.objects.filter(pk=response.pk).update(custom_answers=kept)
            scrubbed += 1
    return scrubbed


def _scrub_mentoring(*, company: Company, organisation) -> Counter:
    counts: Counter = Counter()
    of_org = {"company": company, "organisation": organisation}
    diagnoses = NeedsDiagnosis.objects.filter(**of_org)
    counts["needs diagnoses"] += diagnoses.exclude(notes="").update(notes="")
    Goal.objects.filter(diagnosis__in=diagnoses).update(text=REMOVED_TEXT)
    DiagnosisComment.objects.filter(diagnosis__in=diagnoses).update(text=REMOVED_TEXT)
    counts["adviser contacts"] += AdviserContact.objects.filter(**of_org).update(note="")
    MentorMatch.objects.filter(**of_org).update(decline_reason="", end_reason="")
    sessions = MentoringSession.objects.filter(**of_org)
    counts["mentoring sessions"] += sessions.update(
        notes="", company_feedback="", place="", online_link="", cancel_reason=""
    )
    SessionAction.objects.filter(session__in=sessions).update(text=REMOVED_TEXT)
    # The periodic reminders of sessions still to come would write to the company (with the
    # place and link now gone): they stop. The sessions stay booked until someone cancels.
    counts["session reminders stopped"] += SessionReminder.objects.filter(
        session__in=sessions, sent_at__isnull=True, cancelled=False
    ).update(cancelled=True)
    return counts


def _scrub_activities(*, company: Company, organisation) -> Counter:
    """The company's free text in the organisation's programme activities: feedback on
    events, its objectives for missions, the notes and prospects of the meetings it logged,
    its challenge proposals and the notes on their results. Its competitor declarations go
    (they name another company and serve only to form groups). The rows, their statuses and
    numbers stay (attendance, ratings, deal values): the activities' figures do not move.
    Consortium plan documents stay: they are the consortium's, not one member's."""
    counts: Counter = Counter()
    of_org = {"company": company, "organisation": organisation}
    counts["event feedback"] += EventFeedback.objects.filter(
        registration__company=company, organisation=organisation
    ).update(**dict.fromkeys(EVENT_FEEDBACK_TEXT, ""))
    counts["mission delegations"] += MissionDelegate.objects.filter(**of_org).update(objectives="")
    counts["mission meetings"] += MissionMeeting.objects.filter(
        delegate__company=company, organisation=organisation
    ).update(prospect_name=REMOVED_TEXT, notes="")
    counts["challenge proposals"] += ChallengeProposal.objects.filter(**of_org).update(
        summary=REMOVED_TEXT, result_note=""
    )
    counts["competitor declarations"] += CompetitorDeclaration.objects.filter(**of_org).delete()[0]
    return counts


def _has_field(model, name: str) -> bool:
    return any(f.name == name or f.attname == name for f in model._meta.concrete_fields)


def _about_company(company: Company) -> Q:
    """Entries about the company and about every record that names it."""
    selection = _about(Company, [company.pk])
    entries = _log_entries()
    if entries is not None and _has_field(entries.model, "company_id"):
        selection |= Q(company_id=company.pk)
    for model in (
        Application,
        Enrolment,
        CompanyMember,
        SurveyInvitation,
        SurveyResponse,
        NeedsDiagnosis,
        MentorMatch,
        MentoringSession,
        AdviserContact,
        Registration,
        MissionDelegate,
        ChallengeProposal,
    ):
        pks = model._base_manager.filter(company=company).values_list("pk", flat=True)
        selection |= _about(model, pks)
    meetings = MissionMeeting._base_manager.filter(delegate__company=company)
    selection |= _about(MissionMeeting, meetings.values_list("pk", flat=True))
    return selection


def _anonymise_company_profile(company: Company) -> Counter:
    counts: Counter = Counter()
    Company.objects.filter(pk=company.pk).update(
        name=withdrawn_company_name(company.pk),
        registration_number="",
        website="",
        help_wanted="",
    )
    counts["company profiles"] += 1
    counts["people unlinked"] += CompanyMember.objects.filter(company=company).delete()[0]
    CompanyInvitation.objects.filter(company=company).delete()
    _redact_audit(
        _about_company(company),
        fields=COMPANY_IDENTIFIERS,
        replacements={
            company.name: withdrawn_company_name(company.pk),
            company.registration_number: "",
            company.website: "",
        },
    )
    company.refresh_from_db()
    return counts


# --- People ---------------------------------------------------------------------------------


def anonymise_user(*, user: User) -> dict[str, int]:
    """Erase a person in place: name, e-mail (to a unique undeliverable address), password
    unusable, inactive; their e-mail addresses, authenticators and sessions gone; their
    mentor profiles' free text and CV, comments they wrote, invitations addressed to them
    scrubbed; their roles and company links removed. Records they took part in (reviews,
    sessions, claims) stay, pointing at the anonymised account. Returns counts by kind."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    counts: Counter = Counter()
    old_email = user.email
    old_name = user.get_full_name()
    new_email = erased_email(user.pk)
    new_name = f"Erased person {user.pk}"
    entries = _log_entries()
    # A person's records are spread over every organisation they dealt with.
    with scopes_disabled(), transaction.atomic():
        # The audit entries that name the person, found before the links below are undone.
        about_person = _own_records([user])
        naming_person = about_person | _rows_pointing_at([user]) | _made_by(user, old_name)
        profiles = MentorProfile.objects.filter(user=user)
        for profile in profiles.only("pk", "cv"):
            counts["files deleted"] += delete_stored_on_commit(profile.cv)
        counts["mentor profiles"] += profiles.update(
            **dict.fromkeys(MENTOR_FREE_TEXT, ""), cv="", status=MentorProfile.Status.INACTIVE
        )
        _redact_audit(
            _about(MentorProfile, profiles.values_list("pk", flat=True)), fields=MENTOR_FREE_TEXT
        )
        counts["comments"] += DiagnosisComment.objects.filter(author=user).update(text=REMOVED_TEXT)
        counts.update(_unlink_activities(user))
        counts["invitations"] += Invitation.objects.filter(email__iexact=old_email).update(
            email=new_email
        )
        CompanyInvitation.objects.filter(email__iexact=old_email).update(email=new_email)
        invitations = SurveyInvitation.objects.filter(email__iexact=old_email)
        counts["survey invitations stopped"] += _stop_invitations(invitations)
        counts["survey invitations"] += invitations.update(email=new_email)
        counts["roles"] += Membership.objects.filter(user=user).delete()[0]
        counts["company links"] += CompanyMember.objects.filter(user=user).delete()[0]
        user.funder_links.clear()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        # Messages already sent to the old address; queued ones (the notice of this
        # erasure) still go out.
        OutgoingEmail.objects.filter(to__iexact=old_email).exclude(
            status=OutgoingEmail.Status.QUEUED
        ).delete()
        counts["exports deleted"] += _delete_exports(user)
        User.objects.filter(pk=user.pk).update(
            first_name="Erased",
            last_name=f"person {user.pk}",
            email=new_email,
            password=make_password(None),
            is_active=False,
            is_staff=False,
            is_superuser=False,
        )
        # The audit trail: entries about the person and their roles (name and address
        # replaced).
        _redact_audit(
            about_person,
            fields={"first_name", "last_name", "email", "password"},
            replacements={old_email: new_email, old_name: new_name},
        )
        if entries is not None:
            # The address is the person's alone: replaced in any entry that recorded it.
            if len(old_email.strip()) >= 3:
                _redact_audit(
                    None,
                    entries=_mentioning(entries, old_email),
                    replacements={old_email: new_email},
                )
            # Related records are recorded by their text, so the person's name stands in
            # the entries of every application, review or session that pointed at them. A
            # name is not unique, though: it is replaced only in the entries that name
            # this person, never in a namesake's.
            if len(old_name.strip()) >= 3:
                _redact_audit(
                    None,
                    entries=_mentioning(entries.filter(naming_person), old_name),
                    replacements={old_email: new_email, old_name: new_name},
                )
        if apps.is_installed("auditlog"):
            from auditlog import get_logentry_model

            get_logentry_model().objects.filter(actor=user).update(actor_email=new_email)
        counts["sessions ended"] += _end_sessions(user)
    user.refresh_from_db()
    return {key: value for key, value in counts.items() if value}


def _own_records(users: list[User]) -> Q:
    """Audit entries about people's own records: their accounts, roles, mentor profiles
    and links to companies."""
    ids = [u.pk for u in users]
    rows = {
        User: ids,
        Membership: Membership.objects.filter(user_id__in=ids).values_list("pk", flat=True),
        MentorProfile: MentorProfile.objects.filter(user_id__in=ids).values_list("pk", flat=True),
        CompanyMember: CompanyMember.objects.filter(user_id__in=ids).values_list("pk", flat=True),
    }
    return reduce(operator.or_, (_about(model, pks) for model, pks in rows.items()))


def _rows_pointing_at(users: list[User]) -> Q:
    """Audit entries about the audited rows that point at these people or their mentor
    profiles (an application they wrote, a review, a session they booked or mentored, a
    place they booked): those entries record them by name."""
    from portal.audit import AUDITED_MODELS

    ids = [u.pk for u in users]
    profile_ids = list(MentorProfile.objects.filter(user_id__in=ids).values_list("pk", flat=True))
    selection = Q(pk__in=[])
    for label in AUDITED_MODELS:
        model = apps.get_model(label)
        links = Q()
        for field in model._meta.concrete_fields:
            if field.related_model is User:
                links |= Q(**{f"{field.attname}__in": ids})
            elif field.related_model is MentorProfile and profile_ids:
                links |= Q(**{f"{field.attname}__in": profile_ids})
        if links:
            pks = model._base_manager.filter(links).values_list("pk", flat=True)
            selection |= _about(model, pks)
    return selection


def _made_by(user: User, full_name: str) -> Q:
    """Audit entries the person made, but not those about another person of the same name
    (their own records and the rows that point at them): there the name is theirs."""
    made = Q(actor_id=user.pk)
    namesakes = []
    if full_name.strip():
        namesakes = list(
            User.objects.annotate(full_name=Trim(Concat("first_name", Value(" "), "last_name")))
            .filter(full_name=full_name.strip())
            .exclude(pk=user.pk)
        )
    if namesakes:
        made &= ~(_own_records(namesakes) | _rows_pointing_at(namesakes))
    return made


def _unlink_activities(user: User) -> Counter:
    """A person's traces in programme activities: their calendar feed goes; the feedback
    they wrote on events loses its text (the rating and "would recommend" stay, for the
    event's figures); the rows they made for their companies (registrations, applications
    to missions, meetings logged, competitor declarations, challenge proposals) stay, the
    company's, but no longer point at them."""
    counts: Counter = Counter()
    counts["calendar feeds"] += CalendarFeed.objects.filter(user=user).delete()[0]
    feedback = EventFeedback.objects.filter(registration__user=user)
    _redact_audit(
        _about(EventFeedback, feedback.values_list("pk", flat=True)),
        fields=EVENT_FEEDBACK_TEXT,
    )
    counts["event feedback"] += feedback.exclude(most_useful="", improve="").update(
        **dict.fromkeys(EVENT_FEEDBACK_TEXT, "")
    )
    for model, link in (
        (Registration, "user"),
        (MissionDelegate, "applied_by"),
        (MissionMeeting, "logged_by"),
        (ChallengeProposal, "submitted_by"),
        (CompetitorDeclaration, "declared_by"),
    ):
        counts["activity records unlinked"] += model.objects.filter(**{link: user}).update(
            **{link: None}
        )
    return counts


def _delete_exports(user: User) -> int:
    """Subject-access ZIPs are copies of the person's data: they go too."""
    try:
        DataExport = apps.get_model("privacy", "DataExport")
    except LookupError:  # pragma: no cover
        return 0
    exports = DataExport.objects.filter(user=user)
    for export in exports.only("pk", "file"):
        delete_stored_on_commit(export.file)
    return exports.delete()[0]


def _end_sessions(user: User) -> int:
    """Delete the person's sessions from the session store. (The new unusable password
    already invalidates them, since Django checks the password hash on each request; this
    removes the rows as well.)"""
    from django.conf import settings
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    live = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator(chunk_size=500):
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def anonymise_companies(*, companies: Iterable[Company], organisation) -> Counter:
    counts: Counter = Counter()
    for company in companies:
        counts.update(anonymise_company(company=company, organisation=organisation))
    return counts
