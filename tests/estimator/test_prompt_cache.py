"""Provider prompt caching: the cached prefix itself must reach the provider's minimum, and cache
writes are priced where the provider charges them (Anthropic), with the cache's lifetime said."""

import pytest

from estimator.estimate import estimate
from estimator.scenario import build_scenario

CALLS = 360_000  # 10,000 MAU x 30% x 5 x 30 days x (1 - 20% response cache)
GIVEN = dict(daily_active_share=0.3, requests_per_active_user_per_day=5, output_tokens=300)


def _llm(**values):
    s = build_scenario(stage="startup", users=10_000, **GIVEN, **values)
    (line,) = [i for i in estimate(s).line_items if i.category == "llm_inference"]
    return line


def test_a_prefix_below_the_minimum_is_not_cached_even_when_the_prompt_is_above_it():
    # 5,000-token prompts, 30% cached = a 1,500-token prefix, under Haiku 4.5's 4,096 minimum:
    # 5,000 x $1 + 300 x $5 per Mtok = $0.0065 a request, no cache discount, no cache writes.
    line = _llm(model="claude-haiku-4-5", input_tokens=5_000, prompt_cache_share=0.3)
    assert line.low == pytest.approx(CALLS * 0.0065)
    assert "the 1,500-token prefix (30% of 5,000) is below claude-haiku-4-5's 4,096" in line.basis
    assert "cache writes" not in line.basis


def test_anthropic_cache_writes_are_priced_once_per_cache_lifetime():
    # 20,000 in, 30% = a 6,000-token prefix (above 4,096): a read request is 14,000 x $1 +
    # 6,000 x $0.10 + 300 x $5 = $0.0161; writing the prefix costs 6,000 x ($1.25 - $0.10) =
    # $0.0069 more. With traffic keeping it warm, the 5-minute lifetime means 30 x 24 x 60 / 5 =
    # 8,640 writes a month.
    line = _llm(model="claude-haiku-4-5", input_tokens=20_000, prompt_cache_share=0.3)
    assert line.low == pytest.approx(CALLS * 0.0161 + 8_640 * 0.0069)
    assert "8,640 writes x $0.0069" in line.basis
    assert "once per 5-minute cache lifetime" in line.basis


def test_openai_cache_writes_cost_nothing_extra():
    # gpt-4o-mini: 4,000 in, 30% = 1,200 cached (above 1,024): 2,800 x 0.15 + 1,200 x 0.075 +
    # 300 x 0.60 per Mtok = $0.00069; writes are free.
    line = _llm(model="gpt-4o-mini", input_tokens=4_000, prompt_cache_share=0.3)
    assert line.low == pytest.approx(CALLS * 0.00069)
    assert "cache writes" not in line.basis


def test_the_caching_lever_promises_nothing_when_even_its_largest_prefix_is_too_short():
    # Haiku 4.5: 80% of a 5,000-token prompt is 4,000 tokens, under its 4,096 minimum.
    s = build_scenario(stage="startup", users=10_000, model="claude-haiku-4-5", input_tokens=5_000)
    e = estimate(s)
    assert "prompt_caching" not in {lever.lever for lever in e.savings}
    (absent,) = [a for a in e.absent if a.name == "Prompt caching"]
    assert "even 80% of your 5,000-token requests is 4,000 tokens" in absent.why
