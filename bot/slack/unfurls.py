"""A shared estimate as a Slack Work Object: the card a pasted link unfurls into (chat.unfurl's
`metadata`) and the details its flexpane shows (entity.presentDetails), built with slack_sdk's
Work Object models, which check entity and field types as Slack documents them
(https://docs.slack.dev/messaging/work-objects). Only formats an estimate already computed."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.metadata import (
    EntityAttributes,
    EntityCustomField,
    EntityMetadata,
    EntityPayload,
    EntityTitle,
    EventAndEntityMetadata,
    ExternalRef,
)

from bot.slack.headline import Headline
from bot.slack.page_view import PRODUCT

ENTITY_TYPE = "slack#/entities/item"
DISPLAY_TYPE = "Cost estimate"
EXTERNAL_TYPE = "estimate"
# What the card shows; the flexpane shows these and the rest.
CARD_FIELDS = ("first_year", "monthly_run_rate", "users", "model")
GONE_TITLE = "This estimate link no longer works"
GONE_TEXT = "It was revoked, or it expired. Ask for the estimate again with /aicost."


_LABELS = {
    "first_year": "First year",
    "monthly_run_rate": "Monthly run-rate",
    "users": "Users",
    "model": "Model",
    "one_time": "One-time",
    "team_per_year": "Team & legal",
    "multiple": "Multiple",
    "phases": "Three-phase budget (cumulative)",
}


def entity(
    page_id: str,
    url: str,
    h: Headline,
    created_at: int,
    pasted: str | None = None,
    full: bool = False,
) -> EntityMetadata:
    """The estimate as a Work Object entity: the card's four figures, or (`full`) the
    flexpane's every headline figure. `pasted`: the URL exactly as posted (chat.unfurl)."""
    values = {
        "first_year": h.first_year,
        "monthly_run_rate": h.monthly_run_rate,
        "users": h.users,
        "model": h.model,
        "one_time": h.one_time,
        "team_per_year": h.team_per_year,
        "multiple": h.multiple,
        "phases": " · ".join(h.phases),
    }
    keys = list(values) if full else list(CARD_FIELDS)
    fields = [
        EntityCustomField(
            key=key,
            label=_LABELS[key],
            type="string",
            value=values[key],
            long=True if key == "phases" else None,
        )
        for key in keys
    ]
    return EntityMetadata(
        entity_type=ENTITY_TYPE,
        external_ref=ExternalRef(id=page_id, type=EXTERNAL_TYPE),
        url=url,
        app_unfurl_url=pasted,
        entity_payload=EntityPayload(
            attributes=EntityAttributes(
                title=EntityTitle(text=h.title),
                display_type=DISPLAY_TYPE,
                product_name=PRODUCT,
                metadata_last_modified=created_at,
            ),
            custom_fields=fields,
            display_order=keys,
        ),
    )


def unfurl_metadata(entities: list[EntityMetadata]) -> dict[str, Any]:
    """chat.unfurl's `metadata`: the entities of the message's links that are ours."""
    return EventAndEntityMetadata(entities=entities).to_dict()


def details_error() -> dict[str, Any]:
    """entity.presentDetails's `error` for a link revoked, expired or not this workspace's:
    one kind sentence, nothing of the estimate."""
    return {"status": "custom", "custom_title": GONE_TITLE, "custom_message": GONE_TEXT}
