"""Fixtures every suite shares."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.fake_slack import FakeSlack
from tests.support.reading import new_team
from tests.support.redis_server import redis_url_for_tests

HERE = Path(__file__).parent
PROCESS_TIERS = (HERE / "e2e", HERE / "deploy")  # every test there is marked e2e


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The everyday run, `-m "not e2e"`, would deselect every test of the process tiers after
    importing them (MCP, SQLAlchemy, the bot process harness: seconds); it skips them unread."""
    if config.getoption("markexpr").split() == ["not", "e2e"] and collection_path in PROCESS_TIERS:
        return True
    return None


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
