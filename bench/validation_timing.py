"""Time one claim's incremental SHACL validation (median of N runs).

    .venv/bin/python bench/validation_timing.py [RUNS] [CLAIMS]

Incremental validation, three cases: the TriG baseline fixture (every part of a claim
present), the same claim posted as JSON (model -> RDF -> validation, as the API does
it), and a claim read from the curated graph; milliseconds per claim. Then full
validation (``validate_all``) of the curated graph, and of CLAIMS synthetic claims
(copies of the fixture under distinct IRIs, one in a hundred broken) in an Oxigraph
store, when CLAIMS is given.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Dataset

from gbkg.kg.bootstrap import curated_quads
from gbkg.kg.model import Claim, ClaimIn
from gbkg.kg.record.form import claim_from_decoded
from gbkg.kg.record.reader import decode_claims
from gbkg.kg.record.writer import claim_quads
from gbkg.kg.validation import Validator

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def median_ms(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds (CPU time is steadier on a busy machine)."""
    action()  # warm-up: shapes and ontology parsed, queries prepared
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main(runs: int = 50) -> None:
    validator = Validator()
    trig = Dataset()
    trig.parse(FIXTURES / "valid-claim.trig", format="trig")
    data = json.loads((FIXTURES / "valid-claim.json").read_text(encoding="utf-8"))

    def from_json() -> object:
        quads = claim_quads(ClaimIn.model_validate(data))
        return validator.validate_claim(quads, entity_graph=validator.entity_graph_for(quads))

    first = decode_claims(list(curated_quads()))[0][0]
    curated_claim = claim_quads(claim_from_decoded(first, Claim))
    cases = {
        "TriG fixture (all parts)": lambda: validator.validate_claim(
            trig, entity_graph=validator.entity_graph_for(trig)
        ),
        "JSON claim (model + RDF + validation)": from_json,
        "curated claim": lambda: validator.validate_claim(
            curated_claim, entity_graph=validator.entity_graph_for(curated_claim)
        ),
    }
    for name, action in cases.items():
        wall, cpu = median_ms(action, runs)
        print(f"{name}: {wall:.1f} ms wall, {cpu:.1f} ms CPU (median of {runs})")
    started = time.perf_counter()
    curated = list(curated_quads())
    report = validator.validate_all(curated)
    print(
        f"validate_all on the curated graph ({len(decode_claims(curated)[0])} claims): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms, conforms={report.conforms}"
    )


def full(claims: int) -> None:
    import pyoxigraph as ox

    base = (FIXTURES / "valid-claim.trig").read_text(encoding="utf-8")
    broken = (FIXTURES / "invalid" / "null-with-significant-p.trig").read_text(encoding="utf-8")
    store = ox.Store()
    for i in range(claims):
        text = (broken if i % 100 == 0 else base).replace("claim/fixture", f"claim/c{i}")
        store.load(text.encode(), format=ox.RdfFormat.TRIG)
    started = time.perf_counter()
    report = Validator().validate_all(store)
    seconds = time.perf_counter() - started
    print(
        f"validate_all on {claims} synthetic claims ({len(store)} quads): {seconds:.1f} s, "
        f"{seconds / claims * 1000:.1f} ms per claim, {len(report.errors)} violations"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
    if len(sys.argv) > 2:
        full(int(sys.argv[2]))
