"""The claim graph: projection and updates (kg.analytics); paths: tests/evidence/test_paths.py."""

from __future__ import annotations

import pytest
from linking_support import add, make_claim

from gbkg.kg.analytics import ClaimGraph, ClaimGraphCache
from gbkg.kg.curation import ClaimService
from gbkg.kg.evidence.paths import ranked_paths
from gbkg.kg.ids import expand
from gbkg.kg.projection import claim_record, claim_records
from gbkg.kg.store import OxigraphStore

PROBIOTIC, MICROBIOTA, SEROTONIN = "gbkg:probiotic", "gbkg:gut-microbiota", "CHEBI:28790"
GUT, BRAIN, DEPRESSION = "UBERON:0001555", "UBERON:0000955", "MONDO:0002050"


def iri(curie: str) -> str:
    return str(expand(curie))


def route(path: object) -> list[str]:
    steps = path.steps  # type: ignore[attr-defined]
    return [steps[0].source_label] + [s.target_label for s in steps]


# The projection --------------------------------------------------------------------------


def test_the_projection_holds_active_claims_as_edges(store: OxigraphStore) -> None:
    graph = ClaimGraph.from_store(store)
    service = ClaimService(store)
    active = service.find(limit=1000).count
    assert graph.graph.number_of_edges() == active
    data = graph.graph.nodes[iri(PROBIOTIC)]
    assert data["label"] == "probiotic"
    assert data["types"] == [str(expand("gba:Probiotic"))]
    edges = graph.graph.get_edge_data(iri(PROBIOTIC), iri(DEPRESSION))
    assert edges, "the curated claims say probiotics improve depression"
    # one edge per claim: the effect claims and the "at least four weeks" assertion
    some = next(e for e in edges.values() if e["finding"].value == "effect")
    assert some["predicate"] == str(expand("gba:improves"))
    assert {"claim", "hedged", "study_design", "n_participants", "context"} <= set(some)


def test_a_claim_reads_the_same_from_its_graphs_as_from_the_projection_query(
    store: OxigraphStore,
) -> None:
    service = ClaimService(store)
    first = service.find(limit=1).claims[0].id
    assert first is not None
    service.retract(first, reason="test", curator="tester")
    records = claim_records(store)
    assert len(records) == service.find(limit=1000, include_retracted=True).count
    assert any(r.source and r.source.title for r in records)  # the curator-supplied title
    assert any(r.context for r in records) and any(r.primary_source for r in records)
    for record in records:
        assert claim_record(store, record.iri) == record
    assert next(r for r in records if r.iri == first).status.value == "retracted"
    assert claim_record(store, "https://w3id.org/gbkg/claim/none") is None


def test_update_adds_new_claims_and_drops_retracted_ones(service: ClaimService) -> None:
    graph = ClaimGraph.from_store(service.store)
    service.listeners.append(graph.update)
    assert graph.graph.number_of_edges() == 0
    claim = add(service, PROBIOTIC, "gba:increases", MICROBIOTA)
    assert graph.graph.has_edge(iri(PROBIOTIC), iri(MICROBIOTA), key=claim)
    assert graph.graph.nodes[iri(MICROBIOTA)]["label"] == "gut microbiota"
    service.retract(claim, reason="test", curator="tester")
    assert graph.graph.number_of_edges() == 0
    assert iri(PROBIOTIC) not in graph.graph, "an entity without active claims leaves the graph"


def test_update_learns_entities_described_with_a_claim(service: ClaimService) -> None:
    graph = ClaimGraph.from_store(service.store)
    service.listeners.append(graph.update)
    strain = make_claim(
        "gbkg:test-strain",
        "gba:increases",
        SEROTONIN,
        entities=[{"id": "gbkg:test-strain", "label": "test strain", "type": "gba:MicrobialTaxon"}],
    )
    service.add(strain, curator="tester")
    assert graph.graph.nodes[iri("gbkg:test-strain")]["label"] == "test strain"
    step = ranked_paths(graph, "gbkg:test-strain", SEROTONIN).paths[0].steps[0]
    assert graph.label(step.source) == "test strain"


def test_the_cache_builds_once_and_follows_writes(service: ClaimService) -> None:
    cache = ClaimGraphCache(service.store)
    service.listeners.append(cache.update)
    add(service, PROBIOTIC, "gba:increases", MICROBIOTA)  # before the first build
    assert not cache.built
    graph = cache.get()
    assert cache.get() is graph and cache.build_seconds is not None
    assert graph.graph.number_of_edges() == 1
    add(service, MICROBIOTA, "gba:increases", SEROTONIN)
    assert graph.graph.number_of_edges() == 2


def test_a_failed_update_drops_the_graph_instead_of_failing_the_write(
    service: ClaimService, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ClaimGraphCache(service.store)
    service.listeners.append(cache.update)
    first = cache.get()

    def broken(iris: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(first, "update", broken)
    add(service, PROBIOTIC, "gba:increases", MICROBIOTA)
    assert not cache.built
    assert cache.get().graph.number_of_edges() == 1


def test_a_restart_reads_the_saved_graph_until_a_write_comes(empty: OxigraphStore) -> None:
    service = ClaimService(empty)
    add(service, PROBIOTIC, "gba:increases", MICROBIOTA)
    first = ClaimGraphCache(empty)
    built = first.get()  # from the store, and saved beside it
    assert first.source == "store"
    again = ClaimGraphCache(empty)
    assert again.get().records() == built.records() and again.source == "snapshot"
    assert again.get().entities == built.entities
    add(service, MICROBIOTA, "gba:increases", SEROTONIN)  # the snapshot is now stale
    after = ClaimGraphCache(empty)
    assert after.get().graph.number_of_edges() == 2 and after.source == "store"
    # A graph kept in step with writes, saved when the server stops, is read back.
    service.listeners.append(after.update)
    add(service, SEROTONIN, "gba:improves", DEPRESSION)
    after.save()
    last = ClaimGraphCache(empty)
    assert last.get().graph.number_of_edges() == 3 and last.source == "snapshot"


def test_a_damaged_snapshot_is_ignored(empty: OxigraphStore) -> None:
    from gbkg.kg.snapshot import SNAPSHOT_FILE

    add(ClaimService(empty), PROBIOTIC, "gba:increases", MICROBIOTA)
    ClaimGraphCache(empty).get()
    assert empty.path is not None
    (empty.path / SNAPSHOT_FILE).write_text('{"format": 1, "token": ', encoding="utf-8")
    cache = ClaimGraphCache(empty)
    assert cache.get().graph.number_of_edges() == 1 and cache.source == "store"


def test_the_saved_graph_of_the_curated_claims_reads_back_the_same(
    store: OxigraphStore, tmp_path
) -> None:
    """Every field of every curated record survives the snapshot, multi-valued contexts
    (two strains of one trial) included: a restart answers as the first start did."""
    from gbkg.kg import snapshot

    graph = ClaimGraph.from_store(store)
    snapshot.save(tmp_path, "token", graph.snapshot())
    read = snapshot.load(tmp_path, "token")
    assert read is not None
    key = lambda r: r.iri  # noqa: E731
    assert sorted(read.records, key=key) == sorted(graph.records(), key=key)
    assert any(isinstance(v, tuple) for r in read.records for v in r.context.values())
    again = ClaimGraph.from_snapshot(read, store)
    assert again.entities == graph.entities
