"""Engineering time: what an hour costs, and managed services versus running them yourself."""

from __future__ import annotations

from dataclasses import dataclass

from estimator import facts
from estimator.lines import Category, LineItem
from estimator.price_book import PriceBook
from estimator.totals import Amount


def engineer_hourly(prices: PriceBook) -> Amount:
    """An SRE's fully loaded cost per hour, from the salary range."""
    sre = prices.figures.salary.site_reliability_engineer
    loaded = prices.figures.team.loaded_cost_factor
    hours = facts.WORK_HOURS_PER_YEAR
    return Amount(sre.low * loaded.low / hours, sre.high * loaded.high / hours)


@dataclass(frozen=True, slots=True)
class ManagedTradeOff:
    """Managed database and Redis versus the same on plain instances, per month."""

    premium: Amount  # what the managed services cost on top
    labour: Amount  # engineer time they spare, in dollars
    hours_low: float
    hours_high: float

    @property
    def net(self) -> Amount:
        """In managed services' favour: labour spared minus the premium."""
        return Amount(self.labour.low - self.premium.high, self.labour.high - self.premium.low)


def managed_trade_off(items: list[LineItem], prices: PriceBook) -> ManagedTradeOff:
    # The managed database and Redis lines (one pass over every line: runs on every estimate).
    storage = Category.storage
    managed = [
        i
        for i in items
        if (i.item == "Managed database" and i.category is storage)
        or i.item.startswith("Managed Redis")
    ]
    self_run_price = prices.figures.operations.self_run_price_share
    self_run_hours = prices.figures.operations.self_run_hours_per_service
    price = Amount(sum(i.low for i in managed), sum(i.high for i in managed))
    premium = Amount(price.low * (1 - self_run_price.high), price.high * (1 - self_run_price.low))
    hours_low = self_run_hours.low * len(managed)
    hours_high = self_run_hours.high * len(managed)
    rate = engineer_hourly(prices)
    labour = Amount(hours_low * rate.low, hours_high * rate.high)
    return ManagedTradeOff(premium, labour, hours_low, hours_high)
