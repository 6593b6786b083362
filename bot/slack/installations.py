"""Installations of the distributed app: who installed it, and the bot token to use for them.

Kept by slack_sdk's SQLAlchemy stores (a SQLite file by default, PostgreSQL by URL). Every token
column is encrypted with Fernet before it reaches the database, so a copy of the database alone
reveals no token. `bot_token` is the one lookup anything outside a Slack request needs (a
worker, a job consumer): workspace or organisation in, a valid bot token out, refreshed first
when the app uses token rotation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from sqlalchemy import Text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

# Bot scopes asked for on "Add to Slack"; the same list as deploy/manifest.yml.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "files:write",  # the chart and the CSV/JSON export, uploaded into the thread
    "app_mentions:read",
    "channels:history",
    "groups:history",
    "users:read",  # who may change workspace settings (admins and owners)
)
STATE_EXPIRY_SECONDS = 600  # an "Add to Slack" click must come back within ten minutes
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


class EncryptedInstallationStore(AsyncSQLAlchemyInstallationStore):
    def __init__(self, client_id: str, engine: AsyncEngine, fernet: Fernet) -> None:
        super().__init__(client_id=client_id, engine=engine)
        for table in (self.installations, self.bots):
            for name in _TOKEN_COLUMNS:
                if name in table.c:
                    table.c[name].type = _EncryptedToken(fernet)


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
    states: AsyncSQLAlchemyOAuthStateStore
    rotator: AsyncTokenRotator
    engine: AsyncEngine

    async def create_tables(self) -> None:
        await self.store.create_tables()
        await self.states.create_tables()

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
        await self.store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    async def close(self) -> None:
        await self.engine.dispose()


def make_installations(
    *,
    client_id: str,
    client_secret: str,
    encryption_key: str,
    db_path: str,
    db_url: str | None,
    api_url: str,
) -> Installations:
    engine = create_async_engine(database_url(db_path, db_url), pool_pre_ping=True)
    fernet = Fernet(encryption_key)
    from slack_sdk.web.async_client import AsyncWebClient

    rotator = AsyncTokenRotator(
        client_id=client_id,
        client_secret=client_secret,
        client=AsyncWebClient(base_url=api_url),
    )
    return Installations(
        store=EncryptedInstallationStore(client_id, engine, fernet),
        states=AsyncSQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRY_SECONDS, engine=engine
        ),
        rotator=rotator,
        engine=engine,
    )
