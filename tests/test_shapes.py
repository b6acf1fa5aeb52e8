"""The SHACL shapes (ontology/shapes.ttl) and the validation wrapper (kg.validation).

Fixtures are data: ``fixtures/valid-claim.trig`` conforms; each file in
``fixtures/invalid/`` is that claim with one thing broken and says in its header the
JSON field and a message substring the report must give; ``fixtures/advisory/`` the
same for rules of severity warning (the claim still conforms); ``fixtures/invalid-json/``
holds claim records as curators post them, each with one broken field.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import SH
from rdflib.term import Node

from gbkg.kg.errors import InputError, KGError
from gbkg.kg.model import Claim
from gbkg.kg.namespaces import GBA, OBO
from gbkg.kg.record.layout import field_table
from gbkg.kg.shacl import quads_of
from gbkg.kg.validation import (
    Severity,
    ValidationReport,
    Validator,
    Violation,
    shapes_graph,
    touched_iris,
)
from tests.record_helpers import claim_dataset, validate_graph

FIXTURES = Path(__file__).parent / "fixtures"
CLAIM = URIRef("https://w3id.org/gbkg/claim/fixture")
GBS = "https://w3id.org/gbkg/shapes#"


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def read_trig(path: Path) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=path.read_text(encoding="utf-8"), format="trig")
    return dataset


def expectation(path: Path) -> tuple[set[str], str]:
    """The fields (comma-separated in the header) and a message substring."""
    text = path.read_text(encoding="utf-8")
    found = {
        key: re.search(rf"^# expect-{key}: (.+)$", text, re.MULTILINE)
        for key in ("field", "message")
    }
    assert found["field"] and found["message"], f"{path.name}: header lacks expect-field/message"
    fields = {f.strip() for f in found["field"].group(1).split(",")}
    return fields, found["message"].group(1).strip()


def fixture_ids(folder: str, pattern: str) -> list[Path]:
    paths = sorted((FIXTURES / folder).glob(pattern))
    assert paths, f"no fixtures in {folder}"
    return paths


def graphs(dataset: Dataset) -> dict[object, Graph]:
    """A dataset's non-empty named graphs, by name (for comparing datasets as graphs)."""
    found: dict[object, Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = g.identifier if isinstance(g, Graph) else g
        found.setdefault(name, Graph()).add((s, p, o))
    return found


def same_dataset(a: Dataset, b: Dataset) -> bool:
    ga, gb = graphs(a), graphs(b)
    return ga.keys() == gb.keys() and all(isomorphic(ga[k], gb[k]) for k in ga)


def describe(report: ValidationReport) -> list[tuple[str | None, str, str]]:
    return [(v.field, v.severity, v.message) for v in report.violations]


# The baseline ----------------------------------------------------------------------


def test_valid_claim_conforms_without_any_result(validator: Validator) -> None:
    report = validator.validate_claim(read_trig(FIXTURES / "valid-claim.trig"))
    assert report.conforms, describe(report)
    assert report.violations == []


def test_valid_claim_json_conforms(validator: Validator) -> None:
    claim = Claim.model_validate(json.loads((FIXTURES / "valid-claim.json").read_text()))
    dataset = claim_dataset(claim)
    report = validator.validate_claim(dataset, entity_graph=validator.entity_graph_for(dataset))
    assert report.conforms, describe(report)
    assert report.violations == []


# One broken rule per fixture -------------------------------------------------------


@pytest.mark.parametrize("path", fixture_ids("invalid", "*.trig"), ids=lambda p: p.stem)
def test_invalid_fixture_fails_on_its_field(validator: Validator, path: Path) -> None:
    fields, message = expectation(path)
    report = validator.validate_claim(read_trig(path))
    assert not report.conforms
    assert {v.field for v in report.errors} == fields, describe(report)
    assert any(message in v.message for v in report.errors), describe(report)


@pytest.mark.parametrize("path", fixture_ids("invalid", "*.trig"), ids=lambda p: p.stem)
def test_invalid_fixture_differs_from_the_baseline(path: Path) -> None:
    """Each fixture breaks the baseline (as graphs, not as text)."""
    baseline = read_trig(FIXTURES / "valid-claim.trig")
    assert same_dataset(baseline, read_trig(FIXTURES / "valid-claim.trig"))
    assert not same_dataset(read_trig(path), baseline)


@pytest.mark.parametrize("path", fixture_ids("advisory", "*.trig"), ids=lambda p: p.stem)
def test_advisory_fixture_warns_but_conforms(validator: Validator, path: Path) -> None:
    fields, message = expectation(path)
    report = validator.validate_claim(read_trig(path))
    assert report.conforms, describe(report)
    assert report.errors == []
    assert {v.field for v in report.warnings} == fields, describe(report)
    assert any(message in v.message for v in report.warnings), describe(report)


@pytest.mark.parametrize("path", fixture_ids("invalid-json", "*.json"), ids=lambda p: p.stem)
def test_invalid_json_claim_fails_on_its_field(validator: Validator, path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    field, message = document["expect"]["field"], document["expect"]["message"]
    dataset = claim_dataset(Claim.model_validate(document["claim"]))
    report = validator.validate_claim(dataset, entity_graph=validator.entity_graph_for(dataset))
    assert not report.conforms
    assert {v.field for v in report.errors} == {field}, describe(report)
    assert any(message in v.message for v in report.errors), describe(report)


def test_rules_the_design_names_have_fixtures() -> None:
    """Every rule listed in the brief has a TriG fixture (file names are the rule)."""
    required = {
        "p-value-above-one", "ci-not-around-estimate", "null-with-significant-p",
        "null-ci-excludes-no-effect", "effect-not-significant", "missing-quote",
        "missing-source", "source-without-title", "unknown-predicate", "negative-count",
        "zero-participants", "percentage-above-100", "i-squared-above-100", "two-subjects",
        "missing-statement", "unknown-study-design", "unknown-entity",
    }  # fmt: skip
    present = {p.stem for p in (FIXTURES / "invalid").glob("*.trig")}
    assert required <= present, required - present


# The report ------------------------------------------------------------------------


def test_report_types_and_values(validator: Validator) -> None:
    report = validator.validate_claim(read_trig(FIXTURES / "invalid" / "p-value-above-one.trig"))
    assert isinstance(report, ValidationReport)
    [violation] = report.violations
    assert isinstance(violation, Violation)
    assert violation == Violation(
        field="statistics.p_value",
        path=str(GBA.pValue),
        constraint="MaxInclusiveConstraintComponent",
        message="statistics.p_value must be between 0 and 1",
        severity="violation",
        value="1.5",
        focus=str(CLAIM) + "#statistics",
    )
    assert violation.severity == Severity.VIOLATION
    with pytest.raises(dataclasses.FrozenInstanceError):
        violation.field = "x"  # type: ignore[misc]
    assert violation.as_json() == {
        "field": "statistics.p_value",
        "message": "statistics.p_value must be between 0 and 1",
        "severity": "violation",
        "value": "1.5",
        "path": str(GBA.pValue),
        "constraint": "MaxInclusiveConstraintComponent",
        "focus": str(CLAIM) + "#statistics",
    }
    assert json.loads(json.dumps(report.as_json())) == {
        "conforms": False,
        "violations": [violation.as_json()],
    }


def test_sparql_constraint_is_named_by_its_iri(validator: Validator) -> None:
    path = FIXTURES / "invalid" / "null-with-significant-p.trig"
    [violation] = validator.validate_claim(read_trig(path)).violations
    assert violation.constraint == GBS + "NullFindingPValue"
    assert violation.path == str(GBA.pValue)
    assert violation.value == "0.01"
    assert "(p = 0.01)" in violation.message  # the template is filled from the query


def test_warnings_do_not_break_conformance(validator: Validator) -> None:
    path = FIXTURES / "advisory" / "ci-level-as-fraction.trig"
    report = validator.validate_claim(read_trig(path))
    assert report.conforms
    assert [v.severity for v in report.violations] == ["warning"]
    assert report.warnings == report.violations


def test_one_message_per_field_and_value(validator: Validator) -> None:
    """A shape failing several of its constraints (a count of -3.5 is neither whole nor
    positive) reports its message once."""
    text = (FIXTURES / "valid-claim.trig").read_text(encoding="utf-8")
    dataset = Dataset()
    dataset.parse(
        data=text.replace("gba:nParticipants 938", "gba:nParticipants -3.5"), format="trig"
    )
    report = validator.validate_claim(dataset)
    assert [(v.field, v.value) for v in report.violations] == [("evidence.n_participants", "-3.5")]


def test_for_item_prefixes_the_field() -> None:
    violation = Violation(
        field="statistics.p_value", path=None, constraint="c", message="m",
        severity="violation", value=None, focus=None,
    )  # fmt: skip
    assert violation.for_item(3).field == "3.statistics.p_value"
    assert dataclasses.replace(violation, field=None).for_item(0).field == "0"


# Inputs, scope and incremental validation ------------------------------------------------


def test_validation_does_not_modify_its_inputs(validator: Validator) -> None:
    dataset = read_trig(FIXTURES / "invalid" / "p-value-above-one.trig")
    reference = validator.entity_graph_for(dataset)
    before = (graphs(dataset), to_isomorphic(reference), len(validator.ontology))
    validate_graph(dataset, reference=reference)
    validator.validate_claim(dataset, entity_graph=reference)
    after = (graphs(dataset), to_isomorphic(reference), len(validator.ontology))
    assert after[0].keys() == before[0].keys()
    assert all(isomorphic(after[0][k], before[0][k]) for k in before[0])
    assert after[1:] == before[1:]


def test_validate_graph_merges_the_reference(validator: Validator) -> None:
    dataset = read_trig(FIXTURES / "valid-claim.trig")
    assert validate_graph(dataset, reference=validator.ontology).conforms
    without_ontology = validate_graph(dataset, reference=Graph())
    assert {v.field for v in without_ontology.errors} >= {"predicate", "subject", "source.type"}


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES / "valid-claim.trig",
        *fixture_ids("invalid", "*.trig"),
        *fixture_ids("advisory", "*.trig"),
    ],
    ids=lambda p: p.stem,
)
def test_the_ontology_core_gives_the_results_of_the_whole_ontology(
    validator: Validator, path: Path
) -> None:
    dataset = read_trig(path)
    whole = validate_graph(dataset, reference=validator.ontology)
    assert validator.validate_claim(dataset) == whole
    assert len(validator.ontology_core) < len(validator.ontology)


def _claim_on_known_entities() -> Dataset:
    """The baseline, its object replaced by a known entity it does not describe."""
    text = (FIXTURES / "valid-claim.trig").read_text(encoding="utf-8")
    text = text.replace("rdf:object obo:MONDO_0002050 ;", "rdf:object obo:CHEBI_28790 ;")
    dataset = Dataset()
    dataset.parse(data=text, format="trig")
    return dataset


def test_touched_entities() -> None:
    assert touched_iris(quads_of(_claim_on_known_entities())) == {
        "https://w3id.org/gbkg/entity/probiotic",
        "https://w3id.org/gbkg/entity/antidepressant",
        str(OBO.CHEBI_28790),  # the object
        str(OBO.MONDO_0002050),  # still described in the assertion graph
    }


def test_incremental_validation_reads_entities_from_the_entity_graph(
    validator: Validator,
) -> None:
    dataset = _claim_on_known_entities()
    alone = validator.validate_claim(dataset)
    assert [(v.field, v.value) for v in alone.errors] == [("object", str(OBO.CHEBI_28790))]
    entity_graph = validator.entity_graph_for(dataset)
    assert (OBO.CHEBI_28790, RDF.type, GBA.Neurotransmitter) in entity_graph
    assert validator.validate_claim(dataset, entity_graph=entity_graph).conforms


def test_a_claim_does_not_relabel_a_known_entity(validator: Validator) -> None:
    """The claim describes MONDO:0002050 as "depressive disorder"; the store knows it
    under another label: the union has two labels, which the entity shape refuses."""
    dataset = _claim_on_known_entities()
    entity_graph = validator.entity_graph_for(dataset)
    entity_graph.set((OBO.MONDO_0002050, RDFS.label, Literal("depression (stored label)")))
    report = validator.validate_claim(dataset, entity_graph=entity_graph)
    assert [(v.field, v.focus) for v in report.errors] == [
        ("entities.label", str(OBO.MONDO_0002050))
    ]


def test_validate_all_checks_every_claim_once(validator: Validator) -> None:
    """Two claims in one dataset: the results fall on the broken one only (the
    SPARQL constraints are bound to each focus node)."""
    dataset = read_trig(FIXTURES / "valid-claim.trig")
    broken = (FIXTURES / "invalid" / "null-with-significant-p.trig").read_text(encoding="utf-8")
    dataset.parse(data=broken.replace("claim/fixture", "claim/other"), format="trig")
    report = validator.validate_all(dataset)
    assert [(v.field, v.focus) for v in report.errors] == [
        ("statistics.p_value", "https://w3id.org/gbkg/claim/other#statistics")
    ]


def test_validate_all_reads_an_oxigraph_store(validator: Validator) -> None:
    import pyoxigraph as ox

    store = ox.Store()
    store.load((FIXTURES / "valid-claim.trig").read_bytes(), format=ox.RdfFormat.TRIG)
    broken = (FIXTURES / "invalid" / "two-subjects.trig").read_text(encoding="utf-8")
    store.load(broken.replace("claim/fixture", "claim/other").encode(), format=ox.RdfFormat.TRIG)
    before = len(store)
    report = validator.validate_all(store)
    assert [(v.field, v.focus) for v in report.errors] == [
        ("subject", "https://w3id.org/gbkg/claim/other")
    ]
    assert len(store) == before
    assert validator.validate_all(list(store)) == report  # quads, as Backend.quads() gives


def test_concurrent_validations_agree_with_sequential_ones(validator: Validator) -> None:
    """The API validates off the event loop, in threads sharing one Validator."""
    from concurrent.futures import ThreadPoolExecutor

    paths = fixture_ids("invalid", "*.trig")[:12]
    datasets = [read_trig(p) for p in paths]
    sequential = [validator.validate_claim(d) for d in datasets]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(validator.validate_claim, datasets * 3))
    assert concurrent == sequential * 3


def test_curated_claims_validate(validator: Validator) -> None:
    from gbkg.kg.resources import curated_files

    dataset = Dataset()
    for resource in curated_files():
        dataset.parse(data=resource.read_text(encoding="utf-8"), format="trig")
    report = validator.validate_all(dataset)
    assert report.conforms, describe(report)


# The shapes themselves ---------------------------------------------------------------

TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
CONSTRAINTS = {
    SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH["in"],
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.pattern,
    SH.lessThan, SH.lessThanOrEquals, SH.hasValue, SH.node, SH.qualifiedValueShape,
    SH["or"], SH["not"], SH["and"], SH.minLength,
}  # fmt: skip


def _reporting_shapes(shapes: Graph) -> set[Node]:
    """The shapes whose results reach the report: targeted node shapes and their
    property shapes (shapes nested in sh:node, sh:or, sh:not report through them)."""
    targeted = {s for p in TARGETS for s in shapes.subjects(p, None)}
    properties = {o for s in targeted for o in shapes.objects(s, SH.property)}
    return targeted | properties


def test_every_constraint_has_a_message_and_a_severity() -> None:
    shapes = shapes_graph()
    reporting = _reporting_shapes(shapes)
    assert len(reporting) > 50
    for shape in reporting:
        if not any(p in CONSTRAINTS for p in shapes.predicates(shape, None)):
            continue  # a node shape that only groups property shapes or SPARQL constraints
        assert shapes.value(shape, SH.message) is not None, f"no sh:message on {shape}"
        assert shapes.value(shape, SH.severity) is not None, f"no sh:severity on {shape}"
    for shape in reporting:
        for constraint in shapes.objects(shape, SH.sparql):
            assert shapes.value(constraint, SH.message) is not None, f"no message: {constraint}"
            assert shapes.value(shape, SH.severity) is not None, f"no sh:severity on {shape}"


def test_every_message_names_a_field() -> None:
    names = {f for table in field_table().values() for f in table.values()}
    names |= {"quote_position", "evidence", "entities", "{?field}"}  # {?field}: set by the query
    for message in shapes_graph().objects(None, SH.message):
        assert any(name in str(message) for name in names), f"no field named in {message!r}"


def test_shapes_use_only_terms_the_ontology_defines() -> None:
    namespace = str(GBA._NS)
    used = {
        str(term)[len(namespace) :]
        for triple in shapes_graph()
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(namespace)
    }
    for name in used:
        getattr(GBA, name)  # a closed namespace: raises on a term the ontology lacks


def test_a_term_oxigraph_refuses_is_an_input_error(validator: Validator) -> None:
    graph = Graph()
    graph.add((URIRef("https://example.org/a b"), RDF.type, GBA.Claim))
    with pytest.raises(InputError):
        validator.validate_claim(graph)


def test_broken_shapes_raise_a_project_error() -> None:
    shapes = Graph()
    shape = URIRef(GBS + "Broken")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, GBA.Claim))
    shapes.add((shape, SH.minCount, Literal("many")))
    with pytest.raises(KGError):
        Validator(shapes=shapes).validate_claim(read_trig(FIXTURES / "valid-claim.trig"))
