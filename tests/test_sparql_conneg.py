"""Content negotiation, result formats, the service description, CORS and OpenAPI of ``/sparql``.

Results are parsed, never compared as text: SPARQL results with Oxigraph's parser,
RDF as graphs with ``rdflib.compare.isomorphic``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic
from sparql_helpers import build_app

from gbkg.api.errors import HTTPProblem
from gbkg.api.negotiation import choose, parse_accept, utf8_acceptable
from gbkg.api.negotiation import query_result_format as negotiate
from gbkg.kg.sparql_analysis import QueryForm
from gbkg.kg.sparql_formats import GraphFormat, ResultFormat

EX = "http://example.org/"
DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
GRAPH = ox.NamedNode(EX + "graph")
DATA = [
    ox.Quad(
        ox.NamedNode(EX + "s1"),
        ox.NamedNode(EX + "p"),
        ox.Literal('one, "quoted"\tand\ttabs'),
        GRAPH,
    ),
    ox.Quad(
        ox.NamedNode(EX + "s1"), ox.NamedNode(EX + "q"), ox.Literal("un", language="fr"), GRAPH
    ),
    ox.Quad(ox.NamedNode(EX + "s2"), ox.NamedNode(EX + "p"), ox.Literal(2), GRAPH),
    ox.Quad(ox.NamedNode(EX + "s2"), ox.NamedNode(EX + "q"), ox.BlankNode("b0"), GRAPH),
    ox.Quad(ox.BlankNode("b0"), ox.NamedNode(EX + "p"), ox.Literal("1.5", datatype=DECIMAL), GRAPH),
]
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p"
ASK = f"ASK {{ <{EX}s1> ?p ?o }}"
CONSTRUCT = f"PREFIX ex: <{EX}> CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
RDFLIB_ACCEPT = "application/rdf+xml, application/sparql-results+xml"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, store = build_app(tmp_path_factory.mktemp("conneg") / "store", DATA)
    yield TestClient(app)
    store.close()


def media(response: Any) -> str:
    return str(response.headers["content-type"]).split(";")[0].strip()


def get(client: TestClient, query: str, accept: str | None = None, **headers: str) -> Any:
    if accept is not None:
        headers["Accept"] = accept
    return client.get("/sparql", params={"query": query}, headers=headers)


def expected_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    nquads = ox.serialize(
        [ox.Triple(q.subject, q.predicate, q.object) for q in DATA], format=ox.RdfFormat.N_TRIPLES
    )
    graph.parse(data=nquads, format="nt")
    return graph


# --- negotiation rules, as a unit ----------------------------------------------


@pytest.mark.parametrize(
    ("accept", "form", "chosen"),
    [
        (None, QueryForm.SELECT, ResultFormat.JSON),
        ("", QueryForm.ASK, ResultFormat.JSON),
        ("*/*", QueryForm.CONSTRUCT, GraphFormat.TURTLE),
        ("*/*", QueryForm.DESCRIBE, GraphFormat.TURTLE),
        (RDFLIB_ACCEPT, QueryForm.SELECT, ResultFormat.XML),
        (RDFLIB_ACCEPT, QueryForm.ASK, ResultFormat.XML),
        (RDFLIB_ACCEPT, QueryForm.CONSTRUCT, GraphFormat.RDF_XML),
        ("text/csv;q=0.5, text/tab-separated-values", QueryForm.SELECT, ResultFormat.TSV),
        ("text/tab-separated-values;q=0.4, text/csv;q=0.5", QueryForm.SELECT, ResultFormat.CSV),
        # equal q: the client's order decides
        ("text/csv, application/sparql-results+xml", QueryForm.SELECT, ResultFormat.CSV),
        ("application/sparql-results+xml, text/csv", QueryForm.SELECT, ResultFormat.XML),
        # a wildcard covers several: the server's default first
        ("text/*", QueryForm.SELECT, ResultFormat.CSV),
        ("text/*", QueryForm.CONSTRUCT, GraphFormat.TURTLE),
        ("application/*", QueryForm.CONSTRUCT, GraphFormat.N_TRIPLES),
        # q=0 refuses a type a wildcard would give
        ("*/*, application/sparql-results+json;q=0", QueryForm.SELECT, ResultFormat.XML),
        ("*/*;q=0.1, text/turtle;q=0", QueryForm.CONSTRUCT, GraphFormat.N_TRIPLES),
        # YASGUI
        ("application/sparql-results+json,*/*;q=0.9", QueryForm.SELECT, ResultFormat.JSON),
        ("text/turtle,*/*;q=0.9", QueryForm.CONSTRUCT, GraphFormat.TURTLE),
        # parameters are ignored, charset=UTF-8 is fine
        ("application/sparql-results+json; charset=UTF-8", QueryForm.SELECT, ResultFormat.JSON),
        ('text/turtle;charset="utf-8";q=0.8', QueryForm.CONSTRUCT, GraphFormat.TURTLE),
        (
            "APPLICATION/LD+JSON; profile=http://www.w3.org/ns/json-ld#expanded",
            QueryForm.CONSTRUCT,
            GraphFormat.JSON_LD,
        ),
        # another charset makes that range match nothing
        (
            "text/csv;charset=latin-1, application/sparql-results+xml;q=0.1",
            QueryForm.SELECT,
            ResultFormat.XML,
        ),
        # names some clients use
        ("application/json", QueryForm.SELECT, ResultFormat.JSON),
        ("text/plain", QueryForm.CONSTRUCT, GraphFormat.N_TRIPLES),
        ("application/n-quads", QueryForm.CONSTRUCT, GraphFormat.N_QUADS),
        ("application/trig", QueryForm.DESCRIBE, GraphFormat.TRIG),
        # ASK in CSV/TSV: served as the single word true/false (as Oxigraph does)
        ("text/csv", QueryForm.ASK, ResultFormat.CSV),
        # the service description (no query) is RDF
        ("text/turtle", None, GraphFormat.TURTLE),
    ],
)
def test_negotiate(accept: str | None, form: QueryForm | None, chosen: Any) -> None:
    assert negotiate(accept, form) is chosen


@pytest.mark.parametrize(
    ("accept", "form"),
    [
        ("text/turtle", QueryForm.SELECT),
        ("application/sparql-results+json", QueryForm.CONSTRUCT),
        ("image/png, text/html", QueryForm.ASK),
        ("application/sparql-results+json;charset=iso-8859-1", QueryForm.SELECT),
        ("*/*;q=0", QueryForm.SELECT),
        ("text/*;q=0, application/*;q=0", QueryForm.CONSTRUCT),
        ("application/json", QueryForm.CONSTRUCT),
        ("nonsense", QueryForm.SELECT),
    ],
)
def test_negotiate_refuses(accept: str, form: QueryForm) -> None:
    with pytest.raises(HTTPProblem) as caught:
        negotiate(accept, form)
    assert caught.value.status == 406


def test_accept_charset() -> None:
    assert utf8_acceptable(None)
    assert utf8_acceptable("utf-8")
    assert utf8_acceptable("ISO-8859-1, utf-8;q=0.7, *;q=0.3")
    assert utf8_acceptable("*")
    assert not utf8_acceptable("iso-8859-1")
    assert not utf8_acceptable("utf-8;q=0, *")
    with pytest.raises(HTTPProblem):
        negotiate("*/*", QueryForm.SELECT, accept_charset="iso-8859-1")


def test_wildcard_does_not_pick_an_alias() -> None:
    assert choose(parse_accept("application/*"), list(ResultFormat)) is ResultFormat.JSON


# --- over HTTP ------------------------------------------------------------------


def test_select_default_is_json(client: TestClient) -> None:
    response = get(client, SELECT)
    assert response.status_code == 200
    assert media(response) == "application/sparql-results+json"
    assert "Accept" in response.headers["vary"]
    body = json.loads(response.content)
    assert body["head"]["vars"] == ["s", "p", "o"]
    assert len(body["results"]["bindings"]) == len(DATA)
    assert "X-GBKG-Truncated" not in response.headers


def rows_of(response: Any) -> set[tuple[str, ...]]:
    """Rows as N-Triples-ish strings, blank node labels blanked (they are per document)."""
    fmt = ox.QueryResultsFormat.from_media_type(media(response))
    solutions = ox.parse_query_results(response.content, format=fmt)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return {
        tuple("_:" if isinstance(s[n], ox.BlankNode) else str(s[n]) for n in names)
        for s in solutions
    }


@pytest.mark.parametrize("fmt", list(ResultFormat))
def test_select_every_result_format_parses_to_the_same_rows(
    client: TestClient, fmt: ResultFormat
) -> None:
    reference = rows_of(get(client, SELECT))
    response = get(client, SELECT, fmt.value)
    assert response.status_code == 200
    assert media(response) == fmt.value
    if fmt is ResultFormat.CSV:  # CSV loses datatypes and languages: compare plain values
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
        assert table[0] == ["s", "p", "o"]
        assert len(table) == len(DATA) + 1
        assert [
            "http://example.org/s1",
            "http://example.org/p",
            'one, "quoted"\tand\ttabs',
        ] in table
    else:
        assert rows_of(response) == reference


@pytest.mark.parametrize("fmt", list(ResultFormat))
def test_ask_every_result_format(client: TestClient, fmt: ResultFormat) -> None:
    response = get(client, ASK, fmt.value)
    assert response.status_code == 200
    assert media(response) == fmt.value
    if fmt in (ResultFormat.CSV, ResultFormat.TSV):
        assert response.content == b"true"
    else:
        parsed = ox.parse_query_results(
            response.content, format=ox.QueryResultsFormat.from_media_type(fmt.value)
        )
        assert isinstance(parsed, ox.QueryBoolean) and bool(parsed) is True


@pytest.mark.parametrize("fmt", list(GraphFormat))
def test_construct_every_rdf_format_is_the_same_graph(client: TestClient, fmt: GraphFormat) -> None:
    response = get(client, CONSTRUCT, fmt.value)
    assert response.status_code == 200
    assert media(response) == fmt.value
    rdflib_format = {"application/n-quads": "nquads", "application/trig": "trig"}.get(
        fmt.value, fmt.value
    )
    if fmt in (GraphFormat.N_QUADS, GraphFormat.TRIG):
        dataset = rdflib.Dataset()
        dataset.parse(data=response.content, format=rdflib_format)
        graph = rdflib.Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
    else:
        graph = rdflib.Graph()
        graph.parse(data=response.content, format=rdflib_format)
    assert isomorphic(graph, expected_graph())


def test_rdflib_accept_header_fits_the_query_form(client: TestClient) -> None:
    select = get(client, SELECT, RDFLIB_ACCEPT)
    assert media(select) == "application/sparql-results+xml"
    assert rows_of(select) == rows_of(get(client, SELECT))
    construct = get(client, CONSTRUCT, RDFLIB_ACCEPT)
    assert media(construct) == "application/rdf+xml"
    graph = rdflib.Graph().parse(data=construct.content, format="xml")
    assert isomorphic(graph, expected_graph())


def test_turtle_uses_the_query_prefixes(client: TestClient) -> None:
    response = get(client, CONSTRUCT, "text/turtle")
    assert b"@prefix ex: <http://example.org/>" in response.content


def test_q_values_over_http(client: TestClient) -> None:
    response = get(
        client, SELECT, "application/sparql-results+json;q=0.2, text/tab-separated-values;q=0.9"
    )
    assert media(response) == "text/tab-separated-values"
    assert response.headers["content-type"] == "text/tab-separated-values; charset=utf-8"


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (SELECT, "text/turtle"),
        (CONSTRUCT, "application/sparql-results+json"),
        (SELECT, "application/sparql-results+json; charset=utf-16"),
        (SELECT, "text/csv;charset=iso-8859-1"),
    ],
)
def test_not_acceptable_is_406_problem(client: TestClient, query: str, accept: str) -> None:
    response = get(client, query, accept)
    assert response.status_code == 406
    assert media(response) == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 406
    assert problem["available"]


def test_accept_charset_refusing_utf8_is_406(client: TestClient) -> None:
    response = get(client, SELECT, None, **{"Accept-Charset": "iso-8859-1"})
    assert response.status_code == 406


def test_406_comes_before_evaluation(client: TestClient) -> None:
    """Even a query that would be refused for its syntax is not run when nothing fits."""
    response = get(client, "SELECT * { ?s ?p ?o ", "text/turtle")
    assert response.status_code == 406


def test_post_forms_negotiate_too(client: TestClient) -> None:
    direct = client.post(
        "/sparql",
        content=CONSTRUCT.encode(),
        headers={
            "Content-Type": "application/sparql-query; charset=UTF-8",
            "Accept": "application/n-triples",
        },
    )
    assert direct.status_code == 200 and media(direct) == "application/n-triples"
    form = client.post(
        "/sparql",
        data={"query": SELECT, "format": "json", "output": "json"},
        headers={"Accept": "text/csv"},
    )
    assert form.status_code == 200 and media(form) == "text/csv"


# --- service description, CORS, OpenAPI ---------------------------------------


@pytest.mark.parametrize("fmt", list(GraphFormat))
def test_service_description_in_every_rdf_format(client: TestClient, fmt: GraphFormat) -> None:
    response = client.get("/sparql", headers={"Accept": fmt.value})
    assert response.status_code == 200 and media(response) == fmt.value
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.from_media_type(fmt.value))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert bool(
        store.query(
            f"ASK {{ ?s a <{sd}Service> ; <{sd}endpoint> <http://testserver/sparql> ; "
            f"<{sd}feature> <{sd}UnionDefaultGraph> }}"
        )
    )


def test_cors_preflight_for_yasgui(client: TestClient) -> None:
    for method in ("GET", "POST"):
        response = client.options(
            "/sparql",
            headers={
                "Origin": "https://yasgui.example",
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "content-type, accept",
            },
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] in ("*", "https://yasgui.example")
        assert method in response.headers["access-control-allow-methods"]
        assert "content-type" in response.headers["access-control-allow-headers"].lower()


def test_cors_on_answers_exposes_the_truncation_header(client: TestClient) -> None:
    response = client.post(
        "/sparql", data={"query": SELECT}, headers={"Origin": "https://yasgui.example"}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "https://yasgui.example")
    assert "x-gbkg-truncated" in response.headers["access-control-expose-headers"].lower()


def test_openapi_documents_the_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    path = spec["paths"]["/sparql"]
    for method in ("get", "post"):
        operation = path[method]
        assert operation["summary"]
        content = operation["responses"]["200"]["content"]
        assert {"application/sparql-results+json", "text/turtle", "text/csv"} <= set(content)
        assert {"400", "406", "503"} <= set(operation["responses"])
    names = {p["name"] for p in path["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= names
    assert {"application/x-www-form-urlencoded", "application/sparql-query"} <= set(
        path["post"]["requestBody"]["content"]
    )
