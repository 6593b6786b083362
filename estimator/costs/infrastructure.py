"""Infrastructure: app servers sized from peak load, load balancing, failover, staging, network,
managed Redis, and monitoring with autoscaling (extra regions are priced in `regions`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from estimator import facts
from estimator.costs import self_hosting
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import count, percent, percent_span, quantity, usd, usd_range
from estimator.scenario import Hosting, Scenario
from estimator.traffic import Traffic, peak_basis

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_INFRASTRUCTURE, _MONTHLY = Category.infrastructure, Cadence.monthly

_INSTANCE = facts.live("compute.instance_monthly")
_CAPACITY = facts.live("compute.requests_per_instance")
_STAGING = facts.live("compute.staging_share")
_LB = facts.live("network.load_balancer_monthly")
_LCU = facts.live("network.lcu_monthly")
_PER_LCU = facts.live("network.requests_per_lcu")
_NAT = facts.live("network.nat_gateway_monthly")
_EGRESS = facts.live("network.egress_per_gb")
_RESPONSE_BYTES = facts.live("traffic.response_bytes")
_REPLICA_SHARE = facts.live("network.replica_region_share")
_GPUS_PER_HOST = int(facts.figure("self_hosting.gpus_per_host").low)
_HOST = facts.live("monitoring.host_monthly")
_LOG_GB = facts.live("monitoring.log_per_gb")
_LOG_BYTES = facts.live("traffic.log_bytes_per_request")
_SEAT = facts.live("monitoring.on_call_seat_monthly")
_SEATS = facts.live_entry("monitoring.on_call_seats")
_CACHE_TIERS = facts.live_entry("cache_tiers")
_CACHE_NODES_PER_M = facts.live("cache.nodes_per_million_daily")


@dataclass(frozen=True, slots=True)
class UptimePolicy:
    min_instances: int
    standby_share: float
    multi_az_database: bool


_POLICIES = {
    float(target): UptimePolicy(
        min_instances=int(table["min_instances"]),
        standby_share=float(table["standby_share"]),
        multi_az_database=bool(table["multi_az_database"]),
    )
    for target, table in facts.raw()["uptime"].items()
}


def uptime_policy(s: Scenario) -> UptimePolicy:
    return _POLICIES[s.uptime]


# Not frozen, like Amount (totals.py): made several times an estimate; never assigned to.
@dataclass(slots=True, unsafe_hash=True)
class Fleet:
    """App instances at peak. The primary region can carry all traffic; each extra region runs a
    replica sized for a share of it. Low: the cheaper instance, more requests each."""

    primary_low: int
    primary_high: int
    replica_low: int
    replica_high: int

    def primary(self, *, low: bool) -> int:
        return self.primary_low if low else self.primary_high

    def total(self, regions: int, *, low: bool) -> int:
        if low:
            return self.primary_low + (regions - 1) * self.replica_low
        return self.primary_high + (regions - 1) * self.replica_high


def fleet(s: Scenario, t: Traffic) -> Fleet:
    return fleet_at(s, t.peak_rps_low, t.peak_rps_high)


def fleet_at(s: Scenario, peak_low: float, peak_high: float) -> Fleet:
    """The fleet for these peak loads (req/s), e.g. the average load when autoscaled."""
    minimum = _POLICIES[s.uptime].min_instances
    capacity_low, capacity_high = _CAPACITY.low, _CAPACITY.high
    # Each count is at least the uptime minimum (written out: this runs 13 times an answer).
    primary_low = max(minimum, math.ceil(peak_low / capacity_low))
    primary_high = max(minimum, math.ceil(peak_high / capacity_high))
    replica_low = max(minimum, math.ceil(peak_low * _REPLICA_SHARE.low / capacity_low))
    replica_high = max(minimum, math.ceil(peak_high * _REPLICA_SHARE.high / capacity_high))
    return Fleet(primary_low, primary_high, replica_low, replica_high)


def redis_nodes(s: Scenario, t: Traffic) -> tuple[str, int, float, float]:
    """(node type, copies, monthly low, monthly high) for managed Redis, by daily requests."""
    copies = 2 if s.uptime >= 99.9 else 1
    tier = facts.tier_for(_CACHE_TIERS, "max_requests_per_day", t.requests_per_day)
    # Past the largest fixed tier, add nodes with volume (one entry per request kept a day).
    beyond = max(0.0, t.requests_per_day - _CACHE_TIERS[-2]["max_requests_per_day"]) / 1e6
    low = tier["low"] * copies + beyond * _CACHE_NODES_PER_M.low * _CACHE_TIERS[-1]["low"]
    high = tier["high"] * copies + beyond * _CACHE_NODES_PER_M.high * _CACHE_TIERS[-1]["high"]
    return tier["node"], copies, low, high


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
    s: Scenario, t: Traffic, gpus: self_hosting.Fleet | None = None
) -> GpuHosting | None:
    if s.hosting is not Hosting.self_hosted:
        return None
    f = gpus if gpus is not None else self_hosting.fleet(s, t)
    table = facts.entry(f"gpu.{s.gpu.value}")
    width = f.replica.gpus
    hours = facts.HOURS_PER_MONTH
    return GpuHosting(
        name=s.gpu.value.upper(),
        replica_gpus=width,
        staging_low=width * table["hourly_low"] * hours * _STAGING.low,
        staging_high=width * table["hourly_high"] * hours * _STAGING.high,
        hosts_low=math.ceil(f.total_gpus(low=True) / _GPUS_PER_HOST),
        hosts_high=math.ceil(f.total_gpus(low=False) / _GPUS_PER_HOST),
    )


def gpu_hosts_text(low: int, high: int) -> str:
    if not high:
        return ""
    return f" (incl. {quantity(low, high, 'GPU host')}, GPU metrics via DCGM)"


def lines(s: Scenario, t: Traffic, gpus: self_hosting.Fleet | None = None) -> list[LineItem]:
    """`gpus`: the self-hosted GPU fleet for `t` when the caller sized it already (the
    inference lines read the same one)."""
    policy = uptime_policy(s)
    f = fleet(s, t)
    compute_low = f.primary_low * _INSTANCE.low
    compute_high = f.primary_high * _INSTANCE.high
    lcus_low = max(1, math.ceil(t.peak_rps_low / _PER_LCU.low))
    lcus_high = max(1, math.ceil(t.peak_rps_high / _PER_LCU.high))
    lb_low = _LB.low + lcus_low * _LCU.low
    lb_high = _LB.high + lcus_high * _LCU.high
    items = [
        LineItem(
            _INFRASTRUCTURE,
            "App servers, primary region",
            _MONTHLY,
            compute_low,
            compute_high,
            lambda: (
                f"{peak_basis(t)} at {_CAPACITY.high:g}-{_CAPACITY.low:g} req/s per server, "
                f"min {policy.min_instances} for {s.uptime:g}% → "
                f"{quantity(f.primary_low, f.primary_high, 'server')} x "
                f"{usd_range(_INSTANCE.low, _INSTANCE.high)}/month"
            ),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Load balancing",
            _MONTHLY,
            lb_low,
            lb_high,
            lambda: (
                f"1 load balancer {usd(_LB.low)}/month + "
                f"{quantity(lcus_low, lcus_high, 'capacity unit')} x {usd(_LCU.low)}"
            ),
            VARIES_WITH_USERS,
        ),
    ]
    standby_low = policy.standby_share * compute_low
    standby_high = policy.standby_share * compute_high
    items.append(
        LineItem(
            _INFRASTRUCTURE,
            "Failover standby capacity",
            _MONTHLY,
            standby_low,
            standby_high,
            lambda: (
                f"{percent(policy.standby_share)} of primary servers kept warm for {s.uptime:g}% "
                f"uptime = {usd_range(standby_low, standby_high)} (backups under Storage)"
            ),
            VARIES_WITH_USERS,
        )
    )
    gpu = _gpu_hosting(s, t, gpus)
    staging_gpu_low = gpu.staging_low if gpu else 0.0
    staging_gpu_high = gpu.staging_high if gpu else 0.0

    def staging_basis() -> str:
        servers = (
            f"{percent_span(_STAGING.low, _STAGING.high)} of primary servers "
            f"{usd_range(compute_low, compute_high)}"
        )
        if gpu is None:
            return servers
        return (
            f"{servers} + one {gpu.replica_gpus}-GPU {gpu.name} replica for "
            f"{percent_span(_STAGING.low, _STAGING.high)} of {facts.HOURS_PER_MONTH} h = "
            f"{usd_range(staging_gpu_low, staging_gpu_high)}"
        )

    items.append(
        LineItem(
            _INFRASTRUCTURE,
            "Staging environment",
            _MONTHLY,
            compute_low * _STAGING.low + staging_gpu_low,
            compute_high * _STAGING.high + staging_gpu_high,
            staging_basis,
            VARIES_WITH_USERS,
        )
    )
    egress_gb = t.requests_per_month * _RESPONSE_BYTES.low / 1e9
    items.append(
        LineItem(
            _INFRASTRUCTURE,
            "Network egress and NAT",
            _MONTHLY,
            _NAT.low + egress_gb * _EGRESS.low,
            _NAT.high + egress_gb * _EGRESS.high,
            lambda: (
                f"NAT gateway {usd(_NAT.low)} + {count(round(t.requests_per_month))} req x "
                f"{_RESPONSE_BYTES.low / 1000:g} KB = {egress_gb:,.1f} GB x ${_EGRESS.low:g}/GB"
            ),
            VARIES_WITH_USERS,
        )
    )
    node, copies, redis_low, redis_high = redis_nodes(s, t)
    items.append(
        LineItem(
            _INFRASTRUCTURE,
            "Managed Redis (response cache, sessions, rate limits)",
            _MONTHLY,
            redis_low,
            redis_high,
            lambda: (
                f"{count(round(t.requests_per_day))} req/day → {node}"
                f"{' x 2 (replica)' if copies == 2 else ''} = {usd_range(redis_low, redis_high)}"
            ),
            VARIES_WITH_USERS,
        )
    )
    # App servers in every region, plus the database/cache hosts, plus GPU hosts when self-hosted.
    gpu_hosts_low = gpu.hosts_low if gpu else 0
    gpu_hosts_high = gpu.hosts_high if gpu else 0
    hosts_low = f.total(s.regions, low=True) + 1 + gpu_hosts_low
    hosts_high = f.total(s.regions, low=False) + 2 + gpu_hosts_high
    log_gb_low = t.requests_per_month * _LOG_BYTES.low / 1e9
    log_gb_high = t.requests_per_month * _LOG_BYTES.high / 1e9
    seats = int(_SEATS[s.stage])  # a StrEnum finds its value's key (.value is a slow property)
    items.append(
        LineItem(
            _INFRASTRUCTURE,
            "Monitoring, on-call and autoscaling",
            _MONTHLY,
            hosts_low * _HOST.low + log_gb_low * _LOG_GB.low + seats * _SEAT.low,
            hosts_high * _HOST.high + log_gb_high * _LOG_GB.high + seats * _SEAT.high,
            lambda: (
                f"{quantity(hosts_low, hosts_high, 'host')}"
                f"{gpu_hosts_text(gpu_hosts_low, gpu_hosts_high)} x "
                f"{usd_range(_HOST.low, _HOST.high)} + "
                f"{log_gb_low:,.1f}-{log_gb_high:,.1f} GB logs x ${_LOG_GB.low:g} + {seats} "
                f"on-call seats x {usd_range(_SEAT.low, _SEAT.high)}; autoscaling has no fee"
            ),
            VARIES_WITH_USERS,
        )
    )
    return items
