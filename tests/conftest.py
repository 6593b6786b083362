"""Fixtures every suite shares."""

from collections.abc import Iterator

import pytest

from tests.support.redis_server import redis_url_for_tests


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """$REDIS_URL when it answers, else a private redis-server started for the run."""
    url, server = redis_url_for_tests()
    yield url
    if server is not None:
        server.close()
