"""One exception handler: every error leaves as ``application/problem+json`` (RFC 9457).

Each :class:`kg.errors.KGError` subclass maps to one status; request-validation
errors from FastAPI become 422 problems naming the field; anything unexpected is
a 500 whose body says nothing of internals (the traceback goes to the log).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from gbkg.kg import errors

log = logging.getLogger("gbkg.api")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://w3id.org/gbkg/problems/"

STATUS: list[tuple[type[errors.KGError], int]] = [
    (errors.ValidationFailed, 422),
    (errors.ForbiddenQueryError, 400),
    (errors.QueryLimitError, 503),
    (errors.QueryOverloadError, 429),
    (errors.TooLargeError, 413),
    (errors.InputError, 400),
    (errors.NotFoundError, 404),
    (errors.ConflictError, 409),
    (errors.StoreError, 503),
    (errors.KGError, 500),
]


class Problem(BaseModel):
    """An error (RFC 9457 problem details); some errors add fields, listed here."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["https://w3id.org/gbkg/problems/bad-parameter"])
    title: str = Field(examples=["Bad parameter"])
    status: int = Field(examples=[400])
    detail: str = Field(examples=["parameter 'entity' must be a CURIE with a known prefix"])
    parameter: str | None = Field(default=None, description="the parameter at fault")
    violations: list[dict[str, Any]] | None = Field(
        default=None, description="SHACL or form violations (422 on claims)"
    )
    invalid: list[dict[str, Any]] | None = Field(
        default=None, description="request fields that failed validation (422)"
    )


def problem_response(description: str) -> dict[str, Any]:
    """An OpenAPI response entry for a problem."""
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": Problem.model_json_schema()}},
    }


#: Documented on every route: what any request can get back.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: problem_response("Malformed input or an unknown identifier or parameter"),
    422: problem_response("Invalid request fields (or, on claims, SHACL violations)"),
    500: problem_response("Internal error (no details are given)"),
}


class HTTPProblem(Exception):
    """An HTTP-level refusal that is not a domain error (401, 406, 413, 415)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem(
    status: int, title: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    slug = title.lower().replace(" ", "-")
    body = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_of(error: errors.KGError) -> int:
    return next(code for cls, code in STATUS if isinstance(error, cls))


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(errors.KGError)
    async def _domain(request: Request, error: errors.KGError) -> JSONResponse:
        extra: dict[str, Any] = {k: v for k, v in error.details.items() if v is not None}
        if isinstance(error, errors.ValidationFailed):
            extra["violations"] = [v.as_json() for v in error.violations]
        status = status_of(error)
        if status >= 500 and not isinstance(error, errors.QueryLimitError | errors.StoreError):
            log.error("unexpected domain error on %s: %s", request.url.path, error)
            return problem(status, error.title, "The server could not complete the request.")
        headers = None
        if isinstance(error, errors.QueryOverloadError):
            headers = {"Retry-After": str(error.retry_after)}
        return problem(status, error.title, error.message, headers=headers, **extra)

    @app.exception_handler(HTTPProblem)
    async def _http_problem(request: Request, error: HTTPProblem) -> JSONResponse:
        return problem(
            error.status, error.title, error.detail, headers=error.headers, **error.extra
        )

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, error: RequestValidationError) -> JSONResponse:
        invalid = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path")),
                "location": str(e["loc"][0]) if e["loc"] else "",
                "message": e["msg"],
            }
            for e in error.errors()
        ]
        fields = ", ".join(i["field"] or i["location"] for i in invalid)
        return problem(422, "Invalid request", f"invalid or missing: {fields}", invalid=invalid)

    @app.exception_handler(StarletteHTTPException)
    async def _starlette(request: Request, error: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed"}
        title = titles.get(error.status_code, "HTTP error")
        detail = error.detail if isinstance(error.detail, str) else title
        return problem(error.status_code, title, detail, headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", "The server could not complete the request.")
