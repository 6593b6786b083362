"""The article's five scaling strategies, each made concrete with a figure from this scenario."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from estimator import facts
from estimator.costs.app_tier import Fleet, fleet
from estimator.costs.inference import quote
from estimator.costs.infrastructure import monitored_hosts
from estimator.facts import Range
from estimator.lines import Category, LineItem
from estimator.money import (
    ShownCurrency,
    figure_span,
    percent,
    quantity,
    span,
    usd,
    usd_range,
    user_count,
)
from estimator.operations import ManagedTradeOff, engineer_hourly
from estimator.phases import year_two_users
from estimator.price_book import PriceBook
from estimator.scenario import MAX_USERS, Hosting, Scenario
from estimator.totals import Amount, Totals
from estimator.traffic import Traffic, traffic

# Bound once: an Enum member read off its class is a slow lookup, and this one is read for every
# line of every estimate whose strategies are made (estimator/lines.py).
_LLM_INFERENCE = Category.llm_inference


# Not frozen, like LineItem (lines.py): a frozen dataclass sets each field through
# object.__setattr__ (docs/architecture.md, "Performance idioms"). Nothing assigns to one once made.
@dataclass(slots=True, unsafe_hash=True)
class Strategy:
    key: str
    name: str
    rule: str
    # Worded only when read, like a line's basis: what-ifs build estimates nobody reads in full.
    explain: Callable[[], str]

    @property
    def advice(self) -> str:
        return self.explain()

    def to_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "rule": self.rule, "advice": self.advice}


def _extra_servers(now: Fleet, later: Fleet, regions: int, prices: PriceBook) -> Amount:
    """Monthly cost of the servers `later` needs beyond `now`, across regions."""
    instance = prices.figures.compute.instance_monthly
    return Amount(
        (later.total(regions, low=True) - now.total(regions, low=True)) * instance.low,
        (later.total(regions, low=False) - now.total(regions, low=False)) * instance.high,
    )


def _fleet_at(s: Scenario, users: int, prices: PriceBook) -> Fleet:
    return fleet(s, traffic(s, prices, users=min(users, MAX_USERS)), prices)


def strategies(
    s: Scenario,
    items: list[LineItem],
    totals: Totals,
    at_ten_x: Callable[[], Totals],
    managed: ManagedTradeOff,
    prices: PriceBook,
    t: Traffic | None = None,
) -> tuple[Strategy, ...]:
    """The five strategies; `at_ten_x` prices the scenario at ten times the users when read; `t`
    is the scenario's traffic when the caller has it already."""
    if t is None:
        t = traffic(s, prices)
    shown = prices.shown  # the advice is worded in the estimate's currency
    now_fleet = fleet(s, t, prices)
    ten_x_users = min(s.users * 10, MAX_USERS)
    headroom = _extra_servers(now_fleet, _fleet_at(s, ten_x_users, prices), s.regions, prices)

    # Worded by partials of module-level functions, not closures: a closure's cells are made on
    # every estimate, read or not (docs/architecture.md, "Performance idioms").
    plan = Strategy(
        "plan_for_10x",
        "Plan for 10x growth",
        "Build for ten times the users you expect.",
        partial(_plan_advice, at_ten_x, totals, headroom, ten_x_users, shown),
    )

    _, final_users = year_two_users(s)
    grown_fleet = _fleet_at(s, final_users, prices)
    steps_saved = _extra_servers(now_fleet, grown_fleet, s.regions, prices)
    gradual = Strategy(
        "scale_gradually",
        "Scale gradually",
        "Add capacity in stages, not all at once.",
        partial(_gradual_advice, s, now_fleet, grown_fleet, final_users, steps_saved, shown),
    )

    monitoring = next(i for i in items if i.item.startswith("Monitoring"))
    llm = [i for i in items if i.category is _LLM_INFERENCE]
    if s.hosting is Hosting.api:
        # The central figure (calls x one request's price), not the p90 end of the line's range.
        monthly_llm = t.llm_requests_per_month * quote(s, prices).price
    else:
        monthly_llm = sum(i.high for i in llm)
    daily_llm = monthly_llm / facts.DAYS_PER_MONTH
    per_user = totals.monthly_all_in.scaled(1 / s.users)
    watch = Strategy(
        "monitor_everything",
        "Monitor everything",
        "Watch costs, performance and user satisfaction.",
        partial(_watch_advice, s, monitoring, daily_llm, per_user, shown),
    )

    hosts_low, hosts_high, gpu_hosts_low, gpu_hosts_high = monitored_hosts(s, t, prices)
    manual = prices.figures.operations.manual_hours_per_host
    automated = prices.figures.operations.automated_hours_per_host
    saved_low = hosts_low * (manual.low - automated.low)
    saved_high = hosts_high * (manual.high - automated.high)
    hosts = (hosts_low, hosts_high, gpu_hosts_low, gpu_hosts_high, saved_low, saved_high)
    automate = Strategy(
        "automate_operations",
        "Automate operations",
        "Less manual work as you grow.",
        partial(_automate_advice, hosts, engineer_hourly(prices), shown),
    )

    choose = Strategy(
        "choose_scalable_technologies",
        "Choose scalable technologies",
        "Pick tools that grow with the business.",
        partial(_choose_advice, s, managed, llm, shown),
    )
    return plan, gradual, watch, automate, choose


def _plan_advice(
    at_ten_x: Callable[[], Totals],
    totals: Totals,
    headroom: Amount,
    ten_x_users: int,
    shown: ShownCurrency,
) -> str:
    later = at_ten_x()
    all_in = later.monthly_all_in
    capacity = (
        f"buying that server capacity up front would add "
        f"{usd_range(headroom.low, headroom.high, shown)}/month, so provision for today and "
        "let "
        f"autoscaling carry the rest."
        if headroom.high > 0
        else "your uptime minimum of servers already covers a 10x peak, so the 10x cost is "
        "LLM calls, storage and people, not servers."
    )
    return (
        f"At {user_count(ten_x_users)} the run-rate would be "
        f"{usd_range(later.monthly.low, later.monthly.high, shown, short=True)}/month (now "
        f"{usd_range(totals.monthly.low, totals.monthly.high, shown, short=True)}), all-in "
        f"{usd_range(all_in.low, all_in.high, shown, short=True)}/month "
        f"with the larger team. Design for it now (stateless servers, queued LLM calls); "
        + capacity
    )


def _gradual_advice(
    s: Scenario,
    now_fleet: Fleet,
    grown_fleet: Fleet,
    final_users: int,
    steps_saved: Amount,
    shown: ShownCurrency,
) -> str:
    now_servers = span(now_fleet.total(s.regions, low=True), now_fleet.total(s.regions, low=False))
    later_servers = span(
        grown_fleet.total(s.regions, low=True), grown_fleet.total(s.regions, low=False)
    )
    start = f"Months 1-12: {now_servers} app servers for {user_count(s.users)}. "
    growth = f"{user_count(final_users)} at {percent(s.monthly_user_growth)}/month growth"
    if steps_saved.high > 0:
        return (
            start + f"Year 2: {later_servers} for {growth}. Adding them as traffic arrives "
            "rather than on day one keeps "
            f"{usd_range(steps_saved.low, steps_saved.high, shown)}"
            f"/month out of the first year."
        )
    return (
        start + f"Year 2: the same servers carry {growth}, so grow the LLM budget and "
        f"support in steps instead."
    )


def _watch_advice(
    s: Scenario, monitoring: LineItem, daily_llm: float, per_user: Amount, shown: ShownCurrency
) -> str:
    return (
        "Monitoring and on-call cost "
        f"{usd_range(monitoring.low, monitoring.high, shown)}/month. "
        "Alert "
        f"when LLM spend passes {usd(daily_llm * 1.5, shown)}/day (1.5x the expected "
        f"{usd(daily_llm, shown)}), when the cache hit rate drops below "
        f"{percent(s.cache_hit_rate)}, "
        "and track all-in cost per user "
        f"({usd_range(per_user.low, per_user.high, shown)}/month), "
        f"p95 latency and support contacts per 1,000 users."
    )


def _automate_advice(hosts: tuple[float, ...], rate: Range, shown: ShownCurrency) -> str:
    hosts_low, hosts_high, gpu_hosts_low, gpu_hosts_high, saved_low, saved_high = hosts
    gpu_hosts = (
        f" (incl. {quantity(gpu_hosts_low, gpu_hosts_high, 'GPU host')})" if gpu_hosts_high else ""
    )
    return (
        f"With {span(hosts_low, hosts_high)} hosts"
        f"{gpu_hosts}, automated deploys, patching and "
        "scaling "
        "save "
        f"{figure_span(saved_low, saved_high, ',.0f')} engineer hours a month "
        f"({usd_range(saved_low * rate.low, saved_high * rate.high, shown)} at "
        f"{usd_range(rate.low, rate.high, shown)}/h), and the saving grows with every host you "
        "add."
    )


def _choose_advice(
    s: Scenario, managed: ManagedTradeOff, llm: list[LineItem], shown: ShownCurrency
) -> str:
    premium, labour = managed.premium, managed.labour
    # The trade-off's arithmetic is the managed-services lever's (savings.py), shown beside it in
    # every front end: said once there, only its verdict here.
    return (
        "Managed database and cache win here: the engineer time they spare outweighs "
        f"their {usd_range(premium.low, premium.high, shown)}/month premium (see Managed "
        "services)."
        if labour.low >= premium.high
        else "Managed database and cache cost about what the "
        f"{figure_span(managed.hours_low, managed.hours_high)} engineer hours they spare are "
        "worth (see Managed services): compare the two before you self-run anything."
    ) + (
        " The LLM is an API: it scales with you at "
        f"{usd_range(*_llm_per_1k(llm, s), shown, short=True)} per "
        f"1,000 users a month."
        if llm and not llm[0].item.startswith("Self-hosted")
        else " Self-hosted GPUs scale in whole cards: reserve the steady base and burst to "
        "on-demand."
    )


def _llm_per_1k(llm: list[LineItem], s: Scenario) -> tuple[float, float]:
    """Low and high, as the LLM line is: its high end alone read as the price per 1,000 users."""
    return sum(i.low for i in llm) / s.users * 1000, sum(i.high for i in llm) / s.users * 1000
