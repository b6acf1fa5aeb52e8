"""Request bodies: media type, reading, and decoding off the event loop.

Routes that take a body read it themselves, after their dependencies (the
curator token above all) have run: FastAPI reads declared ``Body()`` parameters
*before* dependencies, so a route declaring one would read a body it is about to
refuse. The size and time limits apply while the body streams
(:mod:`api.request_guard`); decoding (JSON, RDF) and turning it into a claim run
in worker threads, at most ``GBKG_BODY_WORKERS`` at once, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

import anyio
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from gbkg.api.deps import get_services
from gbkg.api.errors import HTTPProblem
from gbkg.api.negotiation import context_url
from gbkg.kg.errors import ParseError
from gbkg.kg.formats import JsonFormat, claim_format_of_media_type, claim_media_types
from gbkg.kg.io import read_claim
from gbkg.kg.json_input import decode_json
from gbkg.kg.model import ClaimIn
from gbkg.kg.settings import Settings

JSON = JsonFormat.JSON.value

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    """The request's media type, lowercased, and its parameters."""
    raw = request.headers.get("content-type", "")
    parts = [p.strip() for p in raw.split(";")]
    params = {}
    for p in parts[1:]:
        key, _, value = p.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return parts[0].lower(), params


def require_media_type(request: Request, accepted: Sequence[str], what: str) -> str:
    """The request's media type if it is one of ``accepted`` (in UTF-8); 415 otherwise."""
    kind, params = media_type(request)
    if kind not in accepted:
        raise HTTPProblem(
            415,
            "Unsupported media type",
            f"{what} is sent as one of: {', '.join(accepted)} (got {kind or 'no Content-Type'})",
        )
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HTTPProblem(
            415, "Unsupported media type", f"charset {charset} is not supported; use UTF-8"
        )
    return kind


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 past ``limit`` bytes (checked while it streams).

    :mod:`api.request_guard` enforces ``GBKG_MAX_BODY_BYTES`` and the time limit on
    every request; ``limit`` lets a route ask for less.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> HTTPProblem:
    return HTTPProblem(413, "Payload too large", f"the body is larger than {limit} bytes")


async def in_worker(request: Request, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work(*args, **kwargs)`` in a worker thread, at most ``GBKG_BODY_WORKERS`` at once."""
    limiter = get_services(request).body_limiter
    return await anyio.to_thread.run_sync(partial(work, *args, **kwargs), limiter=limiter)


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"the body is not UTF-8 (byte {error.start})") from None


async def read_json(request: Request, settings: Settings) -> Any:
    """The decoded JSON body (``application/json``, or no Content-Type)."""
    if request.headers.get("content-type"):
        require_media_type(request, [JSON], "this body")
    body = await read_body(request, settings.max_body_bytes)
    return await in_worker(request, lambda: decode_json(_text(body)))


async def read_model(request: Request, model: type[M], settings: Settings) -> M:
    """The JSON body as ``model``; its field errors are a 422 naming the fields."""
    data = await read_json(request, settings)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None


async def claim_body(request: Request, settings: Settings) -> ClaimIn:
    """The one claim of the body: JSON (the claim record), Turtle, JSON-LD, TriG,
    N-Triples or N-Quads, read by :func:`kg.io.read_claim` (as ``gbkg load`` reads files).

    A claim may make at most ``GBKG_MAX_CLAIM_TRIPLES`` triples: RDF is counted while
    it is parsed, JSON by its values (each becomes at least one triple), and the claim
    as stored by :class:`~kg.curation.ClaimService`.
    """
    kind = require_media_type(request, claim_media_types(), "a claim")
    fmt = claim_format_of_media_type(kind)
    assert fmt is not None
    body = await read_body(request, settings.max_body_bytes)
    return await in_worker(
        request,
        read_claim,
        body,
        fmt,
        base_iri=str(request.url.replace(query="", fragment="")),
        max_triples=settings.max_claim_triples,
        contexts=(context_url(request),),
    )
