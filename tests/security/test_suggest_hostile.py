"""``POST /suggest`` under hostile input, on a real ``gbkg serve``: refused or answered,
never stored, the server alive."""

from __future__ import annotations

import pytest
from hostile import OTHER_TOKEN, HostileServer


def test_a_reading_stores_nothing(server: HostileServer) -> None:
    before = server.snapshot()
    text = "Neither IL-6 nor TNF-α levels decreased meaningfully with probiotic supplementation."
    response = server.client.post("/suggest", json={"text": text}, headers=server.auth)
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 2
    server.assert_intact(before)


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, b'{"text": "Probiotics reduce IL-6."}', 401),
        ({"Authorization": "Bearer nope"}, b'{"text": "x"}', 401),
        ({"Content-Type": "text/plain"}, b"Probiotics reduce IL-6.", 415),
        ({"Content-Type": "application/json; charset=latin-1"}, b'{"text": "x"}', 415),
        ({"Content-Type": "application/json"}, b'{"text": "x"', 400),
        ({"Content-Type": "application/json"}, b"[" * 5000 + b"]" * 5000, 400),
        ({"Content-Type": "application/json"}, b'{"text": 12}', 422),
        ({"Content-Type": "application/json"}, b'{"text": "x", "source": "doi:1"}', 422),
    ],
)
def test_refused(server: HostileServer, headers: dict[str, str], body: bytes, status: int) -> None:
    before = server.snapshot()
    auth = {} if status == 401 else server.auth
    response = server.client.post("/suggest", content=body, headers={**auth, **headers})
    server.assert_refused(response, status)
    server.assert_intact(before)


def test_a_body_over_the_limit(server: HostileServer) -> None:
    before = server.snapshot()
    body = b'{"text": "' + b"probiotics " * 200_000 + b'"}'
    headers = {**server.auth, "Content-Type": "application/json"}
    server.assert_refused(server.client.post("/suggest", content=body, headers=headers), 413)
    server.assert_intact(before)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 50_000,  # brackets that never close
        "neither " * 20_000,  # a null cue that never finds its "nor"
        "probiotics reduce IL-6 and TNF-α, " * 2_000,  # one endless list
        "SMD −0.1 (95% CI " * 5_000,  # statistics that never end
        "Lactobacillus " * 20_000,  # a genus without its species
    ],
)
def test_pathological_texts_are_read_in_bounded_time(server: HostileServer, text: str) -> None:
    """Each is answered (the client's timeout bounds the wait), and the server stays alive."""
    before = server.snapshot()
    response = server.client.post(
        "/suggest", json={"text": text, "validate": False}, headers=server.auth, timeout=60
    )
    assert response.status_code == 200, response.text[:300]
    server.assert_intact(before)


def test_another_curator_may_read_too(server: HostileServer) -> None:
    headers = {"Authorization": f"Bearer {OTHER_TOKEN}"}
    response = server.client.post("/suggest", json={"text": "Kefir contains probiotics."},
                                  headers=headers)  # fmt: skip
    assert response.status_code == 200
