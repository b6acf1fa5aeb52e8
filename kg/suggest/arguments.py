"""Who does what to whom: the subject and object of each relation cue in a sentence.

The reading is shallow and explained. A sentence is cut into clauses at ``;`` and
at clause-opening conjunctions (", while", ", but", "since", ...). In its clause, a
relation cue takes as subject the nearest entity before it and as object the nearest
after it, skipping the entities that are not arguments:

- *qualifiers*: what follows "alongside", "already taking", "in combination with" is a
  co-intervention; what follows "compared with", "versus", "than" is a comparator;
- *attachments*: what follows "containing", "like", "such as", "including" modifies
  the noun before it. When that noun is itself an entity, the attached entities are
  examples and stay out ("production of neurotransmitters like serotonin"); when it
  is not ("fermented foods like yogurt, kefir"), or with "X include A, B and C", the
  listed entities are *members* that stand for it, one claim each.

A list ("A, B and C", "neither A nor B") gives one claim per member. A passive
("is produced in the gut") or an agent after *with*/*by*/*after* ("decreased with
probiotic supplementation") reverses the direction. A clause whose subject is a
pronoun ("while it had no effect") takes the subject of the clause before it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from gbkg.kg.suggest.cues import APOS
from gbkg.kg.suggest.linking import Mention
from gbkg.kg.suggest.relations import (
    ATTACH,
    CHANGE,
    COPULA,
    MEMBERS,
    NOMINAL,
    RelationHit,
)

CLAUSE_BREAK = re.compile(
    r";|,\s+(?:while|whereas|but|although|though|which|and\s+(?=more|most|about|it|they))\b|"
    r"\s+but\s+|\bsince\b|\bbecause\b|\bwhile\b|\bwhereas\b",
    re.I,
)
CO_INTERVENTION = re.compile(
    r"\b(?:alongside|in\s+combination\s+with|combined\s+with|together\s+with|in\s+addition\s+to|"
    r"add-on\s+to|adjunct(?:ive)?\s+to|on\s+top\s+of|(?:already|while|when)\s+taking)\b",
    re.I,
)
COMPARATOR = re.compile(
    r"\b(?:compared\s+(?:with|to)|versus|vs\.?|relative\s+to|than(?!\s+(?:about\s+)?[\d.]))\s+",
    re.I,
)
#: Nouns of change ("benefits", "improvements in X"): their object follows in/of/on/for.
NOUN_CUE = re.compile(
    r"^(?:benefits?|improvements?|reductions?|decreases?|increases?|changes?|differences?)$", re.I
)
_NOUN_OBJECT = re.compile(r"^\s*(?:in|of|on|for)\b", re.I)
#: The longest list read as one claim per member.
LIST_MAX = 12
#: Types that are never the agent of a change (an attribute, a population).
NOT_AGENTS = ("Attribute", "Population")
_LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|nor\s+|/)\s*(?:the\s+|an?\s+)?$")
_AGENT = re.compile(r"^\s*(?:\w+ly\s+)?(?:with|after|following|upon|by)\s+(?:the\s+|a\s+)?$", re.I)
_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|been|being|be)\s+(?:\w+ly\s+)?$", re.I)
_PASSIVE_AFTER = re.compile(r"^\s*(?:by|in|within|from)\s+(?:the\s+|a\s+)?$", re.I)
_PRONOUN = re.compile(rf"\b(?:it|they|this|these|those)(?:{APOS}\w+)?\b", re.I)


@dataclass
class Roles:
    """What the entities of one sentence are, apart from arguments."""

    qualifiers: dict[int, str] = field(default_factory=dict)  #: mention start → role
    attached: dict[int, int] = field(default_factory=dict)  #: mention start → head start
    #: head mention start → the members that stand for it ("X include A, B and C")
    members: dict[int, list[Mention]] = field(default_factory=dict)
    strains: list[Mention] = field(default_factory=list)
    #: what "the effects of X on Y" says the effect is on (Y), when another cue is the verb
    outcomes: list[Mention] = field(default_factory=list)
    notes: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class Assignment:
    """One relation cue with its arguments (lists: a coordinated list is one claim each)."""

    hit: RelationHit | None
    subjects: list[Mention]
    objects: list[Mention]
    reversed: bool = False
    clause: tuple[int, int] = (0, 0)
    notes: list[str] = field(default_factory=list)
    pronoun: str | None = None


def clauses(text: str, start: int, closes: list[int] | None = None) -> list[tuple[int, int]]:
    """Clause spans (absolute offsets) of a sentence that starts at ``start``.

    ``closes``: further cuts, where a reported result ends ("an effect on A (MD …) and on
    B (MD …)": what follows a result's statistics is not its object).
    """
    cuts = [start + m.start() for m in CLAUSE_BREAK.finditer(text) if m.start() > 0]
    cuts.extend(c for c in closes or () if start < c < start + len(text))
    bounds = [start, *sorted(set(cuts)), start + len(text)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _clause_of(position: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    for span in spans:
        if span[0] <= position < span[1]:
            return span
    return spans[-1]


def roles(text: str, start: int, mentions: list[Mention], spans: list[tuple[int, int]]) -> Roles:
    """Qualifiers, attachments and members among the ``mentions`` of one sentence."""
    found = Roles()

    def after(position: int, clause: tuple[int, int]) -> list[Mention]:
        return [m for m in mentions if position <= m.start < clause[1]]

    for pattern, role in ((CO_INTERVENTION, "co_intervention"), (COMPARATOR, "comparator")):
        for m in pattern.finditer(text):
            position = start + m.end()
            clause = _clause_of(position, spans)
            named = after(position, clause)
            if not named:
                continue
            # The phrase ends at the first comma, dash or semicolon after its first entity
            # ("SSRIs—a common class of antidepressants": the apposition is not another).
            stop = re.search(r"[,;—]", text[named[0].end - start : clause[1] - start])
            end = named[0].end + stop.start() if stop else clause[1]
            for mention in named:
                if mention.start < end:
                    found.qualifiers.setdefault(mention.start, role)
            found.notes.append((start + m.start(), position, role))
    for m in ATTACH.finditer(text):
        position = start + m.end()
        clause = _clause_of(position, spans)
        listed = _list_from(after(position, clause), text, start, position)
        if not listed:
            continue
        head = _head_before(start + m.start(), mentions, text, start)
        if m.group(0).lower() == "containing":
            found.strains.extend(listed)
            for mention in listed:
                found.attached[mention.start] = head.start if head else -1
        elif head is not None:
            for mention in listed:
                found.attached[mention.start] = head.start
    for m in MEMBERS.finditer(text):
        position = start + m.end()
        clause = _clause_of(position, spans)
        listed = _list_from(after(position, clause), text, start, position)
        heads = [x for x in mentions if clause[0] <= x.start and x.end <= start + m.start()]
        if listed and heads:
            found.members[heads[0].start] = listed
    return found


def _head_before(position: int, mentions: list[Mention], text: str, start: int) -> Mention | None:
    """The entity that is the whole noun just before ``position`` (nothing in between)."""
    before = [m for m in mentions if m.end <= position]
    if not before:
        return None
    last = before[-1]
    return last if not text[last.end - start : position - start].strip() else None


def _list_from(candidates: list[Mention], text: str, start: int, position: int) -> list[Mention]:
    """The entities listed from ``position`` on: the first (nothing but articles before
    it) and those joined to it by commas, "and", "or", "nor"."""
    if not candidates:
        return []
    first = candidates[0]
    lead = text[position - start : first.start - start]
    if len(lead.split()) > 4:
        return []
    return coordinated(first, candidates, text, start)


def coordinated(first: Mention, mentions: list[Mention], text: str, start: int) -> list[Mention]:
    """``first`` and the mentions joined to it as a list ("A, B and C", "A nor B").

    A run longer than :data:`LIST_MAX` is not a list of things claimed one by one (a
    table, an index): only ``first`` is kept.
    """
    listed = [first]
    for mention in mentions:
        if mention.start <= listed[-1].start:
            continue
        gap = text[listed[-1].end - start : mention.start - start]
        if _LIST_GAP.match(gap):
            listed.append(mention)
            if len(listed) > LIST_MAX:
                return [first]
        else:
            break
    return listed


def assign(
    text: str,
    start: int,
    mentions: list[Mention],
    relation_hits: list[RelationHit],
    found: Roles,
    spans: list[tuple[int, int]],
) -> list[Assignment]:
    """The arguments of every relation cue of one sentence."""
    relation_hits = [
        h for h in relation_hits if not any(m.start < h.end and h.start < m.end for m in mentions)
    ]  # a cue inside an entity's name ("reuptake inhibitors") is not a cue
    out: list[Assignment] = []
    for hit in [h for h in relation_hits if h.cue.kind == NOMINAL]:
        nominal = _nominal(hit, text, start, mentions)
        if nominal is None:
            continue
        agent, patient = nominal
        clause = _clause_of(hit.start, spans)
        verbs = [
            h
            for h in relation_hits
            if h.cue.kind != NOMINAL and patient.end <= h.start and h.end <= clause[1]
        ]
        if verbs:
            found.attached[patient.start] = agent.start
            found.outcomes.append(patient)
        else:
            note = "a nominal relation: the effect of one entity on another"
            out.append(Assignment(hit, [agent], [patient], False, clause, [note]))
    arguments = [m for m in mentions if m.start not in found.qualifiers]
    free = [m for m in arguments if m.start not in found.attached]
    for hit in relation_hits:
        if hit.cue.kind == NOMINAL:
            continue
        clause = _clause_of(hit.start, spans)
        left = [m for m in free if clause[0] <= m.start and m.end <= hit.start]
        if hit.cue.kind == CHANGE:
            left = [m for m in left if not _types(m).intersection(NOT_AGENTS)]
        right = [m for m in arguments if hit.end <= m.start and m.end <= clause[1]]
        right_free = [m for m in right if m.start not in found.attached]
        subject: Mention | None = left[-1] if left else None
        obj: Mention | None = right_free[0] if right_free else None
        notes: list[str] = []
        noun = obj is not None and NOUN_CUE.match(hit.text)
        if noun and obj and not _NOUN_OBJECT.match(text[hit.end - start : obj.start - start]):
            if subject is None:
                subject = obj
                notes.append(f"{hit.text!r} of the entity named after it: it is the subject")
            obj = None
        last = max(
            (m.end for m in mentions if clause[0] <= m.start and m.end <= hit.start),
            default=clause[0],
        )
        lead = text[last - start : hit.start - start]
        pronoun_match = _PRONOUN.search(lead)
        pronoun = pronoun_match.group(0) if pronoun_match else None
        if pronoun is not None:
            subject = None
        reverse = hit.cue.reverse
        if obj is not None and not reverse:
            gap = text[hit.end - start : obj.start - start]
            before = text[clause[0] - start : hit.start - start]
            if hit.cue.kind == CHANGE and _AGENT.match(gap):
                reverse = True
                notes.append(f"an agent introduced by {gap.strip()!r}: it is the subject")
            elif _PASSIVE_BEFORE.search(before) and _PASSIVE_AFTER.match(gap):
                reverse = True
                notes.append("passive voice: the entity after the verb is the subject")
        if reverse:
            subject, obj = obj, subject
        if subject is None and obj is not None:
            means = _instrument(text, start, obj, right_free)
            if means is not None:
                subject = means
                notes.append("the entity after 'with' is the subject (the means)")
        if hit.cue.kind == COPULA and not _attribute_of(subject, obj, text, start):
            continue
        subjects = _expand(subject, arguments, text, start, found)
        objects = _expand(obj, arguments, text, start, found)
        out.append(Assignment(hit, subjects, objects, reverse, clause, notes, pronoun))
    return out


def _nominal(
    hit: RelationHit, text: str, start: int, mentions: list[Mention]
) -> tuple[Mention, Mention] | None:
    """In "the effects of X on Y": (X, Y)."""
    after = [m for m in mentions if m.start >= hit.end]
    if len(after) < 2 or len(text[hit.end - start : after[0].start - start].split()) > 2:
        return None
    agent, patient = after[0], after[1]
    if re.fullmatch(r"\s*on\s+(?:the\s+)?", text[agent.end - start : patient.start - start], re.I):
        return agent, patient
    return None


def _attribute_of(subject: Mention | None, obj: Mention | None, text: str, start: int) -> bool:
    """A copula names an attribute: "probiotics appear to be a safe option"."""
    if subject is None or obj is None or "Attribute" not in _types(obj):
        return False
    return len(text[subject.end - start : obj.start - start].split()) <= 8


def _types(mention: Mention) -> set[str]:
    return {t.rsplit("#", 1)[-1] for t in mention.types}


def _instrument(text: str, start: int, obj: Mention, right: list[Mention]) -> Mention | None:
    """In "targeting X with Y", Y is the means, hence the subject."""
    for mention in right:
        if mention.start > obj.end:
            gap = text[obj.end - start : mention.start - start]
            if re.fullmatch(r"\s*(?:with|by|using|via)\s+(?:the\s+|a\s+)?", gap, re.I):
                return mention
            return None
    return None


def _expand(
    mention: Mention | None, pool: list[Mention], text: str, start: int, found: Roles
) -> list[Mention]:
    """A mention, the members that stand for it, or the whole list it is part of."""
    if mention is None:
        return []
    if mention.start in found.members:
        return found.members[mention.start]
    first = mention
    for other in reversed([m for m in pool if m.end <= mention.start][-LIST_MAX - 1 :]):
        if _LIST_GAP.match(text[other.end - start : first.start - start]):
            first = other
        else:
            break
    listed = coordinated(first, pool, text, start)
    return listed if mention in listed else [mention]
