"""The write path goes one way: the claim's IRI hashed once, its quads built once, the same
quads validated and written, the answer built from what was written (no read-back).

Each test was written for a finding of the "one path for each thing" issue: one ``POST
/claims`` hashed the claim IRI four times, crossed rdflib and pyoxigraph three times and
read back the claim it had just stored. The store here is the real embedded store; it
only counts the reads it answers.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import ValidationFailed
from gbkg.kg.model import ClaimIn
from gbkg.kg.record.form import parse_claim
from gbkg.kg.store import OxigraphStore
from gbkg.kg.validation import ClaimData, Validator
from tests.test_model import base_claim

READS = ("quads", "quads_about", "subjects_with", "contains_graph", "query")


class CountingStore(OxigraphStore):
    """The embedded store, counting each read, and what the last write stored."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads: Counter[str] = Counter()
        self.read_graphs: list[str] = []
        self.stored: dict[str, Any] = {}

    def quads(self, graph: Any = None) -> Any:
        self.reads["quads"] += 1
        if isinstance(graph, ox.NamedNode):
            self.read_graphs.append(graph.value)
        return super().quads(graph)

    def quads_about(self, subject: ox.NamedNode) -> list[ox.Quad]:
        self.reads["quads_about"] += 1
        return super().quads_about(subject)

    def subjects_with(self, predicate: Any, object: Any) -> Any:
        self.reads["subjects_with"] += 1
        return super().subjects_with(predicate, object)

    def contains_graph(self, graph: ox.NamedNode) -> bool:
        self.reads["contains_graph"] += 1
        return super().contains_graph(graph)

    def store_claims(self, claims: Any) -> set[str]:
        self.stored = dict(claims)
        return super().store_claims(claims)


@pytest.fixture
def counting(tmp_path: Path) -> CountingStore:
    store = CountingStore(tmp_path / "store")
    ensure_loaded(store, curated=False)
    return store


def test_a_write_hashes_the_iri_once_and_reads_nothing_back(
    counting: CountingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = ClaimService(counting)
    claim = parse_claim(base_claim())
    hashed = Counter[int]()
    content = ClaimIn.content

    def counted(self: ClaimIn) -> dict[str, Any]:
        hashed[id(self)] += 1
        return content(self)

    monkeypatch.setattr(ClaimIn, "content", counted)
    counting.reads.clear()
    stored, created = service.add(claim, curator="alice")
    assert created
    assert sum(hashed.values()) == 1, "the claim's IRI is hashed once"
    own = {claim.iri + suffix for suffix in ("#head", "#assertion", "#provenance", "#pubinfo")}
    assert not own & set(counting.read_graphs), "the stored claim is not read back"
    assert stored.curator == "alice" and stored.object_label, "labels from what was validated"
    assert service.get(stored.iri) == stored, "the answer is what a read would give"


def test_the_quads_validated_are_the_quads_written(
    counting: CountingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: list[Any] = []
    validate = Validator.validate_claims

    def recording(self: Validator, items: Any, **kwargs: Any) -> Any:
        validated.extend(item.quads for item in items)
        return validate(self, items, **kwargs)

    monkeypatch.setattr(Validator, "validate_claims", recording)
    service = ClaimService(counting)
    claim = parse_claim(base_claim())
    service.add(claim, curator="alice")
    (written,) = counting.stored.values()
    (checked,) = validated
    assert written is checked, "one list: built once, validated, written"
    assert all(isinstance(q, ox.Quad) for q in written)


def test_the_same_claim_again_is_read_and_not_written(counting: CountingStore) -> None:
    service = ClaimService(counting)
    claim = parse_claim(base_claim())
    first, _ = service.add(claim, curator="alice")
    counting.stored = {}
    again, created = service.add(claim, curator="bob")
    assert not created and counting.stored == {}
    assert again == first, "the stored claim, with its first curator"


def test_a_batch_is_validated_together_and_each_violation_named_by_its_item(
    counting: CountingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []
    chunk = Validator._validate_chunk

    def recording(self: Validator, items: Any) -> Any:
        runs.append(len(items))
        return chunk(self, items)

    monkeypatch.setattr(Validator, "_validate_chunk", recording)
    service = ClaimService(counting)
    claims = [parse_claim(base_claim(statement=f"Claim {i}.")) for i in range(30)]
    claims[7] = parse_claim(base_claim(statement="Claim 7.", statistics={"p_value": 1.5}))
    with pytest.raises(ValidationFailed) as caught:
        service.add_many(claims, curator="alice")
    assert {v.field for v in caught.value.violations} == {"7.statistics.p_value"}
    assert runs == [30], "one pySHACL run for the batch"
    alone = service.validate(claims[7])
    assert [v.message for v in alone.errors] == [v.message for v in caught.value.violations]


def test_batch_reports_are_those_of_claims_checked_alone(counting: CountingStore) -> None:
    service = ClaimService(counting)
    claims = [
        parse_claim(base_claim(statement="Fine.")),
        parse_claim(base_claim(statement="No quote.", quote=None)),
        parse_claim(base_claim(statement="Bad interval.", statistics={
            "effect_measure": "SMD", "effect_size": 0.5, "ci_low": 0.6, "ci_high": 0.9}
        )),
        # Two claims describe one new source differently: a result on a shared node.
        parse_claim(base_claim(statement="Source A.", source={"type": "report"})),
        parse_claim(base_claim(statement="Source B.", source={"type": "report",
                                                              "title": "B"})),
    ]  # fmt: skip
    together = service.validate_many(claims, independent=True)
    for claim, report in zip(claims, together, strict=True):
        alone = service.validate(claim)
        assert report.conforms == alone.conforms, claim.statement
        assert sorted(v.message for v in report.violations) == sorted(
            v.message for v in alone.violations
        ), claim.statement


def test_validate_claims_attributes_each_result_to_its_claim() -> None:
    from gbkg.kg.record.writer import claim_quads

    validator = Validator()
    first = parse_claim(base_claim(statement="One."))
    second = parse_claim(base_claim(statement="Two.", statistics={"p_value": 2}))
    items = [ClaimData(c.iri, claim_quads(c)) for c in (first, second)]
    one, two = validator.validate_claims(items)
    assert "statistics.p_value" in {v.field for v in two.errors}
    assert "statistics.p_value" not in {v.field for v in one.errors}
