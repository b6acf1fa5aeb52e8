"""The claim's RDF layout is written once (``kg.record.layout``); everything else is derived
from it or checked against it here: the writer and the reader, the violation → field
mapping, the projection's columns, the internal queries, the JSON-LD context."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, URIRef
from rdflib.paths import Path as Path_
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from gbkg.kg.model import Claim, ClaimIn
from gbkg.kg.projection import _COLUMNS, COLUMN_FIELDS
from gbkg.kg.record import layout
from gbkg.kg.record.form import parse_claim
from gbkg.kg.record.reader import decode_claims
from gbkg.kg.record.writer import claim_quads
from gbkg.kg.resources import query_files
from tests.record_helpers import claims_in
from tests.test_model import base_claim

REPO = Path(__file__).resolve().parent.parent
#: Properties the queries read that are not the claim record's: the ontology's own
#: vocabulary and the entities' descriptions, each with the reason it is not a field.
NOT_THE_RECORD = {
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "class hierarchy (ontology)",
    "http://www.w3.org/2000/01/rdf-schema#subPropertyOf": "relation hierarchy (ontology)",
    "http://www.w3.org/2002/07/owl#inverseOf": "relation vocabulary (ontology)",
    "https://w3id.org/gbkg/ontology#opposite": "relation vocabulary (ontology)",
    "http://www.w3.org/2004/02/skos/core#closeMatch": "known entities' mappings",
    "http://www.w3.org/2004/02/skos/core#definition": "known entities' descriptions",
    "http://www.w3.org/2000/01/rdf-schema#comment": "ontology descriptions",
    "http://www.w3.org/2004/02/skos/core#notation": "the JSON spelling of the ontology's terms",
}


def _path_iris(path: object) -> set[str]:
    """The IRIs of a property path (``rdfs:subClassOf*``, ``a/b``, ``^a``, ``a|b``)."""
    if isinstance(path, URIRef):
        return {str(path)}
    if isinstance(path, Path_):
        found: set[str] = set()
        for name in ("path", "arg", "args"):
            value = getattr(path, name, None)
            for item in value if isinstance(value, list | tuple) else [value]:
                if item is not None:
                    found |= _path_iris(item)
        return found
    return set()


def _predicates(node: object) -> set[str]:
    """Every IRI in predicate position of a parsed query's triple patterns."""
    found: set[str] = set()
    if isinstance(node, CompValue):
        for value in node.values():
            found |= _predicates(value)
        triples = node.get("triples")
        for triple in triples or []:
            if len(triple) == 3:
                found |= _path_iris(triple[1])
    elif isinstance(node, list | tuple):
        for item in node:
            found |= _predicates(item)
    return found


@pytest.mark.parametrize(
    "path",
    [*sorted((REPO / "queries" / "api").glob("*.rq")), *(Path(str(q)) for q in query_files())],
    ids=lambda p: p.name,
)
def test_every_property_a_query_reads_is_in_the_layout(path: Path) -> None:
    query = prepareQuery(path.read_text(encoding="utf-8"))
    used = _predicates(query.algebra)
    assert used, f"{path.name}: no property found (the walk of the algebra broke)"
    unknown = used - layout.properties() - set(NOT_THE_RECORD)
    assert not unknown, f"{path.name} reads properties the claim layout does not write: {unknown}"


def test_the_projection_columns_are_fields_of_the_layout() -> None:
    # The status is no field: the query derives it from the claim's retraction record.
    assert set(COLUMN_FIELDS) | {"status"} == set(_COLUMNS)
    text = (REPO / "queries" / "api" / "analytics-claims.rq").read_text(encoding="utf-8")
    for column in COLUMN_FIELDS:
        assert f"?{column}" in text, column
        assert layout.property_path(COLUMN_FIELDS[column])


def test_every_field_of_the_model_has_a_place_in_the_layout() -> None:
    """A field added to the model without its line in the layout table fails here."""
    placed = {f.path.split(".")[0] for f in layout.FIELDS}
    placed |= {r.path for r in layout.REFERENCES} | {"entities"}
    output_only = {"id", "subject_label", "object_label", "status"}  # status: derived
    assert set(Claim.model_fields) - output_only == placed
    for name, part in (("statistics", "Statistics"), ("evidence", "Evidence")):
        model = Claim.model_fields[name].annotation
        assert part in str(model)
    for ref in layout.REFERENCES:
        source = ClaimIn.model_fields[ref.path].annotation
        assert "Source" in str(source)
    from gbkg.kg.model import NewEntity, Source

    source_fields = {f.path.split(".")[0] for f in layout.SOURCE.fields}
    assert source_fields == set(Source.model_fields) - {"id"}
    assert {f.path for f in layout.ENTITY.fields} == set(NewEntity.model_fields) - {"id"}


def test_the_violation_fields_come_from_the_layout() -> None:
    assert layout.field_for("statistics", "https://w3id.org/gbkg/ontology#pValue") == (
        "statistics.p_value"
    )
    assert layout.field_for("claim", "https://w3id.org/gbkg/ontology#statistics") == "statistics"
    assert layout.field_for("primary_source", "https://w3id.org/gbkg/ontology#journal") == (
        "primary_source.journal"
    )
    assert layout.field_for("entities", str(RDF.type)) == "entities.type"
    table = layout.field_table()
    for f in layout.FIELDS:
        assert table[f.node][str(f.prop)] == f.path


def test_a_claim_with_every_field_round_trips() -> None:
    claim = parse_claim(
        base_claim(
            quantity={"value": 95, "unit": "percent", "of": "the body's serotonin"},
            primary_source={"type": "meta-analysis", "journal": "Clinical Nutrition",
                            "country": "Spain", "year": 2024, "url": "https://example.org/ma"},
            entities=[{"id": "gbkg:new-strain", "label": "a strain", "type": "gba:MicrobialTaxon",
                       "synonyms": ["strain X"], "xrefs": ["NCBITaxon:1578"]}],
            curator="alice", created="2026-01-02T03:04:05Z", status="retracted",
            retraction={"reason": "a test", "by": "bob", "at": "2026-01-03T00:00:00Z"},
        ),
        Claim,
    )  # fmt: skip
    (back,) = claims_in(claim_quads(claim))
    assert back.iri == claim.iri
    assert back.model_dump(exclude={"id", "source", "primary_source"}) == claim.model_dump(
        exclude={"id", "source", "primary_source"}
    )
    assert back.primary_source is not None and back.primary_source.year == 2024
    written = {q.predicate.value for q in claim_quads(claim)}
    assert written <= layout.properties()


def test_a_quote_position_without_a_quote_is_written() -> None:
    claim = parse_claim(base_claim(quote=None))
    decoded, _ = decode_claims(claim_quads(claim))
    assert decoded[0].data["quote_position"] == {"start": 4048, "end": 4100}
