"""Subject access: a person's copy of everything the portal holds about them.

A signed-in person asks (`export_request`); a Celery task builds a ZIP of JSON and CSV files
(`export_build`) and e-mails a link that works for EXPORT_LIFETIME, for that person only;
a periodic sweep (`exports_sweep`) expires old exports and deletes their files.

What the export holds is decided in one place, `subject_access_data`: the person's own rows
(profile, addresses, roles, mentor profiles, claims, reviews and comments they wrote, the
applications they wrote) and the rows of the companies they act for (enrolments, baselines,
survey answers, mentor matches and sessions, and programme activities: events, missions,
peer groups, competitor declarations, consortia, challenge proposals). The person crosses
every organisation they deal with, so the reads run with scopes disabled; every query is
fenced by the person or by the companies they act for, never by a tenant.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from privacy.models import DataExport

logger = logging.getLogger(__name__)

# How long the e-mailed link works.
EXPORT_LIFETIME = timedelta(days=7)
# A pending export the worker has not finished after this long is handed to it again
# (the worker was down, or died half-way); after MAX_ATTEMPTS it is marked failed.
STALE_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 5

README = """\
Your data from Scaleup Portal
=============================

Prepared on {prepared} for {email}.

Each kind of record is in two files with the same name: a .json file (complete, with
nested answers kept as they are stored) and a .csv file (one row per record, for a
spreadsheet; nested values are written as JSON text). A section with no records has a
header row only.

{sections}

Uploaded files (application attachments, CVs) are listed by name, size and type; ask the
organisation that holds them if you need a copy of a file itself.

If something is missing or wrong, write to the organisation concerned; you can see who
holds your data on the Privacy page of the portal, where you can also ask to be erased.
"""


@dataclass
class Section:
    """One kind of record: written as <name>.json and <name>.csv."""

    name: str
    title: str
    rows: list[dict] = field(default_factory=list)


# --- What the portal holds about a person --------------------------------------------------


def _label(choices_value, choices) -> str:
    try:
        return choices(choices_value).label
    except ValueError:
        return choices_value or ""


def subject_access_data(*, user) -> list[Section]:
    """Every record the portal holds about `user`, in sections, in the order a reader
    expects them (who you are, where you work, what you did)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from cohorts.models import (
        Application,
        ApplicationFile,
        CompanyMember,
        Enrolment,
        Question,
        Review,
    )
    from cohorts.selectors import companies_of_user
    from impact.models import Baseline, SurveyResponse
    from mentoring.models import (
        DiagnosisComment,
        FeeClaim,
        MentoringSession,
        MentorMatch,
        MentorProfile,
    )
    from portal.models import Membership, OutgoingEmail
    from portal.tenancy import scopes_disabled
    from programmes.models import Funder

    sections: list[Section] = []

    def add(name: str, title: str, rows) -> None:
        sections.append(Section(name=name, title=title, rows=list(rows)))

    # The person crosses tenants by definition: every query below is fenced by the user or
    # by the companies they act for.
    with scopes_disabled():
        add(
            "profile",
            "Your account",
            [
                {
                    "id": user.pk,
                    "email": user.email,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "date_joined": user.date_joined,
                    "last_login": user.last_login,
                    "is_active": user.is_active,
                }
            ],
        )
        addresses = list(EmailAddress.objects.filter(user=user).order_by("email"))
        add(
            "email_addresses",
            "Your e-mail addresses",
            ({"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses),
        )
        add(
            "two_factor_authentication",
            "Your two-factor authentication methods (no secrets)",
            (
                {
                    "type": _label(a.type, Authenticator.Type),
                    "created_at": a.created_at,
                    "last_used_at": a.last_used_at,
                }
                for a in Authenticator.objects.filter(user=user).order_by("created_at")
            ),
        )
        add(
            "memberships",
            "Your roles in organisations",
            (
                {
                    "organisation": m.organisation.name,
                    "organisation_address": m.organisation.slug,
                    "role": m.get_role_display(),
                    "since": m.created_at,
                }
                for m in Membership.objects.filter(user=user).select_related("organisation")
            ),
        )
        add(
            "funder_links",
            "Funders you see reports for",
            (
                {"organisation": f.organisation.name, "funder": f.name}
                for f in Funder.objects.filter(users=user).select_related("organisation")
            ),
        )

        # --- The companies they act for ---------------------------------------------------
        add(
            "company_memberships",
            "Companies you act for",
            (
                {"company": m.company.name, "role": m.get_role_display(), "since": m.created_at}
                for m in CompanyMember.objects.filter(user=user)
                .select_related("company")
                .order_by("company__name")
            ),
        )
        companies = list(companies_of_user(user=user))
        company_ids = [c.pk for c in companies]
        add(
            "companies",
            "Profiles of the companies you act for",
            (
                {
                    "id": c.pk,
                    "name": c.name,
                    "registration_number": c.registration_number,
                    "sector": c.get_sector_display(),
                    "region": c.get_region_display(),
                    "year_founded": c.year_founded,
                    "employees": c.employees,
                    "turnover_band": c.get_turnover_band_display(),
                    "website": c.website,
                    "exports": c.exports,
                    "export_markets": c.export_markets,
                    "help_wanted": c.help_wanted,
                    "created_at": c.created_at,
                    "updated_at": c.updated_at,
                }
                for c in companies
            ),
        )

        # --- Applications: the ones they wrote and those of their companies ----------------
        applications = list(
            Application.objects.filter(Q(created_by=user) | Q(company__in=company_ids))
            .select_related("organisation", "cohort__programme", "company")
            .order_by("created_at", "pk")
        )
        labels = dict(
            Question.objects.filter(cohort__in={a.cohort_id for a in applications}).values_list(
                "pk", "label"
            )
        )
        add(
            "applications",
            "Applications you wrote, and those of the companies you act for",
            (
                {
                    "id": a.pk,
                    "organisation": a.organisation.name,
                    "programme": a.cohort.programme.name,
                    "cohort": str(a.cohort.number),
                    "company": a.company.name,
                    "written_by_you": a.created_by_id == user.pk,
                    "status": a.get_status_display(),
                    "created_at": a.created_at,
                    "submitted_at": a.submitted_at,
                    "decided_at": a.decided_at,
                    "answers": [
                        {"question": labels.get(_int(key), f"Question {key}"), "answer": value}
                        for key, value in a.answers.items()
                    ],
                    "company_profile_as_submitted": a.company_snapshot,
                }
                for a in applications
            ),
        )
        add(
            "application_files",
            "Files uploaded with those applications (listed, not included)",
            (
                {
                    "application_id": f.application_id,
                    "question": f.question.label,
                    "file_name": f.original_name,
                    "content_type": f.content_type,
                    "size_bytes": f.size,
                    "uploaded_at": f.uploaded_at,
                }
                for f in ApplicationFile.objects.filter(
                    application__in=[a.pk for a in applications]
                )
                .select_related("question")
                .order_by("application_id", "pk")
            ),
        )
        add(
            "enrolments",
            "Programmes your companies take part in",
            (
                {
                    "organisation": e.organisation.name,
                    "programme": e.cohort.programme.name,
                    "cohort": str(e.cohort.number),
                    "company": e.company.name,
                    "status": e.get_status_display(),
                    "enrolled_at": e.enrolled_at,
                    "withdrawn_at": e.withdrawn_at,
                    "withdrawal_reason": e.withdrawal_reason,
                }
                for e in Enrolment.objects.filter(company__in=company_ids)
                .select_related("organisation", "cohort__programme", "company")
                .order_by("enrolled_at", "pk")
            ),
        )
        add(
            "baselines",
            "Starting figures your companies gave",
            (
                {
                    "organisation": b.organisation.name,
                    "company": b.company.name,
                    "employees": b.employees,
                    "turnover": b.turnover,
                    "export_sales": b.export_sales,
                    "exporting_markets": b.exporting_markets,
                    "recorded_at": b.recorded_at,
                }
                for b in Baseline.objects.filter(company__in=company_ids)
                .select_related("organisation", "company")
                .order_by("recorded_at", "pk")
            ),
        )
        add(
            "survey_answers",
            "Follow-up survey answers of your companies",
            (
                {
                    "organisation": r.organisation.name,
                    "programme": r.programme.name,
                    "cohort": str(r.cohort.number),
                    "company": r.company.name,
                    "months_after": r.round_months,
                    "comparison_group": r.is_comparison,
                    "answered_by": r.get_source_display(),
                    "responded_on": r.responded_on,
                    "submitted_at": r.submitted_at,
                    "jobs_created": r.jobs_created,
                    "new_deals": r.new_deals,
                    "deals_count": r.deals_count,
                    "deals_value": r.deals_value,
                    "new_markets": r.new_markets,
                    "markets_entered": r.markets_entered,
                    "further_funding": r.further_funding,
                    "funding_amount": r.funding_amount,
                    "funding_type": r.get_funding_type_display(),
                    "new_offices": r.new_offices,
                    "offices_where": r.offices_where,
                    "turnover": r.turnover,
                    "profit": r.profit,
                    "export_sales": r.export_sales,
                    "attribution": r.get_attribution_display(),
                    "other_answers": r.custom_answers,
                }
                for r in SurveyResponse.objects.filter(company__in=company_ids)
                .select_related("organisation", "programme", "cohort", "company")
                .order_by("responded_on", "pk")
            ),
        )

        # --- Mentoring, from either side ----------------------------------------------------
        mentor_profiles = list(
            MentorProfile.objects.filter(user=user)
            .select_related("organisation")
            .prefetch_related("conflicts")
            .order_by("created_at")
        )
        add(
            "mentor_profiles",
            "Your mentor profiles",
            (
                {
                    "organisation": p.organisation.name,
                    "status": p.get_status_display(),
                    "background": p.background,
                    "expertise": p.expertise_labels(),
                    "sectors": p.sectors,
                    "companies_founded_or_scaled": p.companies_founded_or_scaled,
                    "coaching_experience": p.coaching_experience,
                    "cv_file": p.cv.name.rsplit("/", 1)[-1] if p.cv else "",
                    "rate_expectation": p.rate_expectation,
                    "rate_per_session": p.rate_per_session,
                    "capacity_per_month": p.capacity_per_month,
                    "languages": p.languages,
                    "region": p.region,
                    "online_ok": p.online_ok,
                    "time_zone": p.time_zone,
                    "bio": p.bio,
                    "style_answers": p.style_answers,
                    "thinking_style": p.thinking_style,
                    "interaction_style": p.interaction_style,
                    "declared_conflicts": [c.name for c in p.conflicts.all()],
                    "interview_notes": p.interview_notes,
                    "agreement_signed_at": p.agreement_signed_at,
                    "conflicts_declared_at": p.conflicts_declared_at,
                    "induction_attended_at": p.induction_attended_at,
                    "created_at": p.created_at,
                }
                for p in mentor_profiles
            ),
        )
        mine = Q(mentor__user=user) | Q(company__in=company_ids)
        add(
            "mentor_matches",
            "Mentor matches (as mentor or for your companies)",
            (
                {
                    "your_side": "mentor" if m.mentor.user_id == user.pk else "company",
                    "organisation": m.organisation.name,
                    "mentor": m.mentor.user.display_name,
                    "company": m.company.name,
                    "status": m.get_status_display(),
                    "proposed_at": m.proposed_at,
                    "responded_at": m.responded_at,
                    "decline_reason": m.decline_reason,
                    "mentor_agreed_at": m.mentor_agreed_at,
                    "company_agreed_at": m.company_agreed_at,
                    "ended_at": m.ended_at,
                    "end_reason": m.end_reason,
                }
                for m in MentorMatch.objects.filter(mine)
                .select_related("organisation", "mentor__user", "company")
                .order_by("proposed_at", "pk")
            ),
        )
        add(
            "mentoring_sessions",
            "Mentoring sessions (as mentor or for your companies)",
            (
                _session_row(s, user=user)
                for s in MentoringSession.objects.filter(mine)
                .select_related("organisation", "mentor__user", "company")
                .order_by("starts_at", "pk")
            ),
        )
        add(
            "fee_claims",
            "Your mentor fee claims",
            (
                {
                    "organisation": c.organisation.name,
                    "month": c.month.strftime("%Y-%m"),
                    "status": c.get_status_display(),
                    "sessions": c.session_count,
                    "amount": c.amount,
                    "submitted_at": c.submitted_at,
                    "decided_at": c.decided_at,
                    "query_note": c.query_note,
                }
                for c in FeeClaim.objects.filter(mentor__user=user)
                .select_related("organisation")
                .order_by("month", "pk")
            ),
        )
        add(
            "diagnosis_comments",
            "Comments you wrote on needs diagnoses",
            (
                {"organisation": c.organisation.name, "text": c.text, "created_at": c.created_at}
                for c in DiagnosisComment.objects.filter(author=user)
                .select_related("organisation")
                .order_by("created_at", "pk")
            ),
        )
        add(
            "reviews_written",
            "Application reviews you wrote",
            (
                {
                    "organisation": r.organisation.name,
                    "application_id": r.application_id,
                    "company": r.application.company.name,
                    "programme": r.application.cohort.programme.name,
                    "cohort": str(r.application.cohort.number),
                    "comments": r.comments,
                    "weighted_score": r.weighted_score,
                    "scores": {s.criterion.name: s.value for s in r.scores.all()},
                    "submitted_at": r.submitted_at,
                }
                for r in Review.objects.filter(reviewer=user)
                .select_related(
                    "organisation", "application__company", "application__cohort__programme"
                )
                .prefetch_related("scores__criterion")
                .order_by("created_at", "pk")
            ),
        )
        _activity_sections(add, user=user, company_ids=company_ids)
        emails = {user.email.lower(), *(a.email.lower() for a in addresses)}
        email_filter = Q()
        for address in emails:
            email_filter |= Q(to__iexact=address)
        add(
            "emails_sent_to_you",
            "E-mails the portal sent you (subjects only)",
            (
                {
                    "to": e.to,
                    "subject": e.subject,
                    "status": e.get_status_display(),
                    "queued_at": e.created_at,
                    "sent_at": e.sent_at,
                }
                for e in OutgoingEmail.objects.filter(email_filter).order_by("created_at", "pk")
            ),
        )
        add("audit_entries", "Changes you made, from the audit trail", _audit_rows(user))
    return sections


def _file_name(fieldfile) -> str:
    return fieldfile.name.rsplit("/", 1)[-1] if fieldfile else ""


def _activity_sections(add, *, user, company_ids: list[int]) -> None:
    """Programme activities: the rows of the companies the person acts for, and those the
    person made themselves (a registration, an application to a mission, a meeting logged,
    a declaration, a proposal) even for a company they no longer act for. Called with scopes
    disabled; every query is fenced by the user or by `company_ids`."""
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

    ours = Q(company__in=company_ids)
    registrations = list(
        Registration.objects.filter(ours | Q(user=user))
        .select_related("organisation", "event", "company")
        .order_by("event__starts_at", "pk")
    )
    add(
        "event_registrations",
        "Events you or your companies registered for, with attendance",
        (
            {
                "organisation": r.organisation.name,
                "event": r.event.title,
                "kind": r.event.get_kind_display(),
                "starts_at": r.event.starts_at,
                "company": r.company.name,
                "registered_by_you": r.user_id == user.pk,
                "status": r.get_status_display(),
                "attendance": r.get_attendance_display(),
                "waitlisted_at": r.waitlisted_at,
                "promoted_at": r.promoted_at,
                "cancelled_at": r.cancelled_at,
                "registered_at": r.created_at,
            }
            for r in registrations
        ),
    )
    add(
        "event_feedback",
        "Feedback given on those events",
        (
            {
                "organisation": f.organisation.name,
                "event": f.registration.event.title,
                "company": f.registration.company.name,
                "rating": f.rating,
                "most_useful": f.most_useful,
                "could_be_better": f.improve,
                "would_recommend": f.would_recommend,
                "given_at": f.created_at,
            }
            for f in EventFeedback.objects.filter(registration__in=[r.pk for r in registrations])
            .select_related("organisation", "registration__event", "registration__company")
            .order_by("created_at", "pk")
        ),
    )
    delegations = list(
        MissionDelegate.objects.filter(ours | Q(applied_by=user))
        .select_related("organisation", "mission", "company")
        .order_by("mission__departs_on", "pk")
    )
    add(
        "mission_delegations",
        "Trade missions you or your companies applied for",
        (
            {
                "organisation": d.organisation.name,
                "mission": d.mission.title,
                "destination": f"{d.mission.destination_city}, {d.mission.destination_country}",
                "departs_on": d.mission.departs_on,
                "returns_on": d.mission.returns_on,
                "company": d.company.name,
                "applied_by_you": d.applied_by_id == user.pk,
                "status": d.get_status_display(),
                "objectives": d.objectives,
                "applied_at": d.created_at,
                "decided_at": d.decided_at,
            }
            for d in delegations
        ),
    )
    add(
        "mission_meetings",
        "Meetings logged on those missions (by you, or for your companies)",
        (
            {
                "organisation": m.organisation.name,
                "mission": m.mission.title,
                "company": m.delegate.company.name,
                "logged_by_you": m.logged_by_id == user.pk,
                "prospect": m.prospect_name,
                "prospect_kind": m.get_prospect_kind_display(),
                "met_on": m.met_on,
                "outcome": m.get_outcome_display(),
                "deal_value": m.deal_value,
                "notes": m.notes,
                "logged_at": m.created_at,
            }
            for m in MissionMeeting.objects.filter(
                Q(delegate__company__in=company_ids) | Q(logged_by=user)
            )
            .select_related("organisation", "mission", "delegate__company")
            .order_by("met_on", "pk")
        ),
    )
    add(
        "peer_groups",
        "Peer groups your companies belong to",
        (
            {
                "organisation": m.organisation.name,
                "programme": m.group.cohort.programme.name,
                "cohort": str(m.group.cohort.number),
                "group": m.group.name,
                "company": m.company.name,
                "since": m.created_at,
            }
            for m in PeerGroupMember.objects.filter(ours)
            .select_related("organisation", "group__cohort__programme", "company")
            .order_by("created_at", "pk")
        ),
    )
    add(
        "competitor_declarations",
        "Competitors you or your companies declared",
        (
            {
                "organisation": d.organisation.name,
                "cohort": str(d.cohort),
                "company": d.company.name,
                "competitor": d.competitor.name,
                "declared_by_you": d.declared_by_id == user.pk,
                "declared_at": d.created_at,
            }
            for d in CompetitorDeclaration.objects.filter(ours | Q(declared_by=user))
            .select_related("organisation", "cohort__programme", "company", "competitor")
            .order_by("created_at", "pk")
        ),
    )
    add(
        "export_consortia",
        "Export consortia your companies belong to (plan documents listed, not included)",
        (
            {
                "organisation": m.organisation.name,
                "consortium": m.consortium.name,
                "company": m.company.name,
                "lead_company": m.is_lead,
                "target_markets": m.consortium.target_markets,
                "support_starts_on": m.consortium.support_starts_on,
                "support_ends_on": m.consortium.support_ends_on,
                "plan_document": _file_name(m.consortium.plan_document),
            }
            for m in ConsortiumMember.objects.filter(ours)
            .select_related("organisation", "consortium", "company")
            .order_by("consortium__support_starts_on", "pk")
        ),
    )
    add(
        "challenge_proposals",
        "Innovation challenge proposals you or your companies submitted",
        (
            {
                "organisation": p.organisation.name,
                "challenge": p.challenge.title,
                "sponsor": p.challenge.sponsor,
                "company": p.company.name,
                "submitted_by_you": p.submitted_by_id == user.pk,
                "proposal": p.summary,
                "status": p.get_status_display(),
                # The note is the organisation's message to the company once it decides.
                "result_note": p.result_note if p.decided_at else "",
                "submitted_at": p.submitted_at,
                "decided_at": p.decided_at,
            }
            for p in ChallengeProposal.objects.filter(ours | Q(submitted_by=user))
            .select_related("organisation", "challenge", "company")
            .order_by("submitted_at", "pk")
        ),
    )
    # The feed's secret address is a key to the person's calendar, not data about them.
    feed = CalendarFeed.objects.filter(user=user).only("created_at").first()
    add(
        "calendar_feed",
        "Your calendar feed (whether one exists; its secret address is not included)",
        [{"calendar_feed_exists": feed is not None, "created_at": feed and feed.created_at}],
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _session_row(s, *, user) -> dict:
    as_mentor = s.mentor.user_id == user.pk
    row = {
        "your_side": "mentor" if as_mentor else "company",
        "organisation": s.organisation.name,
        "mentor": s.mentor.user.display_name,
        "company": s.company.name,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "online_link": s.online_link,
        "place": s.place,
        "status": s.get_status_display(),
        "booked_at": s.booked_at,
        "cancelled_at": s.cancelled_at,
        "cancel_reason": s.cancel_reason,
        "company_rating": s.company_rating,
        "company_feedback": s.company_feedback,
    }
    # The mentor's notes and fee are the mentor's; the company does not see them in the
    # portal either.
    row["mentor_notes"] = s.notes if as_mentor else ""
    row["fee"] = s.fee if as_mentor else None
    return row


def _audit_rows(user) -> list[dict]:
    """The audit trail's entries of changes the person made, when the trail is installed."""
    if not apps.is_installed("auditlog"):
        return []
    from auditlog import get_logentry_model

    LogEntry = get_logentry_model()
    entries = (
        LogEntry.objects.filter(actor=user)
        .select_related("content_type")
        .order_by("timestamp", "pk")
    )
    return [
        {
            "when": e.timestamp,
            "action": e.get_action_display(),
            "record_kind": e.content_type.name if e.content_type_id else "",
            "record": e.object_repr,
            "changes": e.changes_dict if hasattr(e, "changes_dict") else e.changes,
            "from_address": e.remote_addr or "",
        }
        for e in entries
    ]


# --- Writing the ZIP --------------------------------------------------------------------------


def _csv_value(value) -> str:
    from cohorts.exports import safe_text

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return safe_text(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
    if isinstance(value, Decimal):
        return str(value)
    return safe_text(str(value))


def _section_csv(section: Section) -> bytes:
    header: list[str] = []
    for row in section.rows:
        header.extend(key for key in row if key not in header)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header or ["(no records)"])
    for row in section.rows:
        writer.writerow([_csv_value(row.get(key)) for key in header])
    # A byte-order mark so that Excel reads the accents.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_zip(*, user, sections: list[Section], prepared_at: datetime.datetime) -> bytes:
    """The ZIP a person downloads: README.txt, then <section>.json and <section>.csv."""
    listing = "\n".join(
        f"- {s.name}: {s.title} ({len(s.rows)} record{'' if len(s.rows) == 1 else 's'})"
        for s in sections
    )
    readme = README.format(
        prepared=timezone.localtime(prepared_at).strftime("%d %B %Y, %H:%M %Z"),
        email=user.email,
        sections=listing,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        for section in sections:
            archive.writestr(
                f"{section.name}.json",
                json.dumps(section.rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            archive.writestr(f"{section.name}.csv", _section_csv(section))
    return buffer.getvalue()


# --- The export's life: requested, built, downloaded, expired ---------------------------------


def export_request(*, user) -> DataExport:
    """Ask for a copy of one's data. Refused (ValidationError) while an earlier request is
    still being prepared: the rate limit, enforced by a partial unique constraint."""
    from privacy.tasks_export import build_export

    message = "Your previous request is still being prepared; we e-mail you when it is ready."
    if DataExport.objects.filter(user=user, state=DataExport.State.PENDING).exists():
        raise ValidationError(message, code="pending")
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
    except IntegrityError as exc:  # a second request that raced the check above
        raise ValidationError(message, code="pending") from exc
    transaction.on_commit(lambda: build_export.delay(export.pk))
    return export


def export_build(*, export_id: int) -> bool:
    """Build one pending export: claim it under a row lock, write the ZIP, mark it ready
    and e-mail the link in the same transaction. Returns True if this call built it.

    Idempotent: a second call (a retry, a second worker) finds it no longer pending."""
    from portal.services import email_enqueue

    # Counted outside the build's transaction, so that an attempt that fails still counts
    # towards MAX_ATTEMPTS (the sweep retries stale exports until then).
    DataExport.objects.filter(pk=export_id, state=DataExport.State.PENDING).update(
        attempts=F("attempts") + 1
    )
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=export_id, state=DataExport.State.PENDING)
            .first()
        )
        if export is None:
            return False
        now = timezone.now()
        sections = subject_access_data(user=export.user)
        content = write_zip(user=export.user, sections=sections, prepared_at=now)
        name = f"scaleup-portal-data-{timezone.localdate(now).isoformat()}.zip"
        try:
            export.file.save(name, ContentFile(content), save=False)
            export.size = len(content)
            export.state = DataExport.State.READY
            export.ready_at = now
            export.expires_at = now + EXPORT_LIFETIME
            export.error = ""
            export.save(update_fields=["file", "size", "state", "ready_at", "expires_at", "error"])
            email_enqueue(
                to=export.user.email,
                subject="Your data from Scaleup Portal is ready to download",
                template="emails/privacy/export_ready",
                context={
                    "user": export.user,
                    "export": export,
                    "link": settings.SITE_URL + export.get_absolute_url(),
                    "privacy_url": settings.SITE_URL + reverse("privacy:overview"),
                },
            )
        except BaseException:
            # The row rolls back; the file must not stay behind in storage.
            if export.file:
                export.file.delete(save=False)
            raise
    # One copy at a time: the new export replaces any earlier one still downloadable.
    for earlier in DataExport.objects.filter(
        user_id=export.user_id, state=DataExport.State.READY
    ).exclude(pk=export.pk):
        export_expire(export=earlier)
    return True


def export_note_error(*, export_id: int, error: str) -> None:
    """Record why an attempt failed; the export stays pending for the sweep to retry."""
    DataExport.objects.filter(pk=export_id, state=DataExport.State.PENDING).update(
        error=error[:2000]
    )


def export_expire(*, export: DataExport) -> DataExport:
    """Expire a ready export now: the link stops working, and the file is deleted from
    storage once that has committed, so a rollback leaves a ready export with its file,
    never one pointing at nothing. Safe to call twice."""
    from privacy.anonymise import delete_stored_on_commit

    with transaction.atomic():
        locked = DataExport.objects.select_for_update().get(pk=export.pk)
        if locked.state == DataExport.State.READY:
            delete_stored_on_commit(locked.file)
            locked.file = ""
            locked.state = DataExport.State.EXPIRED
            locked.expired_at = timezone.now()
            locked.save(update_fields=["file", "state", "expired_at"])
    return locked


def export_record_download(*, export: DataExport) -> None:
    now = timezone.now()
    DataExport.objects.filter(pk=export.pk).update(
        downloaded_at=now, download_count=F("download_count") + 1
    )


def exports_sweep(*, now: datetime.datetime | None = None) -> dict:
    """The periodic clean-up: expire ready exports past their date (deleting the files),
    hand stale pending exports to the worker again, and fail those tried too often."""
    from privacy.tasks_export import build_export

    now = now or timezone.now()
    expired = 0
    for export in DataExport.objects.filter(state=DataExport.State.READY, expires_at__lte=now):
        export_expire(export=export)
        expired += 1
    stale = DataExport.objects.filter(
        state=DataExport.State.PENDING, requested_at__lte=now - STALE_AFTER
    )
    failed = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        state=DataExport.State.FAILED, error="Gave up after repeated attempts."
    )
    retried = 0
    for pk in stale.values_list("pk", flat=True):
        build_export.delay(pk)
        retried += 1
    return {"expired": expired, "retried": retried, "failed": failed}
