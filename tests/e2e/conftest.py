"""The end-to-end tier: tests that start processes (a bot, a redis-server of their own, the CLI,
an estimate worker) or need PostgreSQL. All are marked `e2e`; `pytest -m "not e2e"` skips them."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.bot_process import BotProcess

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


# One real bot per test module, on the module's fake Slack (a module may define its own
# instead). A module's BOT_ENV (a dict) adds settings to its bot, e.g. {"CHARTS": "on"}.
@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(request, slack, redis_url) -> AsyncIterator[BotProcess]:
    extra_env = getattr(request.module, "BOT_ENV", None)
    process = await BotProcess(slack.base_url, redis_url, extra_env=extra_env).start()
    yield process
    assert await process.stop() == 0, process.logs()
