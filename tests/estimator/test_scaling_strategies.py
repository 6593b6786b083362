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
