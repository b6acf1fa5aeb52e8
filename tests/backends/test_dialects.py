"""How the triplestores differ from Oxigraph's SPARQL, each difference a test with its reason.

These talk to the servers directly (not through gbkg) and pin what
:mod:`kg.remote_store` and :mod:`kg.sparql_protocol_client` work around. A test
here failing means a server changed: revisit the workaround it names.
"""

from __future__ import annotations

import socket
import threading

import httpx
import pyoxigraph as ox
import pytest

from gbkg.kg.errors import QueryTimeoutError
from gbkg.kg.remote_store import RemoteStore
from tests.backends.servers import TriplestoreServer, wipe

C = "<https://example.org/dialect/c>"
G = "<https://example.org/dialect/c#a>"
CLAIM = "<https://example.org/dialect/Claim>"


@pytest.fixture
def virtuoso_store(virtuoso: TriplestoreServer) -> RemoteStore:
    store = virtuoso.open()
    wipe(store)
    return store


def _marks(store: RemoteStore) -> set[str]:
    rows = store.query(
        f"SELECT ?m WHERE {{ GRAPH {G} {{ {C} <https://example.org/dialect/m> ?m }} }}"
    )
    return {r["m"].value for r in rows}  # type: ignore[union-attr, index]


def test_virtuoso_ignores_not_exists_over_a_pattern_without_variables(
    virtuoso_store: RemoteStore,
) -> None:
    """Why claim writes are guarded by a COUNT subquery (kg.remote_store._count_is_zero)."""
    store = virtuoso_store
    store.client.update(f"INSERT DATA {{ GRAPH {G} {{ {C} a {CLAIM} }} }}")
    mark = "<https://example.org/dialect/m>"
    store.client.update(
        f'INSERT {{ GRAPH {G} {{ {C} {mark} "not-exists" }} }} '
        f"WHERE {{ FILTER NOT EXISTS {{ GRAPH {G} {{ {C} a {CLAIM} }} }} }}"
    )
    store.client.update(
        f'INSERT {{ GRAPH {G} {{ {C} {mark} "count" }} }} WHERE {{ {{ SELECT (COUNT(*) AS ?n) '
        f"WHERE {{ GRAPH {G} {{ {C} a {CLAIM} }} }} }} FILTER(?n = 0) }}"
    )
    assert _marks(store) == {"not-exists"}, "NOT EXISTS wrote, COUNT did not"


def test_virtuoso_commits_each_operation_of_a_request_on_its_own(
    virtuoso_store: RemoteStore,
) -> None:
    """Why every write is one update operation (kg.remote_store, "Atomic writes")."""
    store = virtuoso_store
    mark = "<https://example.org/dialect/m>"
    with pytest.raises(Exception, match="refused"):
        store.client.update(
            f'INSERT DATA {{ GRAPH {G} {{ {C} {mark} "first" }} }} ; '
            "LOAD <http://127.0.0.1:9/nothing-listens-here>"
        )
    assert _marks(store) == {"first"}


def test_virtuoso_rewrites_lexical_forms(virtuoso_store: RemoteStore) -> None:
    """Why publication info is compared by value (kg.claim_log.same_statements)."""
    store = virtuoso_store
    p = ox.NamedNode("https://example.org/dialect/v")
    values = [
        ox.Literal(True),
        ox.Literal(
            "2026-12-02T15:27:53+00:00",
            datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"),
        ),
    ]
    graph = ox.NamedNode(G[1:-1])
    store.extend([ox.Quad(ox.NamedNode(C[1:-1]), p, v, graph) for v in values])
    stored = {q.object.value for q in store.quads(graph)}
    assert stored == {"1", "2026-12-02T15:27:53Z"}


def test_virtuoso_answers_a_false_ask_as_an_empty_select(virtuoso: TriplestoreServer) -> None:
    """Why the client turns __ASK_RETVAL answers into booleans (parse_results)."""
    response = httpx.post(
        virtuoso.url,
        data={"query": "ASK { GRAPH <urn:x:none> { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert "__ASK_RETVAL" in response.text


def test_virtuoso_anytime_answers_are_timeouts(virtuoso_store: RemoteStore) -> None:
    """A per-request timeout makes Virtuoso return partial rows marked S1TAT: a 503 here."""
    store = virtuoso_store
    graph = ox.NamedNode(G[1:-1])
    v = ox.NamedNode("https://example.org/dialect/n")
    store.extend(
        [
            ox.Quad(ox.NamedNode(f"https://example.org/dialect/n{i}"), v, ox.Literal(i), graph)
            for i in range(2000)
        ]
    )
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a <https://example.org/dialect/n> ?x . "
        "?b <https://example.org/dialect/n> ?y . ?c <https://example.org/dialect/n> ?z "
        "FILTER(?x + ?y + ?z = 7) }"
    )
    with pytest.raises(QueryTimeoutError):
        store.query(slow, timeout_s=1)


def _listener() -> tuple[socket.socket, list[bytes], threading.Thread]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(3)
    got: list[bytes] = []

    def accept() -> None:
        try:
            connection, _ = server.accept()
            got.append(connection.recv(200))
            connection.close()
        except OSError:
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    return server, got, thread


def test_virtuosos_sparql_user_cannot_call_a_service(virtuoso: TriplestoreServer) -> None:
    """Virtuoso's anonymous SPARQL user lacks the federated-query grant (keep it so)."""
    server, got, thread = _listener()
    port = server.getsockname()[1]
    response = httpx.post(
        virtuoso.url,
        data={"query": f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}"},
    )
    thread.join(timeout=5)
    server.close()
    assert response.status_code == 500 and "SPARQL_SINV" in response.text
    assert got == []


def test_oxigraph_serve_would_call_a_service(oxigraph_server: TriplestoreServer) -> None:
    """oxigraph serve fetches SERVICE URLs: gbkg must refuse SERVICE before sending
    (kg.sparql_analysis); this loopback listener is the only thing it reaches."""
    server, got, thread = _listener()
    port = server.getsockname()[1]
    httpx.post(
        oxigraph_server.url,
        timeout=10,
        data={"query": f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}"},
    )
    thread.join(timeout=5)
    server.close()
    assert got and got[0].startswith((b"POST", b"GET")), "oxigraph serve did not call out"


def test_oxigraph_serves_cancellation_is_a_timeout_on_every_read(
    oxigraph_server: TriplestoreServer,
) -> None:
    """``--timeout-s`` (3 s here) ends a 200 answer with a message, not an error status:
    a timeout for gbkg's own reads too (their rows are parsed lazily), never a
    parse error; gbkg's reads wait longer than ``GBKG_QUERY_TIMEOUT_S`` themselves."""
    from tests.sparql_helpers import numbers

    store = oxigraph_server.open(query_timeout_s=1)
    wipe(store)
    store.extend(numbers(30))
    value = "<http://example.org/value>"
    patterns = " . ".join(f"?s{i} {value} ?v{i}" for i in range(5))
    total = " + ".join(f"?v{i}" for i in range(5))
    slow = f"SELECT * WHERE {{ {patterns} FILTER({total} = -1) }}"
    with pytest.raises(QueryTimeoutError):
        list(store.query(slow))  # type: ignore[call-overload]
    wipe(store)
    store.close()
