"""``/entities``: look-up by label and synonym, one entity with claims and evidence, JSON-LD."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from linking_support import claim_data
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from gbkg.kg.ids import expand
from gbkg.kg.jsonld import context_document
from gbkg.kg.resources import ontology_file
from gbkg.kg.store import OxigraphStore

PROBLEM = "application/problem+json"


def ids(response: object) -> list[str]:
    return [hit["id"] for hit in response.json()["data"]]  # type: ignore[attr-defined]


def test_search_ranks_the_exact_label_first(client: TestClient) -> None:
    response = client.get("/entities", params={"q": "serotonin"})
    assert response.status_code == 200
    found = ids(response)
    assert found[0] == "CHEBI:28790"
    assert "gbkg:ssri" in found, "'selective serotonin reuptake inhibitor' contains the word"
    first = response.json()["data"][0]
    assert (first["label"], first["match"], first["rank"]) == ("serotonin", "label", 0)


def test_search_ranks_prefixes_before_synonyms_and_substrings(client: TestClient) -> None:
    found = ids(client.get("/entities", params={"q": "lactobacillus"}))
    assert found[0] == "NCBITaxon:1578"  # Lactobacillus: the exact label
    assert set(found[1:3]) == {"NCBITaxon:1579", "NCBITaxon:1587"}  # label prefixes
    assert found[3] == "NCBITaxon:1582"  # Lacticaseibacillus casei, by its old name


def test_search_finds_synonyms_case_insensitively(client: TestClient) -> None:
    for q in ("Lactobacillus casei", "LACTOBACILLUS CASEI", "l. casei"):
        response = client.get("/entities", params={"q": q})
        hit = response.json()["data"][0]
        assert (hit["id"], hit["label"], hit["match"]) == (
            "NCBITaxon:1582",
            "Lacticaseibacillus casei",
            "synonym",
        ), q
    assert ids(client.get("/entities", params={"q": "5-HT"}))[0] == "CHEBI:28790"


def test_search_limit_and_misses(client: TestClient) -> None:
    assert len(ids(client.get("/entities", params={"q": "a", "limit": 3}))) == 3
    assert client.get("/entities", params={"q": "no such thing at all"}).json()["count"] == 0
    missing = client.get("/entities")
    assert missing.status_code == 422 and missing.headers["content-type"] == PROBLEM


def test_search_text_is_bound_not_spliced(client: TestClient) -> None:
    response = client.get("/entities", params={"q": '") } SELECT * WHERE { ?s ?p ?o } #'})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_an_entity_with_its_claims_and_evidence(client: TestClient) -> None:
    response = client.get("/entities/gbkg:probiotic")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["iri"], body["label"]) == (
        "gbkg:probiotic",
        "https://w3id.org/gbkg/entity/probiotic",
        "probiotic",
    )
    assert "probiotics" in body["synonyms"]
    assert body["types"][0]["id"] == "gba:Probiotic"
    as_subject, as_object = body["claims"]["as_subject"], body["claims"]["as_object"]
    assert as_subject["count"] == len(as_subject["data"]) > 0
    assert as_object["count"] > 0, "fermented foods contain probiotics"
    assert all(c["subject"]["id"] == "gbkg:probiotic" for c in as_subject["data"])
    assert all(c["object"]["id"] == "gbkg:probiotic" for c in as_object["data"])
    assert as_subject["href"] == "/claims?subject=gbkg%3Aprobiotic"
    listed = client.get("/claims", params={"subject": "gbkg:probiotic", "limit": 500}).json()
    assert as_subject["count"] == listed["count"]
    assert {c["id"] for c in as_subject["data"]} == {c["id"] for c in listed["data"]}
    evidence = body["evidence"]
    assert evidence["claims"] == as_subject["count"] + as_object["count"]
    assert evidence["by_finding"]["effect"] >= 3 and evidence["by_finding"]["null"] >= 2
    assert sum(evidence["by_finding"].values()) == evidence["claims"]
    assert sum(evidence["by_study_design"].values()) == evidence["claims"]
    assert evidence["sources"] and evidence["sources"][0]["claims"] == evidence["claims"]


def test_an_entity_with_cross_references(client: TestClient) -> None:
    body = client.get("/entities/HGNC:6018").json()
    assert body["label"] == "interleukin-6"
    assert {
        "id": "NCBIGene:3569",
        "iri": "http://identifiers.org/ncbigene/3569",
        "match": "exact",
    } in body["xrefs"]
    by_iri = client.get("/entities/http://identifiers.org/hgnc/6018")
    assert by_iri.status_code == 200 and by_iri.json()["id"] == "HGNC:6018"


def test_claim_lists_are_limited_but_counted(client: TestClient) -> None:
    body = client.get("/entities/gbkg:probiotic", params={"limit": 1}).json()
    page = body["claims"]["as_subject"]
    assert len(page["data"]) == 1 and page["count"] > 1


def test_a_bad_curie_is_a_400_naming_the_parameter(client: TestClient) -> None:
    for bad in ("nope:1", "not a curie"):
        response = client.get(f"/entities/{bad}")
        assert response.status_code == 400, bad
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["parameter"] == "curie"


def test_an_unknown_entity_is_a_404(client: TestClient) -> None:
    response = client.get("/entities/gbkg:no-such-entity")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["parameter"] == "curie"


def test_an_entity_as_json_ld_uses_the_published_context(client: TestClient) -> None:
    response = client.get("/entities/HGNC:6018", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert document["@context"] == "https://w3id.org/gbkg/context.jsonld"
    assert client.get("/context.jsonld").json() == context_document()
    (node,) = document["@graph"]
    assert node["@id"] == "HGNC:6018", "identifiers read as in the JSON API"
    # Parse with the published context inline (no network), compare as graphs.
    document["@context"] = context_document()["@context"]
    served = Graph().parse(data=json.dumps(document), format="json-ld")
    known = Graph().parse(data=ontology_file("entities.ttl").read_bytes(), format="turtle")
    node = URIRef(str(expand("HGNC:6018")))
    expected = Graph()
    for triple in known.triples((node, None, None)):
        expected.add(triple)
    assert isomorphic(served, expected)


def test_an_entity_as_turtle(client: TestClient) -> None:
    response = client.get("/entities/CHEBI:28790", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/turtle"
    )
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef(str(expand("CHEBI:28790"))), None, None) in graph
    refused = client.get("/entities/CHEBI:28790", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and refused.headers["content-type"] == PROBLEM


def test_an_entity_described_with_a_claim_is_found(
    client: TestClient, auth: dict[str, str]
) -> None:
    data = claim_data(
        "gbkg:test-strain-x",
        "gba:increases",
        "CHEBI:28790",
        entities=[
            {
                "id": "gbkg:test-strain-x",
                "label": "Testibacillus exemplaris",
                "type": "gba:MicrobialTaxon",
                "synonyms": ["T. exemplaris"],
            }
        ],
    )
    assert client.post("/claims", json=data, headers=auth).status_code == 201
    hit = client.get("/entities", params={"q": "t. exemplaris"}).json()["data"][0]
    assert (hit["id"], hit["label"]) == ("gbkg:test-strain-x", "Testibacillus exemplaris")
    body = client.get("/entities/gbkg:test-strain-x").json()
    assert body["types"][0]["id"] == "gba:MicrobialTaxon"
    assert body["claims"]["as_subject"]["count"] == 1


def test_openapi_documents_the_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/entities", "/entities/{curie}", "/evidence", "/paths"):
        operation = spec["paths"][path]["get"]
        assert operation["summary"] and operation["description"], path
        assert "400" in operation["responses"] or path == "/entities", path


@pytest.mark.parametrize("q", ["serotonin", "Lactobacillus casei", "gut", "a", "BDNF", "zzz"])
def test_the_name_index_in_memory_finds_what_the_store_query_finds(
    store: OxigraphStore, q: str
) -> None:
    from gbkg.kg.entities import search
    from gbkg.kg.suggest.linking import EntityIndex

    index = EntityIndex.from_store(store)
    assert search(store, q, names=index) == search(store, q)
