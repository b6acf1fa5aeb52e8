"""Bodies are refused before they are read, read within limits, and parsed off the event loop.

- A write without a valid token is a 401 before any byte of its body is read; a
  ``Content-Length`` past ``GBKG_MAX_BODY_BYTES`` is a 413 before any byte is read;
  a chunked body is cut at the limit while it streams. 200 MB sent at the server
  this way (from a generator, over a raw socket) leaves its memory where it was.
- A body that trickles in (a byte at a time) is a 408 once ``GBKG_BODY_TIMEOUT_S``
  has passed, and the connection is closed.
- A large body (RDF or JSON) is decoded in a worker thread, with a cap on the
  triples of its claim (``GBKG_MAX_CLAIM_TRIPLES``): ``/health`` keeps answering
  meanwhile.

This module runs its own server with a 2-second body time limit.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from hostile import HostileServer, hostile_server, rss_mb

from gbkg.api.app import create_app
from gbkg.kg.settings import Settings
from gbkg.kg.store import OxigraphStore
from tests.test_model import base_claim

BODY_TIMEOUT_S = 2.0
MAX_BODY = 1_000_000
TOTAL = 200_000_000
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    yield from hostile_server(
        tmp_path_factory.mktemp("limits"), GBKG_BODY_TIMEOUT_S=str(BODY_TIMEOUT_S)
    )


def chunks(total: int) -> Iterator[bytes]:
    """``total`` bytes of a JSON-looking body, one chunk at a time, never held whole."""
    block = b" " * CHUNK
    yield b'{"reason": "'
    sent = 0
    while sent < total:
        yield block
        sent += len(block)


def read_response(sock: socket.socket, timeout: float = 30.0) -> tuple[httpx.Response, bool]:
    """The response on ``sock``, and whether the server closed the connection after it."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [
        (name.strip(), value.strip()) for name, _, value in (line.partition(":") for line in lines)
    ]
    length = int(dict(headers).get("content-length", "0"))
    while len(body) < length:
        piece = sock.recv(65536)
        if not piece:
            break
        body += piece
    try:
        closed = sock.recv(1) == b""
    except (ConnectionResetError, TimeoutError):
        closed = True
    response = httpx.Response(int(status_line.split()[1]), headers=headers, content=body)
    return response, closed


def stream_body(
    server: HostileServer,
    path: str,
    headers: dict[str, str],
    body: Iterator[bytes],
    *,
    chunked: bool,
    length: int | None = None,
) -> tuple[httpx.Response, int]:
    """Send a request whose body comes from ``body``, watching for an early answer.

    Returns the response and how many body bytes the server let through before it
    answered (or closed the connection).
    """  # fmt: skip
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}")
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        for piece in body:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            frame = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        response, _ = read_response(sock)
    return response, sent


def json_headers(server: HostileServer, *, token: bool) -> dict[str, str]:
    return {"Content-Type": "application/json", **(server.auth if token else {})}


@pytest.mark.parametrize("path", ["/claims", "/claims/0123456789abcdef0123456789abcdef/retract"])
def test_no_token_is_401_before_the_body_is_read(server: HostileServer, path: str) -> None:
    """The request announces a chunked body and sends none of it: the 401 comes at once."""
    before = server.snapshot()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        response, closed = read_response(sock)
    server.assert_refused(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert closed, "an unread body leaves the connection closed, never drained"
    server.assert_intact(before)


@pytest.mark.parametrize("token", [False, True], ids=["no token", "token"])
def test_a_declared_length_past_the_limit_is_413_before_the_body(
    server: HostileServer, token: bool
) -> None:
    before = server.snapshot()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        headers = "".join(f"{k}: {v}\r\n" for k, v in json_headers(server, token=token).items())
        sock.sendall(
            f"POST /claims/0123456789abcdef0123456789abcdef/retract HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\n{headers}Content-Length: {TOTAL}\r\n\r\n".encode()
        )
        response, closed = read_response(sock)
    server.assert_refused(response, (401, 413))
    assert closed
    server.assert_intact(before)


@pytest.mark.parametrize(
    ("path", "token", "chunked", "expected"),
    [
        ("/claims/0123456789abcdef0123456789abcdef/retract", False, False, (401, 413)),
        ("/claims/0123456789abcdef0123456789abcdef/retract", False, True, (401,)),
        ("/claims/0123456789abcdef0123456789abcdef/retract", True, True, (413,)),
        ("/claims", True, True, (413,)),
        ("/claims/validate", False, True, (413,)),
        ("/sparql", False, True, (413,)),
    ],
    ids=["retract, no token", "retract chunked, no token", "retract chunked", "add chunked",
         "validate chunked", "sparql chunked"],
)  # fmt: skip
def test_200_mb_leave_the_memory_where_it_was(
    server: HostileServer, path: str, token: bool, chunked: bool, expected: tuple[int, ...]
) -> None:
    before = server.snapshot()
    rss_before = rss_mb(server.pid)
    headers = json_headers(server, token=token)
    if path == "/sparql":
        headers["Content-Type"] = "application/sparql-query"
    response, sent = stream_body(
        server, path, headers, chunks(TOTAL), chunked=chunked, length=TOTAL + 12
    )
    server.assert_refused(response, expected)
    assert sent < 20 * MAX_BODY, f"the server let {sent} bytes through before answering"
    growth = rss_mb(server.pid) - rss_before
    assert growth < 50, f"the server's memory grew by {growth:.0f} MB"
    server.assert_intact(before)


def test_a_trickling_body_is_408_and_the_connection_closed(server: HostileServer) -> None:
    """A slowloris client: the body is announced and sent a byte every 0.2 s."""
    before = server.snapshot()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            b"POST /claims/validate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        )
        answered = False
        deadline = time.monotonic() + 10 * BODY_TIMEOUT_S + 10
        while time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0.2)
            if readable:
                answered = True
                break
            try:
                sock.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                break
        assert answered, "the server kept waiting for the body"
        response, closed = read_response(sock)
    server.assert_refused(response, 408)
    assert closed
    server.assert_intact(before)


def test_a_trickling_body_holds_nothing_else(server: HostileServer) -> None:
    """While slow clients hold their connections, others are served."""
    socks = []
    try:
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            sock.sendall(
                b"POST /claims/validate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
            )
            socks.append(sock)
        server.assert_alive()
        for sock in socks:
            response, closed = read_response(sock)
            server.assert_refused(response, 408)
            assert closed
    finally:
        for sock in socks:
            sock.close()


def big_turtle(size: int) -> bytes:
    head = b"@prefix ex: <http://example.org/> .\n"
    line = b'ex:s ex:p "%d" .\n'
    lines = [head]
    total, i = len(head), 0
    while total < size:
        lines.append(line % i)
        total += len(lines[-1])
        i += 1
    return b"".join(lines)


def many_entities(count: int) -> bytes:
    """A JSON claim describing ``count`` new entities (three values each), past the cap."""
    claim = base_claim(statement="A claim describing many entities.")
    claim["entities"] = [
        {"id": f"gbkg:many-{i}", "label": f"entity {i}", "type": "gba:MicrobialTaxon"}
        for i in range(count)
    ]
    return json.dumps(claim).encode()


def test_health_answers_while_large_bodies_are_parsed(server: HostileServer) -> None:
    """0.9 MB of Turtle and 0.7 MB of JSON, sent without a token to the dry run, two at a
    time: they are decoded in worker threads and refused at the triple cap, and /health
    answers within a second throughout."""
    before = server.snapshot()
    bodies = [(big_turtle(900_000), "text/turtle"), (many_entities(9000), "application/json")]
    assert all(len(body) < MAX_BODY for body, _ in bodies)
    results: list[int] = []

    def post_all() -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for body, media_type in bodies * 3:
                response = client.post(
                    "/claims/validate", content=body, headers={"Content-Type": media_type}
                )
                results.append(response.status_code)

    workers = [threading.Thread(target=post_all) for _ in range(2)]
    for worker in workers:
        worker.start()
    checks = 0
    while any(worker.is_alive() for worker in workers) or checks == 0:
        server.assert_alive()
        checks += 1
    for worker in workers:
        worker.join(timeout=300)
    assert results == [413] * 12, results
    server.assert_intact(before)


def test_a_body_just_under_the_triple_cap_is_read(server: HostileServer) -> None:
    """The cap counts triples, not bytes: a claim with a few hundred is fine."""
    extra = "".join(f' ; <http://example.org/p{i}> "{i}"' for i in range(300))
    turtle = f"@prefix gba: <https://w3id.org/gbkg/ontology#> .\n<#c> a gba:Claim{extra} .\n"
    response = server.client.post(
        "/claims/validate", content=turtle.encode(), headers={"Content-Type": "text/turtle"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is False


def test_a_json_claim_past_the_triple_cap_is_413(server: HostileServer) -> None:
    """The cap holds for the triples a JSON claim makes: 2,000 new entities are too many."""
    claim = base_claim(statement="A claim describing far too many entities.")
    claim["entities"] = [
        {"id": f"gbkg:cap-{i}", "label": f"entity {i}", "type": "gba:MicrobialTaxon"}
        for i in range(2000)
    ]
    before = server.snapshot()
    for path, auth in (("/claims/validate", {}), ("/claims", server.auth)):
        response = server.client.post(path, json=claim, headers=auth)
        body = server.assert_refused(response, 413)
        assert "triples" in body["detail"]
    server.assert_intact(before)


# The shared mechanism ----------------------------------------------------------------


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every route of an app, inside included routers too (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes)


def test_no_route_lets_fastapi_read_a_body_before_its_dependencies(tmp_path: Path) -> None:
    """FastAPI reads declared ``Body()`` parameters before dependencies (auth) run: no
    route may declare one; routes read their bodies themselves, after auth."""
    store = OxigraphStore(tmp_path / "store")
    try:
        app = create_app(Settings(store=str(tmp_path / "store"), load_curated=False), store=store)
        routes = list(api_routes(app.routes))
        paths = {r.path for r in routes}
        assert {"/claims", "/claims/{claim_id:claim_id}/retract", "/sparql"} <= paths
        for route in routes:
            assert route.body_field is None, f"{route.path} declares a body FastAPI reads first"
    finally:
        store.close()
