"""The estimate workers with none configured: answers are worded in the bot's own process."""

from __future__ import annotations

from bot.slack import answers
from tests.e2e.test_workers import STANDARD, my_workers, started


async def test_with_no_workers_answers_are_worded_in_process():
    pool = await started(0)
    assert pool.ready == 0 and my_workers() == []
    answer = await pool.run(answers.request, STANDARD)
    assert answer.messages == answers.request(STANDARD).messages
    await pool.close()
