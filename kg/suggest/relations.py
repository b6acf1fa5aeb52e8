"""Relation cues: the words that name a relation of the ontology, with its direction.

Each cue maps a verb, noun or phrase to one relation of ``ontology/gba.ttl``
(``tests/suggest`` checks that every predicate here is in the ontology). When several
cues name the same pair, the more specific one wins (``rank``): "associated with
improvements in" is *improves*, not *associated with*.

Direction is read from the words: active voice puts the subject first ("probiotics
reduce IL-6"); a passive or an agent after *with*/*by*/*after* reverses it ("IL-6
decreased with probiotic supplementation", "serotonin is produced in the gut").
Some relations are refined by the entities' types once the arguments are known
(:func:`refine`): a decrease of a condition is an improvement, a condition that
"affects" a population has a prevalence in it, and a copula links a thing to an
attribute only when the object is a ``gba:Attribute``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gbkg.kg.namespaces import GBA

#: Change verbs: their direction may be reversed by an agent after with/by/after.
CHANGE = "change"
#: A copula cue: it names a relation only for objects of the given type.
COPULA = "copula"
#: A noun phrase ("the effects of X on Y"): a claim only when no verb cue follows.
NOMINAL = "nominal"


@dataclass(frozen=True)
class RelationCue:
    name: str
    predicate: str  #: a CURIE of the relation vocabulary
    pattern: re.Pattern[str]
    rank: int  #: specificity: the highest-ranked cue of a pair wins
    kind: str = ""  #: ``change``, ``copula``, ``nominal`` or empty
    reverse: bool = False  #: the pattern itself puts the object first ("found in")


@dataclass(frozen=True)
class RelationHit:
    cue: RelationCue
    start: int
    end: int
    text: str


def _r(
    name: str, predicate: str, pattern: str, rank: int, kind: str = "", *, reverse: bool = False
) -> RelationCue:
    return RelationCue(name, predicate, re.compile(pattern, re.I), rank, kind, reverse)


RELATION_CUES: tuple[RelationCue, ...] = (
    _r(
        "improve",
        "gba:improves",
        r"\bimprov(?:e|es|ed|ing|ement|ements)\b|\bameliorat\w+|\balleviat\w+|\brelie(?:f|ve|ves|"
        r"ved)\b|\bbenefi(?:t|ts|ted|cial)\b|\bhelp(?:s|ed)?\s+(?:to\s+)?(?:manage|treat|ease)\b",
        3,
        CHANGE,
    ),
    _r("worsen", "gba:worsens", r"\bworsen\w*|\bexacerbat\w+|\baggravat\w+", 3, CHANGE),
    _r(
        "reduce",
        "gba:decreases",
        r"\bdecreas(?:e|es|ed|ing)\b|\breduc(?:e|es|ed|ing|tion|tions)\b|\blower(?:s|ed|ing)\b|"
        r"\bsuppress(?:es|ed|ing)?\b|\binhibit(?:s|ed|ing)?\b(?!\s+(?:the\s+)?growth)|"
        r"\bdiminish\w*|\battenuat\w+",
        3,
        CHANGE,
    ),
    _r(
        "increase",
        "gba:increases",
        r"\bincreas(?:e|es|ed|ing)\b|\belevat(?:e|es|ed|ing)\b|\braise[sd]?\b|\bboost(?:s|ed)?\b|"
        r"\benhanc(?:e|es|ed|ing)\b|\bupregulat\w+",
        3,
        CHANGE,
    ),
    _r(
        "affect",
        "gba:affects",
        r"\baffect(?:s|ed|ing)?\b|\binfluenc(?:e|es|ed|ing)\b|\bimpact(?:s|ed|ing)?\b|"
        r"\bmodulat(?:e|es|ed|ing)\b|\balter(?:s|ed|ing)?\b|\btarget(?:s|ed|ing)?\b|"
        r"\bhad\s+(?:an?\s+|no\s+)?(?:\w+\s+)?effects?\s+on\b|\bdifferences?\s+in\b|"
        r"\bchanges?\s+in\b",
        2,
        CHANGE,
    ),
    _r("effects of", "gba:affects", r"\beffects?\s+of\b", 1, NOMINAL),
    _r(
        "less/lower in",
        "gba:negativelyAssociatedWith",
        r"\b(?:have|has|had|show|shows|showed)\s+(?:\w+\s+)?(?:less|lower|fewer|reduced|"
        r"decreased)\b",
        4,
    ),
    _r(
        "more/higher in",
        "gba:positivelyAssociatedWith",
        r"\b(?:have|has|had|show|shows|showed)\s+(?:\w+\s+)?(?:more|higher|greater|increased|"
        r"elevated)\b",
        4,
    ),
    _r(
        "associated with",
        "gba:associatedWith",
        r"\bassociat(?:ed|ion|ions)\s+(?:with|between)\b|\blink(?:ed|s)?\s+(?:to|with)\b|"
        r"\bcorrelat(?:e|es|ed|ion|ions)\b|\brelated\s+to\b|\btied\s+to\b|"
        r"\bconnect(?:ed|ion)\s+(?:to|with|between)\b",
        1,
    ),
    _r(
        "contribute to",
        "gba:contributesTo",
        r"\bcontribut(?:e|es|ed|ing)\s+to\b|\blead(?:s)?\s+to\b|\bcaus(?:e|es|ed|ing)\b|"
        r"\bplay(?:s|ed)?\s+an?\s+(?:\w+\s+)?role\s+in\b|\brisk\s+factors?\s+for\b",
        3,
    ),
    _r(
        "produce",
        "gba:produces",
        r"\bproduc(?:e|es|ed|ing)\b|\bsynthesi[sz](?:e|es|ed)\b|\bsecret(?:e|es|ed)\b|"
        r"\bmade\s+(?:in|by)\b",
        3,
    ),
    _r(
        "communicate with",
        "gba:communicatesWith",
        r"\bcommunicat(?:e|es|ed|ing)\s+with\b|\binteract(?:s|ed)?\s+with\b|\bsignals?\s+to\b|"
        r"\bcrosstalk\s+(?:with|between)\b",
        3,
    ),
    _r(
        "communication system involving",
        "gba:communicatesVia",
        r"\bcommunication\s+(?:system|network|route|pathway|channel)s?\s+(?:involving|via|through|"
        r"that\s+involves?)\b|\bcommunicat(?:e|es|ed|ing)\s+(?:via|through)\b",
        4,
    ),
    _r(
        "mediate",
        "gba:mediates",
        r"\bmediat(?:e|es|ed|ing|ors?)\b|\b(?:pathway|mechanism)s?\s+(?:through|by)\s+which\b",
        4,
    ),
    _r("contain", "gba:contains", r"\bcontain(?:s|ed)?\b|\brich\s+in\b|\bsources?\s+of\b", 3),
    _r("found in", "gba:contains", r"\b(?:found|present)\s+in\b", 2, reverse=True),
    _r("consist of", "gba:hasPart", r"\b(?:consist(?:s|ed)?|compos(?:ed|e|es))\s+of\b", 2),
    _r("part of", "gba:partOf", r"\bpart\s+of\b", 2),
    _r(
        "studied for",
        "gba:studiedFor",
        r"\b(?:studied|investigated|tested|examined|evaluated)\s+(?:\w+\s+)?for\b",
        3,
    ),
    _r(
        "depend on",
        "gba:effectDependsOn",
        r"\bdepend(?:s|ed|ing)?\s+(?:up)?on\b|\bvar(?:y|ies|ied)\s+(?:with|by|according\s+to)\b|"
        r"\b(?:modified|moderated)\s+by\b",
        4,
    ),
    _r(
        "feed",
        "gba:promotesGrowthOf",
        r"\bfeeds?\b|\bnourish(?:es|ed)?\b|\bpromot(?:e|es|ed|ing)\s+(?:the\s+)?growth\s+of\b",
        4,
    ),
    _r(
        "inhibit growth",
        "gba:inhibitsGrowthOf",
        r"\binhibit(?:s|ed|ing)?\s+(?:the\s+)?growth\s+of\b",
        4,
    ),
    _r(
        "is (an attribute)",
        "gba:hasAttribute",
        r"\b(?:is|are|was|were|be|appears?\s+to\s+be|seems?\s+to\s+be)\b",
        1,
        COPULA,
    ),
)

#: Participles and prepositions that attach what follows to the noun before them
#: (a modifier or examples of it, not an argument of the sentence's relation).
ATTACH = re.compile(
    r"\b(?:containing|including|like|such\s+as|e\.g\.|especially|particularly|specifically|"
    r"notably|namely)\b",
    re.I,
)
#: "X include A, B and C": the members stand for X.
MEMBERS = re.compile(r"\binclud(?:e|es|ed)\b", re.I)


def hits(text: str, offset: int = 0) -> list[RelationHit]:
    """Every relation cue in ``text``; overlapping cues keep the longest (then the
    most specific)."""
    found = [
        RelationHit(cue, m.start() + offset, m.end() + offset, m.group(0))
        for cue in RELATION_CUES
        for m in cue.pattern.finditer(text)
    ]
    found.sort(key=lambda h: (-(h.end - h.start), -h.cue.rank, h.start))
    kept: list[RelationHit] = []
    for hit in found:
        if not any(hit.start < k.end and k.start < hit.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


CONDITION = str(GBA.Condition)
POPULATION = str(GBA.Population)
ATTRIBUTE = str(GBA.Attribute)

#: (predicate, subject is a condition, object is a condition) → refined predicate.
_ON_CONDITIONS = {"gba:decreases": "gba:improves", "gba:increases": "gba:worsens"}


def refine(
    predicate: str, subject_types: frozenset[str], object_types: frozenset[str]
) -> tuple[str, str | None]:
    """The relation the entity types make of a cue's relation, and why (None: unchanged)."""
    if predicate in _ON_CONDITIONS and CONDITION in object_types:
        return _ON_CONDITIONS[predicate], (
            "a lower (or higher) level of a condition's symptoms is an improvement (worsening)"
        )
    if predicate == "gba:affects" and CONDITION in subject_types and POPULATION in object_types:
        return "gba:hasPrevalence", "a condition that affects a population has a prevalence in it"
    return predicate, None
