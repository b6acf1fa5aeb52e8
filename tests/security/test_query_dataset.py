"""FROM, FROM NAMED, LOAD and updates against a real ``gbkg serve``.

``tests/test_sparql_safety.py`` refuses these in-process; here the same classes
go to the server a user runs, in their disguises (comments ended by CR, ``\\u``
escapes of keywords and IRIs, ``BASE`` and ``PREFIX`` that make a relative or
prefixed name the trap's URL, lower case, the protocol's ``default-graph-uri`` and
``named-graph-uri``), each by GET and both POST encodings. Every one: a 4xx
problem (or, for a protocol dataset naming a graph the store lacks, an empty
answer), the store unchanged, the server alive, and no connection to the
session's network trap. Updates are sent in every encoding of
``update_requests``, the named queries' route included.
"""

from __future__ import annotations

from typing import Any

import pytest
from hostile import HostileServer
from sparql_helpers import LoopbackListener
from test_sparql_safety import UPDATES, update_requests

#: {L} is the trap's base URL, {P} its port.
DATASET_TRICKS = {
    "from": "SELECT * FROM <{L}/g> WHERE { ?s ?p ?o }",
    "from-named": "SELECT * FROM NAMED <{L}/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "from-lower-case": "select * from <{L}/g> where { ?s ?p ?o }",
    "from-named-mixed-case": "SELECT * FrOm NaMeD <{L}/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "from-after-a-cr-comment": "SELECT * # c\rFROM <{L}/g> WHERE { ?s ?p ?o }",
    "from-after-a-crlf-comment": "SELECT * # c\r\nFROM NAMED <{L}/g> WHERE { ?s ?p ?o }",
    "from-escaped-keyword": "SELECT * \\u0046ROM <{L}/g> WHERE { ?s ?p ?o }",
    "from-escaped-iri": "SELECT * FROM <\\u0068ttp://127.0.0.1:{P}/g> WHERE { ?s ?p ?o }",
    "from-relative-to-base": "BASE <{L}/> SELECT * FROM <g> WHERE { ?s ?p ?o }",
    "from-named-relative-to-base": "BASE <{L}/> SELECT * FROM NAMED <g> { GRAPH ?g { ?s ?p ?o } }",
    "from-prefixed": "PREFIX t: <{L}/> SELECT * FROM t:g WHERE { ?s ?p ?o }",
    "from-named-prefixed": "PREFIX t: <{L}/> SELECT * FROM NAMED t:g { GRAPH ?g { ?s ?p ?o } }",
    "base-after-a-cr-comment": "# c\rBASE <{L}/> SELECT * FROM <g> WHERE { ?s ?p ?o }",
    "prefix-with-an-escaped-iri": "PREFIX t: <\\u0068ttp://127.0.0.1:{P}/> SELECT * FROM t:g {}",
    "from-a-store-graph-and-the-trap": (
        "SELECT * FROM <https://w3id.org/gbkg/graph/ontology> FROM <{L}/g> WHERE { ?s ?p ?o }"
    ),
    # rdflib reads these IRIs, Oxigraph refuses them (found by bench/fuzz_long.py: a 503)
    "from-a-c1-control-character": "SELECT * FROM <{L}/\u009dg> WHERE { ?s ?p ?o }",
    "from-named-a-c1-control-character": "SELECT * FROM NAMED <http://e/\x85> { ?s ?p ?o }",
    "ask-from": "ASK FROM <{L}/g> { ?s ?p ?o }",
    "construct-from-named": "CONSTRUCT { ?s ?p ?o } FROM NAMED <{L}/g> WHERE { ?s ?p ?o }",
    "describe-from": "DESCRIBE <{L}/thing> FROM <{L}/g>",
    "sub-select-from": "SELECT * WHERE { { SELECT * FROM <{L}/g> WHERE { ?s ?p ?o } } }",
    "load": "LOAD <{L}/data.ttl>",
    "load-silent-into": "LOAD SILENT <{L}/data.ttl> INTO GRAPH <http://e/g>",
    "load-relative-to-base": "BASE <{L}/> LOAD <data.ttl>",
    "load-after-a-cr-comment": "# c\rLOAD <{L}/data.ttl>",
    "load-escaped": "\\u004cOAD <{L}/data.ttl>",
}


def fill(template: str, listener: LoopbackListener) -> str:
    return template.replace("{L}", listener.base).replace("{P}", str(listener.port))


def query_requests(query: str) -> list[dict[str, Any]]:
    return [
        {"method": "GET", "url": "/sparql", "params": {"query": query}},
        {"method": "POST", "url": "/sparql", "data": {"query": query}},
        {
            "method": "POST",
            "url": "/sparql",
            "content": query.encode(),
            "headers": {"Content-Type": "application/sparql-query"},
        },
    ]


@pytest.mark.parametrize("name", DATASET_TRICKS)
def test_remote_datasets_are_refused(
    server: HostileServer, listener: LoopbackListener, name: str
) -> None:
    before = server.snapshot()
    for request in query_requests(fill(DATASET_TRICKS[name], listener)):
        server.assert_refused(server.client.request(**request), (400, 403))
    assert listener.connections == []
    server.assert_intact(before)


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_protocol_datasets_stay_in_the_store(
    server: HostileServer, listener: LoopbackListener, parameter: str
) -> None:
    """The protocol's dataset parameters only select graphs of the store."""
    before = server.snapshot()
    for value in (f"{listener.base}/g", f"http://127.0.0.1:{listener.port}", "file:///etc/passwd"):
        response = server.client.get(
            "/sparql", params={"query": "ASK { ?s ?p ?o }", parameter: value}
        )
        assert response.status_code == 200, response.text
        assert response.json()["boolean"] is False
    assert listener.connections == []
    server.assert_intact(before)


@pytest.mark.parametrize("update", UPDATES)
def test_updates_in_every_encoding_are_refused(
    server: HostileServer, listener: LoopbackListener, update: str
) -> None:
    update = update.replace("127.0.0.1:9", f"127.0.0.1:{listener.port}")
    before = server.snapshot()
    for request in update_requests(update):
        server.assert_refused(server.client.request(**request), (400, 403, 405, 415))
    for request in (
        {"method": "GET", "url": "/queries/null-results", "params": {"update": update}},
        {"method": "GET", "url": "/queries/null-results", "params": {"query": update}},
        {
            "method": "POST",
            "url": "/queries/null-results",
            "content": update.encode(),
            "headers": {"Content-Type": "application/sparql-update"},
        },
    ):
        server.assert_refused(server.client.request(**request), (400, 405))
    assert listener.connections == []
    server.assert_intact(before)
