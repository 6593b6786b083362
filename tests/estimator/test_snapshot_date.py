"""The token price snapshot is named with its date, not only its version, wherever it is named
(the assumptions, `aicost prices`, /healthz all read `snapshot_note`)."""

import estimator
from estimator import facts


def test_the_token_price_snapshot_is_named_with_its_date_not_only_its_version():
    recorded = facts.bundled_entry("token_snapshot")
    note = estimator.snapshot_note()
    assert recorded["version"] in note and f"read {recorded['read']}" in note


def test_an_estimates_assumptions_carry_the_snapshot_date():
    e = estimator.estimate(estimator.build_scenario(stage="startup"))
    read = facts.bundled_entry("token_snapshot")["read"]
    assert any(read in note for note in e.price_notes)
