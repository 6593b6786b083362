"""Control and invisible characters never come back out (issue 23, item 8): an ESC would start a
terminal escape sequence, Unicode tags and bidirectional overrides hide text from a reader."""

from __future__ import annotations

import unicodedata

from bot.cli import chat, main
from bot.slack.job import Job
from bot.visible_text import visible

HIDDEN = "\x1b[2J\x07\u202e\u200b\U000e0069\U000e0067\U000e006e"  # ESC, BEL, RLO, ZWSP, tags


def _invisible(text: str) -> list[str]:
    return [ch for ch in text if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf")]


def test_visible_keeps_what_a_reader_sees():
    assert visible(f"10k{HIDDEN} users\nstartup\tnow é 😀") == "10k[2J users\nstartup\tnow é 😀"


def test_the_terminal_never_echoes_them(capsys):
    assert main([f"10000 users zz{HIDDEN}foo startup"]) == 2
    out = capsys.readouterr()
    assert "zz[2jfoo" in out.err  # the word is still named, without what hid in it
    assert _invisible(out.out + out.err) == []


def test_aicost_chat_never_echoes_them():
    lines = iter([f"10000 users zz{HIDDEN}foo"])
    written: list[str] = []

    def read(_: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    assert chat(read, written.append) == 0
    assert "zz[2jfoo" in "\n".join(written) and _invisible("\n".join(written)) == []


def test_a_slack_job_keeps_none_of_them():
    job = Job(kind="mention", team_id="T1", channel="C1", user="U1", text=f"hi{HIDDEN}")
    assert job.text == "hi[2J" and Job.load(job.dump()).text == "hi[2J"
