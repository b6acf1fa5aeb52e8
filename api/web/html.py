"""Which requests get a page, and how a page is rendered.

A page route is registered at the resource's own URL (``/claims/{id}``,
``/entities/{curie}``, ``/evidence``, ``/paths``, ``/sparql``, ``/``) with
:class:`HtmlRoute`, ahead of the JSON/RDF route at the same path. It matches only a
request whose ``Accept`` prefers ``text/html`` (named explicitly) to every format the
resource has; any other request falls through to the API route, so every JSON, RDF
and SPARQL client keeps its formats.

>>> wants_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
True
>>> wants_html("*/*"), wants_html(None), wants_html("application/sparql-results+json")
(False, False, False)
>>> wants_html("application/json, text/html;q=0.5")
False
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gbkg.api.errors import HTTPProblem, status_of
from gbkg.api.negotiation import RDF_MEDIA_TYPES, choose, parse_accept
from gbkg.kg import errors
from gbkg.kg.sparql_formats import GraphFormat, ResultFormat

HTML = "text/html"
#: Everything a page's resource is also served as; HTML is offered last, so a wildcard
#: (``*/*``) never picks it.
OTHERS: list[str] = list(
    dict.fromkeys(
        ["application/json", *RDF_MEDIA_TYPES, *(f.value for f in (*ResultFormat, *GraphFormat))]
    )
)


def wants_html(accept: str | None) -> bool:
    """Whether a client sending ``accept`` prefers a page to every other format."""
    if not accept or HTML not in accept.lower():
        return False
    return choose(parse_accept(accept), [*OTHERS, HTML]) == HTML


class HtmlRoute(APIRoute):
    """A route that matches only requests that want HTML; a domain error becomes an
    HTML error page with its status."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        headers = dict(scope.get("headers") or [])
        accept = headers.get(b"accept", b"").decode("latin-1")
        if not wants_html(accept):
            return Match.NONE, {}
        return super().matches(scope)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except errors.KGError as error:
                return error_page(request, status_of(error), error.title, error.message)
            except HTTPProblem as error:
                return error_page(request, error.status, error.title, error.detail)
            except StarletteHTTPException as error:
                return error_page(request, error.status_code, "Error", str(error.detail))

        return handle


#: The vendored assets, the stylesheet and the page modules (served at ``/static``).
STATIC_DIR = str(files("gbkg.api").joinpath("static"))
templates = Jinja2Templates(directory=str(files("gbkg.api").joinpath("templates")))
templates.env.globals["site_name"] = "gut-brain-kg"


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Template ``name`` with ``context``; ``Vary: Accept`` (the URL also serves data)."""
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Vary"] = "Accept"
    return response


def error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status, title=title, detail=detail)


#: The URLs that are a page for a browser and data for everyone else.
PAGE_PATHS = ("/", "/claims/", "/entities/", "/evidence", "/paths", "/sparql")


class VaryAccept:
    """Adds ``Vary: Accept`` to every GET answer at a URL that is also a page, so that a
    cache keeps the page and the data apart (the page routes set it themselves)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not (path == "/" or any(path.startswith(p) for p in PAGE_PATHS[1:]))
        ):
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                vary = headers.get("vary", "")
                if "accept" not in {v.strip().lower() for v in vary.split(",")}:
                    headers["Vary"] = f"{vary}, Accept" if vary else "Accept"
            await send(message)

        await self.app(scope, receive, sending)
