"""Evidence between two entities: roles, consensus, heterogeneity, retraction (kg.evidence)."""

from __future__ import annotations

import pytest

from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import CurieError, NotFoundError, ParameterError
from gbkg.kg.evidence import Consensus, Direction, Role, evidence
from gbkg.kg.store import OxigraphStore
from tests.linking_support import add

PROBIOTIC, MICROBIOTA, SEROTONIN = "gbkg:probiotic", "gbkg:gut-microbiota", "CHEBI:28790"
GUT, BRAIN = "UBERON:0001555", "UBERON:0000955"


def test_two_effects_and_a_null_in_one_context_are_contested(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, note="one")
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, design="rct", note="two")
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, "null", design="rct")
    summary = evidence(service.store, PROBIOTIC, SEROTONIN)
    assert summary.counts == {"supporting": 2, "opposing": 0, "null": 1, "assertion": 0, "other": 0}
    assert summary.relation is not None and summary.relation.id == "gba:increases"
    assert summary.consensus is Consensus.CONTESTED
    assert summary.heterogeneity == []


def test_effects_only_are_supported(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, note="one")
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, design="rct", note="two")
    assert evidence(service.store, PROBIOTIC, SEROTONIN).consensus is Consensus.SUPPORTED


def test_a_null_in_another_co_intervention_is_heterogeneity_not_contradiction(
    service: ClaimService,
) -> None:
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, context={"co_intervention": "gbkg:ssri"})
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, "null")
    summary = evidence(service.store, PROBIOTIC, SEROTONIN)
    assert summary.count(Role.SUPPORTING) == 1 and summary.count(Role.NULL) == 1
    assert summary.consensus is Consensus.SUPPORTED
    assert [(h.field, h.values) for h in summary.heterogeneity] == [
        ("co_intervention", ("gbkg:ssri", None))
    ]
    assert summary.context_dependent
    assert sorted(s.verdict for s in summary.strata) == ["no-effect", "supported"]


def test_different_populations_with_opposite_effects_are_heterogeneity(
    service: ClaimService,
) -> None:
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, context={"population": "adults"})
    add(
        service,
        PROBIOTIC,
        "gba:increases",
        SEROTONIN,
        context={"population": "adults"},
        design="rct",
    )
    add(service, PROBIOTIC, "gba:decreases", SEROTONIN, context={"population": "mice"})
    summary = evidence(service.store, PROBIOTIC, SEROTONIN)
    assert summary.count(Role.OPPOSING) == 1
    assert summary.consensus is Consensus.SUPPORTED
    assert [h.field for h in summary.heterogeneity] == ["population"]


def test_the_opposite_relation_counts_as_opposing(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, note="one")
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, note="two")
    opposing = add(service, PROBIOTIC, "gba:decreases", SEROTONIN)
    summary = evidence(service.store, PROBIOTIC, SEROTONIN)
    assert summary.relation is not None and summary.relation.id == "gba:increases"
    roles = {c.record.iri: c.role for c in summary.claims}
    assert roles[opposing] is Role.OPPOSING
    assert summary.counts["supporting"] == 2 and summary.counts["opposing"] == 1
    assert summary.consensus is Consensus.CONTESTED


def test_the_dominant_relation_is_the_one_with_more_effects(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:decreases", SEROTONIN, note="one")
    add(service, PROBIOTIC, "gba:decreases", SEROTONIN, note="two")
    add(service, PROBIOTIC, "gba:increases", SEROTONIN)
    summary = evidence(service.store, PROBIOTIC, SEROTONIN)
    assert summary.relation is not None and summary.relation.id == "gba:decreases"
    assert (summary.count(Role.SUPPORTING), summary.count(Role.OPPOSING)) == (2, 1)


def test_only_null_findings_give_no_effect(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:decreases", SEROTONIN, "null")
    summary = evidence(service.store, PROBIOTIC, SEROTONIN)
    assert summary.consensus is Consensus.NO_EFFECT
    assert summary.relation is not None and summary.relation.id == "gba:decreases"


def test_a_null_on_a_broader_relation_counts_as_null(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", SEROTONIN)
    add(service, PROBIOTIC, "gba:affects", SEROTONIN, "null")
    summary = evidence(service.store, PROBIOTIC, SEROTONIN)
    assert summary.counts["null"] == 1
    assert summary.consensus is Consensus.CONTESTED


def test_assertions_are_listed_but_insufficient(service: ClaimService) -> None:
    add(service, MICROBIOTA, "gba:communicatesWith", BRAIN, "assertion", design=None)
    summary = evidence(service.store, MICROBIOTA, BRAIN)
    assert summary.counts["assertion"] == 1
    assert summary.consensus is Consensus.INSUFFICIENT


def test_no_claims_is_insufficient(service: ClaimService) -> None:
    summary = evidence(service.store, PROBIOTIC, BRAIN)
    assert summary.claims == [] and summary.relation is None
    assert summary.consensus is Consensus.INSUFFICIENT


def test_claims_stated_the_other_way_are_weighed_in_their_direction(
    service: ClaimService,
) -> None:
    add(service, PROBIOTIC, "gba:increases", SEROTONIN)
    summary = evidence(service.store, SEROTONIN, PROBIOTIC)
    assert summary.direction is Direction.REVERSE
    assert summary.count(Role.SUPPORTING) == 1
    assert summary.consensus is Consensus.SUPPORTED


def test_a_symmetric_relation_is_read_both_ways(service: ClaimService) -> None:
    add(service, MICROBIOTA, "gba:communicatesWith", BRAIN)
    add(service, BRAIN, "gba:communicatesWith", MICROBIOTA, design="rct")
    summary = evidence(service.store, MICROBIOTA, BRAIN)
    assert summary.direction is Direction.FORWARD
    assert summary.count(Role.SUPPORTING) == 2
    assert sorted(c.turned for c in summary.claims) == [False, True]


def test_a_reverse_claim_with_an_unrelated_direction_is_other(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, note="one")
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, note="two")
    other = add(service, SEROTONIN, "gba:decreases", PROBIOTIC)
    summary = evidence(service.store, PROBIOTIC, SEROTONIN)
    roles = {c.record.iri: c.role for c in summary.claims}
    assert roles[other] is Role.OTHER
    assert summary.consensus is Consensus.SUPPORTED


def test_retracted_claims_leave_the_summary(service: ClaimService) -> None:
    graph = ClaimGraph.from_store(service.store)
    service.listeners.append(graph.update)
    add(service, PROBIOTIC, "gba:increases", SEROTONIN)
    null = add(service, PROBIOTIC, "gba:increases", SEROTONIN, "null")
    for source in (service.store, graph):
        assert evidence(source, PROBIOTIC, SEROTONIN).consensus is Consensus.CONTESTED
    service.retract(null, reason="misread the source", curator="tester")
    for source in (service.store, graph):
        summary = evidence(source, PROBIOTIC, SEROTONIN)
        assert summary.consensus is Consensus.SUPPORTED
        assert null not in {c.record.iri for c in summary.claims}
        with_retracted = evidence(source, PROBIOTIC, SEROTONIN, include_retracted=True)
        assert with_retracted.consensus is Consensus.CONTESTED
        assert {c.record.status.value for c in with_retracted.claims} == {"active", "retracted"}


def test_the_graph_and_the_store_agree(service: ClaimService) -> None:
    add(service, PROBIOTIC, "gba:increases", SEROTONIN, context={"co_intervention": "gbkg:ssri"})
    add(service, PROBIOTIC, "gba:decreases", SEROTONIN, "null")
    graph = ClaimGraph.from_store(service.store)
    from_store = evidence(service.store, PROBIOTIC, SEROTONIN)
    from_graph = evidence(graph, PROBIOTIC, SEROTONIN)
    assert from_store.counts == from_graph.counts
    assert from_store.consensus == from_graph.consensus
    assert from_store.heterogeneity == from_graph.heterogeneity


def test_identifiers_are_checked_and_named(service: ClaimService) -> None:
    with pytest.raises(CurieError) as bad:
        evidence(service.store, "nope:1", SEROTONIN)
    assert bad.value.details["parameter"] == "subject"
    with pytest.raises(NotFoundError) as unknown:
        evidence(service.store, PROBIOTIC, "gbkg:no-such-thing")
    assert unknown.value.details["parameter"] == "object"
    with pytest.raises(ParameterError):
        evidence(service.store, PROBIOTIC, PROBIOTIC)


# The curated claims ----------------------------------------------------------------------


def test_curated_probiotics_improve_depression(store: OxigraphStore) -> None:
    summary = evidence(store, PROBIOTIC, "MONDO:0002050")
    assert summary.relation is not None and summary.relation.id == "gba:improves"
    assert summary.consensus is Consensus.SUPPORTED
    assert summary.count(Role.SUPPORTING) >= 3
    assert summary.count(Role.OPPOSING) == 0
    fields = {h.field for h in summary.heterogeneity}
    assert "co_intervention" in fields


@pytest.mark.parametrize("marker", ["HGNC:6018", "HGNC:11892"])
def test_curated_probiotics_do_not_lower_inflammatory_markers(
    store: OxigraphStore, marker: str
) -> None:
    summary = evidence(store, PROBIOTIC, marker)
    assert summary.consensus is Consensus.NO_EFFECT
    assert summary.count(Role.NULL) >= 1
