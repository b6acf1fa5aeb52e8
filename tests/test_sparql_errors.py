"""SPARQL syntax errors reduced to the line, the column and what was expected
(``kg/sparql_errors.py``), the same on ``/sparql`` (query workers and in-process)
and on the CLI (``tests/test_cli.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from sparql_helpers import build_app

from gbkg.kg.errors import QueryError
from gbkg.kg.sparql_errors import describe, query_syntax_error
from gbkg.kg.store import OxigraphStore

GRAMMAR_DUMP = ("\\u{", "..=", "[_]")


def oxigraph_error(query: str) -> SyntaxError:
    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(query)
    return raised.value


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * { ?s rdf:type ?o }", "line 1, column 15: unknown prefix rdf"),
        (
            "PREFIX ex: <http://e/>\nSELECT * {\n  ?s ex:p ?o .\n  ?s foaf:name ?n }",
            "line 4, column 6: unknown prefix foaf",
        ),
        ('SELECT * { ?s ?p "é" . ?s dc:title ?o }', "line 1, column 27: unknown prefix dc"),
        (
            "SELECT * { ?s ?p ?o } LIMIT x",
            "line 1, column 29: found 'x', expected one of HAVING, OFFSET, OPTIONAL, VALUES, "
            "a digit",
        ),
        ("SELECT (1 AS ?x) (2 AS ?x) {}", "duplicated variable name in SELECT"),
        ("SELECT * { ?s ?p ?o", "line 1, column 20: found end of the query, expected one of"),
    ],
)
def test_oxigraph_errors_are_reduced(query: str, message: str) -> None:
    error = query_syntax_error(oxigraph_error(query), query)
    assert message in error.message
    assert "\n" not in error.message and not any(g in error.message for g in GRAMMAR_DUMP)
    assert error.details["line"] >= 1 and error.details["column"] >= 1


def test_a_long_list_of_alternatives_is_cut() -> None:
    query = "SELECT * WHERE {\n  ?s ?p ?o FILTER(?o = ) }"
    problem = describe(str(oxigraph_error(query)), query)
    assert problem is not None
    assert problem.message.endswith("…") and len(problem.expected) > 8
    assert len(problem.message) < 200


def test_a_message_without_a_position_is_kept_to_its_first_line() -> None:
    error = query_syntax_error(SyntaxError("something odd\nmore"), "ASK {}")
    assert error.message == "the SPARQL query does not parse: something odd"
    assert "line" not in error.details


def test_the_store_raises_the_reduced_error() -> None:
    with pytest.raises(QueryError, match="line 1, column 20: unknown prefix rdf") as raised:
        OxigraphStore(None).query("ASK { <http://e/a> rdf:type ?o }")
    assert raised.value.details == {"line": 1, "column": 20, "expected": None}


@pytest.fixture(scope="module", params=[True, False], ids=["isolated", "in-process"])
def client(request: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, store = build_app(
        tmp_path_factory.mktemp("syntax") / "store", query_isolation=request.param
    )
    with TestClient(app) as client:
        yield client
    store.close()


def test_sparql_answers_400_with_the_line_and_column(client: TestClient) -> None:
    query = "SELECT ?s\nWHERE { ?s rdf:type ?o }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert "line 2, column 12: unknown prefix rdf" in body["detail"]
    assert (body["line"], body["column"]) == (2, 12)
    assert not any(g in body["detail"] for g in GRAMMAR_DUMP)


def test_sparql_lists_what_was_expected(client: TestClient) -> None:
    body = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT x"}).json()
    assert body["expected"] == ["HAVING", "OFFSET", "OPTIONAL", "VALUES", "a digit"]
    assert body["detail"].endswith(
        "found 'x', expected one of HAVING, OFFSET, OPTIONAL, VALUES, a digit"
    )
