"""Paths ranked by evidence (kg.evidence.paths): which claims form steps, how steps weigh."""

from __future__ import annotations

import itertools

import pytest

from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import CurieError, NotFoundError, ParameterError
from gbkg.kg.evidence.paths import EvidencePath, ranked_paths
from gbkg.kg.ids import expand
from gbkg.kg.store import OxigraphStore
from tests.linking_support import add

PROBIOTIC, MICROBIOTA, SEROTONIN = "gbkg:probiotic", "gbkg:gut-microbiota", "CHEBI:28790"
GUT, BRAIN, DEPRESSION = "UBERON:0001555", "UBERON:0000955", "MONDO:0002050"


def paths(
    service_or_store: ClaimService | OxigraphStore, a: str, b: str, **kw: object
) -> tuple[ClaimGraph, list[EvidencePath]]:
    store = (
        service_or_store.store if isinstance(service_or_store, ClaimService) else service_or_store
    )
    graph = ClaimGraph.from_store(store)
    return graph, ranked_paths(graph, a, b, **kw).paths  # type: ignore[arg-type]


def route(graph: ClaimGraph, path: EvidencePath) -> list[str]:
    return [graph.label(path.steps[0].source)] + [graph.label(s.target) for s in path.steps]


def test_paths_rank_by_the_evidence_of_their_steps(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", MICROBIOTA)  # a meta-analysis: supported, high
    add(service, MICROBIOTA, "gba:increases", SEROTONIN, design="animal")  # low, indirect
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, hedged=True, design="rct")  # hedged
    graph, found = paths(service, PROBIOTIC, SEROTONIN)
    assert [route(graph, p) for p in found] == [
        ["probiotic", "serotonin"],
        ["probiotic", "gut microbiota", "serotonin"],
    ]
    direct = found[0].steps[0]
    assert (direct.verdict.consensus.value, direct.verdict.certainty.value) == (
        "supported",
        "moderate",
    )
    assert found[0].score == pytest.approx(0.8)  # an RCT, hedged: down one
    assert found[1].score == pytest.approx(1.0 * 0.45)  # high, then very low (animal)
    assert "supported by 1 rct" in found[0].explanation


def test_a_step_weighs_every_line_not_its_best_claim(service: ClaimService) -> None:
    add(
        service,
        PROBIOTIC,
        "gba:increases",
        MICROBIOTA,
        design="rct",
        source={"title": "trial A", "type": "rct"},
    )
    add(
        service,
        PROBIOTIC,
        "gba:increases",
        MICROBIOTA,
        "null",
        design="rct",
        source={"title": "trial B", "type": "rct"},
    )
    _, found = paths(service, PROBIOTIC, MICROBIOTA)
    step = found[0].steps[0]
    assert step.verdict.consensus.value == "contested" and step.counted == 2
    assert step.weight == pytest.approx(0.25) and len(step.claims) == 2


def test_a_null_only_step_is_shown_as_no_effect_and_ranked_low(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", MICROBIOTA, "null")
    _, found = paths(service, PROBIOTIC, MICROBIOTA)
    assert found[0].steps[0].verdict.consensus.value == "no-effect"
    assert found[0].score == pytest.approx(0.1)


def test_descriptive_relations_are_not_mechanisms(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:studiedFor", DEPRESSION, "assertion", design=None)
    assert paths(service, PROBIOTIC, DEPRESSION)[1] == []


def test_directed_relations_are_not_walked_backwards(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", MICROBIOTA)
    assert paths(service, MICROBIOTA, PROBIOTIC)[1] == []


def test_symmetric_relations_are_walked_both_ways(service: ClaimService) -> None:
    add(service, MICROBIOTA, "gba:communicatesWith", BRAIN, "assertion", design=None)
    graph, found = paths(service, BRAIN, MICROBIOTA)
    step = found[0].steps[0]
    assert step.reversed and graph.vocabulary.label(step.relation) == "communicates with"
    assert step.assertion_only
    assert not paths(service, MICROBIOTA, BRAIN)[1][0].steps[0].reversed


def test_inverse_relations_are_walked_backwards_as_their_inverse(service: ClaimService) -> None:
    add(service, MICROBIOTA, "gba:partOf", GUT, "assertion", design=None)
    step = paths(service, GUT, MICROBIOTA)[1][0].steps[0]
    assert step.reversed and step.relation == str(expand("gba:hasPart"))


def test_max_hops_bounds_the_search(service: ClaimService) -> None:
    chain = [PROBIOTIC, MICROBIOTA, SEROTONIN, BRAIN, DEPRESSION]
    for a, b in itertools.pairwise(chain):
        add(service, a, "gba:increases", b)
    graph = ClaimGraph.from_store(service.store)
    assert ranked_paths(graph, PROBIOTIC, DEPRESSION, max_hops=3).paths == []
    (path,) = ranked_paths(graph, PROBIOTIC, DEPRESSION, max_hops=4).paths
    assert path.hops == 4 and path.score == pytest.approx(1.0)
    for hops in (0, 7):
        with pytest.raises(ParameterError):
            ranked_paths(graph, PROBIOTIC, DEPRESSION, max_hops=hops)


def test_qualifier_changes_along_a_path_are_reported_and_rank_lower(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", MICROBIOTA, context={"population": "older adults"})
    add(service, MICROBIOTA, "gba:increases", SEROTONIN, context={"population": "children"})
    _, found = paths(service, PROBIOTIC, SEROTONIN)
    (path,) = found
    assert path.changes == ("population changes: older adults → children",)
    assert path.score == pytest.approx(0.7)
    assert "Qualifiers change along the path" in path.explanation


def test_bad_and_unknown_entities_are_named(service: ClaimService) -> None:
    graph = ClaimGraph.from_store(service.store)
    with pytest.raises(CurieError) as bad:
        ranked_paths(graph, "nope:x", SEROTONIN)
    assert bad.value.details["parameter"] == "source"
    with pytest.raises(NotFoundError) as unknown:
        ranked_paths(graph, PROBIOTIC, "gbkg:no-such-entity")
    assert unknown.value.details["parameter"] == "target"
    assert ranked_paths(graph, PROBIOTIC, SEROTONIN).paths == []


def test_curated_probiotics_to_depression(store: OxigraphStore) -> None:
    graph, found = paths(store, PROBIOTIC, DEPRESSION, max_hops=4)
    best = found[0]
    assert route(graph, best) == ["probiotic", "depressive disorder"]
    step = best.steps[0]
    assert graph.vocabulary.label(step.relation) == "improves" and len(step.claims) == 5
    assert step.counted == 1 and best.score == pytest.approx(0.8)


def test_curated_fermented_foods_reach_depression_through_probiotics(store: OxigraphStore) -> None:
    graph, found = paths(store, "gbkg:yogurt", DEPRESSION)
    assert route(graph, found[0]) == ["yogurt", "probiotic", "depressive disorder"]
    assert found[0].changes and found[0].steps[0].assertion_only


def test_curated_paths_are_only_what_the_article_says(store: OxigraphStore) -> None:
    """The article proposes targeting the gut microbiome with probiotics ("one promising
    avenue", curated as *studied for*: no effect stated) and names the vagus nerve and
    serotonin only as channels of the axis: no path runs from probiotics to the gut
    microbiota, the brain, the vagus nerve or serotonin, and none is invented."""
    for target in (MICROBIOTA, BRAIN, SEROTONIN, "UBERON:0001759"):
        assert paths(store, PROBIOTIC, target, max_hops=6)[1] == []
