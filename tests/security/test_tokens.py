"""Curator tokens that are odd, misplaced or probed (``test_http_inputs.py`` has the
plain wrong ones).

- A token with non-ASCII characters (``GBKG_CURATOR_TOKENS`` is Unicode text;
  clients send it as UTF-8 bytes) authenticates its curator; one that differs by
  a character, or carries control characters, does not.
- Very long tokens: a 401 problem, like any wrong token; past uvicorn's limit on
  a request head, uvicorn's own refusal, the connection closed.
- A token in the query string (``?access_token=``) is not a token: 401.
- ``Authorization`` sent twice is a 400: a proxy in front may read the other one.
- On read routes a token, valid or not, changes nothing.
- Timing: every known token is compared, as a SHA-256 digest with
  ``hmac.compare_digest``, on every request; the count of comparisons does not
  depend on the offered token (measured times would be a timed assertion: the
  mechanism is checked instead).
"""

from __future__ import annotations

import hmac
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hostile import CURATOR_TOKEN, HostileServer, hostile_server
from sparql_helpers import build_app

from gbkg.api import auth
from tests.test_model import base_claim

UNICODE_TOKEN = "tökén-ü-🦠-à"  # ends in à: UTF-8 C3 A0, a non-breaking space in Latin-1
UNICODE_CURATOR = "zoë"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    tokens = f"alice:{CURATOR_TOKEN},{UNICODE_CURATOR}:{UNICODE_TOKEN}"
    yield from hostile_server(
        tmp_path_factory.mktemp("tokens"),
        GBKG_CURATOR_TOKENS=tokens,
        GBKG_QUERY_TIMEOUT_S="20",  # the read routes' named query, on a busy machine
    )


def raw_request(server: HostileServer, head: bytes, body: bytes = b"") -> httpx.Response:
    """One request written byte for byte (httpx refuses non-ASCII header values),
    read back as an httpx response; the connection is closed after it."""
    request = head + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    header_block, _, payload = answer.partition(b"\r\n\r\n")
    status_line, *lines = header_block.decode("latin-1").split("\r\n")
    headers = [(n.strip(), v.strip()) for n, _, v in (line.partition(":") for line in lines)]
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=payload)


def post_claim(server: HostileServer, authorization: list[bytes], statement: str) -> httpx.Response:
    head = b"POST /claims HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += b"".join(b"Authorization: " + value + b"\r\n" for value in authorization)
    return raw_request(server, head, json.dumps(base_claim(statement=statement)).encode())


def test_a_unicode_token_authenticates_its_curator(server: HostileServer) -> None:
    response = post_claim(
        server, [b"Bearer " + UNICODE_TOKEN.encode()], "A claim written with a Unicode token."
    )
    assert response.status_code == 201, response.text
    assert response.json()["curator"] == UNICODE_CURATOR


NEAR_MISSES = {
    "the last character changed": UNICODE_TOKEN[:-1].encode() + "á".encode(),
    "the last byte dropped": UNICODE_TOKEN.encode()[:-1],
    "the Latin-1 bytes of it": UNICODE_TOKEN.encode("utf-8").decode("latin-1").encode("utf-8"),
    "NFD instead of NFC": "tökén-ü-🦠-à".replace("ö", "o\u0308").encode(),
    "a DEL after": CURATOR_TOKEN.encode() + b"\x7f",
    "a non-breaking space after": CURATOR_TOKEN.encode() + b"\xa0",
}


@pytest.mark.parametrize("case", NEAR_MISSES)
def test_near_misses_are_401(server: HostileServer, case: str) -> None:
    before = server.snapshot()
    response = post_claim(server, [b"Bearer " + NEAR_MISSES[case]], f"A near miss: {case}.")
    server.assert_refused(response, 401)
    server.assert_intact(before)


REFUSED_BY_H11 = {
    "a NUL after": b"\x00",
    "a vertical tab after": b"\x0b",
    "a bare CR, then a header": b"\rX-Curator: alice",
}


@pytest.mark.parametrize("case", REFUSED_BY_H11)
def test_control_characters_are_refused_by_the_http_layer(server: HostileServer, case: str) -> None:
    """h11 (under uvicorn) refuses these in a header value before the app sees the
    request: a plain-text 400 (not a problem: the app never ran), nothing stored."""
    before = server.snapshot()
    value = b"Bearer " + CURATOR_TOKEN.encode() + REFUSED_BY_H11[case]
    response = post_claim(server, [value], f"Control characters: {case}.")
    assert response.status_code == 400, response.text
    server.assert_intact(before)


@pytest.mark.parametrize("size", [1_000, 8_000])
def test_long_tokens_are_401(server: HostileServer, size: int) -> None:
    before = server.snapshot()
    response = post_claim(server, [b"Bearer " + b"t" * size], "A long token.")
    server.assert_refused(response, 401)
    server.assert_intact(before)


def test_a_token_past_the_head_limit_gets_uvicorns_refusal(server: HostileServer) -> None:
    """A request head larger than h11 accepts (about 16 KB... uvicorn's setting) never
    reaches the app: uvicorn answers it, and the service goes on."""
    before = server.snapshot()
    try:
        response = post_claim(server, [b"Bearer " + b"t" * 1_000_000], "A huge token.")
    except (ConnectionResetError, BrokenPipeError):
        pass  # closed while the head was still being sent
    else:
        assert response.status_code in (400, 401, 431), response.text
        if response.status_code == 401:
            server.assert_refused(response, 401)
    server.assert_intact(before)


@pytest.mark.parametrize("name", ["access_token", "token", "authorization", "bearer"])
def test_a_token_in_the_query_string_is_not_a_token(server: HostileServer, name: str) -> None:
    before = server.snapshot()
    claim = base_claim(statement="A claim with its token in the URL.")
    response = server.client.post("/claims", params={name: CURATOR_TOKEN}, json=claim)
    server.assert_refused(response, 401)
    with_bearer = server.client.post(
        "/claims", params={name: f"Bearer {CURATOR_TOKEN}"}, json=claim
    )
    server.assert_refused(with_bearer, 401)
    server.assert_intact(before)


@pytest.mark.parametrize(
    "values",
    [
        [b"Bearer " + CURATOR_TOKEN.encode(), b"Bearer wrong"],
        [b"Bearer wrong", b"Bearer " + CURATOR_TOKEN.encode()],
        [b"Bearer " + CURATOR_TOKEN.encode(), b"Bearer " + CURATOR_TOKEN.encode()],
    ],
    ids=["valid-then-wrong", "wrong-then-valid", "valid-twice"],
)
def test_authorization_twice_is_400(server: HostileServer, values: list[bytes]) -> None:
    before = server.snapshot()
    response = post_claim(server, values, "A claim with two Authorization headers.")
    body = server.assert_refused(response, 400)
    assert "Authorization" in body["detail"], body
    server.assert_intact(before)


@pytest.mark.parametrize("path", ["/claims?limit=3", "/health", "/queries/null-results"])
def test_a_token_changes_nothing_on_a_read_route(server: HostileServer, path: str) -> None:
    plain = server.client.get(path)
    assert plain.status_code == 200, plain.text
    for authorization in (f"Bearer {CURATOR_TOKEN}", "Bearer wrong", "Basic Zm9vOmJhcg==", "x"):
        response = server.client.get(path, headers={"Authorization": authorization})
        assert response.status_code == 200, (authorization, response.text)
        if path != "/health":  # /health counts claims written by the other cases
            assert response.content == plain.content


def test_every_known_token_is_compared_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever is offered (the first token, the last, a prefix of one, a longer or a
    shorter wrong one), each of the known tokens is compared once, as 32-byte digests."""
    tokens = {"t-one-aaaaaaaaaaaa": "one", "t-two-bbbbbbbbbbbb": "two", "t-three-cc": "three"}
    app, store = build_app(
        tmp_path / "store",
        curator_tokens=",".join(f"{name}:{token}" for token, name in tokens.items()),
    )
    compared: list[tuple[int, int]] = []
    compare = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        compared.append((len(a), len(b)))
        return compare(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", counting)
    try:
        with TestClient(app) as client:
            for offered in (*tokens, "t-one", "t-one-aaaaaaaaaaaaX", "x", "t" * 5000):
                compared.clear()
                client.post(
                    "/claims/x/retract",
                    json={"reason": "probe"},
                    headers={"Authorization": f"Bearer {offered}"},
                )
                assert compared == [(32, 32)] * len(tokens), offered
    finally:
        store.close()
