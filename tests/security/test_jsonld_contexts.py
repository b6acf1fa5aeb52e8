"""JSON-LD bodies never make the server fetch a context, remote or local.

Only the project's own context is used, and it is read from the package: by its
IRI (``https://w3id.org/gbkg/context.jsonld``) or by the URL this server serves it
at (``/context.jsonld``). Any other context reference, wherever it hides (the
top level, a list, a node's own ``@context``, a term's scoped context, an
``@import``), is a 400 that names it, and nothing is fetched: a loopback listener
receives no connection, and a ``file:`` path that exists gets the same answer as
one that does not.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hostile import HostileServer
from sparql_helpers import LoopbackListener

CONTEXT_IRI = "https://w3id.org/gbkg/context.jsonld"
LD = {"Content-Type": "application/ld+json"}


@pytest.fixture(scope="module")
def claim_document(server: HostileServer) -> dict[str, Any]:
    """A curated claim as the server serves it in JSON-LD (its context by its stable IRI,
    so a saved document does not depend on the host that served it)."""
    claim_id = server.client.get("/claims", params={"limit": 1}).json()["data"][0]["id"]
    response = server.client.get(
        "/claims/" + claim_id.rsplit("/", 1)[-1], headers={"Accept": "application/ld+json"}
    )
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    assert document["@context"] == CONTEXT_IRI
    return document


def with_context(document: dict[str, Any], context: Any) -> bytes:
    changed = copy.deepcopy(document)
    changed["@context"] = context
    return json.dumps(changed).encode()


def validate(server: HostileServer, body: bytes) -> Any:
    return server.client.post("/claims/validate", content=body, headers=LD, timeout=10.0)


def hostile_contexts(remote: str) -> dict[str, Any]:
    """Places a context reference can hide in, each naming ``remote``."""
    return {
        "top level": remote,
        "in a list after ours": [CONTEXT_IRI, remote],
        "in a list before ours": [remote, CONTEXT_IRI],
        "nested list": [[remote]],
        "an @import": {"@import": remote, "ex": "http://example.org/"},
        "a scoped context": [
            CONTEXT_IRI, {"ex": {"@id": "http://example.org/p", "@context": remote}}
        ],
        "a context document inside": {"@context": remote},
    }  # fmt: skip


def test_our_context_by_iri_and_by_this_servers_url_is_read_locally(
    server: HostileServer, claim_document: dict[str, Any], listener: LoopbackListener
) -> None:
    before = server.snapshot()
    for context in (
        CONTEXT_IRI,
        server.url + "/context.jsonld",
        [CONTEXT_IRI],
        [CONTEXT_IRI, {"ex": "http://example.org/"}],
        {"@import": CONTEXT_IRI},
    ):
        response = validate(server, with_context(claim_document, context))
        assert response.status_code == 200, (context, response.text)
        assert response.json()["conforms"] is True, (context, response.text)
    server.assert_intact(before)


@pytest.mark.parametrize("where", list(hostile_contexts("x")))
def test_remote_contexts_are_refused_unfetched(
    server: HostileServer,
    claim_document: dict[str, Any],
    listener: LoopbackListener,
    where: str,
) -> None:
    remote = f"{listener.base}/context.jsonld"
    before = server.snapshot()
    context = hostile_contexts(remote)[where]
    response = validate(server, with_context(claim_document, context))
    body = server.assert_refused(response, 400)
    assert remote in body["detail"], body
    server.assert_intact(before)
    assert listener.seen_so_far() == [], "the server fetched the context"


def test_a_context_in_a_node_of_the_graph_is_refused(
    server: HostileServer, claim_document: dict[str, Any], listener: LoopbackListener
) -> None:
    remote = f"{listener.base}/ctx"
    document = copy.deepcopy(claim_document)
    document["@graph"][0]["@context"] = remote
    before = server.snapshot()
    body = server.assert_refused(validate(server, json.dumps(document).encode()), 400)
    assert remote in body["detail"]
    server.assert_intact(before)
    assert listener.seen_so_far() == []


@pytest.mark.parametrize(
    "context",
    [
        "http://127.0.0.1:9/context.jsonld",  # another port of this host
        "http://localhost/context.jsonld",
        "http://w3id.org/gbkg/context.jsonld",  # not the IRI: http, not https
        "https://w3id.org/gbkg/context.jsonld#x",
        "context.jsonld",  # relative: would resolve against the request URL
        "/context.jsonld",
        "//127.0.0.1/context.jsonld",
    ],
)
def test_other_spellings_are_not_ours(
    server: HostileServer, claim_document: dict[str, Any], context: str
) -> None:
    before = server.snapshot()
    body = server.assert_refused(validate(server, with_context(claim_document, context)), 400)
    assert context in body["detail"]
    server.assert_intact(before)


def test_file_contexts_are_refused_without_looking(
    server: HostileServer, claim_document: dict[str, Any], tmp_path: Path
) -> None:
    existing = tmp_path / "context.jsonld"
    existing.write_text(json.dumps({"@context": {"ex": "http://example.org/"}}))
    missing = tmp_path / "absent.jsonld"
    before = server.snapshot()
    answers = []
    for path in (existing, missing, Path("/etc/passwd")):
        url = path.as_uri()
        body = server.assert_refused(validate(server, with_context(claim_document, url)), 400)
        assert url in body["detail"]
        answers.append((body["status"], body["title"], body["detail"].replace(url, "<url>")))
    assert answers[0] == answers[1] == answers[2], answers
    server.assert_intact(before)


@pytest.mark.parametrize(
    "context",
    [5, True, [5], {"@import": 5}, {"@import": ["a", "b"]}, [[[]]]],
    ids=["number", "boolean", "list of number", "import number", "import list", "empty lists"],
)
def test_malformed_contexts_are_400(
    server: HostileServer, claim_document: dict[str, Any], context: Any
) -> None:
    before = server.snapshot()
    server.assert_refused(validate(server, with_context(claim_document, context)), 400)
    server.assert_intact(before)


def test_writes_refuse_remote_contexts_too(
    server: HostileServer, claim_document: dict[str, Any], listener: LoopbackListener
) -> None:
    remote = f"{listener.base}/ctx"
    before = server.snapshot()
    response = server.client.post(
        "/claims", content=with_context(claim_document, remote), headers={**LD, **server.auth}
    )
    body = server.assert_refused(response, 400)
    assert remote in body["detail"]
    server.assert_intact(before)
    assert listener.seen_so_far() == []
