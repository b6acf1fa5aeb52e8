"""Synthetic claim graphs for benchmarks: realistic shape, any size.

Claims are made with the real model (:class:`kg.model.Claim`) and written by the
real RDF writer (:func:`kg.record.writer.claim_quads`), so a synthetic claim has the
same ~60 triples in four named graphs as a curated one. Entities get labels and types
in the entities graph, so synthetic claims also pass the shapes.

    python -m bench.synthetic --triples 100000 --store /tmp/gbkg-100k
    python -m bench.synthetic --triples 10000000 --nquads /tmp/gbkg-10m.nq

Everything streams: claims are made and written a chunk of :data:`CHUNK` claims at a
time, so ten million triples never sit in memory (the store is built by Oxigraph's
``bulk_load`` from an N-Quads stream, or from a file written the same way).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.model import Claim
from gbkg.kg.namespaces import ENTITIES_GRAPH, ENTITY, GBA
from gbkg.kg.record.writer import claims_quads
from gbkg.kg.store import OxigraphStore

RELATIONS = ["improves", "worsens", "increases", "decreases", "associatedWith", "produces"]
KINDS = ["MicrobialTaxon", "Neurotransmitter", "Condition", "InflammatoryMarker", "Probiotic"]
DESIGNS = ["meta-analysis", "rct", "cohort", "cross-sectional", "animal", "in-vitro"]
#: Share of claims whose subject is ``synthetic-0``.
HUB_SHARE = 0.03
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def entity_quads(n_entities: int) -> Iterator[ox.Quad]:
    graph = ox.NamedNode(str(ENTITIES_GRAPH))
    for i in range(n_entities):
        node = ox.NamedNode(str(ENTITY[f"synthetic-{i}"]))
        kind = ox.NamedNode(str(GBA[KINDS[i % len(KINDS)]]))
        yield ox.Quad(node, RDF_TYPE, kind, graph)
        yield ox.Quad(node, RDFS_LABEL, ox.Literal(f"synthetic entity {i}"), graph)


def synthetic_claim(i: int, rng: random.Random, n_entities: int) -> Claim:
    subject, obj = rng.sample(range(n_entities), 2)
    if rng.random() < HUB_SHARE and obj != 0:
        subject = 0  # a hub: the entity pages' worst case (~900 claims at 1M triples)
    null = rng.random() < 0.2
    effect = rng.uniform(-1, 1)
    half = rng.uniform(0.05, 0.4)
    p = rng.uniform(0.06, 0.9) if null else rng.uniform(0.0001, 0.049)
    if null:
        low, high = -half, half
    elif abs(effect) > half:
        low, high = effect - half, effect + half
    else:
        low, high = 0.01, 0.01 + 2 * half
    low, high = round(low, 3), round(high, 3)
    effect = round((low + high) / 2, 3)
    return Claim.model_validate(
        {
            "subject": f"gbkg:synthetic-{subject}",
            "predicate": f"gba:{rng.choice(RELATIONS)}",
            "object": f"gbkg:synthetic-{obj}",
            "finding": "null" if null else "effect",
            "statement": f"Synthetic claim {i}: entity {subject} and entity {obj}.",
            "quote": f"In study {i}, entity {subject} was examined against entity {obj}.",
            "hedged": rng.random() < 0.3,
            "source": {
                "title": f"Synthetic study {i // 10}",
                "type": "journal-article",
                "doi": f"10.9999/synthetic.{i // 10}",
            },
            "evidence": {
                "study_design": rng.choice(DESIGNS),
                "n_participants": rng.randint(10, 5000),
            },
            "statistics": {
                "effect_measure": "SMD",
                "effect_size": effect,
                "ci_low": low,
                "ci_high": high,
                "p_value": round(p, 4),
            },
            "context": {"population": rng.choice(["adults", "older adults", "women", "mice"])},
            "curator": "synthetic",
            "created": datetime(2026, 1, 1, tzinfo=UTC),
        }
    )


CHUNK = 1000


def iter_quads(n_claims: int, *, seed: int = 7, n_entities: int | None = None) -> Iterator[ox.Quad]:
    """The entities, then the claims' quads, made :data:`CHUNK` claims at a time.

    A source is shared by ten consecutive claims and a chunk holds whole tens, so a
    chunk repeats no description but the curator's (a duplicate the store drops).
    """
    rng = random.Random(seed)
    n_entities = n_entities or max(50, n_claims // 5)
    yield from entity_quads(n_entities)
    for start in range(0, n_claims, CHUNK):
        chunk = range(start, min(n_claims, start + CHUNK))
        yield from claims_quads(synthetic_claim(i, rng, n_entities) for i in chunk)


def claim_quads(n_claims: int, *, seed: int = 7, n_entities: int | None = None) -> list[ox.Quad]:
    """:func:`iter_quads` as a list (small sizes)."""
    return list(iter_quads(n_claims, seed=seed, n_entities=n_entities))


def triples_per_claim() -> float:
    """Quads one synthetic claim adds, shared source and curator descriptions included."""
    rng = random.Random(1)
    return len(claims_quads(synthetic_claim(i, rng, 100) for i in range(100))) / 100


def n_claims_for(triples: int) -> int:
    return max(1, round(triples / triples_per_claim()))


def write_nquads(path: str | Path, triples: int, *, seed: int = 7) -> int:
    """~``triples`` synthetic quads (no curated data) as N-Quads; the claims written."""
    n_claims = n_claims_for(triples)
    with open(path, "wb") as out:
        ox.serialize(iter_quads(n_claims, seed=seed), out, format=ox.RdfFormat.N_QUADS)
    return n_claims


def build_store(path: str | None, triples: int, *, seed: int = 7) -> OxigraphStore:
    """A store with the reference data, the curated claims and ~``triples`` synthetic ones.

    The synthetic quads are streamed into Oxigraph's ``bulk_extend`` (no transaction, no
    list of every quad in memory)."""
    store = OxigraphStore(path)
    ensure_loaded(store)
    store.bulk_load(iter_quads(n_claims_for(triples), seed=seed))
    store.flush()
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=100_000)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", help="build a store in this directory")
    where.add_argument("--nquads", help="write the synthetic quads to this N-Quads file")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.nquads:
        n = write_nquads(args.nquads, args.triples)
        print(f"{n} claims in {time.perf_counter() - started:.1f} s to {args.nquads}")
        return
    store = build_store(args.store, args.triples)
    print(f"{store.triple_count()} quads in {time.perf_counter() - started:.1f} s at {args.store}")
    store.close()


if __name__ == "__main__":
    main()
