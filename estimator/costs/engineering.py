"""One-time engineering projects: model optimization, A/B testing, data pipelines."""

from __future__ import annotations

from estimator.costs.article_range import staged_line
from estimator.lines import Cadence, Category, LineItem
from estimator.scenario import Hosting, Scenario


def lines(s: Scenario) -> list[LineItem]:
    optimization_item = (
        "Quantization, batching and serving tuning"
        if s.hosting is Hosting.self_hosted
        else "Prompt, latency and accuracy tuning"
    )
    return [
        staged_line(
            "article.model_optimization",
            s.stage,
            Category.model_optimization,
            optimization_item,
            Cadence.one_time,
        ),
        staged_line(
            "article.ab_testing",
            s.stage,
            Category.ab_testing,
            "Model versions, measurement and rollback",
            Cadence.one_time,
        ),
        staged_line(
            "article.realtime_pipelines",
            s.stage,
            Category.data_pipeline,
            "Real-time data pipelines",
            Cadence.one_time,
        ),
        staged_line(
            "article.data_quality_monitoring",
            s.stage,
            Category.data_pipeline,
            "Data quality monitoring",
            Cadence.one_time,
        ),
    ]
