"""Finding and hedging of one clause: effect, null, undetermined or assertion, and why.

The order of the rules is the order of their strength:

1. a reported test decides: p < 0.05 (or a bound at or below it), or an interval
   that excludes the no-effect value, is an ``effect``; p ≥ 0.05 or an interval
   through no effect is ``null``;
2. a null cue ("no significant", "did not reduce", "neither … nor … decreased");
3. an undetermined cue ("could not determine", "remains unclear");
4. an effect cue ("significantly");
5. a result reported in the past tense ("found that", "improved", "were linked to");
6. otherwise an ``assertion``.

When cues disagree with the statistics, the statistics decide and the disagreement is
reported. A negation that is not a null result ("not a replacement", "do not stop") is
reported as such: it never makes a claim ``null``.

Hedging: a hedge cue in the claim's clause, or a complement-taking hedge ("suggest
that", "likely that") earlier in the sentence, makes the claim hedged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gbkg.kg.suggest import cues
from gbkg.kg.suggest.cues import CueHit
from gbkg.kg.suggest.statistics import Result

EFFECT = "effect"
NULL = "null"
ASSERTION = "assertion"
UNDETERMINED = "undetermined"


@dataclass
class Decision:
    """A value and the cue that decided it (``cue`` is None for a default)."""

    value: str | bool
    cue: str | None = None
    text: str | None = None
    start: int | None = None
    end: int | None = None
    why: str = ""

    @classmethod
    def of(cls, value: str | bool, hit: CueHit, why: str | None = None) -> Decision:
        return cls(value, hit.cue.name, hit.text, hit.start, hit.end, why or hit.cue.why)


@dataclass
class Judgement:
    finding: Decision
    hedge: Decision
    negation: Decision | None = None
    conflicts: list[str] = field(default_factory=list)
    #: how sure the cue is: a test or an explicit cue is surer than the past tense
    strength: float = 1.0


def judge(
    clause: str, offset: int, sentence: str, sentence_start: int, result: Result | None
) -> Judgement:
    """The finding and hedge of a claim read from ``clause`` (at ``offset``) of ``sentence``."""
    nulls = cues.find(cues.NULLS, clause, offset)
    undetermined = cues.find(cues.UNDETERMINED, clause, offset)
    effects = [h for h in cues.find(cues.EFFECTS, clause, offset) if not _inside(h, nulls)]
    reported = cues.find(cues.REPORTED, clause, offset)
    finding: Decision | None = None
    strength = 1.0
    conflicts: list[str] = []
    tested = result.significant() if result is not None else None
    if result is not None and tested is not None:
        finding = _from_statistics(result, tested)
        against = nulls if tested else effects
        if against:
            conflicts.append(
                f"the words ({against[0].text!r}) and the statistics disagree; "
                "the statistics decide: check the finding"
            )
    elif nulls:
        finding = Decision.of(NULL, nulls[0])
    elif undetermined:
        finding = Decision.of(UNDETERMINED, undetermined[0])
    elif effects:
        finding = Decision.of(EFFECT, effects[0])
    elif reported:
        finding = Decision.of(EFFECT, reported[0])
        strength = 0.7
    if finding is None:
        finding = Decision(ASSERTION, why="no test, no result cue: stated without a test")
        strength = 0.8
    negation = None
    if finding.value != NULL:
        hits = cues.find(cues.NEGATIONS, clause, offset)
        if hits:
            negation = Decision.of(True, hits[0])
    return Judgement(
        finding, hedge(clause, offset, sentence, sentence_start), negation, conflicts, strength
    )


def _from_statistics(result: Result, significant: bool) -> Decision:
    value = EFFECT if significant else NULL
    if result.p is not None:
        p = result.p
        where = "at or below" if significant else "at or above"
        why = f"p {result.p_relation} {p.text}: {where} 0.05"
        return Decision(value, "p-value", p.text, p.start, p.end, why)
    assert result.ci_low is not None and result.ci_high is not None
    low, high = result.ci_low, result.ci_high
    how = "excludes" if significant else "includes"
    why = f"the interval {low.text} to {high.text} {how} the no-effect value {result.no_effect():g}"
    return Decision(value, "confidence interval", None, low.start, high.end, why)


def _inside(hit: CueHit, others: list[CueHit]) -> bool:
    return any(o.start <= hit.start and hit.end <= o.end for o in others)


_COMPLEMENT = re.compile(r"\s+that\b", re.I)


def hedge(clause: str, offset: int, sentence: str, sentence_start: int) -> Decision:
    """The first hedge cue of the clause, or a "suggest that" before it in the sentence."""
    hits = cues.find(cues.HEDGES, clause, offset)
    if hits:
        return Decision.of(True, hits[0])
    before = sentence[: offset - sentence_start]
    for hit in cues.find(cues.HEDGES, before, sentence_start):
        rest = sentence[hit.end - sentence_start :]
        if _COMPLEMENT.match(rest):
            return Decision.of(True, hit, f"{hit.cue.why}, governing the clause that follows")
    return Decision(False, why="no hedge cue")


def purposes(sentence: str, start: int) -> list[tuple[int, int]]:
    """Spans that state an aim ("To investigate the link between X and Y, ..."): from
    the cue to the next comma."""
    spans = []
    for hit in cues.find(cues.PURPOSES, sentence, start):
        rest = sentence[hit.end - start :]
        comma = rest.find(",")
        end = hit.end + (comma if comma >= 0 else len(rest))
        spans.append((hit.start, end))
    return spans
