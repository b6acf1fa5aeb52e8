"""Consensus and certainty over evidence lines, with the reasons a person can read.

Consensus (over counted lines: supports, no-effect, disputes; undetermined lines and
assertions are never counted)

1. ``insufficient`` — no counted line;
2. each line's results (its overall result and its subgroups) are compared with the
   results of every line. Two results *disagree* when their directions differ; a study's
   overall result is never compared with its own subgroups. A disagreement is
   *separated* when a recorded qualifier tells them apart: both state it, and their
   values (normalized) share nothing. An unqualified result meets every stratum, so it
   is never separated. Within one study, only results split along the same qualifiers
   are compared (under 60 with over 65, not with "patients with MDD");
3. no disagreement — ``supported`` (the lines support) or ``no-effect``;
4. every disagreement separated — ``context-dependent`` (the qualifiers are named);
5. otherwise — ``contested``.

Certainty (in the spirit of GRADE; over the lines behind the consensus: the supporting
lines for ``supported``, the null ones for ``no-effect``, all counted lines otherwise)

- start from the best design: meta-analysis, systematic review, RCT → high;
  cohort, case-control, cross-sectional, animal, in-vitro → low; review, expert opinion,
  unknown → very low;
- inconsistency: ``contested`` → down one level, two when lines of the same design
  disagree;
- imprecision: every recorded CI of a supporting line crosses no effect, or fewer than
  400 participants in all → down one;
- indirectness: every line known only through another source (a news report), or every
  line from animal or in-vitro studies → down one each;
- every line hedged → down one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from itertools import combinations

from gbkg.kg.evidence.context import Context
from gbkg.kg.evidence.lines import Line, Result
from gbkg.kg.evidence.proposition import COUNTED, Direction
from gbkg.kg.model import StudyDesign


class Consensus(StrEnum):
    SUPPORTED = "supported"
    NO_EFFECT = "no-effect"
    CONTESTED = "contested"
    CONTEXT_DEPENDENT = "context-dependent"
    INSUFFICIENT = "insufficient"


class Certainty(StrEnum):
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    VERY_LOW = "very low"


LEVELS = (Certainty.VERY_LOW, Certainty.LOW, Certainty.MODERATE, Certainty.HIGH)
START = {
    StudyDesign.META_ANALYSIS: 3, StudyDesign.SYSTEMATIC_REVIEW: 3, StudyDesign.RCT: 3,
    StudyDesign.COHORT: 1, StudyDesign.CASE_CONTROL: 1, StudyDesign.CROSS_SECTIONAL: 1,
    StudyDesign.ANIMAL: 1, StudyDesign.IN_VITRO: 1,
    StudyDesign.REVIEW: 0, StudyDesign.EXPERT_OPINION: 0,
}  # fmt: skip
OPTIMAL_INFORMATION_SIZE = 400
RULE = (
    "Evidence is counted in lines: one per proposition and independent study (the study "
    "a claim reports, else its source), whatever number of sentences report it. "
    "insufficient: no line with a tested result; supported / no-effect: every result of "
    "every line agrees; context-dependent: results disagree, and each disagreement is "
    "separated by a recorded qualifier (both state it, with different values, compared "
    "normalized; an unqualified result is compared with every stratum; a study's overall "
    "result is not weighed against its own subgroups); contested: some disagreement "
    "is not separated. Certainty (GRADE-like): start high for meta-analyses, systematic "
    "reviews and RCTs, low for observational and animal studies, very low for expert "
    "opinion; one level down each for inconsistency (two when equal designs disagree), "
    "imprecision (CI crossing no effect, or under 400 participants), indirectness (known "
    "only through a report such as a news article; animal or in-vitro), and hedged support."
)


@dataclass
class Stratum:
    """Results of all lines sharing one context."""

    context: Context
    directions: set[Direction] = field(default_factory=set)
    lines: list[str] = field(default_factory=list)
    subgroup: bool = False

    @property
    def direction(self) -> str:
        return next(iter(self.directions)).value if len(self.directions) == 1 else "mixed"


@dataclass
class Verdict:
    consensus: Consensus
    certainty: Certainty | None
    reasons: list[str]
    strata: list[Stratum]
    separated_by: tuple[str, ...] = ()


#: Plurals that are not the word and an "s" (study designs among them).
_PLURALS = {
    "meta-analysis": "meta-analyses",
    "rct": "RCTs",
    "case-control": "case-control studies",
    "cross-sectional": "cross-sectional studies",
    "in-vitro": "in-vitro studies",
    "animal": "animal studies",
    "study of unrecorded design": "studies of unrecorded design",
}


def _plural(n: int, word: str) -> str:
    """``2 meta-analyses``, ``1 line``.

    >>> _plural(2, "meta-analysis"), _plural(1, "meta-analysis"), _plural(3, "line")
    ('2 meta-analyses', '1 meta-analysis', '3 lines')
    """
    return f"{n} {word}" if n == 1 else f"{n} {_PLURALS.get(word, word + 's')}"


def _design_name(design: StudyDesign | None) -> str:
    return design.value if design else "study of unrecorded design"


def describe_lines(lines: list[Line]) -> str:
    """``1 meta-analysis and 2 RCTs``."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[_design_name(line.design)] = counts.get(_design_name(line.design), 0) + 1
    parts = [_plural(n, name) for name, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    return " and ".join(parts) if parts else "no study"


def _disagreements(lines: list[Line]) -> list[tuple[Line, Result, Line, Result]]:
    results = [
        (line, result) for line in lines for result in line.results if result.direction in COUNTED
    ]
    found = []
    for (la, ra), (lb, rb) in combinations(results, 2):
        if ra.direction is rb.direction:
            continue
        if la is lb and set(ra.context.mapping) != set(rb.context.mapping):
            # A study's overall result and its subgroups, or subgroups split along
            # different qualifiers (age, condition): they overlap, and are not weighed
            # against each other.
            continue
        found.append((la, ra, lb, rb))
    return found


def _strata(lines: list[Line]) -> list[Stratum]:
    strata: dict[Context, Stratum] = {}
    for line in lines:
        for result in line.results:
            if result.direction not in COUNTED:
                continue
            s = strata.setdefault(result.context, Stratum(result.context))
            s.directions.add(result.direction)
            if line.iri not in s.lines:
                s.lines.append(line.iri)
            s.subgroup = s.subgroup or result.subgroup
    return sorted(strata.values(), key=lambda s: (bool(s.context), s.context.describe()))


def weigh_lines(lines: list[Line], assertions: int = 0) -> Verdict:
    """Consensus, certainty and reasons for ``lines`` (already oriented: supports first)."""
    counted = [ln for ln in lines if ln.counted]
    undetermined = [ln for ln in lines if ln.direction is Direction.UNDETERMINED]
    reasons: list[str] = []
    if not counted:
        if undetermined:
            reasons.append(
                f"{_plural(len(undetermined), 'line')} left the question open (undetermined): "
                "never counted for or against"
            )
        if assertions:
            reasons.append(
                f"only {_plural(assertions, 'assertion')} (stated without a test): listed, "
                "not counted"
            )
        reasons.append("no evidence line with a tested result")
        return Verdict(Consensus.INSUFFICIENT, None, reasons, [])
    by_direction = {d: [ln for ln in counted if ln.direction is d] for d in COUNTED}
    summary = "; ".join(
        f"{len(ls)} {d.value}: {describe_lines(ls)}" for d, ls in by_direction.items() if ls
    )
    reasons.append(f"{_plural(len(counted), 'independent line')} ({summary})")
    disagreements = _disagreements(counted)
    unseparated = [d for d in disagreements if not d[1].context.separated_from(d[3].context)]
    separated_by = tuple(
        sorted({f for d in disagreements for f in d[1].context.separated_from(d[3].context)})
    )
    strata = _strata(counted)
    if not disagreements:
        direction = counted[0].direction
        consensus = Consensus.NO_EFFECT if direction is Direction.NO_EFFECT else Consensus.SUPPORTED
        reasons.append("every line agrees" if len(counted) > 1 else "a single line")
        scope = counted
    elif not unseparated:
        consensus = Consensus.CONTEXT_DEPENDENT
        examples = sorted(
            {
                f"{d[1].context.describe()} → {d[1].direction.value}; "
                f"{d[3].context.describe()} → {d[3].direction.value}"
                for d in disagreements
            }
        )
        reasons.append(
            f"results disagree, separated by {', '.join(f.replace('_', ' ') for f in separated_by)}"
            f" ({examples[0]})"
        )
        scope = counted
    else:
        consensus = Consensus.CONTESTED
        la, ra, lb, rb = unseparated[0]
        reasons.append(
            f"independent lines disagree and no recorded qualifier separates them "
            f"({la.study.label}: {ra.direction.value} [{ra.context.describe()}]; "
            f"{lb.study.label}: {rb.direction.value} [{rb.context.describe()}])"
        )
        scope = counted
    if undetermined:
        reasons.append(f"{_plural(len(undetermined), 'line')} left the question open: not counted")
    if assertions:
        reasons.append(f"{_plural(assertions, 'assertion')} listed, not counted")
    certainty = _certainty(consensus, scope, unseparated, reasons)
    return Verdict(consensus, certainty, reasons, strata, separated_by)


def _certainty(
    consensus: Consensus,
    scope: list[Line],
    unseparated: list[tuple[Line, Result, Line, Result]],
    reasons: list[str],
) -> Certainty:
    designs = [ln.design for ln in scope]
    level = max(START.get(d, 0) if d else 0 for d in designs)
    best = next((d for d in designs if d and START.get(d, 0) == level), None)
    reasons.append(f"starts {LEVELS[level].value}: best design {_design_name(best)}")
    if consensus is Consensus.CONTESTED:
        same_design = any(la.design == lb.design for la, _, lb, _ in unseparated)
        drop = 2 if same_design else 1
        level -= drop
        reasons.append(
            f"down {drop} for inconsistency: lines "
            + ("of the same design " if same_design else "")
            + "disagree with nothing recorded to explain it"
        )
    elif consensus is Consensus.CONTEXT_DEPENDENT:
        reasons.append("not downgraded for inconsistency: a recorded qualifier explains it")
    effects = [ln.effect for ln in scope if ln.direction is not Direction.NO_EFFECT]
    crossing = [e.crosses_no_effect for e in effects if e is not None]
    crossing = [c for c in crossing if c is not None]
    participants = [n for ln in scope if (n := ln.n_participants)]
    if crossing and all(crossing):
        level -= 1
        reasons.append("down 1 for imprecision: the confidence interval crosses no effect")
    elif participants and sum(participants) < OPTIMAL_INFORMATION_SIZE:
        level -= 1
        reasons.append(
            f"down 1 for imprecision: {sum(participants)} participants in all "
            f"(fewer than {OPTIMAL_INFORMATION_SIZE})"
        )
    else:
        if not any(ln.effect and ln.effect.crosses_no_effect is not None for ln in scope):
            reasons.append("no confidence interval recorded: precision judged on size only")
        if not participants:
            reasons.append("number of participants not recorded")
    if all(ln.reported_through for ln in scope):
        level -= 1
        through = sorted({t for ln in scope for t in ln.reported_through})
        reasons.append("down 1 for indirectness: known only through " + "; ".join(through))
    if all(ln.design in (StudyDesign.ANIMAL, StudyDesign.IN_VITRO) for ln in scope):
        level -= 1
        reasons.append("down 1 for indirectness: animal or in-vitro studies only")
    if all(ln.hedged for ln in scope):
        level -= 1
        reasons.append("down 1: every line is hedged")
    if all(not ln.exact for ln in scope):
        reasons.append("every line reached through the hierarchy (narrower entities)")
    return LEVELS[max(level, 0)]
