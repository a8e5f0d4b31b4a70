"""Headline sentences written from the numbers in plain English, as funders' reports read:
"More than seven out of ten (71%) of the 213 companies that answered created jobs"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from impact.selectors import Metrics, Share

_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

# (fraction, phrase): the reference points a reader grasps at once.
_FRACTIONS = sorted(
    {
        (1 / 2, "half"),
        (1 / 3, "one-third"),
        (2 / 3, "two-thirds"),
        (1 / 4, "a quarter"),
        (3 / 4, "three-quarters"),
        (1 / 5, "one in five"),
        (1 / 6, "one in six"),
        (1 / 8, "one in eight"),
        (1 / 10, "one in ten"),
        *((k / 10, f"{_NUMBERS[k]} out of ten") for k in (3, 4, 6, 7, 8, 9)),
        (1.0, "all"),
    }
)


def fraction_phrase(share: float) -> str:
    """0.71 → "more than seven out of ten"; 0.49 → "almost half"; 0.5 → "half"."""
    if share <= 0:
        return "none"
    if share >= 1:
        return "all"
    if share < 0.095:
        return f"about one in {round(1 / share)}"
    fraction, phrase = min(
        (item for item in _FRACTIONS if item[0] < 1),
        key=lambda item: (abs(item[0] - share), item[0]),
    )
    if abs(fraction - share) < 0.005:
        return phrase
    if share > fraction:
        return f"more than {phrase}"
    return f"almost {phrase}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _money(value: Decimal) -> str:
    """£2.5m, £340k, £900: rounded half up, as people round."""
    value = Decimal(value)
    if value >= 999_500:
        return f"£{(value / 1_000_000).quantize(Decimal('0.1'), ROUND_HALF_UP)}m"
    if value >= 1_000:
        return f"£{(value / 1_000).quantize(Decimal('1'), ROUND_HALF_UP)}k"
    return f"£{value.quantize(Decimal('1'), ROUND_HALF_UP):,}"


def headline(share: Share, respondents: int, extra: str = "") -> str | None:
    if share.share is None:
        return None
    sentence = (
        f"{_capitalise(fraction_phrase(share.share))} ({share.percent}%) of the "
        f"{share.denominator} companies that answered {share.verb}"
    )
    return f"{sentence}{extra}."


def headlines(metrics: Metrics) -> list[str]:
    """The report's opening sentences, one per outcome that has answers."""
    extras = {
        "jobs_created": f", {metrics.totals['jobs_created']:,} jobs in total",
        "new_deals": (
            f", worth {_money(metrics.totals['deals_value'])} in total"
            if metrics.totals["deals_value"]
            else ""
        ),
        "further_funding": (
            f", {_money(metrics.totals['funding_amount'])} in total"
            if metrics.totals["funding_amount"]
            else ""
        ),
    }
    sentences = []
    for share in metrics.shares:
        text = headline(share, metrics.respondents, extras.get(share.key, ""))
        if text:
            sentences.append(text)
    return sentences
