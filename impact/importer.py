"""Import historic outcome results from a CSV file: one row per company per survey round.

The file is often the only record of rounds run before the portal, so companies and cohorts
the portal does not know yet are created. The import is all or nothing: every row is checked
first (its values, then against the database), and if any row is bad nothing is written and
every bad row is reported with its line number and the reason.

Used by `manage.py import_outcomes`; a staff upload page can call the same functions:

    result = outcomes_import(programme=programme, data=upload.read(), entered_by=user)
    # raises ImportRejected (a ValidationError) whose `.errors` are RowError(line, message)

`outcomes_import(..., dry_run=True)` checks the file and says what it would create.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.models import Cohort, CohortStatus, Company, Enrolment
from impact.models import SurveyResponse
from impact.services import add_months
from portal.taxonomy import Sector, TurnoverBand
from portal.tenancy import tenant_scope

COLUMNS = (
    "company",
    "registration_number",
    "cohort",
    "round",
    "responded_on",
    "jobs_created",
    "new_deals",
    "new_markets",
    "further_funding",
    "funding_amount",
    "new_offices",
    "turnover",
    "profit",
)
REQUIRED_COLUMNS = ("company", "cohort", "round")
MAX_ROWS = 20_000
MAX_ROUND_MONTHS = 120
MONEY_LIMIT = Decimal(10) ** 12  # SurveyResponse money columns: 14 digits, 2 decimals

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
DATE_HELP = "use YYYY-MM-DD or DD/MM/YYYY"


@dataclass(frozen=True)
class RowError:
    line: int  # 1 is the header row
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class ImportRejected(ValidationError):
    """The file cannot be imported; nothing was written. `errors` lists every bad row."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: e.line)
        super().__init__([str(e) for e in self.errors])


@dataclass
class OutcomeRow:
    """One valid row, with typed values (None: not answered)."""

    line: int
    company: str
    registration_number: str
    cohort: int
    round_months: int
    responded_on: date | None = None
    jobs_created: int | None = None
    new_deals: bool | None = None
    new_markets: bool | None = None
    markets_entered: list[str] = field(default_factory=list)
    further_funding: bool | None = None
    funding_amount: Decimal | None = None
    new_offices: bool | None = None
    turnover: Decimal | None = None
    profit: Decimal | None = None

    @property
    def company_key(self) -> tuple[str, str]:
        """Who the row is about: the registration number when given, else the exact name."""
        if self.registration_number:
            return ("number", self.registration_number)
        return ("name", self.company)


@dataclass
class ImportResult:
    rows: int = 0
    companies_created: int = 0
    cohorts_created: int = 0
    enrolments_created: int = 0
    responses_created: int = 0
    dry_run: bool = False
    new_cohort_numbers: list[int] = field(default_factory=list)

    def as_text(self, programme_name: str = "") -> str:
        where = f" into {programme_name}" if programme_name else ""
        verb = "Would import" if self.dry_run else "Imported"
        return (
            f"{verb} {self.rows} row{'s' if self.rows != 1 else ''}{where}: "
            f"{self.companies_created} compan{'ies' if self.companies_created != 1 else 'y'} "
            f"created, {self.cohorts_created} cohort{'s' if self.cohorts_created != 1 else ''} "
            f"created, {self.enrolments_created} enrolment"
            f"{'s' if self.enrolments_created != 1 else ''} created."
        )


# --- Reading the file ---------------------------------------------------------------------


def decode(data: bytes | str) -> str:
    """Text of an uploaded file: UTF-8 with or without a BOM (Excel's "CSV UTF-8"), UTF-16
    with a BOM (Excel's "Unicode text"), else Windows-1252 (Excel's plain "CSV")."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # a damaged file raises; read_rows reports it
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    """Comma, or what the header row uses instead: Excel writes ; in locales where the comma
    is the decimal separator, and tabs for "Unicode text". Column names contain none."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _column_name(raw: str) -> str:
    return re.sub(r"[\s\-]+", "_", raw.strip().lower())


def read_rows(*, data: bytes | str) -> tuple[list[OutcomeRow], list[RowError]]:
    """Parse and check every row of the file on its own (no database): the typed rows, and
    an error per bad row (all reasons of a row in one message)."""
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return [], [RowError(1, "The file says it is UTF-16 but is cut short or damaged.")]
    if not text.strip():
        return [], [RowError(1, "The file is empty.")]
    nul_lines = [n for n, line in enumerate(text.splitlines(), start=1) if "\x00" in line]
    if nul_lines:
        return [], [
            RowError(n, "The line holds a NUL character; save the file again as CSV.")
            for n in nul_lines
        ]
    first, _, rest = text.partition("\n")
    skipped = 0
    if re.fullmatch(r"sep=.", first.strip(), re.IGNORECASE):
        # Excel's hint line naming the delimiter, before the header.
        delimiter, text, skipped = first.strip()[4], rest, 1
    else:
        delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        return [], [RowError(1 + skipped, f"The header row cannot be read: {exc}.")]
    names = [_column_name(h) for h in header]
    # Excel keeps empty columns to the right of the data: ignore unnamed columns.
    while names and not names[-1]:
        names.pop()
    errors = _check_header(names, line=1 + skipped)
    if errors:
        return [], errors

    rows: list[OutcomeRow] = []
    seen: dict[tuple, int] = {}
    previous_end = reader.line_num + skipped
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(previous_end + 1, f"the row cannot be read: {exc}."))
            break
        line = previous_end + 1  # where the record starts (a quoted value may span lines)
        previous_end = reader.line_num + skipped
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(RowError(line, f"the file has more than {MAX_ROWS:,} rows; split it."))
            break
        extra = [c for c in cells[len(names) :] if c.strip()]
        if extra:
            errors.append(
                RowError(line, f"{len(cells)} values but only {len(names)} columns in the header.")
            )
            continue
        values = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names)
        }
        row, problems = parse_row(values, line=line)
        key = _identity(values)
        if key is not None and key in seen:
            company, cohort, months = values["company"], key[1], key[2]
            problems.append(
                f"the same company, cohort and round as line {seen[key]} "
                f"({company}, cohort {cohort}, {months} months)"
            )
        elif key is not None:
            seen[key] = line
        if problems:
            errors.append(RowError(line, "; ".join(problems) + "."))
            continue
        rows.append(row)
    if not rows and not errors:
        errors.append(RowError(2 + skipped, "The file has a header row but no data rows."))
    return rows, errors


def _identity(values: dict[str, str]) -> tuple | None:
    """(company key, cohort, round) of a row, to find repeated rows even when another value
    of the row is bad; None when one of them cannot be read."""
    try:
        number = normalise_registration_number(values.get("registration_number", ""))
        cohort = parse_cohort(values.get("cohort", ""))
        months = parse_round(values.get("round", ""))
    except _Bad:
        return None
    company = values.get("company", "")
    if not number and not company:
        return None
    return (("number", number) if number else ("name", company), cohort, months)


def _check_header(names: list[str], *, line: int) -> list[RowError]:
    problems = []
    unknown = [n or "(unnamed)" for n in names if n not in COLUMNS]
    if unknown:
        problems.append(
            f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(the columns are: {', '.join(COLUMNS)})"
        )
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        problems.append(f"column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} twice")
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        problems.append(
            f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    return [RowError(line, "; ".join(problems) + ".")] if problems else []


# --- Typed values ---------------------------------------------------------------------------


class _Bad(ValueError):
    pass


def parse_yes_no(raw: str) -> bool | None:
    value = raw.strip().lower()
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise _Bad(f'"{raw}" is not yes or no')


def parse_whole_number(raw: str, *, maximum: int = 1_000_000) -> int | None:
    value = raw.strip().replace(",", "").replace(" ", "")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _Bad(f'"{raw}" is not a number') from None
    if not number.is_finite():
        raise _Bad(f'"{raw}" is not a number')
    if number != number.to_integral_value():
        raise _Bad(f'"{raw}" is not a whole number')
    if number < 0:
        raise _Bad(f"{raw} is negative")
    if number > maximum:
        raise _Bad(f"{raw} is more than {maximum:,}")
    return int(number)


def parse_money(raw: str, *, negative_allowed: bool = False) -> Decimal | None:
    """£1,234.50, 1234.5, -250 or (250) (accounting style for a loss)."""
    value = raw.strip().replace(",", "").replace(" ", "").replace("£", "")
    if not value:
        return None
    if value.startswith("(") and value.endswith(")"):
        value = "-" + value[1:-1]
    value = value.replace("-£", "-")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _Bad(f'"{raw}" is not an amount') from None
    if not amount.is_finite():
        raise _Bad(f'"{raw}" is not an amount')
    if amount < 0 and not negative_allowed:
        raise _Bad(f"{raw} is negative")
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if abs(amount) >= MONEY_LIMIT:  # after rounding: 999999999999.999 rounds up to 10**12
        raise _Bad(f"{raw} is too large")
    return amount


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(raw: str, *, today: date | None = None) -> date | None:
    value = raw.strip()
    if not value:
        return None
    if match := _ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _UK.match(value):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise _Bad(f'"{raw}" is not a date ({DATE_HELP})')
    try:
        result = date(year, month, day)
    except ValueError:
        raise _Bad(f'"{raw}" is not a date ({DATE_HELP})') from None
    if result.year < 1990:
        raise _Bad(f"{raw} is before 1990")
    if result > (today or timezone.localdate()):
        raise _Bad(f"{raw} is in the future")
    return result


_ROUND = re.compile(r"^(\d{1,3})\s*(m|mo|mos|mth|mths|month|months)?$", re.IGNORECASE)
_COHORT = re.compile(r"^(?:cohort\s*)?(\d{1,5})$", re.IGNORECASE)


def parse_round(raw: str) -> int:
    match = _ROUND.match(raw.strip())
    if not match:
        raise _Bad(f'"{raw}" is not a number of months (e.g. 6, "6 months" or "6m")')
    months = int(match.group(1))
    if months > MAX_ROUND_MONTHS:
        raise _Bad(f"{months} months is more than {MAX_ROUND_MONTHS}")
    return months


def parse_cohort(raw: str) -> int:
    match = _COHORT.match(raw.strip())
    if not match or not 1 <= int(match.group(1)) <= 32767:
        raise _Bad(f'"{raw}" is not a cohort number (1, 2, 3 …)')
    return int(match.group(1))


def parse_markets(raw: str) -> tuple[bool | None, list[str]]:
    """Countries separated by ";" → (True, the list). Empty: not answered. A plain no (or
    "none") is an answer: no new markets."""
    value = raw.strip()
    if not value:
        return None, []
    if value.lower() in NO | {"none"}:
        return False, []
    if value.lower() in YES:
        return True, []
    markets = []
    for part in value.split(";"):
        part = part.strip()
        if part and part not in markets:
            markets.append(part)
    if not markets:
        return None, []
    if len("; ".join(markets)) > 500:
        raise _Bad("the list of markets is longer than 500 characters")
    return True, markets


def normalise_registration_number(raw: str) -> str:
    """Companies House numbers have eight characters; Excel drops the leading zeros of an
    all-digit number (03561277 → 3561277), so put them back."""
    value = raw.strip().upper().replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?E\+\d+", value):
        raise _Bad(f'"{raw}" was turned into a number by Excel; format the column as text')
    if value.isdigit() and len(value) < 8:
        value = value.zfill(8)
    if len(value) > 20:
        raise _Bad(f'"{raw}" is longer than 20 characters')
    return value


def parse_row(values: dict[str, str], *, line: int, today: date | None = None):
    """One row's values (by column name) → (OutcomeRow or None, list of problems)."""
    problems: list[str] = []
    parsed: dict[str, object] = {}

    def take(column, parser, **kwargs):
        raw = values.get(column, "")
        try:
            parsed[column] = parser(raw, **kwargs)
        except _Bad as exc:
            problems.append(f"{column}: {exc}")

    company = values.get("company", "")
    if not company:
        problems.append("company: missing")
    elif len(company) > 200:
        problems.append("company: longer than 200 characters")
    take("registration_number", normalise_registration_number)
    for column, parser in (("cohort", parse_cohort), ("round", parse_round)):
        if not values.get(column, ""):
            problems.append(f"{column}: missing")
        else:
            take(column, parser)
    take("responded_on", parse_date, today=today)
    take("jobs_created", parse_whole_number)
    for column in ("new_deals", "further_funding", "new_offices"):
        take(column, parse_yes_no)
    take("new_markets", parse_markets)
    take("funding_amount", parse_money)
    take("turnover", parse_money)
    take("profit", parse_money, negative_allowed=True)
    if (
        not problems
        and parsed.get("further_funding") is False
        and (parsed.get("funding_amount") or 0) > 0
    ):
        problems.append("funding_amount: given, but further_funding says no")
    if problems:
        return None, problems
    new_markets, markets = parsed.get("new_markets") or (None, [])
    return (
        OutcomeRow(
            line=line,
            company=company,
            registration_number=parsed.get("registration_number") or "",
            cohort=parsed["cohort"],
            round_months=parsed["round"],
            responded_on=parsed.get("responded_on"),
            jobs_created=parsed.get("jobs_created"),
            new_deals=parsed.get("new_deals"),
            new_markets=new_markets,
            markets_entered=markets,
            further_funding=parsed.get("further_funding"),
            funding_amount=parsed.get("funding_amount"),
            new_offices=parsed.get("new_offices"),
            turnover=parsed.get("turnover"),
            profit=parsed.get("profit"),
        ),
        [],
    )


# --- Checking against the database and importing ---------------------------------------------


@dataclass
class _Plan:
    companies: dict[tuple[str, str], Company]  # known companies by row key
    new_companies: dict[tuple[str, str], OutcomeRow]  # first row of each company to create
    cohorts: dict[int, Cohort]  # known cohorts by number
    new_cohorts: dict[int, list[OutcomeRow]]


def _plan(programme, rows: list[OutcomeRow]) -> tuple[_Plan, list[RowError]]:
    """Match the rows to the portal's companies and cohorts, and find the rows that cannot
    be imported: already imported, or a new cohort that cannot be dated."""
    errors: list[RowError] = []
    numbers = {r.registration_number for r in rows if r.registration_number}
    by_number: dict[str, Company] = {}
    for company in Company.objects.filter(registration_number__in=numbers).order_by("pk"):
        by_number.setdefault(company.registration_number, company)
    # A company without a registration number matches one of the programme's companies with
    # exactly that name (so re-importing a file is recognised), else it is new.
    names = {r.company for r in rows if not r.registration_number}
    by_name: dict[str, list[Company]] = defaultdict(list)
    if names:
        enrolled = (
            Enrolment.objects.filter(cohort__programme=programme, company__name__in=names)
            .select_related("company")
            .order_by("company_id")
        )
        for enrolment in enrolled:
            if enrolment.company not in by_name[enrolment.company.name]:
                by_name[enrolment.company.name].append(enrolment.company)

    plan = _Plan(companies={}, new_companies={}, cohorts={}, new_cohorts=defaultdict(list))
    plan.cohorts = {
        c.number: c
        for c in Cohort.objects.filter(programme=programme, number__in={r.cohort for r in rows})
    }
    for row in rows:
        key = row.company_key
        if key in plan.companies or key in plan.new_companies:
            pass
        elif row.registration_number and row.registration_number in by_number:
            plan.companies[key] = by_number[row.registration_number]
        elif not row.registration_number and len(by_name.get(row.company, [])) == 1:
            plan.companies[key] = by_name[row.company][0]
        elif not row.registration_number and len(by_name.get(row.company, [])) > 1:
            errors.append(
                RowError(
                    row.line,
                    f"several companies of this programme are called {row.company}; "
                    "give the registration number.",
                )
            )
            continue
        else:
            plan.new_companies[key] = row
        if row.cohort not in plan.cohorts:
            plan.new_cohorts[row.cohort].append(row)

    for number, cohort_rows in plan.new_cohorts.items():
        if not any(r.responded_on for r in cohort_rows):
            first = min(r.line for r in cohort_rows)
            errors.append(
                RowError(
                    first,
                    f"cohort {number} is not in the portal yet and none of its rows has a "
                    "responded_on date to date it by.",
                )
            )

    known_pairs = {
        (plan.cohorts[r.cohort].pk, plan.companies[r.company_key].pk, r.round_months): r
        for r in rows
        if r.cohort in plan.cohorts and r.company_key in plan.companies
    }
    if known_pairs:
        existing = SurveyResponse.objects.filter(
            cohort_id__in={k[0] for k in known_pairs},
            company_id__in={k[1] for k in known_pairs},
            is_comparison=False,
        ).values_list("cohort_id", "company_id", "round_months", "source")
        for cohort_id, company_id, months, source in existing:
            row = known_pairs.get((cohort_id, company_id, months))
            if row is not None:
                how = "imported" if source == SurveyResponse.Source.IMPORT else "recorded"
                errors.append(
                    RowError(
                        row.line,
                        f"already {how}: {row.company} has a response for cohort {row.cohort}, "
                        f"{row.round_months} months.",
                    )
                )
    return plan, errors


def _new_cohort_dates(rows: list[OutcomeRow]) -> tuple[date, date]:
    """End: the earliest response date minus its round; start: nine months before."""
    end = min(add_months(r.responded_on, -r.round_months) for r in rows if r.responded_on)
    return add_months(end, -9), end


def _band_for(turnover: Decimal | None) -> str:
    if turnover is None:
        return ""
    limits = [
        (100_000, TurnoverBand.UNDER_100K),
        (500_000, TurnoverBand.TO_500K),
        (1_000_000, TurnoverBand.TO_1M),
        (5_000_000, TurnoverBand.TO_5M),
        (10_000_000, TurnoverBand.TO_10M),
        (50_000_000, TurnoverBand.TO_50M),
    ]
    for limit, band in limits:
        if turnover < limit:
            return band
    return TurnoverBand.OVER_50M


def outcomes_import(
    *, programme, data: bytes | str, entered_by=None, dry_run: bool = False
) -> ImportResult:
    """Check every row, then import them all in one transaction inside the programme's
    tenant scope; or raise ImportRejected listing every bad row, having written nothing."""
    rows, errors = read_rows(data=data)
    organisation = programme.organisation
    with tenant_scope(organisation), transaction.atomic():
        plan = None
        if rows:
            # Rows that are fine on their own are still checked against the database, so
            # one run reports every bad row.
            plan, plan_errors = _plan(programme, rows)
            errors = errors + plan_errors
        if errors:
            raise ImportRejected(errors)
        result = ImportResult(
            rows=len(rows),
            companies_created=len(plan.new_companies),
            cohorts_created=len(plan.new_cohorts),
            dry_run=dry_run,
            new_cohort_numbers=sorted(plan.new_cohorts),
        )
        if dry_run:
            result.enrolments_created = len(_missing_enrolments(plan, rows))
            return result
        try:
            _write(programme, organisation, plan, rows, result, entered_by)
        except IntegrityError as exc:
            # Another import of the same rows committed meanwhile.
            raise ImportRejected(
                [RowError(1, "the data changed while importing; nothing was imported, try again.")]
            ) from exc
    return result


def _missing_enrolments(plan: _Plan, rows: list[OutcomeRow]) -> set[tuple]:
    """(cohort number, company key) pairs of the file not enrolled yet."""
    pairs = {(r.cohort, r.company_key) for r in rows}
    known = {
        (plan.cohorts[n].pk, plan.companies[k].pk): (n, k)
        for n, k in pairs
        if n in plan.cohorts and k in plan.companies
    }
    enrolled = Enrolment.objects.filter(
        cohort_id__in={p[0] for p in known}, company_id__in={p[1] for p in known}
    ).values_list("cohort_id", "company_id")
    return pairs - {known[pair] for pair in enrolled if pair in known}


def _write(programme, organisation, plan, rows, result, entered_by) -> None:
    missing = _missing_enrolments(plan, rows)
    sector = programme.sectors[0] if len(programme.sectors) == 1 else Sector.OTHER
    region = programme.regions[0] if len(programme.regions) == 1 else ""

    for number, cohort_rows in sorted(plan.new_cohorts.items()):
        start, end = _new_cohort_dates(cohort_rows)
        opens = timezone.make_aware(datetime.combine(add_months(start, -4), time(9)))
        closes = timezone.make_aware(datetime.combine(add_months(start, -2), time(17)))
        plan.cohorts[number] = Cohort.objects.create(
            organisation=organisation,
            programme=programme,
            number=number,
            name="Imported",
            description=f"{programme.name}, cohort {number}: results imported from earlier "
            "records; dates estimated from the survey rounds.",
            start_date=start,
            end_date=end,
            capacity=max(1, len({r.company_key for r in cohort_rows})),
            applications_open_at=opens,
            applications_close_at=closes,
            status=CohortStatus.COMPLETED,
        )

    # Placeholders where the file says nothing: the company's founders complete the profile.
    first_cohort_year = {}
    for row in rows:
        year = plan.cohorts[row.cohort].start_date.year
        first_cohort_year[row.company_key] = min(first_cohort_year.get(row.company_key, year), year)
    new = [
        Company(
            name=row.company,
            registration_number=row.registration_number,
            sector=sector,
            region=region,
            year_founded=first_cohort_year[key],
            employees=0,
            turnover_band=_band_for(
                next((r.turnover for r in rows if r.company_key == key and r.turnover), None)
            ),
        )
        for key, row in plan.new_companies.items()
    ]
    Company.objects.bulk_create(new)
    for key, company in zip(plan.new_companies, new, strict=True):
        plan.companies[key] = company

    Enrolment.objects.bulk_create(
        Enrolment(
            organisation=organisation,
            cohort=plan.cohorts[number],
            company=plan.companies[key],
            status=Enrolment.Status.COMPLETED,
        )
        for number, key in sorted(missing)
    )
    result.enrolments_created = len(missing)

    now = timezone.now()
    responses = []
    for row in rows:
        submitted = (
            timezone.make_aware(datetime.combine(row.responded_on, time(12)))
            if row.responded_on
            else now
        )
        responses.append(
            SurveyResponse(
                organisation=organisation,
                programme=programme,
                cohort=plan.cohorts[row.cohort],
                company=plan.companies[row.company_key],
                round_months=row.round_months,
                source=SurveyResponse.Source.IMPORT,
                entered_by=entered_by,
                responded_on=row.responded_on,
                submitted_at=submitted,
                jobs_created=row.jobs_created,
                new_deals=row.new_deals,
                new_markets=row.new_markets,
                markets_entered="; ".join(row.markets_entered),
                further_funding=row.further_funding,
                funding_amount=row.funding_amount,
                new_offices=row.new_offices,
                turnover=row.turnover,
                profit=row.profit,
            )
        )
    SurveyResponse.objects.bulk_create(responses)
    result.responses_created = len(responses)
