"""Eligibility rules in plain words, judged on the company profile."""

from datetime import date

import pytest

from portal.taxonomy import Region, Sector, TurnoverBand
from programmes.models import Programme
from programmes.selectors import CompanyFacts, eligibility_reasons, eligibility_summary


def facts(**overrides):
    base = {
        "sector": Sector.TECH,
        "region": Region.LONDON,
        "employees": 25,
        "turnover_band": TurnoverBand.TO_5M,
        "years_trading": 4,
    }
    return CompanyFacts(**{**base, **overrides})


def programme(**rules):
    return Programme(name="IBP", slug="ibp", summary="", start_date=date(2026, 1, 1), **rules)


def test_a_programme_without_rules_takes_everyone():
    assert eligibility_reasons(programme(), facts()) == []
    assert eligibility_summary(programme()) == ["Open to every company"]


@pytest.mark.parametrize(
    ("rules", "company", "expected"),
    [
        ({"sectors": ["life_sciences", "urban"]}, {}, "companies in Life sciences and health"),
        ({"regions": ["north_west"]}, {}, "based in North West; your profile says London"),
        ({"min_employees": 30}, {}, "at least 30 employees; your profile says 25"),
        ({"max_employees": 20}, {}, "at most 20 employees"),
        ({"min_turnover_band": TurnoverBand.TO_10M}, {}, "turnover of at least £5m – £10m"),
        ({"max_turnover_band": TurnoverBand.TO_1M}, {}, "turnover up to £500k – £1m"),
        ({"min_years_trading": 5}, {}, "at least 5 years of trading"),
        ({"max_years_trading": 3}, {}, "at most 3 years"),
    ],
)
def test_each_rule_refuses_with_a_reason(rules, company, expected):
    reasons = eligibility_reasons(programme(**rules), facts(**company))
    assert len(reasons) == 1
    assert expected in reasons[0]


def test_boundaries_are_inclusive():
    rules = programme(
        min_employees=25,
        max_employees=25,
        min_years_trading=4,
        max_years_trading=4,
        min_turnover_band=TurnoverBand.TO_5M,
        max_turnover_band=TurnoverBand.TO_5M,
        sectors=["tech"],
        regions=["london"],
    )
    assert eligibility_reasons(rules, facts()) == []


def test_summary_lists_the_rules():
    summary = eligibility_summary(
        programme(sectors=["tech"], min_employees=5, max_turnover_band=TurnoverBand.TO_10M)
    )
    assert summary == [
        "Sectors: Tech and digital",
        "Employees: at least 5",
        "Turnover: up to £5m – £10m",
    ]


def test_model_refuses_inverted_ranges_and_unknown_values():
    from django.core.exceptions import ValidationError

    bad = programme(min_employees=10, max_employees=5, sectors=["space"])
    with pytest.raises(ValidationError) as info:
        bad.clean()
    assert set(info.value.message_dict) == {"max_employees", "sectors"}
