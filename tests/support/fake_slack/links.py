"""chat.unfurl and entity.presentDetails: Work Object unfurls and their flexpane, checked as
Slack's docs describe them (https://docs.slack.dev/messaging/work-objects,
https://docs.slack.dev/reference/methods/chat.unfurl, .../entity.presentDetails).

Slack takes a malformed Work Object with `ok: true` and a `warning`, silently showing a bare
link; here every such payload is also a violation, so a test fails on it."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from .base import ApiFamily
from .records import ApiError

# Slack's entity types and custom field types (slack_sdk.models.metadata mirrors them).
ENTITY_TYPES = frozenset(
    {
        "slack#/entities/task",
        "slack#/entities/file",
        "slack#/entities/item",
        "slack#/entities/incident",
        "slack#/entities/content_item",
    }
)
FIELD_TYPES = frozenset(
    {
        "integer",
        "string",
        "array",
        "boolean",
        "slack#/types/date",
        "slack#/types/timestamp",
        "slack#/types/image",
        "slack#/types/channel_id",
        "slack#/types/user",
        "slack#/types/entity_ref",
        "slack#/types/link",
        "slack#/types/email",
    }
)
UNFURL_SOURCES = frozenset({"composer", "conversations_history"})
ERROR_STATUSES = frozenset({"restricted", "internal_error", "not_found", "custom"})


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def entity_problems(entity: Any, *, unfurl: bool) -> list[str]:
    """What Slack would refuse in one Work Object entity (empty when it is well formed)."""
    if not isinstance(entity, dict):
        return ["an entity is not an object"]
    problems = []
    if entity.get("entity_type") not in ENTITY_TYPES:
        problems.append(f"unknown entity_type {entity.get('entity_type')!r}")
    if not str((entity.get("external_ref") or {}).get("id") or ""):
        problems.append("external_ref.id is missing")
    if not str(entity.get("url") or "").startswith(("https://", "http://")):
        problems.append("url is missing")
    if unfurl and not entity.get("app_unfurl_url"):
        problems.append("app_unfurl_url is required in chat.unfurl")
    payload = entity.get("entity_payload") or {}
    title = ((payload.get("attributes") or {}).get("title") or {}).get("text")
    if not isinstance(title, str) or not title.strip():
        problems.append("entity_payload.attributes.title.text is missing")
    keys = set()
    for field in payload.get("custom_fields") or []:
        if not all(field.get(k) for k in ("key", "label", "type")):
            problems.append(f"a custom field lacks key, label or type: {field}")
            continue
        if field["type"] not in FIELD_TYPES:
            problems.append(f"custom field {field['key']}: unknown type {field['type']!r}")
        if field.get("value") in (None, ""):
            problems.append(f"custom field {field['key']} has no value")
        keys.add(field["key"])
    keys |= set((payload.get("fields") or {}).keys())
    unknown = [k for k in payload.get("display_order") or [] if k not in keys]
    if unknown:
        problems.append(f"display_order names fields that are not there: {unknown}")
    return problems


class LinksApi(ApiFamily):
    METHODS: ClassVar[dict[str, str]] = {
        "chat.unfurl": "_chat_unfurl",
        "entity.presentDetails": "_entity_present_details",
    }

    def _chat_unfurl(self, args: dict[str, Any]) -> dict[str, Any]:
        if "links:write" not in self.scopes:
            raise ApiError("missing_scope", needed="links:write", provided=",".join(self.scopes))
        by_message = args.get("channel") and args.get("ts")
        by_unfurl_id = args.get("unfurl_id") and args.get("source") in UNFURL_SOURCES
        if not (by_message or by_unfurl_id):
            self.violations.append("chat.unfurl: neither channel and ts nor unfurl_id and source")
            raise ApiError("invalid_arguments")
        metadata, unfurls = _decoded(args.get("metadata")), _decoded(args.get("unfurls"))
        if not metadata and not unfurls:
            raise ApiError("missing_unfurls")
        problems = []
        if metadata is not None:
            entities = metadata.get("entities") if isinstance(metadata, dict) else None
            if not isinstance(entities, list) or not entities:
                problems.append("metadata.entities is not a list of entities")
            for entity in entities or []:
                problems += entity_problems(entity, unfurl=True)
        return self._taken("chat.unfurl", problems)

    def _entity_present_details(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            raise ApiError("invalid_trigger_id")
        metadata, error = _decoded(args.get("metadata")), _decoded(args.get("error"))
        problems = []
        if metadata is not None:
            problems += entity_problems(metadata, unfurl=False)
        elif not isinstance(error, dict) or error.get("status") not in ERROR_STATUSES:
            problems.append("neither metadata nor an error with a known status")
        elif error["status"] == "custom" and not error.get("custom_message"):
            problems.append("a custom error without custom_message")
        return self._taken("entity.presentDetails", problems)

    def _taken(self, method: str, problems: list[str]) -> dict[str, Any]:
        """Slack's answer to a Work Object it could not read: ok, with a warning."""
        if not problems:
            return {"ok": True}
        self.violations.extend(f"{method}: {p}" for p in problems)
        return {
            "ok": True,
            "warning": "invalid_metadata_format",
            "response_metadata": {"messages": problems},
        }
