"""Every figure in the data file carries a source and the date it was checked."""

import datetime

from estimator import facts


def _entries(node, path=""):
    if isinstance(node, dict):
        if "source" in node or "low" in node:
            yield path, node
            return
        for key, value in node.items():
            yield from _entries(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _entries(value, f"{path}[{i}]")


def test_every_entry_names_a_known_source_and_a_checked_date():
    data = facts.raw()
    entries = [(p, e) for p, e in _entries(data) if not p.startswith(("sources", "meta"))]
    assert len(entries) > 60
    for path, entry in entries:
        assert entry.get("source") in data["sources"], path
        checked = datetime.date.fromisoformat(entry["checked"])
        assert checked <= datetime.date(2026, 12, 31), path


def test_every_range_is_ordered():
    for path, entry in _entries(facts.raw()):
        if "low" in entry and "high" in entry and path != "compute.requests_per_instance":
            # requests per instance is a capacity: its "high" cost case has fewer requests each
            assert entry["low"] <= entry["high"], path


def test_article_ranges_are_the_articles():
    assert facts.bundled_figure("article.model_optimization").low == 15_000
    assert facts.bundled_figure("article.model_optimization").high == 75_000
    assert facts.bundled_figure("article.compliance_certification").high == 100_000
    assert facts.bundled_figure("salary.ml_engineer").low == 140_000
