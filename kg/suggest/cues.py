"""The documented cue lists: hedges, findings, negation, study designs, qualifiers.

Every decision the assistant makes about a sentence is taken by one of these cues,
and the cue is reported to the curator (``reasons``). The lists are data: a cue is a
name, a regular expression and what it decides. They were written from the
literature and from general patterns of scientific prose, not from one text
(``docs/suggest.md`` says which gold texts were held out while they were written).

Hedges follow the speculation cues annotated in BioScope (Vincze et al. 2008, BMC
Bioinformatics 9:S9) and the CoNLL-2010 shared task on hedge detection (Farkas et
al. 2010): modal auxiliaries (may, might, could), epistemic verbs (suggest,
indicate, appear, seem), adjectives and adverbs (possible, likely, potential,
putative), and multi-word cues (thought to, believed to, whether). Two of their
cues are left out because in this domain they mostly state ability or condition,
not uncertainty: ``can`` and ``would``. ``could not`` / ``couldn't`` is not a hedge
but an undetermined finding.

Findings follow the claim record's definitions (``DESIGN.md``): ``null`` is a test
that found no significant effect, which differs from a negated statement ("not a
cure", "not a substitute"): the latter is kept apart as a negation and explained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from gbkg.kg.model import StudyDesign

APOS = "['’]"
NEG = rf"(?:n{APOS}t|\s+not)"


class CueKind(StrEnum):
    HEDGE = "hedge"
    NULL = "null"
    EFFECT = "effect"
    REPORTED = "reported-result"
    UNDETERMINED = "undetermined"
    NEGATION = "negation"
    PURPOSE = "purpose"


@dataclass(frozen=True)
class Cue:
    """A named pattern; ``why`` is what it means, in a curator's words."""

    name: str
    kind: CueKind
    pattern: re.Pattern[str]
    why: str


@dataclass(frozen=True)
class CueHit:
    cue: Cue
    start: int
    end: int
    text: str


def _cue(kind: CueKind, name: str, pattern: str, why: str, *, flags: int = re.I) -> Cue:
    return Cue(name, kind, re.compile(pattern, flags), why)


def find(cues: tuple[Cue, ...], text: str, offset: int = 0) -> list[CueHit]:
    """Every match of ``cues`` in ``text``; offsets shifted by ``offset``."""
    hits = [
        CueHit(cue, m.start() + offset, m.end() + offset, m.group(0))
        for cue in cues
        for m in cue.pattern.finditer(text)
    ]
    return sorted(hits, key=lambda h: (h.start, -h.end))


H = CueKind.HEDGE
HEDGES: tuple[Cue, ...] = (
    # "May" followed by a day or a year is the month, and "could not" is no hedge.
    _cue(H, "may", r"\bmay\b(?!\s+\d)", "modal of possibility"),
    _cue(H, "might", r"\bmight\b", "modal of possibility"),
    _cue(H, "could", rf"\bcould\b(?!{NEG}|n{APOS}t)", "modal of possibility"),
    _cue(H, "possible", r"\bpossib(?:le|ly|ility|ilities)\b", "epistemic adjective or adverb"),
    _cue(H, "potential", r"\bpotential(?:ly)?\b", "epistemic adjective or adverb"),
    _cue(H, "perhaps", r"\bperhaps\b", "epistemic adverb"),
    _cue(H, "probably", r"\bprobabl[ey]\b", "epistemic adjective or adverb"),
    _cue(H, "likely", r"\b(?:un)?likely\b", "epistemic adjective"),
    _cue(H, "suggest", r"\bsuggest(?:s|ed|ing|ion|ions|ive)?\b", "epistemic verb"),
    _cue(H, "indicate", r"\bindicat(?:e|es|ed|ing)\b", "epistemic verb"),
    _cue(H, "appear", r"\bappear(?:s|ed)?\s+to\b", "epistemic verb"),
    _cue(H, "seem", r"\bseem(?:s|ed|ingly)?\b", "epistemic verb"),
    _cue(H, "putative", r"\bputative(?:ly)?\b", "epistemic adjective"),
    _cue(H, "presumably", r"\bpresum(?:ably|ed|e)\b", "epistemic verb or adverb"),
    _cue(H, "hypothesis", r"\bhypothe(?:sis|ses|sized|sised|size|sise|tical)\b", "speculation"),
    _cue(H, "speculate", r"\bspeculat(?:e|es|ed|ive|ion)\b", "speculation"),
    _cue(
        H, "thought to", r"\b(?:thought|believed|considered|proposed)\s+to\b", "attributed belief"
    ),
    _cue(H, "whether", r"\bwhether\b", "open question"),
    _cue(
        H, "cannot be excluded", r"\bcannot\s+be\s+(?:excluded|ruled\s+out)\b", "open possibility"
    ),
)

SIGNIFICANT = r"(?:statistically\s+)?significan(?:t|tly|ce)"
RESULT_VERBS = (
    r"(?:find|show|reduce|improve|change|differ|affect|alter|impact|decrease|increase|"
    r"lower|raise|reach|demonstrate|produce|yield|alleviate|lessen|modify|influence)"
)
N = CueKind.NULL
NULLS: tuple[Cue, ...] = (
    _cue(N, "no significant", rf"\bno\s+{SIGNIFICANT}", "the test found no significant effect"),
    _cue(
        N,
        "not significant",
        rf"\bnot\s+(?:\w+\s+)?{SIGNIFICANT}|\b(?:non-?|in)significant(?:ly)?\b",
        "the result is not statistically significant",
    ),
    _cue(
        N,
        "did not",
        rf"\b(?:did|do|does|was|were|had|has|have){NEG}\s+(?:\w+ly\s+)?(?:{SIGNIFICANT}\s+)?"
        rf"{RESULT_VERBS}\w*",
        "a tested change that did not happen",
    ),
    _cue(N, "failed to", rf"\bfail(?:ed|s)?\s+to\s+{RESULT_VERBS}\w*", "a test that failed"),
    _cue(
        N,
        "neither … nor",
        r"\bneither\b[^.;]{0,120}?\bnor\b[^.;]{0,120}?\b(?:de|in)creas\w*|"
        r"\bneither\b[^.;]{0,120}?\bnor\b[^.;]{0,120}?"
        r"\b(?:chang|differ|improv|reduc|affect|alter|impact|lower|rais)\w*",
        "neither of the outcomes changed",
    ),
    _cue(
        N,
        "no difference",
        r"\bno\s+(?:\w+\s+){0,2}?(?:difference|effect|change|association|improvement|benefit|"
        r"reduction|increase|decrease|correlation)s?\b",
        "the test found no difference",
    ),
    _cue(
        N,
        "no evidence",
        r"\bno\s+(?:clear\s+|convincing\s+)?evidence\s+(?:of|that|for)\b",
        "no evidence was found",
    ),
    _cue(
        N,
        "not associated",
        r"\b(?:was|were|is|are)\s+not\s+(?:\w+\s+)?(?:associated|linked|"
        r"correlated|related)\b",
        "no association was found",
    ),
)

E = CueKind.EFFECT
EFFECTS: tuple[Cue, ...] = (
    _cue(E, "significantly", rf"\b{SIGNIFICANT}\b", "a statistically significant result"),
)

R = CueKind.REPORTED
#: Results are reported in the simple past ("seven studies found that ... improved");
#: background in the present and present perfect ("has been linked to").
REPORTED: tuple[Cue, ...] = (
    _cue(
        R,
        "found that",
        r"\b(?:found|showed|demonstrated|revealed|observed|confirmed)\b",
        "a study's result, reported in the past tense",
    ),
    _cue(
        R,
        "past-tense change",
        r"\b(?:improved|reduced|decreased|increased|lowered|alleviated|raised|worsened|"
        r"ameliorated|attenuated|(?:was|were)\s+(?:\w+ly\s+)?(?:associated|linked|correlated))\b",
        "a change or association reported in the past tense",
    ),
    _cue(
        R,
        "past-tense comparison",
        r"\b(?:was|were)\s+(?:\w+ly\s+)?(?:strongest|stronger|greatest|greater|larger|largest|"
        r"higher|lower|more\s+pronounced)\b",
        "a comparison of results, in the past tense",
    ),
)

U = CueKind.UNDETERMINED
UNDETERMINED: tuple[Cue, ...] = (
    _cue(
        U,
        "could not determine",
        rf"\b(?:could|can|did|were|was){NEG}\s+(?:\w+ly\s+)?(?:be\s+)?(?:determine|identif|"
        r"establish|conclude|tell|assess|resolve)\w*",
        "the question was examined and left open",
    ),
    _cue(
        U,
        "unable to determine",
        r"\b(?:unable|impossible)\s+to\s+(?:determine|identify|establish|conclude|tell)\b",
        "the question was examined and left open",
    ),
    _cue(
        U,
        "remains unclear",
        r"\b(?:remains?|remained|is|are|was|were)\s+(?:still\s+)?(?:unclear|unknown|uncertain|"
        r"inconclusive|undetermined)\b|\binsufficient\s+evidence\b",
        "the question is left open",
    ),
)

G = CueKind.NEGATION
#: Negations that are not null results: what a thing is not, instructions, "not all".
NEGATIONS: tuple[Cue, ...] = (
    _cue(
        G,
        "not a …",
        r"\bnot\s+(?:a|an|the)\s+(?!\w*\s*significan)\w+",
        "says what something is not (a negated description, not a test that found nothing)",
    ),
    _cue(G, "not all", r"\bnot\s+all\b", "a partial negation, not a test result"),
    _cue(
        G,
        "do not (instruction)",
        rf"(?:^|[.:;!]\s+)(?:do|don{APOS}t)(?:\s+not)?\s+\w+",
        "an instruction, not a finding",
    ),
    _cue(
        G,
        "negated advice",
        rf"\bdon{APOS}t\s+(?:stop|expect|take|use|start|replace)\b",
        "an instruction, not a finding",
    ),
)

P = CueKind.PURPOSE
#: A study's aim is not its result: relations inside these clauses are not claims.
PURPOSES: tuple[Cue, ...] = (
    _cue(
        P,
        "aim",
        r"\b(?:to\s+(?:better\s+)?(?:investigate|examine|understand|assess|evaluate|"
        r"determine|explore|test|compare)|aim(?:s|ed)?\s+to|objective\s+(?:was|is)\s+to|"
        r"sought\s+to|purpose\s+of)\b",
        "a study's aim, not its result",
    ),
)


@dataclass(frozen=True)
class DesignCue:
    design: StudyDesign
    pattern: re.Pattern[str]


#: Study designs by their names; the most specific design named in a sentence wins
#: (a "systematic review and meta-analysis" pooled its results: meta-analysis).
DESIGNS: tuple[DesignCue, ...] = tuple(
    DesignCue(design, re.compile(pattern, re.I))
    for design, pattern in (
        (StudyDesign.META_ANALYSIS, r"\bmeta-?\s?analy(?:sis|ses|sed|tic)\b|\bpooled\s+analys"),
        (
            StudyDesign.RCT,
            r"\brandomi[sz]ed(?:,?\s+(?:double|triple|single)-blind(?:ed)?)?,?\s+"
            r"(?:placebo-)?controlled\s+(?:clinical\s+)?trials?\b|\bRCTs?\b|\bclinical\s+trials?\b",
        ),
        (
            StudyDesign.SYSTEMATIC_REVIEW,
            r"\bsystematic(?:ally)?\s+review(?:s|ed)?\b|"
            r"\bstudies\s+reviewed\b|\breviewed\s+studies\b|\b\d+\s+studies\s+reviewed\b",
        ),
        (StudyDesign.COHORT, r"\b(?:prospective|retrospective|longitudinal)?\s*cohorts?\b"),
        (StudyDesign.CASE_CONTROL, r"\bcase-?\s?control\b"),
        (StudyDesign.CROSS_SECTIONAL, r"\bcross-?\s?sectional\b"),
        (
            StudyDesign.ANIMAL,
            r"\b(?:mice|mouse|murine|rats?|rodents?|animal\s+models?|"
            r"in\s+vivo)\b",
        ),
        (StudyDesign.IN_VITRO, r"\bin\s+vitro\b|\bcell\s+cultures?\b"),
        (StudyDesign.REVIEW, r"\b(?:narrative|literature)\s+review\b"),
    )
)

#: When several designs are named, the first of this order is the claim's.
DESIGN_ORDER = (
    StudyDesign.META_ANALYSIS,
    StudyDesign.SYSTEMATIC_REVIEW,
    StudyDesign.RCT,
    StudyDesign.COHORT,
    StudyDesign.CASE_CONTROL,
    StudyDesign.CROSS_SECTIONAL,
    StudyDesign.ANIMAL,
    StudyDesign.IN_VITRO,
    StudyDesign.REVIEW,
)


def designs(text: str) -> list[tuple[StudyDesign, int, int]]:
    """The study designs ``text`` names, with their spans."""
    found = []
    for cue in DESIGNS:
        for m in cue.pattern.finditer(text):
            if m.group(0).strip():
                found.append((cue.design, m.start(), m.end()))
    return sorted(found, key=lambda d: d[1])


#: Words that refer to the study being reported (its design is the text's design).
STUDY_REFERENCE = re.compile(
    r"\b(?:the|this|our|their)\s+(?:researchers|authors|study|studies|review|trial|trials|"
    r"meta-analysis|analysis|findings)\b|\bstudies\s+reviewed\b|\bwe\b",
    re.I,
)

#: Words that refer to the studies a review looked at ("most studies", "the included
#: trials", "participants"): an untested statement about them is the review's.
STUDIES_REFERENCE = re.compile(
    r"\b(?:several|most|some|many|all|few|the|these|included|reviewed)\s+(?:of\s+the\s+)?"
    r"(?:studies|trials)\b|\bparticipants\b",
    re.I,
)
