"""The five scaling strategies agree with the lines they quote."""

import re

from bot.parsing import first_scenario
from estimator.estimate import estimate


def _hosts(text: str) -> str:
    return re.search(r"(\d+(?:-\d+)?) hosts", text).group(1)


def test_automate_operations_counts_the_hosts_monitoring_counts_gpu_hosts_included():
    for words in ("llama 3.1 8b self-hosted 20k users", "10k users startup"):
        e = estimate(first_scenario(words))
        monitoring = next(i for i in e.line_items if i.item.startswith("Monitoring"))
        automate = next(s for s in e.strategies if s.key == "automate_operations")
        assert _hosts(automate.advice) == _hosts(monitoring.basis), words
    self_hosted = estimate(first_scenario("llama 3.1 8b self-hosted 20k users"))
    automate = next(s for s in self_hosted.strategies if s.key == "automate_operations")
    assert "(incl. 1 GPU host)" in automate.advice


def test_a_self_hosted_fleet_at_its_minimum_is_told_why_caching_saves_nothing():
    small = estimate(first_scenario("llama 3.1 8b self-hosted 20k users"))
    # A lever worth nothing is listed as such, with why.
    assert not any(s.lever == "response_caching" for s in small.savings)
    why = next(a.why for a in small.absent if a.name == "Response caching")
    assert "$0/month" not in why and "no GPU is freed" in why
    large = estimate(first_scenario("llama 3.1 8b self-hosted 2M users"))
    caching = next(s for s in large.savings if s.lever == "response_caching")
    assert caching.monthly.high > 0 and "saves $" in caching.detail


def test_choose_scalable_technologies_gives_the_managed_verdict_without_repeating_its_arithmetic():
    for words in ("10k users startup", "10M users enterprise soc2 5 regions 99.99"):
        e = estimate(first_scenario(words))
        choose = next(s for s in e.strategies if s.key == "choose_scalable_technologies")
        managed = [s.detail for s in e.savings if s.lever == "managed_services"]
        managed += [a.why for a in e.absent if a.name == "Managed services"]
        assert "see Managed services" in choose.advice
        # The lever's engineer-time dollars are said there, once.
        assert "engineer hours (" not in choose.advice and "engineer hours (" in managed[0]


def test_the_llm_cost_per_1000_users_is_the_llm_lines_range_not_its_high_end():
    e = estimate(first_scenario("50,000 MAU enterprise gpt-4o soc2"))
    llm = next(i for i in e.line_items if i.item.startswith("LLM tokens"))
    choose = next(s for s in e.strategies if s.key == "choose_scalable_technologies")
    low, high = llm.low / 50, llm.high / 50  # per 1,000 of 50,000 users
    assert f"at ${low:,.0f}–{high:,.0f} per 1,000 users a month" in choose.advice
