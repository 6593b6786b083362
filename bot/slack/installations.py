"""Installations of the distributed app: who installed it, and the bot token to use for them.

Kept by slack_sdk's SQLAlchemy stores (a SQLite file by default, PostgreSQL by URL). Every token
column is encrypted with Fernet before it reaches the database, so a copy of the database alone
reveals no token. `bot_token` is the one lookup anything outside a Slack request needs (a
worker, a job consumer): workspace or organisation in, a valid bot token out, refreshed first
when the app uses token rotation.

Every database operation has one deadline (INSTALLATION_DB_TIMEOUT_SECONDS: connecting, waiting
for a pooled connection and the query together), so a hung or refusing database costs a request
that long and then DatabaseUnavailable, which the server turns into a 503 or a sentence.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from sqlalchemy import Text, delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.types import TypeDecorator

from bot.slack.config import INSTALLATION_DB_SECONDS

log = logging.getLogger(__name__)
T = TypeVar("T")

# Bot scopes asked for on "Add to Slack"; the same list as deploy/manifest.yml.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "files:write",  # the chart and the CSV/JSON export, uploaded into the thread
    "app_mentions:read",
    "channels:history",
    "groups:history",
    "users:read",  # who may change workspace settings (admins and owners)
    "im:write",  # conversations.open: an estimate started from Home goes to the app's DM
    "im:history",  # message.im: messages to the app in its Messages tab
    "assistant:write",  # the Messages tab: suggested prompts, a thread's loading status
    "links:read",  # link_shared: an estimate's page link pasted into a message
    "links:write",  # chat.unfurl: that link shown as a Work Object card
)
STATE_EXPIRY_SECONDS = 600  # an "Add to Slack" click must come back within ten minutes
# "Add to Slack" clicks waiting to come back; anyone can click, so past this the oldest go.
MAX_PENDING_STATES = 10_000
# Refresh a rotating token this long before it expires (Bolt's default, too).
ROTATION_MARGIN_MINUTES = 120
_TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


class _EncryptedToken(TypeDecorator[str]):
    """A token column stored as Fernet ciphertext. Text, not the store's VARCHAR(200): a
    rotating token is ~150 characters and its ciphertext about twice that."""

    impl = Text
    cache_ok = True

    def __init__(self, fernet: Fernet) -> None:
        super().__init__()
        self.fernet = fernet

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return self.fernet.encrypt(value.encode()).decode()

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return self.fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            # Another key wrote it (TOKEN_ENCRYPTION_KEY changed): that workspace reinstalls.
            log.error("a stored token cannot be decrypted with TOKEN_ENCRYPTION_KEY")
            return None


class DatabaseUnavailable(Exception):
    """The installation database refused, failed or did not answer within its deadline."""


_abandoned: set[asyncio.Task[Any]] = set()  # operations past their deadline, still unwinding


async def _within(seconds: float, operation: Awaitable[T]) -> T:
    """One database operation, bounded; any failure of it becomes DatabaseUnavailable. Past the
    deadline it is cancelled and left to unwind on its own: closing a connection to a hung
    server waits too, and the caller must not."""
    task = asyncio.ensure_future(operation)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        task.cancel()
        _abandoned.add(task)
        task.add_done_callback(_forget)
        raise DatabaseUnavailable(f"no answer within {seconds:g} s")
    try:
        return task.result()
    except Exception as exc:  # drivers raise their own errors (OSError, asyncpg's, sqlite's)
        cause = exc.__cause__ or exc
        raise DatabaseUnavailable(type(cause).__name__) from exc


def _forget(task: asyncio.Task[Any]) -> None:
    _abandoned.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: its unwinding failed too, which is no news


class EncryptedInstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's store with encrypted token columns and a deadline on every call Bolt makes."""

    def __init__(self, client_id: str, engine: AsyncEngine, fernet: Fernet, seconds: float) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self.seconds = seconds
        for table in (self.installations, self.bots):
            for name in _TOKEN_COLUMNS:
                if name in table.c:
                    table.c[name].type = _EncryptedToken(fernet)

    async def async_save(self, *args: Any, **kwargs: Any) -> None:
        await _within(self.seconds, super().async_save(*args, **kwargs))

    async def async_save_bot(self, *args: Any, **kwargs: Any) -> None:
        await _within(self.seconds, super().async_save_bot(*args, **kwargs))

    async def async_find_bot(self, *args: Any, **kwargs: Any) -> Any:
        return await _within(self.seconds, super().async_find_bot(*args, **kwargs))

    async def async_find_installation(self, *args: Any, **kwargs: Any) -> Any:
        return await _within(self.seconds, super().async_find_installation(*args, **kwargs))

    async def async_delete_bot(self, *args: Any, **kwargs: Any) -> None:
        await _within(self.seconds, super().async_delete_bot(*args, **kwargs))

    async def async_delete_installation(self, *args: Any, **kwargs: Any) -> None:
        await _within(self.seconds, super().async_delete_installation(*args, **kwargs))


class BoundedStateStore(AsyncSQLAlchemyOAuthStateStore):
    """OAuth states ("Add to Slack" clicks) that go away: each new one first deletes the expired
    ones and, past MAX_PENDING_STATES, the oldest, so anonymous clicks cannot grow the table.
    Database failures are raised (slack_sdk's store reads them as "no such state")."""

    def __init__(self, engine: AsyncEngine, seconds: float, limit: int = MAX_PENDING_STATES):
        super().__init__(expiration_seconds=STATE_EXPIRY_SECONDS, engine=engine)
        self.seconds = seconds
        self.limit = limit

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        await _within(self.seconds, self._purge())
        return await _within(self.seconds, super().async_issue(*args, **kwargs))

    async def _purge(self) -> None:
        c = self.oauth_states.c
        async with self.engine.begin() as conn:
            await conn.execute(delete(self.oauth_states).where(c.expire_at <= _now()))
            kept = select(c.id).order_by(c.id.desc()).offset(self.limit - 1).limit(1)
            await conn.execute(delete(self.oauth_states).where(c.id <= kept.scalar_subquery()))

    async def async_consume(self, state: str) -> bool:
        return await _within(self.seconds, self._consume(state))

    async def _consume(self, state: str) -> bool:
        c = self.oauth_states.c
        async with self.engine.begin() as conn:
            fresh = (c.state == state) & (c.expire_at > _now())
            deleted = await conn.execute(delete(self.oauth_states).where(fresh))
            return bool(deleted.rowcount)

    async def count(self) -> int:
        return await _within(self.seconds, self._count())

    async def _count(self) -> int:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(func.count()).select_from(self.oauth_states))
            return int(rows.scalar_one())


def _now() -> dt.datetime:
    # As slack_sdk stores expire_at: UTC without a time zone.
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def database_url(path: str, url: str | None) -> str:
    """An async SQLAlchemy URL: PostgreSQL through asyncpg, else SQLite through aiosqlite."""
    if url:
        for plain in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
            if url.startswith(plain):
                return "postgresql+asyncpg://" + url[len(plain) :]
        if url.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + url[len("sqlite://") :]
        return url
    return f"sqlite+aiosqlite:///{path}"


@dataclass
class Installations:
    store: EncryptedInstallationStore
    states: BoundedStateStore
    rotator: AsyncTokenRotator
    engine: AsyncEngine
    seconds: float  # the deadline of one database operation

    async def create_tables(self) -> None:
        await _within(self.seconds, self.store.create_tables())
        await _within(self.seconds, self.states.create_tables())

    async def ping(self) -> bool:
        """Whether the database answers a query within the deadline (/readyz)."""
        try:
            await _within(self.seconds, self._select_one())
        except DatabaseUnavailable as exc:
            log.warning("the installation database does not answer (%s)", exc)
            return False
        return True

    async def _select_one(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(select(1))

    async def bot_token(self, *, enterprise_id: str | None, team_id: str | None) -> str | None:
        """The bot token for a workspace (team_id) or an org-wide install (enterprise_id alone),
        refreshed and saved first when it rotates and is near expiry; None when not installed."""
        org_wide = team_id is None
        bot = await self.store.async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=org_wide
        )
        if bot is None and enterprise_id and not org_wide:  # a workspace of an org-wide install
            bot = await self.store.async_find_bot(
                enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True
            )
        if bot is None or bot.bot_token is None:
            return None
        if bot.bot_refresh_token is not None:
            refreshed = await self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATION_MARGIN_MINUTES
            )
            if refreshed is not None:
                await self.store.async_save_bot(refreshed)
                bot = refreshed
        return bot.bot_token

    async def token_for(self, workspace: str, enterprise: str | None = None) -> str | None:
        """The bot token for a conversation's owner as state keys name it (`Where.team`): an
        organisation (E…) for an org-wide install, else a workspace (T…) and its organisation
        (`Where.enterprise`) if it belongs to one."""
        if workspace.startswith("E"):
            return await self.bot_token(enterprise_id=workspace, team_id=None)
        return await self.bot_token(enterprise_id=enterprise, team_id=workspace)

    async def delete(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Every installation and bot of a workspace or organisation (app_uninstalled)."""
        await _within(
            self.seconds,
            self.store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id),
        )

    async def close(self) -> None:
        """Close the pooled connections; ones a hung database does not let go are dropped."""
        try:
            async with asyncio.timeout(self.seconds):
                await self.engine.dispose()
        except Exception as exc:
            log.warning("the installation database did not close in time (%s)", type(exc).__name__)
            await self.engine.dispose(close=False)


def make_installations(
    *,
    client_id: str,
    client_secret: str,
    encryption_key: str,
    db_path: str,
    db_url: str | None,
    api_url: str,
    seconds: float = INSTALLATION_DB_SECONDS,
) -> Installations:
    engine = _engine(database_url(db_path, db_url), seconds)
    fernet = Fernet(encryption_key)
    from slack_sdk.web.async_client import AsyncWebClient

    rotator = AsyncTokenRotator(
        client_id=client_id,
        client_secret=client_secret,
        client=AsyncWebClient(base_url=api_url),
    )
    return Installations(
        store=EncryptedInstallationStore(client_id, engine, fernet, seconds),
        states=BoundedStateStore(engine, seconds),
        rotator=rotator,
        engine=engine,
        seconds=seconds,
    )


def _engine(url: str, seconds: float) -> AsyncEngine:
    """The engine, with the drivers' own timeouts at the same deadline, so an abandoned connect
    or query is given up by the driver too and not left running."""
    if url.startswith("postgresql+asyncpg"):
        return create_async_engine(
            url,
            pool_pre_ping=True,
            pool_timeout=seconds,
            connect_args={"timeout": seconds, "command_timeout": seconds},
        )
    # SQLite: how long to wait for another writer's lock.
    return create_async_engine(url, pool_pre_ping=True, connect_args={"timeout": seconds})
