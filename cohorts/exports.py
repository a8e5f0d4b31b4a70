"""Spreadsheet exports of a cohort: the roster and the application answers.

Row builders return a header and an iterable of rows of plain Python values (str, int,
Decimal, naive local datetime); two writers turn rows into CSV (UTF-8 with a BOM, so Excel
reads the accents) or XLSX. Both writers defuse spreadsheet formulas: a text cell that
starts with = + - @ (or a tab or carriage return) gets a leading single quote, so a company
called "=HYPERLINK(...)" stays text when a manager opens the file.

Each builder runs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch
from django.utils import timezone

from cohorts import selectors
from cohorts.models import Cohort, CompanyMember, QuestionKind

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_COLUMN_WIDTH = 60


@dataclass
class Table:
    """What a writer needs: a sheet title, the header and the rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]


# --- Row builders -------------------------------------------------------------------------


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    """An aware datetime as naive wall-clock time in the active (organisation's) zone:
    spreadsheets have no time zones, and openpyxl refuses aware datetimes."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "Yes" if value else "No"


def _score(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


ROSTER_HEADER = [
    "Company",
    "Registration number",
    "Sector",
    "Region",
    "Employees",
    "Turnover band",
    "Exports",
    "Export markets",
    "Status",
    "Enrolled at",
    "Withdrawn at",
    "Withdrawal reason",
    "Contact e-mails",
]


def roster_table(*, cohort: Cohort) -> Table:
    """One row per enrolment of the cohort (taking part, completed and withdrawn), with the
    company's current profile and the e-mail addresses of the people who act for it."""
    enrolments = selectors.cohort_roster(cohort=cohort).prefetch_related(
        Prefetch(
            "company__memberships",
            queryset=CompanyMember.objects.select_related("user").order_by("created_at", "pk"),
        )
    )

    def rows():
        for enrolment in enrolments:
            company = enrolment.company
            yield [
                company.name,
                company.registration_number,
                company.get_sector_display(),
                company.get_region_display(),
                company.employees,
                company.get_turnover_band_display(),
                _yes_no(company.exports),
                company.export_markets,
                enrolment.get_status_display(),
                _local(enrolment.enrolled_at),
                _local(enrolment.withdrawn_at),
                enrolment.withdrawal_reason,
                "; ".join(m.user.email for m in company.memberships.all()),
            ]

    return Table(title="Roster", header=ROSTER_HEADER, rows=rows())


# Profile fields frozen into each application when it was submitted, in column order.
SNAPSHOT_COLUMNS = [
    ("Registration number", "registration_number"),
    ("Sector", "sector_label"),
    ("Region", "region_label"),
    ("Year founded", "year_founded"),
    ("Years trading", "years_trading"),
    ("Employees", "employees"),
    ("Turnover band", "turnover_label"),
    ("Website", "website"),
    ("Exports", "exports"),
    ("Export markets", "export_markets"),
    ("Help wanted", "help_wanted"),
]


def _answer(question, value, files: dict[int, str]):
    if question.kind == QuestionKind.FILE:
        return files.get(question.pk, "")
    if value in (None, "", []):
        return ""
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return "; ".join(str(v) for v in (value if isinstance(value, list) else [value]))
    if question.kind == QuestionKind.NUMBER:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return str(value)
    return str(value)


def applications_table(*, cohort: Cohort) -> Table:
    """One row per submitted (non-draft) application, best-ranked first: the decision, the
    review scores, the company profile as submitted, then one column per question."""
    questions = list(cohort.questions.order_by("position", "pk"))
    applications = selectors.application_board(cohort=cohort).prefetch_related("files")
    header = [
        "Company",
        "Status",
        "Submitted at",
        "Mean score",
        "Lowest score",
        "Highest score",
        "Reviews submitted",
        *(label for label, _ in SNAPSHOT_COLUMNS),
        *(q.label for q in questions),
    ]

    def rows():
        for application in applications:
            snapshot = application.company_snapshot or {}
            files = {f.question_id: f.original_name for f in application.files.all()}
            profile = []
            for _, key in SNAPSHOT_COLUMNS:
                value = snapshot.get(key, "")
                profile.append(_yes_no(value) if key == "exports" and value != "" else value)
            yield [
                snapshot.get("name") or application.company.name,
                application.get_status_display(),
                _local(application.submitted_at),
                _score(application.mean_score),
                _score(application.min_score),
                _score(application.max_score),
                application.reviews_done,
                *profile,
                *(_answer(q, (application.answers or {}).get(str(q.pk)), files) for q in questions),
            ]

    return Table(title="Applications", header=header, rows=rows())


TABLES = {"roster": roster_table, "applications": applications_table}


# --- Writers ------------------------------------------------------------------------------


def safe_text(value: str) -> str:
    """Defuse a text cell that a spreadsheet would read as a formula."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def write_csv(table: Table) -> bytes:
    """The table as CSV, UTF-8 with a byte-order mark so Excel detects the encoding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_cell(h) for h in table.header])
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(value):
    if isinstance(value, str):
        # openpyxl would store text starting with "=" as a formula.
        return safe_text(value)
    return value


def write_xlsx(table: Table) -> bytes:
    """The table as an Excel workbook: bold header, header row frozen, columns sized to
    their content (capped), dates formatted."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]
    sheet.append([_xlsx_cell(h) for h in table.header])
    widths = [len(str(h)) for h in table.header]
    for row in table.rows:
        sheet.append([_xlsx_cell(v) for v in row])
        for index, value in enumerate(row):
            if isinstance(value, datetime.datetime):
                length = 16
            else:
                length = max((len(line) for line in str(value or "").splitlines()), default=0)
            if index < len(widths):
                widths[index] = max(widths[index], length)
            else:
                widths.append(length)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = XLSX_DATETIME_FORMAT
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WRITERS = {
    "csv": (write_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        write_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def export_filename(*, cohort: Cohort, what: str, fmt: str) -> str:
    """For example `ibp-cohort-3-roster-2026-05-01.csv` (the date in the organisation's
    time zone)."""
    today = timezone.localdate().isoformat()
    return f"{cohort.programme.slug}-cohort-{cohort.number}-{what}-{today}.{fmt}"
