"""What a chart costs: matplotlib's import (time, memory) and one render, plus break-even.

Run: python benchmarks/charts.py [--renders 5]

Wall times move with the machine's load; CPU times (process_time) much less. Each figure is
measured in a fresh process (so the import is really cold) and the process's
peak RSS is read from the kernel. Bounded: one import, `--renders` renders (default 5), capped
at 20.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

PROBE = """
import json, resource, sys, time
from bot.parsing import first_scenario
from estimator.breakeven import break_even
from estimator.estimate import estimate
s = first_scenario("10000 users startup")
e = estimate(s, curve_at=tuple(sorted({100, 300, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000,
                                       1_000_000, 3_000_000, 10_000_000, s.users})))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
b = break_even(e.scenario)
breakeven_ms = (time.perf_counter() - started) * 1000
started, cpu = time.perf_counter(), time.process_time()
from bot.charts import _matplotlib, estimate_chart_png
_matplotlib()
import_ms = (time.perf_counter() - started) * 1000
import_cpu_ms = (time.process_time() - cpu) * 1000
after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
renders, cpus = [], []
for _ in range(int(sys.argv[1])):
    started, cpu = time.perf_counter(), time.process_time()
    png = estimate_chart_png(e)
    renders.append((time.perf_counter() - started) * 1000)
    cpus.append((time.process_time() - cpu) * 1000)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "breakeven_ms": breakeven_ms, "import_ms": import_ms, "import_cpu_ms": import_cpu_ms,
    "render_cpu_ms": sorted(cpus)[len(cpus) // 2],
    "rss_before_mib": before / 1024, "rss_after_import_mib": after_import / 1024,
    "peak_rss_mib": peak / 1024, "first_render_ms": renders[0],
    "later_render_ms": sorted(renders[1:])[len(renders[1:]) // 2] if len(renders) > 1 else None,
    "png_bytes": len(png),
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=5)
    args = parser.parse_args()
    renders = max(1, min(20, args.renders))
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(renders)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(run.stdout)
    print(f"break-even search            {figures['breakeven_ms']:8.1f} ms")
    print(
        f"import matplotlib (Agg)      {figures['import_ms']:8.0f} ms "
        f"({figures['import_cpu_ms']:.0f} ms CPU)"
    )
    print(
        f"RSS before / after import    {figures['rss_before_mib']:8.0f} / "
        f"{figures['rss_after_import_mib']:.0f} MiB"
    )
    print(f"first render                 {figures['first_render_ms']:8.0f} ms")
    if figures["later_render_ms"] is not None:
        print(f"later renders (median)       {figures['later_render_ms']:8.0f} ms")
    print(f"render CPU time (median)     {figures['render_cpu_ms']:8.0f} ms")
    print(f"peak RSS                     {figures['peak_rss_mib']:8.0f} MiB")
    print(f"PNG size                     {figures['png_bytes'] / 1024:8.0f} KiB")


if __name__ == "__main__":
    main()
