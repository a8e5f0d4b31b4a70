"""Calendar months as instants: monthly capacity, load and fee claims all count sessions in
a calendar month of some time zone."""

import zoneinfo
from datetime import date, datetime


def month_bounds(when: date | datetime, tz_name: str) -> tuple[datetime, datetime]:
    """The instants the calendar month holding `when` starts and ends in a time zone (an
    aware datetime is first read in that zone)."""
    tz = zoneinfo.ZoneInfo(tz_name)
    if isinstance(when, datetime):
        when = when.astimezone(tz).date()
    first = datetime(when.year, when.month, 1, tzinfo=tz)
    following = datetime(when.year + (when.month == 12), when.month % 12 + 1, 1, tzinfo=tz)
    return first, following
