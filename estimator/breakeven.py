"""Break-even between an API model and self-hosting: the user count above which GPUs cost less.

Written against the public Scenario/estimate() API only, so it holds whatever the GPU sizing or
token pricing inside the estimator becomes. The reading compared is the all-in monthly run-rate
(monthly costs plus annual costs spread over 12), at the midpoint of each estimate's low-high
range; the search bisects over users on a log scale, then over whole users. Stored records
derived from users follow the users searched (unless the user gave a count), so the answer
depends on the scenario without its scale, which is what the Slack tip remembers it by.

The search reads about seventy run-rates. Under the bundled prices each is summed from the
side's lines with only the groups that read users priced again (`breakdown.at_other_users`: the
app tier, regions, inference, storage, team and support; engineering, security and legal are
the side's own), without the levers, phases and strategies a full estimate makes: the same
lines, summed in the same order as `estimate()` sums them, so the same figure to the bit
(tests/estimator/test_breakeven.py holds the two equal over a wide range of scenarios).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from estimator import comparable
from estimator.breakdown import at_other_users, parts
from estimator.comparable import Pairing
from estimator.estimate import estimate, totals_for
from estimator.gpus import GPU
from estimator.open_models import SelfHostingError
from estimator.price_book import BUNDLED_BOOK, PriceBook
from estimator.scenario import MAX_USERS, Hosting, Scenario
from estimator.totals import Amount, sum_lines
from estimator.traffic import traffic

READING = (
    "the midpoint of each side's all-in monthly run-rate (annual costs spread over 12), "
    "searched by bisection over users"
)


@dataclass(frozen=True, slots=True)
class BreakEven:
    """Self-hosting vs an API for one scenario; `users` is None when the lines never cross."""

    scenario: Scenario
    self_hosted: Scenario  # at the scenario's users
    api: Scenario
    users: int | None
    # True when self-hosting is already cheaper at the fewest users searched (1).
    always_cheaper: bool
    # First year of self-hosting minus first year on the API, at the scenario's users.
    first_year_difference: Amount
    # The price book both sides were priced with.
    prices: PriceBook = BUNDLED_BOOK
    # Which pair was compared and why (like with like: estimator/comparable.py).
    pairing: Pairing | None = None

    @property
    def requests_per_second(self) -> float | None:
        """Average requests per second at the break-even user count."""
        if self.users is None:
            return None
        return traffic(self.scenario, self.prices, users=self.users).average_rps

    @property
    def self_hosting_cheaper_now(self) -> bool:
        return monthly_reading(self.self_hosted, self.prices) <= monthly_reading(
            self.api, self.prices
        )

    def to_dict(self) -> dict:
        return {
            "api_model": self.api.model,
            "self_hosted_model": self.self_hosted.model,
            "gpu": self.self_hosted.gpu.value,
            "users": self.users,
            "requests_per_second": (
                round(self.requests_per_second, 3) if self.users is not None else None
            ),
            "always_cheaper": self.always_cheaper,
            "first_year_difference": self.first_year_difference.to_dict(),
            "reading": READING,
            "pair": self.pairing.to_dict() if self.pairing is not None else None,
        }


def monthly_reading(s: Scenario, prices: PriceBook = BUNDLED_BOOK) -> float:
    """The figure compared: midpoint of the all-in monthly run-rate."""
    m = estimate(s, prices, complete=False).totals.monthly_all_in
    return (m.low + m.high) / 2


def reading_at(side: Scenario, prices: PriceBook = BUNDLED_BOOK) -> Callable[[int], float]:
    """`users -> monthly_reading(side at users)`: under the bundled prices from the side's lines
    priced once, repricing only the groups that read users; otherwise a full estimate each."""
    if not prices.bundled:
        return lambda users: monthly_reading(_at(side, users), prices)
    own = parts(side, traffic(side, prices), prices)

    def reading(users: int) -> float:
        v = _at(side, users)
        # As estimate() sums: lines under a cent left out.
        kept = [
            item
            for item in at_other_users(v, own, prices)
            if not (-0.005 < item.low < 0.005 and -0.005 < item.high < 0.005)
        ]
        m = sum_lines(kept, v.prototype_cost).monthly_all_in
        return (m.low + m.high) / 2

    return reading


def pair(s: Scenario, other_model: str | None = None) -> tuple[Scenario, Scenario]:
    """(self-hosted, API) versions of the scenario: its own model on its own side; on the other,
    `other_model` when the user named one, else a model of the same capability class
    (estimator/comparable.py)."""
    self_hosted, api, _ = paired(s, other_model)
    return self_hosted, api


def paired(s: Scenario, other_model: str | None = None) -> tuple[Scenario, Scenario, Pairing]:
    """`pair(s, other_model)` and which pair it is, and why."""
    if s.hosting is Hosting.self_hosted:
        chosen = comparable.for_open(s.model, other_model)
        return s, _variant(s, hosting=Hosting.api, model=chosen.api_model), chosen
    refused: SelfHostingError | None = None
    for chosen in comparable.for_api(s.model, other_model):
        try:
            return _variant(s, hosting=Hosting.self_hosted, model=chosen.open_model), s, chosen
        except SelfHostingError as exc:  # the GPU named cannot hold it: the next of its class
            refused = refused or exc
    assert refused is not None
    raise refused


def pair_at(known: BreakEven, s: Scenario) -> tuple[Scenario, Scenario]:
    """`pair(s)`, from `known`: the break-even of `s` at another user count. Its two sides take
    the users (and the stored records, derived from users unless given) of `s` by copy instead
    of being validated again: the sides differ from their scenario in hosting and model only,
    and pair's validation reads neither (the bounds of `s` hold already;
    tests/estimator/test_breakeven.py checks the two agree)."""
    scale = {"users": s.users, "stored_records": s.stored_records}
    if s.hosting is Hosting.self_hosted:
        return s, known.api.model_copy(update=scale)
    return known.self_hosted.model_copy(update=scale), s


def _variant(s: Scenario, **update: object) -> Scenario:
    """`s` changed by `update`; SelfHostingError (its sentence) when the other side cannot run.
    A self-hosted side on a GPU the user did not choose takes the scenario's GPU, else the first
    offered that holds the model (deepseek-r1 fits no node of H100s but fits H200s)."""
    values = {**s.model_dump(exclude={"given"}), **update}
    given = s.given | set(update)
    gpus = [s.gpu]
    if update.get("hosting") is Hosting.self_hosted and "gpu" not in s.given:
        gpus += [gpu for gpu in GPU if gpu is not s.gpu]
    refused: ValidationError | None = None
    for gpu in gpus:
        try:
            return Scenario(**{**values, "gpu": gpu}, given=given)
        except ValidationError as exc:
            refused = refused or exc
    assert refused is not None
    raise SelfHostingError(_reason(refused)) from refused


def _reason(exc: ValidationError) -> str:
    """The sentence inside a refused scenario (the validator's own), without pydantic's frame."""
    error = exc.errors()[0]
    cause = error.get("ctx", {}).get("error")
    return str(cause) if cause is not None else error["msg"]


def break_even(
    s: Scenario, prices: PriceBook = BUNDLED_BOOK, other_model: str | None = None
) -> BreakEven:
    """Where self-hosting and the API cross for `s`; `other_model` is the model on the side `s`
    is not on (the API model when `s` is self-hosted), when the user named both."""
    self_hosted, api, chosen = paired(s, other_model)
    self_hosted_at, api_at = reading_at(self_hosted, prices), reading_at(api, prices)

    def cheaper_self_hosted(users: int) -> bool:
        return self_hosted_at(users) <= api_at(users)

    # Every line summed, those under a cent too (as the hosting tip sums them from its parts).
    first_year = first_year_difference(
        totals_for(self_hosted, prices).first_year, totals_for(api, prices).first_year
    )
    result = {
        "scenario": s,
        "self_hosted": self_hosted,
        "api": api,
        "prices": prices,
        "pairing": chosen,
    }
    if cheaper_self_hosted(1):
        return BreakEven(**result, users=1, always_cheaper=True, first_year_difference=first_year)
    if not cheaper_self_hosted(MAX_USERS):
        return BreakEven(
            **result, users=None, always_cheaper=False, first_year_difference=first_year
        )
    # Decades first (the costs span ten orders of magnitude), then whole users.
    low_exp, high_exp = 0.0, math.log10(MAX_USERS)
    while high_exp - low_exp > 0.01:
        mid = (low_exp + high_exp) / 2
        if cheaper_self_hosted(round(10**mid)):
            high_exp = mid
        else:
            low_exp = mid
    low, high = round(10**low_exp), round(10**high_exp)
    while high - low > 1:  # invariant: API cheaper at `low`, self-hosting at `high`
        mid = (low + high) // 2
        if cheaper_self_hosted(mid):
            high = mid
        else:
            low = mid
    return BreakEven(**result, users=high, always_cheaper=False, first_year_difference=first_year)


def first_year_difference(self_hosted: Amount, api: Amount) -> Amount:
    """Self-hosting's first year minus the API's, each end against the same end (low against
    low: the same assumptions), ordered low to high: self-hosting's high end may cost less
    than the API's high end while its low end costs more."""
    low, high = self_hosted.low - api.low, self_hosted.high - api.high
    return Amount(min(low, high), max(low, high))


def _at(s: Scenario, users: int) -> Scenario:
    return s.at_users(users)  # stored records derived from users follow them
