"""Vector search is priced as retrieval is built: the corpus the assistant retrieves over, stored
once, in the architecture the scenario names (pgvector by default), copied as that one copies."""

from __future__ import annotations

import pytest

from estimator import DOLLARS, build_scenario, estimate


def _item(e, prefix):
    return next(i for i in e.line_items if i.item.startswith(prefix))


def _storage_and_regions(e):
    names = ("Vector search", "Managed database", "Database disk", "Extra regions: data tier")
    return sum(i.high for i in e.line_items if i.item.startswith(names))


def test_a_startup_with_two_billion_records_pays_no_ram_for_them():
    e = estimate(build_scenario(stage="startup", users=100_000, stored_records=2_000_000_000))
    assert not any("in memory" in i.item or "RAM" in i.basis for i in e.line_items)
    # Two billion 2-4 KB rows in PostgreSQL: the largest instance and its disk, not $200k of RAM.
    assert _storage_and_regions(e) < 20_000
    assert e.totals.prototype_multiple.high < 30


def test_ten_million_users_at_five_regions_stays_in_the_thousands_a_month_for_vectors():
    e = estimate(
        build_scenario(
            stage="enterprise",
            users=10_000_000,
            regions=5,
            uptime=99.99,
            compliance=["soc2", "iso27001", "gdpr", "hipaa"],
        )
    )
    vectors = _item(e, "Vector search")
    assert "pgvector" in vectors.item and "corpus documents" in vectors.basis
    assert _storage_and_regions(e) < 60_000  # was $622k-829k a month of RAM


def test_the_corpus_not_the_stored_records_is_embedded():
    few = estimate(build_scenario(stage="midsize", stored_records=1_000_000))
    many = estimate(build_scenario(stage="midsize", stored_records=100_000_000))
    assert _item(few, "Vector search").high == _item(many, "Vector search").high
    assert "embedding" not in _item(many, "Database disk").basis  # not stored twice


def test_a_managed_vector_database_is_priced_per_gb_month_and_per_read():
    base = dict(stage="midsize", users=1_000_000, corpus_documents=2_000_000)
    managed = estimate(build_scenario(**base, vector_store="managed"))
    line = _item(managed, "Vector search")
    assert "$0.33/GB-month" in line.basis and "read units" in line.basis
    busier = estimate(build_scenario(**{**base, "users": 2_000_000}, vector_store="managed"))
    assert _item(busier, "Vector search").low > line.low  # reads follow traffic
    assert line.varies_with_users


def test_object_storage_vectors_cost_less_than_a_managed_database_for_a_cold_corpus():
    base = dict(stage="midsize", users=50_000, corpus_documents=20_000_000)
    cold = _item(estimate(build_scenario(**base, vector_store="object-storage")), "Vector search")
    hot = _item(estimate(build_scenario(**base, vector_store="managed")), "Vector search")
    assert "$0.06/GB-month" in cold.basis
    assert cold.high < hot.low


def test_a_ram_index_is_priced_only_when_asked_and_costs_most():
    base = dict(stage="enterprise", corpus_documents=5_000_000)
    ram = _item(estimate(build_scenario(**base, vector_store="in-memory")), "Vector search")
    pg = _item(estimate(build_scenario(**base)), "Vector search")
    assert "RAM-resident" in ram.basis and ram.low > pg.high


def test_pgvector_sizes_the_database_to_hold_its_index_in_memory():
    small = estimate(build_scenario(stage="startup", corpus_documents=1_000))
    big = estimate(build_scenario(stage="startup", corpus_documents=3_000_000))
    assert _item(big, "Managed database").low > _item(small, "Managed database").low
    assert "pgvector index stays in its" in _item(big, "Managed database").basis


@pytest.mark.parametrize("store", ["pgvector", "managed", "object-storage", "in-memory"])
def test_an_extra_region_copies_what_the_architecture_copies(store):
    one = estimate(build_scenario(stage="midsize", regions=1, vector_store=store))
    two = estimate(build_scenario(stage="midsize", regions=2, vector_store=store))
    data = _item(two, "Extra regions: data tier")
    copy = {
        "pgvector": "pgvector disk",
        "managed": "vector database copy",
        "object-storage": "vector bucket copy",
        "in-memory": "in-memory index copy",
    }[store]
    assert copy in data.basis
    assert _item(two, "Vector search").high == _item(one, "Vector search").high


def test_backups_within_the_provisioned_size_are_free():
    e = estimate(build_scenario(stage="startup"))
    disk = _item(e, "Database disk")
    records_gb_low = e.scenario.stored_records * 2 / 1e6
    assert disk.low == pytest.approx(records_gb_low * 0.115)  # no backup charge at 1x the data
    assert "first 1x free" in disk.basis


def test_the_assumptions_name_the_corpus_and_the_vector_store():
    described = dict(
        (label, value) for label, value, _ in build_scenario(stage="startup").describe(DOLLARS)
    )
    assert described["Retrieval corpus"] == "10,000 documents"
    assert described["Vector search"] == "pgvector in the database"
