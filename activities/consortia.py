"""Export consortia: the writes, and the rule that a consortium has three or more companies
of which at least one already exports. The consortium and its members are saved together in
one transaction, so a consortium that breaks the rule is never stored, not even briefly."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activities.models import ConsortiumMember, ConsortiumMilestone, ExportConsortium
from activities.models.consortia import MIN_CONSORTIUM_MEMBERS
from cohorts.models import Company, Enrolment
from cohorts.services import UPLOAD_TYPES

PLAN_TYPES = {ext: UPLOAD_TYPES[ext] for ext in (".pdf", ".docx")}
PLAN_MAX_MB = 10

# Common spellings of the same market, so "USA" and "United States" meet.
MARKET_ALIASES = {
    "usa": "United States",
    "us": "United States",
    "u.s.": "United States",
    "u.s.a.": "United States",
    "united states of america": "United States",
    "america": "United States",
    "uk": "United Kingdom",
    "great britain": "United Kingdom",
    "britain": "United Kingdom",
    "uae": "United Arab Emirates",
    "the netherlands": "Netherlands",
    "holland": "Netherlands",
    "deutschland": "Germany",
    "ksa": "Saudi Arabia",
}
_SMALL_WORDS = {"and", "of", "the"}


def normalise_market(name: str) -> str:
    """One spelling per market: trimmed, aliases resolved, title case ("" if empty)."""
    cleaned = re.sub(r"\s+", " ", name).strip().strip(".").strip()
    if not cleaned:
        return ""
    alias = MARKET_ALIASES.get(cleaned.casefold())
    if alias:
        return alias
    words = cleaned.split(" ")
    return " ".join(
        w.lower() if i and w.lower() in _SMALL_WORDS else (w if w.isupper() else w.capitalize())
        for i, w in enumerate(words)
    )


def parse_markets(text: str) -> list[str]:
    """A comma (or semicolon, or line) separated list of markets, normalised, in the order
    given, each once."""
    seen: list[str] = []
    for part in re.split(r"[,;\n]", text or ""):
        market = normalise_market(part)
        if market and market not in seen:
            seen.append(market)
    return seen


def check_plan_document(upload) -> str:
    """Refuse anything but a PDF or Word document of sensible size whose name and first
    bytes agree. Returns the content type."""
    extension = os.path.splitext(os.path.basename(upload.name or ""))[1].lower()
    if extension not in PLAN_TYPES:
        raise ValidationError({"plan_document": "Upload the plan as a PDF or DOCX file."})
    if upload.size > PLAN_MAX_MB * 1024 * 1024:
        raise ValidationError(
            {
                "plan_document": f"The file is {upload.size / 1024 / 1024:.1f} MB; "
                f"the limit is {PLAN_MAX_MB} MB."
            }
        )
    content_type, signatures = PLAN_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            {"plan_document": f"The file does not look like a {extension[1:].upper()} file."}
        )
    return content_type


def plan_content_type(consortium: ExportConsortium) -> str:
    extension = os.path.splitext(consortium.plan_document.name or "")[1].lower()
    return PLAN_TYPES.get(extension, ("application/octet-stream", []))[0]


def companies_known_to(organisation) -> Iterable[Company]:
    """Companies an organisation may put in a consortium: those enrolled in its cohorts."""
    return Company.objects.filter(
        pk__in=Enrolment.objects.filter(organisation=organisation).values("company_id")
    ).order_by("name")


def check_members(companies: list[Company]) -> None:
    """The consortium rule, with a message that says what is missing."""
    if len(companies) < MIN_CONSORTIUM_MEMBERS:
        raise ValidationError(
            {
                "members": f"An export consortium needs at least {MIN_CONSORTIUM_MEMBERS} "
                f"companies; {len(companies)} chosen."
            }
        )
    if not any(c.exports for c in companies):
        raise ValidationError(
            {
                "members": "At least one member must already export (an experienced "
                "exporter); none of the chosen companies does."
            }
        )


@transaction.atomic
def consortium_save(
    *,
    consortium: ExportConsortium,
    members: Iterable[Company],
    lead: Company | None = None,
    plan_document=None,
) -> ExportConsortium:
    """Create or update a consortium and make its members exactly `members`, all in one
    transaction: if the members break the rule nothing is saved (not the consortium, not
    its members, not the plan document)."""
    companies = list({c.pk: c for c in members}.values())
    if consortium.pk:
        # Two managers editing the same consortium save one after the other.
        ExportConsortium.objects.select_for_update().filter(pk=consortium.pk).first()
    errors: dict[str, list[str]] = {}
    try:
        check_members(companies)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    known = set(
        companies_known_to(consortium.organisation)
        .filter(pk__in=[c.pk for c in companies])
        .values_list("pk", flat=True)
    )
    strangers = [c.name for c in companies if c.pk not in known]
    if strangers:
        errors.setdefault("members", []).append(
            f"Not enrolled with {consortium.organisation.name}: {', '.join(strangers)}."
        )
    if lead is not None and lead.pk not in {c.pk for c in companies}:
        errors["lead"] = ["The lead company must be one of the members."]
    if (
        consortium.cohort_id
        and consortium.programme_id
        and consortium.cohort.programme_id != consortium.programme_id
    ):
        errors["cohort"] = ["Choose a cohort of the consortium's programme."]
    if plan_document is not None:
        try:
            check_plan_document(plan_document)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        consortium.full_clean(exclude=["plan_document"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if plan_document is not None:
        consortium.plan_document = plan_document
    consortium.save()
    wanted = {c.pk for c in companies}
    ConsortiumMember.objects.filter(consortium=consortium).exclude(company_id__in=wanted).delete()
    have = set(
        ConsortiumMember.objects.filter(consortium=consortium).values_list("company_id", flat=True)
    )
    ConsortiumMember.objects.bulk_create(
        ConsortiumMember(
            organisation_id=consortium.organisation_id, consortium=consortium, company_id=pk
        )
        for pk in sorted(wanted - have)
    )
    current = ConsortiumMember.objects.filter(consortium=consortium)
    current.exclude(company_id=lead.pk if lead else None).update(is_lead=False)
    if lead is not None:
        current.filter(company=lead).update(is_lead=True)
    return consortium


def milestone_add(*, consortium: ExportConsortium, title: str, due_on) -> ConsortiumMilestone:
    milestone = ConsortiumMilestone(
        organisation_id=consortium.organisation_id,
        consortium=consortium,
        title=title,
        due_on=due_on,
    )
    milestone.full_clean()
    milestone.save()
    return milestone


def milestone_done(*, milestone: ConsortiumMilestone, done: bool = True) -> ConsortiumMilestone:
    """Mark a milestone done today (or open again)."""
    milestone.done_on = timezone.localdate() if done else None
    milestone.save(update_fields=["done_on"])
    return milestone
