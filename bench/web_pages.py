"""The pages in a real browser: each page's weight (kB transferred: the HTML and every
asset it loads), and the time to first paint of the evidence view, on the curated graph
(the baseline) and on ~1M triples made by ``bench/synthetic.py``, in the same process.

    python -m bench.web_pages --triples 1000000 [--store /tmp/gbkg-web-1m] [--runs 5]

Needs Debian's Chromium at /usr/bin/chromium (``.ci/run`` installs it). First paint is
the browser's own ``first-contentful-paint`` entry (Paint Timing API), measured from the
navigation's start, after the claim graph is warm (the server builds it at start-up);
the first request after start is reported on its own.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.synthetic import build_store
from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.store import OxigraphStore

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from sparql_helpers import Server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PAINT_JS = """() => {
  const e = performance.getEntriesByName('first-contentful-paint')[0];
  return e ? e.startTime : null;
}"""
WEIGHT_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const size = (r) => r.transferSize || r.encodedBodySize;
  return [nav, ...res].map(size).reduce((a, b) => a + b, 0);
}"""


@contextmanager
def serving(store_path: Path, log: Path) -> Iterator[Server]:
    server = Server(store_path, log, GBKG_LOAD_CURATED="true")
    try:
        server.wait_ready(timeout=600)
        yield server
    finally:
        server.stop()


def busiest_pair(url: str) -> tuple[str, str]:
    """The synthetic subject–object pair with the most claims (a SPARQL query)."""
    query = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?s ?o (COUNT(?c) AS ?n) WHERE {
  ?c rdf:subject ?s ; rdf:object ?o .
  FILTER(STRSTARTS(STR(?s), "https://w3id.org/gbkg/entity/synthetic-"))
} GROUP BY ?s ?o ORDER BY DESC(?n) LIMIT 1"""
    rows = httpx.get(url + "/sparql", params={"query": query}, timeout=120).json()
    bindings = rows["results"]["bindings"]
    if not bindings:
        return "gbkg:probiotic", "MONDO:0002050"
    row = bindings[0]
    prefix = "https://w3id.org/gbkg/entity/"
    return ("gbkg:" + row["s"]["value"][len(prefix) :], "gbkg:" + row["o"]["value"][len(prefix) :])


def first_paint(browser, url: str, runs: int) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        page.goto(url, wait_until="load", timeout=300_000)
        page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
        times.append(page.evaluate(PAINT_JS))
        context.close()
    return statistics.median(times), times


def weights(browser, base: str, pages: dict[str, str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    out = {}
    for name, path in pages.items():
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + path, wait_until="networkidle")
        out[name] = page.evaluate(WEIGHT_JS) / 1000
        context.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--store", default=None, help="reuse or build the large store here")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--weights-only", action="store_true", help="page weights and the baseline only"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="gbkg-web-bench-"))
    small = OxigraphStore(root / "small")
    ensure_loaded(small)
    small.close()
    large_path = Path(args.store) if args.store else root / "large"
    if not args.weights_only and not any(large_path.glob("*")):
        started = time.perf_counter()
        build_store(str(large_path), args.triples).close()
        print(f"built {args.triples} triples in {time.perf_counter() - started:.0f} s")
    pages = {
        "home": "/",
        "search": "/?q=serotonin",
        "entity": "/entities/gbkg:probiotic",
        "evidence": "/evidence?subject=gbkg:probiotic&object=MONDO:0002050",
        "paths": "/paths?source=gbkg:yogurt&target=MONDO:0002050",
        "query": "/sparql",
        "query results": "/sparql?named=claims-about&param.entity=CHEBI%3A28790",
        "workbench": "/workbench",
        "docs": "/docs",
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        with serving(root / "small", root / "small.log") as server:
            claim = httpx.get(server.url + "/claims?limit=1").json()["data"][0]["id"]
            pages["claim"] = "/claims/" + claim.rsplit("/", 1)[-1]
            kb = weights(browser, server.url, pages)
            evidence = server.url + pages["evidence"]
            base, base_runs = first_paint(browser, evidence, args.runs)
        print("page weights (kB transferred, HTML + assets, uncompressed):")
        for name, value in kb.items():
            print(f"  {name:14} {value:8.1f}")
        print(f"evidence view, curated graph: first paint {base:.0f} ms (runs {base_runs})")
        if args.weights_only:
            browser.close()
            return
        with serving(large_path, root / "large.log") as server:
            triples = httpx.get(server.url + "/health", timeout=60).json()["triples"]
            subject, obj = busiest_pair(server.url)
            started = time.perf_counter()
            httpx.get(
                server.url + "/evidence", params={"subject": subject, "object": obj}, timeout=600
            )
            print(
                f"first /evidence after start (claim graph warm-up): "
                f"{time.perf_counter() - started:.1f} s"
            )
            for label, (s, o) in (
                ("curated pair", ("gbkg:probiotic", "MONDO:0002050")),
                ("busiest synthetic pair", (subject, obj)),
            ):
                url = f"{server.url}/evidence?subject={s}&object={o}"
                median, runs = first_paint(browser, url, args.runs)
                print(
                    f"evidence view at {triples} triples, {label} ({s}, {o}): first paint "
                    f"{median:.0f} ms (runs {[round(r) for r in runs]}), "
                    f"{median / base:.2f}x the curated graph's"
                )
        browser.close()


if __name__ == "__main__":
    main()
