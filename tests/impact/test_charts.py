"""The impact charts as the PDF draws them: every cohort's figure is on the trend chart, its
names stay readable, and the SVG does not grow with the number of cohorts (WeasyPrint draws
each SVG element on its own, so hundreds of dots made the PDF three times slower)."""

import re

from impact import charts

OUTCOMES = [("jobs_created", "Created jobs"), ("new_deals", "Signed new deals")]


def trend(cohorts: int, missing: dict[str, set[int]] | None = None) -> list[dict]:
    """`cohorts` cohorts numbered from 1; `missing[key]` are the cohort numbers where nobody
    answered that outcome."""
    missing = missing or {}
    return [
        {
            "label": f"Cohort {n}",
            "shares": {
                key: None if n in missing.get(key, ()) else (n % 7) / 10 for key, _ in OUTCOMES
            },
        }
        for n in range(1, cohorts + 1)
    ]


def dots(svg: str) -> int:
    """Drawn dots: <use> of a marker whose path is curved (a circle; tick marks are
    straight)."""
    curved = {
        marker for marker, path in re.findall(r'<path id="([^"]+)" d="([^"]+)"', svg) if "C" in path
    }
    return sum(1 for href in re.findall(r'<use xlink:href="#([^"]+)"', svg) if href in curved)


def names(svg: str) -> list[str]:
    return re.findall(r">(Cohort \d+)</text>", svg)


def test_a_few_cohorts_have_a_dot_and_a_name_each():
    svg = charts.trend_chart(trend(5), OUTCOMES, prefix="t")
    assert dots(svg) == 5 * len(OUTCOMES) + len(OUTCOMES)  # and one in each legend entry
    assert names(svg) == [f"Cohort {n}" for n in range(1, 6)]


def test_many_cohorts_are_lines_with_a_readable_sequence_of_names():
    svg = charts.trend_chart(trend(100), OUTCOMES, prefix="t")
    assert dots(svg) == 0
    assert names(svg) == ["Cohort 1", "Cohort 21", "Cohort 41", "Cohort 61", "Cohort 81"]


def test_a_cohort_without_neighbours_to_join_keeps_its_dot():
    # New deals answered in cohort 10 alone, and in cohorts 30 and 31: cohort 10 has no line
    # to sit on, so it is drawn as a dot; 30 and 31 are joined by a line.
    missing = {"new_deals": set(range(1, 41)) - {10, 30, 31}}
    svg = charts.trend_chart(trend(40, missing), OUTCOMES, prefix="t")
    assert dots(svg) == 1


def test_the_chart_does_not_grow_with_the_cohorts():
    elements = [
        len(re.findall(r"<(?:use|path|text|g)\b", charts.trend_chart(trend(n), OUTCOMES)))
        for n in (30, 300)
    ]
    assert elements[0] == elements[1]


def test_names_are_spread_in_round_steps():
    assert charts._spread(8, 8) == list(range(8))
    assert charts._spread(9, 8) == [0, 2, 4, 6, 8]
    assert charts._spread(40, 8) == [0, 5, 10, 15, 20, 25, 30, 35]
    assert charts._spread(1000, 8) == [0, 200, 400, 600, 800]
    assert charts._spread(0, 8) == []
