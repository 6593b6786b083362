"""The article's five scaling strategies, each made concrete with a figure from this scenario."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from estimator import facts
from estimator.costs import infrastructure
from estimator.costs.infrastructure import fleet
from estimator.lines import Category, LineItem
from estimator.money import count, percent, usd, usd_range, usd_short
from estimator.phases import year_two_users
from estimator.scenario import Scenario
from estimator.totals import Amount, Totals
from estimator.traffic import traffic

_INSTANCE = facts.figure("compute.instance_monthly")
_MANUAL = facts.figure("operations.manual_hours_per_host")
_AUTOMATED = facts.figure("operations.automated_hours_per_host")
_SRE = facts.figure("salary.site_reliability_engineer")
_SELF_RUN_HOURS = facts.figure("operations.self_run_hours_per_service")
_SELF_RUN_PRICE = facts.figure("operations.self_run_price_share")


@dataclass(frozen=True, slots=True)
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


def engineer_hourly() -> Amount:
    """An SRE's cost per hour, from the salary range."""
    return Amount(_SRE.low / facts.WORK_HOURS_PER_YEAR, _SRE.high / facts.WORK_HOURS_PER_YEAR)


def managed_trade_off(items: list[LineItem]) -> tuple[Amount, Amount, float, float]:
    """(managed premium per month, ops labour avoided per month, hours low, hours high) for the
    database and cache, versus running them yourself on plain instances."""
    managed = [
        i
        for i in items
        if (i.category is Category.storage and i.item == "Managed database")
        or i.item.startswith("Response cache")
    ]
    price = Amount(sum(i.low for i in managed), sum(i.high for i in managed))
    premium = Amount(price.low * (1 - _SELF_RUN_PRICE.high), price.high * (1 - _SELF_RUN_PRICE.low))
    hours_low = _SELF_RUN_HOURS.low * len(managed)
    hours_high = _SELF_RUN_HOURS.high * len(managed)
    rate = engineer_hourly()
    labour = Amount(hours_low * rate.low, hours_high * rate.high)
    return premium, labour, hours_low, hours_high


def strategies(
    s: Scenario, items: list[LineItem], totals: Totals, at_ten_x: Callable[[], Totals]
) -> tuple[Strategy, ...]:
    """The five strategies; `at_ten_x` prices the scenario at ten times the users when read."""
    t = traffic(s)
    now_fleet = fleet(s, t)
    ten_x_users = s.users * 10
    # Pre-provisioning 10x today: the servers a 10x peak needs, paid for now.
    ten_x = s.model_copy(update={"users": min(ten_x_users, 10_000_000_000)})
    ten_x_fleet = fleet(ten_x, traffic(ten_x))
    headroom = Amount(
        (ten_x_fleet.total(s.regions, low=True) - now_fleet.total(s.regions, low=True))
        * _INSTANCE.low,
        (ten_x_fleet.total(s.regions, low=False) - now_fleet.total(s.regions, low=False))
        * _INSTANCE.high,
    )
    plan = Strategy(
        "plan_for_10x",
        "Plan for 10x growth",
        "Build for ten times the users you expect.",
        lambda: (
            f"At {count(ten_x_users)} users the run-rate would be "
            f"{usd_range(at_ten_x().monthly.low, at_ten_x().monthly.high, short=True)}/month "
            f"(now {usd_range(totals.monthly.low, totals.monthly.high, short=True)}) and all-in "
            f"{usd_range(at_ten_x().monthly_all_in.low, at_ten_x().monthly_all_in.high, short=True)}"
            f"/month with the larger team. Design for it now (stateless servers, queued LLM calls); "
            f"buying that capacity up front would add {usd_range(headroom.low, headroom.high)}/month "
            f"in servers, so provision for today and let autoscaling carry the rest."
        ),
    )

    avg_users, final_users = year_two_users(s)
    grown = s.model_copy(update={"users": min(final_users, 10_000_000_000)})
    grown_fleet = fleet(grown, traffic(grown))
    steps_saved = Amount(
        (grown_fleet.total(s.regions, low=True) - now_fleet.total(s.regions, low=True))
        * _INSTANCE.low,
        (grown_fleet.total(s.regions, low=False) - now_fleet.total(s.regions, low=False))
        * _INSTANCE.high,
    )
    gradual = Strategy(
        "scale_gradually",
        "Scale gradually",
        "Add capacity in stages, not all at once.",
        lambda: (
            f"Months 1-12: {now_fleet.per_region_low}-{now_fleet.per_region_high} app servers per "
            f"region for {count(s.users)} users. Year 2: "
            f"{grown_fleet.per_region_low}-{grown_fleet.per_region_high} per region for "
            f"{count(final_users)} users at {percent(s.monthly_user_growth)}/month growth. Adding them "
            f"as traffic arrives rather than on day one keeps "
            f"{usd_range(steps_saved.low, steps_saved.high)}/month out of the first year."
        ),
    )

    monitoring = next(i for i in items if i.item.startswith("Monitoring"))
    llm = [i for i in items if i.category is Category.llm_inference]
    daily_llm = sum(i.high for i in llm) / facts.DAYS_PER_MONTH
    per_user = totals.monthly_all_in.scaled(1 / s.users)
    watch = Strategy(
        "monitor_everything",
        "Monitor everything",
        "Watch costs, performance and user satisfaction.",
        lambda: (
            f"Monitoring and on-call cost {usd_range(monitoring.low, monitoring.high)}/month. Alert "
            f"when LLM spend passes {usd(daily_llm * 1.5)}/day (1.5x the expected "
            f"{usd(daily_llm)}), when the cache hit rate drops below {percent(s.cache_hit_rate)}, "
            f"and track all-in cost per user ({usd_range(per_user.low, per_user.high)}/month), "
            f"p95 latency and support contacts per 1,000 users."
        ),
    )

    hosts_low = now_fleet.total(s.regions, low=True) + 1
    hosts_high = now_fleet.total(s.regions, low=False) + 2
    saved_low = hosts_low * (_MANUAL.low - _AUTOMATED.low)
    saved_high = hosts_high * (_MANUAL.high - _AUTOMATED.high)
    rate = engineer_hourly()
    automate = Strategy(
        "automate_operations",
        "Automate operations",
        "Less manual work as you grow.",
        lambda: (
            f"With {hosts_low}-{hosts_high} hosts, automated deploys, patching and scaling save "
            f"{saved_low:,.0f}-{saved_high:,.0f} engineer hours a month "
            f"({usd_range(saved_low * rate.low, saved_high * rate.high)} at "
            f"{usd_range(rate.low, rate.high)}/h), and the saving grows with every host you add."
        ),
    )

    premium, labour, hours_low, hours_high = managed_trade_off(items)
    choose = Strategy(
        "choose_scalable_technologies",
        "Choose scalable technologies",
        "Pick tools that grow with the business.",
        lambda: (
            f"Managed database and cache cost {usd_range(premium.low, premium.high)}/month more than "
            f"running them yourself, and save {hours_low:g}-{hours_high:g} engineer hours "
            f"({usd_range(labour.low, labour.high)}/month). "
            + (
                "Managed wins here."
                if labour.low >= premium.high
                else "Compare the two before you self-run anything."
            )
            + (
                f" The LLM is an API: it scales with you at {usd_short(_llm_per_1k(llm, s))} per "
                f"1,000 users a month."
                if llm and not llm[0].item.startswith("Self-hosted")
                else " Self-hosted GPUs scale in whole cards: reserve the steady base and burst to "
                "on-demand."
            )
        ),
    )
    return plan, gradual, watch, automate, choose


def _llm_per_1k(llm: list[LineItem], s: Scenario) -> float:
    return sum(i.high for i in llm) / s.users * 1000


__all__ = ["Strategy", "engineer_hourly", "infrastructure", "managed_trade_off", "strategies"]
