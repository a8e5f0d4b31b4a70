"""`manage.py import_outcomes`: historic results, all or nothing, every bad row named."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from cohorts.models import Cohort, CohortStatus, Company, Enrolment
from impact.importer import ImportRejected, outcomes_import, parse_markets, parse_round
from impact.models import SurveyResponse
from portal.tenancy import scopes_disabled
from tests.factories import CohortFactory, CompanyFactory, EnrolmentFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "company,registration_number,cohort,round,responded_on,jobs_created,new_deals,new_markets,"
    "further_funding,funding_amount,new_offices,turnover,profit"
)
GOOD = "\n".join(
    [
        HEADER,
        "Acme Robotics Ltd,01234567,1,6 months,2019-08-02,4,yes,Germany; France,no,,N,"
        '"£1,200,000",-15000',
        "Acme Robotics Ltd,1234567,1,12,15/02/2020,6,Y,Germany;France;Spain,TRUE,250000,yes,"
        "1500000,(2000)",
        "Blue Widgets,,1,6m,2019-08-10,0,no,,,,,,",
        "Blue Widgets,,2,6,2020-09-01,,,,,,,,",
    ]
)


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(organisation=organisation, slug="ibp", name="IBP", sectors=["tech"])


def _write(tmp_path, text, *, bom=False, name="outcomes.csv", encoding="utf-8"):
    path = tmp_path / name
    data = text.replace("\n", "\r\n").encode(encoding)  # Excel writes CRLF
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return str(path)


def _run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_outcomes", "--programme", "ibp", *args, path, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fail(path, *args):
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(
            "import_outcomes", "--programme", "ibp", *args, path, stdout=io.StringIO(), stderr=err
        )
    return str(info.value), err.getvalue()


def _counts():
    with scopes_disabled():
        return (
            Company.objects.count(),
            Cohort.objects.count(),
            Enrolment.objects.count(),
            SurveyResponse.objects.count(),
        )


def test_a_good_file_creates_companies_cohorts_enrolments_and_typed_responses(programme, tmp_path):
    out, err = _run(_write(tmp_path, GOOD))

    assert "Imported 4 rows into IBP: 2 companies created, 2 cohorts created" in out
    assert err == ""
    with scopes_disabled():
        acme = Company.objects.get(registration_number="01234567")  # leading zero kept
        blue = Company.objects.get(name="Blue Widgets")
        assert blue.registration_number == ""
        assert acme.sector == "tech" and acme.turnover_band == "1m_5m"
        cohort1, cohort2 = Cohort.objects.filter(programme=programme).order_by("number")
        assert cohort1.status == CohortStatus.COMPLETED
        # Dated from the earliest answer: 2 Aug 2019 was 6 months after the end.
        assert cohort1.end_date == date(2019, 2, 2)
        assert cohort1.start_date < cohort1.end_date
        assert cohort1.applications_close_at.date() < cohort1.start_date
        assert cohort1.capacity == 2 and cohort2.capacity == 1
        assert set(Enrolment.objects.values_list("cohort__number", "company__name", "status")) == {
            (1, "Acme Robotics Ltd", "completed"),
            (1, "Blue Widgets", "completed"),
            (2, "Blue Widgets", "completed"),
        }
        first, later = SurveyResponse.objects.filter(company=acme).order_by("round_months")
        blue_1, blue_2 = SurveyResponse.objects.filter(company=blue).order_by("cohort__number")

    assert first.source == SurveyResponse.Source.IMPORT and first.submitted_at is not None
    assert (first.round_months, first.responded_on) == (6, date(2019, 8, 2))
    assert first.jobs_created == 4
    assert first.new_deals is True and first.further_funding is False
    assert first.new_offices is False
    assert first.new_markets is True and first.markets_entered == "Germany; France"
    assert first.turnover == Decimal("1200000.00") and first.profit == Decimal("-15000.00")
    assert later.round_months == 12 and later.responded_on == date(2020, 2, 15)
    assert later.further_funding is True and later.funding_amount == Decimal("250000.00")
    assert later.markets_entered == "Germany; France; Spain"
    assert later.profit == Decimal("-2000.00")  # (2000) is a loss, as accountants write it
    assert blue_1.jobs_created == 0 and blue_1.new_deals is False
    # Empty means not answered.
    assert blue_1.new_markets is None and blue_1.markets_entered == ""
    assert blue_1.further_funding is None and blue_1.turnover is None
    assert blue_2.jobs_created is None and blue_2.new_deals is None


def test_existing_companies_and_cohorts_are_reused(programme, tmp_path):
    cohort = CohortFactory(programme=programme, number=1, completed=True)
    acme = CompanyFactory(name="Acme (renamed)", registration_number="01234567")
    EnrolmentFactory(cohort=cohort, company=acme, status=Enrolment.Status.COMPLETED)
    text = "\n".join([HEADER, "Acme Robotics Ltd,1234567,1,6,2019-08-02,1,,,,,,,"])

    out, _ = _run(_write(tmp_path, text))

    assert "0 companies created, 0 cohorts created, 0 enrolments created" in out
    with scopes_disabled():
        response = SurveyResponse.objects.get()
    assert (response.company, response.cohort) == (acme, cohort)


def test_one_bad_row_imports_nothing_and_names_the_line_and_reason(programme, tmp_path):
    text = GOOD + "\nCyan Ltd,,1,6,2019-08-02,-3,,,,,,,"
    before = _counts()

    message, err = _fail(_write(tmp_path, text))

    assert "Nothing was imported: 1 bad row" in message
    assert err.strip() == "Line 6: jobs_created: -3 is negative."
    assert _counts() == before


def test_every_bad_row_is_listed(programme, tmp_path):
    text = "\n".join(
        [
            HEADER,
            "Acme,,1,6,2019-08-02,2,maybe,,,,,,",
            ",,x,,31/02/2020,,,,,,,,",
            "Acme,,1,6 weeks,2019-13-01,1.5,,,no,500,,-10,",
            "Acme,,1,6,2019-08-02,2,yes,,,,,abc,",
            "Fine Ltd,,1,3,2030-01-01,,,,,,,,",
        ]
    )

    message, err = _fail(_write(tmp_path, text))

    lines = err.strip().splitlines()
    assert lines == [
        'Line 2: new_deals: "maybe" is not yes or no.',
        'Line 3: company: missing; cohort: "x" is not a cohort number (1, 2, 3 …); '
        'round: missing; responded_on: "31/02/2020" is not a date (use YYYY-MM-DD or '
        "DD/MM/YYYY).",
        'Line 4: round: "6 weeks" is not a number of months (e.g. 6, "6 months" or "6m"); '
        'responded_on: "2019-13-01" is not a date (use YYYY-MM-DD or DD/MM/YYYY); '
        'jobs_created: "1.5" is not a whole number; turnover: -10 is negative.',
        'Line 5: turnover: "abc" is not an amount; the same company, cohort and round as '
        "line 2 (Acme, cohort 1, 6 months).",
        "Line 6: responded_on: 2030-01-01 is in the future.",
    ]
    assert "5 bad rows" in message
    assert _counts() == (0, 0, 0, 0)


def test_a_row_repeated_in_the_file_is_refused(programme, tmp_path):
    text = "\n".join(
        [
            HEADER,
            "Acme,01234567,1,6,2019-08-02,2,,,,,,,",
            "Acme Robotics,1234567,1,6 months,2019-08-05,3,,,,,,,",  # same number, Excel-mangled
            "Acme,01234567,1,12,2020-02-02,3,,,,,,,",
        ]
    )

    _, err = _fail(_write(tmp_path, text))

    assert err.strip() == (
        "Line 3: the same company, cohort and round as line 2 (Acme Robotics, cohort 1, 6 months)."
    )
    assert _counts() == (0, 0, 0, 0)


def test_importing_the_same_file_again_is_refused_as_already_imported(programme, tmp_path):
    path = _write(tmp_path, GOOD)
    _run(path)
    before = _counts()

    message, err = _fail(path)

    lines = err.strip().splitlines()
    assert len(lines) == 4
    assert lines[0] == (
        "Line 2: already imported: Acme Robotics Ltd has a response for cohort 1, 6 months."
    )
    assert all("already imported" in line for line in lines)  # names matched too
    assert "4 bad rows" in message
    assert _counts() == before


def test_utf8_bom_excel_semicolons_and_windows_1252_are_read(programme, tmp_path):
    _run(_write(tmp_path, GOOD, bom=True))
    semicolons = "\n".join(
        [
            HEADER.replace(",", ";").title().replace("_", " "),
            'Café Crème Ltd;;3;12;01/06/2021;2;no;"Japan; Canada";;;;;',
        ]
    )
    _run(_write(tmp_path, semicolons, name="excel.csv", encoding="cp1252"))

    with scopes_disabled():
        response = SurveyResponse.objects.get(company__name="Café Crème Ltd")
    assert response.markets_entered == "Japan; Canada" and response.jobs_created == 2


def test_excel_sep_line_is_understood_and_counted_in_line_numbers(programme, tmp_path):
    text = "\n".join(["sep=;", HEADER.replace(",", ";"), "Acme;;1;6;2019-08-02;-1;;;;;;;"])

    _, err = _fail(_write(tmp_path, text))

    assert err.strip() == "Line 3: jobs_created: -1 is negative."


def test_header_problems_are_reported_on_line_1(programme, tmp_path):
    text = "company,cohort,jobs,turnover\nAcme,1,3,100"

    _, err = _fail(_write(tmp_path, text))

    assert err.strip() == (
        "Line 1: unknown column jobs (the columns are: company, registration_number, cohort, "
        "round, responded_on, jobs_created, new_deals, new_markets, further_funding, "
        "funding_amount, new_offices, turnover, profit); missing required column round."
    )


def test_a_new_cohort_needs_a_date(programme, tmp_path):
    text = "\n".join([HEADER, "Acme,,7,6,,1,,,,,,,"])

    _, err = _fail(_write(tmp_path, text))

    assert "Line 2: cohort 7 is not in the portal yet" in err


def test_unknown_programme_or_organisation_is_an_error(programme, tmp_path):
    path = _write(tmp_path, GOOD)
    with pytest.raises(CommandError, match="No programme with the slug 'nope'"):
        call_command("import_outcomes", "--programme", "nope", path, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No organisation with the slug 'elsewhere'"):
        call_command("import_outcomes", "--programme", "ibp", "--organisation", "elsewhere", path)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_outcomes", "--programme", "ibp", str(tmp_path / "missing.csv"))
    assert _counts() == (0, 0, 0, 0)


def test_the_same_slug_in_two_organisations_needs_organisation(
    programme, other_organisation, tmp_path
):
    ProgrammeFactory(organisation=other_organisation, slug="ibp")
    path = _write(tmp_path, GOOD)
    message, _ = _fail(path)
    assert "--organisation" in message

    _run(path, "--organisation", "pennine-growth")

    with scopes_disabled():
        assert set(SurveyResponse.objects.values_list("organisation", flat=True)) == {
            other_organisation.pk
        }


def test_dry_run_writes_nothing(programme, tmp_path):
    out, _ = _run(_write(tmp_path, GOOD), "--dry-run")
    assert "Would import 4 rows" in out and "3 enrolments created" in out
    assert _counts() == (0, 0, 0, 0)


def test_the_importer_functions_serve_an_upload_page(programme, user):
    """The same functions, called with an uploaded file's bytes and the staff user."""
    result = outcomes_import(programme=programme, data=GOOD.encode(), entered_by=user)
    assert (result.rows, result.companies_created, result.cohorts_created) == (4, 2, 2)
    with scopes_disabled():
        assert set(SurveyResponse.objects.values_list("entered_by", flat=True)) == {user.pk}
    with pytest.raises(ImportRejected) as info:
        outcomes_import(programme=programme, data=GOOD.encode())
    assert [e.line for e in info.value.errors] == [2, 3, 4, 5]
    assert info.value.messages[0].startswith("Line 2: already imported")


@pytest.mark.parametrize(
    ("raw", "months"), [("6", 6), ("6 months", 6), ("6m", 6), ("12 Months", 12), ("3M", 3)]
)
def test_round_spellings(raw, months):
    assert parse_round(raw) == months


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", (None, [])),
        ("no", (False, [])),
        ("Germany", (True, ["Germany"])),
        (" Germany ;France;; Germany", (True, ["Germany", "France"])),
    ],
)
def test_markets_lists(raw, expected):
    assert parse_markets(raw) == expected
