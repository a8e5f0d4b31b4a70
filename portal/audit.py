"""The audit trail: who changed what, when, from where — and who downloaded what.

Built on django-auditlog. Every entry is an `AuditEntry` (AUDITLOG_LOGENTRY_MODEL), auditlog's
log entry plus the organisation it belongs to and the company it concerns, so one
organisation's audit page and a company's record page read their own entries with an
indexed filter instead of digging in JSON. `AuditMiddleware` attaches the signed-in user and
the client's address to every entry written during a request, and logs every download
(any response sent as an attachment).

The audited models and their fields are listed in AUDITED_MODELS; `register_audited_models`
runs from PortalConfig.ready(). Entries are not scope-managed (auditlog writes them from
signals, inside and outside scopes); every read here filters by organisation explicitly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from urllib.parse import unquote

from auditlog.cid import set_cid
from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import AbstractLogEntry, LogEntryManager
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format

from portal.models import Organisation

# label -> auditlog.register() options. Fields left out are either noise (timestamps that
# change on every save, denormalised counters), secrets (tokens), or the submitted record
# itself (an application's answers and profile snapshot are frozen on submission).
AUDITED_MODELS: dict[str, dict] = {
    "portal.Organisation": {
        "include_fields": ["name", "slug", "contact_email", "require_mfa", "time_zone"],
        "m2m_fields": {"partners"},
    },
    "portal.Membership": {},
    "portal.Invitation": {"exclude_fields": ["token"]},
    "programmes.Programme": {},
    "programmes.Grant": {},
    "programmes.OutcomeTarget": {},
    "cohorts.Cohort": {},
    "cohorts.Application": {
        "exclude_fields": ["answers", "company_snapshot", "updated_at", "review_count"]
    },
    "cohorts.Review": {"exclude_fields": ["updated_at", "created_at"]},
    "cohorts.Score": {},
    "cohorts.Enrolment": {},
    "cohorts.Referral": {},
    "mentoring.MentorMatch": {"exclude_fields": ["reasons"]},
    "mentoring.MentoringSession": {},
    "mentoring.FeeClaim": {},
    "impact.Baseline": {"exclude_fields": ["recorded_at"]},
    "impact.SurveyResponse": {"exclude_fields": ["updated_at"]},
    "impact.ImpactSharing": {},
    # Programme activities: places booked, delegates chosen, deals logged, results decided.
    "activities.Registration": {"exclude_fields": ["updated_at"]},
    "activities.MissionDelegate": {},
    "activities.MissionMeeting": {},
    "activities.PeerGroupMember": {},
    "activities.ConsortiumMember": {},
    "activities.ChallengeProposal": {},
}

# Stored files and reports are not audited for changes, but their downloads are logged
# against them, so the audit page can filter by them too.
DOWNLOADED_MODELS = ("cohorts.ApplicationFile", "mentoring.MentorProfile", "impact.FunderReport")

# Models whose company is reached through a relation rather than a `company` field.
_COMPANY_PATHS = {
    "cohorts.review": "application__company_id",
    "cohorts.score": "review__application__company_id",
}


def organisation_id_of(instance) -> int | None:
    """The organisation an audited object belongs to (None for global rows such as users)."""
    if isinstance(instance, Organisation):
        return instance.pk
    return getattr(instance, "organisation_id", None)


def company_id_of(instance) -> int | None:
    """The company an audited object is about, so the company's record page finds it."""
    if instance._meta.label_lower == "cohorts.company":
        return instance.pk
    if hasattr(instance, "company_id"):
        return instance.company_id
    path = _COMPANY_PATHS.get(instance._meta.label_lower)
    if path and instance.pk is not None:
        return (
            type(instance)._base_manager.filter(pk=instance.pk).values_list(path, flat=True).first()
        )
    return None


class AuditEntryManager(LogEntryManager):
    """auditlog's manager, filling in the organisation and company of each entry."""

    def log_create(self, instance, force_log: bool = False, **kwargs):
        kwargs.setdefault("organisation_id", organisation_id_of(instance))
        kwargs.setdefault("company_id", company_id_of(instance))
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        kwargs.setdefault("organisation_id", organisation_id_of(instance))
        kwargs.setdefault("company_id", company_id_of(instance))
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)


class AuditEntry(AbstractLogEntry):
    """One change (create, update, delete) of an audited object, or one download (access)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    company_id = models.BigIntegerField(null=True, blank=True)

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["organisation", "-timestamp"], name="audit_org_time"),
            models.Index(
                fields=["organisation", "content_type", "object_id"], name="audit_org_obj"
            ),
            models.Index(fields=["organisation", "company_id"], name="audit_org_company"),
        ]

    @property
    def is_download(self) -> bool:
        return self.action == self.Action.ACCESS

    @property
    def download_name(self) -> str:
        return (self.additional_data or {}).get("download", "")

    @property
    def change_rows(self) -> list[tuple[str, str, str]]:
        """(field, before, after) in the users' words: verbose names, choice labels, dates
        in the current (the organisation's) time zone and the portal's date format. Read
        from the recorded strings alone, so a page of entries costs no further queries."""
        raw = self.changes_dict
        if any(isinstance(v, dict) for v in raw.values()):
            rows = []
            for name, change in raw.items():
                objects = ", ".join(change.get("objects", []))
                removed = change.get("operation") == "delete"
                rows.append((name, objects if removed else "", "" if removed else objects))
            return rows
        model = self.content_type.model_class() if self.content_type_id else None
        rows = []
        for name, values in raw.items():
            if not isinstance(values, list | tuple) or len(values) != 2:
                continue
            field = _field(model, name)
            label = str(field.verbose_name) if field is not None else name
            rows.append((label, _shown(field, values[0]), _shown(field, values[1])))
        return rows


DATETIME_FORMAT = "j M Y, H:i"  # the portal's usual format (templates' |date:"j M Y, H:i")
DATE_FORMAT = "j M Y"


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _shown(field, value) -> str:
    """One recorded value as the pages show it."""
    if value is None or value == "None":
        return ""
    value = str(value)
    if field is None:
        return value
    if field.choices:
        return str({str(k): label for k, label in field.flatchoices}.get(value, value))
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        moment = parse_datetime(value)
        if moment is None:
            return value
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, UTC)
        return date_format(timezone.localtime(moment), DATETIME_FORMAT)
    if kind == "DateField":
        day = parse_date(value)
        return date_format(day, DATE_FORMAT) if day else value
    if kind == "BooleanField":
        return {"True": "Yes", "False": "No"}.get(value, value)
    return value


def register_audited_models() -> None:
    from auditlog.registry import auditlog

    for label, options in AUDITED_MODELS.items():
        model = apps.get_model(label)
        options = dict(options)
        if "include_fields" not in options:
            # Only the row's own columns: not its reverse relations, key or tenant, which
            # auditlog would otherwise list on every creation.
            excluded = set(options.pop("exclude_fields", []))
            options["include_fields"] = [
                f.name
                for f in model._meta.concrete_fields
                if not f.primary_key and f.name != "organisation" and f.name not in excluded
            ]
        auditlog.register(model, **options)


def audited_content_types() -> list[ContentType]:
    """The kinds of record the audit page can filter by, in a stable order."""
    models_ = [apps.get_model(label) for label in (*AUDITED_MODELS, *DOWNLOADED_MODELS)]
    by_model = ContentType.objects.get_for_models(*models_)
    return sorted(by_model.values(), key=lambda ct: ct.name)


# --- Reading ------------------------------------------------------------------------------


def entries_of_organisation(
    *,
    organisation,
    actor: str = "",
    content_type: ContentType | None = None,
    object_id: int | None = None,
    company_id: int | None = None,
    action: int | None = None,
    date_from=None,
    date_to=None,
):
    """The organisation's audit entries, newest first, filtered as the audit page asks."""
    entries = AuditEntry.objects.filter(organisation=organisation)
    if actor:
        entries = entries.filter(actor_email__icontains=actor.strip())
    if content_type is not None:
        entries = entries.filter(content_type=content_type)
    if object_id is not None:
        entries = entries.filter(object_id=object_id)
    if company_id is not None:
        entries = entries.filter(company_id=company_id)
    if action is not None:
        entries = entries.filter(action=action)
    # Dates are the organisation's calendar days (the middleware activated its time zone).
    if date_from:
        entries = entries.filter(timestamp__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(timestamp__lt=_start_of(date_to) + timezone.timedelta(days=1))
    return entries.select_related("content_type", "actor").order_by("-timestamp", "-pk")


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def entries_of_record(*, organisation, record, limit: int = 20) -> list[AuditEntry]:
    """The latest history of one record inside one organisation; for a company, the history
    of everything the organisation holds about it."""
    if record._meta.label_lower == "cohorts.company":
        entries = entries_of_organisation(organisation=organisation, company_id=record.pk)
    else:
        entries = entries_of_organisation(
            organisation=organisation,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
        )
    return list(entries[:limit])


# --- Downloads ----------------------------------------------------------------------------

_FILENAME = re.compile(r"filename\*=(?:UTF-8|utf-8)''([^;]+)|filename=\"?([^\";]+)\"?")


def download_filename(response) -> str:
    match = _FILENAME.search(response.get("Content-Disposition", ""))
    if not match:
        return ""
    return unquote(match.group(1)) if match.group(1) else match.group(2)


def is_download(response) -> bool:
    return response.status_code == 200 and response.get("Content-Disposition", "").startswith(
        "attachment"
    )


def log_download(request, response) -> AuditEntry | None:
    """Record that the request's user downloaded the response's file. The entry is about
    the stored object behind the file when portal.downloads.attachment served it, otherwise
    about the organisation whose page it was (a report or export) or, outside any
    organisation, the person's own account."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    organisation = getattr(request, "organisation", None)
    target = getattr(response, "audited_object", None) or organisation or user
    organisation_id = organisation_id_of(target) or (organisation.pk if organisation else None)
    return AuditEntry.objects.log_create(
        target,
        force_log=True,
        action=AuditEntry.Action.ACCESS,
        organisation_id=organisation_id,
        additional_data={"download": download_filename(response), "path": request.path},
    )


# --- Request context ----------------------------------------------------------------------


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware (actor and address on every entry of the request) that also logs
    downloads, and reads the client's address only from proxies the deployment trusts:
    X-Forwarded-For is written by the client unless a proxy in front overwrites it, so with
    AUDIT_TRUSTED_PROXIES = n the address is the n-th entry from the right."""

    @staticmethod
    def _get_remote_addr(request):
        proxies = getattr(settings, "AUDIT_TRUSTED_PROXIES", 0)
        forwarded = [
            part.strip()
            for part in request.headers.get("X-Forwarded-For", "").split(",")
            if part.strip()
        ]
        if proxies and forwarded:
            return forwarded[-min(proxies, len(forwarded))]
        return request.META.get("REMOTE_ADDR")

    def __call__(self, request):
        set_cid(request)
        with set_extra_data(context_data=self.get_extra_data(request)):
            response = self.get_response(request)
            if is_download(response):
                log_download(request, response)
            return response
