"""The standard outcome framework every programme gets. Keys are stable (they are the
columns of SurveyResponse and of exports), so programmes and cohorts compare."""

from __future__ import annotations

from dataclasses import dataclass

from programmes.models import OutcomeKey

# The money columns hold 12 whole digits and pence.
MONEY_MAX = 999_999_999_999


@dataclass(frozen=True)
class OutcomeField:
    key: str
    label: str
    kind: str  # "number", "money", "yes_no", "text", "choice"
    help_text: str = ""
    min_value: int | None = 0
    max_value: int | None = None
    depends_on: str = ""  # shown only when this yes/no field is yes


STANDARD_FIELDS: list[OutcomeField] = [
    OutcomeField(
        "jobs_created",
        "How many jobs have you created since joining the programme?",
        "number",
        "Full-time equivalent roles; 0 if none.",
        0,
        100_000,
    ),
    OutcomeField("new_deals", "Have you signed new deals or contracts since joining?", "yes_no"),
    OutcomeField("deals_count", "How many?", "number", "", 0, 100_000, depends_on="new_deals"),
    OutcomeField(
        "deals_value",
        "Their total value (£)",
        "money",
        "An estimate is fine.",
        0,
        MONEY_MAX,
        depends_on="new_deals",
    ),
    OutcomeField("new_markets", "Have you entered new markets abroad?", "yes_no"),
    OutcomeField(
        "markets_entered",
        "Which countries?",
        "text",
        "Separate them with ;",
        depends_on="new_markets",
    ),
    OutcomeField("further_funding", "Have you secured further funding?", "yes_no"),
    OutcomeField(
        "funding_amount", "How much (£)?", "money", "", 0, MONEY_MAX, depends_on="further_funding"
    ),
    OutcomeField("funding_type", "What kind of funding?", "choice", depends_on="further_funding"),
    OutcomeField("new_offices", "Have you opened new offices?", "yes_no"),
    OutcomeField(
        "offices_where",
        "Where?",
        "text",
        "Cities or countries, separated by ;",
        depends_on="new_offices",
    ),
    OutcomeField(
        "turnover", "Turnover this year (£)", "money", "Your best estimate.", 0, MONEY_MAX
    ),
    OutcomeField(
        "profit", "Profit this year (£)", "money", "Negative for a loss.", -MONEY_MAX, MONEY_MAX
    ),
    OutcomeField("export_sales", "Export sales this year (£)", "money", "", 0, MONEY_MAX),
    OutcomeField("attribution", "How much of this is due to the programme?", "choice"),
]

FIELDS_BY_KEY = {f.key: f for f in STANDARD_FIELDS}


@dataclass(frozen=True)
class Outcome:
    """A yes/no outcome whose share of respondents a report states."""

    key: str  # programmes.models.OutcomeKey
    verb: str  # completes "N% of companies ..."
    column: str  # the SurveyResponse condition, see impact.selectors.OUTCOME_CONDITIONS


OUTCOMES: list[Outcome] = [
    Outcome(OutcomeKey.JOBS_CREATED, "created jobs", "jobs_created"),
    Outcome(OutcomeKey.NEW_DEALS, "signed new deals", "new_deals"),
    Outcome(OutcomeKey.NEW_MARKETS, "entered new markets", "new_markets"),
    Outcome(OutcomeKey.FURTHER_FUNDING, "secured further funding", "further_funding"),
    Outcome(OutcomeKey.NEW_OFFICES, "opened new offices", "new_offices"),
    Outcome(OutcomeKey.EXPORT_GROWTH, "grew their export sales", "export_sales"),
]
