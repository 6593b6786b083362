"""Break-even between an API model and self-hosting: the user count above which GPUs cost less.

Written against the public Scenario/estimate() API only, so it holds whatever the GPU sizing or
token pricing inside the estimator becomes. The reading compared is the all-in monthly run-rate
(monthly costs plus annual costs spread over 12), at the midpoint of each estimate's low-high
range; the search bisects over users on a log scale, then over whole users. Stored records
derived from users follow the users searched (unless the user gave a count), so the answer
depends on the scenario without its scale, which is what the Slack tip remembers it by.

A full bisection reads two run-rates at each of about 25 points. Under the bundled prices the
search stops bisecting as soon as no step (a GPU replica, a paging seat, a headcount formula's
branch) lies between its bracket's ends: the difference of the two readings is then smooth and
changes sign once, so the answer is found in a few evaluations around it (`crossing`); about
half the points on typed requests. Each run-rate is summed with only the groups that read users
priced again (`breakdown.at_other_users`), the costliest from amounts alone
(`run_rate.run_rate`), without the levers, phases and strategies a full estimate makes: the
same amounts, summed in the same order as `estimate()` sums them, so the same figure to the
bit (tests/estimator/test_breakeven.py), and the same user count as the full search
(tests/estimator/test_breakeven_crossing.py keeps it as the oracle). The search itself reads
the difference without the groups both sides share wherever that is far enough from zero to
have the full difference's sign (`difference_at(signed=True)`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from pydantic import ValidationError

from estimator import comparable
from estimator.breakdown import shared, unscaled
from estimator.comparable import Pairing
from estimator.costs import app_tier, inference, self_hosting, team
from estimator.estimate import estimate, totals_for
from estimator.gpus import GPU
from estimator.lines import Cadence
from estimator.open_models import SelfHostingError
from estimator.price_book import BUNDLED_BOOK, PriceBook
from estimator.run_rate import Points, run_rate, shared_weight, unshared
from estimator.scenario import MAX_USERS, Hosting, Scenario
from estimator.totals import Amount
from estimator.traffic import traffic

_MONTHLY, _ANNUAL = Cadence.monthly, Cadence.annual

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
    own = unscaled(side, prices)
    return lambda users: run_rate(_at(side, users), own, prices)


def difference_at(
    self_hosted: Scenario,
    api: Scenario,
    prices: PriceBook = BUNDLED_BOOK,
    points: Points | None = None,
    *,
    signed: bool = False,
) -> Callable[[int], float]:
    """`users -> ` self-hosting's reading minus the API's, both at `users`. Under the bundled
    prices the groups that read neither hosting nor model are priced once for both sides
    (the same lines: the sides share usage, and so traffic, and stored records). `points`: the
    sides at each count, shared with the search's `_regime`.

    `signed=True` (the search, which reads signs; its guesses read values but not its answer):
    a figure of the full difference's sign, without those shared groups, the app tier, the
    parts of staging and monitoring that read traffic only and the roles of the team every
    hosting has (`run_rate.unshared`). They are the
    same on both sides, so the difference of the rest is the full one but for rounding, which
    moves each full sum (about 50 amounts, two of them split in parts) by less than 60 x 2^-53
    of its absolute amounts: farther from zero than `_MARGIN` of them, it has the full
    difference's sign (what is shared counted at the most users searched, where it is largest:
    `run_rate.shared_weight`). Nearer, the full difference."""
    if not prices.bundled:
        self_hosted_at, api_at = reading_at(self_hosted, prices), reading_at(api, prices)
        return lambda users: self_hosted_at(users) - api_at(users)
    own = (unscaled(self_hosted, prices), unscaled(api, prices))
    sides = points or Points(self_hosted, api, prices)

    def difference(users: int) -> float:
        hosted, served, t, t_served, gpus = sides.at(users)
        common = shared(hosted, t, prices)
        # The app tier's lines that read no hosting, priced once for both sides (the same
        # lines: the sides share usage, so traffic, and uptime and corpus).
        app = app_tier.priced(hosted, t, prices)
        return run_rate(hosted, own[0], prices, common, t, app, gpus) - run_rate(
            served, own[1], prices, common, t_served, app
        )

    if not signed:
        return difference
    most: list[float] = []  # the shared amounts' absolute sum at the most users searched

    def sign(users: int) -> float:
        hosted, served, t, t_served, gpus = sides.at(users)
        if t != t_served:  # not reached: the sides share usage, so traffic
            return difference(users)
        reading, weight = unshared(hosted, own[0], prices, t, gpus)
        other, other_weight = unshared(served, own[1], prices, t_served)
        if not most:
            _, top, _, t_top, _ = sides.at(MAX_USERS)
            most.append(shared_weight(top, t_top, prices))
        if abs(reading - other) > _MARGIN * (weight + other_weight + 2 * most[0]):
            return reading - other
        return difference(users)

    return sign


# How far from zero the difference without the shared groups must be, as a share of the
# absolute amounts of both full sums, to have their difference's sign: 150 times the most that
# rounding ~50 additions can move them.
_MARGIN = 1e-12


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


def pair_at(known: BreakEven | Crossing, s: Scenario) -> tuple[Scenario, Scenario]:
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


@dataclass(frozen=True, slots=True)
class Crossing:
    """Where the two sides of a break-even cross, without the first-year difference at the
    scenario's scale (which the Slack tip works out for each scale from the estimate it made)."""

    self_hosted: Scenario
    api: Scenario
    users: int | None
    always_cheaper: bool
    # Which pair was compared and why (like with like: estimator/comparable.py).
    pairing: Pairing | None = None


def find_crossing(
    s: Scenario, prices: PriceBook = BUNDLED_BOOK, other_model: str | None = None
) -> Crossing:
    """The two sides of `s` (see `pair`) and the user count where they cross."""
    self_hosted, api, chosen = paired(s, other_model)
    points = Points(self_hosted, api, prices)
    users = crossing(
        difference_at(self_hosted, api, prices, points, signed=True),
        _regime(self_hosted, api, prices, points) if prices.bundled else None,
    )
    return Crossing(self_hosted, api, users, always_cheaper=users == 1, pairing=chosen)


def break_even(
    s: Scenario, prices: PriceBook = BUNDLED_BOOK, other_model: str | None = None
) -> BreakEven:
    """Where self-hosting and the API cross for `s`; `other_model` is the model on the side `s`
    is not on (the API model when `s` is self-hosted), when the user named both."""
    found = find_crossing(s, prices, other_model)
    # Every line summed, those under a cent too (as the hosting tip sums them from its parts).
    first_year = first_year_difference(
        totals_for(found.self_hosted, prices).first_year, totals_for(found.api, prices).first_year
    )
    return BreakEven(
        s,
        found.self_hosted,
        found.api,
        found.users,
        always_cheaper=found.always_cheaper,
        first_year_difference=first_year,
        prices=prices,
        pairing=found.pairing,
    )


# Decades a bracket may span before the search asks whether a step lies in it: on typed requests
# a wider one held a step every time (600 of them), and asking costs a regime at each end.
_NARROW = 0.35


def crossing(
    difference: Callable[[int], float], regime: Callable[[int], Hashable] | None = None
) -> int | None:
    """The user count the search reports, from `difference(users)`: self-hosting's reading
    minus the API's. 1 when self-hosting is cheaper already, None when it is not at the most
    users allowed; else a count where it is cheaper and one user fewer is not.

    The search bisects over decades, then over whole users. The lines can cross more than once
    (the GPU fleet's cost is a staircase, the API's a slope: a replica added just past one
    crossing makes self-hosting dearer again), and the bisection reports the crossing it meets,
    so the answer is defined by the points it tries. `regime(users)`, when given, names every
    step the difference takes between two user counts (`_regime`): where it is the same at both
    ends of the bracket, the difference there is a + b x users + c x log10(users), which changes
    sign once at the most, so every point the bisection would still try lies on a known side of
    that one crossing: it is found in a few evaluations around where the two ends' line
    meets zero (`_within`), and is the answer the bisection would give."""
    known: dict[int, float] = {}
    regimes: dict[int, Hashable] = {}

    def at(users: int) -> float:
        if users not in known:
            known[users] = difference(users)
        return known[users]

    def one_step(low: int, high: int) -> bool:
        if regime is None:
            return False
        for users in (low, high):
            if users not in regimes:
                regimes[users] = regime(users)
        return regimes[low] == regimes[high]

    if at(1) <= 0:
        return 1
    if not at(MAX_USERS) <= 0:
        return None

    # Decades first (the costs span ten orders of magnitude), then whole users.
    low_exp, high_exp = 0.0, math.log10(MAX_USERS)
    while high_exp - low_exp > 0.01:
        low, high = round(10**low_exp), round(10**high_exp)
        if high_exp - low_exp < _NARROW and one_step(low, high):
            return _within(at, low, high)
        mid = (low_exp + high_exp) / 2
        if at(round(10**mid)) <= 0:
            high_exp = mid
        else:
            low_exp = mid
    low, high = round(10**low_exp), round(10**high_exp)
    while high - low > 1:  # invariant: API cheaper at `low`, self-hosting at `high`
        if one_step(low, high):
            return _within(at, low, high)
        mid = (low + high) // 2
        if at(mid) <= 0:
            high = mid
        else:
            low = mid
    return high


def _within(at: Callable[[int], float], low: int, high: int) -> int:
    """The one count in (low, high] where the difference turns from above zero to at most zero,
    given that it changes sign once there (`at(low)` above zero, `at(high)` not): regula falsi
    over whole users, each guess where the line through the bracket's ends meets zero (the
    difference is nearly straight over a step, so a guess or two and its neighbour), the end
    kept twice running weighted down (Illinois) so curvature cannot hold one end for long."""
    above, below = at(low), at(high)
    kept = 0  # +1: `low` kept last time, -1: `high`
    for _ in range(12):
        if high - low <= 1:
            return high
        guess = low + math.ceil((high - low) * above / (above - below))
        guess = min(max(guess, low + 1), high - 1)
        value = at(guess)
        if value <= 0:
            high, below = guess, value
            above = above / 2 if kept == 1 else above
            kept = 1
        else:
            low, above = guess, value
            below = below / 2 if kept == -1 else below
            kept = -1
    while high - low > 1:  # not reached on these lines; bisection holds whatever the curve
        mid = (low + high) // 2
        if at(mid) <= 0:
            high = mid
        else:
            low = mid
    return high


def _regime(
    self_hosted: Scenario, api: Scenario, prices: PriceBook, points: Points | None = None
) -> Callable[[int], Hashable]:
    """`users ->` every quantity that moves the difference of the two readings in steps or
    kinks at these users: the GPU fleet's replicas (and with them its hosts), each side's paging
    seats and whether its team holds the on-call rotation without contracted cover, each role's
    branch of its headcount formula (team.growing) and whether the API's prompt-cache writes
    are fewer than its calls. Each only grows with users (False before True), so equal at two
    counts means equal between them; the lines both sides share
    (app servers, storage, support, ...) cancel in the difference and are not read.

    Between steps the rest is linear in users (tokens, GPU and staging costs are constant) or
    in log10(users) (the team): a + b x users + c x log10(users). `points`: the sides the
    difference read at the same counts."""
    read = points or Points(self_hosted, api, prices)

    def regime(users: int) -> Hashable:
        hosted, served, t_hosted, t, gpus = read.at(users)
        fleet = gpus if gpus is not None else self_hosting.fleet(hosted, t_hosted, prices)
        writes = inference.cache_writes(inference.quote(served, prices), t, prices)
        sides = []
        for v in (hosted, served):
            rota = team.rotation(v, prices)
            sides.append((rota.seats, rota.contracted <= 0, team.growing(v, prices)))
        return (
            fleet.replicas_low,
            fleet.replicas_high,
            fleet.region_replicas_low,
            fleet.region_replicas_high,
            writes < t.llm_requests_per_month,
            *sides,
        )

    return regime


def first_year_difference(self_hosted: Amount, api: Amount) -> Amount:
    """Self-hosting's first year minus the API's, each end against the same end (low against
    low: the same assumptions), ordered low to high: self-hosting's high end may cost less
    than the API's high end while its low end costs more."""
    low, high = self_hosted.low - api.low, self_hosted.high - api.high
    return Amount(min(low, high), max(low, high))


def _at(s: Scenario, users: int) -> Scenario:
    return s.at_users(users)  # stored records derived from users follow them
