"""What every request passes before a route sees it: a UTF-8 target, and a bounded body.

A pure ASGI middleware (it must see the body as it streams, which
``BaseHTTPMiddleware`` hides):

- a path or a query-string parameter that is not UTF-8 once percent-decoded is a
  400 naming the parameter (servers and Starlette would decode it to U+FFFD);
- a ``Content-Length`` past ``max_body_bytes`` is a 413 before any byte is read;
- while the route reads the body, more than ``max_body_bytes`` (chunked bodies
  too) is a 413, and a body not complete ``body_timeout_s`` after the request
  started is a 408 (a client sending a byte a second holds nothing for long);
- a response sent before the body was read to its end (a 401 from the token
  check, a 413, a 408) carries ``Connection: close``: the server closes the
  connection instead of draining, or waiting for, a body it has refused.

The limits are enforced as the body is received, so a route can only ever hold
``max_body_bytes`` of it; routes check the curator token before they read
(:mod:`api.body`).
"""

from __future__ import annotations

import time
from urllib.parse import unquote_to_bytes

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gbkg.api.errors import HTTPProblem, problem

CLOSE = (b"connection", b"close")


class RequestGuard:
    """The middleware; ``create_app`` installs it with the settings' limits."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, body_timeout_s: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = BoundedBody(
            receive,
            expected=_expects_body(scope),
            limit=self.max_body_bytes,
            deadline=time.monotonic() + self.body_timeout_s,
            timeout_s=self.body_timeout_s,
        )

        async def send_closing_if_unread(message: Message) -> None:
            if message["type"] == "http.response.start" and not body.complete:
                message = {**message, "headers": [*message.get("headers", []), CLOSE]}
            await send(message)

        refusal = _refuse_target(scope) or _refuse_length(scope, self.max_body_bytes)
        if refusal is not None:
            response = problem(refusal.status, refusal.title, refusal.detail, **refusal.extra)
            await response(scope, body.receive, send_closing_if_unread)
            return
        await self.app(scope, body.receive, send_closing_if_unread)


class BoundedBody:
    """The request's ``receive``, counting the body's bytes against a size and a deadline."""

    def __init__(
        self, receive: Receive, *, expected: bool, limit: int, deadline: float, timeout_s: float
    ) -> None:
        self._receive = receive
        self.complete = not expected
        self.size = 0
        self.limit = limit
        self.deadline = deadline
        self.timeout_s = timeout_s

    async def receive(self) -> Message:
        if self.complete:
            return await self._receive()
        message: Message | None = None
        with anyio.move_on_after(max(0.0, self.deadline - time.monotonic())):
            message = await self._receive()
        if message is None:
            raise HTTPProblem(
                408,
                "Request timeout",
                f"the request body did not arrive within {self.timeout_s:g} s",
            )
        if message["type"] == "http.request":
            self.size += len(message.get("body", b""))
            if self.size > self.limit:
                raise _too_large(self.limit)
            if not message.get("more_body", False):
                self.complete = True
        return message


def _expects_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


def _too_large(limit: int) -> HTTPProblem:
    return HTTPProblem(413, "Payload too large", f"the body is larger than {limit} bytes")


def _refuse_length(scope: Scope, limit: int) -> HTTPProblem | None:
    for name, value in scope["headers"]:
        if name != b"content-length":
            continue
        if not value.strip().isdigit():
            return HTTPProblem(400, "Bad request", "Content-Length is not a number of bytes")
        if int(value) > limit:
            return HTTPProblem(
                413,
                "Payload too large",
                f"the body is {int(value)} bytes; this service accepts at most {limit}",
            )
    return None


def _refuse_target(scope: Scope) -> HTTPProblem | None:
    """A 400 when the path or a query-string parameter is not UTF-8 once percent-decoded."""
    raw_path = scope.get("raw_path")
    if raw_path is not None and not _is_utf8(unquote_to_bytes(raw_path)):
        return HTTPProblem(
            400, "Bad request", "the request path is not valid UTF-8 once percent-decoded"
        )
    for pair in scope.get("query_string", b"").split(b"&"):
        raw_name, _, raw_value = pair.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" "))
        if not _is_utf8(name):
            shown = name.decode("utf-8", "backslashreplace")
            return HTTPProblem(
                400,
                "Bad parameter",
                f"a query-string parameter name ({shown}) is not valid UTF-8 once percent-decoded",
                parameter=shown,
            )
        if not _is_utf8(unquote_to_bytes(raw_value.replace(b"+", b" "))):
            text = name.decode("utf-8")
            return HTTPProblem(
                400,
                "Bad parameter",
                f"query-string parameter {text!r} is not valid UTF-8 once percent-decoded",
                parameter=text,
            )
    return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
