"""The ontology (gba.ttl), the closed ``GBA`` namespace and the known entities agree."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef

from gbkg.kg.ids import expand
from gbkg.kg.namespaces import GBA
from gbkg.kg.resources import ontology_file

GBA_NS = str(GBA._NS)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    graph.parse(data=ontology_file("gba.ttl").read_bytes(), format="turtle")
    return graph


@pytest.fixture(scope="module")
def entities() -> Graph:
    graph = Graph()
    graph.parse(data=ontology_file("entities.ttl").read_bytes(), format="turtle")
    return graph


def python_terms() -> set[URIRef]:
    return {GBA[name] for name in GBA.__annotations__}


def defined_terms(graph: Graph) -> set[URIRef]:
    return {
        s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(GBA_NS)
    }


def relations(graph: Graph) -> list[URIRef]:
    return sorted(r for r in graph.subjects(RDF.type, GBA.Relation) if isinstance(r, URIRef))


def entity_classes(graph: Graph) -> set[URIRef]:
    return {
        c for c in graph.transitive_subjects(RDFS.subClassOf, GBA.Entity) if isinstance(c, URIRef)
    }


def test_every_python_term_is_defined_in_the_ontology(ontology: Graph) -> None:
    missing = python_terms() - defined_terms(ontology)
    assert not missing, f"in kg.namespaces.GBA but not typed in gba.ttl: {sorted(missing)}"


def test_every_ontology_term_is_in_the_python_namespace(ontology: Graph) -> None:
    missing = defined_terms(ontology) - python_terms()
    assert not missing, f"defined in gba.ttl but missing from kg.namespaces.GBA: {sorted(missing)}"


def test_every_gba_term_used_in_the_ontology_is_defined(ontology: Graph) -> None:
    used = {
        t for triple in ontology for t in triple if isinstance(t, URIRef) and t.startswith(GBA_NS)
    }
    assert used <= defined_terms(ontology), sorted(used - defined_terms(ontology))


def test_the_namespace_is_closed() -> None:
    with pytest.raises(AttributeError):
        _ = GBA.improvez


def test_every_term_has_a_label_and_a_definition(ontology: Graph) -> None:
    for term in defined_terms(ontology):
        assert len(list(ontology.objects(term, RDFS.label))) == 1, f"{term} needs one rdfs:label"
        assert ontology.value(term, SKOS.definition) is not None, f"{term} needs a skos:definition"


@pytest.mark.parametrize(
    "name",
    [
        "improves", "worsens", "increases", "decreases", "produces", "communicatesWith",
        "associatedWith", "positivelyAssociatedWith", "negativelyAssociatedWith", "contains",
        "hasPrevalence", "promotesGrowthOf", "contributesTo", "partOf", "hasAttribute",
        "mediates", "communicatesVia", "studiedFor", "effectDependsOn",
    ],
)  # fmt: skip
def test_the_vocabulary_has_the_relations_the_claims_need(ontology: Graph, name: str) -> None:
    relation = GBA[name]
    assert (relation, RDF.type, GBA.Relation) in ontology
    assert (relation, RDF.type, OWL.ObjectProperty) in ontology


def test_every_relation_has_label_definition_and_an_alignment_or_a_reason(ontology: Graph) -> None:
    assert len(relations(ontology)) >= 19
    alignment = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, RDFS.subPropertyOf)
    for relation in relations(ontology):
        assert ontology.value(relation, RDFS.label) is not None
        assert ontology.value(relation, SKOS.definition) is not None
        aligned = any(ontology.value(relation, p) is not None for p in alignment)
        explained = ontology.value(relation, RDFS.comment) is not None
        assert aligned or explained, f"{relation} has neither an alignment nor a comment saying why"


def test_opposites_are_reciprocal_relations(ontology: Graph) -> None:
    pairs = list(ontology.subject_objects(GBA.opposite))
    assert pairs
    for a, b in pairs:
        assert (b, GBA.opposite, a) in ontology, f"{a} opposite {b} is not stated both ways"
        assert (a, RDF.type, GBA.Relation) in ontology and (b, RDF.type, GBA.Relation) in ontology
        assert a != b


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("increases", "decreases"),
        ("improves", "worsens"),
        ("positivelyAssociatedWith", "negativelyAssociatedWith"),
    ],
)
def test_the_required_opposites(ontology: Graph, a: str, b: str) -> None:
    assert (GBA[a], GBA.opposite, GBA[b]) in ontology
    assert (GBA[b], GBA.opposite, GBA[a]) in ontology


def test_relations_align_to_biolink_and_ro(ontology: Graph) -> None:
    biolink = "https://w3id.org/biolink/vocab/"
    obo_ro = ("http://purl.obolibrary.org/obo/RO_", "http://purl.obolibrary.org/obo/BFO_")
    targets = {
        str(o)
        for r in relations(ontology)
        for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
        for o in ontology.objects(r, p)
    }
    assert any(t.startswith(biolink) for t in targets)
    assert any(t.startswith(obo_ro) for t in targets)
    assert (GBA.improves, SKOS.closeMatch, URIRef(biolink + "ameliorates_condition")) in ontology


@pytest.mark.parametrize(
    ("measure", "no_effect"),
    [
        ("StandardizedMeanDifference", 0),
        ("MeanDifference", 0),
        ("OddsRatio", 1),
        ("RiskRatio", 1),
        ("HazardRatio", 1),
        ("CorrelationCoefficient", 0),
    ],
)
def test_effect_measures_carry_their_no_effect_value(
    ontology: Graph, measure: str, no_effect: int
) -> None:
    assert (GBA[measure], RDF.type, GBA.EffectMeasure) in ontology
    value = ontology.value(GBA[measure], GBA.noEffectValue)
    assert isinstance(value, Literal) and value.toPython() == no_effect


def test_individuals_have_their_classes(ontology: Graph) -> None:
    findings = set(ontology.subjects(RDF.type, GBA.Finding))
    assert findings == {
        GBA.EffectFinding, GBA.NullFinding, GBA.AssertionFinding, GBA.UndeterminedFinding
    }  # fmt: skip
    statuses = {GBA.Active, GBA.Retracted, GBA.Superseded}
    assert set(ontology.subjects(RDF.type, GBA.Status)) == statuses
    designs = {
        str(ontology.value(d, SKOS.notation)) for d in ontology.subjects(RDF.type, GBA.StudyDesign)
    }
    assert designs == {
        "meta-analysis", "systematic-review", "rct", "cohort", "case-control",
        "cross-sectional", "animal", "in-vitro", "review", "expert-opinion",
    }  # fmt: skip


def test_source_types_are_sources(ontology: Graph) -> None:
    for name in (
        "NewsArticle", "JournalArticle", "MetaAnalysis", "SystematicReview",
        "RandomizedControlledTrial", "Organization", "WebPage", "Report",
    ):  # fmt: skip
        assert GBA.Source in set(ontology.transitive_objects(GBA[name], RDFS.subClassOf))


def test_entity_kinds_are_entities(ontology: Graph) -> None:
    kinds = entity_classes(ontology)
    for name in (
        "MicrobialTaxon", "Probiotic", "Prebiotic", "PrebioticFood", "FermentedFood", "Food",
        "Antidepressant", "SSRI", "Neurotransmitter", "InflammatoryMarker", "Condition",
        "AnatomicalStructure", "CommunicationChannel", "BiologicalProcess", "Population",
        "Treatment", "BodyOfEvidence",
    ):  # fmt: skip
        assert GBA[name] in kinds


def test_standard_vocabularies_are_aligned(ontology: Graph) -> None:
    prov = "http://www.w3.org/ns/prov#"
    assert (GBA.primarySource, RDFS.subPropertyOf, URIRef(prov + "wasDerivedFrom")) in ontology
    assert (GBA.quote, RDFS.range, URIRef("http://www.w3.org/ns/oa#TextQuoteSelector")) in ontology
    assert (
        GBA.reports,
        RDFS.subPropertyOf,
        URIRef("http://purl.org/dc/terms/references"),
    ) in ontology
    assert (GBA.OddsRatio, SKOS.exactMatch, expand("STATO:0000182")) in ontology


# --- the known entities ----------------------------------------------------------------


def test_every_entity_has_one_label_and_an_entity_type(ontology: Graph, entities: Graph) -> None:
    kinds = entity_classes(ontology)
    subjects = set(entities.subjects(RDF.type, None))
    assert len(subjects) > 30
    for entity in subjects:
        labels = list(entities.objects(entity, RDFS.label))
        assert len(labels) == 1, f"{entity} has {len(labels)} labels"
        types = set(entities.objects(entity, RDF.type))
        assert types and types <= kinds, f"{entity} has types outside gba:Entity: {types - kinds}"


def test_labels_are_unique(entities: Graph) -> None:
    labels = [str(label).lower() for label in entities.objects(None, RDFS.label)]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize(
    ("curie", "label", "kind"),
    [
        ("CHEBI:28790", "serotonin", "Neurotransmitter"),
        ("HGNC:6018", "interleukin-6", "InflammatoryMarker"),
        ("HGNC:11892", "tumor necrosis factor", "InflammatoryMarker"),
        ("MONDO:0002009", "major depressive disorder", "Condition"),
        ("MONDO:0002050", "depressive disorder", "Condition"),
        ("MONDO:0005371", "mood disorder", "Condition"),
        ("UBERON:0001759", "vagus nerve", "AnatomicalStructure"),
        ("UBERON:0000955", "brain", "AnatomicalStructure"),
        ("NCBITaxon:1579", "Lactobacillus acidophilus", "MicrobialTaxon"),
        ("NCBITaxon:1582", "Lacticaseibacillus casei", "MicrobialTaxon"),
        ("NCBITaxon:1587", "Lactobacillus helveticus", "MicrobialTaxon"),
        ("NCBITaxon:216816", "Bifidobacterium longum", "MicrobialTaxon"),
        ("NCBITaxon:1681", "Bifidobacterium bifidum", "MicrobialTaxon"),
        ("NCBITaxon:1578", "Lactobacillus", "MicrobialTaxon"),
        ("NCBITaxon:1678", "Bifidobacterium", "MicrobialTaxon"),
        ("gbkg:probiotic", "probiotic", "Probiotic"),
    ],
)
def test_known_identifiers(entities: Graph, curie: str, label: str, kind: str) -> None:
    node = expand(curie)
    assert entities.value(node, RDFS.label) == Literal(label)
    assert (node, RDF.type, GBA[kind]) in entities


def test_lactobacillus_casei_keeps_its_old_name(entities: Graph) -> None:
    casei = expand("NCBITaxon:1582")
    assert Literal("Lactobacillus casei") in set(entities.objects(casei, SKOS.altLabel))
    assert "2020" in str(entities.value(casei, RDFS.comment))


@pytest.mark.parametrize("name", ["gba.ttl", "entities.ttl"])
def test_no_blank_nodes(name: str) -> None:
    graph = Graph().parse(data=ontology_file(name).read_bytes(), format="turtle")
    assert not [t for t in graph if any(isinstance(term, BNode) for term in t)]


# --- corrections of 2026-12 (issue 8): alignments checked against RO, ECO, Biolink ---

RO = "http://purl.obolibrary.org/obo/RO_"
BIOLINK = "https://w3id.org/biolink/vocab/"


def alignments(ontology: Graph, relation: URIRef) -> set[str]:
    return {
        str(o)
        for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.relatedMatch)
        for o in ontology.objects(relation, p)
    }


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        ("contains", [BIOLINK + "has_part"], [RO + "0001019"]),  # obsolete in RO
        ("contributesTo", [RO + "0003304"], [RO + "0002326"]),
        ("improves", [RO + "0003307", BIOLINK + "ameliorates_condition"], []),
        ("worsens", [RO + "0003309", BIOLINK + "exacerbates_condition"], []),
        ("increases", [BIOLINK + "affects"], [RO + "0002213"]),  # processes only
        ("decreases", [BIOLINK + "affects"], [RO + "0002212"]),
        ("studiedFor", [BIOLINK + "studied_to_treat"], []),
        ("hasAttribute", [RO + "0000053"], [BIOLINK + "has_attribute"]),  # a node property
    ],
)
def test_relation_alignments(ontology: Graph, name: str, present: list, absent: list) -> None:
    found = alignments(ontology, GBA[name])
    assert set(present) <= found, f"gba:{name} lacks {set(present) - found}"
    assert not set(absent) & found, f"gba:{name} still aligned to {set(absent) & found}"


def test_produces_matches_ro_and_biolink_the_same_way(ontology: Graph) -> None:
    exact = set(ontology.objects(GBA.produces, SKOS.exactMatch))
    assert {URIRef(RO + "0003000"), URIRef(BIOLINK + "produces")} <= exact
    assert ontology.value(GBA.produces, SKOS.closeMatch) is None


def test_expert_opinion_is_author_statement(ontology: Graph) -> None:
    assert ontology.value(GBA.ExpertOpinionDesign, SKOS.closeMatch) == expand("ECO:0000204")


def test_mood_disorder_is_mondo_and_ssri_matches_chebi(entities: Graph) -> None:
    assert (expand("gbkg:mood-disorder"), RDFS.label, None) not in entities
    assert (expand("gbkg:ssri"), SKOS.closeMatch, expand("CHEBI:50949")) in entities


def test_digestive_system_is_not_a_synonym_of_the_digestive_tract(entities: Graph) -> None:
    synonyms = {str(s) for s in entities.objects(expand("UBERON:0001555"), SKOS.altLabel)}
    assert "digestive system" not in synonyms


def test_hgnc_iris_take_the_biolink_form(entities: Graph) -> None:
    assert str(expand("HGNC:6018")) == "http://identifiers.org/hgnc/6018"
    assert entities.value(expand("HGNC:6018"), RDFS.label) == Literal("interleukin-6")
    xrefs = set(entities.objects(expand("HGNC:6018"), SKOS.exactMatch))
    assert xrefs == {expand("NCBIGene:3569")}


@pytest.mark.parametrize(
    ("narrower", "broader"),
    [
        ("MONDO:0002009", "MONDO:0002050"),  # major depressive disorder -> depressive disorder
        ("MONDO:0002050", "MONDO:0005371"),  # depressive disorder -> mood disorder
        ("NCBITaxon:1579", "NCBITaxon:1578"),  # L. acidophilus -> Lactobacillus
        ("NCBITaxon:1587", "NCBITaxon:1578"),
        ("NCBITaxon:216816", "NCBITaxon:1678"),  # B. longum -> Bifidobacterium
        ("NCBITaxon:1681", "NCBITaxon:1678"),
        ("HGNC:6018", "gbkg:inflammatory-marker"),
        ("HGNC:11892", "gbkg:inflammatory-marker"),
        ("gbkg:ssri", "gbkg:antidepressant"),
    ],
)
def test_the_hierarchy_the_roll_up_walks(entities: Graph, narrower: str, broader: str) -> None:
    assert (expand(narrower), SKOS.broader, expand(broader)) in entities


def test_broader_links_stay_among_known_entities_and_have_no_cycle(entities: Graph) -> None:
    known = set(entities.subjects(RDFS.label, None))
    for a, b in entities.subject_objects(SKOS.broader):
        assert b in known, f"{a} broader {b}: not a known entity"
        assert a not in set(entities.transitive_objects(b, SKOS.broader)), f"cycle at {a}"


def test_casei_is_not_put_under_lactobacillus(entities: Graph) -> None:
    assert entities.value(expand("NCBITaxon:1582"), SKOS.broader) is None
