"""Headline sentences read like the funders' own reports."""

from decimal import Decimal

import pytest

from impact.headlines import fraction_phrase, headlines
from impact.selectors import Metrics, Share


@pytest.mark.parametrize(
    ("share", "phrase"),
    [
        (0.71, "more than seven out of ten"),
        (0.49, "almost half"),
        (0.5, "half"),
        (0.36, "more than one-third"),
        (0.18, "more than one in six"),
        (0.25, "a quarter"),
        (1.0, "all"),
        (0.02, "about one in 50"),
        (0.0, "none"),
    ],
)
def test_fraction_phrases(share, phrase):
    assert fraction_phrase(share) == phrase


def test_headlines_name_their_denominator_and_totals():
    shares = [
        Share("jobs_created", "created jobs", 151, 213, 151 / 213, 0.64, 0.77),
        Share("new_deals", "signed new deals", 0, 0, None, None, None),
        Share("further_funding", "secured further funding", 77, 213, 77 / 213, 0.3, 0.43),
    ]
    metrics = Metrics(
        companies=300,
        respondents=213,
        shares=shares,
        totals={
            "jobs_created": 412,
            "deals_value": Decimal(0),
            "funding_amount": Decimal("2450000"),
            "export_sales": Decimal(0),
        },
        medians={},
    )
    assert headlines(metrics) == [
        "More than seven out of ten (71%) of the 213 companies that answered created jobs, "
        "412 jobs in total.",
        "More than one-third (36%) of the 213 companies that answered secured further "
        "funding, £2.5m in total.",
    ]
