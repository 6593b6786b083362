"""A reply that fails for a reason nobody foresaw still reaches the person: one private sentence
through the response_url (the fake Slack records it), the traceback in the log."""

from __future__ import annotations

import uuid

from bot.slack.dispatch import FAILED_ON_OUR_SIDE, Dispatcher
from bot.slack.metrics import Metrics
from bot.slack.where import Where
from tests.support.fake_slack import FakeSlack
from tests.support.reading import text_of


async def test_a_reply_that_raises_is_a_private_sentence_not_silence(caplog):
    async def fails() -> None:
        raise RuntimeError("a bug deep in wording")

    async with FakeSlack() as slack:
        name = uuid.uuid4().hex
        where = Where("T1", "C1", "U1", response_url=slack.response_url(name))
        dispatcher = Dispatcher(stored=None, metrics=Metrics())  # type: ignore[arg-type]
        dispatcher.spawn(fails(), "slash_command", where)
        (response,) = await slack.wait_for_response(name)
        await dispatcher.drain(5)
    assert response.body["response_type"] == "ephemeral"
    assert FAILED_ON_OUR_SIDE in text_of(response.body)
    assert "a bug deep in wording" not in text_of(response.body)
    assert "failed to answer a slash_command" in caplog.text
