"""``POST /suggest``: candidate claims read from a text (curators); nothing is stored.

The body is JSON ``{"text": "...", "source": {...}, "validate": true}``, at most
``GBKG_MAX_BODY_BYTES``. Reading runs in the threadpool (it is CPU work: segmentation,
matching, and one SHACL validation per candidate), never on the event loop.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gbkg.api.auth import CuratorDep
from gbkg.api.body import media_type, read_body
from gbkg.api.deps import SettingsDep, SuggesterDep
from gbkg.api.errors import PROBLEM_JSON, HTTPProblem
from gbkg.kg.errors import ParseError
from gbkg.kg.model import Source
from gbkg.kg.suggest.candidate import Suggestions
from gbkg.kg.suggest.engine import MAX_TEXT

router = APIRouter(tags=["suggest"])


class SuggestIn(BaseModel):
    """A text to read and where it comes from."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT, description="the source's text, UTF-8")
    source: Source | None = Field(
        default=None, description="the source the text is from, as in a claim's `source`"
    )
    validate_candidates: bool = Field(
        default=True,
        alias="validate",
        description="run the checks of POST /claims/validate on every candidate",
    )


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed JSON", "content": {PROBLEM_JSON: {}}},
    401: {"description": "No or wrong curator token", "content": {PROBLEM_JSON: {}}},
    413: {"description": "Body too large", "content": {PROBLEM_JSON: {}}},
    415: {"description": "Not JSON", "content": {PROBLEM_JSON: {}}},
}


@router.post(
    "/suggest",
    summary="Candidate claims read from a text (curators); nothing is stored",
    description=(
        "Reads the text and returns candidate claims, each a draft in the claim JSON with "
        "its `confidence`, the `reasons` (the cue that decided each field, with offsets "
        "into the text), the values the claim record cannot hold yet (`extracted`) and "
        "the result of `POST /claims/validate` on it. A curator accepts (POST /claims), "
        "edits or discards each one."
    ),
    response_model=Suggestions,
    response_model_exclude_none=True,
    responses=ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": SuggestIn.model_json_schema()}},
        }
    },
)
async def suggest(
    request: Request, curator: CuratorDep, settings: SettingsDep, suggester: SuggesterDep
) -> Suggestions:
    body = await _read(request, settings.max_body_bytes)
    return await run_in_threadpool(
        suggester.suggest,
        body.text,
        body.source.model_dump(mode="json", exclude_none=True) if body.source else None,
        validate=body.validate_candidates,
    )


async def _read(request: Request, limit: int) -> SuggestIn:
    kind, params = media_type(request)
    if kind != "application/json":
        raise HTTPProblem(
            415,
            "Unsupported media type",
            f"send the text as JSON (application/json), got {kind or 'no Content-Type'}",
        )
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HTTPProblem(415, "Unsupported media type", f"charset {charset}: send UTF-8")
    raw = await read_body(request, limit)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ParseError(f"the body is not UTF-8 (byte {error.start})") from None
    except RecursionError:
        raise ParseError("the body is not valid JSON: nested too deeply") from None
    except json.JSONDecodeError as error:
        raise ParseError(
            f"the body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            line=error.lineno,
            column=error.colno,
        ) from None
    try:
        return SuggestIn.model_validate(data)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from None
