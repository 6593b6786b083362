"""Token costs checked by hand against genai-prices' bundled prices, one request at a time."""

from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price
from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import ModelPrice, TieredPrices

from estimator.estimate import estimate
from estimator.scenario import ScenarioError, build_scenario
from estimator.token_prices import PricingError, token_prices

# Every usage figure given, so the line has no usage uncertainty: only the x1-1.25 retry allowance.
# 10,000 MAU x 30% daily x 5 req x 30 days = 450,000 requests; 20% from the response cache leaves
# 360,000 LLM calls.
GIVEN = dict(daily_active_share=0.3, requests_per_active_user_per_day=5, output_tokens=300)
CALLS = 360_000


def _llm_line(model, input_tokens=2_000, **values):
    s = build_scenario(
        stage="startup", users=10_000, model=model, input_tokens=input_tokens, **GIVEN, **values
    )
    (line,) = [i for i in estimate(s).line_items if i.category == "llm_inference"]
    return line


def test_gpt_4o_mini_tokens_priced_by_hand():
    # One request: 2,000 in, 30% (600) cached, 300 out:
    # 1,400 x $0.15 + 600 x $0.075 + 300 x $0.60 per Mtok = $0.000435; x 360,000 calls = $156.60
    line = _llm_line("gpt-4o-mini")
    assert line.low == pytest.approx(156.60)
    assert line.high == pytest.approx(156.60 * 1.25)  # retries and evals allowance
    assert "360,000 LLM calls" in line.basis
    assert "$0.000435 per request" in line.basis
    assert "$0.15/$0.075/$0.6 per Mtok" in line.basis


def test_claude_haiku_below_its_caching_minimum_caches_nothing():
    # Haiku 4.5 caches prefixes of 4,096 tokens or more: a 2,000-token prompt pays full price.
    # 2,000 x $1 + 300 x $5 per Mtok = $0.0035; x 360,000 = $1,260
    line = _llm_line("claude-haiku-4-5")
    assert line.low == pytest.approx(1_260)
    assert "4,096-token caching minimum" in line.basis


def test_unknown_model_names_close_matches():
    with pytest.raises(ScenarioError, match="gpt-4o-mini"):
        build_scenario(model="gpt-4o-minx")


def test_token_prices_come_from_genai_prices():
    prices = token_prices("gpt-4o")
    assert (prices.input, prices.cached_input, prices.output) == (2.5, 1.25, 10.0)
    with pytest.raises(PricingError):
        token_prices("no-such-model-anywhere")


def _tiered_models() -> list[tuple[str, str, int]]:
    """(provider, model id, first tier threshold) for every model in genai-prices' snapshot whose
    token prices have tiers, where genai-prices finds the model by its own id at its provider."""
    found = []
    for provider in get_snapshot().providers:
        for model in provider.models:
            prices = model.prices
            options = [prices] if isinstance(prices, ModelPrice) else [p.prices for p in prices]
            starts = [
                tier.start
                for option in options
                for key in ("input_mtok", "output_mtok")
                if isinstance(getattr(option, key, None), TieredPrices)
                for tier in getattr(option, key).tiers
            ]
            if not starts:
                continue
            try:
                calc_price(Usage(input_tokens=1), model_ref=model.id, provider_id=provider.id)
            except (LookupError, ValueError):
                continue  # an id genai-prices itself does not resolve to this model
            found.append((provider.id, model.id, min(starts)))
    return found


TIERED = _tiered_models()


def test_the_snapshot_has_tiered_models_to_check():
    names = {name for _, name, _ in TIERED}
    assert {"gpt-5.4", "claude-sonnet-4-5", "gemini-2.5-pro"} <= names
    assert len(TIERED) > 100


@pytest.mark.parametrize(
    ("provider", "model", "threshold"), TIERED, ids=[f"{p}/{m}" for p, m, _ in TIERED]
)
def test_tiered_model_is_priced_one_request_at_a_time(provider, model, threshold):
    """The line is calls x the price genai-prices gives one request, below and above the tier."""
    ref = f"{provider}/{model}"
    window = token_prices(ref).context_window or 2_000_000
    for input_tokens in (1_000, min(threshold + 1_000, window - 301)):
        s = build_scenario(
            stage="startup", users=10_000, model=ref, input_tokens=input_tokens, **GIVEN
        )
        (line,) = [i for i in estimate(s).line_items if i.category == "llm_inference"]
        one = calc_price(
            Usage(
                input_tokens=input_tokens,
                cache_read_tokens=_cached(ref, input_tokens),
                output_tokens=300,
            ),
            model_ref=model,
            provider_id=provider,
        ).total_price
        assert line.low == pytest.approx(float(one * Decimal(CALLS)), rel=1e-9)
        assert line.high == pytest.approx(line.low * 1.25, rel=1e-9)


def _cached(model, input_tokens):
    from estimator.prompt_cache import minimum_prefix

    minimum = minimum_prefix(model)
    return 0 if minimum is not None and input_tokens < minimum else round(input_tokens * 0.3)


def test_a_million_users_on_gpt_5_4_pay_the_short_context_rate():
    s = build_scenario(
        stage="startup", users=1_000_000, model="gpt-5.4", input_tokens=1_000, **GIVEN
    )
    (line,) = [i for i in estimate(s).line_items if i.category == "llm_inference"]
    calls = 1_000_000 * 0.3 * 5 * 30 * 0.8
    base = calc_price(Usage(input_tokens=1_000, output_tokens=300), model_ref="gpt-5.4")
    # 1,000 in (below the 1,024-token cache minimum) / 300 out at $2.50/$15 per Mtok
    assert float(base.total_price) == pytest.approx(0.007)
    assert line.low == pytest.approx(calls * 0.007)
    # A month's tokens priced in one call would cross the 272K tier: the old, wrong figure.
    month = calc_price(
        Usage(input_tokens=int(calls * 1_000), output_tokens=int(calls * 300)), model_ref="gpt-5.4"
    )
    assert line.high < float(month.total_price)


def test_a_request_past_the_tier_says_the_long_context_rate_applies():
    over = _llm_line("gpt-5.4", input_tokens=300_000)
    under = _llm_line("gpt-5.4", input_tokens=200_000)
    assert "passes gpt-5.4's long-context threshold" in over.basis
    assert "long-context" not in under.basis
    # $2.50 -> $5 input above 272K: more than 1.5x the cost for 1.5x the tokens
    assert over.low > 1.5 * under.low


def test_a_model_genai_prices_lists_but_cannot_find_alone_is_priced_at_its_provider():
    # "llama3.1-8b" is in genai-prices' data (Cerebras) though calc_price cannot find its provider
    # without being told: the estimate prices it there instead of calling it unknown.
    from bot.parsing import first_scenario

    host = next(
        p.id for p in get_snapshot().providers if any(m.id == "llama3.1-8b" for m in p.models)
    )
    with pytest.raises(LookupError):
        calc_price(Usage(input_tokens=1_000), model_ref="llama3.1-8b")
    prices = token_prices("llama3.1-8b")
    at_host = calc_price(Usage(input_tokens=1_000_000), model_ref="llama3.1-8b", provider_id=host)
    assert prices.provider == host and prices.input == pytest.approx(float(at_host.total_price))
    assert first_scenario("100k users llama3.1-8b").model == "llama3.1-8b"
