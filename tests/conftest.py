"""Fixtures every suite shares."""

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from tests.support.bot_process import BotProcess
from tests.support.fake_slack import FakeSlack
from tests.support.reading import new_team
from tests.support.redis_server import redis_url_for_tests


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """$REDIS_URL when it answers, else a private redis-server started for the run."""
    url, server = redis_url_for_tests()
    yield url
    if server is not None:
        server.close()


# One fake Slack and one real bot per test module (a module may define its own instead). A
# module's BOT_ENV (a dict) adds settings to its bot, e.g. {"CHARTS": "on"}.


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(request, slack, redis_url) -> AsyncIterator[BotProcess]:
    extra_env = getattr(request.module, "BOT_ENV", None)
    process = await BotProcess(slack.base_url, redis_url, extra_env=extra_env).start()
    yield process
    assert await process.stop() == 0, process.logs()


@pytest.fixture
def team() -> str:
    # A fresh workspace per test: tests share one Redis and one bot, never each other's state.
    return new_team()
