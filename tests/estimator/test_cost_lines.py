"""The cost lines beyond token prices: self-hosting, team, compliance, regions, storage, support."""

import pytest

from estimator import facts
from estimator.costs import self_hosting
from estimator.estimate import estimate
from estimator.money import DOLLARS
from estimator.open_models import SelfHostingError, weights
from estimator.overrides import PriceOverrides
from estimator.price_book import BUNDLED_BOOK, price_book
from estimator.scenario import GPU, MAX_USERS, Precision, ScenarioError, build_scenario
from estimator.traffic import traffic

LLAMA_8B = "@cf/meta/llama-3.1-8b-instruct"
LLAMA_70B = "databricks-meta-llama-3-3-70b-instruct"


def _lines(e, category):
    return [i for i in e.line_items if i.category == category]


@pytest.mark.parametrize("model", ["gpt-4o", "claude-haiku-4-5", "gemini-2.5-flash"])
def test_closed_weight_models_cannot_be_self_hosted_and_open_ones_are_named(model):
    with pytest.raises(ScenarioError) as refused:
        build_scenario(hosting="self-hosted", gpu="h100", model=model)
    message = str(refused.value)
    assert "closed weights" in message and "gpt-oss-120b" in message
    assert "\n" not in message


def test_self_hosting_without_a_model_picks_an_open_one():
    s = build_scenario(hosting="self-hosted", gpu="h100")
    assert s.model == facts.bundled_entry("self_hosting.default_model")["model"] == "llama3.1-8b"
    assert weights(s.model).params_b == 8.03  # its card, in estimator/data/open_models.toml


@pytest.mark.parametrize(
    ("model", "gpu", "replica_gpus", "precision"),
    [
        (LLAMA_8B, GPU.h100, 1, "BF16"),
        (LLAMA_8B, GPU.l4, 2, "BF16"),
        (LLAMA_70B, GPU.h100, 4, "BF16"),  # 140 GB of weights + KV cache
        (LLAMA_70B, GPU.h200, 2, "BF16"),
        ("meta-llama/llama-3.1-405b-instruct", GPU.h100, 8, "FP8"),
        ("deepseek-v3.2", GPU.h200, 8, "FP8"),
    ],
)
def test_gpus_per_replica_hold_the_weights_plus_kv_cache(model, gpu, replica_gpus, precision):
    r = self_hosting.replica(model, gpu)
    assert (r.gpus, r.precision) == (replica_gpus, precision)
    assert r.weights_gb <= 0.65 * r.memory_gb


def test_a_model_too_big_for_a_gpu_type_is_refused_naming_gpus_that_fit():
    with pytest.raises(SelfHostingError) as refused:
        self_hosting.replica("meta-llama/llama-3.1-405b-instruct", GPU.l4)
    assert "H100, H200, A100" in str(refused.value)
    with pytest.raises(ScenarioError, match="it fits on H200"):
        build_scenario(hosting="self-hosted", gpu="h100", model="deepseek-v3.2")


def test_mixture_of_experts_is_sized_by_total_for_memory_and_active_for_speed():
    # 117B total, 5.1B active; compared at one precision
    moe = self_hosting.replica("gpt-oss-120b", GPU.h100, Precision.bf16, chosen=True)
    dense = self_hosting.replica(LLAMA_70B, GPU.h100)
    assert moe.weights_gb > dense.weights_gb / 1.3
    assert moe.per_gpu_low > 4 * dense.per_gpu_low


def test_gpt_oss_is_sized_at_the_4_bit_mxfp4_its_weights_ship_in():
    released = self_hosting.replica("gpt-oss-120b", GPU.h100)
    in_bf16 = self_hosting.replica("gpt-oss-120b", GPU.h100, Precision.bf16, chosen=True)
    assert released.precision == "MXFP4"
    assert 55 < released.weights_gb < 70  # the card's ~63 GB checkpoint, not 234 GB of BF16
    assert released.gpus < in_bf16.gpus
    assert self_hosting.replica("gpt-oss-120b", GPU.h200).gpus == 1


def test_bigger_models_need_more_gpus_for_the_same_traffic():
    def gpus(model):
        s = build_scenario(users=200_000, hosting="self-hosted", gpu="h100", model=model)
        f = self_hosting.fleet(s, traffic(s, BUNDLED_BOOK), BUNDLED_BOOK)
        return f.total_gpus(low=True), f.total_gpus(low=False)

    small, large = gpus(LLAMA_8B), gpus(LLAMA_70B)
    assert large[0] > small[0] and large[1] > small[1]


def test_self_hosting_brings_mlops_engineers_gpu_hosts_and_regional_gpus():
    e = estimate(
        build_scenario(users=500_000, hosting="self-hosted", gpu="h100", regions=2, model=LLAMA_70B)
    )
    items = {i.item: i for i in e.line_items}
    assert "MLOps engineers (GPU fleet)" in items
    assert "Self-hosted GPUs (H100), extra regions" in items
    assert "GPU host" in items["Monitoring, on-call and autoscaling"].basis
    assert "4-GPU H100 replica" in items["Staging environment"].basis
    assert "4 x H100 (320 GB) per replica" in items["Self-hosted GPUs (H100), primary region"].basis


def test_salaries_are_fully_loaded_and_say_so():
    e = estimate(build_scenario(stage="startup"))
    ml = next(i for i in e.line_items if i.item == "ML engineers")
    assert "x 1.25-1.4 fully loaded" in ml.basis
    assert ml.low == pytest.approx(1.0 * 140_000 * 1.25)


def _people(e):
    return sum(float(i.basis.split(" FTE")[0]) for i in _lines(e, "team"))


def test_an_enterprise_at_scale_staffs_8_to_15_people_with_every_role_the_article_lists():
    e = estimate(build_scenario(stage="enterprise", users=2_000_000))
    roles = {i.item for i in _lines(e, "team")}
    assert {"Site reliability engineers", "Security engineers", "Product managers"} <= roles
    assert 8 <= _people(e) <= 15
    assert any("support agent" in i.basis for i in _lines(e, "customer_support"))


def test_a_large_startup_keeps_hiring_past_the_old_cap():
    ten_million = estimate(build_scenario(stage="startup", users=10_000_000))
    ml = next(i for i in ten_million.line_items if i.item == "ML engineers")
    assert float(ml.basis.split(" FTE")[0]) > 3
    assert {"Site reliability engineers", "Product managers"} <= {
        i.item for i in _lines(ten_million, "team")
    }


def test_certifications_recur_in_year_two_and_are_named_for_what_they_are():
    plain = estimate(build_scenario(stage="midsize", compliance=[]))
    certified = estimate(build_scenario(stage="midsize", compliance=["soc2", "iso27001"]))
    items = {i.item: i for i in certified.line_items}
    assert items["SOC 2 Type II re-audit (yearly)"].cadence == "annual"
    assert items["ISO 27001 surveillance audit (yearly)"].cadence == "annual"
    assert certified.phases[2].spend.low > plain.phases[2].spend.low
    gdpr = estimate(build_scenario(stage="midsize", compliance=["gdpr", "hipaa"]))
    names = {i.item for i in gdpr.line_items}
    assert "GDPR data protection officer time (yearly)" in names
    assert "HIPAA risk assessment and controls (no official certification)" in names
    assert not any("certification" in n and "no official" not in n for n in names if "GDPR" in n)


def test_each_extra_region_copies_the_data_tier_and_pays_for_replication():
    one = estimate(build_scenario(stage="midsize", regions=1))
    three = estimate(build_scenario(stage="midsize", regions=3))
    items = {i.item: i for i in three.line_items}
    data = items["Extra regions: data tier replicas"]
    assert "database replica" in data.basis and "pgvector disk" in data.basis
    assert "cache copy" in data.basis
    assert "$0.02/GB" in items["Cross-region replication traffic"].basis
    assert three.totals.monthly.low > one.totals.monthly.low


def test_storage_grows_with_users_when_no_record_count_is_given():
    def storage(users):
        e = estimate(build_scenario(stage="midsize", users=users))
        return sum(i.low for i in _lines(e, "storage"))

    # The database steps up instance tiers and its disk grows with records; the vector corpus
    # does not follow users (tests/estimator/test_retrieval.py).
    assert storage(5_000_000) > 3 * storage(50_000)
    e = estimate(build_scenario(stage="midsize", users=50_000))
    transcripts = next(i for i in e.line_items if i.item.startswith("Transcripts"))
    assert "kept 6-12 months" in transcripts.basis


def test_support_at_the_articles_enterprise_scale_sits_near_its_3_to_12k_a_month():
    e = estimate(build_scenario(stage="enterprise"))
    support = (
        sum(i.low for i in _lines(e, "customer_support")),
        sum(i.high for i in _lines(e, "customer_support")),
    )
    assert support[0] >= 3_000 and support[1] <= 14_000
    contacts = next(i for i in e.line_items if i.item.startswith("Support contacts"))
    assert "chat $3–5" in contacts.basis and "phone $8–12" in contacts.basis


def test_a_chosen_precision_sizes_the_replica_and_a_too_large_one_is_refused():
    fp8 = build_scenario(hosting="self-hosted", gpu="h100", model=LLAMA_70B, precision="fp8")
    r = self_hosting.fleet(fp8, traffic(fp8, BUNDLED_BOOK), BUNDLED_BOOK).replica
    assert (r.precision, r.gpus) == ("FP8", 2)
    assert "FP8 weights" in dict((k, v) for k, v, _ in fp8.describe(DOLLARS))["Hosting"]
    with pytest.raises(ScenarioError, match="in BF16: it fits in fp8 or on H100, H200, A100"):
        build_scenario(hosting="self-hosted", gpu="l4", model=LLAMA_70B, precision="bf16")


def test_a_staged_lines_basis_is_in_usd_whatever_currency_its_estimate_is_shown_in():
    # The line is made once per price book and words its basis once, in USD like every basis,
    # so an estimate shown in euros still has arithmetic that checks against the data file.
    from estimator.costs.article_range import staged_line
    from estimator.lines import Cadence, Category
    from estimator.scenario import Stage

    euros = price_book(PriceOverrides(currency={"code": "EUR", "per_usd": 0.5}))

    line = staged_line(
        "article.legal_insurance",
        Stage.startup,
        Category.legal_insurance,
        "Cover",
        Cadence.annual,
        BUNDLED_BOOK,
    )
    dollars = line.basis
    assert dollars.startswith("article range $") and "€" not in dollars
    assert line.basis is dollars  # worded once
    in_euros = staged_line(
        "article.legal_insurance",
        Stage.startup,
        Category.legal_insurance,
        "Cover",
        Cadence.annual,
        euros,
    )
    assert in_euros.basis == dollars


def test_the_busiest_scenario_allowed_is_estimated_with_its_cache_grown_past_the_largest_tier():
    """Everyone online (6 billion users), all active daily, 1,000 requests each: 6 x 10^12
    requests a day, past every fixed cache tier (it raised StopIteration, a traceback in the
    terminal and in Slack)."""
    s = build_scenario(
        users=MAX_USERS, daily_active_share=1.0, requests_per_active_user_per_day=1000
    )
    redis = next(i for i in estimate(s).line_items if i.item.startswith("Managed Redis"))
    largest = facts.raw()["cache_tiers"][-1]
    assert largest["node"] in redis.basis
    assert redis.low > largest["low"] * 1_000_000  # nodes added with the volume
