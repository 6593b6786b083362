"""Self-hosted GPUs are sized for prefill (reading the prompt) and the KV cache of the context in
flight, as well as for decode: longer prompts need more GPUs."""

from estimator.costs import self_hosting
from estimator.estimate import estimate
from estimator.price_book import BUNDLED_BOOK
from estimator.scenario import build_scenario
from estimator.traffic import traffic


def _fleet(input_tokens: int, **values):
    s = build_scenario(
        stage="startup",
        users=10_000,
        hosting="self-hosted",
        gpu="h100",
        model="llama-3.3-70b",
        input_tokens=input_tokens,
        output_tokens=300,
        **values,
    )
    return s, self_hosting.fleet(s, traffic(s, BUNDLED_BOOK), BUNDLED_BOOK)


def test_long_prompts_need_more_gpus_than_short_ones():
    _, short = _fleet(1_000)
    _, long = _fleet(100_000)
    assert short.total_gpus(low=False) == 8  # 1 replica of 4 H100 + 1 spare
    assert long.total_gpus(low=False) > short.total_gpus(low=False)
    assert long.total_gpus(low=True) > short.total_gpus(low=True)


def test_prefill_capacity_is_flops_over_two_times_active_parameters():
    # 4 x 989 TFLOPS x 40-60% / (2 x 70.6e9 FLOPs per token) = 11,207-16,810 input tokens/s.
    _, f = _fleet(100_000)
    assert f.replica.weights.active_b == 70.6
    assert round(f.prefill_slow) == 11_207
    assert round(f.prefill_fast) == 16_810


def test_the_kv_cache_of_long_contexts_is_in_the_basis():
    s, _ = _fleet(100_000)
    (line,) = [
        i for i in estimate(s).line_items if i.item.startswith("Self-hosted GPUs (H100), primary")
    ]
    assert "prefill 100,000 in tok" in line.basis
    assert "KV cache 33.17 GB per request" in line.basis  # 100,300 tokens x ~0.33 MB


def test_gpus_never_fall_as_prompts_grow():
    counts = [_fleet(n)[1].total_gpus(low=False) for n in (500, 5_000, 50_000, 120_000)]
    assert counts == sorted(counts)
