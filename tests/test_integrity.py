"""What a write may touch (``kg/integrity.py``), through :class:`ClaimService`: sources are
created or referred to as recorded, entities are new entities, a claim relates entities,
and a batch is checked against the store plus the claims before it."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import ValidationFailed
from gbkg.kg.integrity import Kind, Recorded, namespace_kind
from gbkg.kg.model import Claim
from gbkg.kg.namespaces import SOURCES_GRAPH
from gbkg.kg.record.form import parse_claim
from gbkg.kg.store import OxigraphStore
from tests.test_model import base_claim

SEROTONIN = "http://purl.obolibrary.org/obo/CHEBI_28790"
STRAIN = {
    "id": "NCBITaxon:2960001",
    "label": "Lactobacillus testensis strain GB-1",
    "type": "gba:MicrobialTaxon",
}


def claim(statement: str, **changes: Any) -> Claim:
    return parse_claim(base_claim(statement=statement, **changes))


def everything(store: OxigraphStore) -> set[str]:
    return {str(q) for q in store.quads()}


def sources_graph(store: OxigraphStore) -> set[str]:
    return {str(q) for q in store.quads(ox.NamedNode(SOURCES_GRAPH))}


def refused(service: ClaimService, new: Claim) -> dict[str, str]:
    """``add`` refuses ``new``, stores nothing, and ``validate`` reports the same fields;
    field -> its messages."""
    before = everything(service.store)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as raised:
        service.add(new, curator="alice")
    assert everything(service.store) == before  # type: ignore[arg-type]
    found: dict[str, str] = {}
    for v in raised.value.violations:
        if v.field:
            found[v.field] = " | ".join(m for m in (found.get(v.field), v.message) if m)
    report = service.validate(new)
    assert not report.conforms
    assert set(found) == {v.field for v in report.violations if v.field}
    return found


@pytest.fixture
def curated(store: OxigraphStore) -> ClaimService:
    """A service on a store holding the curated claims of the seed article."""
    return ClaimService(store)


@pytest.fixture
def seed(curated: ClaimService) -> Claim:
    found = [
        c
        for c in curated.find(limit=1000).claims
        if c.curator == "gbkg-curators" and c.primary_source
    ]
    return found[0]


# What an IRI names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iri", "kind"),
    [
        ("https://w3id.org/gbkg/claim/0123", Kind.CLAIM),
        ("https://w3id.org/gbkg/source/0123", Kind.SOURCE),
        ("https://doi.org/10.1000/x", Kind.SOURCE),
        ("https://w3id.org/gbkg/curator/alice", Kind.CURATOR),
        ("https://w3id.org/gbkg/graph/sources", Kind.GRAPH),
        ("https://w3id.org/gbkg/ontology#Claim", Kind.ONTOLOGY),
        ("https://w3id.org/gbkg/shapes#reportPath", Kind.PROJECT),
        ("https://w3id.org/gbkg/entity/probiotic", Kind.ENTITY),
        (SEROTONIN, Kind.ENTITY),
        ("http://www.w3.org/ns/prov#Agent", Kind.VOCABULARY),
        ("https://example.org/anything", None),
    ],
)
def test_namespaces_name_one_kind(iri: str, kind: Kind | None) -> None:
    assert namespace_kind(iri) == kind


def test_the_store_says_what_an_iri_is(curated: ClaimService, seed: Claim) -> None:
    recorded = Recorded(curated.store)
    assert recorded.kinds(SEROTONIN) == {Kind.ENTITY}
    assert recorded.kinds(str(seed.id)) == {Kind.CLAIM}
    assert recorded.kinds(str(seed.id) + "#assertion") == {Kind.CLAIM, Kind.GRAPH}
    assert recorded.kinds("https://w3id.org/gbkg/graph/entities") == {Kind.GRAPH}
    assert recorded.kinds("https://example.org/nothing") == set()
    assert seed.source is not None and seed.source.id is not None
    assert recorded.kinds(seed.source.minted_id()) == {Kind.SOURCE}


# Sources --------------------------------------------------------------------------------------


def test_a_known_entity_cannot_become_a_source(curated: ClaimService) -> None:
    source = {"id": "CHEBI:28790", "title": "Serotonin Times", "type": "news-article"}
    found = refused(curated, claim("Serotonin as a source.", source=source))
    assert "CHEBI:28790 is an entity" in found["source.id"]
    types = [q for q in curated.store.quads_about(ox.NamedNode(SEROTONIN))]
    assert all(q.graph_name != ox.NamedNode(SOURCES_GRAPH) for q in types)


def test_a_recorded_source_is_referred_to_by_its_id(curated: ClaimService, seed: Claim) -> None:
    assert seed.source is not None and seed.primary_source is not None
    before = sources_graph(curated.store)  # type: ignore[arg-type]
    by_id = claim(
        "By id.", source={"id": seed.source.id}, primary_source={"id": seed.primary_source.id}
    )
    stored, created = curated.add(by_id, curator="alice")
    assert created
    assert stored.source == seed.source and stored.primary_source == seed.primary_source
    as_recorded = claim(
        "As recorded.",
        source=seed.source.model_dump(exclude_none=True),
        primary_source={"id": seed.primary_source.id},
    )
    assert curated.add(as_recorded, curator="alice")[1]
    assert sources_graph(curated.store) == before  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"type": "report"}, "source.type", "recorded with type 'news-article', not 'report'"),
        # the seed article has no title of its own (its title is supplied by the curator)
        ({"title": "Another"}, "source.title", "recorded without any title"),
        ({"date": "1999"}, "source.date", "recorded without any date"),
        ({"url": "https://example.org/x"}, "source.url", "recorded without any url"),
    ],
)
def test_a_recorded_source_is_not_rewritten(curated, seed, change, field, words) -> None:
    assert seed.source is not None
    source = {**seed.source.model_dump(exclude_none=True), **change}
    found = refused(curated, claim(f"Changing {field}.", source=source))
    assert words in found[field]
    assert "leave it out" in found[field] or f"Leave {field} out" in found[field]


def test_a_url_source_keeps_its_date(service: ClaimService) -> None:
    source = {"url": "https://example.org/a", "title": "A", "type": "report", "date": "2025-01"}
    first, _ = service.add(claim("First.", source=source), curator="alice")
    found = refused(service, claim("Second.", source={**source, "date": "1999"}))
    assert "2025-01" in found["source.date"]
    assert service.get(str(first.id)).source.date == "2025-01"  # type: ignore[union-attr]


def test_a_primary_source_is_not_its_own_source(service: ClaimService) -> None:
    source = {"id": "source:one", "title": "One", "type": "report"}
    found = refused(service, claim("Itself.", source=source, primary_source={"id": "source:one"}))
    assert "never the source itself" in found["primary_source.id"]


def test_a_claim_links_a_recorded_source_to_its_new_primary_source(curated, seed) -> None:
    """The one thing a claim adds to a recorded source: that it reports the claim's
    primary source (the claim's own statement of where the finding comes from)."""
    assert seed.source is not None
    before = sources_graph(curated.store)
    primary = {"doi": "10.1000/new-study", "type": "rct", "title": "A new trial"}
    curated.add(claim("Another study.", source={"id": seed.source.id}, primary_source=primary),
                curator="alice")  # fmt: skip
    added = sources_graph(curated.store) - before
    reports = {q for q in added if "ontology#reports" in q}
    assert len(reports) == 1 and seed.source.minted_id() in next(iter(reports))
    assert all("https://doi.org/10.1000/new-study>" in q.split(" ")[0] for q in added - reports)


# Entities and references ------------------------------------------------------------------------


def test_entities_describe_new_entities_only(curated: ClaimService, seed: Claim) -> None:
    assert seed.source is not None
    for iri in (str(seed.id), seed.source.minted_id(), "gba:Claim", "curator:gbkg-curators"):
        entity = {"id": iri, "label": "x", "type": "gba:Food"}
        found = refused(curated, claim("Redescribing.", entities=[entity]))
        assert "not an entity" in found["entities.0.id"]


def test_entities_are_numbered_as_sent(service: ClaimService) -> None:
    entities = [
        {"id": "gbkg:zz", "label": "fine", "type": "gba:Food"},
        {"id": "gbkg:aa", "label": "untyped"},
        {"id": "gbkg:bb", "label": "odd", "type": "gba:NewsArticle"},
    ]
    found = refused(service, claim("Three entities.", entities=entities))
    assert set(found) == {"entities.1.type", "entities.2.type"}
    assert "required" in found["entities.1.type"]
    assert "not an entity class" in found["entities.2.type"]


def test_a_known_entity_is_not_redescribed(service: ClaimService) -> None:
    lactobacillus = ox.NamedNode("http://purl.obolibrary.org/obo/NCBITaxon_1578")
    before = service.store.quads_about(lactobacillus)
    relabel = {"id": "NCBITaxon:1578", "label": "Mallory's bacterium", "type": "gba:Food"}
    stored, _ = service.add(claim("Relabel.", entities=[relabel]), curator="alice")
    assert stored.entities == []
    assert service.store.quads_about(lactobacillus) == before


@pytest.mark.parametrize("field", ["subject", "object"])
def test_a_claim_relates_entities(curated: ClaimService, seed: Claim, field: str) -> None:
    assert seed.source is not None
    for iri, what in ((str(seed.id), "a claim"), (seed.source.minted_id(), "a source")):
        found = refused(curated, claim(f"About a {what}.", **{field: iri}))
        assert what in found[field]


def test_a_claim_is_not_about_its_own_source(service: ClaimService) -> None:
    source = {"id": "source:own", "title": "Own", "type": "report"}
    found = refused(service, claim("Own.", source=source, object="source:own"))
    assert "this claim's source" in found["object"]


def test_the_curator_is_the_one_given_not_the_bodys(service: ClaimService) -> None:
    forged = claim("Forged.", curator="mallory", status="retracted",
                   retraction={"reason": "forged", "by": "mallory"})  # fmt: skip
    stored, _ = service.add(forged, curator="alice")
    assert (stored.curator, stored.status, stored.retraction) == ("alice", "active", None)


def test_a_repost_must_agree_with_the_record(service: ClaimService) -> None:
    source = {"url": "https://example.org/b", "title": "B", "type": "report"}
    first, created = service.add(claim("Once.", source=source), curator="alice")
    assert created
    again, created = service.add(claim("Once.", source=source), curator="bob")
    assert again == first and not created
    refused(service, claim("Once.", source={**source, "publisher": "Mallory Press"}))


# Batches ------------------------------------------------------------------------------------------


def test_a_batch_sees_the_entities_of_its_earlier_claims(service: ClaimService) -> None:
    strain = STRAIN["id"]
    batch = [
        claim("Described.", subject=strain, entities=[STRAIN]),
        claim("Used.", subject=strain),
        claim("Relabelled.", subject=strain, entities=[{**STRAIN, "label": "Another name"}]),
    ]
    assert all(report.conforms for report in service.validate_many(batch))
    results = service.add_many(batch, curator="loader")
    assert [created for _, created in results] == [True, True, True]
    assert results[0][0].subject_label == STRAIN["label"] == results[2][0].subject_label
    assert results[2][0].entities == []


def test_a_batch_cannot_describe_one_new_source_twice(service: ClaimService) -> None:
    source = {"url": "https://example.org/c", "title": "C", "type": "report"}
    batch = [
        claim("One.", source={**source, "date": "2025-01"}),
        claim("Two.", source={**source, "date": "1999"}),
    ]
    before = everything(service.store)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as raised:
        service.add_many(batch, curator="loader")
    (violation,) = raised.value.violations
    assert violation.field == "1.source.date"
    assert (
        "described by item 0 of this batch" in violation.message and "2025-01" in violation.message
    )
    assert everything(service.store) == before  # type: ignore[arg-type]
    reports = service.validate_many(batch)
    assert reports[0].conforms and not reports[1].conforms


def test_a_batch_stores_a_repeated_claim_once(service: ClaimService) -> None:
    one = claim("Repeated.")
    results = service.add_many([one] * 50, curator="loader")
    assert len(results) == 50 and len({stored.id for stored, _ in results}) == 1
    assert service.find(limit=10).count == 1


def test_a_refused_item_is_not_seen_by_the_next(service: ClaimService) -> None:
    bad_source = {"id": "CHEBI:28790", "title": "Serotonin Times", "type": "news-article"}
    batch = [claim("Bad.", source=bad_source), claim("Fine.", object="CHEBI:28790")]
    reports = service.validate_many(batch)
    assert [r.conforms for r in reports] == [False, True]
