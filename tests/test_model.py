"""The claim record: identity, canonical form, and the Claim -> RDF -> Claim round trip."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib.compare import isomorphic

from gbkg.kg.bootstrap import curated_quads
from gbkg.kg.errors import ValidationFailed
from gbkg.kg.model import Claim, ClaimIn
from gbkg.kg.record.form import parse_claim
from gbkg.kg.record.writer import claim_quads
from gbkg.kg.terms import quads_dataset
from tests.record_helpers import claim_dataset, claims_in, curated_claims, graph_copy


def base_claim(**changes: Any) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "subject": "gbkg:probiotic",
        "predicate": "gba:decreases",
        "object": "HGNC:6018",
        "finding": "null",
        "statement": "Probiotics did not significantly reduce IL-6.",
        "quote": "Neither IL-6 nor TNF-α levels decreased meaningfully",
        "quote_position": {"start": 4048, "end": 4100},  # in the seed article
        "hedged": False,
        "source": {"title": "A news report", "type": "news-article"},
        "primary_source": {
            "type": "meta-analysis",
            "journal": "Clinical Nutrition",
            "country": "Spain",
        },
        "evidence": {"study_design": "meta-analysis", "n_studies": 7, "n_participants": 938},
        "statistics": {
            "effect_measure": "SMD",
            "effect_size": -0.1,
            "ci_low": -0.35,
            "ci_high": 0.15,
            "p_value": 0.41,
        },
        "context": {
            "population": "adults with depression",
            "co_intervention": "gbkg:antidepressant",
        },
    }
    claim.update(changes)
    return claim


CURATED = quads_dataset(curated_quads())
CURATED_CLAIMS = curated_claims()


def test_curated_claims_exist() -> None:
    assert len(CURATED_CLAIMS) >= 20


@pytest.mark.parametrize("claim", CURATED_CLAIMS, ids=lambda c: c.iri.rsplit("/", 1)[-1])
def test_curated_claim_round_trips(claim: Claim) -> None:
    assert claim.iri == claim.id, "the stored IRI is the hash of the claim's content"
    written = claim_quads(claim)
    assert claims_in(written) == [claim]
    dataset = claim_dataset(claim)
    for part in ("#head", "#assertion", "#provenance", "#pubinfo"):
        name = claim.iri + part
        assert isomorphic(graph_copy(CURATED, name), graph_copy(dataset, name)), part


def test_json_round_trip_keeps_every_field() -> None:
    claim = parse_claim(base_claim(curator="alice", created="2026-01-02T03:04:05+00:00"), Claim)
    (back,) = claims_in(claim_quads(claim))
    assert back == Claim.stored(
        claim, curator="alice", created=claim.created, entities=claim.entities
    )
    assert back.statistics is not None and back.statistics.p_value == pytest.approx(0.41)
    assert back.context is not None and back.context.co_intervention == ["gbkg:antidepressant"]
    assert back.context.population == ["adults with depression"]


def test_same_content_same_iri_whatever_the_spelling() -> None:
    a = parse_claim(base_claim())
    b = parse_claim(
        base_claim(
            subject="https://w3id.org/gbkg/entity/probiotic",
            object="http://identifiers.org/hgnc/6018",
            statistics={
                "effect_measure": "SMD",
                "effect_size": -0.10,
                "ci_low": -0.350,
                "ci_high": 0.15,
                "p_value": 0.410,
            },
        )
    )
    assert a.iri == b.iri
    assert a.iri.startswith("https://w3id.org/gbkg/claim/")


def test_server_fields_do_not_change_the_iri() -> None:
    a = parse_claim(base_claim())
    sent = base_claim(curator="bob", created="2020-01-01T00:00:00Z", status="retracted")
    b = parse_claim(sent, Claim)
    assert a.iri == b.iri
    assert parse_claim(sent) == a, "a curator's claim ignores the server's fields"


def test_the_iri_is_hashed_once() -> None:
    claim = parse_claim(base_claim())
    assert claim.iri is claim.iri
    assert claim.model_copy(update={"entities": []}).__dict__["iri"] == claim.iri
    assert "iri" not in claim.model_copy(update={"statement": "Other."}).__dict__
    stored = Claim.stored(claim, curator="alice", created=None, entities=[])
    assert stored.__dict__["iri"] == claim.iri == stored.id


@pytest.mark.parametrize(
    "change",
    [
        {"finding": "effect"},
        {"statement": "Something else."},
        {"quote": "Neither IL-6 nor TNF-α levels"},
        {"hedged": True},
        {"context": {"population": "women"}},
        {"source": {"title": "A news report", "type": "news-article", "doi": "10.1000/xyz"}},
    ],
)
def test_different_content_different_iri(change: dict[str, Any]) -> None:
    assert parse_claim(base_claim()).iri != parse_claim(base_claim(**change)).iri


def test_source_ids_are_minted_from_doi_or_url() -> None:
    with_doi = parse_claim(
        base_claim(
            source={
                "title": "T",
                "type": "journal-article",
                "doi": "https://doi.org/10.1016/J.CLNU.2024.1",
            }
        )
    )
    assert with_doi.source is not None
    assert with_doi.source.minted_id() == "https://doi.org/10.1016/j.clnu.2024.1"
    with_url = parse_claim(
        base_claim(source={"title": "T", "type": "web-page", "url": "https://example.org/a"})
    )
    assert with_url.source is not None
    assert with_url.source.minted_id().startswith("https://w3id.org/gbkg/source/")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": "nosuchprefix:1"}, "subject"),
        ({"predicate": "not a curie"}, "predicate"),
        ({"finding": "maybe"}, "finding"),
        ({"evidence": {"study_design": "anecdote"}}, "evidence.study_design"),
        ({"statistics": {"p_value": "small"}}, "statistics.p_value"),
        ({"subjcet": "gbkg:probiotic"}, "subjcet"),
        ({"source": {"title": "T", "type": "news-article", "doi": "not-a-doi"}}, "source.doi"),
    ],
)
def test_malformed_fields_are_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_claim(base_claim(**change))
    fields = [v.field for v in caught.value.violations]
    assert field in fields
    assert all(v.message for v in caught.value.violations)


def test_a_claim_must_be_an_object() -> None:
    with pytest.raises(ValidationFailed):
        parse_claim(["not", "a", "claim"])


def test_no_blank_nodes_in_a_claim() -> None:
    from rdflib import BNode

    ds = claim_dataset(parse_claim(base_claim()))
    assert not any(isinstance(t, BNode) for q in ds.quads() for t in q[:3])


def test_model_is_the_json_contract() -> None:
    assert set(ClaimIn.model_fields) < set(Claim.model_fields)
    fields = set(Claim.model_fields)
    assert {
        "id",
        "subject",
        "predicate",
        "object",
        "subject_label",
        "object_label",
        "finding",
        "statement",
        "quote",
        "hedged",
        "source",
        "primary_source",
        "evidence",
        "statistics",
        "quantity",
        "context",
        "entities",
        "curator",
        "created",
        "status",
    } <= fields


@pytest.mark.parametrize("text", ["gbkg:a]b", "gbkg:a b", "https://e.org/a b", "https://e.org/<x>"])
def test_identifiers_must_be_valid_iris(text: str) -> None:
    from gbkg.kg.errors import CurieError
    from gbkg.kg.ids import expand

    with pytest.raises(CurieError, match="not a valid IRI"):
        expand(text)
