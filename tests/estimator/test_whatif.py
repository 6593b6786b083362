"""What-if changes and the diff the thread follow-ups show."""

from estimator.estimate import estimate
from estimator.scenario import Compliance, build_scenario
from estimator.whatif import ScenarioChange, apply_change, diff_estimates


def test_changing_users_keeps_everything_else():
    s = build_scenario(stage="startup", users=10_000, model="claude-haiku-4-5")
    after = apply_change(s, ScenarioChange(set={"users": 50_000}))
    assert after.users == 50_000
    assert after.model == "claude-haiku-4-5"


def test_changing_stage_rederives_only_the_defaults():
    s = build_scenario(stage="startup", users=10_000)
    after = apply_change(s, ScenarioChange(set={"stage": "enterprise"}))
    assert after.users == 10_000  # chosen by the user, kept
    assert after.regions == 3  # an enterprise default, re-derived
    assert Compliance.soc2 in after.compliance


def test_adding_and_dropping_frameworks():
    s = build_scenario(stage="midsize")
    after = apply_change(
        s,
        ScenarioChange(add_compliance=(Compliance.hipaa,), remove_compliance=(Compliance.soc2,)),
    )
    assert after.compliance == (Compliance.hipaa,)


def test_diff_shows_lines_categories_and_totals_that_moved():
    before = estimate(build_scenario(stage="startup", users=10_000))
    after = estimate(apply_change(before.scenario, ScenarioChange(set={"users": 50_000})))
    diff = diff_estimates(before, after)
    # Records follow users when the user gave none, so they move too.
    assert diff.changed_fields == ["users 10,000 → 50,000", "records 1,000,000 → 5,000,000"]
    moved = {d.item for d in diff.lines}
    assert "LLM tokens (gpt-4o-mini)" in moved
    assert "Security audit" not in moved  # did not change
    llm = next(d for d in diff.lines if d.item.startswith("LLM tokens"))
    assert llm.change.low > 0
    old_month, new_month = diff.totals["monthly"]
    assert new_month.low > old_month.low
    assert {c.category.value for c in diff.categories} >= {"llm_inference", "customer_support"}


def test_adding_hipaa_adds_its_risk_assessment_review_and_security_time():
    before = estimate(build_scenario(stage="startup"))
    after = estimate(apply_change(before.scenario, ScenarioChange(add_compliance=("hipaa",))))
    diff = diff_estimates(before, after)
    added = [d.item for d in diff.lines if d.before is None]
    assert added == [
        "HIPAA risk assessment and controls (no official certification)",
        "HIPAA risk analysis review (yearly)",
        "Security engineers",
    ]
    assert diff.totals["one_time"][1].low > diff.totals["one_time"][0].low
    assert diff.totals["annual"][1].low > diff.totals["annual"][0].low


def test_savings_levers_carry_the_change_that_realises_them():
    e = estimate(build_scenario(stage="startup", users=100_000))
    caching = next(s for s in e.savings if s.lever == "response_caching")
    assert caching.monthly.low > 0
    cached = estimate(apply_change(e.scenario, caching.change))
    assert cached.totals.monthly.low < e.totals.monthly.low
    cheaper = next(s for s in e.savings if s.lever == "cheaper_model")
    assert cheaper.change.set["model"] != e.scenario.model
