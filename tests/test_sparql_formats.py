"""The result writers of :mod:`kg.sparql_formats` against Oxigraph's own serializer and parser,
and the query analysis of :mod:`kg.sparql_analysis`."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from gbkg.kg.errors import ForbiddenQueryError, QueryError
from gbkg.kg.sparql import ProtocolDataset, QueryJob, answer, evaluate, serialize
from gbkg.kg.sparql_analysis import QueryForm, classify, expand_escapes, inspect_query
from gbkg.kg.sparql_formats import GraphFormat, ResultFormat, write_boolean
from gbkg.kg.store import OxigraphStore

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

VALUES: list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = [
    ox.NamedNode(EX + "a?b=c&d"),
    ox.BlankNode("b1"),
    ox.Literal("plain"),
    ox.Literal('tab\there, "quotes", comma\nnewline \\ backslash <&>'),
    ox.Literal("chat", language="fr"),
    ox.Literal("مرحبا", language="ar", direction=ox.BaseDirection.RTL),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("-1.5", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("1.0E3", datatype=ox.NamedNode(XSD + "double")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("not a number", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("2024-01-01", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("ünïcödé ✓ 𝄞"),
    ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o", language="en")),
]


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    s = OxigraphStore(None)
    graph = ox.NamedNode(EX + "g")
    quads = [
        ox.Quad(ox.NamedNode(f"{EX}row{i:02d}"), ox.NamedNode(EX + "v"), value, graph)
        for i, value in enumerate(VALUES)
    ]
    quads.append(
        ox.Quad(ox.NamedNode(EX + "row99"), ox.NamedNode(EX + "other"), ox.Literal(1), graph)
    )
    s.extend(quads)
    return s


SELECT = (
    f"SELECT ?row ?v ?missing WHERE {{ ?row ?p ?x OPTIONAL {{ ?row <{EX}v> ?v }} }} ORDER BY ?row"
)


@pytest.mark.parametrize("fmt", list(ResultFormat))
def test_solutions_byte_for_byte_as_oxigraph(store: OxigraphStore, fmt: ResultFormat) -> None:
    ours = serialize(evaluate(store, SELECT), fmt)
    theirs = store.query(SELECT)
    assert isinstance(theirs, ox.QuerySolutions)
    assert ours == theirs.serialize(format=fmt.oxigraph)


@pytest.mark.parametrize("fmt", [ResultFormat.JSON, ResultFormat.XML, ResultFormat.TSV])
def test_solutions_parse_back(store: OxigraphStore, fmt: ResultFormat) -> None:
    result = evaluate(store, SELECT)
    parsed = ox.parse_query_results(serialize(result, fmt), format=fmt.oxigraph)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == ["row", "v", "missing"]
    rows = [tuple(s[i] for i in range(3)) for s in parsed]
    assert rows == result.rows


@pytest.mark.parametrize("fmt", list(ResultFormat))
@pytest.mark.parametrize("value", [True, False])
def test_boolean_as_oxigraph(store: OxigraphStore, fmt: ResultFormat, value: bool) -> None:
    query = "ASK { FILTER(true) }" if value else "ASK { FILTER(false) }"
    theirs = store.query(query)
    assert isinstance(theirs, ox.QueryBoolean)
    assert write_boolean(value, fmt) == theirs.serialize(format=fmt.oxigraph)


def test_empty_projection(store: OxigraphStore) -> None:
    for fmt in ResultFormat:
        theirs = store.query("SELECT * WHERE {}")
        assert isinstance(theirs, ox.QuerySolutions)
        assert serialize(evaluate(store, "SELECT * WHERE {}"), fmt) == theirs.serialize(
            format=fmt.oxigraph
        )


@pytest.mark.parametrize("fmt", list(GraphFormat))
def test_graph_formats_round_trip(store: OxigraphStore, fmt: GraphFormat) -> None:
    query = f"PREFIX ex: <{EX}> CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(!isTriple(?o)) }}"
    result = evaluate(store, query)
    assert result.form is QueryForm.CONSTRUCT
    body = serialize(result, fmt)
    parsed = {
        ox.Triple(q.subject, q.predicate, q.object) if isinstance(q, ox.Quad) else q
        for q in ox.parse(body, format=fmt.oxigraph)
    }
    expected = set(result.triples)
    blank = {t for t in expected if isinstance(t.object, ox.BlankNode)}
    assert {t for t in parsed if not isinstance(t.object, ox.BlankNode)} == expected - blank
    assert len(parsed) == len(expected)


def test_answer_checks_evaluates_and_serializes(store: OxigraphStore) -> None:
    output = answer(store, QueryJob("ASK { ?s ?p ?o }", ResultFormat.JSON), max_results=10)
    assert output.body == b'{"head":{},"boolean":true}'
    assert output.form is QueryForm.ASK and not output.truncated
    output = answer(store, QueryJob(SELECT, ResultFormat.CSV), max_results=3)
    assert output.truncated and output.count == 3


def test_protocol_dataset_overrides_from(store: OxigraphStore) -> None:
    query = f"SELECT ?s FROM <{EX}g> WHERE {{ ?s ?p ?o }}"
    assert len(evaluate(store, query).rows) == len(VALUES) + 1
    empty = ProtocolDataset(default_graphs=(EX + "nothing",))
    assert evaluate(store, query, dataset=empty).rows == []


# --- analysis ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * {}", QueryForm.SELECT),
        ("select * {}", QueryForm.SELECT),
        ("# SELECT in a comment\nASK {}", QueryForm.ASK),
        ("#INSERT\n#DELETE\nDescribe <x>", QueryForm.DESCRIBE),
        ("PREFIX : <http://e/>\nPREFIX ex:<http://e/x#>BASE <http://b/> CONSTRUCT {} {}",
         QueryForm.CONSTRUCT),
        ("\t\r\n  prefix insert: <http://e/> select * { insert:a ?p ?o }", QueryForm.SELECT),
        ("BASE <http://e/#select> ASK {}", QueryForm.ASK),
    ],
)  # fmt: skip
def test_classify(text: str, form: QueryForm) -> None:
    assert classify(text).form is form


def test_classify_collects_the_prologue() -> None:
    classified = classify(
        "BASE <http://b/> PREFIX ex: <http://e/> PREFIX : <http://d/> SELECT * {}"
    )
    assert classified.base == "http://b/"
    assert classified.prefixes == {"ex": "http://e/", "": "http://d/"}


@pytest.mark.parametrize(
    "text",
    ["", "   ", "# only a comment", "PREFIX ex: <http://e/>", "FOO {}", "PREFIX ex <x> SELECT"],
)
def test_classify_refuses_what_is_not_a_query(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        classify(text)
    assert not isinstance(caught.value, ForbiddenQueryError)


def test_expand_escapes() -> None:
    assert expand_escapes(r"\u0053ERVICE \U0001D11E") == "SERVICE 𝄞"


def test_inspect_query_without_service_or_from_skips_rdflib() -> None:
    inspection = inspect_query("SELECT * { ?s ?p ?o }")
    assert inspection.parsed and not inspection.has_dataset


def test_a_name_ending_in_from_is_not_a_from_clause() -> None:
    """prov:wasDerivedFrom (in most queries about sources) needs no parse; each distinct
    query text parsed costs ~4 ms."""
    from gbkg.kg.sparql_analysis import _inspect_parsed

    before = _inspect_parsed.cache_info().misses
    for text in (
        "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT * { ?c prov:wasDerivedFrom ?s }",
        "PREFIX ex: <http://e/> SELECT ?fromDate { ?x ex:from ?fromDate }",
    ):
        inspection = inspect_query(text)
        assert inspection.parsed and not inspection.has_dataset
    assert _inspect_parsed.cache_info().misses == before
    for text in ("SELECT *FROM<http://g/>{}", "select ?s\nfrom <http://g/> { ?s ?p ?o }",
                 "SELECT * FROM\t<http://g/> {}", "SELECT (1 AS ?x)FROM <http://g/> {}",
                 r"SELECT * \u0046ROM <http://g/> {}"):  # fmt: skip
        assert inspect_query(text).from_graphs == ("http://g/",), text


def test_inspect_query_resolves_from_against_base() -> None:
    inspection = inspect_query(
        "PREFIX ex: <http://e/> SELECT * FROM ex:a FROM <rel> FROM NAMED <http://n/> {}",
        base_iri="http://host/sparql",
    )
    assert inspection.from_graphs == ("http://e/a", "http://host/rel")
    assert inspection.from_named == ("http://n/",)
