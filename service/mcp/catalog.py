"""The MCP tool list, generated from the models the webhook routes validate with.

Input schemas are pydantic models built per settings from the same pieces as the routes' parameters
and the webhook tool JSON (`service/tools/schemas.py`: descriptions, `CreateFields`, the allow-list),
so the three ways to reach the tools cannot describe different tools. `object_type` lists its values
as a JSON-schema `enum` but validates as a plain string: an object outside the list gets the tools'
own speakable `unknown_object` answer, as on the webhook, rather than a schema error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import mcp_types as types
from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import SkipJsonSchema

from service.settings import Settings
from service.tools import schemas as s

# Where a caller may put the conversation id when it can't set the header: the tools/call `_meta`.
CONVERSATION_META_KEY = "conversation_id"


class SearchArgs(BaseModel):
    """Placeholder base of the per-settings search arguments (see `tool_models`)."""

    q: str


class GetArgs(BaseModel):
    """Placeholder base of the per-settings get arguments."""

    object_type: str
    record_id: str


class CreateArgs(BaseModel):
    """Placeholder base of the per-settings create arguments."""

    object_type: str
    record_data: s.CreateFields
    dry_run: bool = False


@dataclass(frozen=True)
class ToolModels:
    """The argument model of each tool, with the settings' descriptions and enums."""

    search: type[SearchArgs]
    get: type[GetArgs]
    create: type[CreateArgs]


def _object_type(description: str, names: tuple[str, ...]) -> Any:
    return Annotated[str, Field(max_length=80, description=description, json_schema_extra={"enum": list(names)})]


def tool_models(settings: Settings) -> ToolModels:
    """Argument models whose limits and texts are those of the webhook routes for `settings`."""
    search = create_model(
        "SearchArgs",
        __base__=SearchArgs,
        q=(Annotated[str, Field(min_length=1, max_length=4000, description=s.q_description(settings))], ...),
    )
    get = create_model(
        "GetArgs",
        __base__=GetArgs,
        object_type=(_object_type(s.object_type_description(settings), settings.allowed_object_names), ...),
        record_id=(Annotated[str, Field(max_length=40, description=s.RECORD_ID_DESCRIPTION)], ...),
    )
    create = create_model(
        "CreateArgs",
        __base__=CreateArgs,
        object_type=(_object_type(s.create_object_type_description(settings), s.create_objects(settings)), ...),
        record_data=(Annotated[s.CreateFields, Field(description=s.BODY_DESCRIPTION)], ...),
        # Accepted as on the webhook route, but not offered to the agent's LLM (the tool JSON doesn't either).
        dry_run=(SkipJsonSchema[bool], Field(False, description=s.DRY_RUN_DESCRIPTION)),
    )
    return ToolModels(search=search, get=get, create=create)


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    return schema


def tool_list(settings: Settings, models: ToolModels) -> list[types.Tool]:
    """The three tools as MCP `Tool`s: same names and descriptions as the webhooks."""
    read_only = types.ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=True)
    return [
        types.Tool(
            name=s.SEARCH_TOOL,
            title="Search Salesforce records",
            description=s.SEARCH_DESCRIPTION,
            input_schema=_schema(models.search),
            output_schema=_schema(s.SearchResponse),
            annotations=read_only,
        ),
        types.Tool(
            name=s.GET_TOOL,
            title="Get a Salesforce record",
            description=s.GET_DESCRIPTION,
            input_schema=_schema(models.get),
            output_schema=_schema(s.GetRecordResponse),
            annotations=read_only,
        ),
        types.Tool(
            name=s.CREATE_TOOL,
            title="Create a Salesforce record",
            description=s.create_description(settings),
            input_schema=_schema(models.create),
            output_schema=_schema(s.CreateRecordResponse),
            # Not read-only; idempotent within a conversation (a repeat returns the first result).
            annotations=types.ToolAnnotations(
                read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True
            ),
        ),
    ]
