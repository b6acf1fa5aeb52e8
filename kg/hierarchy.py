"""An entity's broader and narrower entities (``rdfs:subClassOf``, ``skos:broader``,
``skos:broadMatch``, ``skos:narrowMatch`` and their inverses: properties the claim
layout writes), and the newest claims: two small reads the web pages make
(``queries/api/entity-hierarchy.rq``, ``newest-claims.rq``)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from gbkg.kg.ids import compress
from gbkg.kg.resources import internal_query
from gbkg.kg.store import Backend


@dataclass(frozen=True)
class Related:
    relation: str  #: ``broader`` or ``narrower``
    iri: str
    label: str | None

    @property
    def id(self) -> str:
        return compress(self.iri)


def related(store: Backend, iri: str) -> list[Related]:
    """The entities broader and narrower than ``iri``, ordered by relation then label."""
    result = store.query(
        internal_query("entity-hierarchy"), substitutions={"entity": ox.NamedNode(iri)}
    )
    assert isinstance(result, ox.QuerySolutions)
    found: dict[tuple[str, str], Related] = {}
    for row in result:
        other, label = row["other"], row["label"]
        key = (row["relation"].value, other.value)
        if key not in found or found[key].label is None:
            found[key] = Related(key[0], key[1], label.value if label is not None else None)
    return list(found.values())


def newest_claims(store: Backend) -> list[str]:
    """The IRIs of the most recently curated claims, newest first (at most 8)."""
    result = store.query(internal_query("newest-claims"))
    assert isinstance(result, ox.QuerySolutions)
    return [row["claim"].value for row in result]
