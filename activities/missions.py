"""Writes for trade missions: the mission itself, delegates (applications, selection when
oversubscribed, withdrawal), itinerary items and the meetings delegates log with prospects.

Plain keyword-only functions: no request, no flash messages. Selection takes a row lock on
the mission first, so two managers deciding at once (or a double click) can never select
more companies than the mission has places."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from activities.models.missions import (
    ItineraryItem,
    MeetingOutcome,
    MissionDelegate,
    MissionMeeting,
    TradeMission,
)
from cohorts.models import Company, CompanyMember, Enrolment
from portal.models import time_zone_names
from portal.services import email_enqueue

Status = MissionDelegate.Status

# Statuses a manager can move a delegate between; a withdrawal is the company's own word.
DECISIONS = (Status.SELECTED, Status.WAITLISTED, Status.DECLINED)
DECIDABLE = (Status.APPLIED, Status.SELECTED, Status.WAITLISTED, Status.DECLINED)
# A company may withdraw while it is still asking or going.
WITHDRAWABLE = (Status.APPLIED, Status.SELECTED, Status.WAITLISTED)


# --- Dates ----------------------------------------------------------------------------------


def destination_today(mission: TradeMission) -> datetime.date:
    """Today's date where the mission goes: its dates are the destination's calendar days."""
    return timezone.localdate(timezone=ZoneInfo(mission.destination_time_zone))


def applications_open(mission: TradeMission, today: datetime.date | None = None) -> bool:
    """Companies may apply until the closing date (inclusive), and never once it departs."""
    today = today or destination_today(mission)
    if today >= mission.departs_on:
        return False
    return mission.applications_close_on is None or today <= mission.applications_close_on


def eligible_companies(mission: TradeMission):
    """Companies that may go: enrolled (not withdrawn) in the mission's cohort, or in any
    cohort of its programme when the mission is for the whole programme."""
    enrolments = Enrolment.objects.exclude(status=Enrolment.Status.WITHDRAWN)
    if mission.cohort_id:
        enrolments = enrolments.filter(cohort_id=mission.cohort_id)
    else:
        enrolments = enrolments.filter(cohort__programme_id=mission.programme_id)
    return Company.objects.filter(pk__in=enrolments.values("company_id")).order_by("name")


def _check_eligible(mission: TradeMission, company: Company) -> None:
    if not eligible_companies(mission).filter(pk=company.pk).exists():
        where = f"cohort {mission.cohort.number}" if mission.cohort_id else "this programme"
        raise ValidationError(
            {"company": f"{company.name} is not taking part in {where}, so it cannot go."}
        )


# --- Missions -------------------------------------------------------------------------------


def mission_save(*, mission: TradeMission) -> TradeMission:
    """Create or change a mission. Places cannot drop below the companies already selected."""
    errors = {}
    if mission.destination_time_zone not in time_zone_names():
        errors["destination_time_zone"] = "Choose the destination's time zone from the list."
    if mission.pk:
        selected = mission.delegates.filter(status=Status.SELECTED).count()
        if mission.places is not None and mission.places < selected:
            errors["places"] = (
                f"{selected} companies are already selected; deselect some before reducing "
                f"the places to {mission.places}."
            )
    if (
        mission.applications_close_on
        and mission.departs_on
        and mission.applications_close_on >= mission.departs_on
    ):
        errors["applications_close_on"] = "Applications must close before the mission departs."
    if errors:
        raise ValidationError(errors)
    mission.organisation_id = mission.programme.organisation_id
    mission.full_clean()
    mission.save()
    return mission


# --- Delegates ------------------------------------------------------------------------------


def places_taken(mission: TradeMission) -> int:
    return mission.delegates.filter(status=Status.SELECTED).count()


def delegate_apply(
    *, mission: TradeMission, company: Company, user, objectives: str
) -> MissionDelegate:
    """A company asks to go. Re-applying after a withdrawal reopens its application."""
    if not objectives.strip():
        raise ValidationError(
            {"objectives": "Say what the company wants from the mission: markets, buyers, …"}
        )
    if not applications_open(mission):
        raise ValidationError("Applications to this mission are closed.")
    _check_eligible(mission, company)
    with transaction.atomic():
        existing = (
            MissionDelegate.objects.select_for_update()
            .filter(mission=mission, company=company)
            .first()
        )
        if existing is not None:
            if existing.status != Status.WITHDRAWN:
                raise ValidationError(
                    f"{company.name} has already applied ({existing.get_status_display()})."
                )
            existing.status = Status.APPLIED
            existing.objectives = objectives.strip()
            existing.applied_by = user
            existing.decided_at = None
            existing.save(update_fields=["status", "objectives", "applied_by", "decided_at"])
            return existing
        delegate = MissionDelegate(
            organisation_id=mission.organisation_id,
            mission=mission,
            company=company,
            objectives=objectives.strip(),
            applied_by=user,
        )
        delegate.full_clean(exclude=["mission", "company"])
        try:
            with transaction.atomic():
                delegate.save()
        except IntegrityError as exc:  # the same company, from two tabs at once
            raise ValidationError(f"{company.name} has already applied.") from exc
    return delegate


def delegate_add(
    *, mission: TradeMission, company: Company, by, objectives: str = ""
) -> MissionDelegate:
    """Staff put a company on the mission directly: it is selected, within the places."""
    _check_eligible(mission, company)
    with transaction.atomic():
        TradeMission.objects.select_for_update().get(pk=mission.pk)
        delegate, created = MissionDelegate.objects.get_or_create(
            mission=mission,
            company=company,
            defaults={
                "organisation_id": mission.organisation_id,
                "objectives": objectives.strip(),
                "applied_by": by,
            },
        )
        if not created and delegate.status == Status.SELECTED:
            raise ValidationError({"company": f"{company.name} is already a delegate."})
        if not created:
            # A company that withdrew can be put back on by staff.
            if delegate.status == Status.WITHDRAWN:
                delegate.status = Status.APPLIED
            if objectives.strip():
                delegate.objectives = objectives.strip()
            delegate.save(update_fields=["status", "objectives"])
        delegates_decide(mission=mission, delegates=[delegate], decision=Status.SELECTED, by=by)
    delegate.refresh_from_db()
    return delegate


def delegates_decide(
    *,
    mission: TradeMission,
    delegates: Iterable[MissionDelegate],
    decision: str,
    by,
    notify: bool = True,
) -> list[MissionDelegate]:
    """Select, waitlist or decline several delegates of one mission, all or nothing. Under a
    lock on the mission, so the selected never outnumber the places; the companies are
    e-mailed the decision."""
    if decision not in DECISIONS:
        raise ValidationError("Choose select, waitlist or decline.")
    ids = [d.pk for d in delegates]
    if not ids:
        raise ValidationError("Tick at least one company.")
    with transaction.atomic():
        locked_mission = TradeMission.objects.select_for_update().get(pk=mission.pk)
        locked = list(
            MissionDelegate.objects.select_for_update()
            .filter(pk__in=ids, mission=locked_mission)
            .order_by("pk")
        )
        if len(locked) != len(set(ids)):
            raise ValidationError("Decide the companies of one mission at a time.")
        closed = [d for d in locked if d.status not in DECIDABLE]
        if closed:
            raise ValidationError(
                f"{len(closed)} of the ticked companies withdrew and cannot be decided."
            )
        changing = [d for d in locked if d.status != decision]
        if decision == Status.SELECTED:
            free = locked_mission.places - places_taken(locked_mission)
            if len(changing) > free:
                raise ValidationError(
                    f"Only {max(free, 0)} place{'s' if free != 1 else ''} left on this mission "
                    f"({locked_mission.places} in all); you ticked {len(changing)} to select. "
                    "Waitlist the rest, or add places."
                )
        now = timezone.now()
        for delegate in changing:
            delegate.status = decision
            delegate.decided_at = now
            delegate.save(update_fields=["status", "decided_at"])
            if notify:
                _notify_decision(delegate, locked_mission)
    return locked


def delegates_select_all(*, mission: TradeMission, by) -> list[MissionDelegate]:
    """Select every company that applied (or waits), when there are places for them all."""
    waiting = list(
        mission.delegates.filter(status__in=[Status.APPLIED, Status.WAITLISTED]).order_by("pk")
    )
    if not waiting:
        raise ValidationError("No company is waiting for a decision.")
    return delegates_decide(mission=mission, delegates=waiting, decision=Status.SELECTED, by=by)


def delegate_withdraw(*, delegate: MissionDelegate, by) -> MissionDelegate:
    """The company will not go (or no longer asks to). Its place is free again."""
    with transaction.atomic():
        locked = MissionDelegate.objects.select_for_update().get(pk=delegate.pk)
        if locked.status not in WITHDRAWABLE:
            raise ValidationError(
                f"{locked.company.name} is not on this mission's list any more "
                f"({locked.get_status_display().lower()})."
            )
        if destination_today(locked.mission) >= locked.mission.departs_on:
            raise ValidationError("The mission has left; tell the programme team instead.")
        locked.status = Status.WITHDRAWN
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
    return locked


def _recipients(company_id: int) -> list[str]:
    return list(
        CompanyMember.objects.filter(company_id=company_id)
        .order_by("pk")
        .values_list("user__email", flat=True)
    )


SUBJECTS = {
    Status.SELECTED: "You are going on the trade mission",
    Status.WAITLISTED: "You are on the waiting list for the trade mission",
    Status.DECLINED: "Your application to the trade mission",
}


def _notify_decision(delegate: MissionDelegate, mission: TradeMission) -> None:
    organisation = mission.organisation
    company = Company.objects.get(pk=delegate.company_id)
    for email in _recipients(delegate.company_id):
        email_enqueue(
            to=email,
            subject=f"{SUBJECTS[delegate.status]}: {mission.title}",
            template=f"emails/activities/mission_{delegate.status}",
            context={"delegate": delegate, "mission": mission, "company": company},
            organisation=organisation,
        )


# --- Itinerary ------------------------------------------------------------------------------


def local_instant(day: datetime.date, time: datetime.time, zone_name: str) -> datetime.datetime:
    """A wall-clock time where the mission is, as an aware instant (stored in UTC)."""
    return datetime.datetime.combine(day, time, tzinfo=ZoneInfo(zone_name))


def itinerary_add(
    *,
    mission: TradeMission,
    day: datetime.date,
    starts: datetime.time,
    ends: datetime.time | None = None,
    title: str,
    location: str = "",
    notes: str = "",
) -> ItineraryItem:
    """Add an item at a local time in the destination, on one of the mission's days."""
    if day and not (mission.departs_on <= day <= mission.returns_on):
        raise ValidationError(
            {
                "day": f"The mission is away from {mission.departs_on:%-d %b} to "
                f"{mission.returns_on:%-d %b %Y}; choose a day in between."
            }
        )
    zone = mission.destination_time_zone
    item = ItineraryItem(
        organisation_id=mission.organisation_id,
        mission=mission,
        starts_at=local_instant(day, starts, zone),
        ends_at=local_instant(day, ends, zone) if ends else None,
        title=title,
        location=location,
        notes=notes,
    )
    try:
        item.full_clean()
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "ends_at" in exc.error_dict:
            raise ValidationError({"ends": "The item must end after it starts."}) from exc
        raise
    item.save()
    return item


def itinerary_delete(*, item: ItineraryItem) -> None:
    item.delete()


# --- Meetings -------------------------------------------------------------------------------


def meeting_log(
    *,
    delegate: MissionDelegate,
    prospect_name: str,
    prospect_kind: str,
    met_on: datetime.date,
    outcome: str,
    deal_value: Decimal | None = None,
    notes: str = "",
    by,
) -> MissionMeeting:
    """Record a meeting a selected delegate had with a prospect, on or after departure. A
    value belongs only to a signed deal."""
    mission = delegate.mission
    errors = {}
    if delegate.status != Status.SELECTED:
        raise ValidationError(
            f"{delegate.company.name} is not a selected delegate of this mission, so it has no "
            "meetings to log."
        )
    if met_on and met_on < mission.departs_on:
        errors["met_on"] = (
            f"Meetings of this mission are on or after its departure "
            f"({mission.departs_on:%-d %b %Y})."
        )
    elif met_on and met_on > destination_today(mission):
        errors["met_on"] = "Log a meeting once it has taken place."
    if deal_value is not None and outcome != MeetingOutcome.DEAL:
        errors["deal_value"] = (
            "A value belongs only to a signed deal: choose “Deal signed” or leave it empty."
        )
    if errors:
        raise ValidationError(errors)
    meeting = MissionMeeting(
        organisation_id=delegate.organisation_id,
        mission=mission,
        delegate=delegate,
        prospect_name=prospect_name.strip(),
        prospect_kind=prospect_kind,
        met_on=met_on,
        outcome=outcome,
        deal_value=deal_value,
        notes=notes.strip(),
        logged_by=by,
    )
    meeting.full_clean()
    meeting.save()
    return meeting
