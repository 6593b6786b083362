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


def _count(text: str) -> tuple[int, int]:
    """(low, high) of "3 servers" or "3-4 servers" at the start of a basis."""
    low, _, high = re.match(r"(\d+)(?:-(\d+))? server", text).group(1, 0, 2)
    return int(low), int(high or low)


def test_every_place_that_counts_app_servers_counts_the_warm_standbys_too():
    # A finance lead reading "9 app servers" beside a breakdown of 3 primary + 3 standby + 6 in
    # extra regions sees a mismatch: every count is the one fleet the breakdown bills.
    for words in (
        "50k users enterprise 99.99% uptime 3 regions",
        "50k users 99.9% uptime",
        "2M users 99.9% uptime 2 regions",
    ):
        e = estimate(first_scenario(words))
        lines = {i.item: i for i in e.line_items}
        primary = _count(lines["App servers, primary region"].basis.split("→ ")[1])
        standby = _count(lines["Failover standby capacity"].basis)
        assert standby[1] > 0, words
        # The standby line bills whole servers at the instance price the primary line bills.
        per_server = lines["App servers, primary region"].high / primary[1]
        assert lines["Failover standby capacity"].high == standby[1] * per_server, words
        extra = [i for i in e.line_items if i.item == "Extra regions: app servers and networking"]
        regions = (
            _count(re.search(r"each (\d+(?:-\d+)? server)", extra[0].basis).group(1))
            if extra
            else (0, 0)
        )
        n = e.scenario.regions - 1
        low = primary[0] + standby[0] + n * regions[0]
        high = primary[1] + standby[1] + n * regions[1]
        gradual = next(s for s in e.strategies if s.key == "scale_gradually")
        shown = f"{low}" if low == high else f"{low}-{high}"
        assert f"Months 1-12: {shown} app servers (" in gradual.advice, words
        assert "warm standby" in gradual.advice, words
        # Monitoring is billed per host: the app servers above plus the database/cache hosts.
        monitoring = lines["Monitoring, on-call and autoscaling"]
        hosts_low, _, hosts_high = _hosts(monitoring.basis).partition("-")
        assert int(hosts_low) == low + 1 and int(hosts_high or hosts_low) == high + 2, words
        assert f"hosts ({shown} app servers; 1-2 data hosts)" in monitoring.basis, words
