"""docs/methodology.md's figures, generated from estimator/data (and, for the calibration, from the
estimator itself), so the page cannot drift from the data it describes.

A generated part sits between `<!-- generated: NAME -->` and `<!-- end generated -->`; everything
between is replaced by GENERATORS[NAME]. Prose around it is written by hand and quotes no figure
that a generated part does not show.

    python -m tests.support.methodology_tables          # check: exit 1 naming each stale part
    python -m tests.support.methodology_tables --write  # regenerate every part in place
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from estimator import build_scenario, estimate, facts

METHODOLOGY = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"
_PART = re.compile(r"(<!-- generated: ([a-z0-9-]+) -->\n)(.*?)(<!-- end generated -->)", re.S)
_GPUS = ("h100", "h200", "a100", "l4")


def _money(amount: float) -> str:
    """$2, $2.50, $1,200, $1.27M: how the page writes prices."""
    if amount >= 1_000_000:
        return f"${amount / 1e6:.2f}M"
    if amount >= 1_000:
        return f"${amount:,.0f}"
    if amount < 1 or amount == int(amount):
        return f"${amount:g}"
    return f"${amount:.2f}"


def _span(low: float, high: float) -> str:
    return _money(low) if low == high else f"{_money(low)}-{_money(high)[1:]}"


def _count(low: float, high: float) -> str:
    return f"{low:,.0f}-{high:,.0f}"


def gpu_hourly() -> str:
    prices = ", ".join(f"{name.upper()} {_span(*_hourly(name))}" for name in _GPUS)
    return f"Hourly prices (`gpu.<type>.hourly_*`, on demand): {prices}.\n"


def _hourly(name: str) -> tuple[float, float]:
    gpu = facts.bundled_entry(f"gpu.{name}")
    return gpu["hourly_low"], gpu["hourly_high"]


def gpu_speed() -> str:
    rows = ["| GPU | 8B class | 70B class | 400B class | hourly (on demand) | source |"]
    rows.append("|---|---|---|---|---|---|")
    for name in _GPUS:
        gpu = facts.bundled_entry(f"gpu.{name}")
        speeds = [_count(*gpu[f"per_gpu_{size}"]) for size in ("8b", "70b", "400b")]
        rows.append(
            f"| {name.upper()} | {' | '.join(speeds)} | {_span(*_hourly(name))} | "
            f"`{gpu['source']}` |"
        )
    return "\n".join(rows) + "\n"


def usage_ranges() -> str:
    defaults = facts.bundled_entry("defaults.startup")
    rows = ["| assumption | default | range (read as p10-p90) | source (`[usage_range.*]`) |"]
    rows.append("|---|---:|---:|---|")
    for name, label, shown in (
        ("daily_active_share", "share of users active daily", lambda v: f"{v:.0%}"),
        ("requests_per_active_user_per_day", "requests per active user per day", "{:g}".format),
        ("input_tokens", "input tokens per request", lambda v: f"{v:,.0f}"),
        ("output_tokens", "output tokens per request", lambda v: f"{v:,.0f}"),
    ):
        r = facts.bundled_figure(f"usage_range.{name}")
        rows.append(
            f"| {label} | {shown(defaults[name])} | {shown(r.low)}-{shown(r.high)} | `{r.source}` |"
        )
    return "\n".join(rows) + "\n"


def sensitivity_ranges() -> str:
    f = facts.bundled_figure
    hit, per_user, corpus = (
        f("usage_range.cache_hit_rate"),
        f("usage_range.records_per_user"),
        f("usage_range.corpus_factor"),
    )
    record, rate, loaded = (
        f("storage.record_kb"),
        f("support.contact_rate"),
        f("team.loaded_cost_factor"),
    )
    ml = f("salary.ml_engineer")
    share = f("sensitivity.material_share").low
    rows = [
        "| assumption (when not given) | swung over | source | lines priced again |",
        "|---|---|---|---|",
        "| usage (daily share, requests, tokens in and out) | `[usage_range.*]` above | "
        "see above | app tier, regions, inference, transcripts |",
        "| reasoning tokens (models that reason) | their effort's range, "
        "`[reasoning.per_request.*]` | `openai_reasoning` | the same |",
        f"| response cache hit rate | {hit.low:.0%}-{hit.high:.0%} | `{hit.source}` | the same |",
        f"| stored records (derived from users) | {per_user.low:g}-{per_user.high:g} per user | "
        f"`{per_user.source}` | database, disk, regions' replicas, cyber cover |",
        f"| retrieval corpus | {corpus.low:g}-{corpus.high:g}x the stage's default | "
        f"`{corpus.source}` | vector search, database instance, regions |",
        f"| size of a stored record | {record.low:g}-{record.high:g} KB "
        f"(`storage.record_kb`) | `{record.source}` | disk and backups |",
        f"| support contact rate | {rate.low:.1%}-{rate.high:.1%} of users a month "
        f"(`support.contact_rate`) | `{rate.source}` | support |",
        f"| salaries, fully loaded | every `salary.*` and `team.loaded_cost_factor` at its low, "
        f"then its high (ML engineer {_money(ml.low * loaded.low)}-"
        f"{_money(ml.high * loaded.high)[1:]}) | `{ml.source}`, `{loaded.source}` | team and "
        "on-call cover |",
        "| GPU hourly price (self-hosted) | `gpu.<type>.hourly_low`-`hourly_high` | "
        "`gpu_cloud` and the GPU's own | GPU lines, staging |",
        "",
        f"Listed when the swing reaches {share:.0%} of the first year's midpoint "
        "(`sensitivity.material_share`).",
    ]
    return "\n".join(rows) + "\n"


_API_EXAMPLES = (
    "gpt-4o-mini",
    "gpt-4.1-nano",
    "gpt-5-nano",
    "gemini-2.5-flash-lite",
    "claude-haiku-4-5",
    "gpt-5-mini",
    "o4-mini",
    "gemini-2.5-flash",
    "claude-sonnet-4-5",
    "claude-opus-4-5",
    "gpt-4o",
    "gpt-4.1",
    "gpt-5",
    "gemini-2.5-pro",
)


def comparable_pairs() -> str:
    import tomllib
    from importlib import resources

    text = resources.files("estimator").joinpath("data/open_models.toml").read_text("utf-8")
    data = tomllib.loads(text)
    names = {m["key"]: m["name"] for m in data["model"]}
    rows = [
        "| class | API models (by vendor tier, e.g.) | open models (by evidence) | "
        "compared by default (source) |",
        "|---|---|---|---|",
    ]
    from estimator.savings import capability_class

    tiers: dict[str, list[str]] = {}
    for model in _API_EXAMPLES:
        tiers.setdefault(capability_class(model) or "-", []).append(model)
    for row in data["capability"]:
        ref = data["comparable"][row["class"]]
        rows.append(
            f"| {row['class']} | {', '.join(tiers[row['class']])} | "
            f"{', '.join(names[k] for k in row['models'])} | {names[ref['open_model']]} / "
            f"{ref['api_model']} ({ref['source']}) |"
        )
    return "\n".join(rows) + "\n"


def vector_stores() -> str:
    f = facts.bundled_figure
    chunks, metadata = f("retrieval.chunks_per_document"), f("retrieval.metadata_kb")
    embedding, overhead = f("storage.embedding_kb"), f("storage.vector_index_overhead")
    reads = f("vector_store.managed_read_units_per_query")
    disk = _money(f("storage.disk_per_gb_month").low)
    managed = _money(f("vector_store.managed_per_gb_month").low)
    per_read = _money(f("vector_store.managed_per_million_reads").low)
    cold = _money(f("vector_store.object_per_gb_month").low)
    per_query = _money(f("vector_store.object_per_million_queries").low)
    ram = _money(f("storage.memory_per_gb_month").low)
    queries = f("retrieval.queries_per_llm_call").low
    corpus = {
        stage: facts.bundled_entry(f"defaults.{stage}")["corpus_documents"]
        for stage in ("startup", "midsize", "enterprise")
    }
    rows = [
        "| vector store | monthly cost | an extra region copies |",
        "|---|---|---|",
        f"| pgvector (default) | (vectors + HNSW index) GB x {disk}/GB-month disk x copies; "
        "the database instance is the smallest tier whose memory holds the index | "
        "the replica's disk |",
        f"| managed vector database | GB x {managed}/GB-month + queries x {reads.low:g}-"
        f"{reads.high:g} read units x {per_read} per million | the stored vectors |",
        f"| object-storage vectors | GB x {cold}/GB-month + queries x {per_query} per million | "
        "the stored vectors |",
        f"| in-memory index (only when asked) | index GB x {ram}/GB-month x copies | the index |",
        "",
        f"Embeddings = corpus documents x {chunks.low:g}-{chunks.high:g} chunks "
        f"(`retrieval.chunks_per_document`); stored GB = embeddings x ({embedding.low:g} KB "
        f"embedding + {metadata.low:g}-{metadata.high:g} KB metadata); index GB = embeddings x "
        f"{embedding.low:g} KB x {overhead.low:g}-{overhead.high:g} (HNSW). Queries = LLM calls x "
        f"{queries:g}. Default corpus: startup {corpus['startup']:,}, mid-size "
        f"{corpus['midsize']:,}, enterprise {corpus['enterprise']:,} documents.",
    ]
    return "\n".join(rows) + "\n"


def on_call() -> str:
    people = facts.bundled_entry("on_call.rotation_people")
    share = facts.bundled_figure("on_call.cover_share")
    roles = facts.bundled_entry("on_call.paged_roles")["roles"]
    seat = facts.bundled_figure("monitoring.on_call_seat_monthly")
    targets = ", ".join(
        f"{target}%: {n} people" if n else f"{target}%: no minimum"
        for target, n in people.items()
        if target not in ("source", "checked")
    )
    return (
        f"24/7 rotation by uptime target (`on_call.rotation_people`): {targets}. Paged roles: "
        f"{', '.join(r.replace('_', ' ') for r in roles)}. Slots they cannot fill are contracted "
        f"cover at {share.low:.0%} of a person's time x the SRE salary, fully loaded. Paging "
        f"seats: {_span(seat.low, seat.high)} per person holding the pager.\n"
    )


def cyber_insurance() -> str:
    rows = ["| stored records up to | cover | USD a year |", "|---:|---|---:|"]
    for tier in facts.bundled_entry("legal.cyber_insurance_tiers"):
        rows.append(
            f"| {tier['max_records']:,} | {tier['size']} | {_span(tier['low'], tier['high'])} |"
        )
    return "\n".join(rows) + "\n"


_ROLES = {
    "ml_engineer": "ML engineers",
    "devops_engineer": "DevOps engineers",
    "site_reliability_engineer": "Site reliability engineers",
    "security_engineer": "Security engineers",
    "product_manager": "Product managers",
    "mlops_engineer": "MLOps engineers (self-hosted only)",
}


def team() -> str:
    bases = [facts.bundled_entry(f"headcount.{s}") for s in ("startup", "midsize", "enterprise")]
    growth = facts.bundled_entry("headcount_growth.per_tenfold")
    onset = facts.bundled_entry("headcount_growth.onset_users")
    rows = [
        "| role | startup base | mid-size base | enterprise base | growth per 10x users | "
        "onset when the stage lacks it | salary (base) |",
        "|---|---|---|---|---|---|---|",
    ]
    for role, label in _ROLES.items():
        salary = facts.bundled_figure(f"salary.{role}")
        starts = [f"{b[role]:g}" if b[role] else "-" for b in bases]
        lacks = any(b[role] == 0 for b in bases)
        rows.append(
            f"| {label} | {' | '.join(starts)} | {growth[role]:g} | "
            f"{f'{onset[role]:,} MAU' if lacks else '-'} | "
            f"{_span(salary.low, salary.high)} (`{salary.source}`) |"
        )
    reference = ", ".join(
        f"{name} {b['reference_users']:,}"
        for name, b in zip(("startup", "mid-size", "enterprise"), bases, strict=True)
    )
    return "\n".join(rows) + f"\n\nReference MAU (`headcount.<stage>`): {reference}.\n"


def calibration() -> str:
    parts = []
    for stage, label, prototype in (
        ("startup", "startup", 50_000),
        ("midsize", "mid-size", 100_000),
        ("enterprise", "enterprise", 200_000),
    ):
        year = estimate(build_scenario(stage=stage, prototype_cost=prototype)).totals.first_year
        parts.append(f"{label} {_span(round(year.low, -3), round(year.high, -3))}")
    return f"First year with today's data: {', '.join(parts)}.\n"


GENERATORS: dict[str, Callable[[], str]] = {
    "gpu-hourly": gpu_hourly,
    "gpu-speed": gpu_speed,
    "usage-ranges": usage_ranges,
    "sensitivity-ranges": sensitivity_ranges,
    "comparable-pairs": comparable_pairs,
    "vector-stores": vector_stores,
    "on-call": on_call,
    "cyber-insurance": cyber_insurance,
    "team": team,
    "calibration": calibration,
}


def regenerated(text: str) -> str:
    def part(match: re.Match[str]) -> str:
        return match.group(1) + GENERATORS[match.group(2)]() + match.group(4)

    return _PART.sub(part, text)


def stale(text: str) -> list[str]:
    """The names of the generated parts whose text differs from the data's, and of any generator
    the page does not use."""
    used = {m.group(2) for m in _PART.finditer(text)}
    problems = [f"{name}: not on the page" for name in GENERATORS if name not in used]
    for match in _PART.finditer(text):
        if match.group(3) != GENERATORS[match.group(2)]():
            problems.append(f"{match.group(2)}: differs from estimator/data")
    return problems


def main(argv: list[str]) -> int:
    text = METHODOLOGY.read_text(encoding="utf-8")
    if "--write" in argv:
        METHODOLOGY.write_text(regenerated(text), encoding="utf-8")
        return 0
    problems = stale(text)
    for problem in problems:
        print(f"docs/methodology.md: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
