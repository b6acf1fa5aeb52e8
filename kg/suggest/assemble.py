"""A read draft made into an extraction: relation refined, evidence, qualifiers, statement,
the reasons for each field and a confidence.

Confidence is a product of documented factors (``docs/suggest.md``): it starts at
0.9 and is lowered by a weak finding cue (a past tense rather than a test or
"significantly"), a missing argument, an inferred, near-miss or proposed entity, a
missing or generic relation, and words that contradict the statistics.
"""

from __future__ import annotations

import re
from typing import Any

from gbkg.kg.model import StudyDesign
from gbkg.kg.suggest import cues, qualifiers
from gbkg.kg.suggest.candidate import Reason
from gbkg.kg.suggest.findings import UNDETERMINED, Decision
from gbkg.kg.suggest.frames import LIMITATION
from gbkg.kg.suggest.reading import CONDITION, SOURCE_DESIGNS, Draft, Reading
from gbkg.kg.suggest.record import Argument, Extraction
from gbkg.kg.suggest.relations import refine
from gbkg.kg.suggest.statistics import meta

FACTORS = {
    "missing argument": 0.6,
    "inferred argument": 0.8,
    "fuzzy entity": 0.85,
    "proposed entity": 0.8,
    "no relation": 0.7,
    "generic relation": 0.9,
    "conflict": 0.8,
}
TESTED = ("effect", "null")
#: A review's results are the review's, whatever designs of studies its text names.
REVIEWS = ("meta-analysis", "systematic-review")


def assemble(
    draft: Draft, reading: Reading, labels: dict[str, str]
) -> tuple[Extraction, list[Reason], float]:
    """The extraction of one draft, its reasons and its confidence."""
    assert draft.judgement is not None
    judgement = draft.judgement
    reasons: list[Reason] = []
    predicate = draft.predicate
    if predicate is not None and draft.subject is not None and draft.object is not None:
        refined, why = refine(predicate, draft.subject.types, draft.object.types)
        if why:
            draft.notes.append(f"{predicate} read as {refined}: {why}")
            predicate = refined
    s = draft.sentence
    clause_text = reading.text[draft.clause[0] : draft.clause[1]]
    seg = draft.segment or draft.clause
    segment_text = reading.text[seg[0] : seg[1]]
    finding = str(judgement.finding.value)
    hedged = bool(judgement.hedge.value)

    reasons.extend(_argument_reasons("subject", draft.subject, draft.subject_mention))
    reasons.extend(_argument_reasons("object", draft.object, draft.object_mention))
    if draft.hit is not None:
        reasons.append(
            Reason(
                field="predicate",
                value=predicate,
                cue=draft.hit.cue.name,
                text=draft.hit.text,
                start=draft.hit.start,
                end=draft.hit.end,
                why=f"relation cue for {draft.hit.cue.predicate}",
            )
        )
    else:
        reasons.append(Reason(field="predicate", why="no relation cue in the sentence"))
    for note in draft.notes:
        reasons.append(Reason(field="reading", why=note))
    reasons.append(_decision("finding", judgement.finding))
    reasons.append(_decision("hedged", judgement.hedge))
    if judgement.negation is not None:
        reasons.append(_decision("negation", judgement.negation, value=False))
    for conflict in judgement.conflicts:
        reasons.append(Reason(field="finding", why=conflict))
    if draft.result is not None:
        for name, printed in draft.result.spans():
            value = (
                draft.result.p_text()
                if name == "p_value" and draft.result.p_is_bound
                else printed.value
            )
            if name == "effect_measure":
                value = printed.value.value
            reasons.append(
                Reason(
                    field=f"statistics.{name}",
                    value=value,
                    text=printed.text,
                    start=printed.start,
                    end=printed.end,
                    why="as printed",
                )
            )

    design, design_reason = _design(draft, reading, finding, clause_text)
    reasons.append(design_reason)
    end = draft.quote_end or s.end
    x = Extraction(
        quote=reading.text[s.start : end],
        start=s.start,
        end=end,
        subject=draft.subject,
        predicate=predicate,
        object=draft.object,
        finding=finding,
        hedged=hedged,
        statement=statement(draft.subject, predicate, draft.object, finding, hedged, labels),
        source=reading.source,
        result=draft.result,
        design=design.value if design else None,
    )
    if draft.result is not None:
        x.meta = meta(s.text, s.start)
        stated = reading.facts.analysis_model
        if x.meta.analysis_model is None and stated is not None:
            x.meta.analysis_model = stated
            why = "the model the text says its results were pooled with"
            reasons.append(_printed("statistics.analysis_model", stated, why))
    _evidence(x, draft, reading, design, segment_text, reasons)
    _context(x, draft, reading, clause_text, segment_text, reasons)
    reasons.append(
        Reason(
            field="statement",
            value=x.statement,
            why="drafted from the subject, relation and object: edit it",
        )
    )
    return x, reasons, _confidence(draft, predicate)


def _argument_reasons(role: str, arg: Argument | None, mention: Any) -> list[Reason]:
    if arg is None:
        return [Reason(field=role, why=f"no {role} named in the clause: unknown, to fill in")]
    if mention is not None and arg.status != "inferred":
        return [
            Reason(
                field=role,
                value=arg.id,
                cue=arg.status,
                text=mention.text,
                start=mention.start,
                end=mention.end,
                why=mention.why(),
            )
        ]
    return [
        Reason(
            field=role,
            value=arg.id,
            cue=arg.status,
            why=f"{arg.label} ({arg.id}), not named in the sentence: see 'reading'",
        )
    ]


def _decision(name: str, d: Decision, value: Any = None) -> Reason:
    return Reason(
        field=name,
        value=d.value if value is None else value,
        cue=d.cue,
        text=d.text,
        start=d.start,
        end=d.end,
        why=d.why,
    )


def _design(
    draft: Draft, reading: Reading, finding: str, clause: str
) -> tuple[StudyDesign | None, Reason]:
    """The sentence's own design cue; else, for a tested result or words about the study,
    the text's design (or the source's type); else an untested statement is expert opinion."""
    named = cues.designs(draft.sentence.text)
    for design in cues.DESIGN_ORDER:
        for d, a, b in named:
            if d is design:
                at = draft.sentence.start
                return design, Reason(
                    field="evidence.study_design",
                    value=design.value,
                    cue="design named",
                    text=draft.sentence.text[a:b],
                    start=at + a,
                    end=at + b,
                    why="the sentence names the design",
                )
    facts = reading.facts
    limitation = draft.frame is not None and draft.frame.kind == LIMITATION
    studies = limitation or cues.STUDIES_REFERENCE.search(clause) is not None
    if finding not in TESTED and studies and facts.reviewed is not None:
        design = StudyDesign.SYSTEMATIC_REVIEW
        return design, Reason(
            field="evidence.study_design",
            value=design.value,
            cue="studies reviewed",
            text=facts.reviewed,
            why="a statement about the studies the text's review looked at, not a pooled result",
        )
    about_study = finding in TESTED or (
        finding == UNDETERMINED and cues.STUDY_REFERENCE.search(clause) is not None
    )
    source_type = (reading.source or {}).get("type")
    if about_study and source_type in REVIEWS:
        design = SOURCE_DESIGNS[source_type]
        return design, Reason(
            field="evidence.study_design",
            value=design.value,
            cue="source type",
            why="a result of the review the source is",
        )
    if about_study and facts.design is not None:
        return facts.design, Reason(
            field="evidence.study_design",
            value=facts.design.value,
            cue="text's design",
            text=facts.design_text,
            why="a result of the study the text reports",
        )
    if about_study and source_type in SOURCE_DESIGNS:
        design = SOURCE_DESIGNS[source_type]
        return design, Reason(
            field="evidence.study_design",
            value=design.value,
            cue="source type",
            why="the source is of this design",
        )
    if finding == "assertion":
        design = StudyDesign.EXPERT_OPINION
        return design, Reason(
            field="evidence.study_design",
            value=design.value,
            cue="untested statement",
            why="stated without a test or a study: expert opinion",
        )
    return None, Reason(field="evidence.study_design", why="no design named: to fill in")


def _evidence(
    x: Extraction,
    draft: Draft,
    reading: Reading,
    design: StudyDesign | None,
    segment: str,
    reasons: list[Reason],
) -> None:
    s = draft.sentence
    facts = reading.facts
    source_type = (reading.source or {}).get("type")
    the_study = design is not None and (design is facts.design or design.value == source_type)
    if n := qualifiers.participants(s.text, s.start):
        x.n_participants = n.value
        reasons.append(_printed("evidence.n_participants", n, "the sentence counts them"))
    elif the_study and facts.n_participants is not None:
        x.n_participants = facts.n_participants.value
        reasons.append(
            _printed(
                "evidence.n_participants",
                facts.n_participants,
                "counted elsewhere in the text, for the study it reports",
            )
        )
    counts = qualifiers.studies(s.text, s.start)
    if counts:
        x.n_studies = counts[0][0].value
        reasons.append(_printed("evidence.n_studies", counts[0][0], "the sentence counts them"))
    elif the_study and design is not None:
        count = facts.n_studies.get(design.value) or facts.n_studies.get(None)
        if count is not None:
            x.n_studies = count.value
            reasons.append(
                _printed(
                    "evidence.n_studies", count, "counted elsewhere in the text, for this design"
                )
            )
    if d := qualifiers.duration(s.text, s.start):
        x.duration = d.value
        reasons.append(_printed("evidence.duration", d, "as printed"))
    elif the_study and x.finding in TESTED and facts.duration is not None:
        x.duration = facts.duration.value
        reasons.append(
            _printed("evidence.duration", facts.duration, "stated elsewhere in the text")
        )


def _context(
    x: Extraction, draft: Draft, reading: Reading, clause: str, segment: str, reasons: list[Reason]
) -> None:
    seg = draft.segment or draft.clause
    roles = draft.roles
    a, b = draft.clause
    in_clause = [m for m in reading.mentions[draft.sentence.index] if a <= m.start < b]
    if pops := qualifiers.populations(segment, seg[0]):
        x.context["population"] = [pops[0].value]
        reasons.append(_printed("context.population", pops[0], "the population the result is in"))
    for role in ("co_intervention", "comparator"):
        qualified = [m for m in in_clause if roles.qualifiers.get(m.start) == role]
        if qualified:
            phrase, p_start, p_end = _phrase(reading.text, roles, role, qualified)
            ids = list(dict.fromkeys(m.id for m in qualified))
            # The entity when the phrase is just its name (with its abbreviation), else
            # the words: "conventional depression treatments" is not depression.
            x.context[role] = ids if _only_names(phrase, qualified) else [phrase]
            x.context_phrases[role] = phrase
            reasons.append(
                Reason(
                    field=f"context.{role}",
                    value=x.context[role],
                    text=phrase,
                    start=p_start,
                    end=p_end,
                    why=f"named after a {role.replace('_', '-')} cue",
                )
            )
    bases = draft.frame.bases if draft.frame is not None else []
    if bases and "co_intervention" not in x.context:
        x.context["co_intervention"] = list(dict.fromkeys(m.id for m in bases))
        reasons.append(
            Reason(
                field="context.co_intervention",
                value=x.context["co_intervention"],
                text=bases[0].text,
                start=bases[0].start,
                end=bases[0].end,
                why="the standard treatment a complementary approach is added to",
            )
        )
    if "comparator" in x.context:
        x.comparator = x.context.pop("comparator")[0]
    elif c := qualifiers.comparator(draft.sentence.text, draft.sentence.start):
        x.comparator = c.value
        reasons.append(_printed("comparator", c, "the comparison group"))
    strains = [m for m in roles.strains if a <= m.start < b]
    if strains:
        x.context["strain"] = list(dict.fromkeys(m.id for m in strains))
        end = strains[-1].end
        tail = re.match(r"\s+strains?\b", reading.text[end : end + 10])
        phrase = reading.text[strains[0].start : end + (tail.end() if tail else 0)]
        x.context_phrases["strain"] = phrase
        reasons.append(
            Reason(
                field="context.strain",
                value=x.context["strain"],
                text=phrase,
                start=strains[0].start,
                end=end,
                why="what the probiotics contained",
            )
        )
    _outcome(x, draft, reading, clause, reasons)
    if x.finding == UNDETERMINED and draft.object is not None and CONDITION in draft.object.types:
        x.context.setdefault("condition", [draft.object.id])
    quantities = qualifiers.quantities(clause, draft.clause[0])
    if quantities:
        q = quantities[0]
        x.quantity = {"value": q.value, "unit": q.unit}
        if q.of:
            x.quantity["of"] = q.of
        if q.relation != "=":
            x.quantity["relation"] = q.relation
        reasons.append(_printed("quantity", q.printed, "a quantity the sentence states"))


def _phrase(text: str, roles: Any, role: str, qualified: list[Any]) -> tuple[str, int, int]:
    """The words a qualifier cue introduces, up to its last entity (and its abbreviation)."""
    cue_ends = [end for _, end, r in roles.notes if r == role and end <= qualified[0].start]
    start = cue_ends[-1] if cue_ends else qualified[0].start
    stop = re.search(r"[,;—.]|\s+(?:who|which|that|when|while)\b", text[qualified[0].end :])
    end = qualified[0].end + stop.start() if stop else qualified[-1].end
    end = max(end, qualified[-1].end) if stop is None else end
    while start < end and text[start].isspace():
        start += 1
    return " ".join(text[start:end].split()), start, end


def _only_names(phrase: str, qualified: list[Any]) -> bool:
    if len({m.id for m in qualified}) != 1:
        return False
    rest = phrase
    for m in qualified:
        rest = rest.replace(" ".join(m.text.split()), " ")
    return not re.sub(r"[\s()]|\b(?:the|a|an)\b", "", rest, flags=re.I)


def _outcome(
    x: Extraction, draft: Draft, reading: Reading, clause: str, reasons: list[Reason]
) -> None:
    """What was measured: an entity when its name is all the words, else the words."""
    roles = draft.roles
    a, b = draft.clause
    named = [m for m in roles.outcomes if a <= m.start < b]
    if named:
        x.outcome["measure"] = named[0].id
        reasons.append(
            Reason(
                field="outcome.measure",
                value=named[0].id,
                text=named[0].text,
                start=named[0].start,
                end=named[0].end,
                why="what the effect is on ('effects of … on …')",
            )
        )
    elif (o := qualifiers.outcome(clause, a)) and not qualifiers.POPULATION.search(
        " in " + o.value
    ):
        whole = [
            m
            for m in reading.mentions[draft.sentence.index]
            if (m.start, m.end) == (o.start, o.end)
        ]
        x.outcome["measure"] = whole[0].id if whole else o.value
        reasons.append(_printed("outcome.measure", o, "what was measured"))
    if i := qualifiers.instrument(draft.sentence.text, draft.sentence.start):
        x.outcome["instrument"] = i.value
        reasons.append(_printed("outcome.instrument", i, "the scale or assay"))
    if (
        x.result is not None
        and x.result.size is not None
        and x.object is not None
        and CONDITION in x.object.types
        and x.predicate in ("gba:improves", "gba:worsens")
    ):
        x.outcome["benefit"] = "decrease"
        reasons.append(
            Reason(
                field="outcome.benefit",
                value="decrease",
                why="a lower score of a condition's symptoms is a benefit",
            )
        )


def _printed(name: str, printed: Any, why: str) -> Reason:
    return Reason(
        field=name,
        value=printed.value,
        text=printed.text,
        start=printed.start,
        end=printed.end,
        why=why,
    )


def _confidence(draft: Draft, predicate: str | None) -> float:
    assert draft.judgement is not None
    c = 0.9 * draft.judgement.strength
    for arg in (draft.subject, draft.object):
        if arg is None:
            c *= FACTORS["missing argument"]
        elif arg.status == "inferred":
            c *= FACTORS["inferred argument"]
        elif arg.status == "fuzzy":
            c *= FACTORS["fuzzy entity"]
        elif arg.status == "proposed":
            c *= FACTORS["proposed entity"]
    if predicate is None:
        c *= FACTORS["no relation"]
    elif draft.hit is not None and draft.hit.cue.rank <= 1:
        c *= FACTORS["generic relation"]
    if draft.judgement.conflicts:
        c *= FACTORS["conflict"]
    return round(c, 2)


# Statements -----------------------------------------------------------------------------

_COPULAR = (
    "associated with",
    "positively associated with",
    "negatively associated with",
    "part of",
    "studied for",
)


def statement(
    subject: Argument | None,
    predicate: str | None,
    obj: Argument | None,
    finding: str,
    hedged: bool,
    labels: dict[str, str],
) -> str:
    """A plain sentence that says the claim, for the curator to edit."""
    s = subject.label if subject else "[subject]"
    o = obj.label if obj else "[object]"
    if predicate is None:
        return _sentence(f"{s} [relation] {o}")
    label = labels.get(predicate, predicate.split(":")[-1])
    if label == "effect depends on":
        verb, base, neg = "depends on", "depend on", "did not depend on"
        s = f"the effect of {s}"
    elif label in _COPULAR:
        verb, base, neg = f"is {label}", f"be {label}", f"was not significantly {label}"
    else:
        first, _, rest = label.partition(" ")
        root = "have" if first == "has" else first[:-1] if first.endswith("s") else first
        verb = label
        base = f"{root} {rest}".strip()
        neg = f"did not significantly {base}"
    if finding == "null":
        return _sentence(f"{s} {neg} {o}")
    if finding == UNDETERMINED:
        return _sentence(f"it could not be determined whether {s} {verb} {o}")
    if hedged:
        return _sentence(f"{s} may {base} {o}")
    return _sentence(f"{s} {verb} {o}")


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:] + "."
