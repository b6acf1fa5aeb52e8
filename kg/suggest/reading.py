"""Reading one text: sentences → entities, relations, findings, statistics → extractions.

A :class:`Reading` makes two passes. The first collects what the whole text says of
its study (designs named, counts of studies and participants, its main condition and
intervention). The second reads each sentence: entities (:mod:`~kg.suggest.linking`),
relation cues and their arguments (:mod:`~kg.suggest.arguments`), results
(:mod:`~kg.suggest.statistics`), the finding and hedge of each claim's clause
(:mod:`~kg.suggest.findings`) and its qualifiers (:mod:`~kg.suggest.qualifiers`).

An argument the sentence does not name is left empty, except in three cases, each
reported as ``inferred``: a pronoun subject in a second clause ("…, while it had no
effect") is the first clause's subject; "the treatment" is the text's main
intervention; and a result whose object is unnamed continues the text's previous
result (a subgroup of it) or, for a benefit ("benefits were strongest when…"), is
about the text's main condition.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gbkg.kg.model import StudyDesign
from gbkg.kg.namespaces import GBA
from gbkg.kg.suggest import arguments, cues, findings, frames, qualifiers, relations, statistics
from gbkg.kg.suggest.candidate import Reason
from gbkg.kg.suggest.findings import Decision, Judgement
from gbkg.kg.suggest.linking import INTERVENTION_TYPES, EntityIndex, Mention
from gbkg.kg.suggest.record import Argument, argument
from gbkg.kg.suggest.relations import RelationHit
from gbkg.kg.suggest.segment import Sentence, sentences

CONDITION = str(GBA.Condition)
TREATMENT = re.compile(r"\b(?:the\s+)?(?:treatment|intervention|active)\s*(?:group|arm)?\b", re.I)
#: Designs a source type implies when the text names none.
SOURCE_DESIGNS = {
    "meta-analysis": StudyDesign.META_ANALYSIS,
    "systematic-review": StudyDesign.SYSTEMATIC_REVIEW,
    "rct": StudyDesign.RCT,
}
BENEFIT = re.compile(r"\bbenefi", re.I)
#: What makes a one-argument draft worth a curator's time.
SIGNALS = cues.NULLS + cues.UNDETERMINED + cues.EFFECTS + cues.REPORTED
CONTINUABLE = {None, "gba:affects"}
#: Relations whose unnamed agent, in a result, is the intervention the text is about.
AGENTIVE = {"gba:improves", "gba:worsens", "gba:decreases", "gba:increases", "gba:affects"}


@dataclass
class Draft:
    """A candidate being read: its sentence, clause, cue, arguments and reasons."""

    sentence: Sentence
    clause: tuple[int, int]
    hit: RelationHit | None
    subject: Argument | None
    object: Argument | None
    predicate: str | None
    subject_mention: Mention | None = None
    object_mention: Mention | None = None
    result: statistics.Result | None = None
    judgement: Judgement | None = None
    reasons: list[Reason] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pronoun: str | None = None
    segment: tuple[int, int] | None = None
    #: the draft whose overall result this one continues (a subgroup)
    overall: Draft | None = None
    roles: arguments.Roles = field(default_factory=arguments.Roles)
    #: the frame this draft was read from (:mod:`~kg.suggest.frames`), if any
    frame: frames.Frame | None = None
    #: where the quote ends when it runs on into the next sentence
    quote_end: int | None = None


@dataclass
class TextFacts:
    """What the whole text says of the study it reports."""

    design: StudyDesign | None = None
    design_text: str | None = None
    n_participants: statistics.Printed | None = None
    n_studies: dict[str | None, statistics.Printed] = field(default_factory=dict)
    duration: statistics.Printed | None = None
    #: "a fixed-effects model", stated once for the text's pooled results
    analysis_model: statistics.Printed | None = None
    condition: Mention | None = None
    intervention: Mention | None = None
    #: the words naming the text's systematic review, when it names one
    reviewed: str | None = None


class Reading:
    """One text read against one entity index; :meth:`drafts` gives the candidates."""

    def __init__(self, text: str, index: EntityIndex, source: dict[str, Any] | None) -> None:
        self.text = text
        self.index = index
        self.source = source
        self.sentences = sentences(text)
        self.mentions = {s.index: index.mentions(text, s.start, s.end) for s in self.sentences}
        self.facts = self._facts()
        self._signals: dict[tuple[int, int], bool] = {}
        self._judgements: dict[tuple[int, int, int], Judgement] = {}

    # The whole text -------------------------------------------------------------------

    def _facts(self) -> TextFacts:
        facts = TextFacts()
        named: list[tuple[StudyDesign, str]] = []
        conditions: Counter[str] = Counter()
        interventions: Counter[str] = Counter()
        first: dict[str, Mention] = {}
        for sentence in self.sentences:
            for named_design, s, e in cues.designs(sentence.text):
                named.append((named_design, sentence.text[s:e]))
            facts.n_participants = facts.n_participants or qualifiers.participants(
                sentence.text, sentence.start
            )
            for count, counted_for in qualifiers.studies(sentence.text, sentence.start):
                facts.n_studies.setdefault(counted_for, count)
            facts.duration = facts.duration or qualifiers.duration(sentence.text, sentence.start)
            if facts.analysis_model is None:
                facts.analysis_model = statistics.meta(sentence.text, sentence.start).analysis_model
            for m in self.mentions[sentence.index]:
                first.setdefault(m.id, m)
                if m.is_a(CONDITION):
                    conditions[m.id] += 1
                if m.types & INTERVENTION_TYPES:
                    interventions[m.id] += 1
        facts.reviewed = next((t for d, t in named if d is StudyDesign.SYSTEMATIC_REVIEW), None)
        for design in cues.DESIGN_ORDER:
            texts = [t for d, t in named if d is design]
            if texts:
                facts.design, facts.design_text = design, texts[0]
                break
        if conditions:
            facts.condition = first[conditions.most_common(1)[0][0]]
        if interventions:
            facts.intervention = first[interventions.most_common(1)[0][0]]
        return facts

    # Sentences ------------------------------------------------------------------------

    def drafts(self) -> list[Draft]:
        found: list[Draft] = []
        for sentence in self.sentences:
            found.extend(self._sentence(sentence))
        found = self._look_ahead(found)
        results: list[Draft] = []  # the drafts with a result so far, for continuations
        modified: list[Draft] = []  # the effect-modification drafts so far
        for i, draft in enumerate(found):
            same = [d for d in found[max(0, i - 20) : i] if d.sentence is draft.sentence]
            if draft.frame is not None:
                self._infer_frame(draft, modified)
            self._infer(draft, same, results)
            if draft.result is not None and draft.object is not None:
                results.append(draft)
            if draft.frame is not None and draft.frame.kind == frames.MODIFICATION:
                modified.append(draft)
        return [d for d in found if d.subject is not None or d.object is not None]

    def _sentence(self, sentence: Sentence) -> list[Draft]:
        text, start = sentence.text, sentence.start
        mentions = self.mentions[sentence.index]
        results = statistics.results(text, start)
        spans = arguments.clauses(text, start, [r.end for r in results])
        aims = findings.purposes(text, start)
        roles = arguments.roles(text, start, mentions, spans)
        cue_hits = [
            h for h in relations.hits(text, start) if not any(a <= h.start < b for a, b in aims)
        ]
        drafts: list[Draft] = []
        for a in arguments.assign(text, start, mentions, cue_hits, roles, spans):
            subjects: list[Mention | None] = [*a.subjects] or [None]
            objects: list[Mention | None] = [*a.objects] or [None]
            for s in subjects:
                for o in objects:
                    drafts.append(self._draft(sentence, a.clause, a.hit, s, o, a.notes, a.pronoun))
        framed = [self._framed(sentence, f) for f in self._frames(sentence, mentions, roles, spans)]
        drafts = [d for d in drafts if not _superseded(d, framed)] + framed
        if not drafts:
            drafts.extend(self._uncued(sentence, mentions, roles, results, aims))
        drafts = [d for d in drafts if d.frame is not None or self._worth(d, results)]
        self._attach_results(sentence, drafts, results)
        for draft in drafts:
            draft.roles = roles
            self._judge(draft)
        return _dedupe(drafts)

    def _draft(
        self,
        sentence: Sentence,
        clause: tuple[int, int],
        hit: RelationHit | None,
        s: Mention | None,
        o: Mention | None,
        notes: list[str],
        pronoun: str | None = None,
    ) -> Draft:
        return Draft(
            sentence,
            clause,
            hit,
            argument(s) if s else None,
            argument(o) if o else None,
            hit.cue.predicate if hit else None,
            s,
            o,
            notes=list(notes),
            pronoun=pronoun,
        )

    def _frames(
        self,
        sentence: Sentence,
        mentions: list[Mention],
        roles: arguments.Roles,
        spans: list[tuple[int, int]],
    ) -> list[frames.Frame]:
        """Effect modification, limitations and proposals (:mod:`~kg.suggest.frames`)."""
        text, start = sentence.text, sentence.start
        co = {p for p, role in roles.qualifiers.items() if role == "co_intervention"}
        found = frames.modifications(text, start, mentions, co, spans)
        found += frames.confounders(text, start, mentions)
        taken = [(f.hit.start, f.hit.end) for f in found]
        found += frames.limitations(text, start, mentions, spans, self.index, taken)
        found += frames.proposals(text, start, mentions, spans)
        return found

    def _framed(self, sentence: Sentence, frame: frames.Frame) -> Draft:
        draft = Draft(
            sentence,
            frame.clause,
            frame.hit,
            frame.subject,
            frame.object,
            frame.hit.cue.predicate,
            frame.subject_mention,
            frame.object_mention,
            notes=list(frame.notes),
            frame=frame,
        )
        return draft

    def _uncued(
        self,
        sentence: Sentence,
        mentions: list[Mention],
        roles: arguments.Roles,
        results: list[statistics.Result],
        aims: list[tuple[int, int]],
    ) -> list[Draft]:
        """No relation cue: a pair of entities with a test or a finding cue is a candidate
        whose relation the curator chooses."""
        free = [
            m
            for m in mentions
            if m.start not in roles.qualifiers
            and m.start not in roles.attached
            and not any(a <= m.start < b for a, b in aims)
        ]
        tested = results or cues.find(cues.NULLS + cues.UNDETERMINED + cues.EFFECTS, sentence.text)
        if not free or not tested or (len(free) < 2 and not results):
            return []
        o = free[1] if len(free) > 1 else None
        note = "no relation cue: choose the relation"
        return [self._draft(sentence, (sentence.start, sentence.end), None, free[0], o, [note])]

    def _worth(self, draft: Draft, results: list[statistics.Result]) -> bool:
        """Both arguments, or one with something that makes a claim: a test, a finding cue,
        a pronoun standing for the other, or a benefit."""
        if draft.subject is not None and draft.object is not None:
            return True
        clause = self.text[draft.clause[0] : draft.clause[1]]
        if draft.clause not in self._signals:
            self._signals[draft.clause] = bool(cues.find(SIGNALS, clause))
        benefit = draft.predicate == "gba:improves" and bool(BENEFIT.search(clause))
        return bool(results or self._signals[draft.clause] or draft.pronoun or benefit)

    def _attach_results(
        self,
        sentence: Sentence,
        drafts: list[Draft],
        results: list[statistics.Result],
    ) -> None:
        """Each draft takes the first result after its cue in its clause; a result no
        draft takes repeats the draft before it ("an effect on both A (…) and B (…)")."""
        taken: set[int] = set()
        for draft in drafts:
            anchor = draft.hit.start if draft.hit else draft.clause[0]
            for i, r in enumerate(results):
                if r.end >= anchor and draft.clause[0] <= r.start < draft.clause[1]:
                    start = results[i - 1].end if i else draft.clause[0]
                    draft.result, draft.segment = r, (max(start, draft.clause[0]), r.end)
                    taken.add(i)
                    break
        for i, r in enumerate(results):
            if i in taken:
                continue
            before = [d for d in drafts if d.result is not None and d.result.end <= r.start]
            if not before:
                continue
            model = before[-1]
            segment = (results[i - 1].end if i else model.clause[0], r.end)
            clone = Draft(
                sentence,
                model.clause,
                model.hit,
                model.subject,
                model.object,
                model.predicate,
                model.subject_mention,
                model.object_mention,
                r,
                segment=segment,
            )
            clone.notes.append("a further result of the same relation in this sentence")
            drafts.append(clone)

    def _judge(self, draft: Draft) -> None:
        s = draft.sentence
        a, b = draft.segment or draft.clause
        key = (a, b, id(draft.result))
        if key not in self._judgements:  # drafts of one clause share its judgement
            self._judgements[key] = findings.judge(self.text[a:b], a, s.text, s.start, draft.result)
        draft.judgement = self._judgements[key]
        if draft.frame is not None:
            draft.judgement = _framed_judgement(draft.frame, draft.judgement)

    # Inference across sentences -------------------------------------------------------

    def _look_ahead(self, found: list[Draft]) -> list[Draft]:
        """A proposal that leaves its approach unnamed ("…exploring complementary
        approaches.") takes it from the next sentence ("One promising avenue: …
        probiotics."); the quote runs on, and that sentence's own proposal is the same
        claim."""
        dropped: set[int] = set()
        for draft in found:
            frame = draft.frame
            if frame is None or not frame.look_ahead or draft.subject is not None:
                continue
            following = draft.sentence.index + 1
            if following >= len(self.sentences):
                continue
            nxt = self.sentences[following]
            same = [
                d
                for d in found
                if d.sentence is nxt
                and d.frame is not None
                and d.frame.kind == frames.PROPOSAL
                and d.subject is not None
            ]
            named = [m for m in self.mentions[following] if m.types & frames.AGENT_TYPES]
            if same:
                other = same[0]
                draft.subject, draft.subject_mention = other.subject, other.subject_mention
                draft.object = draft.object or other.object
                draft.object_mention = draft.object_mention or other.object_mention
                if other.frame is not None and other.frame.prospect and frame.prospect is None:
                    frame.prospect = other.frame.prospect  # "a promising avenue: …" hedges it
                    if draft.judgement is not None:
                        draft.judgement = _framed_judgement(frame, draft.judgement)
                dropped.add(id(other))
            elif named:
                draft.subject, draft.subject_mention = argument(named[-1]), named[-1]
            else:
                continue
            draft.quote_end = nxt.end
            named_as = draft.subject.label if draft.subject else "?"
            draft.notes.append(
                f"subject: the approach is named in the next sentence ({named_as});"
                " the quote runs on into it"
            )
        return [d for d in found if id(d) not in dropped]

    def _infer_frame(self, draft: Draft, modified: list[Draft]) -> None:
        """Fill what a frame leaves unnamed (see :mod:`~kg.suggest.frames`)."""
        frame = draft.frame
        assert frame is not None
        facts = self.facts
        main = facts.intervention
        if draft.subject is None and frame.main_intervention and main is not None:
            if draft.object is not None and draft.object.id == main.id:
                draft.notes.append(
                    "subject: the modifier is the text's main intervention itself; "
                    "whose effect depends on it is left to the curator"
                )
            else:
                draft.subject = _inferred(argument(main))
                draft.notes.append(f"subject: the text's main intervention, {main.label}")
        if draft.object is None and frame.add_on:
            base = next((d for d in reversed(modified[-5:]) if d.object is not None), None)
            if base is not None and base.object is not None:
                draft.object = _inferred(base.object)
                draft.notes.append(
                    "object: an add-on whose base is not named continues the modification "
                    f"claim of sentence {base.sentence.index} ({base.object.label})"
                )
        if draft.object is None and frame.condition_before:
            i = draft.sentence.index
            earlier = [
                m for j in range(max(0, i - 2), i) for m in self.mentions[j] if m.is_a(CONDITION)
            ]
            if earlier:
                draft.object = _inferred(argument(earlier[-1]))
                draft.notes.append(f"object: the condition named just before, {earlier[-1].label}")
            elif facts.condition:
                draft.object = _inferred(argument(facts.condition))
                draft.notes.append(f"object: the text's main condition, {facts.condition.label}")
        if draft.subject is None and frame.kind == frames.LIMITATION:
            evidence = self._evidence()
            if evidence is not None:
                draft.subject = evidence
                draft.notes.append(
                    f"subject: the body of evidence the text reports, {evidence.label} "
                    + ("(proposed: confirm it)" if evidence.status == "proposed" else "")
                )

    def _evidence(self) -> Argument | None:
        if not hasattr(self, "_body"):
            self._body = frames.body_of_evidence(
                self.index, self.facts.intervention, self.facts.condition
            )
        return self._body

    def _infer(self, draft: Draft, same: list[Draft], results: list[Draft]) -> None:
        """Fill what the sentence leaves unnamed (see the module's docstring); ``same``: the
        drafts before it in its sentence, ``results``: the earlier drafts with a result."""
        clause = self.text[draft.clause[0] : draft.clause[1]]
        if draft.subject is None and draft.pronoun:
            same = [d for d in same if d.subject is not None]
            if same and same[-1].clause != draft.clause:
                draft.subject = _inferred(same[-1].subject)
                draft.notes.append(
                    f"subject: {draft.pronoun!r} taken as the subject of the clause before"
                )
        if draft.subject is None and self.facts.intervention and TREATMENT.search(clause):
            draft.subject = _inferred(argument(self.facts.intervention))
            draft.notes.append(
                "subject: 'the treatment' taken as the text's main intervention, "
                f"{self.facts.intervention.label}"
            )
        tested = draft.result is not None or (
            draft.judgement is not None and draft.judgement.finding.value in ("effect", "null")
        )
        if (
            draft.subject is None
            and tested
            and self.facts.intervention
            and draft.predicate in AGENTIVE
        ):
            draft.subject = _inferred(argument(self.facts.intervention))
            draft.notes.append(
                "subject: a result with no agent named; taken as the text's main "
                f"intervention, {self.facts.intervention.label}"
            )
        if draft.object is None and draft.result is not None and draft.predicate in CONTINUABLE:
            overall = [
                d
                for d in results[-10:]
                if d.overall is None
                and (d.subject is None or draft.subject is None or d.subject.id == draft.subject.id)
            ]
            if overall:
                model = overall[-1]
                draft.object = _inferred(model.object)
                draft.predicate = model.predicate
                draft.overall = model
                draft.notes.append(
                    f"object and relation continue the result of sentence {model.sentence.index}"
                    " (this result is a subgroup or a further analysis of it)"
                )
        if draft.object is None and self.facts.condition and draft.predicate == "gba:improves":
            draft.object = _inferred(argument(self.facts.condition))
            draft.notes.append(
                "object: the benefit's condition is not named here; taken as the "
                f"text's main condition, {self.facts.condition.label}"
            )


def _superseded(draft: Draft, framed: list[Draft]) -> bool:
    """A relation-cue draft a frame reads better: its cue lies in the frame's cue, or,
    in a modification's clause, a change with no object of its own ("benefits were
    strongest when", "the benefit of X was greater with")."""
    if draft.hit is None:
        return False
    for f in framed:
        assert f.hit is not None and f.frame is not None
        if draft.hit.start < f.hit.end and f.hit.start < draft.hit.end:
            return True
        if (
            f.frame.kind == frames.MODIFICATION
            and draft.clause == f.clause
            and (
                draft.object is None or (f.subject is not None and draft.object.id == f.subject.id)
            )
            and draft.hit.cue.kind == relations.CHANGE
        ):
            return True
    return False


def _framed_judgement(frame: frames.Frame, judgement: Judgement) -> Judgement:
    """A frame's finding and hedge: a modification is tested only by a test (a reported
    subgroup comparison is an assertion); a limitation describes the evidence (an
    assertion); a prospect ("a promising avenue") is hedged."""
    finding, strength = judgement.finding, judgement.strength
    reported = finding.cue in {c.name for c in cues.REPORTED}
    if frame.kind == frames.MODIFICATION and reported:
        finding = Decision(
            findings.ASSERTION,
            why=f"{finding.text!r} reports a comparison of subgroups, not a test of "
            "interaction: an assertion",
        )
        strength = 0.8
    elif frame.kind == frames.LIMITATION and finding.value != findings.ASSERTION:
        finding = Decision(
            findings.ASSERTION, why="a limitation describes the evidence: an assertion"
        )
    hedge = judgement.hedge
    if not hedge.value and frame.prospect is not None:
        p = frame.prospect
        hedge = Decision(
            True, "prospect", p.text, p.start, p.end, "an approach's promise, not a result"
        )
    if finding is judgement.finding and hedge is judgement.hedge:
        return judgement
    return Judgement(finding, hedge, judgement.negation, judgement.conflicts, strength)


def _inferred(arg: Argument | None) -> Argument | None:
    if arg is None:
        return None
    return Argument(arg.id, arg.label, arg.types, "inferred", arg.new_entity)


def _dedupe(drafts: list[Draft]) -> list[Draft]:
    """One draft per (subject, object, result) in a sentence: the most specific relation."""
    best: dict[tuple[Any, ...], Draft] = {}
    for draft in drafts:
        k = (
            draft.subject.id if draft.subject else None,
            draft.object.id if draft.object else None,
            id(draft.result),
        )
        rank = draft.hit.cue.rank if draft.hit else 0
        kept = best.get(k)
        if kept is None or rank > (kept.hit.cue.rank if kept.hit else 0):
            if kept is not None and kept.hit is not None:
                draft.notes.append(f"also cued as {kept.hit.cue.predicate} ({kept.hit.text!r})")
            best[k] = draft
        elif draft.hit is not None:
            kept.notes.append(f"also cued as {draft.hit.cue.predicate} ({draft.hit.text!r})")
    return list(best.values())
