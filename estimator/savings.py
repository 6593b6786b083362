"""Savings levers in $/month for this scenario, each tied to the what-if that would realise it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

from estimator import facts
from estimator.changes import ScenarioChange
from estimator.costs import app_tier, inference
from estimator.facts import Range
from estimator.money import ShownCurrency, count, figure_span, percent, percent_span, usd_range
from estimator.operations import ManagedTradeOff
from estimator.price_book import PriceBook
from estimator.prompt_cache import minimum_prefix
from estimator.reasoning import can_reason
from estimator.reasoning import of as reasoning_of
from estimator.scenario import Hosting, Scenario
from estimator.token_prices import TokenPrices, token_prices
from estimator.totals import Amount
from estimator.traffic import Traffic, traffic

# The models the cheaper-model lever compares: a list, not a price (read from the bundled file).
_CANDIDATES: list[str] = facts.bundled_entry("levers.cheaper_models")["candidates"]
_CLASSES = [
    (row["name"], re.compile(row["pattern"]))
    for row in facts.bundled_entry("levers.capability_classes")
]


@lru_cache(maxsize=1024)  # read for every candidate of every estimate's cheaper-model lever
def capability_class(model: str) -> str | None:
    """'small', 'mid' or 'frontier' by the model's id, or None when no pattern matches."""
    ref = model.strip().lower()
    return next((name for name, pattern in _CLASSES if pattern.search(ref)), None)


# Not frozen, like LineItem (lines.py): a frozen dataclass sets each field through
# object.__setattr__ (docs/architecture.md, "Performance idioms"). Nothing assigns to one once made.
@dataclass(slots=True, unsafe_hash=True)
class Saving:
    lever: str
    name: str
    monthly: Amount
    # Worded only when read (see Strategy.explain).
    explain: Callable[[], str]
    change: ScenarioChange | None = None

    @property
    def detail(self) -> str:
        return self.explain()

    def to_dict(self) -> dict:
        return {
            "lever": self.lever,
            "name": self.name,
            "monthly_low": round(self.monthly.low, 2),
            "monthly_high": round(self.monthly.high, 2),
            "detail": self.detail,
            "change": self.change.to_dict() if self.change else None,
        }


def _inference_monthly(s: Scenario, prices: PriceBook, cache_hit_rate: float) -> Amount:
    """Monthly cost of the lines a response cache moves: every hit is an LLM call not made.
    (App servers still answer hits, so their sizing does not change.)"""
    t = traffic(s, prices, cache_hit_rate=cache_hit_rate)
    return Amount(*inference.monthly_cost(s, t, prices))


def response_caching(s: Scenario, prices: PriceBook, t: Traffic | None = None) -> Saving:
    shown = prices.shown  # the texts are worded in the estimate's currency
    hit_target = prices.figures.levers.response_cache_hit_target
    article_caching = prices.figures.article.caching_saving
    now = Amount(*inference.monthly_cost(s, t or traffic(s, prices), prices))
    if s.cache_hit_rate >= hit_target.high:
        return Saving(
            "response_caching",
            "Response caching",
            Amount(0, 0),
            # Partials of module-level functions, not closures: a closure's cells are made on
            # every call (docs/architecture.md, "Performance idioms").
            partial(_cached_already, s.cache_hit_rate),
        )
    at_low = _inference_monthly(s, prices, max(s.cache_hit_rate, hit_target.low))
    at_high = _inference_monthly(s, prices, hit_target.high)
    saving = Amount(max(0.0, now.low - at_low.low), max(0.0, now.high - at_high.high))
    if s.hosting is Hosting.self_hosted and not saving.high:
        # "saves $0/month on LLM calls" under "nothing to save here" told no reason.
        return Saving(
            "response_caching",
            "Response caching",
            saving,
            partial(_caching_frees_no_gpu, s.cache_hit_rate, hit_target),
            ScenarioChange(set={"cache_hit_rate": hit_target.low}),
        )
    return Saving(
        "response_caching",
        "Response caching",
        saving,
        partial(_caching_saves, s.cache_hit_rate, hit_target, article_caching, saving, shown),
        ScenarioChange(set={"cache_hit_rate": hit_target.low}),
    )


def prompt_caching(s: Scenario, prices: PriceBook, t: Traffic | None = None) -> Saving:
    shown = prices.shown  # the texts are worded in the estimate's currency
    if s.hosting is Hosting.self_hosted:
        return Saving(
            "prompt_caching",
            "Prompt caching",
            Amount(0, 0),
            _self_hosted_prefix_caching,
        )
    rates = token_prices(s.model)
    if rates.cached_input >= rates.input:
        return Saving(
            "prompt_caching",
            "Prompt caching",
            Amount(0, 0),
            partial(_cached_at_full_price, s.model),
        )
    minimum = minimum_prefix(s.model)
    prompt_target = prices.figures.levers.prompt_cache_share_target
    # The minimum applies to the cached prefix: even the lever's largest share must reach it.
    largest = round(s.input_tokens * max(s.prompt_cache_share, prompt_target.high))
    if minimum is not None and largest < minimum:
        return Saving(
            "prompt_caching",
            "Prompt caching",
            Amount(0, 0),
            partial(_prefix_too_short, s, minimum, largest, rates),
        )
    t = t or traffic(s, prices)
    now = inference.token_cost(s, t, prices)
    low_target = max(s.prompt_cache_share, prompt_target.low)
    high_target = max(s.prompt_cache_share, prompt_target.high)
    at_low = inference.token_cost(s, t, prices, prompt_cache_share=low_target)
    at_high = inference.token_cost(s, t, prices, prompt_cache_share=high_target)
    saving = Amount(max(0.0, now[0] - at_low[0]), max(0.0, now[1] - at_high[1]))
    return Saving(
        "prompt_caching",
        "Prompt caching",
        saving,
        partial(_prompt_caching_saves, s, prompt_target, rates, saving, shown),
        ScenarioChange(set={"prompt_cache_share": low_target}),
    )


def _self_hosted_prefix_caching() -> str:
    return "Self-hosted: prefix caching in the serving engine saves GPU time, not a price line."


def _cached_at_full_price(model: str) -> str:
    return (
        f"{model} bills cached input at the full input price, so prompt caching saves nothing here."
    )


def _prefix_too_short(s: Scenario, minimum: int, largest: int, rates: TokenPrices) -> str:
    return (
        f"{s.model} caches only prompt prefixes of {count(minimum)} tokens or more; "
        f"even {percent(largest / s.input_tokens)} of your {count(s.input_tokens)}-token "
        f"requests is {count(largest)} tokens, below it, so nothing is cached. "
        f"A stable prefix (system prompt, tools, shared context) of {count(minimum)}+ "
        f"tokens would unlock ${rates.cached_input:g} instead of ${rates.input:g} "
        "per Mtok on that part of the input."
    )


def _prompt_caching_saves(
    s: Scenario, prompt_target: Range, rates: TokenPrices, saving: Amount, shown: ShownCurrency
) -> str:
    return (
        f"Keeping a stable prompt prefix so "
        f"{percent_span(prompt_target.low, prompt_target.high)} of input is read from "
        f"{s.model}'s prompt cache "
        f"(${rates.cached_input:g} instead of ${rates.input:g} per Mtok; now "
        f"{percent(s.prompt_cache_share)}) saves "
        f"{usd_range(saving.low, saving.high, shown)}/month."
    )


def _cached_already(hit_rate: float) -> str:
    return (
        f"Your {percent(hit_rate)} hit rate is already at the top of the 40-60% "
        "that "
        f"FAQ-heavy bots reach."
    )


def _caching_frees_no_gpu(hit_rate: float, hit_target: Range) -> str:
    return (
        f"Self-hosted: raising the response-cache hit rate from "
        f"{percent(hit_rate)} to "
        f"{percent_span(hit_target.low, hit_target.high)} makes fewer LLM calls, but "
        "the GPU fleet is already at its smallest (its minimum of replicas, spare "
        "included), so no GPU is freed; caching pays once traffic needs more replicas."
    )


def _caching_saves(
    hit_rate: float, hit_target: Range, article_caching: Range, saving: Amount, shown: ShownCurrency
) -> str:
    return (
        f"Raising the response-cache hit rate from {percent(hit_rate)} to "
        f"{percent_span(hit_target.low, hit_target.high)} (FAQ-heavy traffic; the article "
        f"credits caching with {percent_span(article_caching.low, article_caching.high)} "
        f"less compute) saves {usd_range(saving.low, saving.high, shown)}/month on LLM calls. "
        f"General chat tends to reach 20-30%."
    )


def managed_services(managed: ManagedTradeOff, shown: ShownCurrency) -> Saving:
    net = managed.net
    return Saving(
        "managed_services",
        "Managed services",
        Amount(max(0.0, net.low), max(0.0, net.high)),
        partial(_managed_detail, managed, shown),
    )


def _managed_detail(managed: ManagedTradeOff, shown: ShownCurrency) -> str:
    premium, labour = managed.premium, managed.labour
    return (
        f"Managed database and cache cost {usd_range(premium.low, premium.high, shown)}/month "
        "more "
        f"than self-run, and spare {figure_span(managed.hours_low, managed.hours_high)} engineer "
        f"hours ({usd_range(labour.low, labour.high, shown)}/month): "
        + _managed_verdict(managed.net, shown)
    )


def _managed_verdict(net: Amount, shown: ShownCurrency) -> str:
    if net.low >= 0:
        return f"net {usd_range(net.low, net.high, shown)}/month in managed services' favour."
    if net.high <= 0:
        return (
            "at this size self-running would save "
            f"{usd_range(-net.high, -net.low, shown)}/month, "
            f"if you have the people to run it."
        )
    return "close to even: it depends on how much your engineers' time is worth here."


def cheaper_model(s: Scenario, prices: PriceBook, t: Traffic | None = None) -> Saving:
    shown = prices.shown  # the texts are worded in the estimate's currency
    t = t or traffic(s, prices)
    if s.hosting is Hosting.self_hosted:
        current = Amount(*inference.gpu_cost(s, t, prices))
    else:
        current = Amount(*inference.token_cost(s, t, prices))
    best_model, best = None, current
    tier = capability_class(s.model)
    thinking = reasoning_of(s)
    reasons = thinking.tokens > 0
    # Candidates reason at the same effort as this model (or the same tokens, when given).
    alike = s.varied({"reasoning_effort": thinking.effort}) if reasons else s
    for model in _CANDIDATES:
        window = token_prices(model).context_window
        if model == s.model or (window and s.input_tokens + s.output_tokens > window):
            continue  # a model whose context window cannot take these requests is no option
        if capability_class(model) != tier or (reasons and not can_reason(model)):
            continue  # only a model of the same class, that reasons if this one does
        cost = Amount(*inference.token_cost(alike, t, prices, model))
        if cost.high < best.high:
            best_model, best = model, cost
    if best_model is None:
        return Saving(
            "cheaper_model",
            "Cheaper model",
            Amount(0, 0),
            partial(_cheapest_already, s.model, tier, reasons),
        )
    # The two bands may differ (a candidate's reasoning tokens are its own assumption): the
    # saving spans the differences at either end.
    saving = Amount(*sorted((current.low - best.low, current.high - best.high)))
    return Saving(
        "cheaper_model",
        "Cheaper model",
        Amount(max(0.0, saving.low), max(0.0, saving.high)),
        partial(_cheaper_detail, best_model, tier, reasons, (best, current, saving), shown),
        ScenarioChange(set={"model": best_model, "hosting": "api"}),
    )


def _cheapest_already(model: str, tier: str | None, reasons: bool) -> str:
    return (
        f"{model} is already the cheapest of the models of its class "
        f"({tier or 'not on file'}) compared for this traffic"
        f"{', counting reasoning tokens' if reasons else ''}."
    )


def _cheaper_detail(
    best_model: str,
    tier: str | None,
    reasons: bool,
    amounts: tuple[Amount, Amount, Amount],
    shown: ShownCurrency,
) -> str:
    best, current, saving = amounts
    return (
        f"The same traffic on {best_model}, of the same {tier} class "
        f"({token_prices(best_model).per_mtok()}"
        f"{', with its reasoning tokens' if reasons else ''}) costs "
        f"{usd_range(best.low, best.high, shown)}/month instead of "
        f"{usd_range(current.low, current.high, shown)}"
        f": {usd_range(saving.low, saving.high, shown)}/month less, if its quality holds on "
        "your "
        "evals."
    )


def autoscaling(s: Scenario, prices: PriceBook, t: Traffic | None = None) -> Saving:
    shown = prices.shown  # the texts are worded in the estimate's currency
    t = t or traffic(s, prices)
    instance = prices.figures.compute.instance_monthly
    peak = app_tier.fleet(s, t, prices)
    # Autoscaled, the fleet follows the day's load: priced here at the average, not the peak.
    average = app_tier.fleet_at(s, t.average_rps, t.average_rps, prices)
    saved_low = (
        peak.total(s.regions, low=True) - average.total(s.regions, low=True)
    ) * instance.low
    saved_high = (
        peak.total(s.regions, low=False) - average.total(s.regions, low=False)
    ) * instance.high
    saved = Amount(saved_low, saved_high)
    return Saving(
        "autoscaling", "Autoscaling", saved, partial(_autoscaling_detail, t, saved, shown)
    )


def _autoscaling_detail(t: Traffic, saved: Amount, shown: ShownCurrency) -> str:
    if saved.high <= 0:
        return (
            f"At {t.peak_rps_high:,.1f} req/s peak your fleet sits at its uptime minimum all "
            f"day; autoscaling starts paying once peak traffic needs more servers than that."
        )
    return (
        f"Sized for peak ({figure_span(t.peak_rps_low, t.peak_rps_high, ',.1f')} req/s) "
        "all day you pay "
        f"for servers that idle off-peak; scaling down to the {t.average_rps:,.1f} req/s "
        f"average saves {usd_range(saved.low, saved.high, shown)}/month."
    )


def reserved_gpus(s: Scenario, t: Traffic, prices: PriceBook) -> Saving:
    shown = prices.shown
    """Self-hosted: the primary region's GPUs, on all day, on a reserved contract. Priced at the
    workspace's reserved rate where it set one, else costs.toml's 30-50% off on-demand."""
    low, high = inference.gpu_cost(s, t, prices)
    own = prices.gpu_hourly(s.gpu)
    gpu = s.gpu.value.upper()
    if own is not None and own[1] < own[0]:
        on_demand, reserved, origin = own
        share = 1 - reserved / on_demand
        saved = Amount(low * share, high * share)

        def how() -> str:
            return f"at your reserved ${reserved:g}/h against ${on_demand:g}/h on demand ({origin})"
    else:
        off = prices.figures.gpu.reserved_saving
        saved = Amount(low * off.low, high * off.high)

        def how() -> str:
            return (
                f"at the {percent_span(off.low, off.high)} off on-demand that one- to "
                "three-year commitments get"
            )

    return Saving(
        "reserved_gpus",
        "Reserved GPUs",
        saved,
        lambda: (
            f"The primary region's {gpu} fleet ({usd_range(low, high, shown)}/month on demand) "
            "reserved "
            f"{how()} saves {usd_range(saved.low, saved.high, shown)}/month; a reservation is paid "
            "whether the traffic comes or not, so reserve the base load and leave peaks on demand."
        ),
    )


def savings(
    s: Scenario, managed: ManagedTradeOff, prices: PriceBook, t: Traffic | None = None
) -> tuple[Saving, ...]:
    """The five levers, and reserved GPUs when self-hosted; `t` is the scenario's own traffic
    when the caller has it already."""
    t = t or traffic(s, prices)
    levers = (
        response_caching(s, prices, t),
        prompt_caching(s, prices, t),
        managed_services(managed, prices.shown),
        cheaper_model(s, prices, t),
        autoscaling(s, prices, t),
    )
    if s.hosting is Hosting.self_hosted:
        return (*levers, reserved_gpus(s, t, prices))
    return levers
