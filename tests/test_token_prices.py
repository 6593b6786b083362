"""Token costs checked by hand against genai-prices' bundled prices."""

import pytest

from estimator.estimate import estimate
from estimator.pricing import PricingError, token_prices
from estimator.scenario import ScenarioError, build_scenario

# 10,000 MAU x 30% daily x 5 req x 30 days = 450,000 requests; 20% from the response cache leaves
# 360,000 LLM calls: 360M input tokens (30% prompt-cached) and 108M output tokens.
CALLS = 360_000


def _llm_line(model):
    s = build_scenario(stage="startup", users=10_000, model=model)
    (line,) = [i for i in estimate(s).line_items if i.category == "llm_inference"]
    return line


def test_gpt_4o_mini_tokens_priced_by_hand():
    # 252M fresh x $0.15 + 108M cached x $0.075 + 108M out x $0.60 = 37.80 + 8.10 + 64.80
    line = _llm_line("gpt-4o-mini")
    assert line.low == pytest.approx(110.70)
    assert line.high == pytest.approx(110.70 * 1.25)  # retries and evals allowance
    assert "360,000 LLM calls" in line.basis
    assert "$0.15/$0.075/$0.6 per Mtok" in line.basis


def test_claude_haiku_tokens_priced_by_hand():
    # 252M fresh x $1 + 108M cached x $0.10 + 108M out x $5 = 252 + 10.80 + 540
    line = _llm_line("claude-haiku-4-5")
    assert line.low == pytest.approx(802.80)


def test_unknown_model_names_close_matches():
    with pytest.raises(ScenarioError, match="gpt-4o-mini"):
        build_scenario(model="gpt-4o-minx")


def test_token_prices_come_from_genai_prices():
    prices = token_prices("gpt-4o")
    assert (prices.input, prices.cached_input, prices.output) == (2.5, 1.25, 10.0)
    with pytest.raises(PricingError):
        token_prices("no-such-model-anywhere")
