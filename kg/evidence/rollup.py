"""Roll-up along the hierarchy: narrower entities' evidence counts for broader ones.

The links are ``skos:broader`` (or ``rdfs:subClassOf``) between entities, read from
the store (``queries/api/evidence-hierarchy.rq``): condition subclasses (major
depressive disorder → depressive disorder → mood disorder), taxonomy (strain → species
→ genus), product membership (a taxon → the probiotic product that contains it), marker
classes (IL-6 → inflammatory marker). Each link has a *how*, from the two entities'
types: ``taxon`` (taxon to taxon), ``product`` (taxon to a non-taxon, or a product
member), ``marker`` (a marker or measure class), else ``subclass``.

Roll-up goes downwards only: asking about depressive disorder gathers the claims
about major depressive disorder (each marked with the links that reached it), never
the other way round — a claim about depressive disorder says nothing about MDD in
particular.

>>> h = Hierarchy([Link("mdd", "dd", "subclass"), Link("dd", "mood", "subclass")])
>>> sorted(h.narrower("mood"))
['dd', 'mdd', 'mood']
>>> [(v.from_, v.to) for v in h.narrower("mood")["mdd"]]
[('mdd', 'dd'), ('dd', 'mood')]
>>> h.narrower("mdd")
{'mdd': ()}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from gbkg.kg.projection import entity_classes
from gbkg.kg.resources import internal_query
from gbkg.kg.store import Backend

_RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
_G = "https://w3id.org/gbkg/ontology#"
_TAXON_TYPES = frozenset({_G + "MicrobialTaxon", _G + "Strain", _G + "Species", _G + "Genus"})


@dataclass(frozen=True)
class Link:
    """``from_`` is narrower than ``to``; ``how`` says in which sense."""

    from_: str
    to: str
    how: str


def _how(narrower_types: set[str], broader_types: set[str]) -> str:
    if narrower_types & _TAXON_TYPES and broader_types & _TAXON_TYPES:
        return "taxon"
    if narrower_types & _TAXON_TYPES:
        return "product"  # a taxon under a non-taxon (a probiotic): membership
    if any("Marker" in t or "Measure" in t for t in broader_types | narrower_types):
        return "marker"
    return "subclass"


class Hierarchy:
    """Narrower → broader links, walked downwards (broader → every narrower entity)."""

    def __init__(self, links: Iterable[Link] = ()) -> None:
        self.links = sorted(set(links), key=lambda k: (k.to, k.from_, k.how))
        self._below: dict[str, list[Link]] = defaultdict(list)
        for link in self.links:
            self._below[link.to].append(link)

    @classmethod
    def from_store(cls, store: Backend | None) -> Hierarchy:
        if store is None:
            return cls()
        classes = entity_classes(store)
        result = store.query(internal_query("evidence-hierarchy"))
        assert isinstance(result, ox.QuerySolutions)
        rows: dict[tuple[str, str, str], tuple[set[str], set[str]]] = {}
        for row in result:
            kinds = (row["narrowerType"], row["broaderType"])
            if any(kind is None or kind.value not in classes for kind in kinds):
                continue  # not a link between two entities (the ontology's class tree)
            key = (row["narrower"].value, row["broader"].value, row["link"].value)
            types = rows.setdefault(key, (set(), set()))
            types[0].add(row["narrowerType"].value)
            types[1].add(row["broaderType"].value)
        return cls(Link(n, b, _how(*rows[(n, b, k)])) for n, b, k in rows)

    def narrower(self, iri: str) -> dict[str, tuple[Link, ...]]:
        """``iri`` and every entity below it, each with the links from it up to ``iri``."""
        found: dict[str, tuple[Link, ...]] = {iri: ()}
        frontier = [iri]
        while frontier:
            nxt = []
            for node in frontier:
                for link in self._below.get(node, ()):
                    if link.from_ not in found:
                        found[link.from_] = (link, *found[node])
                        nxt.append(link.from_)
            frontier = nxt
        return found

    def __len__(self) -> int:
        return len(self.links)
