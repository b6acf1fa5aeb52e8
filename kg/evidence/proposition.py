"""Propositions: *what is claimed*, content-addressed, and how each claim bears on one.

A proposition is subject, relation and object, plus the qualifiers that change what
is claimed (``outcome``, ``comparator`` when the claim records them). Its IRI is
``https://w3id.org/gbkg/proposition/<hash>`` of those parts, so the same proposition
gets the same IRI in every store.

Every claim is about one proposition, read canonically:

- a relation and its opposite (``gba:opposite``: improves / worsens) make one
  proposition, named by the first of the two IRIs; an effect claim with the relation
  *supports* it, one with the opposite *disputes* it;
- a null claim (tested, not significant) is about the same proposition and finds *no
  effect*; an undetermined one (the question was left open) is *undetermined*;
- an assertion (stated without a test) is about it too, but is no evidence line;
- a claim stated the other way round through an inverse (``part of`` / ``has part``) or
  a symmetric relation (``communicates with``) is turned to the canonical order.

Context (population, co-intervention, age, ...) is *not* part of the proposition: it
is the stratum a result holds in, compared between lines (:mod:`kg.evidence.verdict`).

>>> proposition_iri("https://x/a", "https://x/r", "https://x/b")[:38]
'https://w3id.org/gbkg/proposition/17c2'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gbkg.kg.model import Finding
from gbkg.kg.projection import ClaimRecord, Vocabulary

PROPOSITION_BASE = "https://w3id.org/gbkg/proposition/"
LINE_BASE = "https://w3id.org/gbkg/line/"
#: Claim fields that change what is claimed (part of the proposition), when recorded.
QUALIFIERS = ("outcome", "comparator")


class Direction(StrEnum):
    SUPPORTS = "supports"
    NO_EFFECT = "no-effect"
    DISPUTES = "disputes"
    UNDETERMINED = "undetermined"
    ASSERTION = "assertion"  #: not a line: stated without a test


#: Directions that count in a verdict.
COUNTED = (Direction.SUPPORTS, Direction.NO_EFFECT, Direction.DISPUTES)


def _hash(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def proposition_iri(
    subject: str, predicate: str, object: str, qualifiers: Mapping[str, Any] | None = None
) -> str:
    """The content-addressed IRI of a proposition."""
    return PROPOSITION_BASE + _hash(subject, predicate, object, dict(qualifiers or {}))


def line_iri(proposition: str, study: str) -> str:
    """The content-addressed IRI of the evidence line of ``study`` on ``proposition``."""
    return LINE_BASE + _hash(proposition, study)


def qualifiers_of(record: ClaimRecord) -> dict[str, Any]:
    """The proposition qualifiers a claim records (outcome, comparator), normalized to text."""
    found: dict[str, Any] = {}
    for name in QUALIFIERS:
        value = getattr(record, name, None)
        if value:
            found[name] = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return found


@dataclass(frozen=True)
class Reading:
    """A claim read canonically: the proposition it is about and how it bears on it."""

    record: ClaimRecord
    subject: str
    predicate: str  #: the proposition's (canonical) relation
    object: str
    direction: Direction
    qualifiers: Mapping[str, Any] = field(default_factory=dict)
    #: The claim is stated object → subject and turned (inverse or symmetric relation).
    turned: bool = False
    #: The claim states the opposite of the proposition's relation (worsens for improves).
    opposite: bool = False

    @property
    def proposition(self) -> str:
        return proposition_iri(self.subject, self.predicate, self.object, self.qualifiers)

    @property
    def core(self) -> str:
        """The proposition without qualifiers: subject, relation, object only."""
        return proposition_iri(self.subject, self.predicate, self.object)

    def about(self, iri: str) -> bool:
        """Whether the claim bears on the proposition ``iri``: its own, or the core
        proposition it narrows (a claim on *depressive symptoms* bears on *probiotics
        improve depressive disorder*, which is what ``/evidence`` weighs for the pair)."""
        return iri == self.proposition or iri == self.core

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.subject, self.predicate, self.object)


def canonical_relation(predicate: str, vocabulary: Vocabulary) -> tuple[str, bool]:
    """The proposition's relation for a claim's relation, and whether it is the opposite.

    >>> from gbkg.kg.projection import Relation
    >>> v = Vocabulary([Relation("g#worsens", "worsens", opposite="g#improves"),
    ...                 Relation("g#improves", "improves", opposite="g#worsens")])
    >>> canonical_relation("g#worsens", v)
    ('g#improves', True)
    """
    opposite = vocabulary.get(predicate).opposite
    if opposite is not None and opposite < predicate:
        return opposite, True
    return predicate, False


def read(record: ClaimRecord, vocabulary: Vocabulary) -> Reading:
    """The proposition ``record`` is about, and its direction on it."""
    subject, predicate, object = record.subject, record.predicate, record.object
    turned = False
    relation = vocabulary.get(predicate)
    if relation.symmetric and object < subject:
        subject, object, turned = object, subject, True
    elif relation.inverse is not None and relation.inverse < predicate:
        subject, predicate, object, turned = object, relation.inverse, subject, True
    canonical, opposite = canonical_relation(predicate, vocabulary)
    if record.finding is Finding.EFFECT:
        direction = Direction.DISPUTES if opposite else Direction.SUPPORTS
    elif record.finding is Finding.NULL:
        direction = Direction.NO_EFFECT
    elif record.finding is Finding.UNDETERMINED:
        direction = Direction.UNDETERMINED
    else:
        direction = Direction.ASSERTION
    return Reading(
        record, subject, canonical, object, direction, qualifiers_of(record), turned, opposite
    )
