"""Query speed: the service's SPARQL path against raw pyoxigraph and rdflib, same data.

Three ways to answer the same query on the same synthetic claim graph (curated
claims plus synthetic ones), median of ``--repeat`` runs each, all in this process:

- ``pyoxigraph``: raw ``Store.query`` on the on-disk store, rows materialized;
- ``gbkg``: the service's path without HTTP (``kg.sparql.evaluate``: checks,
  dataset, deadline, result cap) plus serialization to SPARQL results JSON;
- ``gbkg http``: ``GET /sparql`` through the ASGI app (FastAPI TestClient);
- ``rdflib``: ``Dataset(default_union=True).query`` on the same quads in memory.

    python -m bench.query_speed --triples 100000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from rdflib import Dataset

from bench.synthetic import build_store
from gbkg.api.app import create_app
from gbkg.kg.settings import Settings
from gbkg.kg.sparql import evaluate, serialize
from gbkg.kg.sparql_formats import ResultFormat
from gbkg.kg.terms import quads_dataset

PREFIXES = """PREFIX gba: <https://w3id.org/gbkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
QUERIES = {
    "entity join": PREFIXES
    + """SELECT ?claim ?statement ?finding ?design ?title WHERE {
  ?claim rdf:subject <https://w3id.org/gbkg/entity/synthetic-7> ;
         gba:statement ?statement ; gba:finding ?finding ;
         gba:evidence/gba:studyDesign ?design ; prov:wasDerivedFrom/dct:title ?title .
}""",
    "text filter": PREFIXES
    + """SELECT ?claim ?statement WHERE {
  ?claim gba:statement ?statement .
  FILTER(CONTAINS(LCASE(?statement), "entity 12 "))
}""",
    "count by finding": PREFIXES
    + """SELECT ?finding (COUNT(?claim) AS ?n) WHERE { ?claim gba:finding ?finding }
GROUP BY ?finding""",
}


def median_ms(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    run()  # warm
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        started = time.perf_counter()
        store = build_store(str(path), args.triples)
        print(f"built {store.triple_count():,} quads in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        dataset = Dataset(default_union=True)
        for quad in quads_dataset(store.quads()).quads():
            dataset.add(quad)  # type: ignore[arg-type]
        print(f"rdflib loaded the same quads in {time.perf_counter() - started:.1f} s")
        app = create_app(Settings(store=str(path), max_results=1_000_000), store=store)
        with TestClient(app) as client:
            for name, text in QUERIES.items():
                raw, rows = median_ms(
                    lambda t=text: list(store.query(t)),
                    args.repeat,  # type: ignore[misc]
                )
                ours, _ = median_ms(
                    lambda t=text: serialize(evaluate(store, t), ResultFormat.JSON), args.repeat
                )
                http, _ = median_ms(
                    lambda t=text: client.get("/sparql", params={"query": t}).content, args.repeat
                )
                lib, lib_rows = median_ms(lambda t=text: list(dataset.query(t)), args.repeat)
                assert len(rows) == len(lib_rows), (name, len(rows), len(lib_rows))  # type: ignore[arg-type]
                print(
                    f"{name:17} rows {len(rows):>5}  "  # type: ignore[arg-type]
                    f"pyoxigraph {raw:7.1f} ms  gbkg {ours:7.1f} ms ({ours / raw:4.1f}x raw)  "
                    f"rdflib {lib:8.1f} ms (gbkg {lib / ours:5.1f}x faster)  "
                    f"gbkg over HTTP {http:6.1f} ms"
                )
        store.close()


if __name__ == "__main__":
    main()
