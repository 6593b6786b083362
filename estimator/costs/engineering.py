"""One-time engineering projects: model optimization, A/B testing, data pipelines."""

from __future__ import annotations

from estimator.costs.article_range import staged_line
from estimator.lines import Cadence, Category, LineItem
from estimator.price_book import PriceBook
from estimator.scenario import Hosting, Scenario

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_MODEL_OPTIMIZATION = Category.model_optimization
_ONE_TIME = Cadence.one_time
_AB_TESTING = Category.ab_testing
_DATA_PIPELINE = Category.data_pipeline


def lines(s: Scenario, prices: PriceBook) -> list[LineItem]:
    optimization_item = (
        "Quantization, batching and serving tuning"
        if s.hosting is Hosting.self_hosted
        else "Prompt, latency and accuracy tuning"
    )
    return [
        staged_line(
            "article.model_optimization",
            s.stage,
            _MODEL_OPTIMIZATION,
            optimization_item,
            _ONE_TIME,
            prices,
        ),
        staged_line(
            "article.ab_testing",
            s.stage,
            _AB_TESTING,
            "Model versions, measurement and rollback",
            _ONE_TIME,
            prices,
        ),
        staged_line(
            "article.realtime_pipelines",
            s.stage,
            _DATA_PIPELINE,
            "Real-time data pipelines",
            _ONE_TIME,
            prices,
        ),
        staged_line(
            "article.data_quality_monitoring",
            s.stage,
            _DATA_PIPELINE,
            "Data quality monitoring",
            _ONE_TIME,
            prices,
        ),
    ]
