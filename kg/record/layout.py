"""The claim record's RDF layout: one declarative table.

A claim ``C`` (``https://w3id.org/gbkg/claim/{hash}``) is written into four named
graphs of its own (``C#head``, ``C#assertion``, ``C#provenance``, ``C#pubinfo``, a
nanopublication) and two shared ones (sources, curators). The table says where each
field of the record goes:

- :data:`NODES`: the claim itself and each of its parts (``C#statistics``, ``C#quote``,
  ...): the property that links the part from the claim, its class, its graph, and the
  record attributes whose presence writes it;
- :data:`FIELDS`: each field of the claim record by its path (``statistics.p_value``),
  the node it is on, its property, and its :class:`Kind` (how its value becomes a term);
- :data:`SOURCE`, :data:`ENTITY`, :data:`CURATOR`: the records a claim describes apart
  from its own parts: the sources it cites (shared, in the sources graph), the new
  entities it describes (in its assertion), the curators (shared);
- :data:`ITEMS`: fields of a part whose value is a list of records (``evidence.arms``,
  each arm a node ``C#arm-N`` described by :data:`ARM`);
- :data:`REFERENCES` (``source``, ``primary_source``) and :data:`DERIVED_LINKS`
  (``oa:hasSource``, ``gba:reports``): links between those, written from the record;
- the enumerations' IRIs (:data:`FINDINGS`, :data:`STUDY_DESIGNS`, ...).

:mod:`kg.record.writer` writes a claim from this table, :mod:`kg.record.reader` reads
one back, :mod:`kg.validation` names the field of a SHACL result with
:func:`field_for`, :mod:`kg.projection` reads its columns along :func:`property_path`,
and :mod:`kg.jsonld` generates the JSON-LD context's terms from it. A new field is one
line in :data:`FIELDS` (and one in the model and the shapes); ``docs/rdf-model.md``
tells how.

>>> property_path("evidence.study_design")
('https://w3id.org/gbkg/ontology#evidence', 'https://w3id.org/gbkg/ontology#studyDesign')
>>> field_for("statistics", "https://w3id.org/gbkg/ontology#pValue")
'statistics.p_value'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from rdflib import OWL, RDF, RDFS, SKOS, URIRef
from rdflib.namespace import DCTERMS, PROV

from gbkg.kg.ids import digest
from gbkg.kg.model import (
    AnalysisModel,
    ArmRole,
    BenefitDirection,
    EffectMeasure,
    Finding,
    Match,
    Relation,
    SourceType,
    Status,
    StudyDesign,
)
from gbkg.kg.namespaces import CURATORS_GRAPH, GBA, NP, OA, RETRACTION, SOURCES_GRAPH


class GraphRole(StrEnum):
    """The graphs a claim writes into: its own four, and the two shared ones."""

    HEAD = "head"
    ASSERTION = "assertion"
    PROVENANCE = "provenance"
    PUBINFO = "pubinfo"
    SOURCES = "sources"  #: shared: each source described once
    CURATORS = "curators"  #: shared: each curator described once
    #: The claim's retraction, a record of its own: never one of the claim's graphs.
    RETRACTION = "retraction"

    def graph_name(self, claim: str) -> str:
        """The IRI of this graph for the claim ``claim``."""
        if self is GraphRole.SOURCES:
            return str(SOURCES_GRAPH)
        if self is GraphRole.CURATORS:
            return str(CURATORS_GRAPH)
        if self is GraphRole.RETRACTION:
            return retraction_iri(claim)
        return f"{claim}#{self.value}"


def retraction_iri(claim: str) -> str:
    """The IRI of the retraction of ``claim``, which is also its graph's name:
    ``https://w3id.org/gbkg/retraction/{hash of the claim IRI}``. One per claim: a claim
    is retracted once.

    >>> retraction_iri("https://w3id.org/gbkg/claim/0123")
    'https://w3id.org/gbkg/retraction/073910428b56d158f53de48fb7cf4590'
    """
    return str(RETRACTION[digest(claim)])


RDF_TYPE = str(RDF.type)
#: A claim's own graphs, in nanopublication order.
OWN_GRAPHS = (GraphRole.HEAD, GraphRole.ASSERTION, GraphRole.PROVENANCE, GraphRole.PUBINFO)
#: The head graph: the claim is a nanopublication linking its three other graphs.
NANOPUBLICATION = NP.Nanopublication
HEAD_LINKS: dict[GraphRole, URIRef] = {
    GraphRole.ASSERTION: NP.hasAssertion,
    GraphRole.PROVENANCE: NP.hasProvenance,
    GraphRole.PUBINFO: NP.hasPublicationInfo,
}


class Kind(StrEnum):
    """How a field's value becomes an RDF term (:mod:`kg.record.terms`)."""

    TEXT = "text"  #: a plain literal
    DECIMAL = "decimal"  #: ``xsd:decimal``, canonical (``1.50`` → ``1.5``)
    INTEGER = "integer"  #: ``xsd:integer``
    BOOLEAN = "boolean"  #: ``xsd:boolean``
    DATETIME = "dateTime"  #: ``xsd:dateTime``
    YEAR = "gYear"  #: ``xsd:gYear``
    URL = "url"  #: an http(s) URL, written as an IRI
    IDENTIFIER = "identifier"  #: a CURIE or IRI, written as the IRI, read as the CURIE
    QUALIFIER = "qualifier"  #: an identifier when it is one (``MONDO:0002050``), else text
    TERM = "term"  #: a value of an enumeration, written as its IRI (``Field.terms``)
    CURATOR = "curator"  #: a curator's name, written as ``https://w3id.org/gbkg/curator/{name}``
    #: A list of records of their own (a study's arms): each a node whose IRI is minted
    #: from its owner's and its content (``Field.record`` says what it holds).
    RECORD = "record"


# Enumerations ------------------------------------------------------------------------

FINDINGS: dict[Finding, URIRef] = {
    Finding.EFFECT: GBA.EffectFinding,
    Finding.NULL: GBA.NullFinding,
    Finding.ASSERTION: GBA.AssertionFinding,
    Finding.UNDETERMINED: GBA.UndeterminedFinding,
}
STUDY_DESIGNS: dict[StudyDesign, URIRef] = {
    StudyDesign.META_ANALYSIS: GBA.MetaAnalysisDesign,
    StudyDesign.SYSTEMATIC_REVIEW: GBA.SystematicReviewDesign,
    StudyDesign.RCT: GBA.RCTDesign,
    StudyDesign.COHORT: GBA.CohortDesign,
    StudyDesign.CASE_CONTROL: GBA.CaseControlDesign,
    StudyDesign.CROSS_SECTIONAL: GBA.CrossSectionalDesign,
    StudyDesign.ANIMAL: GBA.AnimalStudyDesign,
    StudyDesign.IN_VITRO: GBA.InVitroDesign,
    StudyDesign.REVIEW: GBA.ReviewDesign,
    StudyDesign.EXPERT_OPINION: GBA.ExpertOpinionDesign,
}
SOURCE_TYPES: dict[SourceType, URIRef] = {
    SourceType.NEWS_ARTICLE: GBA.NewsArticle,
    SourceType.JOURNAL_ARTICLE: GBA.JournalArticle,
    SourceType.META_ANALYSIS: GBA.MetaAnalysis,
    SourceType.SYSTEMATIC_REVIEW: GBA.SystematicReview,
    SourceType.RCT: GBA.RandomizedControlledTrial,
    SourceType.ORGANIZATION: GBA.Organization,
    SourceType.WEB_PAGE: GBA.WebPage,
    SourceType.REPORT: GBA.Report,
}
EFFECT_MEASURES: dict[EffectMeasure, URIRef] = {
    EffectMeasure.SMD: GBA.StandardizedMeanDifference,
    EffectMeasure.MD: GBA.MeanDifference,
    EffectMeasure.OR: GBA.OddsRatio,
    EffectMeasure.RR: GBA.RiskRatio,
    EffectMeasure.HR: GBA.HazardRatio,
    EffectMeasure.R: GBA.CorrelationCoefficient,
}
#: The status a read derives (never stored on the claim: ``docs/rdf-model.md``).
STATUSES: dict[Status, URIRef] = {
    Status.ACTIVE: GBA.Active,
    Status.RETRACTED: GBA.Retracted,
    Status.SUPERSEDED: GBA.Superseded,
}
RELATIONS: dict[Relation, URIRef] = {
    Relation.EQ: GBA.EqualTo,
    Relation.LT: GBA.LessThan,
    Relation.LE: GBA.LessThanOrEqualTo,
    Relation.GT: GBA.GreaterThan,
    Relation.GE: GBA.GreaterThanOrEqualTo,
    Relation.APPROX: GBA.Approximately,
}
ANALYSIS_MODELS: dict[AnalysisModel, URIRef] = {
    AnalysisModel.FIXED: GBA.FixedEffectModel,
    AnalysisModel.RANDOM: GBA.RandomEffectsModel,
}
ARM_ROLES: dict[ArmRole, URIRef] = {
    ArmRole.INTERVENTION: GBA.InterventionArm,
    ArmRole.CONTROL: GBA.ControlArm,
    ArmRole.CASES: GBA.CasesArm,
    ArmRole.CONTROLS: GBA.ControlsArm,
}
BENEFIT_DIRECTIONS: dict[BenefitDirection, URIRef] = {
    BenefitDirection.LOWER: GBA.LowerIsBetter,
    BenefitDirection.HIGHER: GBA.HigherIsBetter,
}
#: How a cross-reference matches: the SKOS mapping property each is written with.
MATCHES: dict[Match, URIRef] = {
    Match.EXACT: SKOS.exactMatch,
    Match.CLOSE: SKOS.closeMatch,
    Match.BROAD: SKOS.broadMatch,
    Match.NARROW: SKOS.narrowMatch,
}


# The table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """The claim, or one of its parts: a node named by a fragment of the claim's IRI.

    The part is written when one of ``owners`` (record attributes) is given; it is
    linked from the claim by ``link``, in its own ``graph``.
    """

    name: str
    fragment: str | None  #: ``None``: the claim itself
    link: URIRef | None
    cls: URIRef
    graph: GraphRole
    owners: tuple[str, ...] = ()
    #: Classes added when a record attribute is given (a quote with offsets is also
    #: an ``oa:TextPositionSelector``).
    classes_when: tuple[tuple[str, URIRef], ...] = ()

    @property
    def classes(self) -> tuple[URIRef, ...]:
        return (self.cls, *(cls for _, cls in self.classes_when))


@dataclass(frozen=True)
class Field:
    """One field of a record: its path in the model, its property, how its value is written.

    In :data:`FIELDS` the path starts at the claim (``statistics.p_value``) and ``node``
    names the node the triple is about; in a :class:`Record`, the path is the
    record's attribute (``title``).
    """

    path: str
    prop: URIRef
    kind: Kind
    node: str = "claim"
    many: bool = False
    terms: Mapping[Any, URIRef] | None = None
    #: Where the triple goes, when not in the node's graph (the claim's pubinfo fields).
    graph: GraphRole | None = None
    #: What each value is, for a field of kind :attr:`Kind.RECORD`.
    record: Record | None = None
    #: For a list of ``{id, match}`` items (an entity's ``xrefs``): the ``match`` this
    #: field's property writes; each such item is written as its ``id``.
    match: Match | None = None

    @property
    def name(self) -> str:
        """The last step of the path: the JSON key (and the JSON-LD term)."""
        return self.path.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Record:
    """Something a claim describes apart from its parts, as a node of its own IRI."""

    name: str
    graph: GraphRole
    fields: tuple[Field, ...]
    cls: URIRef | None = None  #: a class every such node has (curators: ``prov:Agent``)

    def field(self, prop: str) -> Field | None:
        return next((f for f in self.fields if str(f.prop) == str(prop)), None)


@dataclass(frozen=True)
class Items:
    """A field of a part whose value is a list of records (``evidence.arms``): each item
    is a node of its own, ``{claim}#{fragment}-{index}``, linked from the part by ``link``
    and described by ``record``'s fields, in the part's graph."""

    path: str
    node: str  #: the part that links the items
    link: URIRef
    fragment: str
    record: Record

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Reference:
    """A claim field that names a record described in a shared graph (its sources)."""

    path: str
    link: URIRef
    graph: GraphRole  #: where the link from the claim is
    record: Record


@dataclass(frozen=True)
class DerivedLink:
    """A link written from two things the record gives, when both are given: the quote
    selects text of the source; the source reports the primary source."""

    subject: str  #: a node name or a reference path
    prop: URIRef
    object: str  #: a reference path
    graph: GraphRole


CLAIM = Node("claim", None, None, GBA.Claim, GraphRole.ASSERTION)
NODES: tuple[Node, ...] = (
    CLAIM,
    Node("statistics", "statistics", GBA.statistics, GBA.Statistics, GraphRole.ASSERTION,
         owners=("statistics",)),
    Node("quantity", "quantity", GBA.quantity, GBA.Quantity, GraphRole.ASSERTION,
         owners=("quantity",)),
    Node("context", "context", GBA.context, GBA.Context, GraphRole.ASSERTION,
         owners=("context",)),
    Node("outcome", "outcome", GBA.outcome, GBA.Outcome, GraphRole.ASSERTION,
         owners=("outcome",)),
    Node("evidence", "evidence", GBA.evidence, GBA.Evidence, GraphRole.PROVENANCE,
         owners=("evidence",)),
    Node("quote", "quote", GBA.quote, OA.TextQuoteSelector, GraphRole.PROVENANCE,
         owners=("quote", "quote_position", "quote_prefix", "quote_suffix"),
         classes_when=(("quote_position", OA.TextPositionSelector),)),
)  # fmt: skip

FIELDS: tuple[Field, ...] = (
    Field("subject", RDF.subject, Kind.IDENTIFIER),
    Field("predicate", RDF.predicate, Kind.IDENTIFIER),
    Field("object", RDF.object, Kind.IDENTIFIER),
    Field("finding", GBA.finding, Kind.TERM, terms=FINDINGS),
    Field("statement", GBA.statement, Kind.TEXT),
    Field("hedged", GBA.hedged, Kind.BOOLEAN),
    Field("comparator", GBA.comparator, Kind.QUALIFIER),
    Field("subgroup_of", GBA.subgroupOf, Kind.IDENTIFIER),
    Field("supersedes", GBA.supersedes, Kind.IDENTIFIER, graph=GraphRole.PUBINFO),
    Field("statistics.effect_measure", GBA.effectMeasure, Kind.TERM, "statistics",
          terms=EFFECT_MEASURES),
    Field("statistics.effect_size", GBA.effectSize, Kind.DECIMAL, "statistics"),
    Field("statistics.ci_low", GBA.ciLow, Kind.DECIMAL, "statistics"),
    Field("statistics.ci_high", GBA.ciHigh, Kind.DECIMAL, "statistics"),
    Field("statistics.ci_level", GBA.ciLevel, Kind.DECIMAL, "statistics"),
    Field("statistics.p_value", GBA.pValue, Kind.DECIMAL, "statistics"),
    Field("statistics.p_relation", GBA.pRelation, Kind.TERM, "statistics", terms=RELATIONS),
    Field("statistics.i_squared", GBA.iSquared, Kind.DECIMAL, "statistics"),
    Field("statistics.analysis_model", GBA.analysisModel, Kind.TERM, "statistics",
          terms=ANALYSIS_MODELS),
    Field("statistics.tau_squared", GBA.tauSquared, Kind.DECIMAL, "statistics"),
    Field("statistics.n_studies", GBA.nStudies, Kind.INTEGER, "statistics"),
    Field("statistics.n_participants", GBA.nParticipants, Kind.INTEGER, "statistics"),
    Field("quantity.value", GBA.value, Kind.DECIMAL, "quantity"),
    Field("quantity.low", GBA.low, Kind.DECIMAL, "quantity"),
    Field("quantity.high", GBA.high, Kind.DECIMAL, "quantity"),
    Field("quantity.relation", GBA.relation, Kind.TERM, "quantity", terms=RELATIONS),
    Field("quantity.unit", GBA.unit, Kind.TEXT, "quantity"),
    Field("quantity.of", GBA.quantityOf, Kind.TEXT, "quantity"),
    Field("context.population", GBA.population, Kind.QUALIFIER, "context", many=True),
    Field("context.co_intervention", GBA.coIntervention, Kind.QUALIFIER, "context", many=True),
    Field("context.condition", GBA.condition, Kind.QUALIFIER, "context", many=True),
    Field("context.strain", GBA.strain, Kind.QUALIFIER, "context", many=True),
    Field("context.species", GBA.species, Kind.QUALIFIER, "context", many=True),
    Field("context.sex", GBA.sex, Kind.QUALIFIER, "context", many=True),
    Field("context.specimen", GBA.specimen, Kind.QUALIFIER, "context", many=True),
    Field("context.dose", GBA.dose, Kind.QUALIFIER, "context", many=True),
    Field("context.age", GBA.age, Kind.QUALIFIER, "context", many=True),
    Field("outcome.measure", GBA.measure, Kind.QUALIFIER, "outcome"),
    Field("outcome.instrument", GBA.instrument, Kind.QUALIFIER, "outcome"),
    Field("outcome.specimen", GBA.specimen, Kind.QUALIFIER, "outcome"),
    Field("outcome.benefit_direction", GBA.benefitDirection, Kind.TERM, "outcome",
          terms=BENEFIT_DIRECTIONS),
    Field("evidence.study_design", GBA.studyDesign, Kind.TERM, "evidence", terms=STUDY_DESIGNS),
    Field("evidence.n_studies", GBA.nStudies, Kind.INTEGER, "evidence"),
    Field("evidence.n_participants", GBA.nParticipants, Kind.INTEGER, "evidence"),
    Field("evidence.duration", GBA.duration, Kind.TEXT, "evidence"),
    Field("evidence.population", GBA.population, Kind.TEXT, "evidence"),
    Field("quote", OA.exact, Kind.TEXT, "quote"),
    Field("quote_position.start", OA.start, Kind.INTEGER, "quote"),
    Field("quote_position.end", OA.end, Kind.INTEGER, "quote"),
    Field("quote_prefix", OA.prefix, Kind.TEXT, "quote"),
    Field("quote_suffix", OA.suffix, Kind.TEXT, "quote"),
    Field("curator", PROV.wasAttributedTo, Kind.CURATOR, graph=GraphRole.PUBINFO),
    Field("created", DCTERMS.created, Kind.DATETIME, graph=GraphRole.PUBINFO),
    # Written by a supersession, in the old claim's retraction graph (never its own).
    Field("retraction.superseded_by", GBA.supersededBy, Kind.IDENTIFIER,
          graph=GraphRole.RETRACTION),
)  # fmt: skip

#: One arm of a study: of a claim's evidence (``evidence.arms``, ``{claim}#arm-{index}`` in
#: the provenance graph), or of a study record (``source.arms``, a node of the sources graph
#: minted from the study's IRI and the arm).
ARM = Record(
    "arms",
    GraphRole.PROVENANCE,
    (
        Field("label", RDFS.label, Kind.TEXT),
        Field("n", GBA.armSize, Kind.INTEGER),
        Field("role", GBA.armRole, Kind.TERM, terms=ARM_ROLES),
    ),
    cls=GBA.Arm,
)
#: The share of a study's participants in a population (``source.population_shares``).
POPULATION_SHARE = Record(
    "population_shares",
    GraphRole.SOURCES,
    (
        Field("population", GBA.population, Kind.QUALIFIER),
        Field("percent", GBA.percent, Kind.DECIMAL),
        Field("relation", GBA.percentRelation, Kind.TERM, terms=RELATIONS),
    ),
    cls=GBA.PopulationShare,
)
#: A source: where a claim was read, or the study it reports (a study record: its
#: design, counts, arms, population shares, duration, interventions, outcomes). Shared by
#: many claims, so described once, in the sources graph; its node is its own IRI (its
#: DOI, URL, or minted). ``reports`` links it to the studies it reports, to any depth.
SOURCE = Record(
    "source",
    GraphRole.SOURCES,
    (
        Field("type", RDF.type, Kind.TERM, terms=SOURCE_TYPES),
        Field("title", DCTERMS.title, Kind.TEXT),
        Field("title_supplied_by_curator", GBA.titleSuppliedByCurator, Kind.TEXT),
        Field("publisher", DCTERMS.publisher, Kind.TEXT),
        Field("date", DCTERMS.date, Kind.TEXT),
        Field("journal", GBA.journal, Kind.TEXT),
        Field("country", GBA.country, Kind.TEXT),
        Field("doi", GBA.doi, Kind.TEXT),
        Field("url", GBA.url, Kind.URL),
        Field("year", GBA.year, Kind.YEAR),
        Field("design", GBA.studyDesign, Kind.TERM, terms=STUDY_DESIGNS),
        Field("counts.screened", GBA.studiesScreened, Kind.INTEGER),
        Field("counts.reviewed", GBA.studiesReviewed, Kind.INTEGER),
        Field("counts.meta_analysed", GBA.studiesMetaAnalysed, Kind.INTEGER),
        Field("counts.participants", GBA.studyParticipants, Kind.INTEGER),
        Field("arms", GBA.studyArm, Kind.RECORD, many=True, record=ARM),
        Field("population_shares", GBA.populationShare, Kind.RECORD, many=True,
              record=POPULATION_SHARE),
        Field("duration.min", GBA.durationMin, Kind.DECIMAL),
        Field("duration.max", GBA.durationMax, Kind.DECIMAL),
        Field("duration.mean", GBA.durationMean, Kind.DECIMAL),
        Field("duration.mean_relation", GBA.durationMeanRelation, Kind.TERM, terms=RELATIONS),
        Field("duration.unit", GBA.durationUnit, Kind.TEXT),
        Field("interventions", GBA.studyIntervention, Kind.TEXT, many=True),
        Field("outcomes", GBA.studyOutcome, Kind.TEXT, many=True),
        Field("same_as", OWL.sameAs, Kind.IDENTIFIER, many=True),
        Field("reports", GBA.reports, Kind.IDENTIFIER, many=True),
        Field("text", GBA.fullText, Kind.TEXT),
    ),
)  # fmt: skip
#: A retraction of a claim: its own record (who, when, why, what), in its own named
#: graph (:func:`retraction_iri`), linked to the claim by ``gba:retracts``. The claim's
#: graphs are never touched; its status is derived from this record when it is read.
RETRACTION_RECORD = Record(
    "retraction",
    GraphRole.RETRACTION,
    (
        Field("reason", GBA.reason, Kind.TEXT),
        Field("by", PROV.wasAttributedTo, Kind.CURATOR),
        Field("at", PROV.generatedAtTime, Kind.DATETIME),
    ),
    cls=GBA.Retraction,
)
#: The link from a retraction to the claim it retracts.
RETRACTS = GBA.retracts
#: A new entity described with its claim (``entities``), in the claim's assertion.
ENTITY = Record(
    "entities",
    GraphRole.ASSERTION,
    (
        Field("label", RDFS.label, Kind.TEXT),
        Field("type", RDF.type, Kind.IDENTIFIER, many=True),
        Field("synonyms", SKOS.altLabel, Kind.TEXT, many=True),
        *(
            Field("xrefs", prop, Kind.IDENTIFIER, many=True, match=match)
            for match, prop in MATCHES.items()
        ),
        Field("broader", SKOS.broader, Kind.IDENTIFIER),
    ),
)
#: Fields of a part whose value is a list of records.
ITEMS: tuple[Items, ...] = (Items("evidence.arms", "evidence", GBA.arm, "arm", ARM),)
#: A curator: the agent a claim or a retraction is attributed to (its name is its IRI's end).
CURATOR = Record(
    "curator",
    GraphRole.CURATORS,
    (Field("name", RDFS.label, Kind.TEXT),),
    cls=PROV.Agent,
)
REFERENCES: tuple[Reference, ...] = (
    Reference("source", PROV.wasDerivedFrom, GraphRole.PROVENANCE, SOURCE),
    Reference("primary_source", GBA.primarySource, GraphRole.PROVENANCE, SOURCE),
)
DERIVED_LINKS: tuple[DerivedLink, ...] = (
    DerivedLink("quote", OA.hasSource, "source", GraphRole.PROVENANCE),
    DerivedLink("source", GBA.reports, "primary_source", GraphRole.SOURCES),
)


# Look-ups derived from the table ----------------------------------------------------------


@cache
def node(name: str) -> Node:
    found = next((n for n in NODES if n.name == name), None)
    if found is None:
        raise KeyError(f"no node {name!r} in the claim layout")
    return found


@cache
def fields_on(node_name: str) -> tuple[Field, ...]:
    """The fields of the claim table written on the node ``node_name``."""
    return tuple(f for f in FIELDS if f.node == node_name)


@cache
def field(path: str) -> Field:
    """The claim table's field at ``path`` (``statistics.p_value``)."""
    found = next((f for f in FIELDS if f.path == path), None)
    if found is None:
        raise KeyError(f"no field {path!r} in the claim layout")
    return found


def items_on(node_name: str) -> tuple[Items, ...]:
    """The lists of records the part ``node_name`` links (``evidence`` → its arms)."""
    return tuple(i for i in ITEMS if i.node == node_name)


def reference(path: str) -> Reference:
    found = next((r for r in REFERENCES if r.path == path), None)
    if found is None:
        raise KeyError(f"no reference {path!r} in the claim layout")
    return found


def parts() -> tuple[Node, ...]:
    """The claim's parts (every node but the claim itself)."""
    return tuple(n for n in NODES if n.fragment is not None)


def roles() -> Iterator[tuple[URIRef, str]]:
    """``(link, role)``: how the claim links each node or record a SHACL result can be on.
    A source that one claim reads and another reports is a ``source`` (first match)."""
    for part in parts():
        assert part.link is not None
        yield part.link, part.name
    for items in ITEMS:
        yield items.link, items.path
    for ref in REFERENCES:
        yield ref.link, ref.path
    for derived in DERIVED_LINKS:
        if derived.subject in {r.path for r in REFERENCES}:
            yield derived.prop, derived.object


@cache
def field_table() -> dict[str, dict[str, str]]:
    """Role → (property IRI → the JSON field a result on it is about).

    The claim's role also maps the links to its parts and references (``gba:statistics``
    → ``statistics``) and ``rdf:type`` to ``id`` (the claim's IRI typed as something else).
    """
    table: dict[str, dict[str, str]] = {"claim": {str(RDF.type): "id"}}
    for f in FIELDS:
        table.setdefault(f.node, {})[str(f.prop)] = f.path
    for part in parts():
        assert part.link is not None
        table["claim"][str(part.link)] = part.name
        table.setdefault(part.name, {})
    for items in ITEMS:
        table.setdefault(items.node, {})[str(items.link)] = items.path
        table[items.path] = {str(f.prop): f"{items.path}.{f.path}" for f in items.record.fields}
    for ref in REFERENCES:
        table["claim"][str(ref.link)] = ref.path
        table[ref.path] = {str(f.prop): f"{ref.path}.{f.path}" for f in ref.record.fields}
    table[ENTITY.name] = {str(f.prop): f"{ENTITY.name}.{f.path}" for f in ENTITY.fields}
    table[RETRACTION_RECORD.name] = {
        str(f.prop): f"{RETRACTION_RECORD.name}.{f.path}" for f in RETRACTION_RECORD.fields
    }
    for sub in (ARM, POPULATION_SHARE):
        for ref in REFERENCES:
            table[f"{ref.path}.{sub.name}"] = {
                str(f.prop): f"{ref.path}.{sub.name}.{f.path}" for f in sub.fields
            }
    return table


def field_for(role: str, prop: str) -> str | None:
    """The JSON field of property ``prop`` on a node of ``role`` (``None``: not a field)."""
    return field_table().get(role, {}).get(str(prop))


def property_path(path: str) -> tuple[str, ...]:
    """The properties from the claim to the value at ``path``: ``evidence.study_design``
    is ``gba:evidence / gba:studyDesign``; ``source.title`` is ``prov:wasDerivedFrom /
    dct:title``."""
    head, _, rest = path.partition(".")
    if head in {r.path for r in REFERENCES} and not rest:
        return (str(reference(head).link),)
    if rest and head in {r.path for r in REFERENCES}:
        ref = reference(head)
        record_field = next((f for f in ref.record.fields if f.path == rest), None)
        if record_field is None:
            raise KeyError(f"no field {rest!r} in a {ref.record.name}")
        return (str(ref.link), str(record_field.prop))
    for items in ITEMS:
        if path == items.path or path.startswith(items.path + "."):
            parent = node(items.node).link
            assert parent is not None
            steps = (str(parent), str(items.link))
            rest = path.removeprefix(items.path).lstrip(".")
            if not rest:
                return steps
            record_field = next((f for f in items.record.fields if f.path == rest), None)
            if record_field is None:
                raise KeyError(f"no field {rest!r} in {items.path}")
            return (*steps, str(record_field.prop))
    f = field(path)
    if f.node == CLAIM.name:
        return (str(f.prop),)
    link = node(f.node).link
    assert link is not None
    return (str(link), str(f.prop))


def properties() -> set[str]:
    """Every property the layout writes (links, fields, records, head, classes' rdf:type)."""
    found = {str(RDF.type), *map(str, HEAD_LINKS.values())}
    found.update(str(n.link) for n in NODES if n.link is not None)
    found.update(str(f.prop) for f in FIELDS)
    for record in (SOURCE, ARM, POPULATION_SHARE, ENTITY, CURATOR, RETRACTION_RECORD):
        found.update(str(f.prop) for f in record.fields)
    found.add(str(RETRACTS))
    found.update(str(i.link) for i in ITEMS)
    found.update(str(r.link) for r in REFERENCES)
    found.update(str(d.prop) for d in DERIVED_LINKS)
    return found
