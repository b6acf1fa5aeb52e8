"""Hostile writes: a claim creates a source or refers to one as recorded, and changes
nothing it does not own (entities, other claims, sources, curators, graphs, the ontology).

Every refused write is a 422 problem whose violations name the field to fix, and the
store is exactly as it was (``assert_intact``). The batch cases run ``gbkg load`` as a
subprocess on a store of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile import HostileServer

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.store import OxigraphStore
from tests.test_model import base_claim

SOURCES_GRAPH = "https://w3id.org/gbkg/graph/sources"
REPO = Path(__file__).resolve().parents[2]


def claim(statement: str, **changes: Any) -> dict[str, Any]:
    """A valid claim; ``statement`` makes its content (hence its id) unique to the test."""
    return base_claim(statement=statement, **changes)


def post(server: HostileServer, body: Any) -> httpx.Response:
    return server.client.post("/claims", json=body, headers=server.auth)


def refused(server: HostileServer, body: Any, field: str, *words: str) -> dict[str, Any]:
    """POST ``body``: 422 naming ``field`` (with ``words`` in its message), store intact;
    ``POST /claims/validate`` reports the same violation."""
    before = server.snapshot()
    response = post(server, body)
    problem = server.assert_refused(response, 422)
    server.assert_intact(before)
    found = [v for v in problem["violations"] if v["field"] == field]
    assert found, (field, problem["violations"])
    for word in words:
        assert any(word in v["message"] for v in found), (word, found)
    dry = server.client.post("/claims/validate", json=body)
    assert dry.status_code == 200 and dry.json()["conforms"] is False
    assert field in {v["field"] for v in dry.json()["violations"]}
    server.assert_intact(before)
    return problem


@pytest.fixture(scope="module")
def seed(server: HostileServer) -> dict[str, Any]:
    """A curated claim of the seed article, as the store returns it (with its recorded
    source and primary source)."""
    page = server.client.get("/claims", params={"limit": 1000}).json()["data"]
    curated = [c for c in page if c["curator"] == "gbkg-curators" and "primary_source" in c]
    assert curated, "the curated claims are loaded"
    found: dict[str, Any] = curated[0]
    return found


def sources_graph(server: HostileServer) -> set[str]:
    response = server.client.get("/export", params={"format": "nquads"}, timeout=60.0)
    return {line for line in response.text.splitlines() if f"<{SOURCES_GRAPH}>" in line}


# What can never become a source -------------------------------------------------------


def test_a_known_entity_cannot_become_a_source(server: HostileServer) -> None:
    source = {"id": "CHEBI:28790", "title": "Serotonin Times", "type": "news-article"}
    problem = refused(server, claim("Serotonin as a source.", source=source), "source.id")
    message = next(v["message"] for v in problem["violations"] if v["field"] == "source.id")
    assert "entity" in message


def test_another_claim_cannot_become_a_source(server, seed) -> None:
    source = {"id": seed["id"], "title": "A claim as a source", "type": "report"}
    refused(server, claim("A claim as a source.", source=source), "source.id", "claim")


@pytest.mark.parametrize(
    ("iri", "what"),
    [
        ("https://w3id.org/gbkg/curator/gbkg-curators", "curator"),
        ("https://w3id.org/gbkg/curator/nobody-yet", "curator"),
        ("https://w3id.org/gbkg/graph/entities", "graph"),
        ("https://w3id.org/gbkg/graph/sources", "graph"),
        ("gba:Claim", "ontology"),
        ("gba:improves", "ontology"),
        ("http://www.w3.org/ns/prov#Agent", "vocabulary"),
        ("gbkg:probiotic", "entity"),
        ("NCBITaxon:999999999", "entit"),
    ],
)
def test_reserved_and_foreign_iris_cannot_become_a_source(server, iri, what) -> None:
    source = {"id": iri, "title": "Not a source", "type": "report"}
    refused(server, claim(f"Source {iri}.", source=source), "source.id", what)


def test_a_claim_graph_cannot_become_a_primary_source(server, seed) -> None:
    primary = {"id": seed["id"] + "#assertion", "type": "meta-analysis"}
    refused(server, claim("A graph as a study.", primary_source=primary), "primary_source.id")


# A recorded source is referred to as recorded --------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("type", "report", ("recorded",)),
        ("title", "Another title", ("recorded",)),
        ("publisher", "Mallory Press", ("without",)),
        ("date", "1999", ("without",)),
        ("doi", "10.1000/mallory", ("without",)),
    ],
)
def test_the_seed_source_is_not_rewritten(server, seed, field, value, words) -> None:
    source = {**seed["source"], field: value}
    refused(server, claim(f"Seed source {field}.", source=source), f"source.{field}", *words)


@pytest.mark.parametrize(
    ("field", "value"), [("title", "An invented title"), ("type", "rct"), ("year", 1999)]
)
def test_the_seed_primary_source_is_not_rewritten(server, seed, field, value) -> None:
    primary = {"id": seed["primary_source"]["id"], field: value}
    body = claim(f"Seed primary {field}.", primary_source=primary)
    refused(server, body, f"primary_source.{field}", "primary_source")


def test_a_recorded_source_is_referred_to_by_its_id_alone(server, seed) -> None:
    before = sources_graph(server)
    body = claim(
        "Referring to the seed source by id.",
        source={"id": seed["source"]["id"]},
        primary_source={"id": seed["primary_source"]["id"]},
    )
    response = post(server, body)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["source"] == seed["source"]
    assert stored["primary_source"] == seed["primary_source"]
    again = claim(
        "Repeating the seed source as recorded.",
        source=seed["source"],
        primary_source={"id": seed["primary_source"]["id"]},
    )
    assert post(server, again).status_code == 201
    assert sources_graph(server) == before, "referring to a source adds nothing to it"


URL_SOURCE = {
    "url": "https://news.example.org/gut-brain-2025",
    "title": "Gut feelings",
    "type": "news-article",
    "publisher": "Example News",
    "date": "2025-01",
}


@pytest.fixture(scope="module")
def url_source(server: HostileServer) -> dict[str, Any]:
    """A source recorded by URL (its id minted from it), as the store returns it."""
    response = post(server, claim("A claim read in Example News.", source=URL_SOURCE))
    assert response.status_code == 201, response.text
    recorded: dict[str, Any] = response.json()["source"]
    return recorded


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "report"),
        ("title", "Gut feelings, revised"),
        ("publisher", "Mallory Press"),
        ("date", "1999"),
    ],
)
def test_a_url_source_is_not_rewritten(server, url_source, field, value) -> None:
    source = {**URL_SOURCE, field: value}
    refused(server, claim(f"URL source {field}.", source=source), f"source.{field}", "2025-01"
            if field == "date" else "recorded")  # fmt: skip


def test_a_url_source_gets_no_new_value(server, url_source) -> None:
    source = {"url": URL_SOURCE["url"], "journal": "Journal of Mallory"}
    refused(server, claim("URL source journal.", source=source), "source.journal", "without")
    by_id = {"id": url_source["id"], "country": "Atlantis"}
    refused(server, claim("URL source country.", source=by_id), "source.country", "without")


def test_another_claims_date_is_unchanged(server, url_source) -> None:
    response = server.client.get("/claims", params={"source": url_source["id"]})
    (first,) = response.json()["data"]
    assert first["source"]["date"] == "2025-01"


# What a claim may describe as an entity ---------------------------------------------------


@pytest.mark.parametrize(
    "entity_id",
    [
        "seed-claim",
        "seed-source",
        "gba:Claim",
        "gba:improves",
        "https://w3id.org/gbkg/curator/gbkg-curators",
        "https://w3id.org/gbkg/graph/entities",
        "https://w3id.org/gbkg/claim/00000000000000000000000000000000",
        "https://w3id.org/gbkg/source/not-yet-recorded",
        "http://www.w3.org/ns/prov#Agent",
    ],
)
def test_entities_cannot_redefine_what_is_not_an_entity(server, seed, entity_id) -> None:
    iri = {"seed-claim": seed["id"], "seed-source": seed["source"]["id"]}.get(entity_id, entity_id)
    entity = {"id": iri, "label": "anything", "type": "gba:Food"}
    body = claim(f"Describing {entity_id}.", entities=[entity])
    refused(server, body, "entities.0.id")


@pytest.mark.parametrize("cls", ["gba:Claim", "gba:NewsArticle", "prov:Agent", "owl:Class"])
def test_a_new_entity_is_typed_with_an_entity_class(server, cls) -> None:
    entity = {"id": "gbkg:strain-of-mallory", "label": "Mallory's strain", "type": cls}
    body = claim(f"Typing an entity as {cls}.", subject="gbkg:strain-of-mallory", entities=[entity])
    refused(server, body, "entities.0.type", "entity class")


def test_the_index_of_a_bad_entity_is_its_place_in_the_request(server) -> None:
    entities = [
        {"id": "gbkg:zz-fine", "label": "fine", "type": "gba:Food"},
        {"id": "gba:Claim", "label": "claim", "type": "gba:Food"},
    ]
    refused(server, claim("Two entities.", entities=entities), "entities.1.id")


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("subject", "seed-claim", "claim"),
        ("object", "seed-source", "source"),
        ("subject", "gba:Claim", "ontology"),
        ("object", "https://w3id.org/gbkg/curator/gbkg-curators", "curator"),
    ],
)
def test_a_claim_is_about_entities(server, seed, field, value, what) -> None:
    iri = {"seed-claim": seed["id"], "seed-source": seed["source"]["id"]}.get(value, value)
    refused(server, claim(f"About {value}.", **{field: iri}), field, what)


def test_a_context_value_is_an_entity_or_text(server, seed) -> None:
    context = {"population": seed["id"]}
    refused(server, claim("A claim as a population.", context=context), "context.population")


# Who wrote it is the token's curator, whatever the body says --------------------------------


def test_the_body_cannot_name_the_curator(server: HostileServer) -> None:
    body = claim(
        "Posted by alice, naming another curator.",
        curator="mallory",
        created="1999-01-01T00:00:00Z",
        status="retracted",
        retraction={"reason": "a forged retraction", "by": "mallory"},
    )
    response = post(server, body)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["curator"], stored["status"]) == ("alice", "active")
    assert "retraction" not in stored and not stored["created"].startswith("1999")
    export = server.client.get("/export", params={"format": "nquads"}, timeout=60.0).text
    assert "curator/mallory" not in export and "a forged retraction" not in export


def test_an_rdf_body_cannot_relabel_a_curator(server: HostileServer) -> None:
    turtle = """
    @prefix gba: <https://w3id.org/gbkg/ontology#> .
    @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix dct: <http://purl.org/dc/terms/> .
    @prefix oa: <http://www.w3.org/ns/oa#> .
    [] a gba:Claim ; rdf:subject <https://w3id.org/gbkg/entity/probiotic> ;
       rdf:predicate gba:improves ; rdf:object <http://purl.obolibrary.org/obo/MONDO_0002050> ;
       gba:finding gba:AssertionFinding ; gba:statement "Relabelling a curator." ;
       gba:quote [ a oa:TextQuoteSelector ; oa:exact "relabel" ] ;
       prov:wasDerivedFrom <https://w3id.org/gbkg/source/relabel> ;
       prov:wasAttributedTo <https://w3id.org/gbkg/curator/gbkg-curators> .
    <https://w3id.org/gbkg/source/relabel> a gba:Report ; dct:title "Relabel" .
    <https://w3id.org/gbkg/curator/gbkg-curators> rdfs:label "Mallory" .
    """
    before = server.snapshot()
    response = server.client.post(
        "/claims",
        content=turtle.encode(),
        headers={**server.auth, "Content-Type": "text/turtle"},
    )
    problem = server.assert_refused(response, 422)
    # The curator's description is read as the claim's curator, and "Mallory" is not it.
    assert "curator.label" in {v["field"] for v in problem["violations"]}
    server.assert_intact(before)


# Batches: validated against the store and the claims before them -----------------------------


def gbkg_load(store: Path, path: Path) -> subprocess.CompletedProcess[str]:
    """``gbkg load`` in its own process, on a store no server holds."""
    return subprocess.run(
        [sys.executable, "-m", "gbkg.cli", "--store", str(store), "load", str(path),
         "--curator", "loader"],
        cwd=REPO, capture_output=True, text=True, timeout=180,
        env={**os.environ, "GBKG_LOAD_CURATED": "false"},
    )  # fmt: skip


def new_store(path: Path) -> Path:
    """A store holding the ontology and the known entities."""
    store = OxigraphStore(path)
    ensure_loaded(store, curated=False)
    store.close()
    return path


def store_quads(path: Path) -> set[str]:
    store = OxigraphStore(path)
    quads = {str(q) for q in store.quads()}
    store.close()
    return quads


STRAIN = {
    "id": "NCBITaxon:2960001",
    "label": "Lactobacillus testensis strain GB-1",
    "type": "gba:MicrobialTaxon",
}


def test_a_batch_uses_an_entity_an_earlier_claim_describes(tmp_path: Path) -> None:
    strain = "NCBITaxon:2960001"
    first = claim("A new strain is described.", subject=strain, entities=[STRAIN])
    second = claim("The new strain, used again.", subject=strain, hedged=True)
    relabelled = {**STRAIN, "label": "Mallory's name for it"}
    third = claim("The strain, relabelled.", subject=strain, entities=[relabelled])
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([first, second, third]), encoding="utf-8")
    store = new_store(tmp_path / "store")
    done = gbkg_load(store, path)
    assert done.returncode == 0, done.stderr
    assert "3 claim(s) stored" in done.stdout
    labels = [q for q in store_quads(store) if "NCBITaxon_2960001" in q and "#label" in q]
    assert len(labels) == 1, "the strain is described once, by the claim that introduced it"
    assert STRAIN["label"] in labels[0]


def test_a_batch_cannot_describe_one_new_source_twice_differently(tmp_path: Path) -> None:
    source = {"url": "https://example.org/one-report", "title": "One report", "type": "report"}
    first = claim("Read in one report.", source={**source, "date": "2025-01"})
    second = claim("Read in the same report.", source={**source, "date": "1999"})
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([first, second]), encoding="utf-8")
    store = new_store(tmp_path / "store")
    before = store_quads(store)
    done = gbkg_load(store, path)
    assert done.returncode == 1
    assert "1.source.date" in done.stderr and "2025-01" in done.stderr
    assert store_quads(store) == before


def test_a_batch_cannot_describe_a_known_entity_as_a_source(tmp_path: Path) -> None:
    source = {"id": "CHEBI:28790", "title": "Serotonin Times", "type": "news-article"}
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([claim("Fine."), claim("Bad.", source=source)]), encoding="utf-8")
    store = new_store(tmp_path / "store")
    before = store_quads(store)
    done = gbkg_load(store, path)
    assert done.returncode == 1 and "1.source.id" in done.stderr
    assert store_quads(store) == before
