"""Team: the people production needs, by role, growing smoothly with users and scope.

A role's full-time equivalents (FTE) = its stage base at the stage's reference users + a share of a
person for every tenfold of users beyond it, plus scope (compliance frameworks add security time,
extra regions add SRE time). Fractions are part of a person's time or a contractor, so +3% users
adds about 1% of a person, never a half-person step. Each FTE costs its salary times the fully
loaded factor (payroll taxes, benefits, equipment).
"""

from __future__ import annotations

import math
from functools import lru_cache, partial

from estimator.costs import on_call
from estimator.facts import Range
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import DOLLARS, count, figure_span, percent, quantity, usd_range
from estimator.overrides import SalaryRegion
from estimator.price_book import PriceBook
from estimator.scenario import Hosting, Scenario, Stage

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_TEAM, _ANNUAL = Category.team, Cadence.annual

ROLES = {
    "ml_engineer": "ML engineers",
    "devops_engineer": "DevOps engineers",
    "site_reliability_engineer": "Site reliability engineers",
    "security_engineer": "Security engineers",
    "product_manager": "Product managers",
    "mlops_engineer": "MLOps engineers (GPU fleet)",
}
# The data file's figures these lines are priced with (a price file's entry among them is named
# in the basis of a line it moved).
FIGURES = (
    *(f"salary.{role}" for role in ROLES),
    "team.loaded_cost_factor",
    "headcount_growth.per_tenfold",
    "headcount_growth.onset_users",
    "headcount_growth.scope",
    *(f"headcount.{stage.value}" for stage in Stage),
    *on_call.FIGURES,
)


# Each stage's headcount table by name, made once: a StrEnum's .value is a slow property.
_HEADCOUNT = {stage: f"headcount.{stage.value}" for stage in Stage}


def _role_fte(
    role: str,
    log_users: float,
    frameworks: int,
    regions: int,
    tables: tuple[dict, dict, dict, dict],
) -> float:
    """Full-time equivalents of one role for this scenario (`log_users` = log10 of its MAU;
    `tables`: the stage's headcount, growth per tenfold, onset users and scope)."""
    bases, per_tenfold, onset_users, scope = tables
    base = bases[role]
    growth = per_tenfold[role]
    if base > 0:
        tenfolds = log_users - math.log10(bases["reference_users"])
        fte = max(base * scope["floor_share"], base + growth * tenfolds)
    else:
        fte = growth * max(0.0, log_users - math.log10(onset_users[role]))
    if role == "security_engineer":
        fte += scope["security_per_framework"] * frameworks
    elif role == "site_reliability_engineer":
        fte += scope["sre_per_extra_region"] * (regions - 1)
    return fte


def growing(s: Scenario, prices: PriceBook) -> tuple[bool, ...]:
    """Which branch of `_role_fte` each role is on at the scenario's users: True where it grows
    with log10(users), False where it sits at its floor (or has not started). Within a range of
    users on the same branches, every role's FTE is a + b x log10(users); the break-even's
    search reads this (estimator/breakeven.py)."""
    log_users = math.log10(s.users)
    bases, per_tenfold, onset_users, scope = (
        prices.entry(_HEADCOUNT[s.stage]),
        prices.tables.headcount_growth.per_tenfold,
        prices.tables.headcount_growth.onset_users,
        prices.tables.headcount_growth.scope,
    )
    branches = []
    for role in ROLES:
        base, growth = bases[role], per_tenfold[role]
        if base > 0:
            tenfolds = log_users - math.log10(bases["reference_users"])
            branches.append(base + growth * tenfolds > base * scope["floor_share"])
        else:
            branches.append(log_users > math.log10(onset_users[role]))
    return tuple(branches)


def _role_how(s: Scenario, role: str, prices: PriceBook) -> str:
    """How `_role_fte` reached its figure, in words (written only when a basis is read)."""
    base_table = prices.entry(_HEADCOUNT[s.stage])
    base, reference = base_table[role], base_table["reference_users"]
    growth = prices.tables.headcount_growth.per_tenfold[role]
    scope = prices.tables.headcount_growth.scope
    if base > 0:
        tenfolds = math.log10(s.users / reference)
        how = (
            f"{s.stage.value} base {count(base)} at {count(reference)} MAU "
            f"{'+' if tenfolds >= 0 else '-'} {growth:g} per tenfold of users x "
            f"{abs(tenfolds):.2f} tenfolds to {count(s.users)} MAU"
        )
        if base + growth * tenfolds < base * scope["floor_share"]:
            how += f", floor {percent(scope['floor_share'])} of base"
    else:
        onset = prices.tables.headcount_growth.onset_users[role]
        tenfolds = max(0.0, math.log10(s.users / onset))
        how = f"{growth:g} per tenfold of users past {count(onset)} MAU x {tenfolds:.2f} tenfolds"
    if role == "security_engineer" and s.compliance:
        frameworks = quantity(len(s.compliance), len(s.compliance), "framework")
        how += f" + {scope['security_per_framework']:g} x {frameworks}"
    if role == "site_reliability_engineer" and s.regions > 1:
        extra = quantity(s.regions - 1, s.regions - 1, "extra region")
        how += f" + {scope['sre_per_extra_region']:g} x {extra}"
    return how


def headcount(s: Scenario, prices: PriceBook) -> dict[str, float]:
    """FTE per role that production needs (roles at zero are left out)."""
    # Read by the app tier's paging seats and by the team's lines: worked out once for both.
    return dict(
        _headcount(
            s.stage, s.users, s.hosting is Hosting.self_hosted, len(s.compliance), s.regions, prices
        )
    )


@lru_cache(maxsize=64)
def _headcount(
    stage: Stage,
    users: int,
    self_hosted: bool,
    frameworks: int,
    regions: int,
    prices: PriceBook,
) -> dict[str, float]:
    people = {}
    log_users = math.log10(users)
    tables = (
        prices.entry(_HEADCOUNT[stage]),
        prices.tables.headcount_growth.per_tenfold,
        prices.tables.headcount_growth.onset_users,
        prices.tables.headcount_growth.scope,
    )
    for role in ROLES:
        if role == "mlops_engineer" and not self_hosted:
            continue
        fte = _role_fte(role, log_users, frameworks, regions, tables)
        if fte > 0:
            people[role] = fte
    return people


def rotation(s: Scenario, prices: PriceBook) -> on_call.Rotation:
    """The on-call rotation the team of `headcount` holds at the scenario's uptime. Read by the
    app tier's paging seats, the team's cover line and the break-even's search: made once for
    them all (a Rotation is frozen)."""
    return _rotation(
        s.uptime,
        s.stage,
        s.users,
        s.hosting is Hosting.self_hosted,
        len(s.compliance),
        s.regions,
        prices,
    )


# As many as `_headcount` keeps: an estimate reads its few rotations within a few lookups of
# making them, and each one kept is two objects every full garbage collection walks.
@lru_cache(maxsize=64)
def _rotation(
    uptime: float,
    stage: Stage,
    users: int,
    self_hosted: bool,
    frameworks: int,
    regions: int,
    prices: PriceBook,
) -> on_call.Rotation:
    people = _headcount(stage, users, self_hosted, frameworks, regions, prices)
    return on_call.rotation_at(uptime, prices, people)  # reads `people`, never changes it


def lines(s: Scenario, prices: PriceBook) -> list[LineItem]:
    people = headcount(s, prices)
    roles = [_role_line(s, role, fte, prices) for role, fte in people.items()]
    return [*roles, *on_call.lines(s, prices, people, rotation(s, prices))]


def amounts(s: Scenario, prices: PriceBook) -> list[tuple[float, float]]:
    """The (low, high) of each of `lines`, in its order (all annual), without wording a line:
    what the break-even's search sums. `lines` is priced by the same functions."""
    people = _headcount(
        s.stage, s.users, s.hosting is Hosting.self_hosted, len(s.compliance), s.regions, prices
    )
    found = [_role_amount(role, fte, prices)[:2] for role, fte in people.items()]
    cover = on_call.cover(prices, rotation(s, prices))
    if cover is not None:
        found.append(cover[:2])
    return found


def own_amounts(s: Scenario, prices: PriceBook) -> list[tuple[float, float]]:
    """The (low, high) of the lines of `amounts` this hosting of `s` has as its own: the MLOps
    engineers a self-hosted fleet needs, and the contracted on-call cover (the rotation reads the
    whole team). Every other role reads the stage, users, compliance and regions alone, the same
    line for every hosting: a break-even's search, which reads the difference of two sides,
    skips them (estimator/run_rate.py)."""
    found = []
    if s.hosting is Hosting.self_hosted:
        people = _headcount(s.stage, s.users, True, len(s.compliance), s.regions, prices)
        fte = people.get("mlops_engineer")
        if fte is not None:
            found.append(_role_amount("mlops_engineer", fte, prices)[:2])
    cover = on_call.cover(prices, rotation(s, prices))
    if cover is not None:
        found.append(cover[:2])
    return found


def _said(name: str, prices: PriceBook) -> str:
    """' (UK, regions.toml)' or ' (workspace settings)' when own prices set the figure."""
    where = prices.origin(name)
    if where == "bundled":
        return ""
    regional = where in {region.value for region in SalaryRegion}
    return f" ({where}, regions.toml)" if regional else f" ({where})"


def _role_amount(role: str, people: float, prices: PriceBook) -> tuple[float, float, Range, Range]:
    """(low, high, salary, loaded cost factor) of a role's line."""
    salary = getattr(prices.figures.salary, role)  # salary.<role>
    loaded = prices.figures.team.loaded_cost_factor
    return people * salary.low * loaded.low, people * salary.high * loaded.high, salary, loaded


def _role_line(s: Scenario, role: str, people: float, prices: PriceBook) -> LineItem:
    low, high, salary, loaded = _role_amount(role, people, prices)
    # A partial of a module-level function, not a closure: a closure's cells are made on every
    # call, about ten tracked objects a line (docs/architecture.md, "Performance idioms").
    return LineItem(
        _TEAM,
        ROLES[role],
        _ANNUAL,
        low,
        high,
        partial(_role_basis, s, role, people, prices, salary, loaded),
        VARIES_WITH_USERS,
    )


def _role_basis(
    s: Scenario, role: str, people: float, prices: PriceBook, salary: Range, loaded: Range
) -> str:
    return (
        f"{people:.2f} FTE ({_role_how(s, role, prices)}) x "
        f"{usd_range(salary.low, salary.high, DOLLARS)} "
        f"salary{_said(f'salary.{role}', prices)} x "
        f"{figure_span(loaded.low, loaded.high)} fully loaded"
        f"{_said('team.loaded_cost_factor', prices)} "
        "(payroll taxes, benefits, equipment)"
    )
