"""Claims as flat records, the relation vocabulary, and entity names: what analytics reads.

The claim graph (:mod:`kg.analytics`), evidence summaries (:mod:`kg.evidence`) and
entity pages (:mod:`kg.entities`) do not need a claim's full RDF, only its
subject, relation, object, finding, evidence, context and source. They read these
with the named queries of ``queries/api/`` (values bound as terms, never spliced)
and fold the rows of one claim into one :class:`ClaimRecord`.

The relation vocabulary (labels, ``gba:opposite``, ``owl:inverseOf``,
``owl:SymmetricProperty``, ``rdfs:subPropertyOf``) comes from the ontology graph in
the store, so a new relation or opposite added to ``ontology/gba.ttl`` needs no code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from gbkg.kg.errors import CurieError, NotFoundError
from gbkg.kg.ids import compress, expand
from gbkg.kg.model import EffectMeasure, Finding, Status, StudyDesign
from gbkg.kg.namespaces import SOURCES_GRAPH
from gbkg.kg.record.layout import (
    EFFECT_MEASURES,
    FINDINGS,
    RELATIONS,
    STATUSES,
    STUDY_DESIGNS,
    GraphRole,
    property_path,
)
from gbkg.kg.resources import internal_query
from gbkg.kg.store import Backend

_FINDING = {str(v): k for k, v in FINDINGS.items()}
_STATUS = {str(v): k for k, v in STATUSES.items()}
_DESIGN = {str(v): k for k, v in STUDY_DESIGNS.items()}
_MEASURE = {str(v): k for k, v in EFFECT_MEASURES.items()}
_P_RELATION = {str(v): k.value for k, v in RELATIONS.items()}

#: JSON context field → query column.
CONTEXT_COLUMNS = {
    "population": "population",
    "co_intervention": "coIntervention",
    "condition": "condition",
    "strain": "strain",
    "species": "species",
    "sex": "sex",
    "specimen": "specimen",
    "dose": "dose",
    "age": "age",
}
STATISTICS_COLUMNS = {
    "effect_size": "effectSize",
    "ci_low": "ciLow",
    "ci_high": "ciHigh",
    "ci_level": "ciLevel",
    "p_value": "pValue",
    "i_squared": "iSquared",
}
#: Query columns whose every value is kept (a context field may hold several).
MANY_COLUMNS = frozenset(CONTEXT_COLUMNS.values())


@dataclass(frozen=True)
class SourceRef:
    """A source by IRI, with its title (or journal) when known."""

    iri: str
    title: str | None = None

    @property
    def id(self) -> str:
        return compress(self.iri)


@dataclass(frozen=True)
class ClaimRecord:
    """One claim as analytics sees it. Entity and relation values are IRIs."""

    iri: str
    subject: str
    predicate: str
    object: str
    finding: Finding
    status: Status = Status.ACTIVE
    statement: str | None = None
    hedged: bool = False
    study_design: StudyDesign | None = None
    n_studies: int | None = None
    n_participants: int | None = None
    study_population: str | None = None
    #: context field (``population``, ``co_intervention``, ``age``, ...) → value: a
    #: CURIE when the value names an entity, else the text; a sorted tuple when several.
    context: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    effect_measure: EffectMeasure | None = None
    statistics: Mapping[str, float] = field(default_factory=dict)
    source: SourceRef | None = None
    primary_source: SourceRef | None = None
    #: The claim (IRI) whose overall result this one is a subgroup of.
    subgroup_of: str | None = None
    #: What the intervention was compared with (a CURIE or text).
    comparator: str | None = None
    #: What was measured (``outcome.measure``: a CURIE or text).
    outcome: str | None = None
    #: ``=``, ``<`` or ``≤``: how ``statistics.p_value`` bounds the p-value.
    p_relation: str | None = None
    #: The participants of the study the claim reports (its study record's
    #: ``counts.participants``: the primary source's, else the source's).
    study_participants: int | None = None
    #: The studies that study pooled (``counts.meta_analysed``), else reviewed
    #: (``counts.reviewed``), from the same study record.
    study_count: int | None = None

    @property
    def id(self) -> str:
        return compress(self.iri)

    @property
    def active(self) -> bool:
        return self.status is Status.ACTIVE


def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _number(term: Any) -> float | None:
    return None if term is None else float(Decimal(term.value))


def _integer(term: Any) -> int | None:
    return None if term is None else int(term.value)


def _context_value(term: Any) -> str:
    return compress(term.value) if isinstance(term, ox.NamedNode) else str(term.value)


def _context_values(terms: Any) -> str | tuple[str, ...]:
    """One value as a string, several as a sorted tuple (the same for the same input)."""
    values = sorted({_context_value(t) for t in terms})
    return values[0] if len(values) == 1 else tuple(values)


def records_from_rows(rows: Iterable[Any]) -> list[ClaimRecord]:
    """Fold query rows (the columns of ``analytics-claims.rq``) into one record per claim.

    When a multi-valued field gives several rows, the least value (as text) is kept,
    as :func:`claim_record` keeps it; the shapes allow one value for each of them.
    """
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        iri = row["claim"].value
        seen = grouped.get(iri)
        if seen is None:
            seen = grouped[iri] = {name: row[name] for name in _COLUMNS}
            for name in MANY_COLUMNS:
                seen[name] = [] if row[name] is None else [row[name]]
            continue
        for name in _COLUMNS:
            value = row[name]
            if value is None:
                continue
            if name in MANY_COLUMNS:
                if value not in seen[name]:
                    seen[name].append(value)
            elif seen[name] is None or str(value) < str(seen[name]):
                seen[name] = value
    return [_record(iri, cols) for iri, cols in grouped.items()]


_COLUMNS = (
    "status", "subject", "predicate", "object", "finding", "statement", "hedged", "design",
    "nStudies", "nParticipants", "studyPopulation", *CONTEXT_COLUMNS.values(), "effectMeasure",
    *STATISTICS_COLUMNS.values(), "source", "sourceTitle", "primarySource", "primaryTitle",
    "primaryJournal", "subgroupOf", "comparator", "outcomeMeasure", "pRelation",
    "sourceParticipants", "primaryParticipants", "sourcePooled", "primaryPooled",
    "sourceReviewed", "primaryReviewed",
)  # fmt: skip


def _record(iri: str, c: Mapping[str, Any]) -> ClaimRecord:
    hedged = c["hedged"]
    source = c["source"]
    primary = c["primarySource"]
    return ClaimRecord(
        iri=iri,
        subject=c["subject"].value,
        predicate=c["predicate"].value,
        object=c["object"].value,
        finding=_FINDING.get(c["finding"].value, Finding.ASSERTION),
        status=_STATUS.get(_value(c["status"]) or "", Status.ACTIVE),
        statement=_value(c["statement"]),
        hedged=hedged is not None and hedged.value in ("true", "1"),
        study_design=_DESIGN.get(_value(c["design"]) or ""),
        n_studies=_integer(c["nStudies"]),
        n_participants=_integer(c["nParticipants"]),
        study_population=_value(c["studyPopulation"]),
        context={
            name: _context_values(c[column])
            for name, column in CONTEXT_COLUMNS.items()
            if c[column]
        },
        effect_measure=_MEASURE.get(_value(c["effectMeasure"]) or ""),
        statistics={
            name: value
            for name, column in STATISTICS_COLUMNS.items()
            if (value := _number(c[column])) is not None
        },
        source=SourceRef(source.value, _value(c["sourceTitle"])) if source is not None else None,
        primary_source=(
            SourceRef(primary.value, _value(c["primaryTitle"]) or _value(c["primaryJournal"]))
            if primary is not None
            else None
        ),
        subgroup_of=_value(c["subgroupOf"]),
        comparator=_context_value(c["comparator"]) if c["comparator"] is not None else None,
        outcome=_context_value(c["outcomeMeasure"]) if c["outcomeMeasure"] is not None else None,
        study_participants=_study_count(c, "Participants"),
        study_count=_study_count(c, "Pooled") or _study_count(c, "Reviewed"),
        p_relation=_P_RELATION.get(_value(c["pRelation"]) or ""),
    )


def _study_count(c: Mapping[str, Any], name: str) -> int | None:
    """A count of the claim's study record: the primary source's, else the source's."""
    return _integer(c["primary" + name]) or _integer(c["source" + name])


def _solutions(store: Backend, name: str, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> Any:
    result = store.query(internal_query(name), substitutions=bound)
    assert isinstance(result, ox.QuerySolutions)
    return result


# A claim's record read from its own named graphs. Oxigraph plans a query before it
# binds ``substitutions``, so a query that joins a bound variable with the rest of
# a claim scans every claim; a claim's graphs, read by name, cost the same at any
# store size. Each column of ``analytics-claims.rq`` is a field of the claim record:
# its path from the claim comes from the layout table (``tests/test_layout.py`` checks
# the query reads the same properties).
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_G = "https://w3id.org/gbkg/ontology#"
_PROV = "http://www.w3.org/ns/prov#"
#: Query column → the claim record's field it reads.
COLUMN_FIELDS: dict[str, str] = {
    "subject": "subject",
    "predicate": "predicate",
    "object": "object",
    "finding": "finding",
    "statement": "statement",
    "hedged": "hedged",
    "design": "evidence.study_design",
    "nStudies": "evidence.n_studies",
    "nParticipants": "evidence.n_participants",
    "studyPopulation": "evidence.population",
    **{column: f"context.{name}" for name, column in CONTEXT_COLUMNS.items()},
    "effectMeasure": "statistics.effect_measure",
    **{column: f"statistics.{name}" for name, column in STATISTICS_COLUMNS.items()},
    "source": "source",
    "sourceTitle": "source.title",
    "primarySource": "primary_source",
    "primaryTitle": "primary_source.title",
    "primaryJournal": "primary_source.journal",
    "subgroupOf": "subgroup_of",
    "comparator": "comparator",
    "outcomeMeasure": "outcome.measure",
    "pRelation": "statistics.p_relation",
    "sourceParticipants": "source.counts.participants",
    "primaryParticipants": "primary_source.counts.participants",
    "sourcePooled": "source.counts.meta_analysed",
    "primaryPooled": "primary_source.counts.meta_analysed",
    "sourceReviewed": "source.counts.reviewed",
    "primaryReviewed": "primary_source.counts.reviewed",
}
_COLUMN_PATHS: dict[str, tuple[str, ...]] = {
    column: property_path(path) for column, path in COLUMN_FIELDS.items()
}
_CLAIM_GRAPHS = tuple(
    "#" + role.value for role in (GraphRole.ASSERTION, GraphRole.PROVENANCE, GraphRole.PUBINFO)
)


def claim_record(store: Backend, iri: str) -> ClaimRecord | None:
    """The claim ``iri`` (active or retracted) from its named graphs; ``None`` if absent."""
    about: dict[str, dict[str, list[Any]]] = {}
    for suffix in _CLAIM_GRAPHS:
        for quad in store.quads(ox.NamedNode(iri + suffix)):
            if isinstance(quad.subject, ox.NamedNode):
                props = about.setdefault(quad.subject.value, {})
                props.setdefault(quad.predicate.value, []).append(quad.object)
    claim = about.get(iri, {})
    if not any(t.value == _G + "Claim" for t in claim.get(_RDF + "type", [])):
        return None
    # Sources are described once, in the shared sources graph.
    sources = ox.NamedNode(str(SOURCES_GRAPH))
    for prop in (_PROV + "wasDerivedFrom", _G + "primarySource"):
        for node in claim.get(prop, []):
            if isinstance(node, ox.NamedNode) and node.value not in about:
                props = about.setdefault(node.value, {})
                for quad in store.quads_about(node):
                    if quad.graph_name == sources:
                        props.setdefault(quad.predicate.value, []).append(quad.object)
    columns: dict[str, Any] = {"status": _status(store, iri)}
    for column, path in _COLUMN_PATHS.items():
        node, value = iri, None
        for step, prop in enumerate(path):
            values = about.get(node, {}).get(prop, [])
            value = min(values, key=str) if values else None
            if column in MANY_COLUMNS and step == len(path) - 1:
                value = list(values)
                break
            if value is None or step == len(path) - 1:
                break
            if not isinstance(value, ox.NamedNode):
                value = None
                break
            node = value.value
        columns[column] = value
    source = columns.get("source")
    if columns.get("sourceTitle") is None and isinstance(source, ox.NamedNode):
        # A source without a title of its own shows the one a curator supplied (as the
        # bulk projection query does: dct:title|gba:titleSuppliedByCurator).
        supplied = about.get(source.value, {}).get(_G + "titleSuppliedByCurator", [])
        columns["sourceTitle"] = min(supplied, key=str) if supplied else None
    if any(columns[c] is None for c in ("subject", "predicate", "object", "finding")):
        return None
    return _record(iri, columns)


def _status(store: Backend, iri: str) -> ox.NamedNode:
    """The claim's status, derived from its retraction record (its own graph)."""
    graph = ox.NamedNode(GraphRole.RETRACTION.graph_name(iri))
    quads = [q for q in store.quads(graph) if q.predicate.value in _RETRACTION_LINKS]
    if not quads:
        return ox.NamedNode(str(STATUSES[Status.ACTIVE]))
    superseded = any(q.predicate.value == _G + "supersededBy" for q in quads)
    return ox.NamedNode(str(STATUSES[Status.SUPERSEDED if superseded else Status.RETRACTED]))


_RETRACTION_LINKS = frozenset({_G + "retracts", _G + "supersededBy"})


def claim_records(store: Backend) -> list[ClaimRecord]:
    """Every claim of the store, retracted ones too (one query: the projection's build)."""
    return records_from_rows(_solutions(store, "analytics-claims", {}))


def _claims_by_id(
    store: Backend, query: str, bound: Mapping[str, ox.NamedNode]
) -> list[ClaimRecord]:
    iris = sorted({row["claim"].value for row in _solutions(store, query, bound)})
    return [r for iri in iris if (r := claim_record(store, iri)) is not None]


def read_pair(store: Backend, a: str, b: str) -> list[ClaimRecord]:
    """Claims whose subject and object are ``a`` and ``b``, in either order."""
    return _claims_by_id(store, "evidence-pair", {"a": ox.NamedNode(a), "b": ox.NamedNode(b)})


# Relations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """A relation of the vocabulary, as the ontology describes it."""

    iri: str
    label: str
    opposite: str | None = None
    inverse: str | None = None
    symmetric: bool = False
    #: Super-relations (transitive ``rdfs:subPropertyOf``), e.g. affects for improves.
    parents: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return compress(self.iri)


class Vocabulary:
    """The relations of the ontology graph, by IRI."""

    def __init__(self, relations: Iterable[Relation]) -> None:
        self.relations = {r.iri: r for r in relations}

    @classmethod
    def from_store(cls, store: Backend) -> Vocabulary:
        found: dict[str, dict[str, Any]] = {}
        for row in _solutions(store, "analytics-relations", {}):
            iri = row["relation"].value
            entry = found.setdefault(
                iri,
                {
                    "label": None,
                    "opposite": None,
                    "inverse": None,
                    "symmetric": False,
                    "parents": set(),
                },
            )
            entry["label"] = entry["label"] or _value(row["label"])
            entry["opposite"] = entry["opposite"] or _value(row["opposite"])
            entry["inverse"] = entry["inverse"] or _value(row["inverse"])
            entry["symmetric"] = entry["symmetric"] or row["symmetric"] is not None
            if row["parent"] is not None:
                entry["parents"].add(row["parent"].value)
        return cls(
            Relation(
                iri=iri,
                label=e["label"] or _local_name(iri),
                opposite=e["opposite"],
                inverse=e["inverse"],
                symmetric=e["symmetric"],
                parents=frozenset(e["parents"]),
            )
            for iri, e in found.items()
        )

    def get(self, iri: str) -> Relation:
        """The relation ``iri``; one the ontology does not know gets its local name as label."""
        return self.relations.get(iri) or Relation(iri=iri, label=_local_name(iri))

    def label(self, iri: str) -> str:
        return self.get(iri).label

    def reverse(self, iri: str) -> str | None:
        """The relation that says the same thing with subject and object swapped.

        The relation itself when it is symmetric, its ``owl:inverseOf`` when it has
        one, else ``None`` (the claim cannot be read backwards).
        """
        relation = self.get(iri)
        if relation.symmetric:
            return iri
        return relation.inverse


def _local_name(iri: str) -> str:
    for sep in ("#", "/", ":"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[-1]
    return iri


# Entities -----------------------------------------------------------------------------


@dataclass
class EntityName:
    """An entity's label and types (IRIs)."""

    iri: str
    label: str | None = None
    types: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return compress(self.iri)

    @property
    def display(self) -> str:
        return self.label or self.id


def entity_classes(store: Backend) -> frozenset[str]:
    """``gba:Entity`` and its subclasses, from the ontology graph."""
    return frozenset(row["class"].value for row in _solutions(store, "entity-classes", {}))


def read_entities(store: Backend) -> dict[str, EntityName]:
    """Every entity (typed with a subclass of ``gba:Entity``) with its label."""
    found: dict[str, EntityName] = {}
    for row in _solutions(store, "analytics-entities", {}):
        name = found.setdefault(row["entity"].value, EntityName(row["entity"].value))
        name.types.add(row["type"].value)
        if name.label is None and row["label"] is not None:
            name.label = row["label"].value
    return found


def read_entity(store: Backend, iri: str, classes: frozenset[str]) -> EntityName | None:
    """The entity ``iri`` when the store types it with one of ``classes``."""
    name = EntityName(iri)
    labels = []
    for quad in store.quads_about(ox.NamedNode(iri)):
        value = quad.object
        if quad.predicate.value == _RDF + "type" and isinstance(value, ox.NamedNode):
            if value.value in classes:
                name.types.add(value.value)
        elif quad.predicate.value == _LABEL and isinstance(value, ox.Literal):
            labels.append(value.value)
    if not name.types:
        return None
    name.label = min(labels) if labels else None
    return name


_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def entity_iri(value: str, *, parameter: str) -> str:
    """The IRI of a CURIE or IRI given as ``parameter``; a bad one raises naming it."""
    try:
        return str(expand(value))
    except CurieError as error:
        raise CurieError(
            f"{parameter}: {error.message}", parameter=parameter, value=value
        ) from None


def require_entity(store: Backend, iri: str, *, parameter: str) -> EntityName:
    """The entity ``iri`` (labelled and typed, or the subject or object of a claim).

    Raises :class:`~kg.errors.NotFoundError` naming ``parameter`` when the store
    knows nothing of it.
    """
    found = read_entity(store, iri, entity_classes(store))
    if found is not None:
        return found
    if next(iter(_solutions(store, "entity-claims", {"entity": ox.NamedNode(iri)})), None):
        return EntityName(iri)
    raise NotFoundError(
        f"{parameter}: no entity {compress(iri)} in the graph",
        parameter=parameter,
        value=compress(iri),
    )
