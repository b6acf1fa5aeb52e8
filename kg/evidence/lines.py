"""Evidence lines: one per (proposition, independent study), with the claims that report it.

The study of a claim is its ``primary_source`` (the study it reports) when recorded,
else its ``source``. All claims of one study on one proposition are one line — six
sentences of a news article about one meta-analysis make **one** line, "reported
through" the article. Inside a line, claims are grouped into *results* by their
normalized context; a result whose context states everything another result of the
same study states and more (or a claim recorded as ``subgroup_of`` another) is a
*subgroup*: the study's overall result is never weighed against its own subgroups.

A study that reports another (``gba:reports``: a meta-analysis and a trial it
includes) is not independent of it: the reporting study's line is counted and the
other's is listed under it (``includes``); independence is then *recorded*. Where no
such link is recorded, the line says that independence is *assumed*.

A line's direction is that of its overall results (``supports``, ``no-effect``,
``disputes``); a line whose question was left open is ``undetermined`` and is never
counted for or against.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from gbkg.kg.evidence.context import Context
from gbkg.kg.evidence.proposition import COUNTED, Direction, Reading, line_iri
from gbkg.kg.evidence.rollup import Link
from gbkg.kg.ids import compress
from gbkg.kg.model import EffectMeasure, StudyDesign
from gbkg.kg.projection import CONTEXT_COLUMNS, ClaimRecord

#: Designs, best first: the line's design is the best its claims record.
DESIGN_ORDER = (
    StudyDesign.META_ANALYSIS, StudyDesign.SYSTEMATIC_REVIEW, StudyDesign.RCT,
    StudyDesign.COHORT, StudyDesign.CASE_CONTROL, StudyDesign.CROSS_SECTIONAL,
    StudyDesign.ANIMAL, StudyDesign.IN_VITRO, StudyDesign.REVIEW, StudyDesign.EXPERT_OPINION,
)  # fmt: skip
#: The value of each measure that means no effect.
NO_EFFECT_VALUE = {
    EffectMeasure.SMD: 0.0, EffectMeasure.MD: 0.0, EffectMeasure.R: 0.0,
    EffectMeasure.OR: 1.0, EffectMeasure.RR: 1.0, EffectMeasure.HR: 1.0,
}  # fmt: skip


def claim_context(record: ClaimRecord) -> Context:
    """The claim's context (and outcome / comparator when recorded), normalized."""
    values: dict[str, object] = {k: v for k, v in record.context.items()}
    for name in ("outcome", "comparator"):
        value = getattr(record, name, None)
        if value:
            values[name] = value
    return Context.of(values)


@dataclass(frozen=True)
class Study:
    iri: str
    label: str
    design: StudyDesign | None = None
    independence: str = "assumed"


@dataclass(frozen=True)
class Item:
    """A claim as an item of a line, with the roll-up links that reached it."""

    reading: Reading
    via: tuple[Link, ...] = ()

    @property
    def record(self) -> ClaimRecord:
        return self.reading.record

    @cached_property
    def context(self) -> Context:
        return claim_context(self.reading.record)


@dataclass
class Result:
    """The claims of one line that share a context and a direction."""

    context: Context
    direction: Direction
    items: list[Item]
    subgroup: bool = False


@dataclass(frozen=True)
class Effect:
    measure: EffectMeasure | None
    size: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_relation: str = "="
    ci_level: float | None = None

    @property
    def no_effect(self) -> float:
        return NO_EFFECT_VALUE.get(self.measure, 0.0) if self.measure else 0.0

    @property
    def crosses_no_effect(self) -> bool | None:
        """Whether the CI includes the no-effect value (``None``: no CI recorded)."""
        if self.ci_low is None or self.ci_high is None:
            return None
        return self.ci_low <= self.no_effect <= self.ci_high


@dataclass
class Line:
    iri: str
    proposition: str
    study: Study
    direction: Direction
    items: list[Item]
    results: list[Result]
    reported_through: list[str] = field(default_factory=list)
    includes: list[Line] = field(default_factory=list)

    @property
    def counted(self) -> bool:
        return self.direction in COUNTED

    @property
    def design(self) -> StudyDesign | None:
        return self.study.design

    def _most(self, field: str) -> int | None:
        """The largest count ``field`` among the line's claims (``None``: none says)."""
        return max((n for i in self.items if (n := getattr(i.record, field))), default=None)

    @property
    def n_participants(self) -> int | None:
        """The participants of the line's study: its study record's count, else the most
        its claims record."""
        return self._most("study_participants") or self._most("n_participants")

    @property
    def n_studies(self) -> int | None:
        """The studies the line's study pooled (or reviewed), from its study record, else
        the most its claims record (a trial a meta-analysis includes counts 1, not the
        meta-analysis's number)."""
        return self._most("study_count") or self._most("n_studies")

    @property
    def hedged(self) -> bool:
        return all(i.record.hedged for i in self.items)

    @property
    def exact(self) -> bool:
        return any(not i.via for i in self.items)

    @property
    def via(self) -> tuple[Link, ...]:
        seen: dict[tuple[str, str], Link] = {}
        for item in self.items:
            for link in item.via:
                seen.setdefault((link.from_, link.to), link)
        return tuple(seen.values())

    @property
    def context(self) -> Context:
        """The qualifiers every claim of the line shares."""
        contexts = [i.context for i in self.items]
        common = contexts[0]
        for other in contexts[1:]:
            common = common.common(other)
        return common

    @property
    def effect(self) -> Effect | None:
        """The effect of the line's best overall result: an estimate with a CI first."""
        overall = [i for r in self.results if not r.subgroup for i in r.items]
        candidates = [i.record for i in overall or self.items if i.record.statistics]
        if not candidates:
            return None

        def rank(r: ClaimRecord) -> tuple[int, int, str]:
            s = r.statistics
            return (-("ci_low" in s and "ci_high" in s), -("effect_size" in s), r.iri)

        best = min(candidates, key=rank)
        s = best.statistics
        return Effect(
            measure=best.effect_measure,
            size=s.get("effect_size"),
            ci_low=s.get("ci_low"),
            ci_high=s.get("ci_high"),
            p_value=s.get("p_value"),
            p_relation=str(getattr(best, "p_relation", None) or "="),
            ci_level=s.get("ci_level"),
        )


def study_of(record: ClaimRecord) -> tuple[str, str, list[str]]:
    """The study a claim reports: its IRI, a label, and the sources it is known through."""
    primary, source = record.primary_source, record.source
    if primary is not None:
        through = []
        if source is not None and source.iri != primary.iri:
            through.append(source.title or source.id)
        return primary.iri, primary.title or f"study {primary.id}", through
    if source is not None:
        return source.iri, source.title or f"source {source.id}", []
    return record.iri, f"claim {compress(record.iri)}", []


def _design(items: Iterable[Item]) -> StudyDesign | None:
    designs = {i.record.study_design for i in items} - {None}
    return next((d for d in DESIGN_ORDER if d in designs), None)


def _results(items: list[Item]) -> list[Result]:
    groups: dict[tuple[Context, Direction], list[Item]] = defaultdict(list)
    for item in items:
        groups[(item.context, item.reading.direction)].append(item)
    results = [Result(c, d, sorted(g, key=lambda i: i.record.iri)) for (c, d), g in groups.items()]
    claims_here = {i.record.iri for i in items}
    for result in results:
        parent = any(getattr(i.record, "subgroup_of", None) in claims_here for i in result.items)
        result.subgroup = parent or any(
            result.context.narrower_than(other.context) for other in results
        )
    results.sort(key=lambda r: (r.subgroup, r.context.describe(), r.direction.value))
    return results


def _direction(results: list[Result]) -> Direction:
    counted = [r for r in results if r.direction in COUNTED]
    if not counted:
        return Direction.UNDETERMINED
    roots = [r for r in counted if not r.subgroup] or counted
    votes: Counter[Direction] = Counter()
    for r in roots:
        votes[r.direction] += 1  # results, not sentences: restating never tips a line
    order = {d: n for n, d in enumerate(COUNTED)}
    return min(votes, key=lambda d: (-votes[d], order[d]))


def build_lines(
    proposition: str,
    items: Iterable[Item],
    reports: Mapping[str, frozenset[str]] | None = None,
) -> list[Line]:
    """The evidence lines of ``items`` (claims read on ``proposition``), assertions left out.

    ``reports``: study → the studies it reports (transitively). A line whose study is
    reported by another line's study goes under that line's ``includes``.
    """
    reports = reports or {}
    by_study: dict[str, list[Item]] = defaultdict(list)
    labels: dict[str, str] = {}
    through: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item.reading.direction is Direction.ASSERTION:
            continue
        study, label, via = study_of(item.record)
        by_study[study].append(item)
        labels.setdefault(study, label)
        through[study].update(via)
    studies = set(by_study)
    lines: dict[str, Line] = {}
    for study, group in by_study.items():
        linked = bool(reports.get(study, frozenset()) & studies) or any(
            study in reports.get(other, frozenset()) for other in studies
        )
        results = _results(group)
        lines[study] = Line(
            iri=line_iri(proposition, study),
            proposition=proposition,
            study=Study(study, labels[study], _design(group), "recorded" if linked else "assumed"),
            direction=_direction(results),
            items=sorted(group, key=lambda i: i.record.iri),
            results=results,
            reported_through=sorted(through[study]),
        )
    top: list[Line] = []
    for study, line in lines.items():
        parents = [o for o in studies if o != study and study in reports.get(o, frozenset())]
        if parents:
            lines[min(parents)].includes.append(line)
        else:
            top.append(line)
    order = {d: n for n, d in enumerate((*COUNTED, Direction.UNDETERMINED))}
    top.sort(key=lambda ln: (order[ln.direction], ln.study.label, ln.iri))
    for line in top:
        line.includes.sort(key=lambda ln: ln.iri)
    return top


CONTEXT_FIELDS = tuple(CONTEXT_COLUMNS)
