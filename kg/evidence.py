"""What the claims say about two entities: supporting, null and opposing evidence, and a consensus.

:func:`evidence` gathers every claim linking ``subject`` and ``object`` in either
direction (active ones; retracted ones too with ``include_retracted``) and weighs
them against one relation.

The relation weighed (``relation``, ``direction``)
    Each claim is read in the direction subject → object of the question and in
    the reverse direction. A claim stated the other way round is read in the
    question's direction only when the ontology allows it: a symmetric relation
    (``communicates with``) keeps its relation, a relation with an
    ``owl:inverseOf`` (``part of``) becomes its inverse; otherwise it cannot be
    turned around. For each direction and each relation R that an effect or null
    claim uses (or whose ``gba:opposite`` one uses), count the supporting, opposing
    and null claims as below. The relation weighed is the R with the most
    supporting claims, then the most tested claims (supporting + opposing + null),
    then the most claims stating R itself, then the question's own direction.
    So when claims disagree on direction, the side with more effect claims is
    "supporting", and ``opposing`` never exceeds ``supporting`` unless effects are
    absent.

Roles of the claims (``role``)
    - **supporting**: ``effect`` claims whose relation, read in that direction, is R;
    - **opposing**: ``effect`` claims with the opposite of R (``gba:opposite``:
      increases / decreases, improves / worsens, positively / negatively associated
      with, promotes / inhibits growth of);
    - **null**: ``null`` claims (tested, not significant) with R, its opposite, or a
      broader relation R specializes (``affects`` for ``improves``,
      ``associated with`` for ``positively associated with``);
    - **assertion**: ``assertion`` claims (stated without a test) — listed, never
      counted for or against;
    - **other**: effect or null claims about another relation, or stated in the
      other direction with a relation that cannot be turned around — listed only.

Context and heterogeneity
    A claim holds in its context (population, co-intervention, condition, strain,
    dose). Supporting, opposing and null claims are grouped into *strata* of equal
    context (a claim without context is its own stratum, "unqualified"). Claims
    that disagree **in the same stratum** contradict each other; claims that differ
    **across strata** do not: the differing context fields and their values are
    reported in ``heterogeneity`` (and ``context_dependent`` says whether the
    strata reach different verdicts).

Consensus (``consensus``)
    1. ``insufficient`` — no supporting, opposing or null claim (nothing, or only
       assertions and other relations);
    2. ``contested`` — some stratum holds claims of two or more of the kinds
       supporting / opposing / null (a real disagreement in one context);
    3. ``supported`` — at least one supporting claim and no contested stratum
       (strata with null or opposing claims in *other* contexts are
       heterogeneity);
    4. ``no-effect`` — only null claims, none contested (absence of evidence of an
       effect, as the null finding itself is).

The same rule is documented for the API in ``docs/api.md`` (``## Evidence``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.errors import NotFoundError, ParameterError
from gbkg.kg.ids import compress
from gbkg.kg.model import Finding
from gbkg.kg.projection import (
    CONTEXT_COLUMNS,
    ClaimRecord,
    EntityName,
    Relation,
    Vocabulary,
    entity_iri,
    read_pair,
    require_entity,
)
from gbkg.kg.store import Backend

CONTEXT_FIELDS = tuple(CONTEXT_COLUMNS)


class Role(StrEnum):
    SUPPORTING = "supporting"
    OPPOSING = "opposing"
    NULL = "null"
    ASSERTION = "assertion"
    OTHER = "other"


class Consensus(StrEnum):
    SUPPORTED = "supported"
    NO_EFFECT = "no-effect"
    CONTESTED = "contested"
    INSUFFICIENT = "insufficient"


class Direction(StrEnum):
    FORWARD = "forward"  #: subject R object
    REVERSE = "reverse"  #: object R subject


COUNTED = (Role.SUPPORTING, Role.OPPOSING, Role.NULL)


@dataclass(frozen=True)
class WeighedClaim:
    """A claim and how it counts."""

    record: ClaimRecord
    role: Role
    #: The claim's relation read in the weighed direction (``None`` when it cannot be).
    relation: str | None
    #: Whether the claim is stated in the weighed direction or turned around.
    turned: bool


@dataclass(frozen=True)
class Heterogeneity:
    """A context field whose value differs among the counted claims (``None``: unstated)."""

    field: str
    values: tuple[str | None, ...]


@dataclass(frozen=True)
class Stratum:
    """Counted claims sharing one context, and what they say together."""

    context: tuple[tuple[str, str], ...]
    supporting: int
    opposing: int
    null: int

    @property
    def verdict(self) -> str:
        kinds = [k for k, n in (("supported", self.supporting), ("opposed", self.opposing),
                                ("no-effect", self.null)) if n]  # fmt: skip
        return kinds[0] if len(kinds) == 1 else "contested"


@dataclass
class EvidenceSummary:
    subject: EntityName
    object: EntityName
    relation: Relation | None
    direction: Direction
    consensus: Consensus
    claims: list[WeighedClaim]
    strata: list[Stratum] = field(default_factory=list)
    heterogeneity: list[Heterogeneity] = field(default_factory=list)

    def count(self, role: Role) -> int:
        return sum(1 for c in self.claims if c.role is role)

    @property
    def counts(self) -> dict[str, int]:
        return {role.value: self.count(role) for role in Role}

    @property
    def context_dependent(self) -> bool:
        return len({s.verdict for s in self.strata}) > 1


def evidence(
    source: Backend | ClaimGraph,
    subject: str,
    object: str,
    *,
    include_retracted: bool = False,
) -> EvidenceSummary:
    """The claims linking ``subject`` and ``object`` (CURIEs or IRIs), weighed.

    ``source`` is a store, or a :class:`~kg.analytics.ClaimGraph` (its vocabulary
    and entity names are reused; the claims are still read from its store, which
    has them in full, or from the graph itself when it has no store). Unknown entities
    raise :class:`~kg.errors.NotFoundError`, malformed identifiers
    :class:`~kg.errors.CurieError`, both naming the parameter. The rule: see the
    module documentation.
    """
    s_iri = entity_iri(subject, parameter="subject")
    o_iri = entity_iri(object, parameter="object")
    if s_iri == o_iri:
        raise ParameterError("subject and object are the same entity", parameter="object")
    graph = source if isinstance(source, ClaimGraph) else None
    store = graph.store if graph is not None else source
    names: dict[str, EntityName] = {}
    for name, iri in (("subject", s_iri), ("object", o_iri)):
        if graph is not None and iri in graph.entities:
            names[name] = graph.entities[iri]
        elif graph is not None and iri in graph.graph:
            names[name] = EntityName(iri)
        elif store is not None:
            names[name] = require_entity(store, iri, parameter=name)  # type: ignore[arg-type]
        else:
            raise NotFoundError(f"{name}: no entity {compress(iri)} in the graph",
                                parameter=name, value=compress(iri))  # fmt: skip
    if store is not None:
        records = read_pair(store, s_iri, o_iri)  # type: ignore[arg-type]
        if not include_retracted:
            records = [r for r in records if r.active]
    elif not include_retracted:
        records = graph.records_between(s_iri, o_iri)  # type: ignore[union-attr]
    else:
        raise ParameterError("retracted claims need a store", parameter="include_retracted")
    vocabulary = graph.vocabulary if graph is not None else Vocabulary.from_store(store)  # type: ignore[arg-type]
    return weigh(records, names["subject"], names["object"], vocabulary)


def weigh(
    records: Iterable[ClaimRecord],
    subject: EntityName,
    object: EntityName,
    vocabulary: Vocabulary,
) -> EvidenceSummary:
    """Sort the claims linking two entities into roles and decide the consensus."""
    records = sorted(records, key=lambda r: r.iri)
    readings = {
        direction: [
            _read(r, subject.iri if direction is Direction.FORWARD else object.iri, vocabulary)
            for r in records
        ]
        for direction in Direction
    }
    best: tuple[tuple[int, int, int, int], Direction, str] | None = None
    for direction, read in readings.items():
        tested = [(r, rel) for r, rel in zip(records, read, strict=True)
                  if rel is not None and r.finding is not Finding.ASSERTION]  # fmt: skip
        candidates = {rel for _, rel in tested}
        candidates |= {o for rel in candidates if (o := vocabulary.get(rel).opposite)}
        for relation in sorted(candidates):
            roles = [_role(r, rel, relation, vocabulary) for r, rel in tested]
            supporting = roles.count(Role.SUPPORTING)
            counted = sum(1 for role in roles if role in COUNTED)
            own = sum(1 for _, rel in tested if rel == relation)
            key = (supporting, counted, own, int(direction is Direction.FORWARD))
            if best is None or key > best[0]:
                best = (key, direction, relation)
    if best is None:
        direction = Direction.FORWARD
        forward = [rel for rel in readings[Direction.FORWARD] if rel is not None]
        relation_iri = Counter(forward).most_common(1)[0][0] if forward else None
    else:
        _, direction, relation_iri = best
    weighed = [
        WeighedClaim(
            record=r,
            role=_role(r, rel, relation_iri, vocabulary),
            relation=rel,
            turned=rel is not None
            and r.subject != (subject.iri if direction is Direction.FORWARD else object.iri),
        )
        for r, rel in zip(records, readings[direction], strict=True)
    ]
    strata = _strata(weighed)
    return EvidenceSummary(
        subject=subject,
        object=object,
        relation=vocabulary.get(relation_iri) if relation_iri is not None else None,
        direction=direction,
        consensus=_consensus(strata),
        claims=weighed,
        strata=strata,
        heterogeneity=_heterogeneity(weighed),
    )


def _read(record: ClaimRecord, start: str, vocabulary: Vocabulary) -> str | None:
    """The claim's relation read from ``start`` to the other entity, if it can be."""
    if record.subject == start:
        return record.predicate
    return vocabulary.reverse(record.predicate)


def _role(
    record: ClaimRecord, read: str | None, relation: str | None, vocabulary: Vocabulary
) -> Role:
    if record.finding is Finding.ASSERTION:
        return Role.ASSERTION
    if read is None or relation is None:
        return Role.OTHER
    weighed = vocabulary.get(relation)
    if record.finding is Finding.EFFECT:
        if read == relation:
            return Role.SUPPORTING
        if read == weighed.opposite:
            return Role.OPPOSING
        return Role.OTHER
    if read == relation or read == weighed.opposite or read in weighed.parents:
        return Role.NULL
    return Role.OTHER


def _context_key(record: ClaimRecord) -> tuple[tuple[str, str], ...]:
    return tuple((f, record.context[f]) for f in CONTEXT_FIELDS if f in record.context)


def _strata(claims: list[WeighedClaim]) -> list[Stratum]:
    groups: dict[tuple[tuple[str, str], ...], Counter[Role]] = {}
    for claim in claims:
        if claim.role in COUNTED:
            groups.setdefault(_context_key(claim.record), Counter())[claim.role] += 1
    return [
        Stratum(key, c[Role.SUPPORTING], c[Role.OPPOSING], c[Role.NULL])
        for key, c in sorted(groups.items())
    ]


def _consensus(strata: list[Stratum]) -> Consensus:
    if not strata:
        return Consensus.INSUFFICIENT
    verdicts = {s.verdict for s in strata}
    if "contested" in verdicts:
        return Consensus.CONTESTED
    if "supported" in verdicts:
        return Consensus.SUPPORTED
    if verdicts == {"no-effect"}:
        return Consensus.NO_EFFECT
    # Opposing effects without supporting ones cannot happen (the weighed relation
    # is the one with more effect claims); kept total for safety.
    return Consensus.CONTESTED


def _heterogeneity(claims: list[WeighedClaim]) -> list[Heterogeneity]:
    counted = [c.record for c in claims if c.role in COUNTED]
    found = []
    for name in CONTEXT_FIELDS:
        values = {r.context.get(name) for r in counted}
        if len(values) > 1:
            ordered = sorted((v for v in values if v is not None), key=str.lower)
            found.append(Heterogeneity(name, (*ordered, *([None] if None in values else []))))
    return found
