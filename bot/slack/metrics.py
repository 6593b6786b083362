"""Prometheus metrics, one registry per bot instance (tests run several in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "aicost_requests",
            "Slack requests handled, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.estimate_seconds = Histogram(
            "aicost_estimate_seconds",
            "Time to compute an estimate",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1),
            registry=self.registry,
        )
        self.chart_seconds = Histogram(
            "aicost_chart_seconds",
            "From asking the chart worker to the chart posted in the thread",
            buckets=(0.25, 0.5, 1, 2, 5, 10, 30),
            registry=self.registry,
        )
        self.errors = Counter(
            "aicost_errors", "Errors while answering, by kind", ["kind"], registry=self.registry
        )
        self.feedback = Counter(
            "aicost_feedback",
            "Feedback buttons clicked under estimates, by verdict (useful, not_useful)",
            ["verdict"],
            registry=self.registry,
        )
        self.redis_errors = Counter(
            "aicost_redis_errors", "Redis calls that failed or timed out", registry=self.registry
        )

        # The durable queue (bot/slack/job_queue.py). Events: enqueued, claimed (taken over from a
        # replica that stopped answering), dead (dead-lettered), deferred (left pending: its token
        # could not be looked up), run_locally (Redis unreachable), step_skipped (a step an
        # earlier delivery had posted).
        self.jobs = Counter(
            "aicost_jobs", "Queued jobs, by event", ["event"], registry=self.registry
        )
        self.queue_pending = Gauge(
            "aicost_queue_pending",
            "Jobs read by some replica and not yet done (all replicas)",
            registry=self.registry,
        )
        self.queue_lag = Gauge(
            "aicost_queue_lag", "Jobs no replica has read yet", registry=self.registry
        )

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
