"""docs/methodology.md states no figure the data does not hold: its tables and figures are
generated from estimator/data (tests/support/methodology_tables.py) and checked here."""

from tests.support.methodology_tables import GENERATORS, METHODOLOGY, regenerated, stale


def test_the_methodology_page_shows_the_datas_figures():
    problems = stale(METHODOLOGY.read_text(encoding="utf-8"))
    assert not problems, (
        "docs/methodology.md differs from estimator/data; regenerate it with "
        "`python -m tests.support.methodology_tables --write`:\n" + "\n".join(problems)
    )


def test_a_figure_changed_by_hand_on_the_page_is_caught():
    page = METHODOLOGY.read_text(encoding="utf-8")
    drifted = page.replace("H200 $2.50-7", "H200 $3.50-6", 1)
    assert drifted != page
    assert any(p.startswith("gpu-hourly") for p in stale(drifted))
    assert regenerated(drifted) == page


def test_every_generated_part_is_on_the_page():
    page = METHODOLOGY.read_text(encoding="utf-8")
    for name in GENERATORS:
        assert f"<!-- generated: {name} -->" in page
