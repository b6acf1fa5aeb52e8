"""A :class:`~kg.model.Claim` as RDF (four named graphs, nanopublication-shaped) and back.

The layout is documented in ``docs/rdf-model.md``. The round trip is lossless:
``claim_from_dataset(claim_to_dataset(c), c.iri)`` equals ``c.with_id()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from rdflib import RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from gbkg.kg.errors import NotFoundError
from gbkg.kg.ids import PREFIX_MAP, compress, expand, try_expand
from gbkg.kg.model import (
    Claim,
    Context,
    EffectMeasure,
    Evidence,
    Finding,
    NewEntity,
    Quantity,
    QuotePosition,
    Retraction,
    Source,
    SourceType,
    Statistics,
    Status,
    StudyDesign,
    decimal_text,
)
from gbkg.kg.namespaces import CURATOR, CURATORS_GRAPH, GBA, NP, OA, SOURCES_GRAPH

FINDINGS = {
    Finding.EFFECT: GBA.EffectFinding,
    Finding.NULL: GBA.NullFinding,
    Finding.ASSERTION: GBA.AssertionFinding,
}
STUDY_DESIGNS = {
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
SOURCE_TYPES = {
    SourceType.NEWS_ARTICLE: GBA.NewsArticle,
    SourceType.JOURNAL_ARTICLE: GBA.JournalArticle,
    SourceType.META_ANALYSIS: GBA.MetaAnalysis,
    SourceType.SYSTEMATIC_REVIEW: GBA.SystematicReview,
    SourceType.RCT: GBA.RandomizedControlledTrial,
    SourceType.ORGANIZATION: GBA.Organization,
    SourceType.WEB_PAGE: GBA.WebPage,
    SourceType.REPORT: GBA.Report,
}
EFFECT_MEASURES = {
    EffectMeasure.SMD: GBA.StandardizedMeanDifference,
    EffectMeasure.MD: GBA.MeanDifference,
    EffectMeasure.OR: GBA.OddsRatio,
    EffectMeasure.RR: GBA.RiskRatio,
    EffectMeasure.HR: GBA.HazardRatio,
    EffectMeasure.R: GBA.CorrelationCoefficient,
}
STATUSES = {Status.ACTIVE: GBA.Active, Status.RETRACTED: GBA.Retracted}

# JSON field -> RDF property, per part; the same tables read the RDF back.
STATISTICS_PROPERTIES = {
    "effect_size": GBA.effectSize,
    "ci_low": GBA.ciLow,
    "ci_high": GBA.ciHigh,
    "ci_level": GBA.ciLevel,
    "p_value": GBA.pValue,
    "i_squared": GBA.iSquared,
}
EVIDENCE_COUNTS = {"n_studies": GBA.nStudies, "n_participants": GBA.nParticipants}
EVIDENCE_TEXTS = {"duration": GBA.duration, "population": GBA.population}
CONTEXT_PROPERTIES = {
    "population": GBA.population,
    "co_intervention": GBA.coIntervention,
    "condition": GBA.condition,
    "strain": GBA.strain,
    "dose": GBA.dose,
}
SOURCE_TEXTS = {
    "title": DCTERMS.title,
    "publisher": DCTERMS.publisher,
    "date": DCTERMS.date,
    "journal": GBA.journal,
    "country": GBA.country,
    "doi": GBA.doi,
}


def _inverse(table: Mapping[Any, URIRef]) -> dict[Node, Any]:
    return {v: k for k, v in table.items()}


class ClaimGraphs:
    """The names of a claim's four graphs and of its parts."""

    def __init__(self, iri: str) -> None:
        self.claim = URIRef(iri)
        self.head = URIRef(iri + "#head")
        self.assertion = URIRef(iri + "#assertion")
        self.provenance = URIRef(iri + "#provenance")
        self.pubinfo = URIRef(iri + "#pubinfo")
        self.statistics = URIRef(iri + "#statistics")
        self.quantity = URIRef(iri + "#quantity")
        self.context = URIRef(iri + "#context")
        self.evidence = URIRef(iri + "#evidence")
        self.quote = URIRef(iri + "#quote")
        self.retraction = URIRef(iri + "#retraction")

    @property
    def names(self) -> tuple[URIRef, URIRef, URIRef, URIRef]:
        return (self.head, self.assertion, self.provenance, self.pubinfo)


def _decimal(value: float | int) -> Literal:
    return Literal(decimal_text(value), datatype=XSD.decimal)


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def _term(value: str) -> Node:
    """A context value: an entity IRI when it is a CURIE or IRI, else text."""
    iri = try_expand(value)
    return iri if iri is not None else Literal(value)


def new_dataset() -> Dataset:
    """An empty dataset with the project's prefixes bound (for readable serializations)."""
    ds = Dataset()
    for prefix in ("gba", "gbkg", "np", "oa", "prov", "dct", "skos", "rdfs", "xsd", "obo"):
        namespace = PREFIX_MAP.get(prefix, "http://purl.obolibrary.org/obo/")
        ds.bind(prefix, namespace, replace=True)
    return ds


def claim_to_dataset(claim: Claim, dataset: Dataset | None = None) -> Dataset:
    """Write ``claim`` (with its content-derived IRI) into ``dataset`` (default: a new one)."""
    ds = dataset if dataset is not None else new_dataset()
    g = ClaimGraphs(claim.iri)
    c = g.claim

    head = ds.graph(g.head)
    head.add((c, RDF.type, NP.Nanopublication))
    head.add((c, NP.hasAssertion, g.assertion))
    head.add((c, NP.hasProvenance, g.provenance))
    head.add((c, NP.hasPublicationInfo, g.pubinfo))

    a = ds.graph(g.assertion)
    a.add((c, RDF.type, GBA.Claim))
    for field, prop in (
        ("subject", RDF.subject),
        ("predicate", RDF.predicate),
        ("object", RDF.object),
    ):
        value = getattr(claim, field)
        if value is not None:
            a.add((c, prop, expand(value)))
    if claim.finding is not None:
        a.add((c, GBA.finding, FINDINGS[claim.finding]))
    if claim.statement is not None:
        a.add((c, GBA.statement, Literal(claim.statement)))
    a.add((c, GBA.hedged, Literal(claim.hedged)))
    if claim.statistics is not None:
        _write_statistics(a, c, g.statistics, claim.statistics)
    if claim.quantity is not None:
        _write_quantity(a, c, g.quantity, claim.quantity)
    if claim.context is not None:
        a.add((c, GBA.context, g.context))
        a.add((g.context, RDF.type, GBA.Context))
        for field, prop in CONTEXT_PROPERTIES.items():
            value = getattr(claim.context, field)
            if value is not None:
                a.add((g.context, prop, _term(value)))
    for entity in claim.entities:
        _write_entity(a, entity)

    p = ds.graph(g.provenance)
    # Sources are shared by many claims: described once, in the sources graph, so
    # the union default graph holds each of their triples once.
    sources = ds.graph(SOURCES_GRAPH)
    source_iri = None
    if claim.source is not None:
        source_iri = URIRef(claim.source.minted_id())
        p.add((c, PROV.wasDerivedFrom, source_iri))
        _write_source(sources, source_iri, claim.source)
    if claim.primary_source is not None:
        primary = URIRef(claim.primary_source.minted_id())
        p.add((c, GBA.primarySource, primary))
        _write_source(sources, primary, claim.primary_source)
        if source_iri is not None:
            sources.add((source_iri, GBA.reports, primary))
    if claim.evidence is not None:
        _write_evidence(p, c, g.evidence, claim.evidence)
    if claim.quote is not None:
        p.add((c, GBA.quote, g.quote))
        p.add((g.quote, RDF.type, OA.TextQuoteSelector))
        p.add((g.quote, OA.exact, Literal(claim.quote)))
        if source_iri is not None:
            p.add((g.quote, OA.hasSource, source_iri))
        if claim.quote_position is not None:
            p.add((g.quote, RDF.type, OA.TextPositionSelector))
            p.add((g.quote, OA.start, _integer(claim.quote_position.start)))
            p.add((g.quote, OA.end, _integer(claim.quote_position.end)))

    write_pubinfo(ds.graph(g.pubinfo), claim, agents=ds.graph(CURATORS_GRAPH))
    return ds


def claims_to_trig(claims: Iterable[Claim], *, header: str = "") -> str:
    """Claims as TriG that reads well and is the same from run to run.

    One block per graph: each claim's four graphs in nanopublication order, in the
    order given, then the shared sources and curators graphs; each graph's triples
    as sorted Turtle.
    """
    claims = list(claims)
    ds = new_dataset()
    for claim in claims:
        claim_to_dataset(claim, ds)
    names = [name for c in claims for name in ClaimGraphs(c.iri).names]
    names += [SOURCES_GRAPH, CURATORS_GRAPH]
    prefixes: set[str] = set()
    blocks = []
    for name in names:
        graph = Graph(namespace_manager=ds.namespace_manager)
        for triple in ds.graph(name):
            graph.add(triple)
        if not len(graph):
            continue
        lines = graph.serialize(format="turtle").splitlines()
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        body = "\n".join(
            ("    " + line) if line else "" for line in lines if not line.startswith("@prefix")
        )
        blocks.append(f"<{name}> {{\n{body.strip(chr(10))}\n}}\n")
    return header + "\n".join(["\n".join(sorted(prefixes)) + "\n", *blocks])


def write_pubinfo(pub: Graph, claim: Claim, *, agents: Graph) -> None:
    """The publication info: who, when, status, and the retraction if any.

    Curators are described (``prov:Agent``, label) in ``agents``, the shared
    curators graph, not in every claim's publication info.
    """
    g = ClaimGraphs(claim.iri)
    c = g.claim
    if claim.curator:
        agent = curator_iri(claim.curator)
        pub.add((c, PROV.wasAttributedTo, agent))
        agents.add((agent, RDF.type, PROV.Agent))
        agents.add((agent, RDFS.label, Literal(claim.curator)))
    if claim.created is not None:
        pub.add((c, DCTERMS.created, Literal(claim.created.isoformat(), datatype=XSD.dateTime)))
    pub.add((c, GBA.status, STATUSES[claim.status]))
    if claim.retraction is not None:
        r = claim.retraction
        pub.add((c, GBA.retraction, g.retraction))
        pub.add((g.retraction, RDF.type, GBA.Retraction))
        pub.add((g.retraction, GBA.reason, Literal(r.reason)))
        if r.by:
            agent = curator_iri(r.by)
            pub.add((g.retraction, PROV.wasAttributedTo, agent))
            agents.add((agent, RDF.type, PROV.Agent))
            agents.add((agent, RDFS.label, Literal(r.by)))
        if r.at is not None:
            pub.add((g.retraction, PROV.atTime, Literal(r.at.isoformat(), datatype=XSD.dateTime)))


def curator_iri(name: str) -> URIRef:
    return CURATOR[quote(name, safe="")]


def _write_statistics(a: Graph, c: URIRef, node: URIRef, stats: Statistics) -> None:
    a.add((c, GBA.statistics, node))
    a.add((node, RDF.type, GBA.Statistics))
    if stats.effect_measure is not None:
        a.add((node, GBA.effectMeasure, EFFECT_MEASURES[stats.effect_measure]))
    for field, prop in STATISTICS_PROPERTIES.items():
        value = getattr(stats, field)
        if value is not None:
            a.add((node, prop, _decimal(value)))


def _write_quantity(a: Graph, c: URIRef, node: URIRef, quantity: Quantity) -> None:
    a.add((c, GBA.quantity, node))
    a.add((node, RDF.type, GBA.Quantity))
    if quantity.value is not None:
        a.add((node, GBA.value, _decimal(quantity.value)))
    if quantity.unit is not None:
        a.add((node, GBA.unit, Literal(quantity.unit)))
    if quantity.of is not None:
        a.add((node, GBA.quantityOf, Literal(quantity.of)))


def _write_evidence(p: Graph, c: URIRef, node: URIRef, evidence: Evidence) -> None:
    p.add((c, GBA.evidence, node))
    p.add((node, RDF.type, GBA.Evidence))
    if evidence.study_design is not None:
        p.add((node, GBA.studyDesign, STUDY_DESIGNS[evidence.study_design]))
    for field, prop in EVIDENCE_COUNTS.items():
        value = getattr(evidence, field)
        if value is not None:
            p.add((node, prop, _integer(value)))
    for field, prop in EVIDENCE_TEXTS.items():
        value = getattr(evidence, field)
        if value is not None:
            p.add((node, prop, Literal(value)))


#: Each field of a source and the property that records it in the sources graph.
SOURCE_PROPERTIES: dict[str, URIRef] = {
    "type": RDF.type,
    **SOURCE_TEXTS,
    "url": GBA.url,
    "year": GBA.year,
}


def source_description(source: Source) -> list[tuple[str, URIRef, Node]]:
    """``(field, property, value)`` for each field ``source`` gives: what the sources
    graph records of it (its ``id`` is the node, not a value)."""
    found: list[tuple[str, URIRef, Node]] = []
    if source.type is not None:
        found.append(("type", RDF.type, SOURCE_TYPES[source.type]))
    for field, prop in SOURCE_TEXTS.items():
        value = getattr(source, field)
        if value is not None:
            found.append((field, prop, Literal(value)))
    if source.url is not None:
        found.append(("url", GBA.url, URIRef(source.url)))
    if source.year is not None:
        found.append(("year", GBA.year, Literal(str(source.year), datatype=XSD.gYear)))
    return found


def source_field_text(field: str, value: Node) -> str:
    """A recorded source value as the claim record spells it (``gba:NewsArticle`` is
    ``news-article``)."""
    if field == "type":
        return str(_inverse(SOURCE_TYPES).get(value, compress(str(value))))
    return str(value)


def _write_source(p: Graph, node: URIRef, source: Source) -> None:
    for _, prop, value in source_description(source):
        p.add((node, prop, value))


def _write_entity(a: Graph, entity: NewEntity) -> None:
    node = expand(entity.id)
    if entity.type is not None:
        a.add((node, RDF.type, expand(entity.type)))
    if entity.label is not None:
        a.add((node, RDFS.label, Literal(entity.label)))
    for synonym in entity.synonyms:
        a.add((node, SKOS.altLabel, Literal(synonym)))
    for xref in entity.xrefs:
        a.add((node, SKOS.exactMatch, expand(xref)))


# Reading ------------------------------------------------------------------------


def claim_from_dataset(
    dataset: Dataset, iri: str, *, labels: Mapping[str, str] | None = None
) -> Claim:
    """Read the claim ``iri`` back from its graphs in ``dataset``.

    ``labels`` (IRI → label) fills ``subject_label`` and ``object_label``; labels of
    entities described in the claim itself are used as well.
    """
    g = ClaimGraphs(iri)
    a = dataset.graph(g.assertion)
    if (g.claim, RDF.type, GBA.Claim) not in a:
        raise NotFoundError(f"no claim {iri}", value=iri)
    p = dataset.graph(g.provenance)
    pub = dataset.graph(g.pubinfo)
    c = g.claim

    def one(graph: Graph, s: Node, prop: URIRef) -> Node | None:
        return next(iter(graph.objects(s, prop)), None)

    entities = _read_entities(a, c)
    known = dict(labels or {})
    known.update({str(expand(e.id)): e.label for e in entities if e.label})

    data: dict[str, Any] = {"id": iri}
    for field, prop in (
        ("subject", RDF.subject),
        ("predicate", RDF.predicate),
        ("object", RDF.object),
    ):
        value = one(a, c, prop)
        if value is not None:
            data[field] = compress(str(value))
            if field != "predicate" and str(value) in known:
                data[f"{field}_label"] = known[str(value)]
    finding = one(a, c, GBA.finding)
    if finding is not None:
        data["finding"] = _inverse(FINDINGS)[finding]
    statement = one(a, c, GBA.statement)
    if statement is not None:
        data["statement"] = str(statement)
    hedged = one(a, c, GBA.hedged)
    data["hedged"] = bool(hedged.toPython()) if isinstance(hedged, Literal) else False

    stats_node = one(a, c, GBA.statistics)
    if stats_node is not None:
        stats: dict[str, Any] = {}
        measure = one(a, stats_node, GBA.effectMeasure)
        if measure is not None:
            stats["effect_measure"] = _inverse(EFFECT_MEASURES)[measure]
        for field, prop in STATISTICS_PROPERTIES.items():
            value = one(a, stats_node, prop)
            if value is not None:
                stats[field] = _number(value)
        data["statistics"] = Statistics(**stats)
    quantity_node = one(a, c, GBA.quantity)
    if quantity_node is not None:
        value = one(a, quantity_node, GBA.value)
        unit = one(a, quantity_node, GBA.unit)
        of = one(a, quantity_node, GBA.quantityOf)
        data["quantity"] = Quantity(
            value=_number(value) if value is not None else None,
            unit=str(unit) if unit is not None else None,
            of=str(of) if of is not None else None,
        )
    context_node = one(a, c, GBA.context)
    if context_node is not None:
        ctx = {}
        for field, prop in CONTEXT_PROPERTIES.items():
            value = one(a, context_node, prop)
            if value is not None:
                ctx[field] = compress(str(value)) if isinstance(value, URIRef) else str(value)
        data["context"] = Context(**ctx)
    if entities:
        data["entities"] = entities

    sources = dataset.graph(SOURCES_GRAPH)
    source_node = one(p, c, PROV.wasDerivedFrom)
    if source_node is not None:
        data["source"] = _read_source(sources, source_node)
    primary = one(p, c, GBA.primarySource)
    if primary is not None:
        data["primary_source"] = _read_source(sources, primary)
    evidence_node = one(p, c, GBA.evidence)
    if evidence_node is not None:
        ev: dict[str, Any] = {}
        design = one(p, evidence_node, GBA.studyDesign)
        if design is not None:
            ev["study_design"] = _inverse(STUDY_DESIGNS)[design]
        for field, prop in EVIDENCE_COUNTS.items():
            value = one(p, evidence_node, prop)
            if value is not None:
                ev[field] = int(str(value))
        for field, prop in EVIDENCE_TEXTS.items():
            value = one(p, evidence_node, prop)
            if value is not None:
                ev[field] = str(value)
        data["evidence"] = Evidence(**ev)
    quote_node = one(p, c, GBA.quote)
    if quote_node is not None:
        exact = one(p, quote_node, OA.exact)
        if exact is not None:
            data["quote"] = str(exact)
        start, end = one(p, quote_node, OA.start), one(p, quote_node, OA.end)
        if start is not None and end is not None:
            data["quote_position"] = QuotePosition(start=int(str(start)), end=int(str(end)))

    data.update(read_pubinfo(pub, c))
    claim = Claim.model_validate(data)
    return claim


def read_pubinfo(pub: Graph, c: URIRef) -> dict[str, Any]:
    """``curator``, ``created``, ``status`` and ``retraction`` from a pubinfo graph."""
    data: dict[str, Any] = {}
    agent = next(iter(pub.objects(c, PROV.wasAttributedTo)), None)
    if agent is not None:
        data["curator"] = agent_name(agent)
    created = next(iter(pub.objects(c, DCTERMS.created)), None)
    if created is not None:
        data["created"] = datetime.fromisoformat(str(created))
    status = next(iter(pub.objects(c, GBA.status)), None)
    if status is not None:
        data["status"] = _inverse(STATUSES)[status]
    node = next(iter(pub.objects(c, GBA.retraction)), None)
    if node is not None:
        reason = next(iter(pub.objects(node, GBA.reason)), None)
        by = next(iter(pub.objects(node, PROV.wasAttributedTo)), None)
        at = next(iter(pub.objects(node, PROV.atTime)), None)
        data["retraction"] = Retraction(
            reason=str(reason) if reason is not None else "",
            by=agent_name(by) if by is not None else None,
            at=datetime.fromisoformat(str(at)) if at is not None else None,
        )
    return data


def agent_name(agent: Node) -> str:
    """A curator's name, from its IRI (:func:`curator_iri` in reverse)."""
    return unquote(str(agent).removeprefix(str(CURATOR)))


def _number(value: Node) -> float:
    return float(Decimal(str(value)))


def _read_source(p: Graph, node: Node) -> Source:
    data: dict[str, Any] = {"id": compress(str(node))}
    types = set(p.objects(node, RDF.type))
    for source_type, cls in SOURCE_TYPES.items():
        if cls in types:
            data["type"] = source_type
            break
    for field, prop in SOURCE_TEXTS.items():
        value = next(iter(p.objects(node, prop)), None)
        if value is not None:
            data[field] = str(value)
    url = next(iter(p.objects(node, GBA.url)), None)
    if url is not None:
        data["url"] = str(url)
    year = next(iter(p.objects(node, GBA.year)), None)
    if year is not None:
        data["year"] = int(str(year))
    return Source(**data)


def _read_entities(a: Graph, claim: URIRef) -> list[NewEntity]:
    found = []
    for node in sorted(set(a.subjects(RDFS.label, None)), key=str):
        if node == claim or not isinstance(node, URIRef) or (node, RDF.type, PROV.Agent) in a:
            continue
        types = sorted(str(t) for t in a.objects(node, RDF.type))
        found.append(
            NewEntity(
                id=compress(str(node)),
                label=str(next(iter(a.objects(node, RDFS.label)))),
                type=compress(types[0]) if types else None,
                synonyms=sorted(str(s) for s in a.objects(node, SKOS.altLabel)),
                xrefs=sorted(compress(str(x)) for x in a.objects(node, SKOS.exactMatch)),
            )
        )
    return sorted(found, key=lambda e: e.id)


def claim_iris(dataset: Dataset) -> list[str]:
    """The IRIs of every claim in a dataset, sorted."""
    return sorted(
        str(s)
        for s, _, _, g in dataset.quads((None, RDF.type, GBA.Claim, None))
        if isinstance(s, URIRef) and g is not None and str(_graph_id(g)) == str(s) + "#assertion"
    )


def _graph_id(graph: Any) -> Any:
    return graph.identifier if hasattr(graph, "identifier") else graph


def claims_from_dataset(
    dataset: Dataset, *, labels: Mapping[str, str] | None = None
) -> Iterable[Claim]:
    for iri in claim_iris(dataset):
        yield claim_from_dataset(dataset, iri, labels=labels)
