"""How fast the curation assistant reads: a synthetic 5,000-word article, and the seed.

The synthetic article is made of sentences in the shapes results, background and
methods take in abstracts and news reports (findings with statistics, nulls, hedged
mechanisms, lists, sentences with no claim), filled with the store's entity names;
it is deterministic (seeded). Each measure is the median of ``--repeat`` runs in one
process, after one warm-up run (the entity index is built once per store generation).

- ``segment``: sentence segmentation alone, with syntok (used) and with pysbd when it
  is installed (compared; not a dependency);
- ``read``: everything but validation (segmentation, linking, cues, statistics,
  drafting the claims);
- ``read + validate``: what ``gbkg suggest`` and ``POST /suggest`` do by default, one
  SHACL validation (``ClaimService.validate``) per candidate.

    python -m bench.suggest_speed --words 5000 --repeat 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.store import OxigraphStore
from gbkg.kg.suggest.engine import Suggester
from gbkg.kg.suggest.segment import sentences

SEED_ARTICLE = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "article.txt"

INTERVENTIONS = [
    "probiotics",
    "probiotic supplementation",
    "Lactobacillus helveticus",
    "Bifidobacterium longum",
    "prebiotics",
    "fermented milk",
    "kefir",
]
OUTCOMES = [
    "depressive symptoms",
    "IL-6",
    "TNF-α",
    "serotonin",
    "mood",
    "gut microbiota",
    "inflammation",
    "major depressive disorder",
]
TEMPLATES = [
    "{a} significantly reduced {b} (SMD = −0.{n1}, 95% CI −0.{n2} to −0.0{n3}, p = 0.0{n3}).",
    "There was no significant difference in {b} between the {a} and placebo groups "
    "(MD = −0.{n1}, 95% CI −0.{n2} to 0.{n3}, P = 0.{n1}).",
    "Neither {b} nor {c} decreased with {a} supplementation.",
    "{a} may influence {b} through the gut-brain axis.",
    "The researchers suggest that the effects of {a} on {b} may depend on the strains used.",
    "Fermented foods like yogurt, kefir and kimchi contain {a}.",
    "In total, {n4} participants were included across {n3} randomized controlled trials.",
    "The interventions lasted between four and {n3} weeks.",
    "Participants completed questionnaires at baseline and at the end of the study.",
    "Trials were identified through searches of several electronic databases.",
    "{a} was associated with improvements in {b} in adults with depression.",
    "Heterogeneity was moderate (I² = {n1}%), and a random-effects model was used.",
]


def synthetic_article(words: int, seed: int = 7) -> str:
    """Sentences from :data:`TEMPLATES` until ``words`` words, in paragraphs of five."""
    rng = random.Random(seed)
    out: list[str] = []
    count = 0
    while count < words:
        a, b, c = rng.choice(INTERVENTIONS), *rng.sample(OUTCOMES, 2)
        n = {f"n{i}": rng.randint(10, 99) for i in range(1, 4)}
        sentence = rng.choice(TEMPLATES).format(a=a, b=b, c=c, n4=rng.randint(100, 2000), **n)
        sentence = sentence[0].upper() + sentence[1:]
        out.append(sentence)
        count += len(sentence.split())
    paragraphs = [" ".join(out[i : i + 5]) for i in range(0, len(out), 5)]
    return "\n\n".join(paragraphs)


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(text: str, suggester: Suggester, repeat: int) -> dict[str, float]:
    found: dict[str, float] = {"segment (syntok)": median_ms(lambda: sentences(text), repeat)}
    try:
        import pysbd

        segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
        found["segment (pysbd)"] = median_ms(lambda: segmenter.segment(text), repeat)
    except ImportError:
        pass
    found["read"] = median_ms(lambda: suggester.suggest(text, validate=False), repeat)
    found["read + validate"] = median_ms(lambda: suggester.suggest(text), max(1, repeat // 2))
    found["candidates"] = suggester.suggest(text, validate=False).count
    return found


def fidelity(text: str) -> dict[str, str]:
    """Each segmenter on ``text``: sentences, spans whose offsets do not give back their
    text exactly, and whether it splits "adults.Benefits" (no space after the stop)."""
    spans: dict[str, list[tuple[int, int, str]]] = {
        "syntok": [(s.start, s.end, s.text) for s in sentences(text)]
    }
    try:
        import pysbd

        found = pysbd.Segmenter(language="en", clean=False, char_span=True).segment(text)
        spans["pysbd"] = [(s.start, s.end, s.sent) for s in found]
    except ImportError:
        pass
    out = {}
    for name, found_spans in spans.items():
        wrong = sum(text[a:b] != t for a, b, t in found_spans)
        split = not any("adults.Benefits" in t for _, _, t in found_spans)
        out[name] = (
            f"{len(found_spans)} sentences, {wrong} spans not exact, "
            f"{'splits' if split else 'does not split'} 'adults.Benefits'"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    store = OxigraphStore(None)
    ensure_loaded(store, curated=False)
    suggester = Suggester(store)
    texts = {f"synthetic {args.words} words": synthetic_article(args.words)}
    if SEED_ARTICLE.is_file():
        texts["seed article"] = SEED_ARTICLE.read_text(encoding="utf-8")
    if SEED_ARTICLE.is_file():
        for name, line in fidelity(texts["seed article"]).items():
            print(f"segmentation of the seed article, {name}: {line}")
    for name, text in texts.items():
        print(f"{name}: {len(text.split())} words, {len(text)} characters")
        for label, value in measure(text, suggester, args.repeat).items():
            unit = "" if label == "candidates" else " ms"
            print(f"  {label:18} {value:8.1f}{unit}")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
