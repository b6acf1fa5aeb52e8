"""The harness itself: a harmless request leaves the store intact; a write changes the hash."""

from __future__ import annotations

import socket

from hostile import HostileServer
from sparql_helpers import eventually, loopback_listener, trap_failure


def test_a_read_leaves_the_store_intact(server: HostileServer) -> None:
    before = server.snapshot()
    assert before.quads > 1000  # the ontology, the entities and the curated claims
    response = server.client.get("/claims", params={"limit": 1})
    assert response.status_code == 200
    server.assert_intact(before)


def test_the_snapshot_sees_a_write(server: HostileServer) -> None:
    before = server.snapshot()
    claim = {
        "subject": "gbkg:probiotic", "predicate": "gba:improves", "object": "MONDO:0002050",
        "finding": "effect", "statement": "A harness test claim.", "quote": "harness",
        "source": {"title": "Harness test source", "type": "report"},
        "evidence": {"study_design": "rct"},
    }  # fmt: skip
    response = server.client.post("/claims", json=claim, headers=server.auth)
    assert response.status_code == 201, response.text
    after = server.snapshot()
    assert after.quads > before.quads and after.digest != before.digest


def test_refusals_are_problems(server: HostileServer) -> None:
    response = server.client.get("/claims/not-a-claim-id")
    server.assert_refused(response, 400)


def test_a_reached_trap_fails_the_run() -> None:
    """The session's trap check (``tests/conftest.py``) on a listener of its own."""
    with loopback_listener() as trap:
        assert trap_failure(trap) is None
        socket.create_connection(("127.0.0.1", trap.port), timeout=2).close()
        assert eventually(lambda: bool(trap.connections), within_s=2)
        failure = trap_failure(trap)
        assert failure is not None and "1 connection(s)" in failure
