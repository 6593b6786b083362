"""LLM inference: tokens priced through genai-prices; self-hosted GPU fleets in self_hosting."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

from estimator import facts
from estimator.costs import self_hosting
from estimator.facts import Range
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import DOLLARS, count, figure_span, percent, usd
from estimator.price_book import PriceBook
from estimator.price_months import MONTHS_PRICED, PricePeriod, periods
from estimator.prompt_cache import PromptCache, prompt_cache
from estimator.reasoning import Reasoning, reasoning
from estimator.scenario import Hosting, Scenario
from estimator.token_prices import TokenPrices, price_changes
from estimator.traffic import Traffic, requests_basis
from estimator.uncertainty import REASONING_GIVEN, Band, band, given_mask, not_given

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_LLM_INFERENCE, _MONTHLY = Category.llm_inference, Cadence.monthly

# The data file's figures these lines are priced with (a price file's entry among them is named
# in the basis of a line it moved).
FIGURES = ("traffic.llm_overhead", "prompt_cache.lifetime_minutes")
_MINUTES_PER_MONTH = facts.DAYS_PER_MONTH * 24 * 60


# Not frozen, like LineItem (lines.py): one is made for every request priced, thousands in a
# break-even search, and a frozen dataclass sets each field through object.__setattr__
# (docs/architecture.md, "Performance idioms"). Nothing assigns to one once made.
@dataclass(slots=True, unsafe_hash=True)
class RequestQuote:
    """One request priced by genai-prices, and the p10-p90 band of the usage around it."""

    price: float  # USD for one request: the average over the twelve months priced
    cache: PromptCache
    band: Band
    reasoning: Reasoning
    # The months priced alike (`price_months.periods`' own tuple, shared by every quote of the
    # model and month) and one request's price in each (one period: no price change). Two flat
    # tuples, not a pair per period: a quote is kept in the cache below, each object with it.
    periods: tuple[PricePeriod, ...]
    month_prices: tuple[float, ...]
    # USD a cache write costs above a cache read of the same prefix (0 where writes are free).
    write_premium: float
    # The token prices the basis words, looked up when the request is priced, not when the
    # basis is read (a refreshed snapshot must not change the words of an amount already made):
    # the first month's per-Mtok rates and where they came from, and each change of price within
    # the year (the dates it falls between, the rates before and after).
    first_rates: TokenPrices
    rates_source: str
    rate_changes: tuple[tuple[tuple[dt.date, ...], TokenPrices, TokenPrices], ...]


@lru_cache(maxsize=4096)
def _quote(
    model: str,
    share: float,
    input_tokens: int,
    output_tokens: int,
    daily: float,
    requests: float,
    given: int,  # the usage figures given (`given_mask`): all the quote reads of `s.given`
    prices: PriceBook,  # its discounts or own model prices change the price
    start: dt.date,
    effort: str | None,
    reasoning_tokens: int | None,
) -> RequestQuote:
    thinking = reasoning(model, effort, reasoning_tokens)
    unsure = not_given(given, thinking.unsure and not given & REASONING_GIVEN)
    year = periods(model, start)

    def at(first: dt.date, input_tokens: int, billed_out: int, written: bool = False) -> float:
        # Reasoning tokens are billed as output tokens.
        cached = prompt_cache(model, input_tokens, share).cached_tokens
        if written:
            return prices.request_price(model, input_tokens, 0, billed_out, first, cached)
        return prices.request_price(model, input_tokens, cached, billed_out, first)

    averages: dict[tuple[int, int], float] = {}
    # Most years have one price: its one period, read without a generator (the same float: a
    # sum of one term is that term).
    only = year[0] if len(year) == 1 else None

    def price(input_tokens: int, output_tokens: int, thought: int) -> float:
        # Each month at the price in force that month: the year's average request. The band asks
        # for the central request once for each token count it varies: averaged once.
        billed_out = output_tokens + thought
        found = averages.get((input_tokens, billed_out))
        if found is None:
            if only is not None:
                total = only.months * at(only.first, input_tokens, billed_out)
            else:
                total = _year_total(year, at, input_tokens, billed_out)
            found = averages[input_tokens, billed_out] = total / MONTHS_PRICED
        return found

    central = price(input_tokens, output_tokens, thinking.tokens)
    scale = {"daily_active_share": daily, "requests_per_active_user_per_day": requests}

    def cost_at(name: str, value: float) -> float:
        # Per call of the central scenario: calls scale with daily share and requests.
        if name in scale:
            return central * value / scale[name]
        if name == "input_tokens":
            return price(int(value), output_tokens, thinking.tokens)
        if name == "reasoning_tokens":
            return price(input_tokens, output_tokens, int(value))
        return price(input_tokens, int(value), thinking.tokens)

    values = {
        **scale,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "reasoning_tokens": thinking.tokens,
    }
    cache = prompt_cache(model, input_tokens, share)
    billed_out = output_tokens + thinking.tokens
    central_at_own = central  # the year's average request, reading its cached prefix
    premium = 0.0
    if cache.writes_charged:
        # Charged where a request writing the prefix costs more than one reading none of it.
        written = sum(p.months * at(p.first, input_tokens, billed_out, True) for p in year)
        plain = sum(
            p.months * prices.request_price(model, input_tokens, 0, billed_out, p.first)
            for p in year
        )
        if written > plain:
            premium = (written / MONTHS_PRICED) - central_at_own

    if only is not None:
        month_prices: tuple[float, ...] = (at(only.first, input_tokens, billed_out),)
    else:
        month_prices = tuple(at(p.first, input_tokens, billed_out) for p in year)
    first, source = prices.token_prices(model, start)
    changes = _price_changes(model, year, month_prices, prices) if only is None else ()
    return RequestQuote(
        central,
        cache,
        band(unsure, values, cost_at, prices, {"reasoning_tokens": (thinking.low, thinking.high)}),
        thinking,
        year,
        month_prices,
        premium,
        first,
        source,
        changes,
    )


def _year_total(
    year: tuple[PricePeriod, ...],
    at: Callable[[dt.date, int, int], float],
    input_tokens: int,
    billed_out: int,
) -> float:
    """A request's price summed over the months of a year with price changes. Apart from the
    quote's `price`, whose every call would otherwise make this generator's cells."""
    return sum(p.months * at(p.first, input_tokens, billed_out) for p in year)


def _price_changes(
    model: str, year: tuple[PricePeriod, ...], month_prices: tuple[float, ...], prices: PriceBook
) -> tuple[tuple[tuple[dt.date, ...], TokenPrices, TokenPrices], ...]:
    """Where genai-prices' data changes the price within the year: for each period after the
    first, the change dates since the one before and the rates either side (none when the year
    has one price)."""
    if len({round(price, 12) for price in month_prices}) < 2:
        return ()
    changes = []
    for previous, period in itertools.pairwise(year):
        on = tuple(d for d in price_changes(model) if previous.first < d <= period.first)
        before, _ = prices.token_prices(model, _day_before(period.first))
        after, _ = prices.token_prices(model, period.first)
        changes.append((on, before, after))
    return tuple(changes)


def quote(
    s: Scenario, prices: PriceBook, model: str | None = None, share: float | None = None
) -> RequestQuote:
    """The scenario's request on `model` (default its own) with `share` of input prompt-cached."""
    return _quote(
        model or s.model,
        s.prompt_cache_share if share is None else share,
        s.input_tokens,
        s.output_tokens,
        s.daily_active_share,
        s.requests_per_active_user_per_day,
        given_mask(s.given),
        prices,
        s.start_month,
        s.reasoning_effort,
        s.reasoning_tokens,
    )


def token_cost(
    s: Scenario,
    t: Traffic,
    prices: PriceBook,
    model: str | None = None,
    prompt_cache_share: float | None = None,
) -> tuple[float, float]:
    """Monthly USD (low, high) of the LLM calls in `t`: calls x one request's price, within the
    p10-p90 band of the usage the user did not give, x the retry/eval overhead."""
    return _cost(quote(s, prices, model, prompt_cache_share), t, prices)


def cache_writes(q: RequestQuote, t: Traffic, prices: PriceBook) -> float:
    """Prefix writes a month where the provider charges them: one per cache lifetime while
    traffic keeps the prefix warm, at most one per call."""
    if not q.write_premium:
        return 0.0
    lifetime = prices.figures.prompt_cache.lifetime_minutes.low
    return min(t.llm_requests_per_month, _MINUTES_PER_MONTH / lifetime)


def _cost(q: RequestQuote, t: Traffic, prices: PriceBook) -> tuple[float, float]:
    overhead = prices.figures.traffic.llm_overhead
    central = t.llm_requests_per_month * q.price + cache_writes(q, t, prices) * q.write_premium
    return central * q.band.down * overhead.low, central * q.band.up * overhead.high


def gpu_cost(s: Scenario, t: Traffic, prices: PriceBook) -> tuple[float, float]:
    """Monthly USD (low, high) of the self-hosted GPU fleet for the calls in `t`."""
    return self_hosting.gpu_cost(s, t, prices)


def monthly_cost(s: Scenario, t: Traffic, prices: PriceBook) -> tuple[float, float]:
    """Monthly USD (low, high) of inference as hosted: tokens on an API, or GPUs."""
    if s.hosting is Hosting.self_hosted:
        return gpu_cost(s, t, prices)
    return token_cost(s, t, prices)


def _tier_note(s: Scenario, q: RequestQuote, prices: TokenPrices) -> str:
    """Said when the request costs more than its base-tier rates: a long-context tier applies."""
    cached = q.cache.cached_tokens
    base = (
        (s.input_tokens - cached) * prices.input
        + cached * prices.cached_input
        + (s.output_tokens + q.reasoning.tokens) * prices.output
    ) / 1_000_000
    if q.month_prices[0] > base * 1.0001:
        return (
            f"; this request's input passes {s.model}'s long-context threshold, so its higher "
            "tier applies to the whole request"
        )
    return ""


def _changes_note(q: RequestQuote) -> str:
    """Where genai-prices' data changes the price within the year: each change with its date and
    rates, and the months priced at each."""
    if not q.rate_changes:
        return ""
    changes = [
        f"genai-prices' data changes the price on {on[-1].isoformat()}: "
        f"{before.per_mtok()} → {after.per_mtok()}"
        for on, before, after in q.rate_changes
    ]
    priced = ", ".join(
        f"{p.words()} at ${price:.6g}" for p, price in zip(q.periods, q.month_prices, strict=True)
    )
    return f"; {'; '.join(changes)}; each month at its own price: {priced} per request, averaged"


def _thought(q: RequestQuote, words: str) -> str:
    """'; 1,500 reasoning tokens (...), billed as output', or what was set and why it is 0."""
    if not words:
        return ""
    return f"; {words}, billed as output" if q.reasoning.tokens else f"; {words}"


def _day_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=1)


def _writes_note(s: Scenario, q: RequestQuote, writes: float, prices: PriceBook) -> str:
    """The cache-write premium, with what was assumed about the cache's lifetime."""
    if not writes:
        return ""
    lifetime = prices.figures.prompt_cache.lifetime_minutes.low
    return (
        f" + cache writes: the {count(q.cache.cached_tokens)}-token shared prefix written once "
        f"per {lifetime:g}-minute cache lifetime = {count(round(writes))} writes x "
        f"${q.write_premium:.6g} above a cache read = "
        f"{usd(writes * q.write_premium, DOLLARS)}/month"
    )


def amounts(
    s: Scenario, t: Traffic, prices: PriceBook, gpus: self_hosting.Fleet | None = None
) -> list[tuple[float, float]]:
    """The (low, high) of each of `lines`, in its order (all monthly), without wording a line:
    what the break-even's search sums."""
    if s.hosting is Hosting.self_hosted:
        return self_hosting.amounts(s, t, prices, gpus)
    return [_cost(quote(s, prices), t, prices)]


def lines(
    s: Scenario, t: Traffic, prices: PriceBook, gpus: self_hosting.Fleet | None = None
) -> list[LineItem]:
    """`gpus`: the self-hosted GPU fleet for `t` when the caller sized it already."""
    if s.hosting is Hosting.self_hosted:
        return self_hosting.lines(s, t, prices, gpus)
    q = quote(s, prices)
    low, high = _cost(q, t, prices)  # token_cost, with the request quoted once
    overhead = prices.figures.traffic.llm_overhead
    return [
        LineItem(
            _LLM_INFERENCE,
            f"LLM tokens ({s.model})",
            _MONTHLY,
            low,
            high,
            # A partial of a module-level function, not a closure: a closure's cells are made
            # on every call (docs/architecture.md, "Performance idioms").
            partial(_api_basis, s, t, prices, q, overhead),
            VARIES_WITH_USERS,
        )
    ]


def _api_basis(s: Scenario, t: Traffic, prices: PriceBook, q: RequestQuote, overhead: Range) -> str:
    """Worded when read (most lines made are never shown), from what the line was priced with:
    the quote carries its token prices; the writes are arithmetic on the line's figures."""
    calls = t.llm_requests_per_month
    rates, where = q.first_rates, q.rates_source
    thought = q.reasoning.words(s.model)
    writes = cache_writes(q, t, prices)
    return (
        f"{requests_basis(s, t)}, {percent(s.cache_hit_rate)} from response cache → "
        f"{count(round(calls))} LLM calls x ${q.price:.6g} per request ("
        f"{count(s.input_tokens)} in, {q.cache.basis(s.model)}; {count(s.output_tokens)} out"
        f"{_thought(q, thought)};"
        f" {where} {rates.per_mtok()} in/cached/out from "
        f"{s.start_month.strftime('%b %Y')}{_tier_note(s, q, rates)}"
        f"{_changes_note(q)}) = {usd(calls * q.price, DOLLARS)}/month"
        f"{_writes_note(s, q, writes, prices)}; "
        f"{q.band.words()}; x {figure_span(overhead.low, overhead.high)} for retries and evals"
    )
