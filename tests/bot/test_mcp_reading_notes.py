"""The MCP tools' summaries say how the words were read, as the terminal does, so an assistant
can tell its user that "usres" was taken as "users" or that "fp8" changed nothing."""

from bot.mcp.answers import Answers


def test_the_estimate_summary_says_a_misspelling_was_read_and_a_word_ignored():
    summary = Answers().estimate("10k usres fp8", None).summary
    assert "Read “usres” as “users”." in summary and "“fp8” was ignored" in summary


def test_the_what_if_summary_says_how_the_change_was_read():
    summary = Answers().what_if("10k users", None, "what if 50k usres", None).summary
    assert "users 10,000 → 50,000" in summary and "Read “usres” as “users”." in summary


def test_a_request_read_as_typed_has_no_notes_in_its_summary():
    summary = Answers().estimate("10k users", None).summary
    assert summary.endswith("Each line's arithmetic is in line_items[].basis.")
