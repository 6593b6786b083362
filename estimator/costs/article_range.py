"""Lines priced from one of the article's ranges, sliced by stage (no usage driver exists)."""

from __future__ import annotations

from functools import lru_cache

from estimator.lines import Cadence, Category, LineItem
from estimator.money import DOLLARS, usd_range
from estimator.price_book import PriceBook
from estimator.scenario import Stage

_SLICE_NAMES = {
    Stage.startup: "startup: bottom quarter",
    Stage.midsize: "mid-size: 25-60% of the way",
    Stage.enterprise: "enterprise: top half",
}


@lru_cache(maxsize=4096)  # bounded: one set per price book seen
def staged_amount(name: str, stage: Stage, prices: PriceBook) -> tuple[float, float]:
    """The stage's slice of an article range."""
    article = prices.figure(name)
    share = prices.figure(f"stage_share.{stage.value}")
    span = article.high - article.low
    return article.low + share.low * span, article.low + share.high * span


@lru_cache(maxsize=4096)  # same range, stage, item and prices: the same line (never altered)
def staged_line(
    name: str,
    stage: Stage,
    category: Category,
    item: str,
    cadence: Cadence,
    prices: PriceBook,
) -> LineItem:
    """A line whose amount is the stage's slice of the article's range for `name`."""
    article = prices.figure(name)
    low, high = staged_amount(name, stage, prices)
    # Compliance ranges come from published audit and service prices, not the article.
    whose = "article range" if name.startswith("article.") else "published range"
    # The line is made once per price book, so its words are too (in USD, like every basis):
    # every estimate at this stage shows them.
    worded: list[str] = []

    def explain() -> str:
        if not worded:
            worded.append(
                f"{whose} {usd_range(article.low, article.high, DOLLARS)}, "
                f"{_SLICE_NAMES[stage]} = {usd_range(low, high, DOLLARS)}"
            )
        return worded[0]

    return LineItem(
        category=category, item=item, cadence=cadence, low=low, high=high, explain=explain
    )
