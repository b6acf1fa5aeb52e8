"""The claim graph: projection, updates, mechanism paths and their scores (kg.analytics)."""

from __future__ import annotations

import itertools
import math

import pytest
from linking_support import add, make_claim

from gbkg.kg.analytics import ClaimGraph, ClaimGraphCache, claim_weight
from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import CurieError, NotFoundError, ParameterError
from gbkg.kg.ids import expand
from gbkg.kg.model import Finding, StudyDesign
from gbkg.kg.projection import ClaimRecord, claim_record, claim_records
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
    some = next(iter(edges.values()))
    assert some["predicate"] == str(expand("gba:improves"))
    assert some["finding"].value == "effect"
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
    assert any(r.source and r.source.title for r in records)
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
    assert graph.paths("gbkg:test-strain", SEROTONIN)[0].steps[0].source_label == "test strain"


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


# Paths -----------------------------------------------------------------------------------


def test_paths_follow_claims_and_rank_by_score(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", MICROBIOTA)  # meta-analysis effect: 1.0
    add(service, MICROBIOTA, "gba:increases", SEROTONIN, design="animal")  # 0.5
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, hedged=True, design="rct")  # 0.51
    graph = ClaimGraph.from_store(service.store)
    found = graph.paths(PROBIOTIC, SEROTONIN)
    assert [route(p) for p in found] == [
        ["probiotic", "serotonin"],
        ["probiotic", "gut microbiota", "serotonin"],
    ]
    assert found[0].score == pytest.approx(0.85 * 0.6)
    assert found[1].score == pytest.approx(1.0 * 0.5)
    step = found[1].steps[0]
    assert (step.relation_label, step.finding.value, step.study_design.value) == (
        "increases",
        "effect",
        "meta-analysis",
    )
    assert step.claim.startswith("https://w3id.org/gbkg/claim/")


def test_a_step_uses_its_best_claim_and_counts_the_rest(service: ClaimService) -> None:
    weak = add(service, PROBIOTIC, "gba:increases", MICROBIOTA, design="in-vitro")
    strong = add(service, PROBIOTIC, "gba:increases", MICROBIOTA, design="rct")
    step = ClaimGraph.from_store(service.store).paths(PROBIOTIC, MICROBIOTA)[0].steps[0]
    assert (step.claim, step.support, step.claims) == (strong, 2, (strong, weak))


def test_null_findings_are_not_mechanisms(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", MICROBIOTA, "null")
    assert len(ClaimGraph.from_store(service.store).paths(PROBIOTIC, MICROBIOTA)) == 0


def test_descriptive_relations_are_not_mechanisms(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:studiedFor", DEPRESSION, "assertion", design=None)
    assert len(ClaimGraph.from_store(service.store).paths(PROBIOTIC, DEPRESSION)) == 0


def test_directed_relations_are_not_walked_backwards(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", MICROBIOTA)
    assert len(ClaimGraph.from_store(service.store).paths(MICROBIOTA, PROBIOTIC)) == 0


def test_symmetric_relations_are_walked_both_ways(service: ClaimService) -> None:
    add(service, MICROBIOTA, "gba:communicatesWith", BRAIN, "assertion", design=None)
    graph = ClaimGraph.from_store(service.store)
    step = graph.paths(BRAIN, MICROBIOTA)[0].steps[0]
    assert step.reversed and step.relation_label == "communicates with"
    assert not graph.paths(MICROBIOTA, BRAIN)[0].steps[0].reversed


def test_inverse_relations_are_walked_backwards_as_their_inverse(service: ClaimService) -> None:
    add(service, MICROBIOTA, "gba:partOf", GUT, "assertion", design=None)
    step = ClaimGraph.from_store(service.store).paths(GUT, MICROBIOTA)[0].steps[0]
    assert step.reversed and step.relation == str(expand("gba:hasPart"))


def test_max_hops_bounds_the_search(service: ClaimService) -> None:
    chain = [PROBIOTIC, MICROBIOTA, SEROTONIN, BRAIN, DEPRESSION]
    for a, b in itertools.pairwise(chain):
        add(service, a, "gba:increases", b)
    graph = ClaimGraph.from_store(service.store)
    assert len(graph.paths(PROBIOTIC, DEPRESSION, max_hops=3)) == 0
    (path,) = graph.paths(PROBIOTIC, DEPRESSION, max_hops=4)
    assert path.hops == 4 and math.isclose(path.score, 1.0)
    with pytest.raises(ParameterError):
        graph.paths(PROBIOTIC, DEPRESSION, max_hops=0)
    with pytest.raises(ParameterError):
        graph.paths(PROBIOTIC, DEPRESSION, max_hops=7)


def test_bad_and_unknown_entities_are_named(service: ClaimService) -> None:
    graph = ClaimGraph.from_store(service.store)
    with pytest.raises(CurieError) as bad:
        graph.paths("nope:x", SEROTONIN)
    assert bad.value.details["parameter"] == "source"
    with pytest.raises(NotFoundError) as unknown:
        graph.paths(PROBIOTIC, "gbkg:no-such-entity")
    assert unknown.value.details["parameter"] == "target"
    assert len(graph.paths(PROBIOTIC, SEROTONIN)) == 0, "known entities without claims: no path"


def test_claim_weights() -> None:
    def record(finding: Finding, design: StudyDesign | None, hedged: bool) -> ClaimRecord:
        return ClaimRecord(
            "urn:c",
            iri(PROBIOTIC),
            iri("gba:increases"),
            iri(SEROTONIN),
            finding,
            study_design=design,
            hedged=hedged,
        )

    assert claim_weight(record(Finding.EFFECT, StudyDesign.META_ANALYSIS, False)) == 1.0
    assert claim_weight(record(Finding.NULL, StudyDesign.META_ANALYSIS, False)) == 0.0
    assert claim_weight(record(Finding.EFFECT, StudyDesign.COHORT, True)) == pytest.approx(0.42)
    assert claim_weight(record(Finding.ASSERTION, None, True)) == pytest.approx(0.5 * 0.5 * 0.6)


# The curated claims ----------------------------------------------------------------------


def test_curated_probiotics_to_depression(store: OxigraphStore) -> None:
    found = ClaimGraph.from_store(store).paths(PROBIOTIC, DEPRESSION, max_hops=4)
    best = found[0]
    assert route(best) == ["probiotic", "depressive disorder"]
    assert best.steps[0].relation_label == "improves" and best.steps[0].support >= 3
    assert best.score == pytest.approx(1.0)


def test_curated_fermented_foods_reach_depression_through_probiotics(
    store: OxigraphStore,
) -> None:
    found = ClaimGraph.from_store(store).paths("gbkg:yogurt", DEPRESSION)
    assert route(found[0]) == ["yogurt", "probiotic", "depressive disorder"]


def test_curated_paths_from_probiotics_go_through_the_gut_microbiota(store: OxigraphStore) -> None:
    """The article says probiotics target the gut microbiome and that the microbiota
    talks to the brain: that path exists, made of assertions. It names the vagus
    nerve and serotonin only as channels of the axis, so no path reaches them from
    probiotics, and none is invented."""
    graph = ClaimGraph.from_store(store)
    (path,) = graph.paths(PROBIOTIC, BRAIN, max_hops=6)
    assert [s.target_label for s in path.steps] == ["gut microbiota", "brain"]
    assert {s.finding for s in path.steps} == {"assertion"}
    for target in (SEROTONIN, "UBERON:0001759"):
        assert len(graph.paths(PROBIOTIC, target, max_hops=6)) == 0
