"""Fixtures every suite shares."""

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

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


# One fake Slack per test module (a module may define its own instead); tests/e2e adds a bot.


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def team() -> str:
    # A fresh workspace per test: tests share one Redis and one bot, never each other's state.
    return new_team()
