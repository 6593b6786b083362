"""The README's terminal samples, checked against (or rewritten from) the program's real output.

A sample is a fenced block whose first line is `$ COLUMNS=<n> aicost <words>`. A line `  ...`
in a sample stands for lines left out; the lines around it must appear in that order.

    python -m tests.support.readme_samples          # check
    python -m tests.support.readme_samples --write  # regenerate every sample in place
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
_SAMPLE = re.compile(r"```\n(\$ COLUMNS=(\d+) aicost ([^\n]*))\n(.*?)```", re.S)
ELISION = "  ..."


def run(columns: int, words: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SLACK_BOT_TOKEN")}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *shlex.split(words)],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": str(columns)},
        cwd=README.parent,
        timeout=60,
        check=True,
    )
    return done.stdout.rstrip("\n").split("\n")


def mismatches(text: str) -> list[str]:
    """One message per sample line the program no longer prints (in order)."""
    problems = []
    for match in _SAMPLE.finditer(text):
        output = run(int(match.group(2)), match.group(3))
        position = 0
        for line in match.group(4).rstrip("\n").split("\n"):
            if line == ELISION:
                continue
            try:
                position = output.index(line, position) + 1
            except ValueError:
                problems.append(f"{match.group(1)}: not printed (in order): {line!r}")
                break
    return problems


def regenerated(text: str) -> str:
    def sample(match: re.Match[str]) -> str:
        output = run(int(match.group(2)), match.group(3))
        shown = match.group(4).rstrip("\n").split("\n")
        if ELISION in shown:  # keep the excerpt's shape: its head, then from its next heading
            cut = shown.index(ELISION)
            tail = shown[cut + 1 :]
            anchor = next((i for i, line in enumerate(tail) if line.strip()), 0)
            found = tail and tail[anchor] in output[cut:]
            start = output.index(tail[anchor], cut) - anchor if found else len(output)
            output = [*output[:cut], ELISION, *output[start : start + len(tail)]]
        return f"```\n{match.group(1)}\n" + "\n".join(output) + "\n```"

    return _SAMPLE.sub(sample, text)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    if "--write" in sys.argv:
        README.write_text(regenerated(text), encoding="utf-8")
        return 0
    problems = mismatches(text)
    print("\n".join(problems) or "README samples match the program's output.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
