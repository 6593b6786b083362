"""Infrastructure: the app tier (`app_tier`: app servers sized from peak load, load balancing,
failover, network, managed Redis, vector search) with the staging environment and monitoring
with autoscaling, which read the hosting too (extra regions are priced in `regions`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

from estimator import facts
from estimator.costs import app_tier, on_call, retrieval, self_hosting, team
from estimator.costs.app_tier import AppTier, Fleet
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import DOLLARS, percent_span, quantity, size_span, span, usd_range
from estimator.price_book import PriceBook
from estimator.scenario import Hosting, Scenario
from estimator.traffic import Traffic

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_INFRASTRUCTURE, _MONTHLY = Category.infrastructure, Cadence.monthly

# The data file's figures these lines are priced with (a price file's entry among them is named
# in the basis of a line it moved).
FIGURES = (
    "compute.instance_monthly",
    "compute.requests_per_instance",
    "compute.staging_share",
    "network.load_balancer_monthly",
    "network.lcu_monthly",
    "network.requests_per_lcu",
    "network.nat_gateway_monthly",
    "network.egress_per_gb",
    "traffic.response_bytes",
    "network.replica_region_share",
    "monitoring.host_monthly",
    "monitoring.log_per_gb",
    "traffic.log_bytes_per_request",
    "monitoring.on_call_seat_monthly",
    *on_call.FIGURES,
    "cache_tiers",
    "cache.nodes_per_million_daily",
    *retrieval.FIGURES,
)
# Sizing, not a price: read once from the bundled file (a price file cannot change it).
_GPUS_PER_HOST = int(facts.bundled_figure("self_hosting.gpus_per_host").low)


@dataclass(frozen=True, slots=True)
class GpuHosting:
    """What a self-hosted fleet adds to staging and monitoring."""

    name: str
    replica_gpus: int
    staging_low: float
    staging_high: float
    hosts_low: int
    hosts_high: int


def _gpu_hosting(
    s: Scenario, t: Traffic, prices: PriceBook, gpus: self_hosting.Fleet | None = None
) -> GpuHosting | None:
    if s.hosting is not Hosting.self_hosted:
        return None
    f = gpus if gpus is not None else self_hosting.fleet(s, t, prices)
    table = getattr(prices.tables.gpu, s.gpu)  # gpu.<name>
    staging = prices.figures.compute.staging_share
    width = f.replica.gpus
    hours = facts.HOURS_PER_MONTH
    return GpuHosting(
        name=s.gpu.value.upper(),
        replica_gpus=width,
        staging_low=width * table["hourly_low"] * hours * staging.low,
        staging_high=width * table["hourly_high"] * hours * staging.high,
        hosts_low=math.ceil(f.total_gpus(low=True) / _GPUS_PER_HOST),
        hosts_high=math.ceil(f.total_gpus(low=False) / _GPUS_PER_HOST),
    )


def monitored_hosts(
    s: Scenario, t: Traffic, prices: PriceBook, gpus: self_hosting.Fleet | None = None
) -> tuple[int, int, int, int]:
    """(hosts low, high, of which GPU hosts low, high): app servers in every region, the
    database/cache hosts, and GPU hosts when self-hosted. The monitoring line and the
    automate-operations strategy count the same hosts."""
    return _hosts(s, app_tier.fleet(s, t, prices), _gpu_hosting(s, t, prices, gpus))


def _hosts(s: Scenario, f: Fleet, gpu: GpuHosting | None) -> tuple[int, int, int, int]:
    gpu_low, gpu_high = (gpu.hosts_low, gpu.hosts_high) if gpu else (0, 0)
    return (
        f.total(s.regions, low=True) + 1 + gpu_low,
        f.total(s.regions, low=False) + 2 + gpu_high,
        gpu_low,
        gpu_high,
    )


def hosts_text(hosts: tuple[int, int, int, int]) -> str:
    """'13-14 hosts (12 app servers; 1-2 data hosts)': what is billed per host, named so it
    matches the app servers (warm standbys among them) the breakdown and strategies count."""
    low, high, gpu_low, gpu_high = hosts
    app = span(low - 1 - gpu_low, high - 2 - gpu_high)
    gpu = f"; {quantity(gpu_low, gpu_high, 'GPU host')}, GPU metrics via DCGM" if gpu_high else ""
    return f"{quantity(low, high, 'host')} ({app} app servers; 1-2 data hosts{gpu})"


def _own(
    s: Scenario,
    t: Traffic,
    prices: PriceBook,
    gpus: self_hosting.Fleet | None,
    app: AppTier | None,
) -> tuple:
    """What `amounts` and `lines` price: the app tier, then the amounts of staging and of
    monitoring (low, high each), then what the wording reads. A plain tuple: made for every
    pricing of the lines, where a dataclass's __init__ costs more than the sums."""
    if app is None or app.reads != app_tier.reads(s, t, prices):
        app = app_tier.priced(s, t, prices)
    staging = prices.figures.compute.staging_share
    host = prices.figures.monitoring.host_monthly
    log_price = prices.figures.monitoring.log_per_gb
    log_bytes = prices.figures.traffic.log_bytes_per_request
    seat = prices.figures.monitoring.on_call_seat_monthly
    gpu = _gpu_hosting(s, t, prices, gpus)
    staging_gpu_low = gpu.staging_low if gpu else 0.0
    staging_gpu_high = gpu.staging_high if gpu else 0.0
    hosts = _hosts(s, app.fleet, gpu)
    log_gb_low = t.requests_per_month * log_bytes.low / 1e9
    log_gb_high = t.requests_per_month * log_bytes.high / 1e9
    rota = team.rotation(s, prices)
    seats = rota.seats
    return (
        app,
        app.compute_low * staging.low + staging_gpu_low,
        app.compute_high * staging.high + staging_gpu_high,
        hosts[0] * host.low + log_gb_low * log_price.low + seats * seat.low,
        hosts[1] * host.high + log_gb_high * log_price.high + seats * seat.high,
        (staging, host, log_price, seat, gpu, hosts, log_gb_low, log_gb_high, rota),
    )


def amounts(
    s: Scenario,
    t: Traffic,
    prices: PriceBook,
    gpus: self_hosting.Fleet | None = None,
    app: AppTier | None = None,
) -> list[tuple[float, float]]:
    """The (low, high) of each of `lines`, in its order (all monthly), without wording a line:
    what the break-even's search sums. `lines` is worded from the same figures."""
    app, staging_low, staging_high, monitoring_low, monitoring_high, _ = _own(
        s, t, prices, gpus, app
    )
    servers, balancing, standby, network, redis = app.amounts
    return [
        servers,
        balancing,
        standby,
        (staging_low, staging_high),
        network,
        redis,
        (monitoring_low, monitoring_high),
        *[(item.low, item.high) for item in app.search],
    ]


def own_amounts(
    s: Scenario, t: Traffic, prices: PriceBook, gpus: self_hosting.Fleet | None = None
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(low, high) of what this hosting of `s` adds to its staging and its monitoring lines:
    a GPU replica's staging; the GPU hosts' monitoring and the paging seats. The rest of those
    lines (the app servers' staging share, the app and database hosts, the logs) and the app
    tier read traffic, uptime and the corpus only, so they are the same for every hosting at
    `t`: a break-even's search, which reads the difference of two sides, skips them
    (estimator/breakeven.py). Not amounts of lines: each is a part of one of `amounts`."""
    host = prices.figures.monitoring.host_monthly
    seat = prices.figures.monitoring.on_call_seat_monthly
    seats = team.rotation(s, prices).seats
    gpu = _gpu_hosting(s, t, prices, gpus)
    if gpu is None:
        return (0.0, 0.0), (seats * seat.low, seats * seat.high)
    return (gpu.staging_low, gpu.staging_high), (
        gpu.hosts_low * host.low + seats * seat.low,
        gpu.hosts_high * host.high + seats * seat.high,
    )


def lines(
    s: Scenario,
    t: Traffic,
    prices: PriceBook,
    gpus: self_hosting.Fleet | None = None,
    app: AppTier | None = None,
) -> list[LineItem]:
    """`gpus`: the self-hosted GPU fleet for `t` when the caller sized it already (the
    inference lines read the same one); `app`: the app tier of `s` on other hosting or with
    other tokens (the other side of a break-even): its lines are these when it read the same
    prices, traffic, uptime and corpus, and are priced again otherwise."""
    app, staging_low, staging_high, monitoring_low, monitoring_high, read = _own(
        s, t, prices, gpus, app
    )
    servers, network = app.lines()
    # Partials of module-level functions, not closures: a closure's cells are made on every call
    # (docs/architecture.md, "Performance idioms").
    return [
        *servers,
        LineItem(
            _INFRASTRUCTURE,
            "Staging environment",
            _MONTHLY,
            staging_low,
            staging_high,
            partial(_staging_basis, app, read),
            VARIES_WITH_USERS,
        ),
        *network,
        LineItem(
            _INFRASTRUCTURE,
            "Monitoring, on-call and autoscaling",
            _MONTHLY,
            monitoring_low,
            monitoring_high,
            partial(_monitoring_basis, read),
            VARIES_WITH_USERS,
        ),
        *app.search,
    ]


def _staging_basis(app: AppTier, read: tuple) -> str:
    staging, gpu = read[0], read[4]
    primary = (
        f"{percent_span(staging.low, staging.high)} of primary servers "
        f"{usd_range(app.compute_low, app.compute_high, DOLLARS)}"
    )
    if gpu is None:
        return primary
    return (
        f"{primary} + one {gpu.replica_gpus}-GPU {gpu.name} replica for "
        f"{percent_span(staging.low, staging.high)} of {facts.HOURS_PER_MONTH} h = "
        f"{usd_range(gpu.staging_low, gpu.staging_high, DOLLARS)}"
    )


def _monitoring_basis(read: tuple) -> str:
    _, host, log_price, seat, _, hosts, log_gb_low, log_gb_high, rota = read
    return (
        f"{hosts_text(hosts)} x "
        f"{usd_range(host.low, host.high, DOLLARS)} + "
        f"{size_span(log_gb_low, log_gb_high)} GB logs x ${log_price.low:g} + "
        f"{rota.seats} "
        f"paging seats ({_who_is_paged(rota)}) x "
        f"{usd_range(seat.low, seat.high, DOLLARS)}; "
        "autoscaling has no fee"
    )


def _who_is_paged(rota: on_call.Rotation) -> str:
    if rota.needed == 0:
        return "one per paged engineer"
    if rota.contracted > 0:
        return f"the 24/7 rotation of {rota.needed}, contracted cover included"
    return f"one per paged engineer, holding the 24/7 rotation of {rota.needed}"
