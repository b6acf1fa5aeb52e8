"""Real SPARQL clients against a real server process on loopback.

``gbkg serve`` runs in a subprocess on a free port of
127.0.0.1 over a temporary store holding the ontology and the W3C protocol data
(three named graphs) plus a graph of numbers for a slow query, with
``GBKG_QUERY_TIMEOUT_S=3`` (well above what the clients' queries need on a busy
machine; the slow query never ends). SPARQLWrapper (JSON, XML, CSV; GET, POST form, POST
direct) and rdflib's ``SPARQLStore`` (SELECT, ASK, CONSTRUCT, triple patterns;
the union default graph and one named graph) must get correct, parsed results.
Every wait has a timeout and the server is stopped in the fixture's teardown.
"""

from __future__ import annotations

import csv
import io
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import rdflib
from rdflib import RDF, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from sparql_helpers import W3C_DATA, Server, numbers, w3c_quads
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML, SPARQLWrapper

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.store import OxigraphStore

pytestmark = pytest.mark.server

FOAF_DOCUMENT = URIRef("http://xmlns.com/foaf/0.1/Document")
DOCS = [f"{W3C_DATA}data{n}.rdf" for n in (1, 2, 3)]
SELECT_DOCS = (
    "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
    "SELECT ?g ?doc WHERE { GRAPH ?g { ?doc a foaf:Document } } ORDER BY ?doc"
)


@pytest.fixture(scope="module")
def server_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("sparql-server")
    store = OxigraphStore(root / "store")
    ensure_loaded(store, curated=False)
    store.extend(w3c_quads())
    store.extend(numbers(2000))
    store.close()
    process = Server(root / "store", root / "server.log", GBKG_QUERY_TIMEOUT_S="3")
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(15)  # rdflib's SPARQLStore sets no timeout of its own
    try:
        process.wait_ready(timeout=30)
        yield process
    finally:
        socket.setdefaulttimeout(previous)
        process.stop()


@pytest.fixture(scope="module")
def server(server_process: Server) -> str:
    """The endpoint URL."""
    return server_process.url + "/sparql"


def wrapper(endpoint: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setTimeout(15)
    if method != "GET":
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY if method == "POST-direct" else URLENCODED)
    return client


METHODS = ["GET", "POST-form", "POST-direct"]


@pytest.mark.parametrize("method", METHODS)
def test_sparqlwrapper_json(server: str, method: str) -> None:
    result = wrapper(server, SELECT_DOCS, JSON, method).query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    data = result.convert()
    assert data["head"]["vars"] == ["g", "doc"]
    rows = [(b["g"]["value"], b["doc"]["value"]) for b in data["results"]["bindings"]]
    assert rows == [(doc, doc) for doc in DOCS]


@pytest.mark.parametrize("method", METHODS)
def test_sparqlwrapper_xml(server: str, method: str) -> None:
    document = wrapper(server, SELECT_DOCS, XML, method).query().convert()
    results_ns = "http://www.w3.org/2005/sparql-results#"
    docs = [
        binding.getElementsByTagNameNS(results_ns, "uri")[0].firstChild.data
        for binding in document.getElementsByTagNameNS(results_ns, "binding")
        if binding.getAttribute("name") == "doc"
    ]
    assert docs == DOCS


@pytest.mark.parametrize("method", METHODS)
def test_sparqlwrapper_csv(server: str, method: str) -> None:
    body = wrapper(server, SELECT_DOCS, CSV, method).query().convert()
    table = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert table == [["g", "doc"], *([doc, doc] for doc in DOCS)]


def test_sparqlwrapper_ask_and_construct(server: str) -> None:
    ask = f"ASK {{ <{DOCS[0]}> a <{FOAF_DOCUMENT}> }}"
    assert wrapper(server, ask, JSON).query().convert()["boolean"] is True
    assert (
        wrapper(server, ask.replace("data1", "data9"), JSON, "POST-form")
        .query()
        .convert()["boolean"]
        is False
    )
    construct = f"CONSTRUCT {{ ?d a <{FOAF_DOCUMENT}> }} WHERE {{ ?d a <{FOAF_DOCUMENT}> }}"
    body = wrapper(server, construct, TURTLE).query().convert()
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert set(graph.subjects(RDF.type, FOAF_DOCUMENT)) == {URIRef(d) for d in DOCS}


def test_sparqlwrapper_errors_are_raised(server: str) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed):
        wrapper(server, "SELECT * { ?s ?p ", JSON).query()


@pytest.fixture(scope="module", params=["GET", "POST", "POST_FORM"])
def sparql_store(request: pytest.FixtureRequest, server: str) -> Iterator[SPARQLStore]:
    store = SPARQLStore(query_endpoint=server, method=request.param)
    yield store
    store.close()


def test_rdflib_sparqlstore_union_default_graph(sparql_store: SPARQLStore) -> None:
    graph = rdflib.Graph(store=sparql_store)
    rows = list(graph.query(SELECT_DOCS))
    assert [(str(r[0]), str(r[1])) for r in rows] == [(d, d) for d in DOCS]  # type: ignore[index]
    ask = graph.query(f"ASK {{ <{DOCS[2]}> a <{FOAF_DOCUMENT}> }}")
    assert ask.askAnswer is True
    construct = graph.query(
        f"CONSTRUCT {{ ?d a <{FOAF_DOCUMENT}> }} WHERE {{ ?d a <{FOAF_DOCUMENT}> }}"
    )
    assert construct.graph is not None
    assert set(construct.graph.subjects(RDF.type, FOAF_DOCUMENT)) == {URIRef(d) for d in DOCS}
    assert set(graph.subjects(RDF.type, FOAF_DOCUMENT)) == {URIRef(d) for d in DOCS}


def test_rdflib_sparqlstore_named_graph(sparql_store: SPARQLStore) -> None:
    """A graph with an identifier sends ``default-graph-uri``: only that graph is seen."""
    named = rdflib.Graph(store=sparql_store, identifier=URIRef(DOCS[1]))
    rows = list(named.query(f"SELECT ?d WHERE {{ ?d a <{FOAF_DOCUMENT}> }}"))
    assert [str(r[0]) for r in rows] == [DOCS[1]]  # type: ignore[index]
    assert named.query(f"ASK {{ <{DOCS[1]}> a ?t }}").askAnswer is True
    assert named.query(f"ASK {{ <{DOCS[0]}> a ?t }}").askAnswer is False
    construct = named.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert construct.graph is not None
    assert set(construct.graph) == {(URIRef(DOCS[1]), RDF.type, FOAF_DOCUMENT)}
    assert list(named.triples((None, RDF.type, None))) == [
        (URIRef(DOCS[1]), RDF.type, FOAF_DOCUMENT)
    ]


def test_timeout_from_the_environment_while_health_answers(server: str) -> None:
    """A slow query gets 503 at GBKG_QUERY_TIMEOUT_S; the server answers /health while
    that query is still unanswered (an order of events, not a timing)."""
    slow = (  # 8 billion combinations: never done within any time limit
        "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://example.org/value> ?x . "
        "?b <http://example.org/value> ?y . ?c <http://example.org/value> ?z "
        "FILTER(?x + ?y + ?z < 0) }"
    )
    answer: dict[str, httpx.Response] = {}
    answered = threading.Event()

    def ask() -> None:
        try:
            answer["slow"] = httpx.get(server, params={"query": slow}, timeout=30)
        finally:
            answered.set()

    thread = threading.Thread(target=ask)
    thread.start()
    health = server.removesuffix("/sparql") + "/health"
    meanwhile = 0
    while not answered.is_set():
        response = httpx.get(health, timeout=30)
        assert response.status_code == 200
        meanwhile += not answered.is_set()
    thread.join(timeout=30)
    assert meanwhile > 0, "/health never answered before the slow query's 503"
    response = answer["slow"]
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "Query timed out"


def test_server_log_is_clean(server_process: Server) -> None:
    """No traceback reached the server's log during the clients' requests (this runs last)."""
    server_process.log.flush()
    assert "Traceback" not in server_process.log_path.read_text(errors="replace")
