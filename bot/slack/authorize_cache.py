"""Distributed mode's authorize: each request's installation found in the installation store,
and who its bot is (auth.test) asked of Slack once per token, not before every acknowledgement.

Bolt's installation-store authorize calls auth.test on every request unless its cache is on; its
cache is a plain dict that keeps every token it saw. Here the cache is bounded and its entries
expire, so a long-running bot neither grows without end nor trusts an answer for ever. A revoked
or uninstalled installation is found nowhere in the store, so it is refused before the cache is
looked at; a rotated token is a new key.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableMapping
from logging import Logger
from typing import Any

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_sdk.web.async_client import AsyncWebClient

CACHE_SECONDS = 600.0  # who a token's bot is hardly changes; a renamed bot shows within this
CACHE_TOKENS = 10_000  # installations remembered at once, least recently used dropped first


class ExpiringCache(MutableMapping[str, Any]):
    """A bounded mapping whose entries are gone `seconds` after they were set."""

    def __init__(
        self, seconds: float, size: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds, self.size, self.clock = seconds, size, clock
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def __getitem__(self, key: str) -> Any:
        expires, value = self._items[key]
        if self.clock() >= expires:
            del self._items[key]
            raise KeyError(key)
        self._items.move_to_end(key)
        return value

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __setitem__(self, key: str, value: Any) -> None:
        self._items[key] = (self.clock() + self.seconds, value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)


def cached_authorize(
    installation_store: Any,
    client_id: str | None,
    client_secret: str | None,
    client: AsyncWebClient,
    logger: Logger,
) -> AsyncInstallationStoreAuthorize:
    authorize = AsyncInstallationStoreAuthorize(
        installation_store=installation_store,
        client_id=client_id,
        client_secret=client_secret,
        logger=logger,
        client=client,
        cache_enabled=True,
    )
    authorize.authorize_result_cache = ExpiringCache(CACHE_SECONDS, CACHE_TOKENS)  # type: ignore[assignment]
    return authorize
