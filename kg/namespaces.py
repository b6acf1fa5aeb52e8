"""RDF namespaces and the IRIs this project mints.

Every namespace with a prefix is taken from :data:`kg.ids.PREFIX_MAP`, the one list
of prefixes. ``GBA`` is a closed namespace: a term the ontology (``ontology/gba.ttl``)
does not define raises ``AttributeError`` at once (``tests/test_ontology.py`` checks
the two agree).
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from gbkg.kg.ids import PREFIX_MAP

BASE = "https://w3id.org/gbkg/"
CLAIM = Namespace(PREFIX_MAP["claim"])
SOURCE = Namespace(PREFIX_MAP["source"])
CURATOR = Namespace(PREFIX_MAP["curator"])
ENTITY = Namespace(PREFIX_MAP["gbkg"])
GRAPH = Namespace(BASE + "graph/")
OBO = Namespace(PREFIX_MAP["obo"])
NP = Namespace(PREFIX_MAP["np"])
OA = Namespace(PREFIX_MAP["oa"])
BIOLINK = Namespace(PREFIX_MAP["biolink"])

ONTOLOGY_GRAPH = URIRef(BASE + "graph/ontology")
ENTITIES_GRAPH = URIRef(BASE + "graph/entities")
#: Sources and curators are referenced by many claims; each is described once, here.
SOURCES_GRAPH = URIRef(BASE + "graph/sources")
CURATORS_GRAPH = URIRef(BASE + "graph/curators")
#: A retraction is a record of its own, in a named graph of its own: ``RETRACTION[hash]``
#: (the hash of the retracted claim's IRI: a claim is retracted once).
RETRACTION = Namespace(BASE + "retraction/")


class GBA(DefinedNamespace):
    """The gut-brain-kg ontology, ``https://w3id.org/gbkg/ontology#``."""

    _NS = Namespace(PREFIX_MAP["gba"])
    _fail = True

    # classes: claims and their parts
    Claim: URIRef
    Finding: URIRef
    Statistics: URIRef
    Quantity: URIRef
    Context: URIRef
    Evidence: URIRef
    StudyDesign: URIRef
    EffectMeasure: URIRef
    Status: URIRef
    Retraction: URIRef
    Relation: URIRef
    PopulationShare: URIRef
    Outcome: URIRef
    Arm: URIRef
    NumericRelation: URIRef
    AnalysisModel: URIRef
    ArmRole: URIRef
    BenefitDirection: URIRef
    # classes: sources
    Source: URIRef
    NewsArticle: URIRef
    JournalArticle: URIRef
    MetaAnalysis: URIRef
    SystematicReview: URIRef
    RandomizedControlledTrial: URIRef
    Organization: URIRef
    WebPage: URIRef
    Report: URIRef
    # classes: entities
    Entity: URIRef
    MicrobialTaxon: URIRef
    MicrobialCommunity: URIRef
    Probiotic: URIRef
    Prebiotic: URIRef
    Food: URIRef
    FermentedFood: URIRef
    PrebioticFood: URIRef
    ChemicalEntity: URIRef
    Neurotransmitter: URIRef
    Antidepressant: URIRef
    SSRI: URIRef
    InflammatoryMarker: URIRef
    Condition: URIRef
    AnatomicalStructure: URIRef
    BiologicalProcess: URIRef
    CommunicationChannel: URIRef
    CommunicationSystem: URIRef
    Population: URIRef
    Treatment: URIRef
    BodyOfEvidence: URIRef
    Attribute: URIRef

    # individuals
    EffectFinding: URIRef
    NullFinding: URIRef
    AssertionFinding: URIRef
    UndeterminedFinding: URIRef
    EqualTo: URIRef
    LessThan: URIRef
    LessThanOrEqualTo: URIRef
    GreaterThan: URIRef
    GreaterThanOrEqualTo: URIRef
    Approximately: URIRef
    FixedEffectModel: URIRef
    RandomEffectsModel: URIRef
    InterventionArm: URIRef
    ControlArm: URIRef
    CasesArm: URIRef
    ControlsArm: URIRef
    LowerIsBetter: URIRef
    HigherIsBetter: URIRef
    Active: URIRef
    Retracted: URIRef
    Superseded: URIRef
    MetaAnalysisDesign: URIRef
    SystematicReviewDesign: URIRef
    RCTDesign: URIRef
    CohortDesign: URIRef
    CaseControlDesign: URIRef
    CrossSectionalDesign: URIRef
    AnimalStudyDesign: URIRef
    InVitroDesign: URIRef
    ReviewDesign: URIRef
    ExpertOpinionDesign: URIRef
    StandardizedMeanDifference: URIRef
    MeanDifference: URIRef
    OddsRatio: URIRef
    RiskRatio: URIRef
    HazardRatio: URIRef
    CorrelationCoefficient: URIRef

    # relations (gba:Relation), the predicates a claim may use
    associatedWith: URIRef
    positivelyAssociatedWith: URIRef
    negativelyAssociatedWith: URIRef
    affects: URIRef
    increases: URIRef
    decreases: URIRef
    improves: URIRef
    worsens: URIRef
    promotesGrowthOf: URIRef
    inhibitsGrowthOf: URIRef
    contributesTo: URIRef
    produces: URIRef
    communicatesWith: URIRef
    communicatesVia: URIRef
    mediates: URIRef
    contains: URIRef
    partOf: URIRef
    hasPart: URIRef
    hasAttribute: URIRef
    hasPrevalence: URIRef
    studiedFor: URIRef
    effectDependsOn: URIRef

    # properties
    finding: URIRef
    statement: URIRef
    hedged: URIRef
    statistics: URIRef
    quantity: URIRef
    context: URIRef
    evidence: URIRef
    primarySource: URIRef
    quote: URIRef
    effectMeasure: URIRef
    effectSize: URIRef
    ciLow: URIRef
    ciHigh: URIRef
    ciLevel: URIRef
    pValue: URIRef
    iSquared: URIRef
    noEffectValue: URIRef
    value: URIRef
    unit: URIRef
    quantityOf: URIRef
    population: URIRef
    coIntervention: URIRef
    condition: URIRef
    strain: URIRef
    dose: URIRef
    studyDesign: URIRef
    nStudies: URIRef
    nParticipants: URIRef
    duration: URIRef
    doi: URIRef
    url: URIRef
    journal: URIRef
    country: URIRef
    year: URIRef
    reports: URIRef
    comparator: URIRef
    outcome: URIRef
    subgroupOf: URIRef
    supersedes: URIRef
    measure: URIRef
    instrument: URIRef
    specimen: URIRef
    benefitDirection: URIRef
    species: URIRef
    sex: URIRef
    age: URIRef
    pRelation: URIRef
    analysisModel: URIRef
    tauSquared: URIRef
    low: URIRef
    high: URIRef
    relation: URIRef
    arm: URIRef
    armSize: URIRef
    armRole: URIRef
    status: URIRef
    retraction: URIRef
    reason: URIRef
    retracts: URIRef
    supersededBy: URIRef
    titleSuppliedByCurator: URIRef
    fullText: URIRef
    studiesScreened: URIRef
    studiesReviewed: URIRef
    studiesMetaAnalysed: URIRef
    studyParticipants: URIRef
    durationMin: URIRef
    durationMax: URIRef
    durationMean: URIRef
    durationMeanRelation: URIRef
    durationUnit: URIRef
    studyIntervention: URIRef
    studyOutcome: URIRef
    studyArm: URIRef
    populationShare: URIRef
    percent: URIRef
    percentRelation: URIRef
    opposite: URIRef
