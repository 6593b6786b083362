"""No module of bot/ or estimator/ grows past what a newcomer can hold in mind (issue 17: a few
hundred lines, 450 at most): past that, it is doing more than one job and wants splitting."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MOST_LINES = 450


def test_every_module_of_bot_and_estimator_is_450_lines_at_most():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for package in ("bot", "estimator")
        for path in sorted((ROOT / package).rglob("*.py"))
        if (lines := len(path.read_text().splitlines())) > MOST_LINES
    }
    assert too_long == {}, f"split these by job: {too_long}"
