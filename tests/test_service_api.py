"""Health, named queries over HTTP, downloads, errors and OpenAPI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from gbkg.kg.resources import ontology_file

PROBLEM = "application/problem+json"


def test_health_counts(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["backend"] == "oxigraph"
    assert body["claims"] >= 20 and body["triples"] > body["claims"] * 20


def test_queries_are_listed_with_their_headers(client: TestClient) -> None:
    listed = {q["name"]: q for q in client.get("/queries").json()}
    assert {
        "claims-about",
        "null-results",
        "gut-brain-channels",
        "quantities",
        "claims-by-source",
        "studied-strains",
        "contested",
    } <= set(listed)
    about = listed["claims-about"]
    assert about["params"] == [{"name": "entity", "type": "iri", "required": True}]
    assert about["summary"] and about["columns"] and "SELECT" in about["sparql"]
    assert about["run"].endswith("/queries/claims-about")


def test_run_a_named_query_with_a_curie(client: TestClient) -> None:
    response = client.get("/queries/claims-about", params={"entity": "CHEBI:28790"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    rows = response.json()["results"]["bindings"]
    assert rows and all(r["entity"]["value"].endswith("CHEBI_28790") for r in rows)
    assert all("entityLabel" in r for r in rows), "labels come beside IRIs"


def test_named_query_as_csv(client: TestClient) -> None:
    response = client.get("/queries/null-results", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2


@pytest.mark.parametrize(
    ("params", "named"),
    [({}, "entity"), ({"entity": "nosuch:1"}, "entity"), ({"entity": "CHEBI:1", "x": "1"}, "x")],
)
def test_bad_parameters_are_400_naming_them(client: TestClient, params, named) -> None:
    response = client.get("/queries/claims-about", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["parameter"] == named


def test_a_parameter_cannot_inject_query_text(client: TestClient) -> None:
    evil = "https://e.org/x> } UNION { ?claim ?p ?o } #"
    response = client.get("/queries/claims-about", params={"entity": evil})
    assert response.status_code == 400


def test_unknown_query_is_404(client: TestClient) -> None:
    response = client.get("/queries/no-such-query")
    assert response.status_code == 404 and "claims-about" in response.json()["detail"]


@pytest.mark.parametrize(("route", "name"), [("/ontology", "gba.ttl"), ("/shapes", "shapes.ttl")])
def test_ontology_and_shapes_downloads(client: TestClient, route: str, name: str) -> None:
    expected = Graph().parse(data=ontology_file(name).read_text("utf-8"), format="turtle")
    turtle = client.get(route)
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert isomorphic(Graph().parse(data=turtle.text, format="turtle"), expected)
    xml = client.get(route, headers={"Accept": "application/rdf+xml"})
    assert isomorphic(Graph().parse(data=xml.text, format="xml"), expected)
    assert client.get(route, headers={"Accept": "text/html"}).status_code == 406


def test_export_is_the_whole_store(client: TestClient) -> None:
    store = client.app.state.services.store  # type: ignore[attr-defined]
    expected = len(list(store.quads()))
    trig = client.get("/export", params={"format": "trig"})
    assert trig.headers["content-type"].startswith("application/trig")
    dataset = Dataset()
    dataset.parse(data=trig.text, format="trig")
    assert len(set(dataset.quads())) == expected
    nquads = client.get("/export", params={"format": "nquads"})
    assert len([line for line in nquads.text.splitlines() if line.strip()]) == expected
    assert client.get("/export", params={"format": "xlsx"}).status_code == 422


def test_jsonld_export_uses_the_published_context(client: TestClient) -> None:
    document = client.get("/export", params={"format": "jsonld"}).json()
    assert document["@context"].endswith("/context.jsonld")
    context = client.get("/context.jsonld")
    assert context.headers["content-type"].startswith("application/ld+json")
    document["@context"] = context.json()["@context"]
    dataset = Dataset()
    dataset.parse(data=json.dumps(document), format="json-ld")
    store = client.app.state.services.store  # type: ignore[attr-defined]
    assert len(set(dataset.quads())) == len(list(store.quads()))


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/no/such/route")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


def test_openapi_documents_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/health",
        "/sparql",
        "/claims",
        "/claims/{claim_id}",
        "/claims/validate",
        "/claims/{claim_id}/retract",
        "/entities",
        "/entities/{curie}",
        "/evidence",
        "/paths",
        "/queries",
        "/queries/{name}",
        "/ontology",
        "/shapes",
        "/export",
    ):
        assert path in spec["paths"], path
        for operation in spec["paths"][path].values():
            assert operation.get("summary"), f"{path} has no summary"
    assert client.get("/docs").status_code == 200


def test_the_root_links_to_every_resource(client: TestClient) -> None:
    index = client.get("/").json()
    assert index["name"] == "gut-brain-kg"
    for route, url in index["links"].items():
        assert client.get(url).status_code == 200, route
